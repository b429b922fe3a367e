/**
 * `encode()`: the fourth pipeline stage, as a
 * `TransformStream<PartitionEvent, EncodeEvent>`.
 *
 * @module
 */

import { DfgCollector, type DfgEvent } from "../inline/dfg.ts";
import type { PartitionEvent } from "../partition/partition.ts";
import { type AdapterModule, buildAdapterModule } from "./module.ts";

/** What the encode stage emits: the graph events, and generated adapter modules. */
export type EncodeEvent = DfgEvent | AdapterModule;

/**
 * Passes graph events through and replaces each adapter module plan with the
 * generated {@link AdapterModule} (its bytes, its imports with their
 * bindings, its exports), as soon as the plan arrives.
 *
 * @example Generating the adapter modules of a component
 * ```ts
 * import { parse } from "@wasmfuse/fuse";
 * import { encode } from "@wasmfuse/fuse/fact";
 * import { inline } from "@wasmfuse/fuse/inline";
 * import { partition } from "@wasmfuse/fuse/partition";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const events = await Array.fromAsync(
 *   new Blob([bytes]).stream().pipeThrough(parse()).pipeThrough(inline())
 *     .pipeThrough(partition()).pipeThrough(encode()),
 * );
 * assert.equal(events.filter((e) => e.kind === "adapter-module").length, 0);
 * ```
 */
export class EncodeStream extends TransformStream<PartitionEvent, EncodeEvent> {
  /** Creates the stream. */
  constructor() {
    const collector = new DfgCollector();
    super({
      transform: (e, controller) => {
        if (e.kind === "adapter-module-plan") {
          controller.enqueue(buildAdapterModule(collector.dfg, e));
        } else {
          collector.add(e);
          controller.enqueue(e);
        }
      },
    });
  }
}

/**
 * The fourth pipeline stage: adapter module plans become adapter modules.
 * @returns A new {@link EncodeStream}.
 */
export function encode(): EncodeStream {
  return new EncodeStream();
}
