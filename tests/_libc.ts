/**
 * A bump allocator and its memory as component text, for tests: a core
 * instance `$libc` exporting `mem` and `realloc` (never frees; 8 bytes of
 * slack after each allocation).
 *
 * @module
 */

/** The core module and its instance `$libc`. */
export const LIBC = `(core module $libc
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (i32.add (local.get 3) (i32.const 8))))
      (local.get $p)))
  (core instance $libc (instantiate $libc))`;
