import assert from "node:assert/strict";
import { instantiate, parseBytes } from "../mod.ts";
import { wat } from "./_wat.ts";

const dir = new URL("../examples/", import.meta.url);

Deno.test("examples/*.wasm are built from their .wat sources", async () => {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".wat")) continue;
    const built = await wat(await Deno.readTextFile(new URL(e.name, dir)));
    const shipped = await Deno.readFile(new URL(e.name.replace(/\.wat$/, ".wasm"), dir));
    assert.deepEqual(shipped, built, `${e.name}: run tools/build_examples.ts`);
    n++;
  }
  assert.ok(n > 0);
});

Deno.test("examples/composed.wasm parses, and its core modules are valid wasm", async () => {
  const payloads = parseBytes(await Deno.readFile(new URL("composed.wasm", dir)));
  const modules = payloads.filter((p) => p.kind === "module");
  assert.equal(modules.length, 3);
  for (const m of modules) assert.ok(WebAssembly.validate(m.bytes as BufferSource));
  const main = modules[2];
  assert.deepEqual(main.imports.map((i) => [i.module, i.name, i.type.kind]), [
    ["libc", "mem", "memory"],
    ["host", "shout", "func"],
  ]);
  assert.deepEqual(main.types[main.funcs[0]].type, {
    kind: "func",
    params: ["i32", "i32", "i32"],
    results: [],
  });
  assert.deepEqual(
    payloads.filter((p) => p.kind === "component-begin").map((p) => p.depth),
    [0, 1, 1],
  );
});

Deno.test("examples/points.wasm fuses, and its run() calls both adapters", async () => {
  const { fuseAndInstantiate } = await import("./fact/_harness.ts");
  const fused = await fuseAndInstantiate(await Deno.readFile(new URL("points.wasm", dir)));
  assert.equal(fused.modules.length, 1);
  assert.deepEqual(fused.modules[0].adapters, [0, 1]);
  // core instance 2 is $app's main module: distance((0,0),(3,4)) + 10 * nw(1)
  const run = fused.instances[2].exports.run as () => number;
  assert.equal(run(), 15);
});

Deno.test("examples/counter.wasm: an exported resource class and a host resource class", async () => {
  let disposed = 0;
  class Blob {
    constructor(readonly bytes: number) {}
    size() {
      return this.bytes;
    }
    [Symbol.dispose]() {
      disposed++;
    }
  }
  const { exports } = await instantiate(await Deno.readFile(new URL("counter.wasm", dir)), {
    host: { Blob },
  });
  const Counter = exports.Counter as unknown as
    & (new (start: number) => { get(): number; add(n: number): void } & Disposable)
    & { zero(): { get(): number } };
  const dropped = exports.dropped as () => number;
  {
    using c = new Counter(5);
    c.add(2);
    assert.equal(c.get(), 7);
    assert.ok(c instanceof Counter);
    assert.equal(Counter.zero().get(), 0);
    assert.equal(dropped(), 0);
  }
  assert.equal(dropped(), 1);
  assert.equal((exports["blob-size"] as (n: number) => number)(42), 42);
  assert.equal(disposed, 1);
});

Deno.test("examples/sleepy.wasm: an async host function waited for through a fused adapter", async () => {
  const { exports } = await instantiate(await Deno.readFile(new URL("sleepy.wasm", dir)), {
    "sleep-add": async (x: number) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return x + 1;
    },
  }, { async: true });
  const run = exports.run as (x: number) => Promise<number>;
  assert.equal(await run(4), 51);
  assert.deepEqual(await Promise.all([run(1), run(2)]), [21, 31]);
});
