/**
 * The `.wast` runner on small scripts: components, definitions and named
 * instances, `register`, every assertion kind passing, failing and skipped,
 * the counts and the line numbers.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runWast, SexprError, type WastAssertion, type WastResult } from "../../lib/wast/mod.ts";
import { wat } from "../_wat.ts";

/** Run `script` with the test's text-to-binary function. */
async function run(script: string): Promise<WastResult> {
  return await runWast(script, { wat });
}

/** Each outcome as `line directive status`. */
function outcomes(r: WastResult): string[] {
  return r.assertions.map((a) => `${a.line} ${a.directive} ${a.status}`);
}

/** The one outcome at `line`. */
function at(r: WastResult, line: number): WastAssertion {
  const found = r.assertions.filter((a) => a.line === line);
  assert.equal(found.length, 1, `one outcome at line ${line}: ${JSON.stringify(r.assertions)}`);
  return found[0];
}

/** Assert the counts, and that they add up to the outcomes. */
function counts(r: WastResult, passed: number, failed: number, skipped: number): void {
  assert.deepEqual(
    { passed: r.passed, failed: r.failed, skipped: r.skipped },
    { passed, failed, skipped },
    JSON.stringify(r.assertions, null, 1),
  );
  assert.equal(r.assertions.length, passed + failed + skipped);
}

/** `add(a: u32, b: u32) -> u32`, `boom()` (traps), `none()` (returns nothing). */
const ADDER = `(component
  (core module $m
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "boom") unreachable)
    (func (export "none")))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add")))
  (func (export "boom") (canon lift (core func $i "boom")))
  (func (export "none") (canon lift (core func $i "none"))))`;

/** A counter: `next()` returns 1, 2, 3, ... per instance. */
const COUNTER_BODY = `
  (core module $m
    (global $n (mut i32) (i32.const 0))
    (func (export "next") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1)))
      (global.get $n)))
  (core instance $i (instantiate $m))
  (func (export "next") (result u32) (canon lift (core func $i "next")))`;

/** The line of the first line of `script` that contains `text`. */
function lineOf(script: string, text: string): number {
  const i = script.split("\n").findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `no line contains ${text}`);
  return i + 1;
}

Deno.test("assert_return: passes on the expected value, fails with a message otherwise", async () => {
  const script = `${ADDER}
(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3))
(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 4))
(assert_return (invoke "add" (u32.const -1) (u32.const 2)) (u32.const 1))
(assert_return (invoke "none"))
`;
  const r = await run(script);
  counts(r, 3, 1, 0);
  const first = lineOf(script, "(u32.const 3))");
  assert.deepEqual(outcomes(r), [
    `${first} assert_return passed`,
    `${first + 1} assert_return failed`,
    `${first + 2} assert_return passed`,
    `${first + 3} assert_return passed`,
  ]);
  assert.equal(at(r, first + 1).message, "expected (u32.const 4), got (u32.const 3)");
  assert.equal(at(r, first).message, undefined);
});

Deno.test("assert_return: calls that cannot be made fail, naming why", async () => {
  const r = await run(`${ADDER}
(assert_return (invoke "nope"))
(assert_return (invoke "add" (u32.const 1)) (u32.const 1))
(assert_return (invoke "add" (u32.const 1) (s32.const 1)) (u32.const 2))
(assert_return (invoke "add" (u32.const 1) (u32.const 2)))
(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3) (u32.const 3))
(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (s32.const 3))
(assert_return (invoke "none") (u32.const 0))
`);
  counts(r, 0, 7, 0);
  const messages = r.assertions.map((a) => a.message);
  assert.deepEqual(messages, [
    "no exported function `nope`",
    "`add` takes 2 arguments, got 1",
    "threw: expected `(u32.const ...)` for a `u32` (at line 13, column 44)",
    "expected 1 result, the script gives 0",
    "expected 1 result, the script gives 2",
    "expected `(u32.const ...)` for a `u32` (at line 16, column 59)",
    "the function has no result",
  ]);
});

Deno.test("assert_return: strings and records through a component's memory", async () => {
  const script = `(component
  (core module $m
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (local.get 3)))
      (local.get $p))
    (func (export "len") (param i32 i32) (result i32) (local.get 1))
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 16) (local.get 0))
      (i32.store (i32.const 20) (local.get 1))
      (i32.const 16))
    (func (export "swap") (param i32 i32) (result i32)
      (i32.store8 (i32.const 32) (local.get 1))
      (i32.store8 (i32.const 33) (local.get 0))
      (i32.const 32)))
  (core instance $i (instantiate $m))
  (type $pair (record (field "a" u8) (field "b-b" u8)))
  (func (export "len") (param "s" string) (result u32)
    (canon lift (core func $i "len") (memory (core memory $i "mem"))
      (realloc (core func $i "realloc"))))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory (core memory $i "mem"))
      (realloc (core func $i "realloc"))))
  (func (export "swap") (param "p" $pair) (result $pair)
    (canon lift (core func $i "swap") (memory (core memory $i "mem")))))
(assert_return (invoke "len" (str.const "h\\u{e9}llo")) (u32.const 6))
(assert_return (invoke "echo" (str.const "v=")) (str.const "v="))
(assert_return (invoke "echo" (str.const "v=")) (str.const "v"))
(assert_return (invoke "swap" (record.const (field "a" (u8.const 1)) (field "b-b" u8.const 2)))
  (record.const (field "a" u8.const 2) (field "b-b" (u8.const 1))))
(assert_return (invoke "swap" (record.const (field "a" (u8.const 1)) (field "b-b" (u8.const 2))))
  (record.const (field "a" (u8.const 1)) (field "b-b" (u8.const 2))))
`;
  const r = await run(script);
  counts(r, 3, 2, 0);
  const echo = lineOf(script, `(str.const "v"))`);
  assert.equal(at(r, echo).status, "failed");
  assert.equal(at(r, echo).message, 'expected (str.const "v"), got (str.const "v=")');
  const swap = lineOf(script, '(field "b-b" (u8.const 2))))');
  assert.equal(
    at(r, swap).message,
    'expected (record.const (field "a" (u8.const 1)) (field "b-b" (u8.const 2))), ' +
      'got (record.const (field "a" (u8.const 2)) (field "b-b" (u8.const 1)))',
  );
});

Deno.test("assert_trap on an invocation", async (t) => {
  await t.step("passes when the trap mentions the text; `wasm trap: ` is ignored", async () => {
    // each trap in a fresh instance: a trap leaves its instance unusable
    const r = await run(`${ADDER}
(assert_trap (invoke "boom") "unreachable")
${ADDER}
(assert_trap (invoke "boom") "wasm trap: unreachable")
`);
    counts(r, 2, 0, 0);
    assert.deepEqual(r.assertions.map((a) => a.directive), ["assert_trap", "assert_trap"]);
  });
  await t.step("a core trap also matches Wasmtime's words for it", async () => {
    const r = await run(`${ADDER}
(assert_trap (invoke "boom") "wasm \`unreachable\` instruction executed")
${ADDER}
(assert_trap (invoke "boom") "integer divide by zero")
`);
    counts(r, 1, 1, 0);
    assert.equal(r.assertions[0].status, "passed");
  });
  await t.step("fails when the trap says something else", async () => {
    const r = await run(`${ADDER}
(assert_trap (invoke "boom") "out of bounds")
`);
    counts(r, 0, 1, 0);
    assert.match(
      r.assertions[0].message!,
      /^trap `.*unreachable.*` does not mention `out of bounds`$/,
    );
  });
  await t.step("fails when the function returns", async () => {
    const r = await run(`${ADDER}
(assert_trap (invoke "none") "unreachable")
(assert_trap (invoke "add" (u32.const 1) (u32.const 2)) "unreachable")
`);
    counts(r, 0, 2, 0);
    assert.deepEqual(r.assertions.map((a) => a.message), [
      "returned normally",
      "returned (u32.const 3)",
    ]);
  });
  await t.step("a trap in assert_return or a bare invoke fails it", async () => {
    const r = await run(`${ADDER}
(assert_return (invoke "boom"))
${ADDER}
(invoke "none")
(invoke "boom")
`);
    counts(r, 0, 2, 0);
    assert.match(r.assertions[0].message!, /^trapped: .*unreachable/);
    assert.equal(r.assertions[1].directive, "invoke");
    assert.match(r.assertions[1].message!, /unreachable/);
  });
  await t.step("needs a message", async () => {
    const r = await run(`${ADDER}
(assert_trap (invoke "boom"))
`);
    counts(r, 0, 1, 0);
    assert.equal(r.assertions[0].message, "`assert_trap` needs a message");
  });
});

Deno.test("assert_trap on a component: its instantiation must trap", async () => {
  const r = await run(`
(assert_trap (component
  (core module $m (func $s unreachable) (start $s))
  (core instance $i (instantiate $m))) "unreachable")
(assert_trap (component) "unreachable")
(assert_trap (register "x") "unreachable")
`);
  assert.deepEqual(outcomes(r), [
    "2 assert_trap passed",
    "5 assert_trap failed",
    "6 assert_trap skipped",
  ]);
  assert.equal(at(r, 5).message, "instantiation did not trap");
});

Deno.test("component definitions give independent instances", async () => {
  const script = `(component definition $C ${COUNTER_BODY})
(component instance $a $C)
(component instance $b $C)
(assert_return (invoke $a "next") (u32.const 1))
(assert_return (invoke $a "next") (u32.const 2))
(assert_return (invoke $b "next") (u32.const 1))
(assert_return (invoke "next") (u32.const 2))
(assert_return (invoke $a "next") (u32.const 3))
(assert_return (invoke $a "next") (u32.const 3))
(assert_return (invoke $c "next") (u32.const 1))
(component instance $d $Nope)
`;
  const r = await run(script);
  const first = lineOf(script, "(component instance $b $C)") + 1;
  assert.deepEqual(outcomes(r), [
    `${first} assert_return passed`,
    `${first + 1} assert_return passed`,
    `${first + 2} assert_return passed`,
    // an unnamed invoke goes to the latest instance, $b
    `${first + 3} assert_return passed`,
    `${first + 4} assert_return passed`,
    `${first + 5} assert_return failed`,
    `${first + 6} assert_return failed`,
    `${first + 7} component failed`,
  ]);
  counts(r, 5, 3, 0);
  assert.equal(at(r, first + 5).message, "expected (u32.const 3), got (u32.const 4)");
  assert.equal(at(r, first + 6).message, "unknown component instance `$c`");
  assert.equal(at(r, first + 7).message, "unknown component definition `$Nope`");
});

Deno.test("named components and instances are invoked by name", async () => {
  const r = await run(`(component $one ${COUNTER_BODY})
(component $two ${COUNTER_BODY})
(assert_return (invoke $one "next") (u32.const 1))
(assert_return (invoke $one "next") (u32.const 2))
(assert_return (invoke $two "next") (u32.const 1))
(assert_return (invoke "next") (u32.const 2))
`);
  counts(r, 4, 0, 0);
});

Deno.test("components given as binary and quote", async () => {
  const r = await run(`
(component $e binary "\\00asm\\0d\\00\\01\\00")
(component definition $D binary "\\00asm" "\\0d\\00\\01\\00")
(component instance $d $D)
(assert_return (invoke $d "f"))
(component quote
  "(core module $m (func (export \\"f\\") (result i32) (i32.const 5)))"
  "(core instance $i (instantiate $m))"
  "(func (export \\"f\\") (result s32) (canon lift (core func $i \\"f\\")))")
(assert_return (invoke "f") (s32.const 5))
(component definition $Bad binary "\\00asm\\0d\\00\\01\\00\\07")
(component instance $bad $Bad)
(assert_return (invoke $bad "f"))
(module (func))
`);
  assert.deepEqual(outcomes(r), [
    "5 assert_return failed",
    "10 assert_return passed",
    "11 component failed",
    "13 assert_return failed",
  ]);
  assert.equal(at(r, 5).message, "no exported function `f`");
  assert.match(at(r, 11).message!, /^component definition failed: unexpected end-of-file/);
  assert.match(at(r, 13).message!, /^the component at line 11: unexpected end-of-file/);
});

Deno.test("register makes an instance's exports importable", async () => {
  const script = `(component $counter ${COUNTER_BODY})
(assert_return (invoke "next") (u32.const 1))
(register "counter" $counter)
(component $user
  (import "counter" (instance $c (export "next" (func (result u32)))))
  (alias export $c "next" (func $next))
  (core func $next' (canon lower (func $next)))
  (core module $m
    (import "c" "next" (func $next (result i32)))
    (func (export "twice") (result i32) (call $next) (drop) (call $next)))
  (core instance $i (instantiate $m (with "c" (instance (export "next" (func $next'))))))
  (func (export "twice") (result u32) (canon lift (core func $i "twice"))))
(assert_return (invoke "twice") (u32.const 3))
(assert_return (invoke $counter "next") (u32.const 4))
(assert_unlinkable (component (import "counter" (instance (export "next" (func (result u32)))))) "x")
(register "again")
(register "nowhere" $nope)
(register $counter)
`;
  const r = await run(script);
  const twice = lineOf(script, `(invoke "twice")`);
  assert.deepEqual(outcomes(r), [
    `${lineOf(script, "(u32.const 1))")} assert_return passed`,
    `${twice} assert_return passed`,
    `${twice + 1} assert_return passed`,
    // "counter" is registered: the import is satisfied
    `${twice + 2} assert_unlinkable failed`,
    `${twice + 4} register failed`,
    `${twice + 5} register failed`,
  ]);
  assert.equal(at(r, twice + 2).message, "accepted; expected `x`");
  assert.equal(at(r, twice + 4).message, "unknown component instance `$nope`");
  assert.equal(at(r, twice + 5).message, "`register` needs a name");
});

Deno.test("without register or a name, the import is missing", async () => {
  const script = `(component ${COUNTER_BODY})
(component $user (import "counter" (instance $c (export "next" (func (result u32))))))
(assert_return (invoke "next") (u32.const 1))
`;
  const r = await run(script);
  const user = lineOf(script, "(component $user");
  counts(r, 0, 2, 0);
  assert.equal(r.assertions[0].directive, "component");
  assert.equal(r.assertions[0].message, "component failed: missing import `counter`");
  // the failed component is the current one
  assert.deepEqual(r.assertions.map((a) => a.line), [user, user + 1]);
  assert.equal(
    r.assertions[1].message,
    `the component at line ${user}: missing import \`counter\``,
  );
});

Deno.test("a named instance is registered under its name, as in Wasmtime's harness", async () => {
  const script = `(component $counter ${COUNTER_BODY})
(component $user
  (import "counter" (instance $c (export "next" (func (result u32)))))
  (alias export $c "next" (func $next))
  (export "next" (func $next)))
(assert_return (invoke $user "next") (u32.const 1))
(component definition $D ${COUNTER_BODY})
(component instance $two $D)
(component (import "two" (instance (export "next" (func (result u32))))))
(assert_unlinkable (component (import "counter" (instance (export "next" (func))))) "type")
(assert_unlinkable (component (import "counter" (func))) "expected func found instance")
`;
  const r = await run(script);
  assert.deepEqual(outcomes(r), [
    `${lineOf(script, "(invoke $user")} assert_return passed`,
    `${lineOf(script, "(assert_unlinkable")} assert_unlinkable passed`,
    `${lineOf(script, "(assert_unlinkable") + 1} assert_unlinkable passed`,
  ]);
});

Deno.test("assert_malformed", async () => {
  const r = await run(`
(assert_malformed (component binary "\\00asm\\0d\\00\\01\\00" "\\07\\01") "unexpected end")
(assert_malformed (component binary "\\00asm\\0d\\00\\01\\00" "\\07\\01") "some other message")
(assert_malformed (component binary "\\00asm\\0d\\00\\01\\00") "accepted")
(assert_malformed (component quote "(core module $m)" "(core module $m)") "duplicate")
(assert_malformed (module binary "\\00asm\\01\\00\\00\\00") "x")
(assert_malformed (invoke "f") "x")
`);
  assert.deepEqual(outcomes(r), [
    "2 assert_malformed passed",
    "3 assert_malformed failed",
    "4 assert_malformed failed",
    "5 assert_malformed skipped",
    "6 assert_malformed skipped",
    "7 assert_malformed skipped",
  ]);
  counts(r, 1, 2, 3);
  assert.match(
    at(r, 3).message!,
    /^rejected with `unexpected end-of-file \(at offset 0xa\)`; expected `some other message`$/,
  );
  assert.equal(at(r, 4).message, "accepted; expected `accepted`");
  assert.equal(at(r, 5).message, "text-format malformation is the text parser's to detect");
  assert.match(at(r, 6).message!, /on a core module/);
});

Deno.test("assert_invalid", async () => {
  const r = await run(`
(assert_invalid (component (core func (canon lower (func 0)))) "unknown")
(assert_invalid (component (type (func (param "a" u32) (param "a" u32)))) "duplicate")
(assert_invalid (component) "valid")
(assert_invalid (component (core func (canon lowerz))) "x")
(assert_invalid (module) "x")
(assert_invalid (module (func (result i32))) "type mismatch")
`);
  assert.deepEqual(outcomes(r), [
    "2 assert_invalid passed",
    "3 assert_invalid passed",
    "4 assert_invalid failed",
    "5 assert_invalid skipped",
    "6 assert_invalid skipped",
    "7 assert_invalid skipped",
  ]);
  assert.equal(at(r, 4).message, "accepted; expected `valid`");
  assert.match(at(r, 5).message!, /^the text parser rejects it before wasmfuse sees it: /);
  // a core module is not a component: rejecting it proves nothing
  assert.equal(
    at(r, 6).message,
    "`assert_invalid` on a core module: checking core wasm is the engine's",
  );
});

Deno.test("assert_unlinkable", async () => {
  const r = await run(`
(assert_unlinkable (component (import "missing" (func))) "missing")
(assert_unlinkable (component) "nothing")
(assert_unlinkable (component (import "missing" (func))) "whatever text")
`);
  assert.deepEqual(outcomes(r), [
    "2 assert_unlinkable passed",
    "3 assert_unlinkable failed",
    "4 assert_unlinkable passed",
  ]);
  assert.equal(at(r, 3).message, "accepted; expected `nothing`");
});

/**
 * The body of a component whose `f` makes a stream of owned handles and
 * returns its readable end, and whose `made` says whether `f` ran: the host
 * cannot hold such a stream yet (an `UnsupportedError` at run time).
 */
const STREAM_OF_HANDLES = `(type $r (resource (rep i32)))
  (type $st (stream (own $r)))
  (core func $new (canon stream.new $st))
  (core module $m
    (import "" "new" (func $new (result i64)))
    (global $n (mut i32) (i32.const 0))
    (func (export "f") (result i32) (global.set $n (i32.const 1)) (i32.wrap_i64 (call $new)))
    (func (export "made") (result i32) (global.get $n)))
  (core instance $i (instantiate $m (with "" (instance (export "new" (func $new))))))
  (func (export "f") (result $st) (canon lift (core func $i "f")))
  (func (export "made") (result u32) (canon lift (core func $i "made"))))`;

Deno.test("unsupported features skip their assertions, never pass them", async () => {
  // (what is still unsupported: component values, and a stream of owned handles handed to the
  // host, which holds no handle table)
  const script = `(component
  (import "v" (value u32))
  (core module $m (func (export "f") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "f") (result u32) (canon lift (core func $i "f"))))
(assert_return (invoke "f") (u32.const 0))
(assert_trap (invoke "f") "unreachable")
(component definition $A
  ${STREAM_OF_HANDLES}
(component instance $a $A)
(assert_return (invoke $a "f"))
(register "a" $a)
(assert_invalid (component (import "v" (value u32))) "x")
`;
  const r = await run(script);
  counts(r, 0, 0, 4);
  assert.deepEqual(r.assertions.map((a) => a.directive), [
    "assert_return",
    "assert_trap",
    "assert_return",
    "assert_invalid",
  ]);
  for (const a of r.assertions) assert.match(a.message!, /^unsupported: /);
  assert.match(
    r.assertions[0].message!,
    /the component at line 1: component values is not supported/,
  );
  // a value that cannot reach the host yet skips the call, at run time
  assert.match(
    r.assertions[2].message!,
    /host values of type `stream<own<.*elements with handles$/,
  );
});

Deno.test("directives the runner does not evaluate are skipped", async () => {
  const r = await run(`${ADDER}
(assert_exhaustion (invoke "add" (u32.const 1) (u32.const 2)) "call stack exhausted")
(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3))
(thread $t (component))
`);
  assert.deepEqual(outcomes(r), [
    "11 assert_exhaustion skipped",
    "12 assert_return passed",
    "13 thread skipped",
  ]);
  assert.equal(at(r, 11).message, "the runner does not evaluate `assert_exhaustion`");
});

Deno.test("a script that is not directives", async () => {
  const r = await run(`foo\n\n  "str"\n(invoke "f")`);
  assert.deepEqual(outcomes(r), ["1 ? failed", "3 ? failed", "4 invoke failed"]);
  assert.equal(r.assertions[0].message, "expected a directive");
  assert.equal(r.assertions[2].message, "no component instance to invoke");
  // malformed S-expressions are the script's own error
  await assert.rejects(run(`(assert_return (invoke "f")`), SexprError);
  // an empty script has nothing to report
  assert.deepEqual(await run(";; nothing\n"), {
    passed: 0,
    failed: 0,
    skipped: 0,
    assertions: [],
  });
});

Deno.test("counts and lines over a mixed script", async () => {
  const script = `;; a mixed script
${ADDER}

(assert_return (invoke "add" (u32.const 2) (u32.const 2)) (u32.const 4))
(assert_return
  (invoke "add" (u32.const 2) (u32.const 2))
  (u32.const 5))
(assert_malformed (component quote "x") "x")
(assert_unlinkable (component (import "f" (func))) "missing")
`;
  const r = await run(script);
  counts(r, 2, 1, 1);
  const first = lineOf(script, "(u32.const 4))");
  assert.deepEqual(outcomes(r), [
    `${first} assert_return passed`,
    // a multi-line directive is reported at its first line
    `${first + 1} assert_return failed`,
    `${first + 4} assert_malformed skipped`,
    `${first + 5} assert_unlinkable passed`,
  ]);
});

Deno.test("a top-level result is compared as a value, also through a registered instance", async () => {
  // `check(x)` is ok(x) for x < 10, else err(x); `$user` calls it through an import
  const script = `(component $checker
  (core module $m
    (memory (export "mem") 1)
    (func (export "check") (param i32) (result i32)
      (i32.store (i32.const 0) (i32.ge_u (local.get 0) (i32.const 10)))
      (i32.store (i32.const 4) (local.get 0))
      (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "check") (param "x" u32) (result (result u32 (error u32)))
    (canon lift (core func $i "check") (memory (core memory $i "mem")))))
(assert_return (invoke "check" (u32.const 3)) (result.ok (u32.const 3)))
(assert_return (invoke "check" (u32.const 12)) (result.err (u32.const 12)))
(register "checker" $checker)
(component $user
  (import "checker" (instance $c
    (export "check" (func (param "x" u32) (result (result u32 (error u32)))))))
  (core module $mem (memory (export "mem") 1))
  (core instance $mem (instantiate $mem))
  (core func $check (canon lower (func $c "check") (memory (core memory $mem "mem"))))
  (core module $m
    (import "c" "check" (func $check (param i32 i32)))
    (import "c" "mem" (memory 1))
    (func (export "twice") (param i32) (result i32)
      (call $check (local.get 0) (i32.const 16))
      (i32.load (i32.const 16))))
  (core instance $i (instantiate $m
    (with "c" (instance (export "check" (func $check)) (export "mem" (memory $mem "mem"))))))
  (func (export "is-err") (param "x" u32) (result u32) (canon lift (core func $i "twice"))))
(assert_return (invoke "is-err" (u32.const 3)) (u32.const 0))
(assert_return (invoke "is-err" (u32.const 12)) (u32.const 1))
`;
  const r = await run(script);
  counts(r, 4, 0, 0);
});

Deno.test("a call skipped for a missing feature skips the later calls on its instance, not on others", async () => {
  const script = `(component definition $D
  ${STREAM_OF_HANDLES}
(component instance $a $D)
(invoke "f")
(assert_return (invoke "made") (u32.const 1))
(component instance $b $D)
(assert_return (invoke "made") (u32.const 0))
`;
  const r = await run(script);
  counts(r, 1, 0, 2);
  // a stream of handles at the host is not supported at run time: the call is skipped...
  assert.match(at(r, lineOf(script, `(invoke "f")`)).message!, /^unsupported: host values of type/);
  // ...and what the script then expects of that instance would not hold: skipped, saying why
  const after = at(r, lineOf(script, `(u32.const 1)`));
  assert.equal(after.status, "skipped");
  assert.match(after.message!, /^an earlier call on this instance was skipped \(unsupported: /);
  // a fresh instance runs
  assert.equal(at(r, lineOf(script, `(u32.const 0)`)).status, "passed");
});
