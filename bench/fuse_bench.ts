/**
 * `fuse()` end to end (parse, inline, partition, encode, validate) on the
 * synthetic components of `bench/_shapes.ts`: fanout, chain, wide and
 * wide-variant, at 1,000 and 10,000 fused adapters, and at 100,000 when
 * `WASMFUSE_BENCH_100K` is set. Divide a time by the adapter count for the
 * cost per adapter; `tools/fuse_scale.ts` prints that table with the peak
 * memory of each case (each in a fresh process).
 *
 * The components come from `shapeComponent` (assembled once, then cached
 * in `node_modules/.cache/wasmfuse-bench/`).
 *
 * ```sh
 * deno task bench bench/fuse_bench.ts
 * WASMFUSE_BENCH_100K=1 deno task bench bench/fuse_bench.ts
 * ```
 *
 * @module
 */

import { fuse } from "../mod.ts";
import { shapeComponent, SHAPES } from "./_shapes.ts";

const SIZES = [1_000, 10_000, ...(Deno.env.get("WASMFUSE_BENCH_100K") ? [100_000] : [])];

for (const size of SIZES) {
  for (const shape of SHAPES) {
    const bytes = await shapeComponent(shape, size);
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
