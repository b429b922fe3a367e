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

/** Most fields a record type has (wasmparser's `MAX_WASM_RECORD_FIELDS`). */
export const MAX_RECORD_FIELDS = 10_000;
/** Most cases a variant type has (`MAX_WASM_VARIANT_CASES`). */
export const MAX_VARIANT_CASES = 10_000;
/** Most elements a tuple type has (`MAX_WASM_TUPLE_TYPES`). */
export const MAX_TUPLE_TYPES = 10_000;
/** Most names a flags type is read with (`MAX_WASM_FLAG_NAMES`; a type holds at most 32). */
export const MAX_FLAG_NAMES = 1_000;
/** Most cases an enum type has (`MAX_WASM_ENUM_CASES`). */
export const MAX_ENUM_CASES = 10_000;
/** Most parameters a component function type has (`MAX_WASM_FUNCTION_PARAMS`). */
export const MAX_FUNCTION_PARAMS = 1_000;
/** Most elements a fixed-length list has (`MAX_WASM_FIXED_LENGTH_LIST_ELEMENTS`, 2^30). */
export const MAX_FIXED_LENGTH_LIST_ELEMENTS = 1_073_741_824;
