/**
 * The component of `handles_bench.ts` and `tools/handles_gc.ts`: `$B`'s
 * `run(n)` makes `n` calls of `$C`'s `f(x: borrow<r>, data: list<u8>, s:
 * string) -> own<r>` through a fused adapter (a 1 KiB list, a 32-byte
 * string) and drops each handle it gets back.
 *
 * @module
 */

import { wat } from "../tests/_wat.ts";

/**
 * Build the component.
 * @returns Its bytes.
 */
export async function handlesComponent(): Promise<Uint8Array> {
  return await wat(`(component
  (component $C
    (type $r (resource (rep i32)))
    (core func $new (canon resource.new $r))
    (core module $M
      (import "" "new" (func $new (param i32) (result i32)))
      (memory (export "mem") 1)
      (global $heap (mut i32) (i32.const 0x1000))
      ;; a ring of 32 KiB: the blocks of one call are never needed after it
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (if (i32.gt_u (i32.add (global.get $heap) (local.get 3)) (i32.const 0x9000))
          (then (global.set $heap (i32.const 0x1000))))
        (local.set $p (global.get $heap))
        (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get 3)) (i32.const 7))
          (i32.const -8)))
        (local.get $p))
      (func (export "make") (result i32) (call $new (i32.const 1)))
      (func (export "f") (param $x i32) (param $dp i32) (param $dn i32) (param $sp i32) (param $sn i32)
        (result i32)
        (call $new (i32.add (local.get $x) (i32.add (local.get $dn) (local.get $sn))))))
    (core instance $m (instantiate $M (with "" (instance (export "new" (func $new))))))
    (export $r' "r" (type $r))
    (func (export "make") (result (own $r')) (canon lift (core func $m "make")))
    (func (export "f") (param "x" (borrow $r')) (param "data" (list u8)) (param "s" string)
      (result (own $r'))
      (canon lift (core func $m "f") (memory (core memory $m "mem"))
        (realloc (core func $m "realloc")))))
  (component $B
    (import "c" (instance $c
      (export "r" (type $r (sub resource)))
      (export "make" (func (result (own $r))))
      (export "f" (func (param "x" (borrow $r)) (param "data" (list u8)) (param "s" string)
        (result (own $r))))))
    (alias export $c "r" (type $r))
    (core module $Libc (memory (export "mem") 1))
    (core instance $libc (instantiate $Libc))
    (core func $make (canon lower (func $c "make")))
    (core func $f (canon lower (func $c "f") (memory (core memory $libc "mem"))))
    (core func $drop (canon resource.drop $r))
    (core module $M
      (import "libc" "mem" (memory 1))
      (import "" "make" (func $make (result i32)))
      (import "" "f" (func $f (param i32 i32 i32 i32 i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (global $h (mut i32) (i32.const 0))
      (func (export "run") (param $n i32) (result i32)
        (local $sum i32) (local $r i32)
        (if (i32.eqz (global.get $h)) (then (global.set $h (call $make))))
        (memory.fill (i32.const 0x100) (i32.const 0x61) (i32.const 1056))
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $r (call $f (global.get $h) (i32.const 0x100) (i32.const 1024)
            (i32.const 0x500) (i32.const 32)))
          (local.set $sum (i32.add (local.get $sum) (local.get $r)))
          (call $drop (local.get $r))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))
        (local.get $sum)))
    (core instance $m (instantiate $M (with "libc" (instance $libc)) (with "" (instance
      (export "make" (func $make)) (export "f" (func $f)) (export "drop" (func $drop))))))
    (func (export "run") (param "n" u32) (result u32) (canon lift (core func $m "run"))))
  (instance $c (instantiate $C))
  (instance $b (instantiate $B (with "c" (instance $c))))
  (export "run" (func $b "run")))`);
}
