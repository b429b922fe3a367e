/**
 * `cli.ts wast FILE...` on scripts written into a temporary directory: a
 * summary line per file, its first failures with their lines, the totals
 * last, and exit status 0 only when nothing failed. Run with the
 * permissions of `deno task wast` (read and env).
 *
 * @module
 */

import assert from "node:assert/strict";

import { CLI, type CliResult } from "../_cli.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** `deno run --allow-read --allow-env cli.ts wast ARGS`, from the repository root. */
async function wast(...args: string[]): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", CLI, "wast", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Scripts are written into a temporary directory, removed when the tests end. */
const dir = await Deno.makeTempDir({ prefix: "wasmfuse-wast-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

/** Write `text` to `name` in the temporary directory; its path. */
async function script(name: string, text: string): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, text);
  return path;
}

/** `add(a: u32, b: u32) -> u32` (lines 1-5 of a script that starts with it). */
const ADDER = `(component
  (core module $m
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add"))))
`;

const PASSING = await script(
  "passing.wast",
  `${ADDER}(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3))
(assert_return (invoke "add" (u32.const 2) (u32.const 2)) (u32.const 4))
(assert_malformed (component quote "(component)") "text")
`,
);
const FAILING = await script(
  "failing.wast",
  `${ADDER}(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3))
(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 4))
(assert_exhaustion (invoke "add" (u32.const 1) (u32.const 2)) "stack")

(assert_return (invoke "nope"))
`,
);
const SKIPPING = await script(
  "skipping.wast",
  `(component
  (import "v" (value u32)))
(assert_return (invoke "f") (u32.const 0))
(assert_exhaustion (invoke "f") "stack")
`,
);

Deno.test("cli wast: a passing script exits 0", async () => {
  const r = await wast(PASSING);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    `${PASSING}: 2 passed, 0 failed, 1 skipped\n2 passed, 0 failed, 1 skipped\n`,
  );
});

Deno.test("cli wast: skips alone do not fail", async () => {
  const r = await wast(SKIPPING);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(
    r.stdout,
    `${SKIPPING}: 0 passed, 0 failed, 2 skipped\n0 passed, 0 failed, 2 skipped\n`,
  );
});

Deno.test("cli wast: failures are listed with their lines, and exit 1", async () => {
  const r = await wast(FAILING);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "");
  assert.deepEqual(r.stdout.split("\n"), [
    `${FAILING}: 1 passed, 2 failed, 1 skipped`,
    "  line 7: assert_return: expected (u32.const 4), got (u32.const 3)",
    "  line 10: assert_return: no exported function `nope`",
    "1 passed, 2 failed, 1 skipped",
    "",
  ]);
});

Deno.test("cli wast: several files, one line each, then the totals", async () => {
  const r = await wast(PASSING, FAILING, SKIPPING);
  assert.equal(r.code, 1);
  const lines = r.stdout.trimEnd().split("\n");
  assert.deepEqual(lines.filter((l) => !l.startsWith("  ")), [
    `${PASSING}: 2 passed, 0 failed, 1 skipped`,
    `${FAILING}: 1 passed, 2 failed, 1 skipped`,
    `${SKIPPING}: 0 passed, 0 failed, 2 skipped`,
    "3 passed, 2 failed, 4 skipped",
  ]);
  // the failures follow their file's line
  assert.equal(lines[2], "  line 7: assert_return: expected (u32.const 4), got (u32.const 3)");
  // the same files without the failing one exit 0
  const ok = await wast(PASSING, SKIPPING);
  assert.equal(ok.code, 0);
  assert.equal(ok.stdout.trimEnd().split("\n").at(-1), "2 passed, 0 failed, 3 skipped");
});

Deno.test("cli wast: only the first five failures of a file are listed", async () => {
  const wrong = Array.from(
    { length: 7 },
    (_, i) => `(assert_return (invoke "add" (u32.const ${i}) (u32.const 0)) (u32.const 99))`,
  );
  const file = await script("many.wast", ADDER + wrong.join("\n") + "\n");
  const r = await wast(file);
  assert.equal(r.code, 1);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines[0], `${file}: 0 passed, 7 failed, 0 skipped`);
  assert.deepEqual(lines.slice(1, -1), [
    "  line 6: assert_return: expected (u32.const 99), got (u32.const 0)",
    "  line 7: assert_return: expected (u32.const 99), got (u32.const 1)",
    "  line 8: assert_return: expected (u32.const 99), got (u32.const 2)",
    "  line 9: assert_return: expected (u32.const 99), got (u32.const 3)",
    "  line 10: assert_return: expected (u32.const 99), got (u32.const 4)",
  ]);
  assert.equal(lines.at(-1), "0 passed, 7 failed, 0 skipped");
});

Deno.test("cli wast: a file that cannot be read or parsed counts as one failure", async () => {
  const broken = await script("broken.wast", `${ADDER}(assert_return (invoke "add")\n`);
  const missing = `${dir}/missing.wast`;
  const r = await wast(broken, missing, PASSING);
  assert.equal(r.code, 1);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 4, r.stdout);
  assert.ok(lines[0].startsWith(`${broken}: error: unclosed '('`), lines[0]);
  assert.ok(lines[0].endsWith("(at line 6, column 1)"), lines[0]);
  assert.ok(lines[1].startsWith(`${missing}: error: No such file`), lines[1]);
  assert.equal(lines[2], `${PASSING}: 2 passed, 0 failed, 1 skipped`);
  assert.equal(lines[3], "2 passed, 2 failed, 1 skipped");
});

Deno.test("cli wast: needs at least one FILE (a usage mistake: status 2)", async () => {
  const r = await wast();
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^error: wast takes one or more FILEs\n\n/);
  assert.match(r.stderr, /wasmfuse wast \[--timeout SECONDS\] FILE\.\.\./);
});

Deno.test("cli wast: a file that does not finish in --timeout is stopped where it was; the next file runs", async () => {
  const endless = await script(
    "endless.wast",
    `(component
  (core module $m
    (func (export "spin") (loop (br 0)))
    (func (export "seven") (result i32) (i32.const 7)))
  (core instance $i (instantiate $m))
  (func (export "seven") (result u32) (canon lift (core func $i "seven")))
  (func (export "spin") (canon lift (core func $i "spin"))))
(assert_return (invoke "seven") (u32.const 7))
(invoke "spin")
(assert_return (invoke "seven") (u32.const 7))
`,
  );
  const t0 = performance.now();
  const r = await wast("--timeout", "2", endless, PASSING);
  const took = performance.now() - t0;
  assert.equal(r.code, 1);
  assert.deepEqual(r.stdout.trimEnd().split("\n"), [
    `${endless}: 1 passed, 1 failed, 0 skipped`,
    "  line 9: invoke: did not finish in 2 s: stopped (a deadlock, or a loop that never ends)",
    `${PASSING}: 2 passed, 0 failed, 1 skipped`,
    "3 passed, 1 failed, 1 skipped",
  ]);
  assert.ok(took < 30_000, `stopped after ${took} ms`);
});

Deno.test("cli wast: --timeout takes a number of seconds above 0 (a usage mistake: status 2)", async () => {
  for (const bad of ["0", "-1", "soon", ""]) {
    const r = await wast(`--timeout=${bad}`, PASSING);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /^error: --timeout takes a number of seconds above 0/, bad);
  }
});
