/**
 * wasmfuse: compile the fused adapters of WebAssembly components, as
 * Wasmtime's component translator and its adapter compiler (FACT) do, and
 * run the result in any JavaScript engine.
 *
 * The root holds what most users call: {@link instantiate} (and
 * {@link compile} to instantiate many times) to run a component with host
 * imports written for jco, {@link fuse} to get its adapter modules and
 * instantiation plan ({@link saveTranslation} and {@link loadTranslation} to
 * fuse once and load fast later), {@link parse} to read it as a stream, and
 * the errors.
 * Each pipeline stage and tool has a subpath of its own, with its module
 * doc: `@wasmfuse/fuse/parse`, `/inline`, `/partition`, `/fact`, `/wasm`,
 * `/validate`, `/runtime`, `/types`, `/binary`, `/wast`, `/wave`, and the
 * command line, `/cli`.
 *
 * @example Running a component
 * ```ts
 * import { instantiate } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * // two components composed: `run` calls the other's functions through fused adapters
 * const { exports } = await instantiate(await Deno.readFile("examples/points.wasm"));
 * assert.equal((exports.run as () => number)(), 15);
 * ```
 *
 * @example Fusing a component
 * ```ts
 * import { fuse } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const t = await fuse(await Deno.readFile("examples/points.wasm"));
 * assert.equal(t.dfg.adapters.length, 2);
 * assert.equal(t.adapterModules.length, 1);
 * ```
 *
 * @module
 */
export { parse, parseBytes } from "./lib/parse/mod.ts";
export type { Payload } from "./lib/parse/mod.ts";
export { fuse } from "./lib/fuse.ts";
export type { Translation } from "./lib/fuse.ts";
export { loadTranslation, saveTranslation } from "./lib/saved.ts";
export type { SavedTranslation, SavedTranslationJson } from "./lib/saved.ts";
export {
  compile,
  Component,
  ComponentError,
  ErrorContext,
  instantiate,
  Trap,
} from "./lib/runtime/mod.ts";
export type {
  ComponentFunction,
  ComponentImports,
  ComponentInstance,
  ExportedType,
  InstantiateOptions,
  NumericArray,
} from "./lib/runtime/mod.ts";
export { ParseError } from "./lib/binary/mod.ts";
export { LinkError, UnsupportedError } from "./lib/types/mod.ts";
export type { InterfaceType, TypeFunc } from "./lib/types/mod.ts";
export { ValidationError } from "./lib/validate/mod.ts";
