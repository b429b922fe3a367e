/**
 * Saved translations (`lib/saved.ts`): every example and real component
 * saved and loaded again gives the same translation (the graph, the plan,
 * the adapter modules) and runs the same; resource types keep their
 * identity; what is not a saved translation is refused.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, fuse, loadTranslation, saveTranslation, type Translation } from "../mod.ts";
import { wasiImports } from "./_wasi.ts";

const here = (path: string) => new URL(`../${path}`, import.meta.url);

/** Save, stringify, parse, load: what a file round trip does. */
async function roundTrip(t: Translation): Promise<Translation> {
  const saved = saveTranslation(t);
  const text = JSON.stringify(saved.json);
  return await loadTranslation(JSON.parse(text), (file) => {
    const b = saved.files.get(file);
    if (b === undefined) throw new Error(`no file ${file}`);
    return b;
  });
}

Deno.test("a saved translation loads as the same translation", async (t) => {
  for (
    const file of [
      "examples/composed.wasm",
      "examples/points.wasm",
      "examples/values.wasm",
      "examples/counter.wasm",
      "tests/realworld/notes.wasm",
      "tests/realworld/library.wasm",
      "tests/realworld/hello.wasm",
    ]
  ) {
    await t.step(file, async () => {
      const original = await fuse(await Deno.readFile(here(file)));
      const loaded = await roundTrip(original);
      assert.deepEqual(loaded.plan, original.plan);
      assert.deepEqual(loaded.adapterModules, original.adapterModules);
      assert.deepEqual(loaded.dfg, original.dfg);
      // one object per resource type, as in the original graph
      loaded.dfg.resources.forEach((r, i) => {
        const again = loaded.dfg.resources.findIndex((x) => x.type === r.type);
        assert.equal(again, i);
      });
    });
  }
});

Deno.test("a loaded translation runs: resources, WASI, fused adapters", async () => {
  const counter = await compile(
    await roundTrip(await fuse(await Deno.readFile(here("examples/counter.wasm")))),
  );
  class Blob {
    constructor(readonly n: number) {}
    size() {
      return this.n;
    }
  }
  const c = counter.instantiate({ host: { Blob } });
  const Counter = c.exports.Counter as new (n: number) => { add(n: number): void; get(): number };
  const k = new Counter(1);
  k.add(41);
  assert.equal(k.get(), 42);
  assert.equal((c.exports["blob-size"] as (n: number) => number)(7), 7);

  const notes = await compile(
    await roundTrip(await fuse(await Deno.readFile(here("tests/realworld/notes.wasm")))),
  );
  const app = notes.instantiate(wasiImports()).exports.app as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  assert.deepEqual(app.run([{ tag: "write", val: ["t", "body"] }]), {
    notes: 1,
    titles: ["t"],
    bodyBytes: 4n,
    loudest: "T!",
  });
});

Deno.test("what is not a saved translation is refused", async () => {
  const read = () => new Uint8Array();
  await assert.rejects(() => loadTranslation({}, read), {
    message: 'not a saved wasmfuse translation (no "format": "wasmfuse-translation")',
  });
  await assert.rejects(
    () => loadTranslation({ format: "wasmfuse-translation", version: 9 }, read),
    {
      message: "a saved translation of format version 9; this wasmfuse reads version 1",
    },
  );
});
