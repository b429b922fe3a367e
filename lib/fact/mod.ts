/**
 * FACT: the fused adapter compiler. Builds one core module per adapter
 * module plan.
 *
 * @module
 */
export { AdapterModuleBuilder, adapterModuleWat, buildAdapterModule } from "./module.ts";
export type { AdapterImport, AdapterModule, ImportBinding, MemoryUse } from "./module.ts";
export { TrapCode, trapMessage, TRAPS } from "./traps.ts";
export { encode, EncodeStream } from "./stream.ts";
export type { EncodeEvent } from "./stream.ts";
