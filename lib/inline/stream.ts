/**
 * `inline()`: the inliner as a `TransformStream<Payload, DfgEvent>`.
 *
 * @module
 */

import type { Payload } from "../parse/payload.ts";
import type { DfgEvent } from "./dfg.ts";
import { Inliner } from "./inliner.ts";

/**
 * Flattens a component as its payloads arrive: emits each graph node
 * ({@link DfgEvent}) as soon as it is known. It holds the payloads of
 * nested components until they are instantiated (their items need the
 * instantiation arguments), and the graph's index spaces; nothing else.
 * The stream errors with a {@link LinkError} when the component does not link.
 *
 * @example Counting the adapters of a component
 * ```ts
 * import { parse } from "@wasmfuse/fuse";
 * import { inline } from "@wasmfuse/fuse/inline";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const events = await Array.fromAsync(
 *   new Blob([bytes]).stream().pipeThrough(parse()).pipeThrough(inline()),
 * );
 * assert.equal(events.filter((e) => e.kind === "adapter").length, 0);
 * ```
 */
export class InlineStream extends TransformStream<Payload, DfgEvent> {
  /** Creates the stream. */
  constructor() {
    let controller!: TransformStreamDefaultController<DfgEvent>;
    const inliner = new Inliner((e) => controller.enqueue(e));
    super({
      start: (c) => {
        controller = c;
      },
      transform: (p) => inliner.push(p),
      flush: () => inliner.finish(),
    });
  }
}

/**
 * The second pipeline stage: graph events from payloads.
 * @returns A new {@link InlineStream}.
 */
export function inline(): InlineStream {
  return new InlineStream();
}
