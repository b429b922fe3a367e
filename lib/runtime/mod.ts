/**
 * The runtime: executing the instantiation plan, and the Canonical ABI on
 * the host side (JavaScript values in and out of components).
 *
 * @module
 */
export { Trap } from "./trap.ts";
export { compileModules, instantiateCore } from "./core.ts";
export type { CompiledModules, CoreHost, CoreInstances, CoreValue } from "./core.ts";
export { compile, Component, instantiate } from "./instance.ts";
export type {
  ComponentFunction,
  ComponentImports,
  ComponentInstance,
  ExportedType,
  InstantiateOptions,
} from "./instance.ts";
export { ComponentError } from "./host.ts";
export { AbiContext, FlatSource, RULES } from "./values.ts";
export type { AbiOptions, CoreNum, HandleOps } from "./values.ts";
export { camelCase } from "./js_values.ts";
export type { NumericArray } from "./js_values.ts";
