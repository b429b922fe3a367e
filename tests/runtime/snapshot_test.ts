/**
 * The runtime writes only what it checked: a host value is read once into a
 * checked copy before any `realloc` or store (a `Proxy` whose length
 * changes, an endless iterator, holes, a bad value after good ones), in
 * arguments to exports and in results of host imports.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile } from "../../mod.ts";
import { fns } from "../_trap.ts";
import { wat } from "../_wat.ts";

/**
 * `f(s: string, l: list<string>, n: u8) -> u32` returns the list's length;
 * `call-g() -> u32` calls the import `g() -> tuple<string, list<string>, u8>`
 * and returns the list's length; `reallocs() -> u32` counts realloc calls.
 */
const component = compile(
  await wat(`(component
  (import "g" (func $g (result (tuple string (list string) u8))))
  (core module $libc
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 0x1000))
    (global $calls (mut i32) (i32.const 0))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "calls") (result i32) (global.get $calls)))
  (core instance $libc (instantiate $libc))
  (core func $g-l (canon lower (func $g)
    (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (core module $m
    (import "libc" "mem" (memory 1))
    (import "" "g" (func $g (param i32)))
    (func (export "f") (param i32 i32 i32 i32 i32) (result i32) (local.get 3))
    (func (export "call-g") (result i32)
      (call $g (i32.const 0x100))
      (i32.load (i32.const 0x10c))))
  (core instance $m (instantiate $m
    (with "libc" (instance $libc)) (with "" (instance (export "g" (func $g-l))))))
  (func (export "f") (param "s" string) (param "l" (list string)) (param "n" u8) (result u32)
    (canon lift (core func $m "f")
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (func (export "call-g") (result u32) (canon lift (core func $m "call-g")))
  (func (export "reallocs") (result u32) (canon lift (core func $libc "calls"))))`),
);

Deno.test("arguments: nothing is allocated or written when a later argument is wrong", async () => {
  const e = fns((await component).instantiate({ g: () => ["", [], 0] }));
  assert.equal(e.f("abc", ["x", "y"], 7), 2);
  const before = e.reallocs();
  assert.throws(() => e.f("abc", ["x", "y"], 256), TypeError);
  assert.throws(() => e.f("abc", ["x", 5], 1), /expected a `string`, got 5/);
  assert.throws(() => e.f("abc", ["x", , "z"], 1), /expected a `string`, got undefined/);
  assert.equal(e.reallocs(), before, "no realloc for a call that was refused");
});

Deno.test("arguments: an array is read once, a Proxy whose length changes cannot shift anything", async () => {
  const e = fns((await component).instantiate({ g: () => ["", [], 0] }));
  let reads = 0;
  const shifty = new Proxy(["a", "b"], {
    get(target, key, receiver) {
      if (key === "length") return ++reads === 1 ? 2 : 3; // 2 the first time, 3 after
      return Reflect.get(target, key, receiver);
    },
  });
  assert.equal(e.f("", shifty, 0), 2);
  assert.equal(reads, 1);
  // a length that is no length
  const endless = new Proxy([], {
    get: (t, k, r) => k === "length" ? Infinity : Reflect.get(t, k, r),
  });
  assert.throws(() => e.f("", endless, 0), /expected an array, got one of length Infinity/);
});

Deno.test("host results: checked before anything is allocated in the component", async () => {
  let give: unknown = ["ok", ["a", "b", "c"], 1];
  const e = fns((await component).instantiate({ g: () => give }));
  assert.equal(e["call-g"](), 3);
  const before = e.reallocs();
  give = ["ok", ["a", "b", 3], 1];
  assert.throws(() => e["call-g"](), /^TypeError: in g: expected a `string`, got 3$/);
  give = ["ok", ["a"], 300];
  assert.throws(() => e["call-g"](), /in g: expected a `u8`/);
  assert.equal(e.reallocs(), before, "no realloc for a result that was refused");
});

Deno.test("arguments: a resource handle is not taken when a later argument is wrong", async () => {
  const c = await compile(
    await wat(`(component
    (type $R (resource (rep i32)))
    (core func $new (canon resource.new $R))
    (core module $m
      (import "" "new" (func $new (param i32) (result i32)))
      (func (export "make") (result i32) (call $new (i32.const 42)))
      (func (export "take") (param i32 i32) (result i32) (local.get 1)))
    (core instance $m (instantiate $m (with "" (instance (export "new" (func $new))))))
    (export $R' "r" (type $R))
    (func (export "make") (result (own $R')) (canon lift (core func $m "make")))
    (func (export "take") (param "r" (own $R')) (param "n" u8) (result u32)
      (canon lift (core func $m "take"))))`),
  );
  const e = fns(c.instantiate({}));
  const r = e.make();
  assert.throws(() => e.take(r, 256), /expected a `u8`/);
  assert.equal(e.take(r, 7), 7, "the handle is still the caller's after a refused call");
  assert.throws(() => e.take(r, 7), /was moved/, "and is taken by the call that went in");
});
