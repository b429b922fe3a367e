/**
 * The component type model (named after Wasmtime's), type resolution and
 * matching errors ({@link LinkError}, {@link UnsupportedError}), and the
 * Canonical ABI layout: flattening, size, alignment, discriminants.
 *
 * @example The Canonical ABI layout of a record
 * ```ts
 * import { alignment, elemSize, flattenType, type InterfaceType } from "@wasmfuse/fuse/types";
 * import assert from "node:assert/strict";
 *
 * const point: InterfaceType = {
 *   kind: "record",
 *   fields: [{ name: "x", type: "u8" }, { name: "y", type: "u64" }],
 * };
 * assert.equal(elemSize(point, 4), 16);
 * assert.equal(alignment(point, 4), 8);
 * assert.deepEqual(flattenType(point), ["i32", "i64"]);
 * ```
 *
 * @module
 */
export type * from "./model.ts";
export { isValType, typeToString } from "./model.ts";
export { LinkError, UnsupportedError } from "./errors.ts";
export type { ItemLocation } from "./errors.ts";
export {
  alignment,
  discriminantSize,
  elemSize,
  flagsWords,
  flattenAsyncFuncType,
  flattenFuncType,
  flattenType,
  MAX_FLAT_ASYNC_PARAMS,
  MAX_FLAT_PARAMS,
  MAX_FLAT_RESULTS,
} from "./abi.ts";
export type { FlatSignature, FlattenContext, FlatType } from "./abi.ts";
