/**
 * `fuse()`: the whole pipeline, collected into a {@link Translation}.
 *
 * @module
 */

import { type AdapterModule, buildAdapterModule } from "./fact/module.ts";
import type { ComponentDfg } from "./inline/dfg.ts";
import { Inliner } from "./inline/inliner.ts";
import type { Payload } from "./parse/payload.ts";
import { ChunkFeeder } from "./parse/stream.ts";
import { Partitioner } from "./partition/partition.ts";
import { type Initializer, planInstantiation } from "./partition/plan.ts";
import { validateAdapterModule } from "./validate/validate.ts";

/** Everything a runtime needs to instantiate a component. */
export interface Translation {
  /** The flattened graph: static core modules (`dfg.modules`), instances, adapters, imports, exports. */
  readonly dfg: ComponentDfg;
  /** The generated adapter modules, in index order. */
  readonly adapterModules: readonly AdapterModule[];
  /** The instantiation plan. */
  readonly plan: readonly Initializer[];
}

/**
 * Run the pipeline (`parse -> inline -> partition -> encode -> validate`)
 * over a component and collect the result. Each adapter module is
 * generated and checked as soon as the partition closes it, while the
 * input is still being read.
 *
 * @example Fusing a component
 * ```ts
 * import { fuse } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const t = await fuse(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
 * assert.equal(t.adapterModules.length, 0);
 * assert.deepEqual(t.plan, []);
 * ```
 *
 * @param input The component's bytes, or a stream of them.
 * @param onModule Called with each adapter module as soon as it is generated and checked.
 * @returns The translation.
 * @throws {ParseError} When the binary is malformed.
 * @throws {LinkError} When the component does not link.
 * @throws {ValidationError} When a generated module is invalid (a bug in wasmfuse).
 */
export async function fuse(
  input: Uint8Array | ReadableStream<Uint8Array>,
  onModule?: (m: AdapterModule) => void | Promise<void>,
): Promise<Translation> {
  // The stages run here as one synchronous chain per input chunk, over one
  // graph: the same work as piping the five TransformStreams, without a
  // promise and a queue per event (and four more copies of the graph).
  const adapterModules: AdapterModule[] = [];
  let ready: AdapterModule[] = [];
  // with the whole input at hand, large nested components are not decoded on the first
  // read (only their modules are), but read when instantiated (see InlinerOptions.source)
  const inliner = new Inliner(
    (e) => partitioner.push(e),
    input instanceof Uint8Array ? { source: input } : {},
  );
  const dfg = inliner.dfg;
  const partitioner = new Partitioner(dfg, (plan) => {
    const m = buildAdapterModule(dfg, plan);
    validateAdapterModule(m, dfg);
    adapterModules.push(m);
    ready.push(m);
  });
  const feeder = new ChunkFeeder();
  const push = (p: Payload) => {
    inliner.push(p);
    // a large nested component's bytes, with the whole input at hand: not decoded now
    if (inliner.takeSkip()) feeder.skipComponent();
  };
  // each module goes to `onModule` once its chunk is done, before the next chunk is read
  const deliver = async () => {
    const out = ready;
    ready = [];
    if (onModule !== undefined) { for (const m of out) await onModule(m); }
  };
  try {
    if (input instanceof Uint8Array) {
      feeder.push(input, true, push);
    } else {
      // not `for await` over a stream: some browsers lack it
      const reader = input.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          feeder.push(value, false, push);
          await deliver();
        }
      } finally {
        reader.releaseLock();
      }
      feeder.push(new Uint8Array(0), true, push);
    }
    inliner.finish();
    // the skipped bytes never read since (components not instantiated) are checked now
    inliner.checkSkipped();
    partitioner.finish();
  } catch (e) {
    // a read that decoded every byte would have met an error in skipped bytes first
    throw inliner.firstSkippedError() ?? e;
  }
  await deliver();
  const plan = planInstantiation(
    dfg,
    adapterModules.map((m) => ({
      kind: "adapter-module-plan",
      index: m.index,
      adapters: m.adapters,
    })),
  );
  return { dfg, adapterModules, plan };
}
