/**
 * The runtime: executing the instantiation plan.
 *
 * @module
 */
export { Trap } from "./trap.ts";
export { compileModules, instantiateCore } from "./core.ts";
export type { CompiledModules, CoreHost, CoreInstances, CoreValue } from "./core.ts";
