/**
 * Handles through fused adapters compiled to wasm: `own` and `borrow`
 * values move between two component instances' tables through the
 * runtime's transfer intrinsics, also inside lists, options and results;
 * borrow-lending calls and calls into an instance with task built-ins open
 * a call scope, which a trap unwinds.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile } from "../../mod.ts";
import { assertTrap, fns } from "../_trap.ts";
import { wat } from "../_wat.ts";

/** `$C` defines `r` (its destructor counts); `$B` uses it through `$C`'s exports. */
const bytes = await wat(`(component
  (component $C
    (core module $D
      (global $dtors (mut i32) (i32.const 0))
      (func (export "dtor") (param i32) (global.set $dtors (i32.add (global.get $dtors) (i32.const 1))))
      (func (export "dtors") (result i32) (global.get $dtors)))
    (core instance $d (instantiate $D))
    (type $r (resource (rep i32) (dtor (func $d "dtor"))))
    (core func $new (canon resource.new $r))
    (core func $rep (canon resource.rep $r))
    (core func $drop (canon resource.drop $r))
    (core func $index (canon thread.index))
    (core module $M
      (import "" "new" (func $new (param i32) (result i32)))
      (import "" "rep" (func $rep (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (import "" "index" (func $index (result i32)))
      (memory (export "mem") 1)
      (global $heap (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $heap))
        (global.set $heap (i32.add (local.get $p) (i32.and (i32.add (local.get 3) (i32.const 7))
          (i32.const -8))))
        (local.get $p))
      (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
      ;; C defines r: a borrow lent to it is the representation itself
      (func (export "get") (param i32) (result i32) (local.get 0))
      ;; list<own r>: the sum of the representations, each handle dropped
      (func (export "sum") (param $p i32) (param $n i32) (result i32)
        (local $t i32) (local $h i32)
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $h (i32.load (local.get $p)))
          (local.set $t (i32.add (local.get $t) (call $rep (local.get $h))))
          (call $drop (local.get $h))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))
        (local.get $t))
      ;; n new handles, representations 1 .. n, as list<own r>
      (func (export "many") (param $n i32) (result i32)
        (local $i i32)
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (i32.store (i32.add (i32.const 0x100) (i32.mul (local.get $i) (i32.const 4)))
            (call $new (i32.add (local.get $i) (i32.const 1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
        (i32.store (i32.const 0x80) (i32.const 0x100))
        (i32.store (i32.const 0x84) (local.get $n))
        (i32.const 0x80))
      ;; option<own r>: its representation (dropped), or 0
      (func (export "opt") (param $some i32) (param $h i32) (result i32)
        (local $v i32)
        (if (i32.eqz (local.get $some)) (then (return (i32.const 0))))
        (local.set $v (call $rep (local.get $h)))
        (call $drop (local.get $h))
        (local.get $v))
      (func (export "boom") (param i32) unreachable)
      (func (export "index") (result i32) (call $index)))
    (core instance $m (instantiate $M (with "" (instance
      (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))
      (export "index" (func $index))))))
    (export $r' "r" (type $r))
    (func (export "make") (param "n" u32) (result (own $r')) (canon lift (core func $m "make")))
    (func (export "get") (param "x" (borrow $r')) (result u32) (canon lift (core func $m "get")))
    (func (export "sum") (param "xs" (list (own $r'))) (result u32)
      (canon lift (core func $m "sum") (memory (core memory $m "mem"))
        (realloc (core func $m "realloc"))))
    (func (export "many") (param "n" u32) (result (list (own $r')))
      (canon lift (core func $m "many") (memory (core memory $m "mem"))))
    (func (export "opt") (param "x" (option (own $r'))) (result u32)
      (canon lift (core func $m "opt")))
    (func (export "boom") (param "x" (borrow $r')) (canon lift (core func $m "boom")))
    (func (export "index") (result u32) (canon lift (core func $m "index")))
    (func (export "dtors") (result u32) (canon lift (core func $d "dtors"))))
  (component $B
    (import "c" (instance $c
      (export "r" (type $r (sub resource)))
      (export "make" (func (param "n" u32) (result (own $r))))
      (export "get" (func (param "x" (borrow $r)) (result u32)))
      (export "sum" (func (param "xs" (list (own $r))) (result u32)))
      (export "many" (func (param "n" u32) (result (list (own $r)))))
      (export "opt" (func (param "x" (option (own $r))) (result u32)))
      (export "boom" (func (param "x" (borrow $r))))))
    (alias export $c "r" (type $r))
    (core module $Libc
      (memory (export "mem") 1)
      (global $heap (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $heap))
        (global.set $heap (i32.add (local.get $p) (i32.and (i32.add (local.get 3) (i32.const 7))
          (i32.const -8))))
        (local.get $p)))
    (core instance $libc (instantiate $Libc))
    (core func $make (canon lower (func $c "make")))
    (core func $get (canon lower (func $c "get")))
    (core func $sum (canon lower (func $c "sum") (memory (core memory $libc "mem"))))
    (core func $many (canon lower (func $c "many") (memory (core memory $libc "mem"))
      (realloc (core func $libc "realloc"))))
    (core func $opt (canon lower (func $c "opt")))
    (core func $boom (canon lower (func $c "boom")))
    (core func $drop (canon resource.drop $r))
    (core module $M
      (import "libc" "mem" (memory 1))
      (import "" "make" (func $make (param i32) (result i32)))
      (import "" "get" (func $get (param i32) (result i32)))
      (import "" "sum" (func $sum (param i32 i32) (result i32)))
      (import "" "many" (func $many (param i32 i32)))
      (import "" "opt" (func $opt (param i32 i32) (result i32)))
      (import "" "boom" (func $boom (param i32)))
      (import "" "drop" (func $drop (param i32)))
      ;; n handles made in C, received as a list, sent back in a list and summed there
      (func (export "list-sum") (param $n i32) (result i32)
        (call $many (local.get $n) (i32.const 0x40))
        (call $sum (i32.load (i32.const 0x40)) (i32.load (i32.const 0x44))))
      ;; some(handle of n) then none: n * 1000 + 0
      (func (export "opt") (param $n i32) (result i32)
        (i32.add (i32.mul (call $opt (i32.const 1) (call $make (local.get $n))) (i32.const 1000))
          (call $opt (i32.const 0) (i32.const 0))))
      ;; a handle lent twice, then dropped here: 2n
      (func (export "borrow-get") (param $n i32) (result i32)
        (local $h i32) (local $v i32)
        (local.set $h (call $make (local.get $n)))
        (local.set $v (i32.add (call $get (local.get $h)) (call $get (local.get $h))))
        (call $drop (local.get $h))
        (local.get $v))
      (func (export "boom") (call $boom (call $make (i32.const 1)))))
    (core instance $m (instantiate $M (with "libc" (instance $libc)) (with "" (instance
      (export "make" (func $make)) (export "get" (func $get)) (export "sum" (func $sum))
      (export "many" (func $many)) (export "opt" (func $opt)) (export "boom" (func $boom))
      (export "drop" (func $drop))))))
    (func (export "list-sum") (param "n" u32) (result u32) (canon lift (core func $m "list-sum")))
    (func (export "opt") (param "n" u32) (result u32) (canon lift (core func $m "opt")))
    (func (export "borrow-get") (param "n" u32) (result u32)
      (canon lift (core func $m "borrow-get")))
    (func (export "boom") (canon lift (core func $m "boom"))))
  (instance $c (instantiate $C))
  (instance $b (instantiate $B (with "c" (instance $c))))
  (export "list-sum" (func $b "list-sum"))
  (export "opt" (func $b "opt"))
  (export "borrow-get" (func $b "borrow-get"))
  (export "boom" (func $b "boom"))
  (export "dtors" (func $c "dtors"))
  (export "index" (func $c "index")))`);

const component = await compile(bytes);

Deno.test("every adapter passing handles is compiled into an adapter module", () => {
  const { dfg, adapterModules } = component.translation;
  assert.equal(dfg.adapters.length, 6);
  assert.ok(dfg.adapters.every((a) => a.host !== true));
  // C has task built-ins: every call into it opens a call scope
  assert.ok(dfg.adapters.every((a) => a.scoped === true));
  assert.equal(adapterModules.flatMap((m) => m.adapters).length, 6);
  const imports = adapterModules.flatMap((m) => m.imports.map((i) => `${i.module}/${i.name}`));
  for (
    const name of ["resource/transfer-own", "resource/transfer-borrow", "call/enter", "call/exit"]
  ) {
    assert.ok(imports.includes(name), name);
  }
});

Deno.test("own handles in lists and options, borrows lent and returned", () => {
  const e = fns(component.instantiate());
  assert.equal(e["list-sum"](3), 6);
  assert.equal(e.dtors(), 3);
  assert.equal(e["list-sum"](0), 0);
  assert.equal(e.opt(7), 7000);
  assert.equal(e.dtors(), 4);
  assert.equal(e["borrow-get"](21), 42);
  assert.equal(e.dtors(), 5);
});

Deno.test("a trap inside a scoped call unwinds its scope", () => {
  const e = fns(component.instantiate());
  assert.equal(e.index(), 1);
  assert.throws(() => e.boom(), (err: unknown) => err instanceof WebAssembly.RuntimeError);
  // B, whose export trapped, is poisoned; C's task from the unfinished call is gone, so a
  // new task in C gets thread index 1 again (2 if the failed call's task were left behind)
  assertTrap(() => e["borrow-get"](1), "cannot enter component instance");
  assert.equal(e.index(), 1);
});
