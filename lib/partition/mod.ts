/**
 * The partition stage: Wasmtime's one-pass grouping of fused adapters into
 * adapter modules ({@link partition}, {@link partitionDfg}), and the
 * instantiation plan a runtime follows ({@link planInstantiation}).
 *
 * @example Adapter modules and the plan
 * ```ts
 * import { parseBytes } from "@wasmfuse/fuse";
 * import { inlinePayloads } from "@wasmfuse/fuse/inline";
 * import { partitionDfg, planInstantiation } from "@wasmfuse/fuse/partition";
 * import assert from "node:assert/strict";
 *
 * const dfg = inlinePayloads(parseBytes(await Deno.readFile("examples/points.wasm")));
 * const modules = partitionDfg(dfg);
 * assert.deepEqual(modules.map((m) => m.adapters), [[0, 1]]);
 * assert.ok(planInstantiation(dfg, modules).length > 0);
 * ```
 *
 * @module
 */
export { MAX_ADAPTERS_PER_MODULE, Partitioner } from "./partition.ts";
export type { AdapterModulePlan, PartitionEvent, PartitionOptions } from "./partition.ts";
export { partition, partitionDfg, PartitionStream } from "./stream.ts";
export { planInstantiation } from "./plan.ts";
export type { Initializer } from "./plan.ts";
export { describePlan } from "./describe.ts";
