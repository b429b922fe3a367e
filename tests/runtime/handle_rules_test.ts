/**
 * Own and borrow handles across fused adapters, on a chain of three
 * components: C defines a resource, B takes handles from A and passes them
 * on to C, A drives. Each rule of the Canonical ABI's handle transfers is
 * checked with its trap.
 *
 * @module
 */

import assert from "node:assert/strict";
import { instantiate } from "../../mod.ts";
import { assertTrap, fns } from "../_trap.ts";
import { wat } from "../_wat.ts";

const C = `(component $C
  (core module $D
    (global $n (mut i32) (i32.const 0))
    (func (export "dtor") (param i32) (global.set $n (i32.add (global.get $n) (i32.const 1))))
    (func (export "n") (result i32) (global.get $n)))
  (core instance $d (instantiate $D))
  (type $r (resource (rep i32) (dtor (func $d "dtor"))))
  (core func $new (canon resource.new $r))
  (core module $M
    (import "" "new" (func $new (param i32) (result i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    ;; a borrow arrives at the defining component as its representation
    (func (export "get") (param i32) (result i32) (local.get 0)))
  (core instance $m (instantiate $M (with "" (instance (export "new" (func $new))))))
  (export $r' "r" (type $r))
  (func (export "make") (param "n" u32) (result (own $r')) (canon lift (core func $m "make")))
  (func (export "get") (param "x" (borrow $r')) (result u32) (canon lift (core func $m "get")))
  (func (export "dropped") (result u32) (canon lift (core func $d "n"))))`;

const B = `(component $B
  (import "c" (instance $c
    (export "r" (type (sub resource)))
    (export "get" (func (param "x" (borrow 0)) (result u32)))))
  (alias export $c "r" (type $r))
  (core func $get (canon lower (func $c "get")))
  (core func $drop (canon resource.drop $r))
  (core module $M
    (import "" "get" (func $get (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (global $last (mut i32) (i32.const 0))
    ;; an own handle in, the same out
    (func (export "pass") (param i32) (result i32) (local.get 0))
    ;; a borrow handle (B does not define the resource): on to C, then dropped
    (func (export "peek") (param i32) (result i32)
      (local $v i32)
      (local.set $v (call $get (local.get 0)))
      (call $drop (local.get 0))
      (local.get $v))
    ;; keeps the borrow it was lent
    (func (export "keep") (param i32) (result i32) (local.get 0))
    ;; hands a borrowed handle back as if it owned it
    (func (export "steal") (param i32) (result i32) (local.get 0))
    (func (export "both") (param i32 i32) (call $drop (local.get 1))))
  (core instance $m (instantiate $M (with "" (instance
    (export "get" (func $get)) (export "drop" (func $drop))))))
  (func (export "pass") (param "x" (own $r)) (result (own $r)) (canon lift (core func $m "pass")))
  (func (export "peek") (param "x" (borrow $r)) (result u32) (canon lift (core func $m "peek")))
  (func (export "keep") (param "x" (borrow $r)) (result u32) (canon lift (core func $m "keep")))
  (func (export "steal") (param "x" (borrow $r)) (result (own $r))
    (canon lift (core func $m "steal")))
  (func (export "both") (param "a" (borrow $r)) (param "b" (own $r))
    (canon lift (core func $m "both"))))`;

const A = `(component $A
  (import "c" (instance $c
    (export "r" (type (sub resource)))
    (export "make" (func (param "n" u32) (result (own 0))))
    (export "dropped" (func (result u32)))))
  (alias export $c "r" (type $r))
  (import "b" (instance $b
    (alias outer $A $r (type $r'))
    (export "pass" (func (param "x" (own $r')) (result (own $r'))))
    (export "peek" (func (param "x" (borrow $r')) (result u32)))
    (export "keep" (func (param "x" (borrow $r')) (result u32)))
    (export "steal" (func (param "x" (borrow $r')) (result (own $r'))))
    (export "both" (func (param "a" (borrow $r')) (param "b" (own $r'))))))
  (core func $make (canon lower (func $c "make")))
  (core func $dropped (canon lower (func $c "dropped")))
  (core func $pass (canon lower (func $b "pass")))
  (core func $peek (canon lower (func $b "peek")))
  (core func $keep (canon lower (func $b "keep")))
  (core func $steal (canon lower (func $b "steal")))
  (core func $both (canon lower (func $b "both")))
  (core func $drop (canon resource.drop $r))
  (core module $M
    (import "" "make" (func $make (param i32) (result i32)))
    (import "" "dropped" (func $dropped (result i32)))
    (import "" "pass" (func $pass (param i32) (result i32)))
    (import "" "peek" (func $peek (param i32) (result i32)))
    (import "" "keep" (func $keep (param i32) (result i32)))
    (import "" "steal" (func $steal (param i32) (result i32)))
    (import "" "both" (func $both (param i32 i32)))
    (import "" "drop" (func $drop (param i32)))
    ;; make in C, through B and back, lend it A -> B -> C, drop it: v * 100 + destructor calls
    (func (export "run") (result i32)
      (local $h i32) (local $v i32)
      (local.set $h (call $pass (call $make (i32.const 7))))
      (local.set $v (call $peek (local.get $h)))
      (local.set $v (i32.add (local.get $v) (call $peek (local.get $h))))
      (call $drop (local.get $h))
      (i32.add (i32.mul (local.get $v) (i32.const 100)) (call $dropped)))
    (func (export "handle-after-pass") (result i32)
      (call $pass (call $make (i32.const 1))))
    (func (export "keep") (result i32) (call $keep (call $make (i32.const 1))))
    (func (export "steal") (result i32) (call $steal (call $make (i32.const 1))))
    (func (export "both") (local $h i32)
      (local.set $h (call $make (i32.const 1)))
      (call $both (local.get $h) (local.get $h)))
    (func (export "unknown") (result i32) (call $peek (i32.const 5)))
    (func (export "after-drop") (result i32)
      (local $h i32)
      (local.set $h (call $make (i32.const 1)))
      (call $drop (local.get $h))
      (call $peek (local.get $h)))
    (func (export "moved") (result i32)
      (local $h i32)
      (local.set $h (call $make (i32.const 1)))
      (drop (call $pass (local.get $h)))
      ;; the handle moved to B and back into index 1: index 2 was never A's
      (call $peek (i32.const 2))))
  (core instance $m (instantiate $M (with "" (instance
    (export "make" (func $make)) (export "dropped" (func $dropped))
    (export "pass" (func $pass)) (export "peek" (func $peek)) (export "keep" (func $keep))
    (export "steal" (func $steal)) (export "both" (func $both)) (export "drop" (func $drop))))))
  (func (export "run") (result u32) (canon lift (core func $m "run")))
  (func (export "handle-after-pass") (result u32) (canon lift (core func $m "handle-after-pass")))
  (func (export "keep") (result u32) (canon lift (core func $m "keep")))
  (func (export "steal") (result u32) (canon lift (core func $m "steal")))
  (func (export "both") (canon lift (core func $m "both")))
  (func (export "unknown") (result u32) (canon lift (core func $m "unknown")))
  (func (export "after-drop") (result u32) (canon lift (core func $m "after-drop")))
  (func (export "moved") (result u32) (canon lift (core func $m "moved"))))`;

const bytes = await wat(`(component
  ${C}
  ${B}
  ${A}
  (instance $c (instantiate $C))
  (instance $b (instantiate $B (with "c" (instance $c))))
  (instance $a (instantiate $A (with "c" (instance $c)) (with "b" (instance $b))))
  (export "run" (func $a "run"))
  (export "handle-after-pass" (func $a "handle-after-pass"))
  (export "keep" (func $a "keep"))
  (export "steal" (func $a "steal"))
  (export "both" (func $a "both"))
  (export "unknown" (func $a "unknown"))
  (export "after-drop" (func $a "after-drop"))
  (export "moved" (func $a "moved")))`);

const fresh = async () => fns(await instantiate(bytes));

Deno.test("a resource made in C crosses B and back to A, and is lent A -> B -> C", async () => {
  const e = await fresh();
  // 7 read twice through two hops, then one destructor call when A drops it
  assert.equal(e.run(), 1401);
  // an own handle moves out of A's table (index 1 freed) and comes back as a new
  // handle, in the freed index (tables reuse the last freed index first)
  assert.equal(e["handle-after-pass"](), 1);
});

Deno.test("handle rules across fused adapters trap with the rule's words", async (t) => {
  await t.step("a borrow still held when the call ends", async () => {
    assertTrap((await fresh()).keep, "borrow handles still remain at the end of the call");
  });
  await t.step("an owned handle lifted from a borrow", async () => {
    assertTrap((await fresh()).steal, "cannot lift an owned resource from a borrowed handle");
  });
  await t.step("moving a handle lent to the same call", async () => {
    assertTrap((await fresh()).both, "cannot remove owned resource while borrowed");
  });
  await t.step("an index never allocated", async () => {
    assertTrap((await fresh()).unknown, "unknown handle index 5");
  });
  await t.step("a handle used after it was dropped", async () => {
    assertTrap((await fresh())["after-drop"], "unknown handle index 1");
  });
  await t.step("an index that moved away", async () => {
    assertTrap((await fresh()).moved, "unknown handle index 2");
  });
});
