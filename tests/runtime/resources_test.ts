/**
 * The resource built-ins inside one component instance: `resource.new`,
 * `resource.rep` and `resource.drop` over the instance's handle table.
 *
 * @module
 */

import assert from "node:assert/strict";
import { instantiate, Trap } from "../../mod.ts";
import { wat } from "../_wat.ts";

const COMPONENT = `(component
  (core module $D
    (global $last (export "last") (mut i32) (i32.const 0))
    (func (export "dtor") (param i32) (global.set $last (local.get 0))))
  (core instance $d (instantiate $D))
  (type $R (resource (rep i32) (dtor (func $d "dtor"))))
  (type $S (resource (rep i32)))
  (canon resource.new $R (core func $new))
  (canon resource.rep $R (core func $rep))
  (canon resource.drop $R (core func $drop))
  (canon resource.rep $S (core func $srep))
  (core module $M
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "rep" (func $rep (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "srep" (func $srep (param i32) (result i32)))
    (import "" "last" (global $last (mut i32)))
    (func (export "new") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "rep") (param i32) (result i32) (call $rep (local.get 0)))
    (func (export "srep") (param i32) (result i32) (call $srep (local.get 0)))
    (func (export "drop") (param i32) (call $drop (local.get 0)))
    (func (export "last") (result i32) (global.get $last))
    (func (export "drop-in-post-return") (param i32) (call $drop (i32.const 1))))
  (core instance $m (instantiate $M (with "" (instance
    (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))
    (export "srep" (func $srep)) (export "last" (global $d "last"))))))
  (func (export "new") (param "rep" u32) (result u32) (canon lift (core func $m "new")))
  (func (export "rep") (param "h" u32) (result u32) (canon lift (core func $m "rep")))
  (func (export "srep") (param "h" u32) (result u32) (canon lift (core func $m "srep")))
  (func (export "drop") (param "h" u32) (canon lift (core func $m "drop")))
  (func (export "last-dropped") (result u32) (canon lift (core func $m "last")))
  (func (export "new-then-drop") (param "rep" u32) (result u32)
    (canon lift (core func $m "new") (post-return (core func $m "drop-in-post-return")))))`;

type Fns = Record<string, (...a: number[]) => number | undefined>;

async function fresh(): Promise<Fns> {
  return (await instantiate(await wat(COMPONENT))).exports as Fns;
}

Deno.test("resource built-ins: indices from 1, freed ones reused last-in first-out", async () => {
  const f = await fresh();
  assert.deepEqual([f.new(100), f.new(200), f.new(300)], [1, 2, 3]);
  f.drop(2);
  f.drop(1);
  assert.deepEqual([f.new(400), f.new(500), f.new(600)], [1, 2, 4]);
  assert.deepEqual([f.rep(1), f.rep(2), f.rep(3), f.rep(4)], [400, 500, 300, 600]);
});

Deno.test("resource.drop calls the destructor with the representation", async () => {
  const f = await fresh();
  const h = f.new(77)!;
  assert.equal(f["last-dropped"](), 0);
  f.drop(h);
  assert.equal(f["last-dropped"](), 77);
});

Deno.test("resource built-ins trap on unknown handles and on the wrong resource type", async (t) => {
  await t.step("unknown index", async () => {
    const f = await fresh();
    assert.throws(
      () => f.rep(5),
      (e) => e instanceof Trap && e.message === "unknown handle index 5",
    );
  });
  await t.step("index 0 is never a handle", async () => {
    const f = await fresh();
    assert.throws(
      () => f.rep(0),
      (e) => e instanceof Trap && e.message === "unknown handle index 0",
    );
  });
  await t.step("a dropped handle", async () => {
    const f = await fresh();
    f.drop(f.new(1)!);
    assert.throws(
      () => f.drop(1),
      (e) => e instanceof Trap && e.message === "unknown handle index 1",
    );
  });
  await t.step("a handle of another resource type", async () => {
    const f = await fresh();
    const h = f.new(1)!;
    assert.throws(
      () => f.srep(h),
      (e) => e instanceof Trap && /^handle index 1 used with the wrong type/.test(e.message),
    );
  });
});

Deno.test("resource.drop in a post-return: cannot leave component instance", async () => {
  const f = await fresh();
  assert.throws(
    () => f["new-then-drop"](9),
    (e) => e instanceof Trap && e.message === "cannot leave component instance",
  );
});
