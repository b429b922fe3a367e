/**
 * Bytes: the {@link Reader} (offsets, LEB128, names, vectors, with every
 * error a {@link ParseError} at its absolute offset), the
 * {@link ByteWriter}, and the end-of-input reasons.
 *
 * @example Reading and writing LEB128
 * ```ts
 * import { ByteWriter, Reader } from "@wasmfuse/fuse/binary";
 * import assert from "node:assert/strict";
 *
 * const bytes = new ByteWriter().u32(624485).name("hi").finish();
 * const r = new Reader(bytes);
 * assert.equal(r.u32(), 624485);
 * assert.equal(r.name(), "hi");
 * ```
 *
 * @module
 */
export { ParseError } from "./errors.ts";
export { END_OF_FILE, END_OF_SECTION, Reader } from "./reader.ts";
export { ByteWriter } from "./writer.ts";
