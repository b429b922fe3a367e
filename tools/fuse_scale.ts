// deno-lint-ignore-file no-console
/**
 * `fuse()` at scale: each shape of `bench/_shapes.ts` at 1,000, 10,000 and
 * 100,000 adapters, each case in a fresh process (so peak memory is its
 * own): the time of `fuse()` (the best of a few runs after a warm-up), the
 * time per adapter, the peak resident memory the run added, and the bytes of
 * the output (the adapter modules and the component's own core modules).
 *
 * ```sh
 * deno run -A tools/fuse_scale.ts                 # the whole table
 * deno run -A tools/fuse_scale.ts wide 10000      # one case
 * ```
 *
 * @module
 */

import { fuse } from "../mod.ts";
import { type Shape, SHAPES, shapeWat } from "../bench/_shapes.ts";
import { wat } from "../tests/_wat.ts";

const SIZES = [1_000, 10_000, 100_000];

/** Resident memory now and at its peak, in bytes (Linux's /proc). */
async function memory(): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile("/proc/self/status");
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1]) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

interface Result {
  shape: Shape;
  adapters: number;
  bytes: number;
  ms: number;
  peakAdded: number;
  output: number;
}

async function one(shape: Shape, size: number): Promise<Result> {
  const bytes = await wat(shapeWat(shape, size));
  // warm up the pipeline on a small one of the same shape
  await fuse(await wat(shapeWat(shape, 100)));
  globalThis.gc?.();
  const before = await memory();
  const runs = size >= 100_000 ? 1 : 3;
  let best = Infinity;
  let adapters = 0;
  let output = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const t = await fuse(bytes);
    best = Math.min(best, performance.now() - t0);
    adapters = t.dfg.adapters.length;
    output = t.adapterModules.reduce((n, m) => n + m.bytes.length, 0) +
      t.dfg.modules.reduce((n, m) => n + m.bytes.length, 0);
  }
  const after = await memory();
  return {
    shape,
    adapters,
    bytes: bytes.length,
    ms: best,
    peakAdded: after.peak - before.rss,
    output,
  };
}

if (Deno.args.length === 2) {
  console.log(JSON.stringify(await one(Deno.args[0] as Shape, Number(Deno.args[1]))));
} else {
  console.log(
    "| shape | adapters | input | `fuse()` | per adapter | peak memory added | output |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const shape of SHAPES) {
    for (const size of SIZES) {
      const p = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--v8-flags=--expose-gc",
          new URL(import.meta.url).pathname,
          shape,
          `${size}`,
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      if (!p.success) {
        console.log(`| ${shape} | ${size} | failed |`);
        continue;
      }
      const r = JSON.parse(new TextDecoder().decode(p.stdout)) as Result;
      const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
      console.log(
        `| ${r.shape} | ${r.adapters.toLocaleString("en")} | ${mb(r.bytes)} | ${
          r.ms.toFixed(0)
        } ms | ${(r.ms * 1000 / r.adapters).toFixed(1)} µs | ${mb(r.peakAdded)} | ${
          mb(r.output)
        } |`,
      );
    }
  }
}
