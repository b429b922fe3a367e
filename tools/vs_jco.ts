// deno-lint-ignore-file no-console
/**
 * `fuse()` next to `jco transpile` on the synthetic components of
 * `bench/_shapes.ts`, in one process, one after the other on each input:
 * the best of three runs of each after one warm-up run. jco's translation
 * is `generate` of `@bytecodealliance/jco-transpile` (Wasmtime's translator
 * and FACT compiled to wasm, plus jco's JavaScript bindings), the dev
 * dependency `deno task setup` installs.
 *
 * ```sh
 * deno run -A tools/vs_jco.ts            # fanout, chain and wide at 1,000 and 10,000 (wide: 1,000)
 * deno run -A tools/vs_jco.ts fanout 10000
 * ```
 *
 * @module
 */

// first: it sets the WAT parser's environment before jco's shared WASI shim starts
import { wat } from "../tests/_wat.ts";
import { $init, generate } from "@bytecodealliance/jco-transpile/component";
import { fuse } from "../mod.ts";
import { type Shape, shapeWat } from "../bench/_shapes.ts";

await $init;

async function best(runs: number, f: () => Promise<unknown> | unknown): Promise<number> {
  await f();
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const cases: [Shape, number][] = Deno.args.length === 2
  ? [[Deno.args[0] as Shape, Number(Deno.args[1])]]
  : [["fanout", 1000], ["fanout", 10000], ["chain", 1000], ["chain", 10000], ["wide", 1000]];

console.log("| shape | adapters | `fuse()` | jco transpile | jco / wasmfuse |");
console.log("|---|---:|---:|---:|---:|");
for (const [shape, size] of cases) {
  const bytes = await wat(shapeWat(shape, size));
  const ours = await best(3, () => fuse(bytes));
  const theirs = await best(
    3,
    () => generate(bytes, { name: "c", instantiation: { tag: "async" }, noTypescript: true }),
  );
  const t = await fuse(bytes);
  console.log(
    `| ${shape} | ${t.dfg.adapters.length.toLocaleString("en")} | ${ours.toFixed(1)} ms | ${
      theirs.toFixed(0)
    } ms | ${(theirs / ours).toFixed(1)}x |`,
  );
}
