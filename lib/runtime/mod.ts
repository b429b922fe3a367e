/**
 * The runtime: {@link compile} and {@link instantiate} (also at the root),
 * the plan executed with the engine's `WebAssembly` API
 * ({@link compileModules}, {@link instantiateCore}), and the Canonical ABI
 * on the host side ({@link AbiContext}: JavaScript values lifted from and
 * lowered into linear memory, as jco has them).
 *
 * @example Lifting a value out of memory
 * ```ts
 * import { AbiContext } from "@wasmfuse/fuse/runtime";
 * import assert from "node:assert/strict";
 *
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * new Uint8Array(memory.buffer).set([1, 2, 3], 16);
 * const cx = new AbiContext({ memory: () => memory, memory64: false, stringEncoding: "utf8" });
 * assert.deepEqual(cx.liftList("u8", 16, 3), new Uint8Array([1, 2, 3]));
 * ```
 *
 * @module
 */
export { Trap } from "./trap.ts";
export { compileModules, instantiateCore } from "./core.ts";
export type { CompiledModules, CoreHost, CoreInstances, CoreValue, IntrinsicKind } from "./core.ts";
export type { GuardEntry, GuardPlan } from "./guard.ts";
export { compile, Component, instantiate } from "./instance.ts";
export type {
  ComponentFunction,
  ComponentImports,
  ComponentInstance,
  ExportedType,
  InstantiateOptions,
} from "./instance.ts";
export { ComponentError } from "./host.ts";
export { ErrorContext } from "./error_context.ts";
export { AbiContext, FlatSource, RULES } from "./values.ts";
export type { AbiOptions, CoreNum, HandleOps } from "./values.ts";
export { camelCase } from "./js_values.ts";
export type { NumericArray } from "./js_values.ts";
