/**
 * Components made by real toolchains (`tests/realworld/`, rebuilt by
 * `tools/build_realworld.ts`), run as a jco user runs them: with
 * `@bytecodealliance/preview2-shim`'s import object passed unmodified
 * (versioned and unversioned), every value compared with what jco itself
 * returns for the same call.
 *
 * - `notes.wasm`: two C components composed, fused adapters between them
 *   passing a resource, records, lists, options, results, variants, flags;
 * - `library.wasm`: the provider alone, its resource as a class at the host;
 * - `greeter-js.wasm.gz`: a componentize-js component (a 12 MB engine),
 *   importing WASI 0.2.12 and wasi:http 0.2.10;
 * - `hello.wasm`: a `wasi:cli/run` command, run by the CLI.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, ComponentError, fuse, instantiate } from "../../mod.ts";
import { type Api, type Fn, jco, jcoInstantiate, outcome } from "./_jco.ts";
import { run } from "../_cli.ts";
import { wasiImports } from "../_wasi.ts";

/** The CLI with every permission (WASI reads the environment, starts a worker). */
const cli = (args: string[]) => run(args, undefined, true);

const here = new URL("./", import.meta.url);
const read = (name: string) => Deno.readFile(new URL(name, here));

/** The gzipped JS component, decompressed as a stream. */
async function greeterBytes(): Promise<Uint8Array> {
  const file = await Deno.open(new URL("greeter-js.wasm.gz", here));
  const plain = file.readable.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(plain).arrayBuffer());
}

/** preview2-shim's two import objects, as jco users pass them. */
const IMPORT_OBJECTS: [string, () => Record<string, unknown>][] = [
  ["getImportObject()", () => wasiImports()],
  [
    'getImportObject({ asVersion: "0.2.12" })',
    () => wasiImports("0.2.12"),
  ],
];

const write = (title: string, body: string) => ({ tag: "write", val: [title, body] });

/** `app.run` calls and what they give (checked against jco too). */
const RUNS: [string, unknown[], unknown][] = [
  [
    "write, tag, find, open, erase",
    [
      write("a", "one"),
      write("b", "two two"),
      { tag: "tag", val: ["a", "x"] },
      { tag: "find", val: "x" },
      { tag: "find" },
      { tag: "open", val: "side" },
      { tag: "erase", val: "b" },
      write("ç", "ü"),
    ],
    { ok: { notes: 2, titles: ["a", "ç"], bodyBytes: 5n, loudest: "A!" } },
  ],
  ["nothing", [], { ok: { notes: 0, titles: [], bodyBytes: 0n, loudest: undefined } }],
  ["a duplicate title", [write("a", "1"), write("a", "2")], { err: "write a: duplicate(a)" }],
  ["erasing a missing note", [{ tag: "erase", val: "zz" }], { err: "erase zz: missing(zz)" }],
  ["tagging a missing note", [{ tag: "tag", val: ["zz", "t"] }], { err: "tag zz: no such note" }],
  [
    "opening read-only",
    [{ tag: "open", val: "ro-x" }],
    { err: "open ro-x: denied(ro-x: read-only)" },
  ],
  ["an empty title", [write("", "x")], { err: "write : denied(empty title)" }],
  [
    "a full notebook",
    Array.from({ length: 9 }, (_, i) => write(`k${i}`, "v")),
    { err: "write k8: full" },
  ],
  [
    "unicode and long bodies",
    [write("日本", "x".repeat(70_000)), write("😀", "é")],
    { ok: { notes: 2, titles: ["日本", "😀"], bodyBytes: 70_002n, loudest: "日本!" } },
  ],
];

Deno.test("notes.wasm: two C components composed, run with preview2-shim as jco runs them", async (t) => {
  const bytes = await read("notes.wasm");
  const transpiled = await jco(bytes);
  const component = await compile(bytes);
  // fused adapters between the two components: the 8 library functions the app calls
  assert.equal(component.translation.dfg.adapters.length, 8);
  for (const [name, imports] of IMPORT_OBJECTS) {
    await t.step(name, async (t) => {
      const reference = (await transpiled.instantiate(wasiImports())).app as Api;
      const { exports } = component.instantiate(imports());
      const app = exports.app as Api;
      assert.equal(app, exports["fixture:notes/app@0.1.0"]);
      for (const [what, actions, expected] of RUNS) {
        await t.step(what, () => {
          const got = outcome(() => app.run(actions));
          assert.deepEqual(got, expected);
          assert.deepEqual(got, outcome(() => reference.run(actions)), "as jco");
        });
      }
      await t.step("echo and checksum (strings and list<u8> across the adapter)", () => {
        for (const s of ["", "héllo ✓ 😀", "x".repeat(100_000)]) {
          assert.equal(app.echo(s), reference.echo(s));
        }
        assert.equal(app.echo("abc"), "<ABC!>");
        const data = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff);
        assert.equal(app.checksum(data), reference.checksum(data));
        assert.equal(app.checksum(new Uint8Array()), 2166136261);
      });
    });
  }
});

Deno.test("library.wasm: an exported resource as a class, results thrown, flags and options", async () => {
  const bytes = await read("library.wasm");
  const imports = wasiImports("0.2.12");
  const ours = (await instantiate(bytes, imports)).exports.library as Record<string, unknown>;
  const jco = (await jcoInstantiate(bytes, wasiImports())).library as Record<
    string,
    unknown
  >;
  // the same script on both; its outcomes compared
  const script = (lib: Record<string, unknown>) => {
    const Notebook = lib.Notebook as new (owner: string) => Record<string, Fn> & Disposable;
    const nb = new Notebook("me");
    const note = (title: string, extra: object = {}) => ({
      title,
      body: `body of ${title}`,
      tags: [],
      level: "normal",
      stamp: undefined,
      ...extra,
    });
    const out = [
      outcome(() => nb.owner()),
      outcome(() => nb.add(note("t1", { tags: ["x", "y"], level: "high", stamp: 5n }))),
      outcome(() => nb.add(note("t2", { level: "low" }))),
      outcome(() => nb.add(note("t1"))),
      outcome(() => nb.add(note(""))),
      outcome(() => nb.get("t1")),
      outcome(() => nb.get("zz")),
      outcome(() => nb.search({ tag: "all" })),
      outcome(() => nb.search({ tag: "tagged", val: "y" })),
      outcome(() => nb.search({ tag: "at-least", val: "normal" })),
      outcome(() => nb.remove("t2")),
      outcome(() => nb.remove("t2")),
      outcome(() => (lib.open as Fn)("ro", { read: true, write: false })),
      outcome(() => ((lib.open as Fn)("side", { read: true, write: true }) as Api).owner()),
      outcome(() => (lib.shout as Fn)("héllo")),
      outcome(() => (lib.checksum as Fn)(new Uint8Array([1, 2, 3]))),
      outcome(() => (lib.checksum as Fn)([1, 2, 3])),
    ];
    nb[Symbol.dispose]();
    return out;
  };
  const got = script(ours);
  assert.deepEqual(got, script(jco));
  const t1 = { title: "t1", body: "body of t1", tags: ["x", "y"], level: "high", stamp: 5n };
  assert.deepEqual(got.slice(0, 7), [
    { ok: "me" },
    { ok: 1 },
    { ok: 2 },
    { err: { tag: "duplicate", val: "t1" } },
    { err: { tag: "denied", val: "empty title" } },
    { ok: t1 },
    { ok: undefined },
  ]);
  assert.deepEqual(got[11], { err: { tag: "missing", val: "t2" } });
  assert.deepEqual(got[12], { err: { tag: "denied", val: "ro: read-only" } });
  assert.deepEqual(got[13], { ok: "side" });
  assert.deepEqual(got[14], { ok: "HéLLO!" });
  // the error is jco's ComponentError
  const Notebook = ours.Notebook as new (owner: string) => Api;
  assert.throws(() => new Notebook("x").remove("none"), (e) => {
    assert.ok(e instanceof ComponentError);
    assert.equal(e.message, '{"tag":"missing","val":"none"} (see error.payload)');
    return true;
  });
});

Deno.test("greeter-js.wasm.gz: a componentize-js component, WASI 0.2.12 and wasi:http 0.2.10", async (t) => {
  const bytes = await greeterBytes();
  const component = await compile(bytes);
  const imported = component.translation.dfg.imports.map((i) => i.name);
  assert.ok(imported.includes("wasi:http/types@0.2.10"), imported.join(", "));
  assert.ok(imported.includes("wasi:cli/stdout@0.2.12"));
  const transpiled = await jco(bytes);
  for (const [name, imports] of IMPORT_OBJECTS) {
    await t.step(name, async () => {
      const reference = (await transpiled.instantiate(wasiImports())).greeter as Api;
      const g = component.instantiate(imports()).exports.greeter as Api;
      const calls: [string, unknown[]][] = [
        ["greet", ["wörld"]],
        ["summarize", [new Uint32Array([3, 9, 4])]],
        ["summarize", [[]]],
        ["parseLevel", ["200"]],
        ["parseLevel", ["300"]],
      ];
      for (const [fn, args] of calls) {
        assert.deepEqual(outcome(() => g[fn](...args)), outcome(() => reference[fn](...args)), fn);
      }
      assert.equal(g.greet("x"), "hello, x!");
      assert.deepEqual(g.summarize([1, 2]), { count: 2, total: 3n, mean: 1.5, max: 2 });
      assert.deepEqual(outcome(() => g.parseLevel("x")), { err: "not a level: x" });
    });
  }
  await t.step("fuse() reads it as a stream", async () => {
    const file = await Deno.open(new URL("greeter-js.wasm.gz", here));
    const t2 = await fuse(file.readable.pipeThrough(new DecompressionStream("gzip")));
    assert.equal(t2.dfg.imports.length, imported.length);
  });
});

Deno.test("hello.wasm: a wasi:cli/run command run by the CLI, as wasmtime run runs it", async (t) => {
  const file = new URL("hello.wasm", here).pathname;
  const dir = await Deno.makeTempDir({ prefix: "wasmfuse-hello-" });
  await Deno.writeTextFile(`${dir}/input.txt`, "one\ntwo\nthree\n");
  try {
    await t.step("no directories, no environment, argv[0] the file", async () => {
      const r = await cli(["run", file, "--wasi"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        "hello from a C command, 1 argument\nGREETING = (unset)\ndata/input.txt: not found\n",
      );
      assert.equal(r.stderr, "hello: done\n");
    });
    await t.step(
      "--dir, --env and program arguments; the exit status is the command's",
      async () => {
        const r = await cli([
          "run",
          file,
          "--wasi",
          "--dir",
          `${dir}::data`,
          "--env",
          "GREETING=hi there",
          "--",
          "exit=0",
          "two words",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(
          r.stdout,
          "hello from a C command, 3 arguments\nargv[1] = exit=0\nargv[2] = two words\n" +
            "GREETING = hi there\ndata/input.txt: 3 lines\n",
        );
        // exit(3) in C: the preview1 adapter calls WASI 0.2's `exit(err)`: status 1, as wasmtime
        const failing = await cli(["run", file, "--wasi", "--", "exit=3"]);
        assert.equal(failing.code, 1, failing.stderr);
        assert.match(failing.stdout, /^hello from a C command, 2 arguments\n/);
      },
    );
    await t.step("without --wasi: which import is missing, and how to run it", async () => {
      const r = await cli(["run", file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: missing import `wasi:.*` \(run with --wasi for WASI 0\.2/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli run --wasi --invoke on the composed notes.wasm", async () => {
  const file = new URL("notes.wasm", here).pathname;
  const ok = await cli([
    "run",
    file,
    "--wasi",
    "--invoke",
    'app#run([write(("a", "b")), find(none)])',
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'ok({notes: 1, titles: ["a"], body-bytes: 1, loudest: some("A!")})\n');
  const err = await cli([
    "run",
    file,
    "--wasi",
    "--invoke",
    'fixture:notes/app@0.1.0#run([erase("q")])',
  ]);
  assert.equal(err.code, 0, err.stderr);
  assert.equal(err.stdout, 'err("erase q: missing(q)")\n');
  const echo = await cli(["run", file, "--wasi", "--invoke", 'app.echo("wörld")']);
  assert.equal(echo.stdout, '"<WöRLD!>"\n');
});

Deno.test("notes.wasm in an async instance (JSPI): the same values, from Promises", async () => {
  const component = await compile(await read("notes.wasm"));
  const sync = component.instantiate(wasiImports()).exports.app as Api;
  const app = component.instantiate(wasiImports(), { async: true }).exports.app as unknown as {
    run(actions: unknown[]): Promise<unknown>;
    echo(s: string): Promise<string>;
  };
  for (const [, actions, expected] of RUNS) {
    let got: unknown;
    try {
      got = { ok: await app.run(actions) };
    } catch (e) {
      got = { err: (e as ComponentError).payload };
    }
    assert.deepEqual(got, expected);
    assert.deepEqual(got, outcome(() => sync.run(actions)));
  }
  assert.equal(await app.echo("héllo ✓"), sync.echo("héllo ✓"));
});
