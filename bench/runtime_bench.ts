/**
 * The cost of a call from JavaScript into a component, per call: the
 * host-side Canonical ABI (arguments lowered, results lifted, post-return)
 * around the core function, on `examples/values.wasm` and
 * `examples/points.wasm` (whose `run` makes two calls through fused
 * adapters).
 *
 * Run: `deno bench --allow-read bench/runtime_bench.ts`
 *
 * @module
 */

import { instantiate } from "../mod.ts";

const read = (name: string) => Deno.readFile(new URL(`../examples/${name}`, import.meta.url));
const values = (await instantiate(await read("values.wasm"))).exports as Record<
  string,
  (...a: unknown[]) => unknown
>;
const points = (await instantiate(await read("points.wasm"))).exports as Record<
  string,
  () => unknown
>;

Deno.bench("add(u32, u32) -> u32: scalars, flat", { group: "call", baseline: true }, () => {
  values.add(1, 2);
});

Deno.bench("norm(record) -> f64: a record, flat", { group: "call" }, () => {
  values.norm({ x: 3, y: 4 });
});

Deno.bench("quadrant(record) -> option<enum>: result through memory", { group: "call" }, () => {
  values.quadrant({ x: -1, y: 2 });
});

Deno.bench("greet(string) -> string: UTF-8 both ways, realloc", { group: "call" }, () => {
  values.greet("world");
});

Deno.bench("points run(): two calls through fused adapters", { group: "call" }, () => {
  points.run();
});
