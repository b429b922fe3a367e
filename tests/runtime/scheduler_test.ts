// The component model's async on fibers (JSPI), as a Deno script meets it:
// streams a component writes, read by the host as a ReadableStream; a stream
// handed from one component to another; a deadlock that fails the call.
import assert from "node:assert/strict";
import { instantiate, Trap } from "../../mod.ts";
import { wat } from "../_wat.ts";
import { hasJspi } from "../../lib/runtime/jspi.ts";
import { STREAM_PIPE, STREAM_WRITER } from "./_jspi.ts";

const MEM = `(core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))`;

async function all<T>(s: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of s as unknown as AsyncIterable<T>) out.push(x);
  return out;
}

Deno.test({
  name: "a stream a component writes is a ReadableStream at the host, an element per chunk",
  ignore: !hasJspi(),
  async fn() {
    const { exports } = await instantiate(await wat(STREAM_WRITER), {}, { async: true });
    const squares = exports.squares as (n: number) => Promise<ReadableStream<number>>;
    const s = await squares(6);
    assert.ok(s instanceof ReadableStream);
    assert.deepEqual(await all(s), [0, 1, 4, 9, 16, 25]);
    // the task ended (its writable end dropped): the instance takes the next call
    assert.deepEqual(await all(await squares(2)), [0, 1]);
  },
});

Deno.test({
  name: "a stream<u8> a component writes is Uint8Array chunks at the host",
  ignore: !hasJspi(),
  async fn() {
    const { exports } = await instantiate(await wat(STREAM_WRITER), {}, { async: true });
    const bytes = exports.bytes as (
      total: number,
      chunk: number,
    ) => Promise<ReadableStream<Uint8Array>>;
    const chunks = await all(await bytes(200, 200));
    assert.ok(chunks.every((c) => c instanceof Uint8Array));
    const got = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      got.set(c, at);
      at += c.length;
    }
    assert.deepEqual(got, Uint8Array.from({ length: 200 }, (_, i) => i));
  },
});

Deno.test({
  name: "a stream one component writes, another reads: handed through an adapter",
  ignore: !hasJspi(),
  async fn() {
    // $p's produce() returns a stream it then writes "hello!" into; $c's consume(s) reads it
    // to its end and returns the sum of the bytes; run() hands one to the other
    const { exports } = await instantiate(
      await wat(STREAM_PIPE),
      {},
      { async: true },
    );
    const sum = [..."hello!"].reduce((n, c) => n + c.charCodeAt(0), 0);
    assert.equal(await (exports.run as () => Promise<number>)(), sum);
  },
});

Deno.test({
  name: "a call that waits for what never comes fails with Wasmtime's deadlock trap",
  ignore: !hasJspi(),
  async fn() {
    const { exports } = await instantiate(
      await wat(`(component
  ${MEM}
  (core func $new (canon waitable-set.new))
  (core func $wait (canon waitable-set.wait (memory $mem "mem")))
  (core func $return (canon task.return (result u32)))
  (core module $M
    (import "" "new" (func $new (result i32)))
    (import "" "wait" (func $wait (param i32 i32) (result i32)))
    (import "" "return" (func $return (param i32)))
    (func (export "stuck") (drop (call $wait (call $new) (i32.const 0))) (call $return (i32.const 1))))
  (core instance $m (instantiate $M (with "" (instance
    (export "new" (func $new)) (export "wait" (func $wait)) (export "return" (func $return))))))
  (func (export "stuck") async (result u32) (canon lift (core func $m "stuck") async)))`),
      {},
      { async: true },
    );
    await assert.rejects(
      (exports.stuck as () => Promise<number>)(),
      (e) =>
        e instanceof Trap &&
        e.message === "deadlock detected: event loop cannot make further progress",
    );
  },
});

Deno.test({
  name: "a call from the host waits for the exclusive lock a task of its instance holds",
  ignore: !hasJspi(),
  async fn() {
    // $d's run() starts $c's hold() (an async call) and returns; hold() waits in the host's
    // `sleep` before its result, holding $c's lock; the host's call of $c's ping() waits for it
    const bytes = await wat(`(component
  (import "sleep" (func $sleep async))
  (import "note" (func $note (param "n" u32)))
  (component $C
    (import "sleep" (func $sleep async))
    (import "note" (func $note (param "n" u32)))
    (core func $sleep (canon lower (func $sleep)))
    (core func $note (canon lower (func $note)))
    (core func $return (canon task.return))
    (core module $M
      (import "" "sleep" (func $sleep))
      (import "" "note" (func $note (param i32)))
      (import "" "return" (func $return))
      (func (export "hold") (result i32) (call $sleep) (call $return) (i32.const 0))
      (func (export "ping") (result i32) (call $note (i32.const 2)) (call $return) (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
    (core instance $m (instantiate $M (with "" (instance
      (export "sleep" (func $sleep)) (export "note" (func $note))
      (export "return" (func $return))))))
    (func (export "hold") async (canon lift (core func $m "hold") async (callback (core func $m "cb"))))
    (func (export "ping") async (canon lift (core func $m "ping") async (callback (core func $m "cb")))))
  (component $D
    (import "hold" (func $hold async))
    ${MEM}
    (core func $hold (canon lower (func $hold) async (memory $mem "mem")))
    (core func $return (canon task.return))
    (core module $M
      (import "" "hold" (func $hold (result i32)))
      (import "" "return" (func $return))
      (func (export "run") (result i32) (drop (call $hold)) (call $return) (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
    (core instance $m (instantiate $M (with "" (instance
      (export "hold" (func $hold)) (export "return" (func $return))))))
    (func (export "run") async (canon lift (core func $m "run") async (callback (core func $m "cb")))))
  (instance $c (instantiate $C (with "sleep" (func $sleep)) (with "note" (func $note))))
  (instance $d (instantiate $D (with "hold" (func $c "hold"))))
  (export "run" (func $d "run"))
  (export "ping" (func $c "ping")))`);
    const log: string[] = [];
    let wake = () => {};
    const { exports } = await instantiate(bytes, {
      sleep: async () => {
        log.push("sleep");
        await new Promise<void>((resolve) => wake = resolve);
        log.push("woke");
      },
      note: (n: number) => {
        log.push(`note ${n}`);
      },
    }, { async: true });
    await (exports.run as () => Promise<void>)();
    const ping = (exports.ping as () => Promise<void>)();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(log, ["sleep"], "ping() has not entered: hold() holds the lock");
    wake();
    await ping;
    assert.deepEqual(log, ["sleep", "woke", "note 2"]);
  },
});

Deno.test({
  name: "a thread may return its task's result after the task's own code ended",
  ignore: !hasJspi(),
  async fn() {
    // f() makes a thread that calls task.return(7), makes it ready and ends without a result
    const { exports } = await instantiate(
      await wat(`(component
  (core module $T (table (export "t") 1 funcref))
  (core instance $t (instantiate $T))
  (alias core export $t "t" (core table $tbl))
  (core type $ft (func (param i32)))
  (core func $new (canon thread.new-indirect $ft (core table $tbl)))
  (core func $later (canon thread.resume-later))
  (core func $return (canon task.return (result u32)))
  (core module $M
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "later" (func $later (param i32)))
    (import "" "return" (func $return (param i32)))
    (import "" "t" (table 1 funcref))
    (func $answer (param i32) (call $return (local.get 0)))
    (elem (i32.const 0) func $answer)
    (func (export "f") (call $later (call $new (i32.const 0) (i32.const 7)))))
  (core instance $m (instantiate $M (with "" (instance
    (export "new" (func $new)) (export "later" (func $later))
    (export "return" (func $return)) (export "t" (table $tbl))))))
  (func (export "f") async (result u32) (canon lift (core func $m "f") async)))`),
      {},
      { async: true },
    );
    assert.equal(await (exports.f as () => Promise<number>)(), 7);
  },
});
