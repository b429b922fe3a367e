/**
 * The partition stage: adapter modules and the instantiation plan.
 *
 * @module
 */
export { Partitioner } from "./partition.ts";
export type { AdapterModulePlan, PartitionEvent } from "./partition.ts";
export { partition, partitionDfg, PartitionStream } from "./stream.ts";
export { planInstantiation } from "./plan.ts";
export type { Initializer } from "./plan.ts";
export { describePlan } from "./describe.ts";
