/**
 * A call through a fused adapter that passes handles: `f(x: borrow<r>,
 * data: list<u8>, s: string) -> own<r>`, with a 1 KiB list and a 32-byte
 * string, from one component into another that defines `r`. The caller's
 * core code makes 100 calls per iteration (each returned handle dropped),
 * so the figure is the adapter's cost, not the host's.
 *
 * Run: `deno task bench bench/handles_bench.ts`.
 *
 * @module
 */

import { instantiate } from "../mod.ts";
import { handlesComponent } from "./_handles.ts";

const CALLS = 100;

const bytes = await handlesComponent();

const { exports } = await instantiate(bytes);
const run = exports.run as (n: number) => number;
run(1);

Deno.bench(`${CALLS} calls: f(borrow<r>, list<u8> of 1 KiB, string of 32 bytes) -> own<r>`, () => {
  run(CALLS);
});
