/**
 * wasmfuse: compile the fused adapters of WebAssembly components, as
 * Wasmtime's component translator and its adapter compiler (FACT) do, and
 * run the result in any JavaScript engine.
 *
 * Today the first pipeline stage is here: {@link parse} (a
 * `TransformStream<Uint8Array, Payload>`) and {@link parseBytes}, with the
 * byte layer they stand on ({@link Reader}, {@link ByteWriter},
 * {@link ParseError}).
 *
 * @example Parse a component and list its sections
 * ```ts
 * import { parseBytes } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const component = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const kinds = parseBytes(component).map((p) => p.kind);
 * assert.deepEqual(kinds, ["component-begin", "component-end", "end"]);
 * ```
 *
 * @module
 */
export { ByteWriter, END_OF_FILE, END_OF_SECTION, ParseError, Reader } from "./lib/binary/mod.ts";
export * from "./lib/parse/mod.ts";
export * from "./lib/types/mod.ts";
export * from "./lib/inline/mod.ts";
export * from "./lib/partition/mod.ts";
export * from "./lib/wasm/mod.ts";
export * from "./lib/fact/mod.ts";
export * from "./lib/validate/mod.ts";
export { fuse } from "./lib/fuse.ts";
export type { Translation } from "./lib/fuse.ts";
export * from "./lib/runtime/mod.ts";
export * from "./lib/wast/mod.ts";
export * from "./lib/wave/mod.ts";
