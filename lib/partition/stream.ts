/**
 * `partition()`: the partition pass as a `TransformStream<DfgEvent, PartitionEvent>`.
 *
 * @module
 */

import { type ComponentDfg, DfgCollector, type DfgEvent } from "../inline/dfg.ts";
import {
  type AdapterModulePlan,
  Partitioner,
  type PartitionEvent,
  type PartitionOptions,
} from "./partition.ts";

/**
 * Passes graph events through and inserts an {@link AdapterModulePlan} the
 * moment a dependency closes the module in progress (before the event that
 * closed it), and the last one at the end of the stream. It keeps the graph
 * (to look up instances and options) and one byte per core instance.
 *
 * @example Partitioning the adapters of a component
 * ```ts
 * import { parse } from "@wasmfuse/fuse";
 * import { inline } from "@wasmfuse/fuse/inline";
 * import { partition } from "@wasmfuse/fuse/partition";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const events = await Array.fromAsync(
 *   new Blob([bytes]).stream().pipeThrough(parse()).pipeThrough(inline()).pipeThrough(partition()),
 * );
 * assert.equal(events.filter((e) => e.kind === "adapter-module-plan").length, 0);
 * ```
 */
export class PartitionStream extends TransformStream<DfgEvent, PartitionEvent> {
  /**
   * Creates the stream.
   * @param options `maxAdapters`: the most adapters a module holds (see {@link Partitioner}).
   */
  constructor(options: PartitionOptions = {}) {
    const collector = new DfgCollector();
    let controller!: TransformStreamDefaultController<PartitionEvent>;
    const partitioner = new Partitioner(
      collector.dfg,
      (plan) => controller.enqueue(plan),
      options,
    );
    super({
      start: (c) => {
        controller = c;
      },
      transform: (e) => {
        collector.add(e);
        partitioner.push(e);
        controller.enqueue(e);
      },
      flush: () => partitioner.finish(),
    });
  }
}

/**
 * The third pipeline stage: graph events in, the same events plus adapter
 * module plans out.
 * @param options `maxAdapters`: the most adapters a module holds (see {@link Partitioner}).
 * @returns A new {@link PartitionStream}.
 */
export function partition(options: PartitionOptions = {}): PartitionStream {
  return new PartitionStream(options);
}

/**
 * Partition a whole graph at once (the synchronous form of `partition()`).
 * @param dfg The graph, with its adapters in identification order.
 * @param options `maxAdapters`: the most adapters a module holds (see {@link Partitioner}).
 * @returns The adapter module plans, in index order.
 */
export function partitionDfg(
  dfg: ComponentDfg,
  options: PartitionOptions = {},
): AdapterModulePlan[] {
  const plans: AdapterModulePlan[] = [];
  const p = new Partitioner(dfg, (plan) => plans.push(plan), options);
  dfg.adapters.forEach((node, id) => p.push({ kind: "adapter", id, node }));
  p.finish();
  return plans;
}
