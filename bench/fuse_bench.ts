/**
 * `fuse()` end to end (parse, inline, partition, encode, validate) on the
 * synthetic components of `bench/_shapes.ts`: fanout, chain, wide and
 * wide-variant, at 1,000 and 10,000 fused adapters, and at 100,000 when
 * `WASMFUSE_BENCH_100K` is set. Divide a time by the adapter count for the
 * cost per adapter; `tools/fuse_scale.ts` prints that table with the peak
 * memory of each case (each in a fresh process).
 *
 * The components are assembled from their text with the dev dependency
 * `@bytecodealliance/jco-transpile` (run `deno task setup` once) and kept in
 * `node_modules/.cache/wasmfuse-bench/`: assembling the 100k cases takes
 * minutes (wasm-tools' text parser, not wasmfuse), fusing them seconds.
 *
 * ```sh
 * deno task bench bench/fuse_bench.ts
 * WASMFUSE_BENCH_100K=1 deno task bench bench/fuse_bench.ts
 * ```
 *
 * @module
 */

import { fuse } from "../mod.ts";
import { SHAPES, shapeWat } from "./_shapes.ts";
import { wat } from "../tests/_wat.ts";

const CACHE = new URL("../node_modules/.cache/wasmfuse-bench/", import.meta.url);
const SIZES = [1_000, 10_000, ...(Deno.env.get("WASMFUSE_BENCH_100K") ? [100_000] : [])];

/** A shape's component: from the cache, else assembled and cached. */
async function component(shape: string, size: number, text: () => string): Promise<Uint8Array> {
  const file = new URL(`${shape}-${size}.wasm`, CACHE);
  try {
    return await Deno.readFile(file);
  } catch {
    const bytes = await wat(text());
    try {
      await Deno.mkdir(CACHE, { recursive: true });
      await Deno.writeFile(file, bytes);
    } catch { /* a read-only checkout: assemble again next time */ }
    return bytes;
  }
}

for (const size of SIZES) {
  for (const shape of SHAPES) {
    const bytes = await component(shape, size, () => shapeWat(shape, size));
    Deno.bench({
      name: `${shape} ${size / 1000}k`,
      group: `${size / 1000}k adapters`,
      baseline: shape === "fanout",
      // a 100k case takes seconds: a few runs say enough
      ...(size >= 100_000 ? { n: 3, warmup: 1 } : {}),
      async fn() {
        const t = await fuse(bytes);
        if (t.dfg.adapters.length < size * 0.99) throw new Error(`${shape}: too few adapters`);
      },
    });
  }
}
