// Async host functions through JSPI (`instantiate(..., { async: true })`): an
// `async function` import suspends the component that calls it, exports return
// Promises, calls run one at a time.
import assert from "node:assert/strict";
import { instantiate, UnsupportedError } from "../../mod.ts";
import { wat } from "../_wat.ts";
import { LIBC } from "../_libc.ts";
import { COMPOSED } from "./_jspi.ts";

/** One component: `run(x)` is sleep-add(sleep-add(x)); `fetch-len(url)` passes a string to the host. */
const SINGLE = `(component
  (import "sleep-add" (func $sa (param "x" u32) (result u32)))
  (import "fetch-len" (func $fl (param "url" string) (result u32)))
  ${LIBC}
  (core func $sa (canon lower (func $sa)))
  (core func $fl (canon lower (func $fl) (memory $libc "mem")))
  (core module $main
    (import "h" "sa" (func $sa (param i32) (result i32)))
    (import "h" "fl" (func $fl (param i32 i32) (result i32)))
    (func (export "run") (param i32) (result i32) (call $sa (call $sa (local.get 0))))
    (func (export "fetch") (param i32 i32) (result i32) (call $fl (local.get 0) (local.get 1))))
  (core instance $main (instantiate $main
    (with "h" (instance (export "sa" (func $sa)) (export "fl" (func $fl))))))
  (func (export "run") (param "x" u32) (result u32) (canon lift (core func $main "run")))
  (func (export "fetch-len") (param "url" string) (result u32)
    (canon lift (core func $main "fetch") (memory $libc "mem") (realloc (func $libc "realloc")))))`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("an async host import suspends the component until its Promise settles; the export returns a Promise", async () => {
  const log: string[] = [];
  const { exports } = await instantiate(await wat(SINGLE), {
    "sleep-add": async (x: number) => {
      log.push(`start ${x}`);
      await sleep(5);
      log.push(`end ${x}`);
      return x + 1;
    },
    "fetch-len": () => 0,
  }, { async: true });
  const run = exports.run as (x: number) => Promise<number>;
  const p = run(40);
  assert.ok(p instanceof Promise);
  // a millisecond later, the first host call has started and the guest waits for its timer
  await sleep(1);
  assert.deepEqual(log, ["start 40"]);
  assert.equal(await p, 42);
  assert.deepEqual(log, ["start 40", "end 40", "start 41", "end 41"]);
});

Deno.test("a host import awaiting fetch() suspends the guest; its string parameter is read before", async () => {
  const body = "x".repeat(1234);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(body),
  );
  const url = `http://127.0.0.1:${server.addr.port}/data`;
  const seen: string[] = [];
  const { exports } = await instantiate(await wat(SINGLE), {
    "sleep-add": (x: number) => x,
    "fetch-len": async (u: string) => {
      seen.push(u);
      return (await (await fetch(u)).text()).length;
    },
  }, { async: true });
  const fetchLen = exports["fetch-len"] as (url: string) => Promise<number>;
  assert.equal(await fetchLen(url), 1234);
  assert.deepEqual(seen, [url]);
  // a sync host function in the same instance runs to completion, and the export still returns a Promise
  assert.equal(await (exports.run as (x: number) => Promise<number>)(7), 7);
});

Deno.test("the suspension crosses a fused adapter between two components", async () => {
  const { compile } = await import("../../mod.ts");
  const c = await compile(await wat(COMPOSED));
  assert.equal(c.translation.adapterModules.length, 1, "the call crosses a fused adapter");
  const { exports } = c.instantiate({
    "sleep-add": async (x: number) => {
      await sleep(2);
      return x + 1;
    },
  }, { async: true });
  assert.equal(await (exports.run as (x: number) => Promise<number>)(4), 51);
});

Deno.test("calls made while one is suspended wait for it: one at a time, each with its own result", async () => {
  const log: string[] = [];
  const { exports } = await instantiate(await wat(COMPOSED), {
    "sleep-add": async (x: number) => {
      log.push(`in ${x}`);
      await sleep(3);
      log.push(`out ${x}`);
      return x + 1;
    },
  }, { async: true });
  const run = exports.run as (x: number) => Promise<number>;
  assert.deepEqual(await Promise.all([run(1), run(2), run(3)]), [21, 31, 41]);
  assert.deepEqual(log, ["in 1", "out 1", "in 2", "out 2", "in 3", "out 3"]);
});

Deno.test("an async host import that rejects: the export's Promise rejects with its error, named", async () => {
  const { exports } = await instantiate(await wat(COMPOSED), {
    "sleep-add": async (x: number) => {
      await sleep(1);
      throw new RangeError(`no ${x}`);
    },
  }, { async: true });
  const run = exports.run as (x: number) => Promise<number>;
  await assert.rejects(run(9), (e) => {
    assert.ok(e instanceof RangeError);
    assert.match((e as Error).message, /^in sleep-add: no 9$/);
    return true;
  });
});

Deno.test("without { async: true }, a host import returning a Promise is an error that says what to do", async () => {
  const { exports } = await instantiate(await wat(COMPOSED), {
    "sleep-add": async (x: number) => {
      await sleep(1);
      return x + 1;
    },
  });
  const run = exports.run as (x: number) => number;
  assert.throws(() => run(1), (e) => {
    assert.ok(e instanceof TypeError);
    assert.match((e as Error).message, /instantiate with `\{ async: true \}` \(JSPI\)/);
    return true;
  });
});

Deno.test("an engine without JSPI refuses { async: true } with an UnsupportedError naming JSPI", async () => {
  const bytes = await wat(COMPOSED);
  const ns = WebAssembly as unknown as Record<string, unknown>;
  const saved = ns.Suspending;
  ns.Suspending = undefined;
  try {
    await assert.rejects(
      instantiate(bytes, { "sleep-add": (x: number) => x }, { async: true }),
      (e) => {
        assert.ok(e instanceof UnsupportedError);
        assert.equal(e.feature, "jspi");
        assert.match(e.message, /needs JSPI/);
        return true;
      },
    );
  } finally {
    ns.Suspending = saved;
  }
  // and the same component instantiates synchronously there
  const { exports } = await instantiate(bytes, { "sleep-add": (x: number) => x + 1 });
  assert.equal((exports.run as (x: number) => number)(1), 21);
});

Deno.test("in async mode resource methods return Promises; a constructor stays synchronous", async () => {
  class Blob {
    constructor(readonly bytes: number) {}
    size() {
      return this.bytes;
    }
  }
  const { exports } = await instantiate(
    await Deno.readFile(new URL("../../examples/counter.wasm", import.meta.url)),
    { host: { Blob } },
    { async: true },
  );
  const Counter = exports.Counter as unknown as new (start: number) => {
    get(): Promise<number>;
    add(n: number): Promise<void>;
  };
  const c = new Counter(5);
  const added = c.add(2);
  assert.ok(added instanceof Promise);
  await added;
  assert.equal(await c.get(), 7);
});

Deno.test("an async method of a host resource class suspends the component as an async function does", async () => {
  const sizes: number[] = [];
  class Blob {
    constructor(readonly bytes: number) {}
    async size() {
      await sleep(2);
      sizes.push(this.bytes);
      return this.bytes;
    }
  }
  const { exports } = await instantiate(
    await Deno.readFile(new URL("../../examples/counter.wasm", import.meta.url)),
    { host: { Blob } },
    { async: true },
  );
  // blob-size(n): new Blob(n) at the host, then its size() through the handle
  const blobSize = exports["blob-size"] as (n: number) => Promise<number>;
  assert.equal(await blobSize(42), 42);
  assert.deepEqual(sizes, [42]);
  // the same class with a method that is not async: no suspension, the same result
  class SyncBlob {
    constructor(readonly bytes: number) {}
    size() {
      return this.bytes;
    }
  }
  const sync = await instantiate(
    await Deno.readFile(new URL("../../examples/counter.wasm", import.meta.url)),
    { host: { Blob: SyncBlob } },
    { async: true },
  );
  assert.equal(await (sync.exports["blob-size"] as (n: number) => Promise<number>)(7), 7);
});

/**
 * `run(a, b)` async-lowers `slow-add` (an async host import): when the call
 * has not returned, its subtask joins a waitable set and `run` waits on it
 * (suspended through JSPI), checks the event, drops both and reads the sum at
 * 16. `peek(a, b)` polls once instead, and returns the event code (0: none
 * yet, the subtask left undropped); `drop-early` drops the subtask at once.
 */
const SUBTASKS = `(component
  (import "slow-add" (func $add async (param "a" u32) (param "b" u32) (result u32)))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $add (canon lower (func $add) async (memory $mem "mem")))
  (core func $set.new (canon waitable-set.new))
  (core func $set.drop (canon waitable-set.drop))
  (core func $join (canon waitable.join))
  (core func $wait (canon waitable-set.wait (memory $mem "mem")))
  (core func $poll (canon waitable-set.poll (memory $mem "mem")))
  (core func $subtask.drop (canon subtask.drop))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "add" (func $add (param i32 i32 i32) (result i32)))
    (import "" "set.new" (func $set.new (result i32)))
    (import "" "set.drop" (func $set.drop (param i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "wait" (func $wait (param i32 i32) (result i32)))
    (import "" "poll" (func $poll (param i32 i32) (result i32)))
    (import "" "subtask.drop" (func $subtask.drop (param i32)))
    (func (export "run") (param $a i32) (param $b i32) (result i32)
      (local $st i32) (local $sub i32) (local $set i32)
      (local.set $st (call $add (local.get $a) (local.get $b) (i32.const 16)))
      ;; RETURNED (2) at once: the sum is there already
      (if (i32.eq (local.get $st) (i32.const 2)) (then (return (i32.load (i32.const 16)))))
      ;; STARTED (1) with the subtask's index above the low 4 bits
      (if (i32.ne (i32.and (local.get $st) (i32.const 0xf)) (i32.const 1)) (then unreachable))
      (local.set $sub (i32.shr_u (local.get $st) (i32.const 4)))
      (local.set $set (call $set.new))
      (call $join (local.get $sub) (local.get $set))
      ;; the event: SUBTASK (1), its index and state RETURNED (2) at 32
      (if (i32.ne (call $wait (local.get $set) (i32.const 32)) (i32.const 1)) (then unreachable))
      (if (i32.ne (i32.load (i32.const 32)) (local.get $sub)) (then unreachable))
      (if (i32.ne (i32.load (i32.const 36)) (i32.const 2)) (then unreachable))
      (call $subtask.drop (local.get $sub))
      (call $set.drop (local.get $set))
      (i32.load (i32.const 16)))
    (func (export "peek") (param $a i32) (param $b i32) (result i32)
      (local $st i32) (local $set i32)
      (local.set $st (call $add (local.get $a) (local.get $b) (i32.const 16)))
      (local.set $set (call $set.new))
      (call $join (i32.shr_u (local.get $st) (i32.const 4)) (local.get $set))
      (call $poll (local.get $set) (i32.const 32)))
    (func (export "drop-early") (param $a i32) (param $b i32)
      (call $subtask.drop
        (i32.shr_u (call $add (local.get $a) (local.get $b) (i32.const 16)) (i32.const 4)))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "add" (func $add))
    (export "set.new" (func $set.new)) (export "set.drop" (func $set.drop))
    (export "join" (func $join)) (export "wait" (func $wait)) (export "poll" (func $poll))
    (export "subtask.drop" (func $subtask.drop))))))
  (func (export "run") async (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $m "run")))
  (func (export "peek") async (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $m "peek")))
  (func (export "drop-early") async (param "a" u32) (param "b" u32)
    (canon lift (core func $m "drop-early"))))`;

Deno.test("an async-lowered async host import is a subtask: the guest waits on a waitable set for its event (JSPI)", async () => {
  const bytes = await wat(SUBTASKS);
  const log: string[] = [];
  const slowAdd = async (a: number, b: number) => {
    log.push(`start ${a}+${b}`);
    await sleep(3);
    log.push("end");
    return a + b;
  };
  const { exports } = await instantiate(bytes, { "slow-add": slowAdd }, { async: true });
  const run = exports.run as (a: number, b: number) => Promise<number>;
  assert.equal(await run(20, 22), 42);
  assert.deepEqual(log, ["start 20+22", "end"]);
  // polled once right after the call: no event yet (0)
  assert.equal(await (exports.peek as (a: number, b: number) => Promise<number>)(1, 2), 0);
  // a sync host function resolves at once: RETURNED, no subtask
  const sync = await instantiate(bytes, { "slow-add": (a: number, b: number) => a + b }, {
    async: true,
  });
  assert.equal(await (sync.exports.run as (a: number, b: number) => Promise<number>)(2, 3), 5);
});

Deno.test("subtasks: dropped before they resolve trap; a host failure reaches the waiter", async () => {
  const { Trap } = await import("../../mod.ts");
  const bytes = await wat(SUBTASKS);
  const slow = async (a: number, b: number) => {
    await sleep(1);
    return a + b;
  };
  const a = await instantiate(bytes, { "slow-add": slow }, { async: true });
  await assert.rejects(
    (a.exports["drop-early"] as (a: number, b: number) => Promise<void>)(1, 2),
    (e) => e instanceof Trap && e.message === "cannot drop a subtask which has not yet resolved",
  );
  const b = await instantiate(bytes, {
    "slow-add": async (x: number) => {
      await sleep(1);
      throw new RangeError(`no ${x}`);
    },
  }, { async: true });
  await assert.rejects(
    (b.exports.run as (a: number, b: number) => Promise<number>)(7, 8),
    (e) => e instanceof RangeError && e.message === "in slow-add: no 7",
  );
});

/**
 * `run(a, b)` lifted async with a callback: it async-lowers `slow-add`, joins
 * the subtask to a set and returns WAIT on it; the callback gets the event,
 * drops both, and returns the sum through `task.return`. Its first call to
 * the callback YIELDs once, as a guest that lets others run would.
 */
const CALLBACK = `(component
  (import "slow-add" (func $add async (param "a" u32) (param "b" u32) (result u32)))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $add (canon lower (func $add) async (memory $mem "mem")))
  (core func $set.new (canon waitable-set.new))
  (core func $set.drop (canon waitable-set.drop))
  (core func $join (canon waitable.join))
  (core func $subtask.drop (canon subtask.drop))
  (core func $return (canon task.return (result u32)))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "add" (func $add (param i32 i32 i32) (result i32)))
    (import "" "set.new" (func $set.new (result i32)))
    (import "" "set.drop" (func $set.drop (param i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "subtask.drop" (func $subtask.drop (param i32)))
    (import "" "return" (func $return (param i32)))
    (global $set (mut i32) (i32.const 0))
    (global $yielded (mut i32) (i32.const 0))
    (func (export "run") (param $a i32) (param $b i32) (result i32)
      (local $st i32)
      (global.set $yielded (i32.const 0))
      (local.set $st (call $add (local.get $a) (local.get $b) (i32.const 16)))
      (if (i32.eq (local.get $st) (i32.const 2))
        (then (call $return (i32.load (i32.const 16))) (return (i32.const 0))))
      (global.set $set (call $set.new))
      (call $join (i32.shr_u (local.get $st) (i32.const 4)) (global.get $set))
      ;; YIELD (1) first, then WAIT (2) on the set
      (i32.const 1))
    (func (export "cb") (param $event i32) (param $index i32) (param $payload i32) (result i32)
      (if (i32.eqz (global.get $yielded))
        (then
          (global.set $yielded (i32.const 1))
          (if (i32.ne (local.get $event) (i32.const 0)) (then unreachable))
          (return (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))))
      ;; SUBTASK (1), RETURNED (2)
      (if (i32.ne (local.get $event) (i32.const 1)) (then unreachable))
      (if (i32.ne (local.get $payload) (i32.const 2)) (then unreachable))
      (call $subtask.drop (local.get $index))
      (call $set.drop (global.get $set))
      (call $return (i32.load (i32.const 16)))
      (i32.const 0)))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "add" (func $add))
    (export "set.new" (func $set.new)) (export "set.drop" (func $set.drop))
    (export "join" (func $join)) (export "subtask.drop" (func $subtask.drop))
    (export "return" (func $return))))))
  (func (export "run") async (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $m "run") async (callback (core func $m "cb")))))`;

Deno.test("an async lift's callback waits for the subtask of an async host function (WAIT, YIELD)", async () => {
  const bytes = await wat(CALLBACK);
  const { exports } = await instantiate(bytes, {
    "slow-add": async (a: number, b: number) => {
      await sleep(3);
      return a + b;
    },
  }, { async: true });
  assert.equal(await (exports.run as (a: number, b: number) => Promise<number>)(40, 2), 42);
  // a host function that returns at once: RETURNED, task.return from the lift itself (no WAIT)
  const sync = await instantiate(bytes, { "slow-add": (a: number, b: number) => a + b });
  assert.equal((sync.exports.run as (a: number, b: number) => number)(1, 2), 3);
});

/**
 * `$callee` exports `add` lifted async with a callback that waits on the
 * subtask of the async host import `slow-add` (CALLBACK's core, inlined); `$caller`
 * lowers it (a host adapter: an async lift) and adds 1000: run(a, b) = a + b + 1000.
 */
const ACROSS = `(component
  (import "slow-add" (func $add async (param "a" u32) (param "b" u32) (result u32)))
  (component $callee
    (import "slow-add" (func $add async (param "a" u32) (param "b" u32) (result u32)))
    ${CALLBACK.slice(CALLBACK.indexOf("(core module $Mem"), CALLBACK.lastIndexOf("(func (export"))}
    (func (export "add") async (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $m "run") async (callback (core func $m "cb")))))
  (component $caller
    (import "add" (func $add async (param "a" u32) (param "b" u32) (result u32)))
    (core func $add (canon lower (func $add)))
    (core module $M
      (import "" "add" (func $add (param i32 i32) (result i32)))
      (func (export "run") (param i32 i32) (result i32)
        (i32.add (call $add (local.get 0) (local.get 1)) (i32.const 1000))))
    (core instance $i (instantiate $M (with "" (instance (export "add" (func $add))))))
    (func (export "run") async (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $i "run"))))
  (instance $c (instantiate $callee (with "slow-add" (func $add))))
  (instance $k (instantiate $caller (with "add" (func $c "add"))))
  (export "run" (func $k "run")))`;

Deno.test("a component waits for another that waits for an async host function (a host adapter, suspended)", async () => {
  const { compile } = await import("../../mod.ts");
  const c = await compile(await wat(ACROSS));
  assert.ok(c.translation.dfg.adapters.some((a) => a.host), "the call is a host adapter");
  const log: string[] = [];
  const { exports } = c.instantiate({
    "slow-add": async (a: number, b: number) => {
      log.push("host");
      await sleep(3);
      return a + b;
    },
  }, { async: true });
  const run = exports.run as (a: number, b: number) => Promise<number>;
  assert.equal(await run(40, 2), 1042);
  assert.deepEqual(await Promise.all([run(1, 2), run(3, 4)]), [1003, 1007]);
  assert.deepEqual(log, ["host", "host", "host"]);
});

Deno.test("a trap after an async export returned its result poisons the instance: the next call says so", async () => {
  const { Trap } = await import("../../mod.ts");
  // returns 7 (task.return), then its callback traps on the YIELD's resumption
  const { exports } = await instantiate(
    await wat(`(component
  (core func $return (canon task.return (result u32)))
  (core module $M
    (import "" "return" (func $return (param i32)))
    (func (export "f") (result i32) (call $return (i32.const 7)) (i32.const 1))
    (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
  (core instance $m (instantiate $M (with "" (instance (export "return" (func $return))))))
  (func (export "f") async (result u32) (canon lift (core func $m "f") async (callback (core func $m "cb")))))`),
    {},
    { async: true },
  );
  const f = exports.f as () => Promise<number>;
  assert.equal(await f(), 7);
  // (the callback's YIELD resumes a turn later, and traps)
  await sleep(5);
  await assert.rejects(
    f(),
    (e) => e instanceof Trap && e.message === "cannot enter component instance",
  );
});
