/**
 * The cost of the component model's async at the host (JSPI): a call of an
 * export in an async instance (a Promise, the callee on a fiber) next to
 * the same call in an instance that is not async; 1 MiB of a `stream<u8>`
 * a component writes, read by the host as a ReadableStream, in 64 KiB
 * writes and in 4 KiB writes, next to copying 1 MiB with
 * `Uint8Array.prototype.set`.
 *
 * Run: `deno task bench bench/async_bench.ts` (or
 * `deno bench --allow-read --allow-env bench/async_bench.ts`).
 *
 * @module
 */

import { instantiate } from "../mod.ts";
import { hasJspi } from "../lib/runtime/jspi.ts";
import { wat } from "../tests/_wat.ts";
import { STREAM_WRITER } from "../tests/runtime/_jspi.ts";

const MIB = 1 << 20;

// `add(a, b)`; `bytes(total, chunk)` returns a stream<u8> and writes `total` bytes into it,
// `chunk` at a time (synchronous writes: each waits for the host to read)
const bytes = await wat(STREAM_WRITER);

const sync = (await instantiate(bytes)).exports as { add(a: number, b: number): number };

if (hasJspi()) {
  const async = (await instantiate(bytes, {}, { async: true })).exports as {
    add(a: number, b: number): Promise<number>;
    bytes(total: number, chunk: number): Promise<ReadableStream<Uint8Array>>;
  };

  Deno.bench("add(u32, u32): not async (a value)", { group: "call", baseline: true }, () => {
    sync.add(1, 2);
  });

  Deno.bench("add(u32, u32): async (a Promise, on a fiber)", { group: "call" }, async () => {
    await async.add(1, 2);
  });

  const drain = async (chunk: number) => {
    let n = 0;
    for await (const c of await async.bytes(MIB, chunk)) n += c.length;
    if (n !== MIB) throw new Error(`read ${n} bytes`);
  };

  const src = new Uint8Array(MIB);
  const dst = new Uint8Array(MIB);
  Deno.bench("1 MiB: Uint8Array.prototype.set", { group: "stream", baseline: true }, () => {
    dst.set(src);
  });

  // (async functions: Deno.bench awaits only those)
  Deno.bench(
    "1 MiB: stream<u8> to a ReadableStream, 64 KiB writes",
    { group: "stream" },
    async () => {
      await drain(65536);
    },
  );

  Deno.bench(
    "1 MiB: stream<u8> to a ReadableStream, 4 KiB writes",
    { group: "stream" },
    async () => {
      await drain(4096);
    },
  );
}
