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

const MIB = 1 << 20;

// `add(a, b)`; `bytes(total, chunk)` returns a stream<u8> and writes `total` bytes into it,
// `chunk` at a time (synchronous writes: each waits for the host to read)
const bytes = await wat(`(component
  (type $b (stream u8))
  (core module $Mem (memory (export "mem") 2))
  (core instance $mem (instantiate $Mem))
  (core func $new (canon stream.new $b))
  (core func $write (canon stream.write $b (memory $mem "mem")))
  (core func $dropw (canon stream.drop-writable $b))
  (core func $return (canon task.return (result $b)))
  (core module $M
    (import "" "mem" (memory 2))
    (import "" "new" (func $new (result i64)))
    (import "" "write" (func $write (param i32 i32 i32) (result i32)))
    (import "" "dropw" (func $dropw (param i32)))
    (import "" "return" (func $return (param i32)))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "bytes") (param $total i32) (param $chunk i32)
      (local $rw i64) (local $w i32) (local $left i32)
      (local.set $rw (call $new))
      (local.set $w (i32.wrap_i64 (i64.shr_u (local.get $rw) (i64.const 32))))
      (call $return (i32.wrap_i64 (local.get $rw)))
      (local.set $left (local.get $total))
      (block $done (loop $next
        (br_if $done (i32.eqz (local.get $left)))
        (drop (call $write (local.get $w) (i32.const 0) (local.get $chunk)))
        (local.set $left (i32.sub (local.get $left) (local.get $chunk)))
        (br $next)))
      (call $dropw (local.get $w))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "new" (func $new))
    (export "write" (func $write)) (export "dropw" (func $dropw))
    (export "return" (func $return))))))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $m "add")))
  (func (export "bytes") async (param "total" u32) (param "chunk" u32) (result $b)
    (canon lift (core func $m "bytes") async)))`);

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
