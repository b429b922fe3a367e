/**
 * `fuse()`: the whole pipeline, collected into a {@link Translation}.
 *
 * @module
 */

import type { AdapterModule } from "./fact/module.ts";
import { encode } from "./fact/stream.ts";
import { type ComponentDfg, DfgCollector } from "./inline/dfg.ts";
import { inline } from "./inline/stream.ts";
import { parse } from "./parse/stream.ts";
import { type Initializer, planInstantiation } from "./partition/plan.ts";
import { partition } from "./partition/stream.ts";
import { validate } from "./validate/validate.ts";

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
 * over a component and collect the result.
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
  // not `ReadableStream.from`, nor `for await` over a stream: browsers lack one or the other
  const source = input instanceof Uint8Array
    ? new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(input);
        c.close();
      },
    })
    : input;
  const collector = new DfgCollector();
  const adapterModules: AdapterModule[] = [];
  const events = source.pipeThrough(parse()).pipeThrough(inline()).pipeThrough(partition())
    .pipeThrough(encode()).pipeThrough(validate()).getReader();
  for (;;) {
    const { done, value: e } = await events.read();
    if (done) break;
    if (e.kind === "adapter-module") {
      adapterModules.push(e);
      await onModule?.(e);
    } else {
      collector.add(e);
    }
  }
  const plan = planInstantiation(
    collector.dfg,
    adapterModules.map((m) => ({
      kind: "adapter-module-plan",
      index: m.index,
      adapters: m.adapters,
    })),
  );
  return { dfg: collector.dfg, adapterModules, plan };
}
