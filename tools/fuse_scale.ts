// deno-lint-ignore-file no-console
/**
 * `fuse()` at scale: each shape of `bench/_shapes.ts` at 1,000, 10,000 and
 * 100,000 adapters, each case in a fresh process (so peak memory is its
 * own). For each: the time of `fuse()` (the best of a few runs after one on
 * the same input, which warms the JIT up) and per adapter; the peak
 * resident memory the first run added (measured before any other run); the
 * memory its result keeps (heap and buffers of the `Translation`, after a
 * full collection); and the bytes of its modules (adapter modules and the
 * component's own core modules).
 *
 * ```sh
 * deno run -A tools/fuse_scale.ts                 # the whole table
 * deno run -A --v8-flags=--expose-gc tools/fuse_scale.ts wide 10000   # one case, as JSON
 * ```
 *
 * @module
 */

import { fuse, type Translation } from "../mod.ts";
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

/** The heap and the buffers in use now, after a full collection. */
function inUse(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

/** One case's figures. */
interface Result {
  shape: Shape;
  adapters: number;
  bytes: number;
  ms: number;
  peakAdded: number;
  retained: number;
  output: number;
}

async function one(shape: Shape, size: number): Promise<Result> {
  const bytes = await wat(shapeWat(shape, size));
  // the first run: peak memory, and what its result keeps
  const base = inUse();
  const before = await memory();
  let t: Translation | undefined = await fuse(bytes);
  const after = await memory();
  const retained = inUse() - base;
  const adapters = t.dfg.adapters.length;
  const output = t.adapterModules.reduce((n, m) => n + m.bytes.length, 0) +
    t.dfg.modules.reduce((n, m) => n + m.bytes.length, 0);
  t = undefined;
  // then the time: the best of a few more
  const runs = size >= 100_000 ? 2 : 5;
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fuse(bytes);
    best = Math.min(best, performance.now() - t0);
  }
  return {
    shape,
    adapters,
    bytes: bytes.length,
    ms: best,
    peakAdded: after.peak - before.rss,
    retained,
    output,
  };
}

if (Deno.args.length === 2) {
  console.log(JSON.stringify(await one(Deno.args[0] as Shape, Number(Deno.args[1]))));
} else {
  console.log(
    "| shape | adapters | input | `fuse()` | per adapter | peak memory added | result in memory | modules |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
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
          mb(r.retained)
        } | ${mb(r.output)} |`,
      );
    }
  }
}
