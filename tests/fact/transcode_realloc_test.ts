/**
 * Transcoding between string encodings calls the destination's `realloc`
 * in the order of CanonicalABI.md's `store_string_into_range` (an exact
 * block, or an optimistic or worst-case one then resized), and the string
 * arrives whole even when each resize moves the block. The callee's
 * `realloc` logs every call; its core function records the string it got.
 *
 * @module
 */

import assert from "node:assert/strict";
import { instantiate } from "../../mod.ts";
import { fns } from "../_trap.ts";
import { wat } from "../_wat.ts";

/** A component passing `bytes` (in `from`) to a callee taking strings in `to`. */
async function pass(from: string, to: string, bytes: number[], len: number) {
  const data = bytes.map((b) => "\\" + b.toString(16).padStart(2, "0")).join("");
  const e = fns(
    await instantiate(
      await wat(`(component
    (component $callee
      (core module $m
        (memory (export "mem") 1)
        ;; the log: [count] then (old, old-size, align, size) per call, at 0x100
        (global $heap (mut i32) (i32.const 0x1000))
        (global $ptr (mut i32) (i32.const 0))
        (global $len (mut i32) (i32.const 0))
        (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32)
          (param $size i32) (result i32)
          (local $n i32) (local $at i32) (local $p i32)
          (local.set $n (i32.load (i32.const 0x100)))
          (local.set $at (i32.add (i32.const 0x104) (i32.mul (local.get $n) (i32.const 16))))
          (i32.store (local.get $at) (local.get $old))
          (i32.store offset=4 (local.get $at) (local.get $old-size))
          (i32.store offset=8 (local.get $at) (local.get $align))
          (i32.store offset=12 (local.get $at) (local.get $size))
          (i32.store (i32.const 0x100) (i32.add (local.get $n) (i32.const 1)))
          ;; every call moves the block (a fresh one, 16-aligned), the old contents with it
          (local.set $p (global.get $heap))
          (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $size))
            (i32.const 15)) (i32.const -16)))
          (if (local.get $old)
            (then (memory.copy (local.get $p) (local.get $old)
              (select (local.get $old-size) (local.get $size)
                (i32.lt_u (local.get $old-size) (local.get $size))))))
          (local.get $p))
        (func (export "f") (param i32 i32) (global.set $ptr (local.get 0)) (global.set $len (local.get 1)))
        (func (export "calls") (result i32)
          (i32.store (i32.const 0x80) (i32.const 0x104))
          (i32.store (i32.const 0x84) (i32.mul (i32.load (i32.const 0x100)) (i32.const 4)))
          (i32.const 0x80))
        (func (export "got") (result i32)
          (i32.store (i32.const 0x80) (global.get $ptr))
          (i32.store (i32.const 0x84) (global.get $len))
          (i32.const 0x80)))
      (core instance $m (instantiate $m))
      (func (export "f") (param "s" string)
        (canon lift (core func $m "f") (memory (core memory $m "mem"))
          (realloc (core func $m "realloc")) string-encoding=${to}))
      (func (export "calls") (result (list u32))
        (canon lift (core func $m "calls") (memory (core memory $m "mem"))))
      (func (export "got") (result string)
        (canon lift (core func $m "got") (memory (core memory $m "mem")) string-encoding=${to})))
    (component $caller
      (import "f" (func $f (param "s" string)))
      (core module $libc (memory (export "mem") 1) (data (i32.const 16) "${data}"))
      (core instance $libc (instantiate $libc))
      (core func $f (canon lower (func $f) (memory (core memory $libc "mem")) string-encoding=${from}))
      (core module $m
        (import "" "f" (func $f (param i32 i32)))
        (func (export "run") (call $f (i32.const 16) (i32.const ${len}))))
      (core instance $m (instantiate $m (with "" (instance (export "f" (func $f))))))
      (func (export "run") (canon lift (core func $m "run"))))
    (instance $callee (instantiate $callee))
    (instance $caller (instantiate $caller (with "f" (func $callee "f"))))
    (export "run" (func $caller "run"))
    (export "calls" (func $callee "calls"))
    (export "got" (func $callee "got")))`),
    ),
  );
  e.run();
  const log = Array.from(e.calls() as Uint32Array);
  const calls: [number, number, number, number][] = [];
  // old pointers are the heap's blocks: show them as 0 (fresh) or "moved" (any block)
  for (let i = 0; i < log.length; i += 4) {
    calls.push([log[i] === 0 ? 0 : 1, log[i + 1], log[i + 2], log[i + 3]]);
  }
  return { calls, got: e.got() as string };
}

const utf8 = (s: string) => Array.from(new TextEncoder().encode(s));
const utf16 = (s: string) =>
  Array.from(s, (c) => c.charCodeAt(0)).flatMap((u) => [u & 0xff, u >>> 8]);
const TAG = 0x8000_0000;

Deno.test("transcoding calls realloc in the spec's order, and the string arrives whole", async (t) => {
  // [old (0 fresh, 1 a block), old size, align, size]
  const cases: [string, string, string, number[], number, [number, number, number, number][]][] = [
    // store_utf16_to_utf8: optimistic, then the worst case (3 per unit), then shrink
    ["utf16", "utf8", "aé", utf16("aé"), 2, [[0, 0, 1, 2], [1, 2, 1, 6], [1, 6, 1, 3]]],
    ["utf16", "utf8", "ab", utf16("ab"), 2, [[0, 0, 1, 2]]],
    // store_latin1_to_utf8: the worst case is 2 per byte (no shrink when it is exact)
    ["latin1+utf16", "utf8", "éé", [0xe9, 0xe9], 2, [[0, 0, 1, 2], [1, 2, 1, 4]]],
    // store_utf8_to_utf16: the worst case (2 per byte), then shrink
    ["utf8", "utf16", "àà", utf8("àà"), 4, [[0, 0, 2, 8], [1, 8, 2, 4]]],
    ["utf8", "utf16", "ab", utf8("ab"), 2, [[0, 0, 2, 4]]],
    // store_string_copy: Latin-1 inflated to UTF-16, exact
    ["latin1+utf16", "utf16", "é", [0xe9], 1, [[0, 0, 2, 2]]],
    // store_string_to_latin1_or_utf16 from UTF-8: fits Latin-1, shrinks to it
    ["utf8", "latin1+utf16", "Ë", utf8("Ë"), 2, [[0, 0, 2, 2], [1, 2, 2, 1]]],
    // ... does not fit: the worst case (2 per source byte), then shrink to the UTF-16
    ["utf8", "latin1+utf16", "Ë┛", utf8("Ë┛"), 5, [[0, 0, 2, 5], [1, 5, 2, 10], [1, 10, 2, 4]]],
    // from UTF-16: Latin-1 exactly, or grown to UTF-16 (exact, no shrink)
    ["utf16", "latin1+utf16", "AB", utf16("AB"), 2, [[0, 0, 2, 2]]],
    ["utf16", "latin1+utf16", "AΣ", utf16("AΣ"), 2, [[0, 0, 2, 2], [1, 2, 2, 4]]],
    // store_probably_utf16_to_latin1_or_utf16: UTF-16 first, deflated to Latin-1 and shrunk
    ["latin1+utf16", "latin1+utf16", "AA", utf16("AA"), TAG + 2, [[0, 0, 2, 4], [1, 4, 2, 2]]],
    ["latin1+utf16", "latin1+utf16", "AΣ", utf16("AΣ"), TAG + 2, [[0, 0, 2, 4]]],
  ];
  for (const [from, to, text, bytes, len, calls] of cases) {
    await t.step(`${from} -> ${to}: ${JSON.stringify(text)}`, async () => {
      const r = await pass(from, to, bytes, len);
      assert.deepEqual(r.calls, calls);
      assert.equal(r.got, text);
    });
  }
});
