/**
 * `cli.ts fuse`: the summary (adapters as ranges, long lists cut short),
 * `--wat`, `--json`, `-o DIR` (a self-contained translation that `run DIR`
 * loads in a fresh process without the component, nothing left behind on an
 * error); the text format as input; per-command help, `--version`, options
 * that do not apply.
 *
 * @module
 */

import assert from "node:assert/strict";
import { run } from "../_cli.ts";
import { ranges } from "../../cli/commands.ts";
import { wat } from "../_wat.ts";

const POINTS = new URL("../../examples/points.wasm", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "wasmfuse-fuse-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

/** The CLI with write access (for -o). */
const cli = (args: string[], stdin?: Uint8Array) => run(args, stdin, true);

/** A chain of `n` components, each calling the previous one's `f`: n - 1 adapter modules. */
function chain(n: number): string {
  const links = Array.from(
    { length: n - 1 },
    (_, k) => `(instance $c${k + 2} (instantiate $link (with "f" (func $c${k + 1} "f"))))`,
  );
  return `(component
  (component $head
    (core module $impl
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
      (func (export "f") (param i32 i32) (result i32) (local.get 1)))
    (core instance $impl (instantiate $impl))
    (func (export "f") (param "s" string) (result u32)
      (canon lift (core func $impl "f") (memory (core memory $impl "mem"))
        (realloc (core func $impl "realloc")))))
  (component $link
    (import "f" (func $f (param "s" string) (result u32)))
    (core module $mem
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024)))
    (core instance $mem (instantiate $mem))
    (core func $f-lowered (canon lower (func $f) (memory (core memory $mem "mem"))))
    (core module $main
      (import "" "f" (func $f (param i32 i32) (result i32)))
      (func (export "f") (param i32 i32) (result i32)
        (i32.add (call $f (local.get 0) (local.get 1)) (i32.const 1))))
    (core instance $main (instantiate $main (with "" (instance (export "f" (func $f-lowered))))))
    (func (export "f") (param "s" string) (result u32)
      (canon lift (core func $main "f") (memory (core memory $mem "mem"))
        (realloc (core func $mem "realloc")))))
  (instance $c1 (instantiate $head))
  ${links.join("\n  ")}
  (export "f" (func $c${n} "f")))`;
}

Deno.test("ranges: consecutive ids as a-b", () => {
  assert.equal(ranges([]), "");
  assert.equal(ranges([3]), "3");
  assert.equal(ranges([0, 1]), "0, 1");
  assert.equal(ranges([0, 1, 2, 3, 7, 9, 10, 11]), "0-3, 7, 9-11");
  assert.equal(ranges(Array.from({ length: 20_000 }, (_, i) => i)), "0-19999");
});

Deno.test("cli fuse: the summary, --wat and --json", async () => {
  const summary = await cli(["fuse", POINTS]);
  assert.equal(summary.code, 0, summary.stderr);
  assert.equal(
    summary.stdout,
    "2 adapters in 1 adapter module (454 bytes); plan: 5 steps; 3 static core modules\n" +
      "adapter module 0: adapters 0, 1, 454 bytes, 7 imports\n",
  );
  const text = await cli(["fuse", POINTS, "--wat"]);
  assert.match(text.stdout, /^;; adapter module 0: adapters 0, 1\n\(module\n/);
  const json = JSON.parse((await cli(["fuse", POINTS, "--json"])).stdout);
  assert.equal(json.adapters, 2);
  assert.deepEqual(json.adapterModules.map((m: { adapters: number[] }) => m.adapters), [[0, 1]]);
});

Deno.test("cli fuse: a long list of adapter modules is cut short, --json has them all", async () => {
  const file = `${dir}/chain.wasm`;
  await Deno.writeFile(file, await wat(chain(26)));
  const r = await cli(["fuse", file]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^25 adapters in 25 adapter modules/);
  assert.equal(lines.length, 1 + 20 + 1);
  assert.equal(lines.at(-1), "... and 5 more adapter modules (--json lists them all)");
  const json = JSON.parse((await cli(["fuse", file, "--json"])).stdout);
  assert.equal(json.adapterModules.length, 25);
});

Deno.test("cli fuse -o: a self-contained translation, run in a fresh process without the component", async () => {
  const file = `${dir}/points-copy.wasm`;
  await Deno.copyFile(POINTS, file);
  const out = `${dir}/points-out`;
  const r = await cli(["fuse", file, "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote 5 files to .*points-out\n$/);
  const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
  assert.deepEqual(files, [
    "adapter-0.wasm",
    "module-0.wasm",
    "module-1.wasm",
    "module-2.wasm",
    "plan.json",
  ]);
  const plan = JSON.parse(await Deno.readTextFile(`${out}/plan.json`));
  assert.equal(plan.format, "wasmfuse-translation");
  assert.deepEqual(plan.modules, ["module-0.wasm", "module-1.wasm", "module-2.wasm"]);
  assert.equal(plan.adapterModules[0].file, "adapter-0.wasm");
  // the component itself is gone: the directory is enough
  await Deno.remove(file);
  const ran = await cli(["run", out, "--invoke", "run()"]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, "15\n");
});

Deno.test("cli fuse -o: modules of one shape share one file; the translation runs", async () => {
  const file = `${dir}/chain-6.wasm`;
  await Deno.writeFile(file, await wat(chain(6)));
  const out = `${dir}/chain-out`;
  const r = await cli(["fuse", file, "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  // 5 adapter modules of one shape (the head lifts with the same options as a link)
  const files = [...Deno.readDirSync(out)].map((e) => e.name).filter((f) =>
    f.startsWith("adapter")
  );
  assert.deepEqual(files, ["adapter-0.wasm"]);
  assert.match(r.stdout, /wrote 5 files to/); // and module-0 to module-2, plan.json
  const plan = JSON.parse(await Deno.readTextFile(`${out}/plan.json`));
  assert.deepEqual(
    plan.adapterModules.map((m: { file: string }) => m.file),
    Array(5).fill("adapter-0.wasm"),
  );
  const ran = await cli(["run", out, "--invoke", `f("abc")`]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, "8\n"); // the head returns the length, each of 5 links adds 1
});

Deno.test("cli fuse -o: a failing run changes nothing; a good one touches only its own files", async (t) => {
  const broken = (await Deno.readFile(POINTS)).subarray(0, 400);
  const base = `${dir}/outs`;
  await Deno.mkdir(base);
  const entries = (p: string) => [...Deno.readDirSync(p)].map((e) => e.name).sort();
  await t.step("a new DIR: not created by a failing run, nothing left beside it", async () => {
    const r = await cli(["fuse", "-", "-o", `${base}/new/deep`], broken);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: unexpected end-of-file at offset \d+\n$/);
    assert.deepEqual(entries(base), []);
  });
  await t.step("an earlier good run's files survive a failing one", async () => {
    const out = `${base}/good`;
    assert.equal((await cli(["fuse", POINTS, "-o", out])).code, 0);
    const before = entries(out);
    const plan = await Deno.readTextFile(`${out}/plan.json`);
    assert.equal((await cli(["fuse", "-", "-o", out], broken)).code, 1);
    assert.deepEqual(entries(out), before);
    assert.equal(await Deno.readTextFile(`${out}/plan.json`), plan);
    assert.deepEqual(entries(base), ["good"]);
  });
  await t.step("a pre-existing empty DIR stays; a user's file in DIR stays", async () => {
    const out = `${base}/mine`;
    await Deno.mkdir(out);
    assert.equal((await cli(["fuse", "-", "-o", out], broken)).code, 1);
    assert.deepEqual(entries(out), []);
    await Deno.writeTextFile(`${out}/notes.txt`, "mine");
    assert.equal((await cli(["fuse", POINTS, "-o", out])).code, 0);
    assert.ok(entries(out).includes("notes.txt"));
    assert.ok(entries(out).includes("plan.json"));
    assert.equal((await cli(["run", out, "--invoke", "run()"])).stdout, "15\n");
  });
  await t.step("DIR is a file: refused before anything is done", async () => {
    const file = `${base}/a-file`;
    await Deno.writeTextFile(file, "x");
    const r = await cli(["fuse", POINTS, "-o", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: -o .*a-file: exists and is not a directory\n/);
    assert.equal(await Deno.readTextFile(file), "x");
  });
  await t.step("a directory without plan.json does not run", async () => {
    const empty = await cli(["run", `${base}/mine-empty`, "--invoke", "run()"]);
    assert.equal(empty.code, 1);
    await Deno.mkdir(`${base}/nothing`);
    const none = await cli(["run", `${base}/nothing`, "--invoke", "run()"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: .*nothing is a directory without a readable plan\.json/);
  });
});

Deno.test("cli: the text format is accepted wherever a component is", async () => {
  const text = `;; a comment first
(component
  (core module $m (func (export "f") (result i32) (i32.const 7)))
  (core instance $i (instantiate $m))
  (func (export "f") (result u32) (canon lift (core func $i "f"))))`;
  const file = `${dir}/seven.wat`;
  await Deno.writeTextFile(file, text);
  const ran = await cli(["run", file, "--invoke", "f()"]);
  assert.equal(ran.stdout, "7\n", ran.stderr);
  const parsed = await cli(["parse", "-"], new TextEncoder().encode(text));
  assert.match(parsed.stdout, /^0x000000\.\. +component-begin depth 0\n/);
  const inspected = await cli(["inspect", file]);
  assert.match(inspected.stdout, /export "f": func\(\) -> u32/);
  // text that is not a component stays a parse error at offset 0
  const garbage = await cli(["parse", "-"], new TextEncoder().encode("hello"));
  assert.equal(garbage.code, 1);
  assert.match(garbage.stderr, /at offset 0\n$/);
  // a malformed text component: the text parser's message
  const bad = await cli(["parse", "-"], new TextEncoder().encode("(component (oops))"));
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stderr,
    "error: the text format does not parse: expected valid component field at line 1, column 13\n",
  );
});

Deno.test("cli: per-command help, --version, options that do not apply", async (t) => {
  await t.step("COMMAND --help and help COMMAND", async () => {
    const a = await cli(["fuse", "--help"]);
    assert.equal(a.code, 0);
    assert.match(a.stdout, /^usage: wasmfuse fuse FILE\|- \[-o DIR\] \[--wat \| --json\]/);
    assert.equal((await cli(["help", "fuse"])).stdout, a.stdout);
    assert.match((await cli(["run", "-h"])).stdout, /--trap-unknown-imports/);
  });
  await t.step("--version, -V", async () => {
    const v = await cli(["--version"]);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^wasmfuse \d+\.\d+\.\d+\n$/);
    assert.equal((await cli(["-V"])).stdout, v.stdout);
  });
  await t.step("an option another command has is refused (status 2)", async () => {
    for (
      const [args, message] of [
        [["inspect", "--wat", POINTS], "--wat does not apply to `inspect`"],
        [["parse", "--json", POINTS], "--json does not apply to `parse`"],
        [["fuse", "--wasi", POINTS], "--wasi does not apply to `fuse`"],
        [
          ["fuse", "--wat", "--json", POINTS],
          "--wat and --json both print to standard output: choose one",
        ],
        [["fuse", POINTS, "--", "x"], "`fuse` takes no program arguments after --"],
        [["help", "nope"], 'unknown command "nope"'],
      ] as const
    ) {
      const r = await cli([...args]);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.split("\n")[0], `error: ${message}`);
    }
  });
});
