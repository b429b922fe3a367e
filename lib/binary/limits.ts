/**
 * Named limits of the decoder, in one place (as wasmparser's `limits.rs`).
 *
 * @module
 */

/** Bytes in a component or core module preamble (magic + version + layer). */
export const PREAMBLE_SIZE = 8;
/** The component binary version this decoder reads (pre-standard `0x0d`). */
export const COMPONENT_VERSION = 0x0d;
/** The core module binary version. */
export const MODULE_VERSION = 1;
/** Maximum bytes of a LEB128-encoded u32 (ceil(32 / 7)). */
export const MAX_LEB_U32_BYTES = 5;
/** Maximum bytes of a LEB128-encoded 64-bit integer (ceil(64 / 7)). */
export const MAX_LEB_U64_BYTES = 10;
/** Deepest component nesting accepted, so hostile input cannot exhaust the stack. */
export const MAX_NESTING_DEPTH = 100;
/** Deepest nesting of type declarations (component/instance types inside each other). */
export const MAX_TYPE_DEPTH = 100;
