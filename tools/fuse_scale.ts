// deno-lint-ignore-file no-console
/**
 * `fuse()` at scale: each shape of `bench/_shapes.ts` at 1,000, 10,000 and
 * 100,000 adapters, each case in a fresh process (so peak memory is its
 * own). For each: the time of `fuse()` (the best of a few runs after one on
 * the same input, which warms the JIT up) and per adapter; the peak
 * resident memory the first run added (measured before any other run); the
 * memory its result keeps (heap and buffers of the `Translation`, after a
 * full collection); and the bytes of its modules (adapter modules, those
 * of one shape counted once as they share their bytes, and the component's
 * own core modules).
 *
 * ```sh
 * deno run -A tools/fuse_scale.ts                 # the whole table
 * deno run -A tools/fuse_scale.ts wide 10000      # one case, as JSON
 * deno run -A tools/fuse_scale.ts --v8-flags=--optimize-for-size wide 100000
 * ```
 *
 * `--v8-flags=...` first passes V8 flags to the processes that measure
 * (to see what the engine's heap sizing makes of the peak).
 *
 * The component is assembled from WAT once in a process of its own and
 * kept in `node_modules/.cache/wasmfuse-bench/` (see `shapeComponent`); the
 * time and the memory are measured in two more processes that read it (the
 * memory in a fresh one, with its first run; the time after a warm-up run,
 * without the collections the memory figures force).
 *
 * @module
 */

import { fuse } from "../mod.ts";
import { type Shape, shapeComponent, SHAPES } from "../bench/_shapes.ts";

const SIZES = [1_000, 10_000, 100_000];

/** Resident memory now and at its peak, in bytes (Linux's /proc). */
async function memory(): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile("/proc/self/status");
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1]) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/**
 * The heap and the buffers in use now, after full collections: two, a
 * timer apart (after one, buffers that died are still counted as external
 * memory until they are swept: up to 9 MB more on fanout-100k).
 */
async function inUse(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 20));
  gc?.();
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

/** The component of a case, assembled (or found in the cache) in a process of its own. */
async function assemble(shape: Shape, size: number): Promise<string> {
  const file =
    new URL(`../node_modules/.cache/wasmfuse-bench/${shape}-${size}.wasm`, import.meta.url)
      .pathname;
  const p = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--assemble", shape, `${size}`],
    stderr: "inherit",
  }).output();
  if (!p.success) throw new Error(`could not assemble ${shape} ${size}`);
  return file;
}

/** The peak memory of a first `fuse()` in this process, and what its result keeps. */
async function memoryOf(bytes: Uint8Array): Promise<Omit<Result, "ms" | "shape" | "bytes">> {
  const base = await inUse();
  const before = await memory();
  const t = await fuse(bytes);
  const after = await memory();
  const retained = await inUse() - base;
  return {
    adapters: t.dfg.adapters.length,
    peakAdded: after.peak - before.rss,
    retained,
    // modules of one shape share their bytes: counted once
    output: [...new Set(t.adapterModules.map((m) => m.bytes))].reduce((n, b) => n + b.length, 0) +
      t.dfg.modules.reduce((n, m) => n + m.bytes.length, 0),
  };
}

/** The best time of a few `fuse()` after one that warms the JIT up. */
async function timeOf(bytes: Uint8Array, runs: number): Promise<number> {
  await fuse(bytes);
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fuse(bytes);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** V8 flags for the processes that measure (`--v8-flags=...` as the first argument). */
let v8Flags: string[] = [];

/** Run a measurement in a process of its own. */
async function child(mode: "time" | "memory", shape: Shape, size: number, file: string) {
  const flags = [...(mode === "memory" ? ["--expose-gc"] : []), ...v8Flags];
  const p = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...(flags.length > 0 ? [`--v8-flags=${flags.join(",")}`] : []),
      new URL(import.meta.url).pathname,
      `--${mode}`,
      shape,
      `${size}`,
      file,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!p.success) throw new Error(`${mode} of ${shape} ${size} failed`);
  return JSON.parse(new TextDecoder().decode(p.stdout));
}

async function one(shape: Shape, size: number): Promise<Result> {
  const file = await assemble(shape, size);
  const bytes = (await Deno.stat(file)).size;
  const ms = await child("time", shape, size, file) as number;
  const m = await child("memory", shape, size, file) as Omit<Result, "ms" | "shape" | "bytes">;
  return { shape, bytes, ms, ...m };
}

const args = [...Deno.args];
if (args[0]?.startsWith("--v8-flags=")) {
  v8Flags = args.shift()!.slice("--v8-flags=".length).split(",").filter((f) => f !== "");
}
const [mode, ...rest] = args;
if (mode === "--assemble") {
  await shapeComponent(rest[0] as Shape, Number(rest[1]));
} else if (mode === "--time") {
  const bytes = await Deno.readFile(rest[2]);
  console.log(JSON.stringify(await timeOf(bytes, Number(rest[1]) >= 100_000 ? 2 : 5)));
} else if (mode === "--memory") {
  console.log(JSON.stringify(await memoryOf(await Deno.readFile(rest[2]))));
} else if (args.length === 2) {
  console.log(JSON.stringify(await one(args[0] as Shape, Number(args[1]))));
} else {
  console.log(
    "| shape | adapters | input | `fuse()` | per adapter | peak memory added | result in memory | modules |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const shape of SHAPES) {
    for (const size of SIZES) {
      const r = await one(shape, size);
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
