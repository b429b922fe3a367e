/**
 * Tasks and the async built-ins at run time (`lib/runtime/tasks.ts`,
 * `lib/runtime/runtime.ts`), on real components built from WAT: every call
 * runs to completion, so an `async` lift returns its `task.return` value to
 * the host, an `async` lower always sees its subtask returned, and the
 * built-ins work on a task's context storage, the instance's backpressure
 * counter, its thread table and its handle table.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, instantiate, Trap, UnsupportedError } from "../../mod.ts";
import { assertTrap, fns } from "../_trap.ts";
import { wat } from "../_wat.ts";

// ---------------------------------------------------------------------------
// helpers

/** Assert `fn` throws an {@link UnsupportedError} (not a trap) whose message matches. */
function assertUnsupported(fn: () => unknown, message: RegExp, feature?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UnsupportedError, `expected an UnsupportedError, got ${e}`);
    assert.ok(!(e instanceof Trap));
    assert.equal(e.name, "UnsupportedError");
    assert.match(e.message, message);
    if (feature !== undefined) assert.equal(e.feature, feature);
    return true;
  });
}

/** Compile a component once; `make()` instantiates it afresh. */
async function component(text: string, imports: Record<string, unknown> = {}) {
  const c = await compile(await wat(text));
  return () => fns(c.instantiate(imports));
}

/** A core memory in its own instance, so that canonical options can name it. */
const MEMORY = `
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))`;
const MEM = `(memory (core memory $mem "mem"))`;

// The messages of the rules (TASK_RULES and RULES in the runtime).
const TASK_RETURN_SYNC = "task.return called from a task that was not lifted `async`";
const TASK_RETURN_TYPE = "task.return: its result type does not match the task's function type";
const TASK_RETURN_OPTIONS = "task.return: its options do not match the options of the task's lift";
const TASK_RETURN_TWICE = "task.return called more than once";
const NO_RESULT = "async-lifted export failed to produce a result";
const TASK_CANCEL_SYNC = "task.cancel called from a task that was not lifted `async`";
const TASK_CANCEL_UNREQUESTED = "task.cancel called without a pending cancellation";
const UNDERFLOW = "backpressure counter underflow";
const OVERFLOW = "backpressure counter overflow";
const CANNOT_LEAVE = "cannot leave component instance";
const CANNOT_ENTER = "cannot enter component instance";

// ---------------------------------------------------------------------------
// 1. context.get / context.set

const CONTEXT = `(component
  (core func $get0 (canon context.get i32 0))
  (core func $get1 (canon context.get i32 1))
  (core func $set0 (canon context.set i32 0))
  (core func $set1 (canon context.set i32 1))
  (core module $M
    (import "" "get0" (func $get0 (result i32)))
    (import "" "get1" (func $get1 (result i32)))
    (import "" "set0" (func $set0 (param i32)))
    (import "" "set1" (func $set1 (param i32)))
    (global $before0 (mut i32) (i32.const -1))
    (global $before1 (mut i32) (i32.const -1))
    (global $post0 (mut i32) (i32.const -1))
    (global $post1 (mut i32) (i32.const -1))
    ;; reads both slots, sets them to a and b, reads them back: a * 1000 + b
    (func (export "run") (param $a i32) (param $b i32) (result i32)
      (global.set $before0 (call $get0))
      (global.set $before1 (call $get1))
      (call $set0 (local.get $a))
      (call $set1 (local.get $b))
      (i32.add (i32.mul (call $get0) (i32.const 1000)) (call $get1)))
    (func (export "run-post") (param i32)
      (global.set $post0 (call $get0))
      (global.set $post1 (call $get1)))
    (func (export "peek") (result i32) (i32.add (call $get0) (call $get1)))
    (func (export "before0") (result i32) (global.get $before0))
    (func (export "before1") (result i32) (global.get $before1))
    (func (export "post0") (result i32) (global.get $post0))
    (func (export "post1") (result i32) (global.get $post1)))
  (core instance $m (instantiate $M (with "" (instance
    (export "get0" (func $get0)) (export "get1" (func $get1))
    (export "set0" (func $set0)) (export "set1" (func $set1))))))
  (func (export "run") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "run-post"))))
  (func (export "peek") (result u32) (canon lift (core func $m "peek")))
  (func (export "before0") (result s32) (canon lift (core func $m "before0")))
  (func (export "before1") (result s32) (canon lift (core func $m "before1")))
  (func (export "post0") (result s32) (canon lift (core func $m "post0")))
  (func (export "post1") (result s32) (canon lift (core func $m "post1"))))`;

Deno.test("context.get/context.set: per-task storage, fresh for every call", async (t) => {
  const make = await component(CONTEXT);

  await t.step("a value set is read back later in the call and in its post-return", () => {
    const e = make();
    assert.equal(e.run(7, 9), 7009);
    assert.deepEqual([e.before0(), e.before1()], [0, 0]);
    assert.deepEqual([e.post0(), e.post1()], [7, 9]);
  });

  await t.step("a new call starts with storage [0, 0]", () => {
    const e = make();
    assert.equal(e.run(7, 9), 7009);
    assert.equal(e.run(3, 4), 3004);
    assert.deepEqual([e.before0(), e.before1()], [0, 0]);
    assert.deepEqual([e.post0(), e.post1()], [3, 4]);
    // another export's task does not see what run set either
    assert.equal(e.peek(), 0);
  });

  await t.step("slots hold 32-bit values: u32 max comes back as stored", () => {
    const e = make();
    assert.equal(e.run(0xffff_ffff, 0x8000_0000), (-1 * 1000 + -0x8000_0000) >>> 0);
    assert.deepEqual([e.post0(), e.post1()], [-1, -0x8000_0000]);
  });
});

// ---------------------------------------------------------------------------
// 2. backpressure.inc / backpressure.dec

const BACKPRESSURE = `(component
  (core func $inc (canon backpressure.inc))
  (core func $dec (canon backpressure.dec))
  (core func $ret (canon task.return (result u32)))
  (core module $M
    (import "" "inc" (func $inc))
    (import "" "dec" (func $dec))
    (import "" "ret" (func $ret (param i32)))
    (func (export "inc") (call $inc))
    (func (export "dec") (call $dec))
    (func (export "inc-n") (param $n i32)
      (loop $l
        (if (local.get $n) (then
          (call $inc)
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))))
    (func (export "one") (call $ret (i32.const 1))))
  (core instance $m (instantiate $M (with "" (instance
    (export "inc" (func $inc)) (export "dec" (func $dec)) (export "ret" (func $ret))))))
  (func (export "inc") (canon lift (core func $m "inc")))
  (func (export "dec") (canon lift (core func $m "dec")))
  (func (export "inc-n") (param "n" u32) (canon lift (core func $m "inc-n")))
  (func (export "one") async (result u32) (canon lift (core func $m "one") async)))`;

Deno.test("backpressure.inc/dec: a per-instance counter from 0 to 2^16 - 1", async (t) => {
  const make = await component(BACKPRESSURE);

  await t.step("dec below zero traps", () => {
    const e = make();
    assertTrap(() => e.dec(), UNDERFLOW);
    assertTrap(() => e.inc(), CANNOT_ENTER);
  });

  await t.step("inc then dec is fine; one dec more traps", () => {
    const e = make();
    assert.equal(e.inc(), undefined);
    assert.equal(e.inc(), undefined);
    assert.equal(e.dec(), undefined);
    assert.equal(e.dec(), undefined);
    assertTrap(() => e.dec(), UNDERFLOW);
  });

  await t.step("the counter lives across calls and is per instance", () => {
    const a = make();
    const b = make();
    a.inc();
    assertTrap(() => b.dec(), UNDERFLOW);
    assert.equal(a.dec(), undefined);
  });

  await t.step("2^16 - 1 is the largest value", () => {
    const e = make();
    e["inc-n"](0xffff);
    assertTrap(() => e.inc(), OVERFLOW);
  });

  await t.step("entering an async-typed export under backpressure would wait", () => {
    const e = make();
    assert.equal(e.one(), 1);
    e.inc();
    assertUnsupported(() => e.one(), /^entering an instance that applies backpressure would wait/);
    e.dec();
    assert.equal(e.one(), 1);
  });
});

// ---------------------------------------------------------------------------
// 3, 4. task.return: sync lifts, async stackful lifts

const TASK_RETURN = `(component
  ${MEMORY}
  (type $pt (record (field "x" u32) (field "y-pos" s8)))
  (type $v (variant (case "i" u32) (case "f" f32) (case "none")))
  (core func $ret-u32 (canon task.return (result u32)))
  (core func $ret-u32-mem (canon task.return (result u32) ${MEM}))
  (core func $ret-u64 (canon task.return (result u64)))
  (core func $ret-s32 (canon task.return (result s32)))
  (core func $ret-none (canon task.return))
  (core func $ret-pt (canon task.return (result $pt)))
  (core func $ret-pt2 (canon task.return (result (record (field "x" u32) (field "y" s8)))))
  (core func $ret-v (canon task.return (result $v)))
  (core func $ret-str (canon task.return (result string) ${MEM}))
  (core func $ret-str16 (canon task.return (result string) ${MEM} string-encoding=utf16))
  (core func $ret-big (canon task.return (result (tuple ${"u32 ".repeat(17)})) ${MEM}))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "ret-u32" (func $ret-u32 (param i32)))
    (import "" "ret-u32-mem" (func $ret-u32-mem (param i32)))
    (import "" "ret-u64" (func $ret-u64 (param i64)))
    (import "" "ret-s32" (func $ret-s32 (param i32)))
    (import "" "ret-none" (func $ret-none))
    (import "" "ret-pt" (func $ret-pt (param i32 i32)))
    (import "" "ret-pt2" (func $ret-pt2 (param i32 i32)))
    (import "" "ret-v" (func $ret-v (param i32 i32)))
    (import "" "ret-str" (func $ret-str (param i32 i32)))
    (import "" "ret-str16" (func $ret-str16 (param i32 i32)))
    (import "" "ret-big" (func $ret-big (param i32)))
    (data (i32.const 0x100) "hello")
    (global $after (mut i32) (i32.const 0))
    (func (export "sync-ret") (result i32) (call $ret-u32 (i32.const 5)) (i32.const 0))
    (func (export "u32") (call $ret-u32 (i32.const 42)))
    (func (export "double") (param i32) (call $ret-u32 (i32.mul (local.get 0) (i32.const 2))))
    ;; code after task.return still runs, before the call returns
    (func (export "then-more")
      (call $ret-u32 (i32.const 1))
      (global.set $after (i32.add (global.get $after) (i32.const 1))))
    (func (export "after") (result i32) (global.get $after))
    (func (export "twice") (call $ret-u32 (i32.const 1)) (call $ret-u32 (i32.const 2)))
    (func (export "never"))
    (func (export "wrong-u64") (call $ret-u64 (i64.const 1)))
    (func (export "wrong-s32") (call $ret-s32 (i32.const 1)))
    (func (export "wrong-none") (call $ret-none))
    (func (export "wrong-mem") (call $ret-u32-mem (i32.const 1)))
    (func (export "void") (call $ret-none))
    (func (export "void-u32") (call $ret-u32 (i32.const 1)))
    (func (export "pt") (call $ret-pt (i32.const 7) (i32.const 0x1ff)))
    (func (export "wrong-record") (call $ret-pt2 (i32.const 7) (i32.const 0)))
    (func (export "v") (param $d i32) (call $ret-v (local.get $d) (i32.const 0x40490fdb)))
    (func (export "str") (call $ret-str (i32.const 0x100) (i32.const 5)))
    (func (export "str16") (call $ret-str16 (i32.const 0x100) (i32.const 2)))
    (func (export "str-oob") (call $ret-str (i32.const 0xfffe) (i32.const 5)))
    ;; 17 u32s (more than 16 flat values): through a pointer to 1, 2, ..., 17
    (func (export "big") (param $p i32)
      (local $i i32)
      (loop $l
        (i32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
          (i32.add (local.get $i) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 17))))
      (call $ret-big (local.get $p)))
    (func (export "big-ptr") (param $p i32) (call $ret-big (local.get $p))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "ret-u32" (func $ret-u32)) (export "ret-u32-mem" (func $ret-u32-mem))
    (export "ret-u64" (func $ret-u64)) (export "ret-s32" (func $ret-s32))
    (export "ret-none" (func $ret-none)) (export "ret-pt" (func $ret-pt))
    (export "ret-pt2" (func $ret-pt2))
    (export "ret-v" (func $ret-v)) (export "ret-str" (func $ret-str))
    (export "ret-str16" (func $ret-str16)) (export "ret-big" (func $ret-big))))))
  (func (export "sync-ret") (result u32) (canon lift (core func $m "sync-ret")))
  (func (export "u32") async (result u32) (canon lift (core func $m "u32") async))
  (func (export "u32-mem") async (result u32) (canon lift (core func $m "u32") async ${MEM}))
  (func (export "double") async (param "x" u32) (result u32)
    (canon lift (core func $m "double") async))
  (func (export "then-more") async (result u32) (canon lift (core func $m "then-more") async))
  (func (export "after") (result u32) (canon lift (core func $m "after")))
  (func (export "twice") async (result u32) (canon lift (core func $m "twice") async))
  (func (export "never") async (result u32) (canon lift (core func $m "never") async))
  (func (export "wrong-u64") async (result u32) (canon lift (core func $m "wrong-u64") async))
  (func (export "wrong-s32") async (result u32) (canon lift (core func $m "wrong-s32") async))
  (func (export "wrong-none") async (result u32) (canon lift (core func $m "wrong-none") async))
  (func (export "wrong-mem") async (result u32) (canon lift (core func $m "wrong-mem") async))
  (func (export "void") async (canon lift (core func $m "void") async))
  (func (export "void-u32") async (canon lift (core func $m "void-u32") async))
  (func (export "pt") async (result (record (field "x" u32) (field "y-pos" s8)))
    (canon lift (core func $m "pt") async))
  (func (export "wrong-record") async (result (record (field "x" u32) (field "y-pos" s8)))
    (canon lift (core func $m "wrong-record") async))
  (func (export "v") async (param "d" u32) (result (variant (case "i" u32) (case "f" f32) (case "none")))
    (canon lift (core func $m "v") async))
  (func (export "str") async (result string) (canon lift (core func $m "str") async ${MEM}))
  (func (export "str16") async (result string) (canon lift (core func $m "str16") async ${MEM}))
  (func (export "str-oob") async (result string) (canon lift (core func $m "str-oob") async ${MEM}))
  (func (export "big") async (param "p" u32) (result (tuple ${"u32 ".repeat(17)}))
    (canon lift (core func $m "big") async ${MEM}))
  (func (export "big-ptr") async (param "p" u32) (result (tuple ${"u32 ".repeat(17)}))
    (canon lift (core func $m "big-ptr") async ${MEM})))`;

Deno.test("task.return from a task that was not lifted async traps", async () => {
  const e = fns(await instantiate(await wat(TASK_RETURN)));
  assertTrap(() => e["sync-ret"](), TASK_RETURN_SYNC);
  assertTrap(() => e.u32(), CANNOT_ENTER);
});

Deno.test("async stackful lifts: the host gets the task.return value", async (t) => {
  const make = await component(TASK_RETURN);

  await t.step("u32", () => {
    const e = make();
    assert.equal(e.u32(), 42);
    assert.equal(e.u32(), 42);
    assert.equal(e.double(21), 42);
    assert.equal(e.double(0x8000_0001), 2);
  });

  await t.step("the core function goes on after task.return, and the call waits for it", () => {
    const e = make();
    assert.equal(e["then-more"](), 1);
    assert.equal(e["then-more"](), 1);
    assert.equal(e.after(), 2);
  });

  await t.step("no result: task.return with no value", () => {
    const e = make();
    assert.equal(e.void(), undefined);
    assert.equal(e.void(), undefined);
  });

  await t.step("a record, lifted flat", () => {
    assert.deepEqual(make().pt(), { x: 7, yPos: -1 });
  });

  await t.step("a variant, its payloads joined in one i32 slot", () => {
    const e = make();
    assert.deepEqual(e.v(0), { tag: "i", val: 0x40490fdb });
    assert.deepEqual(e.v(1), { tag: "f", val: Math.fround(Math.PI) });
    assert.deepEqual(e.v(2), { tag: "none" });
    assertTrap(() => e.v(3), "invalid variant discriminant");
  });

  await t.step("a string, from the lift's memory", () => {
    const e = make();
    assert.equal(e.str(), "hello");
    assertTrap(() => make()["str-oob"](), "string pointer/length out of bounds of memory");
  });

  await t.step("more than 16 flat values: through a pointer", () => {
    const e = make();
    const want = Array.from({ length: 17 }, (_, i) => i + 1);
    assert.deepEqual(e.big(0x200), want);
    assertTrap(() => make()["big-ptr"](0x202), "unaligned pointer");
    // 17 × 4 = 68 bytes from 0xffc0 end 4 bytes past the 64 KiB memory
    assertTrap(() => make()["big-ptr"](0xffc0), "pointer out of bounds of memory");
    assert.deepEqual(make()["big-ptr"](0xffbc), new Array(17).fill(0));
  });
});

Deno.test("async stackful lifts: task.return's rules", async (t) => {
  const make = await component(TASK_RETURN);

  await t.step("called twice", () => {
    const e = make();
    assertTrap(() => e.twice(), TASK_RETURN_TWICE);
    assertTrap(() => e.u32(), CANNOT_ENTER);
  });

  await t.step("never called", () => {
    const e = make();
    assertTrap(() => e.never(), NO_RESULT);
    assertTrap(() => e.u32(), CANNOT_ENTER);
  });

  for (const name of ["wrong-u64", "wrong-s32", "wrong-none", "void-u32", "wrong-record"]) {
    await t.step(`a result type other than the function's (${name})`, () => {
      assertTrap(() => make()[name](), TASK_RETURN_TYPE);
    });
  }

  await t.step(
    "a task.return naming no memory returns from a lift naming one (as Wasmtime)",
    () => {
      assert.equal(make()["u32-mem"](), 42);
    },
  );

  await t.step("options other than the lift's: a memory the lift does not name", () => {
    assertTrap(() => make()["wrong-mem"](), TASK_RETURN_OPTIONS);
  });

  await t.step("options other than the lift's: another string encoding", () => {
    assertTrap(() => make().str16(), TASK_RETURN_OPTIONS);
  });
});

// ---------------------------------------------------------------------------
// 5. async lifts with a callback

const CALLBACK = `(component
  (core func $ret (canon task.return (result u32)))
  (core func $ws-new (canon waitable-set.new))
  (core module $M
    (import "" "ret" (func $ret (param i32)))
    (import "" "ws-new" (func $ws-new (result i32)))
    (global $calls (mut i32) (i32.const 0))
    (global $code (mut i32) (i32.const 0))
    (func (export "exit") (param $x i32) (result i32)
      (call $ret (i32.add (local.get $x) (i32.const 11)))
      (i32.const 0 (; EXIT ;)))
    (func (export "exit-no-result") (result i32) (i32.const 0))
    (func (export "yield") (result i32) (i32.const 1 (; YIELD ;)))
    ;; every event must be (0, 0, 0); yields once more, then returns 20 + calls
    (func (export "cb") (param $e i32) (param $p1 i32) (param $p2 i32) (result i32)
      (if (i32.or (local.get $e) (i32.or (local.get $p1) (local.get $p2))) (then unreachable))
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (if (i32.lt_u (global.get $calls) (i32.const 2)) (then (return (i32.const 1))))
      (call $ret (i32.add (i32.const 20) (global.get $calls)))
      (i32.const 0))
    (func (export "calls") (result i32) (global.get $calls))
    ;; returns the code given to "set-code"
    (func (export "code") (result i32) (global.get $code))
    (func (export "set-code") (param i32) (global.set $code (local.get 0)))
    (func (export "yield-then-code") (result i32) (i32.const 1))
    (func (export "cb-code") (param i32 i32 i32) (result i32) (global.get $code))
    (func (export "wait-new") (result i32)
      (i32.or (i32.shl (call $ws-new) (i32.const 4)) (i32.const 2 (; WAIT ;))))
    (func (export "never-called") (param i32 i32 i32) (result i32) unreachable))
  (core instance $m (instantiate $M (with "" (instance
    (export "ret" (func $ret)) (export "ws-new" (func $ws-new))))))
  (func (export "exit") async (param "x" u32) (result u32)
    (canon lift (core func $m "exit") async (callback (core func $m "never-called"))))
  (func (export "exit-no-result") async (result u32)
    (canon lift (core func $m "exit-no-result") async (callback (core func $m "never-called"))))
  (func (export "yield") async (result u32)
    (canon lift (core func $m "yield") async (callback (core func $m "cb"))))
  (func (export "calls") (result u32) (canon lift (core func $m "calls")))
  (func (export "set-code") (param "c" u32) (canon lift (core func $m "set-code")))
  (func (export "code") async (result u32)
    (canon lift (core func $m "code") async (callback (core func $m "never-called"))))
  (func (export "yield-then-code") async (result u32)
    (canon lift (core func $m "yield-then-code") async (callback (core func $m "cb-code"))))
  (func (export "wait-new") async (result u32)
    (canon lift (core func $m "wait-new") async (callback (core func $m "never-called")))))`;

Deno.test("async lifts with a callback: EXIT, YIELD and the codes that trap", async (t) => {
  const make = await component(CALLBACK);

  await t.step("EXIT (0) after task.return: the callback is never called", () => {
    const e = make();
    assert.equal(e.exit(1), 12);
    assert.equal(e.exit(31), 42);
  });

  await t.step("EXIT without task.return traps", () => {
    assertTrap(() => make()["exit-no-result"](), NO_RESULT);
  });

  await t.step("YIELD (1): the callback runs with event (0, 0, 0) until it exits", () => {
    const e = make();
    assert.equal(e.calls(), 0);
    assert.equal(e.yield(), 22);
    assert.equal(e.calls(), 2);
  });

  for (const code of [3, 5, 15]) {
    await t.step(`an unknown code (${code}) from the core function traps`, () => {
      const e = make();
      e["set-code"](code);
      assertTrap(() => e.code(), `unsupported callback code ${code}`);
    });
  }

  await t.step("an unknown code from the callback traps", () => {
    const e = make();
    e["set-code"](0x15); // code 5, waitable set 1
    assertTrap(() => e["yield-then-code"](), "unsupported callback code 5");
  });

  await t.step("WAIT (2) on an unknown waitable set traps", () => {
    const e = make();
    e["set-code"](0x72);
    assertTrap(() => e.code(), "unknown handle index 7");
  });

  await t.step("YIELD (1) forever waits for a concurrent task: refused, not a hang", () => {
    const e = make();
    e["set-code"](1);
    assertUnsupported(
      () => e["yield-then-code"](),
      /^an async callback yielded 1000000 times in a row, waiting for a task that would run concurrently/,
      "async",
    );
  });

  await t.step("WAIT (2) on an empty waitable set would block", () => {
    assertUnsupported(
      () => make()["wait-new"](),
      /^an async callback waiting on a waitable set would block/,
      "async",
    );
  });
});

// ---------------------------------------------------------------------------
// 6. async lowers of host imports

const ASYNC_LOWER = `(component
  (import "add" (func $add async (param "a" u32) (param "b" u32) (result u32)))
  (import "sum4" (func $sum4 async (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32)
    (result u32)))
  (import "sum5" (func $sum5 async (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32)
    (param "e" u32) (result u32)))
  (import "note" (func $note async (param "x" u32)))
  (import "pair" (func $pair async (result (tuple u8 u64))))
  ${MEMORY}
  (core func $add (canon lower (func $add) async ${MEM}))
  (core func $sum4 (canon lower (func $sum4) async ${MEM}))
  (core func $sum5 (canon lower (func $sum5) async ${MEM}))
  (core func $note (canon lower (func $note) async))
  (core func $pair (canon lower (func $pair) async ${MEM}))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "add" (func $add (param i32 i32 i32) (result i32)))
    (import "" "sum4" (func $sum4 (param i32 i32 i32 i32 i32) (result i32)))
    (import "" "sum5" (func $sum5 (param i32 i32) (result i32)))
    (import "" "note" (func $note (param i32) (result i32)))
    (import "" "pair" (func $pair (param i32) (result i32)))
    (func (export "add") (param i32 i32 i32) (result i32)
      (call $add (local.get 0) (local.get 1) (local.get 2)))
    (func (export "sum4") (param i32 i32 i32 i32) (result i32)
      (call $sum4 (local.get 0) (local.get 1) (local.get 2) (local.get 3) (i32.const 0x20)))
    ;; five parameters (more than 4 flat values): written at 0x100, passed by pointer
    (func (export "sum5") (param i32 i32 i32 i32 i32) (result i32)
      (i32.store (i32.const 0x100) (local.get 0))
      (i32.store (i32.const 0x104) (local.get 1))
      (i32.store (i32.const 0x108) (local.get 2))
      (i32.store (i32.const 0x10c) (local.get 3))
      (i32.store (i32.const 0x110) (local.get 4))
      (call $sum5 (i32.const 0x100) (i32.const 0x20)))
    (func (export "sum5-at") (param i32) (result i32) (call $sum5 (local.get 0) (i32.const 0x20)))
    (func (export "note") (param i32) (result i32) (call $note (local.get 0)))
    (func (export "pair") (result i32)
      (memory.fill (i32.const 0x40) (i32.const 0xaa) (i32.const 16))
      (if (i32.ne (call $pair (i32.const 0x40)) (i32.const 2)) (then unreachable))
      (i32.const 0x40))
    (func (export "load32") (param i32) (result i32) (i32.load (local.get 0))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "add" (func $add)) (export "sum4" (func $sum4)) (export "sum5" (func $sum5))
    (export "note" (func $note)) (export "pair" (func $pair))))))
  (func (export "add") (param "a" u32) (param "b" u32) (param "ret" u32) (result u32)
    (canon lift (core func $m "add")))
  (func (export "sum4") (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32)
    (result u32) (canon lift (core func $m "sum4")))
  (func (export "sum5") (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32)
    (param "e" u32) (result u32) (canon lift (core func $m "sum5")))
  (func (export "sum5-at") (param "p" u32) (result u32) (canon lift (core func $m "sum5-at")))
  (func (export "note") (param "x" u32) (result u32) (canon lift (core func $m "note")))
  (func (export "pair") (result (tuple u8 u64)) (canon lift (core func $m "pair") ${MEM}))
  (func (export "load32") (param "p" u32) (result u32) (canon lift (core func $m "load32"))))`;

Deno.test("async lowers of host imports: the subtask has RETURNED, results in memory", async (t) => {
  const calls: unknown[][] = [];
  const make = await component(ASYNC_LOWER, {
    add: (a: number, b: number) => (calls.push(["add", a, b]), (a + b) >>> 0),
    sum4: (
      ...a: number[]
    ) => (calls.push(["sum4", ...a]), a[0] + 10 * a[1] + 100 * a[2] + 1000 * a[3]),
    sum5: (...a: number[]) => (
      calls.push(["sum5", ...a]), a[0] + 10 * a[1] + 100 * a[2] + 1000 * a[3] + 10000 * a[4]
    ),
    note: (x: number) => void calls.push(["note", x]),
    pair: () => (calls.push(["pair"]), [200, 2n ** 64n - 1n]),
  });

  await t.step("the core call returns 2 (RETURNED); the result is at the return pointer", () => {
    calls.length = 0;
    const e = make();
    assert.equal(e.add(2, 40, 0x10), 2);
    assert.equal(e.load32(0x10), 42);
    assert.equal(e.add(0xffff_ffff, 3, 0x14), 2);
    assert.equal(e.load32(0x14), 2);
    assert.deepEqual(calls, [["add", 2, 40], ["add", 0xffff_ffff, 3]]);
  });

  await t.step("no result: no return pointer, still RETURNED", () => {
    calls.length = 0;
    assert.equal(make().note(9), 2);
    assert.deepEqual(calls, [["note", 9]]);
  });

  await t.step("4 flat parameters are passed flat", () => {
    calls.length = 0;
    const e = make();
    assert.equal(e.sum4(1, 2, 3, 4), 2);
    assert.equal(e.load32(0x20), 4321);
    assert.deepEqual(calls, [["sum4", 1, 2, 3, 4]]);
  });

  await t.step("5 flat parameters (more than 4) go through memory", () => {
    calls.length = 0;
    const e = make();
    assert.equal(e.sum5(1, 2, 3, 4, 5), 2);
    assert.equal(e.load32(0x20), 54321);
    assert.deepEqual(calls, [["sum5", 1, 2, 3, 4, 5]]);
  });

  await t.step("the parameter pointer is checked before the host is called", () => {
    calls.length = 0;
    assertTrap(() => make()["sum5-at"](0x102), "unaligned pointer");
    assertTrap(() => make()["sum5-at"](0xfff0), "pointer out of bounds of memory");
    assert.deepEqual(calls, []);
  });

  await t.step("a tuple result stored with its layout (u8 at 0, u64 at 8)", () => {
    calls.length = 0;
    const e = make();
    assert.deepEqual(e.pair(), [200, 2n ** 64n - 1n]);
    assert.equal((e.load32(0x40) as number) & 0xff, 200);
    assert.equal(e.load32(0x48), 0xffff_ffff);
    assert.equal(e.load32(0x4c), 0xffff_ffff);
    assert.deepEqual(calls, [["pair"]]);
  });

  await t.step("the return pointer is checked after the host call", () => {
    calls.length = 0;
    assertTrap(() => make().add(1, 2, 0x11), "unaligned pointer");
    assertTrap(() => make().add(1, 2, 0x1_0000), "pointer out of bounds of memory");
    assert.deepEqual(calls, [["add", 1, 2], ["add", 1, 2]]);
    // the last 4 bytes of the memory are fine
    const e = make();
    assert.equal(e.add(1, 2, 0xfffc), 2);
    assert.equal(e.load32(0xfffc), 3);
  });
});

// ---------------------------------------------------------------------------
// 7. composed components: adapters into async lifts and task-using callees

const COMPOSED = `(component
  (component $C
    (type $mix' (variant (case "f" f32) (case "l" u64)))
    (export $mix "mix-t" (type $mix'))
    (core func $ret-u32 (canon task.return (result u32)))
    (core func $ret-mix (canon task.return (result $mix)))
    (core func $get0 (canon context.get i32 0))
    (core func $set0 (canon context.set i32 0))
    (core func $index (canon thread.index))
    (core module $M
      (import "" "ret-u32" (func $ret-u32 (param i32)))
      (import "" "ret-mix" (func $ret-mix (param i32 i64)))
      (import "" "get0" (func $get0 (result i32)))
      (import "" "set0" (func $set0 (param i32)))
      (import "" "index" (func $index (result i32)))
      (func (export "add") (param i32 i32)
        (call $ret-u32 (i32.add (local.get 0) (local.get 1))))
      (func (export "mix-ret") (param $l i32)
        (if (local.get $l)
          (then (call $ret-mix (i32.const 1) (i64.const 0xfedcba9876543210)))
          ;; f32 bits travel in the low half of the i64 join slot; high bits dropped
          (else (call $ret-mix (i32.const 0) (i64.const 0xffffffff40490fdb)))))
      ;; the slot's old value * 1000 + the new one
      (func (export "bump") (param $v i32) (result i32)
        (local $old i32)
        (local.set $old (call $get0))
        (call $set0 (local.get $v))
        (i32.add (i32.mul (local.get $old) (i32.const 1000)) (call $get0)))
      (func (export "add-cb") (param i32 i32) (result i32)
        (call $ret-u32 (i32.add (i32.add (local.get 0) (local.get 1)) (i32.const 100)))
        (i32.const 0))
      (func (export "never-called") (param i32 i32 i32) (result i32) unreachable)
      (func (export "index") (result i32) (call $index)))
    (core instance $m (instantiate $M (with "" (instance
      (export "ret-u32" (func $ret-u32)) (export "ret-mix" (func $ret-mix))
      (export "get0" (func $get0)) (export "set0" (func $set0))
      (export "index" (func $index))))))
    (func (export "add") async (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $m "add") async))
    (func (export "mix-ret") async (param "l" bool) (result $mix)
      (canon lift (core func $m "mix-ret") async))
    (func (export "bump") (param "v" u32) (result u32) (canon lift (core func $m "bump")))
    (func (export "add-cb") async (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $m "add-cb") async (callback (core func $m "never-called"))))
    (func (export "index") (result u32) (canon lift (core func $m "index"))))
  (component $D
    (import "c" (instance $c
      (type $mix' (variant (case "f" f32) (case "l" u64)))
      (export "mix-t" (type $mix (eq $mix')))
      (export "add" (func async (param "a" u32) (param "b" u32) (result u32)))
      (export "mix-ret" (func async (param "l" bool) (result $mix)))
      (export "bump" (func (param "v" u32) (result u32)))
      (export "add-cb" (func async (param "a" u32) (param "b" u32) (result u32)))
      (export "index" (func (result u32)))))
    ${MEMORY}
    (core func $add-async (canon lower (func $c "add") async ${MEM}))
    (core func $add-sync (canon lower (func $c "add")))
    (core func $mix-async (canon lower (func $c "mix-ret") async ${MEM}))
    (core func $mix-sync (canon lower (func $c "mix-ret") ${MEM}))
    (core func $bump (canon lower (func $c "bump")))
    (core func $add-cb-async (canon lower (func $c "add-cb") async ${MEM}))
    (core func $add-cb-sync (canon lower (func $c "add-cb")))
    (core func $c-index (canon lower (func $c "index")))
    (core func $get0 (canon context.get i32 0))
    (core func $set0 (canon context.set i32 0))
    (core func $index (canon thread.index))
    (core module $Main
      (import "" "mem" (memory 1))
      (import "" "add-async" (func $add-async (param i32 i32 i32) (result i32)))
      (import "" "add-sync" (func $add-sync (param i32 i32) (result i32)))
      (import "" "mix-async" (func $mix-async (param i32 i32) (result i32)))
      (import "" "mix-sync" (func $mix-sync (param i32 i32)))
      (import "" "bump" (func $bump (param i32) (result i32)))
      (import "" "add-cb-async" (func $add-cb-async (param i32 i32 i32) (result i32)))
      (import "" "add-cb-sync" (func $add-cb-sync (param i32 i32) (result i32)))
      (import "" "c-index" (func $c-index (result i32)))
      (import "" "get0" (func $get0 (result i32)))
      (import "" "set0" (func $set0 (param i32)))
      (import "" "index" (func $index (result i32)))
      (global $code (mut i32) (i32.const -1))
      (func (export "add-async") (param i32 i32) (result i32)
        (global.set $code (call $add-async (local.get 0) (local.get 1) (i32.const 16)))
        (i32.load (i32.const 16)))
      (func (export "add-sync") (param i32 i32) (result i32)
        (call $add-sync (local.get 0) (local.get 1)))
      (func (export "add-cb-async") (param i32 i32) (result i32)
        (global.set $code (call $add-cb-async (local.get 0) (local.get 1) (i32.const 20)))
        (i32.load (i32.const 20)))
      (func (export "add-cb-sync") (param i32 i32) (result i32)
        (call $add-cb-sync (local.get 0) (local.get 1)))
      (func (export "code") (result i32) (global.get $code))
      (func (export "ret-f32") (result i32)
        (memory.fill (i32.const 32) (i32.const 0xaa) (i32.const 16))
        (if (i32.ne (call $mix-async (i32.const 0) (i32.const 32)) (i32.const 2 (; RETURNED ;)))
          (then unreachable))
        (if (i32.ne (i32.load8_u (i32.const 32)) (i32.const 0)) (then unreachable))
        (i32.load offset=8 (i32.const 32)))
      (func (export "ret-u64") (result i64)
        (if (i32.ne (call $mix-async (i32.const 1) (i32.const 48)) (i32.const 2 (; RETURNED ;)))
          (then unreachable))
        (if (i32.ne (i32.load8_u (i32.const 48)) (i32.const 1)) (then unreachable))
        (i64.load offset=8 (i32.const 48)))
      ;; a sync lower of the async lift: 2 flat results, through the return pointer
      (func (export "ret-f32-sync") (result i32)
        (call $mix-sync (i32.const 0) (i32.const 64))
        (if (i32.ne (i32.load8_u (i32.const 64)) (i32.const 0)) (then unreachable))
        (i32.load offset=8 (i32.const 64)))
      ;; D's slot 0 is 77 around two calls of C's bump, each of which sees a fresh slot
      (func (export "bump-twice") (result i32)
        (local $r1 i32) (local $r2 i32)
        (call $set0 (i32.const 77))
        (local.set $r1 (call $bump (i32.const 5)))
        (local.set $r2 (call $bump (i32.const 6)))
        (i32.add (i32.add (i32.mul (local.get $r1) (i32.const 1000000))
          (i32.mul (local.get $r2) (i32.const 1000))) (call $get0)))
      (func (export "indices") (result i32)
        (i32.add (i32.mul (call $index) (i32.const 10)) (call $c-index))))
    (core instance $main (instantiate $Main (with "" (instance
      (export "mem" (memory $mem "mem"))
      (export "add-async" (func $add-async)) (export "add-sync" (func $add-sync))
      (export "mix-async" (func $mix-async)) (export "mix-sync" (func $mix-sync))
      (export "bump" (func $bump))
      (export "add-cb-async" (func $add-cb-async)) (export "add-cb-sync" (func $add-cb-sync))
      (export "c-index" (func $c-index))
      (export "get0" (func $get0)) (export "set0" (func $set0)) (export "index" (func $index))))))
    (func (export "add-async") async (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $main "add-async")))
    (func (export "add-sync") async (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $main "add-sync")))
    (func (export "add-cb-async") async (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $main "add-cb-async")))
    (func (export "add-cb-sync") async (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $main "add-cb-sync")))
    (func (export "code") async (result u32) (canon lift (core func $main "code")))
    (func (export "ret-f32") async (result u32) (canon lift (core func $main "ret-f32")))
    (func (export "ret-u64") async (result u64) (canon lift (core func $main "ret-u64")))
    (func (export "ret-f32-sync") async (result u32) (canon lift (core func $main "ret-f32-sync")))
    (func (export "bump-twice") async (result u32) (canon lift (core func $main "bump-twice")))
    (func (export "indices") async (result u32) (canon lift (core func $main "indices"))))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D (with "c" (instance $c))))
  (func (export "c-add") (alias export $c "add"))
  (func (export "c-bump") (alias export $c "bump"))
  (func (export "add-async") (alias export $d "add-async"))
  (func (export "add-sync") (alias export $d "add-sync"))
  (func (export "add-cb-async") (alias export $d "add-cb-async"))
  (func (export "add-cb-sync") (alias export $d "add-cb-sync"))
  (func (export "code") (alias export $d "code"))
  (func (export "ret-f32") (alias export $d "ret-f32"))
  (func (export "ret-u64") (alias export $d "ret-u64"))
  (func (export "ret-f32-sync") (alias export $d "ret-f32-sync"))
  (func (export "bump-twice") (alias export $d "bump-twice"))
  (func (export "indices") (alias export $d "indices")))`;

Deno.test("composed components: adapters into async lifts and task-using callees", async (t) => {
  const c = await compile(await wat(COMPOSED));
  // the adapters into C's async lifts run on the host; its sync lifts (bump, index) are
  // fused adapters that open a call scope (C uses task built-ins)
  const adapters = c.translation.dfg.adapters;
  assert.equal(adapters.length, 8);
  assert.equal(adapters.filter((a) => a.host === true).length, 6);
  assert.equal(adapters.filter((a) => a.scoped === true).length, 2);
  assert.equal(c.translation.adapterModules.flatMap((m) => m.adapters).length, 2);
  const make = () => fns(c.instantiate());

  await t.step("the host calls C's async lift directly", () => {
    assert.equal(make()["c-add"](40, 2), 42);
  });

  await t.step("an async lower: RETURNED, the result in the caller's memory", () => {
    const e = make();
    assert.equal(e.code(), 0xffff_ffff);
    assert.equal(e["add-async"](40, 2), 42);
    assert.equal(e.code(), 2);
    assert.equal(e["add-async"](0xffff_ffff, 2), 1);
  });

  await t.step("a sync lower of an async lift: the flat result", () => {
    const e = make();
    assert.equal(e["add-sync"](40, 2), 42);
    assert.equal(e["add-sync"](7, 8), 15);
  });

  await t.step("a variant result: joined i64 slot, f32 bits in the low half (ret-f32)", () => {
    const e = make();
    assert.equal(e["ret-f32"](), 0x40490fdb);
    assert.equal(e["ret-u64"](), 0xfedcba9876543210n);
    assert.equal(e["ret-f32-sync"](), 0x40490fdb);
  });

  await t.step("a callback lift, lowered async and sync", () => {
    const e = make();
    assert.equal(e["add-cb-async"](1, 2), 103);
    assert.equal(e.code(), 2);
    assert.equal(e["add-cb-sync"](3, 4), 107);
  });

  await t.step("a sync adapter into a callee that uses context.get/set: fresh storage", () => {
    const e = make();
    assert.equal(e["bump-twice"](), 5_006_077);
    assert.equal(e["bump-twice"](), 5_006_077);
    assert.equal(e["c-bump"](9), 9);
  });

  await t.step("each instance has its own thread table: 1 in D and 1 in C", () => {
    const e = make();
    assert.equal(e.indices(), 11);
    assert.equal(e.indices(), 11);
  });
});

// ---------------------------------------------------------------------------
// 8. thread.index and thread.yield

const THREADS = `(component
  (core func $index (canon thread.index))
  (core func $yield (canon thread.yield))
  (core func $ret (canon task.return (result u32)))
  (core module $M
    (import "" "index" (func $index (result i32)))
    (import "" "yield" (func $yield (result i32)))
    (import "" "ret" (func $ret (param i32)))
    (global $post (mut i32) (i32.const -1))
    (func (export "index") (result i32) (call $index))
    (func (export "yield") (result i32) (call $yield))
    ;; the index before and after a yield: 1 * 10 + 1
    (func (export "yield-index") (result i32)
      (local $i i32)
      (local.set $i (call $index))
      (drop (call $yield))
      (i32.add (i32.mul (local.get $i) (i32.const 10)) (call $index)))
    (func (export "async-index") (call $ret (i32.add (call $index) (i32.const 100)))))
  (core instance $m (instantiate $M (with "" (instance
    (export "index" (func $index)) (export "yield" (func $yield)) (export "ret" (func $ret))))))
  (func (export "index") (result u32) (canon lift (core func $m "index")))
  (func (export "yield") (result u32) (canon lift (core func $m "yield")))
  (func (export "yield-index") (result u32) (canon lift (core func $m "yield-index")))
  (func (export "async-index") async (result u32)
    (canon lift (core func $m "async-index") async)))`;

Deno.test("thread.index and thread.yield", async (t) => {
  const make = await component(THREADS);

  await t.step("thread.index is 1 in a task, and 1 again in the next task", () => {
    const e = make();
    assert.equal(e.index(), 1);
    assert.equal(e.index(), 1);
    assert.equal(e["async-index"](), 101);
    assert.equal(e.index(), 1);
  });

  await t.step("thread.yield returns 0 (not cancelled) at once", () => {
    const e = make();
    assert.equal(e.yield(), 0);
    assert.equal(e["yield-index"](), 11);
  });
});

// ---------------------------------------------------------------------------
// 9. waitable sets, waitables, subtasks and task.cancel

const WAITABLES = `(component
  ${MEMORY}
  (type $R (resource (rep i32)))
  (core func $new (canon waitable-set.new))
  (core func $poll (canon waitable-set.poll ${MEM}))
  (core func $drop (canon waitable-set.drop))
  (core func $join (canon waitable.join))
  (core func $subtask-drop (canon subtask.drop))
  (core func $subtask-cancel (canon subtask.cancel async))
  (core func $task-cancel (canon task.cancel))
  (core func $resource-new (canon resource.new $R))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "new" (func $new (result i32)))
    (import "" "poll" (func $poll (param i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "subtask-drop" (func $subtask-drop (param i32)))
    (import "" "subtask-cancel" (func $subtask-cancel (param i32) (result i32)))
    (import "" "task-cancel" (func $task-cancel))
    (import "" "resource-new" (func $resource-new (param i32) (result i32)))
    (func (export "new") (result i32) (call $new))
    ;; fills the 8 bytes at p with 0xff first
    (func (export "poll") (param $h i32) (param $p i32) (result i32)
      (if (i32.le_u (local.get $p) (i32.const 0xfff8))
        (then (memory.fill (local.get $p) (i32.const 0xff) (i32.const 8))))
      (call $poll (local.get $h) (local.get $p)))
    (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
    (func (export "drop") (param i32) (call $drop (local.get 0)))
    (func (export "join") (param i32 i32) (call $join (local.get 0) (local.get 1)))
    (func (export "subtask-drop") (param i32) (call $subtask-drop (local.get 0)))
    (func (export "subtask-cancel") (param i32) (result i32) (call $subtask-cancel (local.get 0)))
    (func (export "task-cancel") (call $task-cancel))
    (func (export "resource-new") (param i32) (result i32) (call $resource-new (local.get 0))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "new" (func $new)) (export "poll" (func $poll)) (export "drop" (func $drop))
    (export "join" (func $join)) (export "subtask-drop" (func $subtask-drop))
    (export "subtask-cancel" (func $subtask-cancel)) (export "task-cancel" (func $task-cancel))
    (export "resource-new" (func $resource-new))))))
  (func (export "new") (result u32) (canon lift (core func $m "new")))
  (func (export "poll") (param "h" u32) (param "p" u32) (result u32)
    (canon lift (core func $m "poll")))
  (func (export "load32") (param "p" u32) (result u32) (canon lift (core func $m "load32")))
  (func (export "drop") (param "h" u32) (canon lift (core func $m "drop")))
  (func (export "join") (param "w" u32) (param "s" u32) (canon lift (core func $m "join")))
  (func (export "subtask-drop") (param "i" u32) (canon lift (core func $m "subtask-drop")))
  (func (export "subtask-cancel") (param "i" u32) (result u32)
    (canon lift (core func $m "subtask-cancel")))
  (func (export "task-cancel-sync") (canon lift (core func $m "task-cancel")))
  (func (export "task-cancel-async") async (canon lift (core func $m "task-cancel") async))
  (func (export "resource-new") (param "rep" u32) (result u32)
    (canon lift (core func $m "resource-new"))))`;

Deno.test("waitable sets, waitables and subtasks", async (t) => {
  const make = await component(WAITABLES);

  await t.step("waitable-set.new: handles from 1, in the instance's handle table", () => {
    const e = make();
    assert.equal(e.new(), 1);
    assert.equal(e.new(), 2);
    assert.equal(e["resource-new"](7), 3);
    e.drop(1);
    assert.equal(e.new(), 1);
  });

  await t.step("waitable-set.poll: no event, (0, 0) stored at the pointer", () => {
    const e = make();
    const h = e.new();
    assert.equal(h, 1);
    assert.equal(e.poll(h, 0x100), 0);
    assert.equal(e.load32(0x100), 0);
    assert.equal(e.load32(0x104), 0);
    assert.equal(e.poll(h, 0xfff8), 0);
  });

  await t.step("waitable-set.poll checks the pointer", () => {
    const e = make();
    e.new();
    assertTrap(() => e.poll(1, 0x102), "unaligned pointer");
    const f = make();
    f.new();
    assertTrap(() => f.poll(1, 0xfffc), "pointer out of bounds of memory");
  });

  await t.step("waitable-set.drop, then using the set again traps", () => {
    const e = make();
    const h = e.new();
    assert.equal(e.drop(h), undefined);
    assertTrap(() => e.poll(1, 0x100), "unknown handle index 1");
    const f = make();
    f.new();
    f.drop(1);
    assertTrap(() => f.drop(1), "unknown handle index 1");
  });

  await t.step("poll and drop of a handle that is not a waitable set trap", () => {
    const e = make();
    assertTrap(() => e.poll(0, 0x100), "unknown handle index 0");
    const f = make();
    assert.equal(f["resource-new"](7), 1);
    assertTrap(
      () => f.drop(1),
      "handle index 1 used with the wrong type, expected waitable set but found guest-defined resource",
    );
  });

  await t.step("waitable.join of a waitable set: not a waitable", () => {
    const e = make();
    const h = e.new();
    assertTrap(
      () => e.join(h, 0),
      "handle index 1 used with the wrong type, expected waitable but found waitable set",
    );
    assertTrap(() => make().join(4, 0), "unknown handle index 4");
  });

  await t.step("subtask.drop and subtask.cancel: no subtask ever exists", () => {
    assertTrap(() => make()["subtask-drop"](5), "unknown handle index 5");
    assertTrap(() => make()["subtask-cancel"](5), "unknown handle index 5");
    const e = make();
    e.new();
    assertTrap(
      () => e["subtask-drop"](1),
      "handle index 1 used with the wrong type, expected subtask but found waitable set",
    );
  });

  await t.step("task.cancel: from a sync task, and with no cancellation requested", () => {
    assertTrap(() => make()["task-cancel-sync"](), TASK_CANCEL_SYNC);
    assertTrap(() => make()["task-cancel-async"](), TASK_CANCEL_UNREQUESTED);
  });
});

// ---------------------------------------------------------------------------
// 10. what would block or needs streams and futures

const UNSUPPORTED = `(component
  ${MEMORY}
  (type $st (stream u8))
  (type $fu (future u32))
  (core func $stream-new (canon stream.new $st))
  (core func $future-new (canon future.new $fu))
  (core func $ws-new (canon waitable-set.new))
  (core func $wait (canon waitable-set.wait ${MEM}))
  (core module $M
    (import "" "stream-new" (func $stream-new (result i64)))
    (import "" "future-new" (func $future-new (result i64)))
    (import "" "ws-new" (func $ws-new (result i32)))
    (import "" "wait" (func $wait (param i32 i32) (result i32)))
    (func (export "stream-new") (drop (call $stream-new)))
    (func (export "future-new") (drop (call $future-new)))
    (func (export "wait-new") (result i32) (call $wait (call $ws-new) (i32.const 0x100)))
    (func (export "wait") (param i32) (result i32) (call $wait (local.get 0) (i32.const 0x100))))
  (core instance $m (instantiate $M (with "" (instance
    (export "stream-new" (func $stream-new)) (export "future-new" (func $future-new))
    (export "ws-new" (func $ws-new)) (export "wait" (func $wait))))))
  (func (export "stream-new") (canon lift (core func $m "stream-new")))
  (func (export "future-new") (canon lift (core func $m "future-new")))
  (func (export "wait-new") (result u32) (canon lift (core func $m "wait-new")))
  (func (export "wait") (param "h" u32) (result u32) (canon lift (core func $m "wait"))))`;

Deno.test("streams, futures and waiting in a synchronous task", async (t) => {
  const make = await component(UNSUPPORTED);

  await t.step("stream.new and future.new work (copies: tests/runtime/streams_test.ts)", () => {
    const e = make();
    assert.equal(e["stream-new"](), undefined);
    assert.equal(e["future-new"](), undefined);
  });

  await t.step("waitable-set.wait on an empty set would block a sync task: it traps", () => {
    assertTrap(() => make()["wait-new"](), "cannot block a synchronous task before returning");
  });

  await t.step("waitable-set.wait in a sync task traps before it looks at its handle", () => {
    // (Wasmtime's order, which the suite's trap-if-block-and-sync.wast checks)
    assertTrap(() => make().wait(3), "cannot block a synchronous task before returning");
  });
});

// ---------------------------------------------------------------------------
// 11. task built-ins in a post-return

/** The built-ins a post-return calls, one export each. */
const POST_RETURN_BUILTINS = [
  "task.return",
  "waitable-set.new",
  "waitable-set.poll",
  "thread.index",
  "thread.yield",
  "task.cancel",
  "context.get",
  "context.set",
  "backpressure.inc",
];

const POST_RETURN = `(component
  ${MEMORY}
  (core func $ret (canon task.return (result u32)))
  (core func $ws-new (canon waitable-set.new))
  (core func $poll (canon waitable-set.poll ${MEM}))
  (core func $index (canon thread.index))
  (core func $yield (canon thread.yield))
  (core func $task-cancel (canon task.cancel))
  (core func $get0 (canon context.get i32 0))
  (core func $set0 (canon context.set i32 0))
  (core func $inc (canon backpressure.inc))
  (core func $dec (canon backpressure.dec))
  (core module $M
    (import "" "ret" (func $ret (param i32)))
    (import "" "ws-new" (func $ws-new (result i32)))
    (import "" "poll" (func $poll (param i32 i32) (result i32)))
    (import "" "index" (func $index (result i32)))
    (import "" "yield" (func $yield (result i32)))
    (import "" "task-cancel" (func $task-cancel))
    (import "" "get0" (func $get0 (result i32)))
    (import "" "set0" (func $set0 (param i32)))
    (import "" "inc" (func $inc))
    (import "" "dec" (func $dec))
    (global $got (mut i32) (i32.const -1))
    (func (export "main") (result i32) (call $set0 (i32.const 55)) (i32.const 0))
    (func (export "post-task.return") (param i32) (call $ret (i32.const 1)))
    (func (export "post-waitable-set.new") (param i32) (drop (call $ws-new)))
    (func (export "post-waitable-set.poll") (param i32) (drop (call $poll (i32.const 1) (i32.const 0))))
    (func (export "post-thread.index") (param i32) (drop (call $index)))
    (func (export "post-thread.yield") (param i32) (drop (call $yield)))
    (func (export "post-task.cancel") (param i32) (call $task-cancel))
    (func (export "post-context.get") (param i32) (global.set $got (call $get0)))
    (func (export "post-context.set") (param i32)
      (call $set0 (i32.const 66))
      (global.set $got (call $get0)))
    (func (export "post-backpressure.inc") (param i32) (call $inc))
    (func (export "ws-new") (result i32) (call $ws-new))
    (func (export "got") (result i32) (global.get $got))
    (func (export "dec") (call $dec)))
  (core instance $m (instantiate $M (with "" (instance
    (export "ret" (func $ret)) (export "ws-new" (func $ws-new)) (export "poll" (func $poll))
    (export "index" (func $index)) (export "yield" (func $yield))
    (export "task-cancel" (func $task-cancel))
    (export "get0" (func $get0)) (export "set0" (func $set0))
    (export "inc" (func $inc)) (export "dec" (func $dec))))))
  ${
  POST_RETURN_BUILTINS.map((b) =>
    `(func (export "${b}") (result u32)
      (canon lift (core func $m "main") (post-return (core func $m "post-${b}"))))`
  ).join("\n  ")
}
  (func (export "ws-new") (result u32) (canon lift (core func $m "ws-new")))
  (func (export "got") (result s32) (canon lift (core func $m "got")))
  (func (export "dec") (canon lift (core func $m "dec"))))`;

Deno.test("task built-ins in a post-return: cannot leave, except context and backpressure", async (t) => {
  const make = await component(POST_RETURN);

  for (
    const b of [
      "task.return",
      "waitable-set.new",
      "waitable-set.poll",
      "thread.index",
      "thread.yield",
      "task.cancel",
    ]
  ) {
    await t.step(`${b} traps`, () => {
      const e = make();
      assertTrap(() => e[b](), CANNOT_LEAVE);
      // the trap poisoned the instance
      assertTrap(() => e.got(), CANNOT_ENTER);
    });
  }

  await t.step("the same built-in outside a post-return is fine", () => {
    assert.equal(make()["ws-new"](), 1);
  });

  await t.step("context.get reads the task's storage", () => {
    const e = make();
    assert.equal(e["context.get"](), 0);
    assert.equal(e.got(), 55);
  });

  await t.step("context.set writes it", () => {
    const e = make();
    assert.equal(e["context.set"](), 0);
    assert.equal(e.got(), 66);
  });

  await t.step("backpressure.inc counts", () => {
    const e = make();
    assert.equal(e["backpressure.inc"](), 0);
    assert.equal(e.dec(), undefined);
    assertTrap(() => e.dec(), UNDERFLOW);
  });
});

Deno.test("async lowers: a host import returning a Promise is a TypeError", async () => {
  const e = fns(
    await instantiate(await wat(ASYNC_LOWER), {
      add: () => Promise.resolve(1),
      sum4: () => 0,
      sum5: () => 0,
      note: () => {},
      pair: () => [0, 0n],
    }),
  );
  assert.throws(
    () => e.add(1, 2, 0x10),
    (x: unknown) => {
      assert.ok(x instanceof TypeError);
      assert.equal(
        x.message,
        "in add: a host import returned a Promise: instantiate with `{ async: true }` (JSPI) and " +
          "give an `async function` for it to suspend the component",
      );
      return true;
    },
  );
});

Deno.test("task built-ins in a core start function: outside any task", async (t) => {
  for (
    const [name, sig] of [["context.get i32 0", "(result i32)"], ["thread.index", "(result i32)"]]
  ) {
    await t.step(name, async () => {
      const bytes = await wat(`(component
        (core func $f (canon ${name}))
        (core module $M
          (import "" "f" (func $f ${sig}))
          (func $start (drop (call $f)))
          (start $start))
        (core instance $m (instantiate $M (with "" (instance (export "f" (func $f)))))))`);
      await assert.rejects(
        () => instantiate(bytes),
        (e: unknown) => {
          assert.ok(e instanceof UnsupportedError, `expected an UnsupportedError, got ${e}`);
          assert.equal(
            e.message,
            `\`${
              name.split(" ")[0]
            }\` called outside a task (from a core start function): wasmfuse runs start functions outside tasks`,
          );
          assert.equal(e.feature, "async");
          return true;
        },
      );
    });
  }
});

// ---------------------------------------------------------------------------
// 12. realloc runs as a task of its own (CanonicalABI.md, `reallocate`)

Deno.test("a realloc the host calls runs as its own task, with fresh context", async () => {
  const make = await component(
    `(component
    (import "h" (func $h (result string)))
    (canon context.get i32 0 (core func $get))
    (canon context.set i32 0 (core func $set))
    (core module $Libc
      (import "" "get" (func $get (result i32)))
      (import "" "set" (func $set (param i32)))
      (memory (export "mem") 1)
      (global $seen (mut i32) (i32.const -1))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (global.set $seen (call $get))
        (call $set (i32.const 7))
        (i32.const 0x100))
      (func (export "seen") (result i32) (global.get $seen)))
    (core instance $libc (instantiate $Libc (with "" (instance
      (export "get" (func $get)) (export "set" (func $set))))))
    (core func $h' (canon lower (func $h)
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
    (core module $M
      (import "" "get" (func $get (result i32)))
      (import "" "set" (func $set (param i32)))
      (import "" "h" (func $h (param i32)))
      (func (export "take") (param i32 i32) (result i32) (call $get))
      (func (export "ask") (result i32)
        (call $set (i32.const 99))
        (call $h (i32.const 0x40))
        (call $get)))
    (core instance $m (instantiate $M (with "" (instance
      (export "get" (func $get)) (export "set" (func $set)) (export "h" (func $h'))))))
    (func (export "take") (param "s" string) (result u32)
      (canon lift (core func $m "take")
        (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
    (func (export "ask") (result u32) (canon lift (core func $m "ask")))
    (func (export "seen") (result s32) (canon lift (core func $libc "seen"))))`,
    { h: () => "hi" },
  );
  const e = make();
  // the parameters' realloc sees fresh storage, and what it sets stays in its own task
  assert.equal(e.take("hello"), 0);
  assert.equal(e.seen(), 0);
  // writing an import's result: realloc's task is not the caller's (which set 99)
  assert.equal(e.ask(), 99);
  assert.equal(e.seen(), 0);
});

Deno.test("a start function may not block: waiting, or calling an async-lifted function synchronously, traps", async () => {
  const CANNOT_BLOCK = "cannot block a synchronous task before returning";
  // waitable-set.wait in a core start function
  const waits = await wat(`(component
    ${MEMORY}
    (core func $new (canon waitable-set.new))
    (core func $wait (canon waitable-set.wait ${MEM}))
    (core module $M
      (import "" "new" (func $new (result i32)))
      (import "" "wait" (func $wait (param i32 i32) (result i32)))
      (func $start (drop (call $wait (call $new) (i32.const 16))))
      (start $start))
    (core instance (instantiate $M
      (with "" (instance (export "new" (func $new)) (export "wait" (func $wait)))))))`);
  const { compile } = await import("../../mod.ts");
  const cw = await compile(waits);
  assertTrap(() => cw.instantiate(), CANNOT_BLOCK);

  // a sync lower of a function lifted async with a callback, called from a start function: the
  // trap comes before the callee runs (its body is `unreachable`)
  const calls = await wat(`(component
    (component $callee
      (core module $M
        (func (export "g") (result i32) unreachable)
        (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
      (core instance $i (instantiate $M))
      (func (export "g") async (canon lift (core func $i "g") async (callback (core func $i "cb")))))
    (component $caller
      (import "g" (func $g async))
      (core func $g (canon lower (func $g)))
      (core module $M
        (import "" "g" (func $g))
        (func $start (call $g))
        (start $start))
      (core instance (instantiate $M (with "" (instance (export "g" (func $g)))))))
    (instance $c (instantiate $callee))
    (instance (instantiate $caller (with "g" (func $c "g")))))`);
  const c = await compile(calls);
  assertTrap(() => c.instantiate(), CANNOT_BLOCK);
});
