/**
 * The real-toolchain components of `../shared/realworld/` (when it is there:
 * a clone on its own skips these with one line), run with preview2-shim's
 * import object passed unmodified, every call giving the value jco gives
 * (listed in that folder's README, and checked against jco itself).
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile } from "../../mod.ts";
import { type Api, type Fn, jco, jcoInstantiate, outcome } from "./_jco.ts";
import { run } from "../_cli.ts";
import { wasiImports } from "../_wasi.ts";

const SHARED = new URL("../../../shared/realworld/", import.meta.url);
const present = await Deno.stat(SHARED).then(() => true, () => false);
if (!present) {
  Deno.test({
    name: `../shared/realworld: skipped, not found: ${SHARED.pathname}`,
    ignore: true,
    fn() {},
  });
}

/** A test of these components: registered only when they are there. */
function test(t: Deno.TestDefinition): void {
  if (present) Deno.test(t);
}

const put = (k: string, v: string) => ({ tag: "put", val: [k, v] });

/** The README's calls of `demo:kv/api@0.1.0` and jco's values for them. */
const CALLS: [string, () => unknown[], unknown][] = [
  [
    "put, get, ls, del",
    () => [
      put("a", "1"),
      put("b", "22"),
      put("ab", "ü33"),
      { tag: "get", val: "a" },
      { tag: "ls", val: "a" },
      { tag: "del", val: "b" },
      { tag: "ls" },
    ],
    { ok: { count: 1, keys: ["a", "ab"], totalBytes: 5n, first: "a" } },
  ],
  ["a missing key", () => [{ tag: "get", val: "nope" }], { err: "missing: nope" }],
  [
    "deleting a missing key",
    () => [{ tag: "del", val: "zz" }],
    { err: 'del zz: {"tag":"not-found","val":"zz"}' },
  ],
  ["an empty key", () => [put("", "x")], { err: 'put : {"tag":"invalid","val":"empty key"}' }],
  [
    "a full bucket",
    () => Array.from({ length: 9 }, (_, i) => put(`k${i}`, "v".repeat(i))),
    { err: 'put k6: {"tag":"full"}' },
  ],
];

for (const file of ["kv-composed-c-c.wasm", "kv-composed-c-c16.wasm"]) {
  test({
    name: `../shared/realworld/${file}: the README's calls, as jco returns them`,
    fn: async (t) => {
      const bytes = await Deno.readFile(new URL(file, SHARED));
      const transpiled = await jco(bytes);
      const component = await compile(bytes);
      for (const version of [undefined, "0.2.12"]) {
        const name = `getImportObject(${version ? `{ asVersion: "${version}" }` : ""})`;
        await t.step(name, async () => {
          // fresh instances on both sides: the calls change the store
          const reference = (await transpiled.instantiate(wasiImports())).api as Api;
          const api = component.instantiate(wasiImports(version)).exports.api as Api;
          for (const [what, cmds, expected] of CALLS) {
            const got = outcome(() => api.run(cmds()));
            assert.deepEqual(got, expected, what);
            assert.deepEqual(got, outcome(() => reference.run(cmds())), `${what}, as jco`);
          }
          assert.equal(api.greet("wörld"), "hello wörld from greetings (hi)");
          assert.equal(api.roundtrip("héllo ✓ 😀 😀"), "<héllo ✓ 😀 😀>");
          assert.equal((api.roundtrip("x".repeat(100_000)) as string).length, 100_002);
        });
      }
    },
  });
}

test({
  name: "../shared/realworld/kv-backend-c.wasm: the bucket resource at the host, as jco has it",
  fn: async () => {
    const bytes = await Deno.readFile(new URL("kv-backend-c.wasm", SHARED));
    const ours = (await compile(bytes)).instantiate(wasiImports("0.2.12")).exports.store as Record<
      string,
      unknown
    >;
    const jco = (await jcoInstantiate(bytes, wasiImports())).store as Record<string, unknown>;
    const script = (store: Record<string, unknown>) => {
      const Bucket = store.Bucket as new (name: string) => Api & Disposable;
      const b = new Bucket("main");
      const entry = { key: "a", value: new Uint8Array([1, 2, 3]), tags: ["x", "y"] };
      const out = [
        outcome(() => b.put(entry)),
        outcome(() => b.put({ ...entry, key: "" })),
        outcome(() => b.put({ key: "bc", value: new Uint8Array([9]), tags: [] })),
        outcome(() => b.get("a")),
        outcome(() => b.get("zz")),
        outcome(() => b.find({ tag: "all" })),
        outcome(() => b.find({ tag: "tagged", val: "y" })),
        outcome(() => b.find({ tag: "prefix", val: "b" })),
        outcome(() => b.remove("a")),
        outcome(() => b.remove("a")),
        outcome(() => (store.open as Fn)("ro", { read: true })),
        outcome(() => (store.stats as Fn)()),
        outcome(() => (store.echo as Fn)("héllo wörld ✓ 😀")),
      ];
      b[Symbol.dispose]();
      return out;
    };
    const got = script(ours);
    assert.deepEqual(got, script(jco));
    assert.deepEqual(got[0], { ok: 1 });
    assert.deepEqual(got[1], { err: { tag: "invalid", val: "empty key" } });
    assert.deepEqual(got[3], {
      ok: { key: "a", value: new Uint8Array([1, 2, 3]), tags: ["x", "y"] },
    });
    assert.deepEqual(got[4], { ok: undefined });
    assert.deepEqual(got[9], { err: { tag: "not-found", val: "a" } });
    assert.deepEqual(got[10], { err: { tag: "invalid", val: "bucket ro: read-only" } });
    assert.deepEqual(got[12], { ok: "<héllo wörld ✓ 😀>" });
  },
});

test({
  name: "../shared/realworld/cli-demo-c.wasm: cli.ts run --wasi --invoke",
  fn: async () => {
    const file = new URL("cli-demo-c.wasm", SHARED).pathname;
    const greet = await run(["run", file, "--wasi", "--invoke", 'greet("x")'], undefined, true);
    assert.equal(greet.code, 0, greet.stderr);
    assert.equal(greet.stdout, 'greet called with x\n"hello x"\n');
    const add = await run(["run", file, "--wasi", "--invoke", "add(40, 2)"], undefined, true);
    assert.equal(add.stdout, "42\n");
  },
});
