/**
 * `cli.ts run FILE --invoke 'NAME(ARGS)'`: arguments in WAVE (typed by the
 * parameters) or in the `.wast` value syntax, results printed in WAVE as
 * `wasmtime run --invoke` prints them, and the errors (exit status 1,
 * `error: ...` or `trap: ...` on standard error), on a component built into
 * a temporary directory and on `examples/points.wasm`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { wat } from "../_wat.ts";

import { run } from "../_cli.ts";
import { STREAM_PIPE } from "../runtime/_jspi.ts";

const POINTS = new URL("../../examples/points.wasm", import.meta.url).pathname;

/** One export per kind of argument, plus a function without result and one that traps. */
const COMPONENT = `(component
  (core module $m
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (local.get 3)))
      (local.get $p))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "neg") (param f64) (result f64) (f64.neg (local.get 0)))
    (func (export "not") (param i32) (result i32) (i32.eqz (local.get 0)))
    (func (export "code") (param i32) (result i32) (local.get 0))
    (func (export "wide") (param i64) (result i64) (local.get 0))
    (func (export "len") (param i32 i32) (result i32) (local.get 1))
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 16) (local.get 0))
      (i32.store (i32.const 20) (local.get 1))
      (i32.const 16))
    (func (export "swap") (param i32 i32) (result i32)
      (i32.store8 (i32.const 32) (local.get 1))
      (i32.store8 (i32.const 33) (local.get 0))
      (i32.const 32))
    (func (export "nothing"))
    (func (export "boom") unreachable))
  (core instance $i (instantiate $m))
  (type $pair (record (field "a" u8) (field "b" u8)))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add")))
  (func (export "neg") (param "x" f64) (result f64) (canon lift (core func $i "neg")))
  (func (export "not") (param "b" bool) (result bool) (canon lift (core func $i "not")))
  (func (export "code") (param "c" char) (result u32) (canon lift (core func $i "code")))
  (func (export "wide") (param "x" s64) (result s64) (canon lift (core func $i "wide")))
  (func (export "len") (param "s" string) (result u32)
    (canon lift (core func $i "len") (memory (core memory $i "mem"))
      (realloc (core func $i "realloc"))))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory (core memory $i "mem"))
      (realloc (core func $i "realloc"))))
  (func (export "swap") (param "p" $pair) (result $pair)
    (canon lift (core func $i "swap") (memory (core memory $i "mem"))))
  (func (export "nothing") (canon lift (core func $i "nothing")))
  (func (export "boom") (canon lift (core func $i "boom"))))`;

/** The component is built into a temporary directory, removed when the tests end. */
const dir = await Deno.makeTempDir({ prefix: "wasmfuse-run-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const FILE = `${dir}/values.wasm`;
const bytes = await wat(COMPONENT);
await Deno.writeFile(FILE, bytes);
const IMPORTS = `${dir}/imports.wasm`;
await Deno.writeFile(
  IMPORTS,
  await wat(`(component
  (import "log" (func $log))
  (core func $log' (canon lower (func $log)))
  (core module $m (import "host" "log" (func $log)) (func (export "f") (call $log)))
  (core instance $i (instantiate $m (with "host" (instance (export "log" (func $log'))))))
  (func (export "f") (canon lift (core func $i "f"))))`),
);
const EMPTY = `${dir}/empty.wasm`;
await Deno.writeFile(EMPTY, await wat("(component)"));

/** `run FILE --invoke INVOKE`. */
async function invoke(invoke: string, file = FILE) {
  return await run(["run", file, "--invoke", invoke]);
}

/** Assert that `run --invoke INVOKE` prints `stdout` and exits 0. */
async function prints(call: string, stdout: string): Promise<void> {
  const r = await invoke(call);
  assert.equal(r.stderr, "", `${call}: ${r.stderr}`);
  assert.equal(r.code, 0, call);
  assert.equal(r.stdout, stdout, call);
}

/** Assert that `run --invoke INVOKE` exits 1 with `stderr` starting with `prefix` (and nothing on stdout). */
async function fails(call: string, first: string | RegExp, file = FILE): Promise<string> {
  const r = await invoke(call, file);
  assert.equal(r.code, 1, `${call}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, "", call);
  const line = r.stderr.split("\n")[0];
  if (typeof first === "string") assert.equal(line, first, call);
  else assert.match(line, first, call);
  return r.stderr;
}

Deno.test("cli run on examples/points.wasm prints the result", async () => {
  const r = await run(["run", POINTS, "--invoke", "run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "15\n");
  assert.equal(r.stderr, "");
  // `run()` is the same call, and - reads the component from standard input
  assert.equal((await run(["run", POINTS, "--invoke", "run()"])).stdout, "15\n");
  const stdin = await run(["run", "-", "--invoke", " run ( ) "], await Deno.readFile(POINTS));
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.equal(stdin.stdout, "15\n");
});

Deno.test("cli run: WAVE arguments typed by the parameters, WAVE results", async (t) => {
  const cases: [string, string][] = [
    ["add(1, 2)", "3"],
    ["add(1,2)", "3"],
    ["add( 4294967295 , 2 )", "1"],
    ["neg(-2.5)", "2.5"],
    ["neg(6.25e2)", "-625"],
    ["neg(inf)", "-inf"],
    ["neg(nan)", "nan"],
    ["neg(0)", "-0"],
    ["not(true)", "false"],
    ["not(false)", "true"],
    ["code('A')", "65"],
    ["code('⛳')", "9971"],
    ["code('\\u{1F600}')", "128512"],
    ["wide(-5)", "-5"],
    ["wide(9223372036854775807)", "9223372036854775807"],
    ['len("hi")', "2"],
    ['len("h\\u{e9}")', "3"],
    ['len("")', "0"],
    // commas and parentheses inside a string do not split the arguments
    ['echo("a, (b)")', '"a, (b)"'],
    ['echo("say \\"hi\\"")', '"say \\"hi\\""'],
    ['echo("tab\\tnl\\n")', '"tab\\tnl\\n"'],
    ["swap({a: 1, b: 2})", "{a: 2, b: 1}"],
    ["swap({ b: 9, a: 8, })", "{a: 9, b: 8}"],
    ["add(1, 2) // a comment", "3"],
  ];
  for (const [call, out] of cases) {
    await t.step(call, async () => await prints(call, out + "\n"));
  }
});

Deno.test("cli run: .wast value expressions as arguments", async () => {
  await prints("add((u32.const 1), (u32.const 0x10))", "17\n");
  await prints("add((u32.const -1), 0)", "4294967295\n");
  await prints('echo((str.const "x,y"))', '"x,y"\n');
  await prints(
    'swap((record.const (field "a" (u8.const 1)) (field "b" (u8.const 2))))',
    "{a: 2, b: 1}\n",
  );
  // the unparenthesized field form of the suites
  await prints(
    'swap((record.const (field "a" u8.const 7) (field "b" u8.const 8)))',
    "{a: 8, b: 7}\n",
  );
  // WAVE and .wast mix
  await prints("add(5, (u32.const 6))", "11\n");
});

Deno.test("cli run: a function without result prints nothing", async () => {
  await prints("nothing()", "");
  await prints("nothing", "");
});

Deno.test("cli run: a trap exits 1 with trap: <message>", async () => {
  const stderr = await fails("boom()", /^trap: .*unreachable/);
  assert.equal(stderr.split("\n").filter((l) => l !== "").length, 1);
});

Deno.test("cli run: bad calls exit 1 with error: ...", async (t) => {
  await t.step("unknown export, listing the exported functions", async () => {
    await fails(
      "nope()",
      "error: no exported function `nope` " +
        "(exported functions: add, neg, not, code, wide, len, echo, swap, nothing, boom)",
    );
  });
  await t.step("wrong argument count", async () => {
    await fails("add(1)", "error: `add` takes 2 arguments (a, b), got 1");
    await fails("add(1, 2, 3)", "error: `add` takes 2 arguments, got more");
    await fails("add()", "error: `add` takes 2 arguments (a, b), got 0");
    await fails("nothing(1)", "error: `nothing` takes 0 arguments, got more");
  });
  await t.step("arguments that do not fit their type, with where", async () => {
    await fails("add(1, x)", "error: expected an integer for `u32` (at character 7)");
    await fails("add(1, 2.5)", "error: expected an integer for `u32` (at character 7)");
    await fails("add(-1, 0)", "error: -1 is out of range for `u32` (at character 4)");
    await fails("add(1, 0x10)", "error: expected `)`, found `x` (at character 8)");
    await fails("add(1, (s32.const 2))", /^error: expected `\(u32\.const \.\.\.\)` for a `u32`/);
    await fails("add((u32.const 4294967296), 2)", /^error: `4294967296` is out of range for `u32`/);
    await fails("add(4294967296, 2)", /^error: 4294967296 is out of range for `u32`/);
    await fails("not(1)", /^error: expected `true` or `false`/);
    await fails("echo(hi)", /^error: expected a string in double quotes/);
    await fails('code("AB")', /^error: expected a `char` in quotes/);
    await fails("code('AB')", /^error: a `char` is one character/);
    await fails("swap(1)", "error: expected `{`, found `1` (at character 5)");
    await fails("swap({a: 1})", /^error: missing record field `b`/);
    await fails("swap({a: 1, c: 2})", /^error: unknown record field `c` \(expected one of a, b\)/);
  });
  await t.step("a malformed --invoke", async () => {
    await fails("add(1, 2", "error: expected `)`, found the end (at character 8)");
    await fails("add(1, 2) x", "error: unexpected text after `)` (at character 10)");
    await fails("", "error: --invoke expects NAME(ARGS), got ``");
  });
  await t.step("a component without exports", async () => {
    await fails("f", "error: no exported function `f` (exported functions: none)", EMPTY);
  });
  await t.step("a component with imports: say how to run it", async () => {
    await fails(
      "f",
      "error: missing import `log` (run with --trap-unknown-imports to link it as a function that traps)",
      IMPORTS,
    );
    const r = await run(["run", IMPORTS, "--trap-unknown-imports", "--invoke", "f()"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "trap: unknown import: `log` has not been defined\n");
  });
});

Deno.test("cli run: usage and input errors", async () => {
  const noInvoke = await run(["run", FILE]);
  assert.equal(noInvoke.code, 1);
  assert.match(
    noInvoke.stderr,
    /^error: the component exports no `wasi:cli\/run`: name a function with --invoke 'NAME\(ARGS\)' \(exports: add, /,
  );
  // usage mistakes: status 2
  const twoFiles = await run(["run", FILE, FILE, "--invoke", "nothing"]);
  assert.equal(twoFiles.code, 2);
  assert.match(twoFiles.stderr, /^error: run takes exactly one FILE \(or - or DIR\)\n/);
  const missing = await run(["run", `${dir}/missing.wasm`, "--invoke", "run"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: .*No such file/);
  const truncated = await run(["run", "-", "--invoke", "run"], bytes.subarray(0, 20));
  assert.equal(truncated.code, 1);
  assert.equal(truncated.stderr, "error: unexpected end-of-file at offset 20\n");
  const badDir = await run(["run", FILE, "--wasi", "--dir", "::x", "--invoke", "nothing"]);
  assert.equal(badDir.code, 2);
  assert.match(badDir.stderr, /^error: --dir expects HOST\[::GUEST\], got `::x`/);
});

Deno.test("cli run: the README's calls on examples/values.wasm", async (t) => {
  const VALUES = new URL("../../examples/values.wasm", import.meta.url).pathname;
  const cases: [string, string][] = [
    ["add(1, 2)", "3"],
    ['greet("world")', '"hello, world"'],
    ["norm({x: 3, y: 4})", "5"],
    ["quadrant({x: -1, y: 2})", "some(nw)"],
    ["quadrant({x: 0, y: 2})", "none"],
    ['norm((record.const (field "x" (f64.const 3)) (field "y" (f64.const 4))))', "5"],
  ];
  for (const [invoke, out] of cases) {
    await t.step(invoke, async () => {
      const r = await run(["run", VALUES, "--invoke", invoke]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, out + "\n");
    });
  }
  await t.step("the wrong number of arguments: one error line, no usage text", async () => {
    const r = await run(["run", VALUES, "--invoke", "add(1)"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "error: `add` takes 2 arguments (a, b), got 1\n");
  });
});

Deno.test("cli run: an async function runs in an async instance (streams between components)", async () => {
  // run() is `async`: two components pass a stream, each waiting for the other (JSPI)
  const file = `${dir}/pipe.wasm`;
  await Deno.writeFile(file, await wat(STREAM_PIPE));
  const r = await invoke("run()", file);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${[..."hello!"].reduce((n, c) => n + c.charCodeAt(0), 0)}\n`);
});

Deno.test("cli run --async: a sync function in an async instance gives the same result", async () => {
  const r = await run(["run", FILE, "--invoke", "add(2, 3)", "--async"]);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "5\n");
});
