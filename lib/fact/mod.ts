/**
 * FACT, the fused adapter compiler: one core module per adapter module
 * plan ({@link buildAdapterModule}, the {@link encode} stream), with every
 * import bound to a graph node, the traps it raises ({@link TRAPS}), and
 * its WAT ({@link adapterModuleWat}).
 *
 * @example The WAT of a generated adapter module
 * ```ts
 * import { fuse } from "@wasmfuse/fuse";
 * import { adapterModuleWat } from "@wasmfuse/fuse/fact";
 * import assert from "node:assert/strict";
 *
 * const t = await fuse(await Deno.readFile("examples/points.wasm"));
 * const wat = adapterModuleWat(t.dfg, t.adapterModules[0]);
 * assert.match(wat, /\(func \$adapter0/);
 * ```
 *
 * @module
 */
export { AdapterModuleBuilder, adapterModuleWat, buildAdapterModule } from "./module.ts";
export type { AdapterImport, AdapterModule, ImportBinding, MemoryUse } from "./module.ts";
export { TrapCode, trapMessage, TRAPS } from "./traps.ts";
export { encode, EncodeStream } from "./stream.ts";
export type { EncodeEvent } from "./stream.ts";
