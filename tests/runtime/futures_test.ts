// `future<T>` between a component and the host: the host gets a Promise,
// which `future.write` resolves; the host gives one a component reads.
import assert from "node:assert/strict";
import { instantiate } from "../../mod.ts";
import { wat } from "../_wat.ts";
import { assertTrap, fns } from "../_trap.ts";

/**
 * `later()` makes a future of u32 and returns its readable end (the writable
 * one kept in a global); `fulfil(v)` writes `v` into it and returns what
 * `future.write` (with the `async` option: a synchronous task may not call a
 * copy that may wait) returned; `abandon()` drops the writable end;
 * `write-early()` writes to a new future whose readable end the component
 * still holds.
 */
const FUTURES = `(component
  (type $f (future u32))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $new (canon future.new $f))
  (core func $write (canon future.write $f async (memory $mem "mem")))
  (core func $dropw (canon future.drop-writable $f))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "new" (func $new (result i64)))
    (import "" "write" (func $write (param i32 i32) (result i32)))
    (import "" "dropw" (func $dropw (param i32)))
    (global $w (mut i32) (i32.const 0))
    (func (export "later") (result i32)
      (local $rw i64)
      (local.set $rw (call $new))
      (global.set $w (i32.wrap_i64 (i64.shr_u (local.get $rw) (i64.const 32))))
      (i32.wrap_i64 (local.get $rw)))
    (func (export "fulfil") (param $v i32) (result i32)
      (i32.store (i32.const 8) (local.get $v))
      (call $write (global.get $w) (i32.const 8)))
    (func (export "abandon") (call $dropw (global.get $w)))
    (func (export "write-early") (result i32)
      (call $write (i32.wrap_i64 (i64.shr_u (call $new) (i64.const 32))) (i32.const 8))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "new" (func $new))
    (export "write" (func $write)) (export "dropw" (func $dropw))))))
  (func (export "later") (result $f) (canon lift (core func $m "later")))
  (func (export "fulfil") (param "v" u32) (result u32) (canon lift (core func $m "fulfil")))
  (func (export "abandon") (canon lift (core func $m "abandon")))
  (func (export "write-early") (result u32) (canon lift (core func $m "write-early"))))`;

Deno.test("a future a component returns is a Promise at the host, resolved by future.write", async () => {
  const e = fns(await instantiate(await wat(FUTURES)));
  const p = e.later() as Promise<number>;
  assert.ok(p instanceof Promise);
  let settled = false;
  p.then(() => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal(settled, false, "nothing written yet");
  assert.equal(e.fulfil(42), 0, "COMPLETED");
  assert.equal(await p, 42);
  // a second write to the same future traps (its end is done), nothing written
  assertTrap(
    () => e.fulfil(43),
    "cannot write to future after previous write succeeded or readable end dropped",
  );
});

Deno.test("dropping a future's writable end unwritten traps; a write before the reader reads is BLOCKED", async () => {
  const { Trap } = await import("../../mod.ts");
  const bytes = await wat(FUTURES);
  const e = fns(await instantiate(bytes));
  e.later();
  assert.throws(
    () => e.abandon(),
    (x) =>
      x instanceof Trap &&
      x.message === "cannot drop future write end without first writing a value",
  );
  // (its reader, in the same component, has not read: the async write waits for it)
  const f = fns(await instantiate(bytes));
  assert.equal(f["write-early"](), 0xffff_ffff, "BLOCKED");
});

Deno.test("a future passed to a host import is a Promise there, resolved by the component", async () => {
  const bytes = await wat(`(component
  (type $f (future u32))
  (import "take" (func $take (param "f" $f)))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $new (canon future.new $f))
  (core func $write (canon future.write $f async (memory $mem "mem")))
  (core func $take (canon lower (func $take)))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "new" (func $new (result i64)))
    (import "" "write" (func $write (param i32 i32) (result i32)))
    (import "" "take" (func $take (param i32)))
    (func (export "give") (param $v i32) (result i32)
      (local $rw i64)
      (local.set $rw (call $new))
      (call $take (i32.wrap_i64 (local.get $rw)))
      (i32.store (i32.const 8) (local.get $v))
      (call $write (i32.wrap_i64 (i64.shr_u (local.get $rw) (i64.const 32))) (i32.const 8))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "new" (func $new))
    (export "write" (func $write)) (export "take" (func $take))))))
  (func (export "give") (param "v" u32) (result u32) (canon lift (core func $m "give"))))`);
  let got: Promise<unknown> | undefined;
  const e = fns(
    await instantiate(bytes, {
      take: (f: Promise<unknown>) => {
        got = f;
      },
    }),
  );
  assert.equal(e.give(7), 0, "COMPLETED: the host holds the readable end");
  assert.ok(got instanceof Promise);
  assert.equal(await got, 7);
});

/**
 * `read-it(f)`, lifted async with a callback, reads the future the host
 * gives (`future.read` with the async option, into 16): COMPLETED at once
 * returns the value; BLOCKED joins the readable end to a set and WAITs, and
 * the callback returns the value at the FUTURE_READ event (DROPPED: 999).
 */
const READS = `(component
  (type $f (future u32))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $read (canon future.read $f async (memory $mem "mem")))
  (core func $dropr (canon future.drop-readable $f))
  (core func $set.new (canon waitable-set.new))
  (core func $join (canon waitable.join))
  (core func $return (canon task.return (result u32)))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "read" (func $read (param i32 i32) (result i32)))
    (import "" "dropr" (func $dropr (param i32)))
    (import "" "set.new" (func $set.new (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "return" (func $return (param i32)))
    (func $done (param $r i32) (param $result i32) (result i32)
      (call $dropr (local.get $r))
      (call $return
        (if (result i32) (i32.eqz (local.get $result))
          (then (i32.load (i32.const 16))) (else (i32.const 999))))
      (i32.const 0))
    (func (export "read-it") (param $r i32) (result i32)
      (local $st i32) (local $set i32)
      (local.set $st (call $read (local.get $r) (i32.const 16)))
      (if (i32.ne (local.get $st) (i32.const -1))
        (then (return (call $done (local.get $r) (local.get $st)))))
      (local.set $set (call $set.new))
      (call $join (local.get $r) (local.get $set))
      (i32.or (i32.const 2) (i32.shl (local.get $set) (i32.const 4))))
    (func (export "cb") (param $event i32) (param $index i32) (param $payload i32) (result i32)
      ;; FUTURE_READ (4) of the end that was read
      (if (i32.ne (local.get $event) (i32.const 4)) (then unreachable))
      (call $done (local.get $index) (local.get $payload))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "read" (func $read)) (export "dropr" (func $dropr))
    (export "set.new" (func $set.new)) (export "join" (func $join)) (export "return" (func $return))))))
  (func (export "read-it") async (param "f" $f) (result u32)
    (canon lift (core func $m "read-it") async (callback (core func $m "cb")))))`;

Deno.test("a component reads a future the host gives: the value of its Promise, waited for (async, JSPI)", async () => {
  const { exports } = await instantiate(await wat(READS), {}, { async: true });
  const readIt = exports["read-it"] as (f: Promise<number>) => Promise<number>;
  const later = (v: number) => new Promise<number>((resolve) => setTimeout(() => resolve(v), 3));
  // still pending when read: BLOCKED, then the FUTURE_READ event
  assert.equal(await readIt(later(42)), 42);
  // resolved already: the read still comes before the Promise's reaction runs, so BLOCKED too
  const now = Promise.resolve(7);
  await now;
  assert.equal(await readIt(now), 7);
  // a Promise that rejects: DROPPED
  const failing = new Promise<number>((_, reject) => setTimeout(() => reject(new Error("no")), 2));
  failing.catch(() => {});
  assert.equal(await readIt(failing), 999);
  // anything but a Promise is refused before it enters
  await assert.rejects(readIt(5 as unknown as Promise<number>), /expected a Promise/);
});

/**
 * `read-late(f)` YIELDs once before it reads the future the host gives, so
 * the host's Promise has settled by then: `future.read` completes at once
 * (COMPLETED, 0) and the value is returned; a rejected one reads DROPPED (1),
 * returned as 1000 + 1.
 */
const READS_LATE = `(component
  (type $f (future u32))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $read (canon future.read $f async (memory $mem "mem")))
  (core func $dropr (canon future.drop-readable $f))
  (core func $return (canon task.return (result u32)))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "read" (func $read (param i32 i32) (result i32)))
    (import "" "dropr" (func $dropr (param i32)))
    (import "" "return" (func $return (param i32)))
    (global $r (mut i32) (i32.const 0))
    (func (export "read-late") (param $r i32) (result i32)
      (global.set $r (local.get $r))
      ;; YIELD
      (i32.const 1))
    (func (export "cb") (param i32 i32 i32) (result i32)
      (local $st i32)
      (local.set $st (call $read (global.get $r) (i32.const 16)))
      (call $dropr (global.get $r))
      (call $return
        (if (result i32) (i32.eqz (local.get $st))
          (then (i32.load (i32.const 16)))
          (else (i32.add (i32.const 1000) (local.get $st)))))
      (i32.const 0)))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "read" (func $read)) (export "dropr" (func $dropr))
    (export "return" (func $return))))))
  (func (export "read-late") async (param "f" $f) (result u32)
    (canon lift (core func $m "read-late") async (callback (core func $m "cb")))))`;

Deno.test("future.read of a host Promise that has settled completes at once (COMPLETED, or DROPPED)", async () => {
  const { exports } = await instantiate(await wat(READS_LATE), {}, { async: true });
  const readLate = exports["read-late"] as (f: Promise<number>) => Promise<number>;
  assert.equal(await readLate(Promise.resolve(42)), 42);
  const rejected = Promise.reject(new Error("no"));
  rejected.catch(() => {});
  assert.equal(await readLate(rejected), 1001);
});

Deno.test("a future the host gave, handed back to the host, is the host's own Promise", async () => {
  const { exports } = await instantiate(
    await wat(`(component
  (type $f (future u32))
  (core module $M (func (export "echo") (param i32) (result i32) (local.get 0)))
  (core instance $m (instantiate $M))
  (func (export "echo") (param "f" $f) (result $f) (canon lift (core func $m "echo"))))`),
  );
  const p = Promise.resolve(5);
  assert.equal((exports.echo as (f: Promise<number>) => Promise<number>)(p), p);
});

Deno.test("copying a future's or a stream's value needs a memory, and a realloc to read strings", async () => {
  const { LinkError } = await import("../../mod.ts");
  const refused = async (canon: string, message: RegExp) => {
    await assert.rejects(
      instantiate(
        await wat(`(component
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (type $f (future u32))
  (type $fs (future string))
  (type $s (stream u8))
  (core func ${canon}))`),
      ),
      (e) => e instanceof LinkError && message.test(e.message),
    );
  };
  await refused("(canon future.write $f)", /^canon future\.write needs a `memory` option/);
  await refused("(canon future.read $f async)", /^canon future\.read needs a `memory` option/);
  await refused("(canon stream.read $s async)", /^canon stream\.read needs a `memory` option/);
  await refused(
    `(canon future.read $fs async (memory $mem "mem"))`,
    /^canon future\.read needs a `realloc` option: the value holds strings or lists/,
  );
});
