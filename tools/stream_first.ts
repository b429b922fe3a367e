// deno-lint-ignore-file no-console
/**
 * Streaming, measured: `fuse()` reads a component in 64 KiB chunks, and
 * this prints when the first adapter module comes out (time, and how much
 * of the input had been read) next to when the whole translation is done.
 *
 * ```sh
 * deno run -A tools/stream_first.ts chain 100000
 * deno run -A tools/stream_first.ts fanout 100000
 * ```
 *
 * A module comes out the moment a dependency closes it (the partition
 * pass, reference §1.5): in `chain` every adapter closes the one before,
 * while nothing closes `fanout`'s (one module in Wasmtime, at the end of
 * the input): `fuse()` closes one every 4,096 adapters
 * (`MAX_ADAPTERS_PER_MODULE`), and they come out when the chunk that
 * completed them is done.
 *
 * @module
 */

import { fuse } from "../mod.ts";
import { type Shape, shapeWat } from "../bench/_shapes.ts";
import { wat } from "../tests/_wat.ts";

const CHUNK = 64 * 1024;
const shape = (Deno.args[0] ?? "chain") as Shape;
const size = Number(Deno.args[1] ?? 100_000);
const bytes = await wat(shapeWat(shape, size));

/** The input as a stream of chunks, counting what has been read. */
function stream(read: { bytes: number }): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(c) {
      if (read.bytes >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(read.bytes, read.bytes + CHUNK));
      read.bytes = Math.min(bytes.length, read.bytes + CHUNK);
    },
  }, { highWaterMark: 0 });
}

await fuse(stream({ bytes: 0 })); // warm-up
const read = { bytes: 0 };
let first: { ms: number; read: number } | undefined;
let modules = 0;
const t0 = performance.now();
await fuse(stream(read), () => {
  modules++;
  first ??= { ms: performance.now() - t0, read: read.bytes };
});
const total = performance.now() - t0;
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
console.log(
  `${shape} ${size}: ${mb(bytes.length)} in ${
    CHUNK / 1024
  } KiB chunks, ${modules} adapter modules; ` +
    (first === undefined
      ? "none"
      : `the first after ${first.ms.toFixed(1)} ms with ${mb(first.read)} read (${
        (100 * first.read / bytes.length).toFixed(1)
      }%)`) +
    `; all done after ${total.toFixed(0)} ms`,
);
