// `stream<u8>` from the host: a ReadableStream a component reads with
// `stream.read` (async), waiting on a waitable set for STREAM_READ events.
import assert from "node:assert/strict";
import { instantiate } from "../../mod.ts";
import { wat } from "../_wat.ts";

/**
 * `total(s)`, lifted async with a callback, reads the stream 5 bytes at a
 * time into 64 and adds them up: every read that completes at once is
 * counted and followed by another; BLOCKED joins the end to a set and
 * WAITs; at DROPPED (the end) it drops the end and returns the sum, plus
 * 1000 x the number of reads that had to wait.
 */
const TOTAL = `(component
  (type $s (stream u8))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $read (canon stream.read $s async (memory $mem "mem")))
  (core func $dropr (canon stream.drop-readable $s))
  (core func $set.new (canon waitable-set.new))
  (core func $join (canon waitable.join))
  (core func $return (canon task.return (result u32)))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "read" (func $read (param i32 i32 i32) (result i32)))
    (import "" "dropr" (func $dropr (param i32)))
    (import "" "set.new" (func $set.new (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "return" (func $return (param i32)))
    (global $r (mut i32) (i32.const 0))
    (global $set (mut i32) (i32.const 0))
    (global $sum (mut i32) (i32.const 0))
    (global $waits (mut i32) (i32.const 0))
    ;; add the bytes of a completed read (count in the payload's high bits)
    (func $add (param $payload i32)
      (local $n i32) (local $i i32)
      (local.set $n (i32.shr_u (local.get $payload) (i32.const 4)))
      (block $out (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (global.set $sum (i32.add (global.get $sum)
          (i32.load8_u (i32.add (i32.const 64) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
    ;; read until the stream blocks (WAIT) or ends (EXIT)
    (func $pump (result i32)
      (local $st i32)
      (loop $again
        (local.set $st (call $read (global.get $r) (i32.const 64) (i32.const 5)))
        (if (i32.eq (local.get $st) (i32.const -1))
          (then
            (global.set $waits (i32.add (global.get $waits) (i32.const 1)))
            (return (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))))
        (call $add (local.get $st))
        ;; COMPLETED (0): read on; DROPPED (1): the end
        (br_if $again (i32.eqz (i32.and (local.get $st) (i32.const 0xf)))))
      (call $dropr (global.get $r))
      (call $return (i32.add (global.get $sum) (i32.mul (global.get $waits) (i32.const 1000))))
      (i32.const 0))
    (func (export "total") (param $r i32) (result i32)
      (global.set $r (local.get $r))
      (global.set $sum (i32.const 0))
      (global.set $waits (i32.const 0))
      (global.set $set (call $set.new))
      (call $join (local.get $r) (global.get $set))
      (call $pump))
    (func (export "cb") (param $event i32) (param $index i32) (param $payload i32) (result i32)
      ;; STREAM_READ (2) of our end
      (if (i32.ne (local.get $event) (i32.const 2)) (then unreachable))
      (if (i32.ne (local.get $index) (global.get $r)) (then unreachable))
      (call $add (local.get $payload))
      (if (i32.eq (i32.and (local.get $payload) (i32.const 0xf)) (i32.const 1))
        (then
          (call $dropr (global.get $r))
          (call $return (i32.add (global.get $sum) (i32.mul (global.get $waits) (i32.const 1000))))
          (return (i32.const 0))))
      (call $pump)))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "read" (func $read)) (export "dropr" (func $dropr))
    (export "set.new" (func $set.new)) (export "join" (func $join)) (export "return" (func $return))))))
  (func (export "total") async (param "s" $s) (result u32)
    (canon lift (core func $m "total") async (callback (core func $m "cb")))))`;

/** A stream of the given chunks, each after a timer. */
function slowly(chunks: number[][]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    async pull(c) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (i < chunks.length) c.enqueue(Uint8Array.from(chunks[i++]));
      else c.close();
    },
  }, { highWaterMark: 0 });
}

Deno.test("a component reads a host ReadableStream through stream.read, waiting for each chunk (JSPI)", async () => {
  const { exports } = await instantiate(await wat(TOTAL), {}, { async: true });
  const total = exports.total as (s: ReadableStream<Uint8Array>) => Promise<number>;
  // 3 chunks (one longer than a read: its rest is read at once), then the end
  const bytes = [[1, 2, 3], [10, 20, 30, 40, 50, 60, 70], [100]];
  const sum = bytes.flat().reduce((a, b) => a + b, 0);
  const got = await total(slowly(bytes));
  assert.equal(got % 1000, sum);
  // each chunk and the end had to be waited for: 4 waits
  assert.equal(Math.floor(got / 1000), 4);
  // an empty stream: one wait, then the end
  assert.equal(await total(slowly([])), 1000);
  // a stream that fails after a chunk ends the same way, the chunk counted
  let pulls = 0;
  const failing = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulls++ === 0) c.enqueue(Uint8Array.from([5]));
      else c.error(new Error("broken"));
    },
  }, { highWaterMark: 0 });
  assert.equal((await total(failing)) % 1000, 5);
  // anything but a ReadableStream is refused before it enters
  await assert.rejects(
    total([1, 2] as unknown as ReadableStream<Uint8Array>),
    /expected a ReadableStream/,
  );
});

/**
 * `sum-later(s)`, lifted async with a callback, returns a future of the sum
 * of the stream's bytes at once (`task.return` of its readable end), then
 * reads the stream chunk by chunk and writes the sum into the future at
 * its end.
 */
const SUM_LATER = `(component
  (type $s (stream u8))
  (type $f (future u32))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $read (canon stream.read $s async (memory $mem "mem")))
  (core func $dropr (canon stream.drop-readable $s))
  (core func $fnew (canon future.new $f))
  (core func $fwrite (canon future.write $f (memory $mem "mem")))
  (core func $fdrop (canon future.drop-writable $f))
  (core func $set.new (canon waitable-set.new))
  (core func $join (canon waitable.join))
  (core func $return (canon task.return (result $f)))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "read" (func $read (param i32 i32 i32) (result i32)))
    (import "" "dropr" (func $dropr (param i32)))
    (import "" "fnew" (func $fnew (result i64)))
    (import "" "fwrite" (func $fwrite (param i32 i32) (result i32)))
    (import "" "fdrop" (func $fdrop (param i32)))
    (import "" "set.new" (func $set.new (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "return" (func $return (param i32)))
    (global $r (mut i32) (i32.const 0))
    (global $w (mut i32) (i32.const 0))
    (global $set (mut i32) (i32.const 0))
    (global $sum (mut i32) (i32.const 0))
    (func $add (param $payload i32)
      (local $n i32) (local $i i32)
      (local.set $n (i32.shr_u (local.get $payload) (i32.const 4)))
      (block $out (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (global.set $sum (i32.add (global.get $sum)
          (i32.load8_u (i32.add (i32.const 64) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
    (func $finish (result i32)
      (call $dropr (global.get $r))
      (i32.store (i32.const 8) (global.get $sum))
      (drop (call $fwrite (global.get $w) (i32.const 8)))
      (call $fdrop (global.get $w))
      (i32.const 0))
    (func $pump (result i32)
      (local $st i32)
      (loop $again
        (local.set $st (call $read (global.get $r) (i32.const 64) (i32.const 16)))
        (if (i32.eq (local.get $st) (i32.const -1))
          (then (return (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))))
        (call $add (local.get $st))
        (br_if $again (i32.eqz (i32.and (local.get $st) (i32.const 0xf)))))
      (call $finish))
    (func (export "sum-later") (param $r i32) (result i32)
      (local $rw i64)
      (global.set $r (local.get $r))
      (global.set $sum (i32.const 0))
      (local.set $rw (call $fnew))
      (global.set $w (i32.wrap_i64 (i64.shr_u (local.get $rw) (i64.const 32))))
      ;; the future is the result, returned before the stream is read
      (call $return (i32.wrap_i64 (local.get $rw)))
      (global.set $set (call $set.new))
      (call $join (local.get $r) (global.get $set))
      (call $pump))
    (func (export "cb") (param $event i32) (param $index i32) (param $payload i32) (result i32)
      (call $add (local.get $payload))
      (if (i32.eq (i32.and (local.get $payload) (i32.const 0xf)) (i32.const 1))
        (then (return (call $finish))))
      (call $pump)))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "read" (func $read)) (export "dropr" (func $dropr))
    (export "fnew" (func $fnew)) (export "fwrite" (func $fwrite)) (export "fdrop" (func $fdrop))
    (export "set.new" (func $set.new)) (export "join" (func $join)) (export "return" (func $return))))))
  (func (export "sum-later") async (param "s" $s) (result $f)
    (canon lift (core func $m "sum-later") async (callback (core func $m "cb")))))`;

Deno.test("an async export reads a host ReadableStream and returns a future of what it computes (the issue's script)", async () => {
  const { exports } = await instantiate(await wat(SUM_LATER), {}, { async: true });
  const sumLater = exports["sum-later"] as (s: ReadableStream<Uint8Array>) => Promise<number>;
  let pulled = 0;
  const chunks = [[1, 2, 3], [4, 5], [6]];
  const stream = new ReadableStream<Uint8Array>({
    async pull(c) {
      await new Promise((resolve) => setTimeout(resolve, 3));
      if (pulled < chunks.length) c.enqueue(Uint8Array.from(chunks[pulled++]));
      else c.close();
    },
  }, { highWaterMark: 0 });
  // the future is returned first (task.return), then written at the stream's end: the export's
  // Promise takes on the future's (a Promise cannot hold a Promise), so awaiting it gives the sum
  assert.equal(await sumLater(stream), 21);
  assert.equal(pulled, chunks.length);
  // and the next call runs once this one's task is done
  assert.equal(await sumLater(new ReadableStream({ start: (c) => c.close() })), 0);
});
