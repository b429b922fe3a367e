import assert from "node:assert/strict";
import { compile, fuse, LinkError, Trap } from "../../mod.ts";
import { compileModules, instantiateCore } from "../../lib/runtime/mod.ts";
import { wat } from "../_wat.ts";

Deno.test("instantiateCore() runs start functions in plan order and turns adapter traps into Trap", async () => {
  // a component lowering its own lifted function: the adapter only traps, and
  // a start function calls it while the component is being instantiated
  const t = await fuse(
    await wat(`(component
      (core module $m (func (export "f")))
      (core instance $i (instantiate $m))
      (func $f (canon lift (core func $i "f")))
      (core func $g (canon lower (func $f)))
      (core module $s (import "x" "g" (func $g)) (func $start (call $g)) (start $start))
      (core instance (instantiate $s (with "x" (instance (export "g" (func $g)))))))`),
  );
  assert.equal(t.adapterModules.length, 1);
  assert.throws(() => instantiateCore(t), (e) => {
    assert.ok(e instanceof Trap);
    assert.equal(e.name, "Trap");
    assert.equal(e.message, "cannot enter component instance");
    assert.equal(e.code, 1);
    return true;
  });
});

Deno.test("instantiateCore() instantiates one compilation any number of times, independently", async () => {
  const t = await fuse(await Deno.readFile(new URL("../../examples/points.wasm", import.meta.url)));
  const compiled = compileModules(t);
  const a = instantiateCore(t, compiled);
  const b = instantiateCore(t, compiled);
  const run = (c: typeof a) => (c.instances[2].exports.run as () => number)();
  assert.equal(run(a), 15);
  assert.equal(run(b), 15);
  // separate memories: a write into one instance is not seen by the other
  const mem = (c: typeof a) =>
    new Uint8Array((c.instances[1].exports.mem as WebAssembly.Memory).buffer);
  mem(a)[100] = 7;
  assert.equal(mem(b)[100], 0);
  assert.notEqual(a.flags[1], b.flags[1]);
});

Deno.test("compile(): a core module the engine refuses is a LinkError naming it", async () => {
  // the parser reads module headers; the bodies are the engine's to validate
  const bytes = await wat(`(component
    (core module $ok)
    (core module $bad (func (result i32))))`);
  await assert.rejects(() => compile(bytes), (e: unknown) => {
    assert.ok(e instanceof LinkError, String(e));
    assert.match(e.message, /^core module 1 is not valid core wasm: /);
    return true;
  });
});
