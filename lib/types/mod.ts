/**
 * The component type model, type resolution and matching, and the
 * Canonical ABI layout (flattening, size, alignment).
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
