/**
 * Long fixed-length lists across a fused adapter: never unrolled per
 * element (one `memory.copy` when the bytes need no checking, else a loop),
 * never flattened per element, and the limits wasmparser sets refused at
 * once.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, fuse, LinkError } from "../../mod.ts";
import { assertTrap } from "../_trap.ts";
import { wat } from "../_wat.ts";

const ALLOC = `(global $next (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get 2))))
        (global.set $next (i32.add (local.get $p) (local.get 3)))
        (local.get $p))`;

/**
 * `echo(l: T) -> T` lifted by a callee that returns its parameter block as its
 * result, lowered by a caller that forwards, and exported: host -> caller ->
 * adapter -> callee -> adapter -> caller -> host. Both sides spill to memory.
 */
function echo(type: string, data = ""): string {
  const opts = (m: string) =>
    `(memory (core memory ${m} "mem")) (realloc (core func ${m} "realloc"))`;
  return `(component
  (component $callee
    (core module $M
      (memory (export "mem") 64)
      ${ALLOC}
      (func (export "echo") (param i32) (result i32) (local.get 0)))
    (core instance $m (instantiate $M))
    (func (export "echo") (param "l" ${type}) (result ${type})
      (canon lift (core func $m "echo") ${opts("$m")})))
  (component $caller
    (import "echo" (func $echo (param "l" ${type}) (result ${type})))
    (core module $Libc (memory (export "mem") 64) ${ALLOC})
    (core instance $libc (instantiate $Libc))
    (core func $echo-l (canon lower (func $echo) ${opts("$libc")}))
    (core module $Main
      (import "" "echo" (func $echo (param i32 i32)))
      (import "" "mem" (memory 1))
      (data (i32.const 0x100) "${data}")
      (func (export "echo") (param i32) (result i32)
        (call $echo (local.get 0) (i32.const 0x20))
        (i32.const 0x20))
      ;; the same call with a parameter block crafted in memory at 0x100
      (func (export "raw") (call $echo (i32.const 0x100) (i32.const 0x20))))
    (core instance $main (instantiate $Main (with "" (instance
      (export "echo" (func $echo-l)) (export "mem" (memory $libc "mem"))))))
    (func (export "echo") (param "l" ${type}) (result ${type})
      (canon lift (core func $main "echo") ${opts("$libc")}))
    (func (export "raw") (canon lift (core func $main "raw"))))
  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller (with "echo" (func $callee "echo"))))
  (export "echo" (func $caller "echo"))
  (export "raw" (func $caller "raw")))`;
}

Deno.test("a long fixed-length list of numbers crosses an adapter in one copy", async () => {
  const c = await compile(await wat(echo("(list u32 1000)")));
  const echoFn = c.instantiate().exports.echo as (l: number[]) => number[];
  const values = Array.from({ length: 1000 }, (_, i) => (i * 2654435761) >>> 0);
  assert.deepEqual(echoFn(values), values);
  // the adapter is small: no per-element code
  assert.ok(c.translation.adapterModules[0].bytes.length < 2000);
});

Deno.test("a long fixed-length list whose elements need checking: a loop", async (t) => {
  const c = await compile(await wat(echo("(list (tuple char string bool) 300)")));
  assert.ok(c.translation.adapterModules[0].bytes.length < 4000);
  const value = Array.from(
    { length: 300 },
    (_, i) => [String.fromCodePoint(0x1f600 + (i % 50)), `s${i}`, i % 3 === 0],
  );
  await t.step("every element translated", () => {
    const f = c.instantiate().exports.echo as (l: unknown) => unknown;
    assert.deepEqual(f(value), value);
  });
  await t.step("an invalid element traps, as the loop reaches it", async () => {
    // 100 chars in the caller's memory: 'A' but for a surrogate at index 50
    const chars = Array.from(
      { length: 100 },
      (_, i) => i === 50 ? "\\00\\d8\\00\\00" : "A\\00\\00\\00",
    );
    const bad = await compile(await wat(echo("(list char 100)", chars.join(""))));
    assertTrap(() => (bad.instantiate().exports.raw as () => void)(), "invalid `char` bit pattern");
  });
});

Deno.test("a fixed-length list of 1,000,000 bytes fuses at once and crosses in one copy", async () => {
  const start = performance.now();
  const t = await fuse(await wat(echo("(list u8 1000000)")));
  assert.ok(performance.now() - start < 5000, "fuse took seconds");
  assert.ok(t.adapterModules[0].bytes.length < 2000);
  const c = await compile(t);
  const bytes = new Uint8Array(1_000_000).map((_, i) => i & 0xff);
  const out = (c.instantiate().exports.echo as (l: unknown) => unknown[])(Array.from(bytes));
  assert.equal(out.length, 1_000_000);
  assert.equal(out[999_999], 999_999 & 0xff);
});

Deno.test("fixed-length lists past wasmparser's limits are refused at once", async (t) => {
  const refused = async (text: string, message: RegExp) => {
    const start = performance.now();
    await assert.rejects(async () => await fuse(await wat(text)), (e: unknown) => {
      assert.ok(e instanceof LinkError, String(e));
      assert.match(e.message, message);
      return true;
    });
    assert.ok(performance.now() - start < 2000);
  };
  await t.step("2^32-1 elements", () =>
    refused(
      `(component (type (list u8 4294967295)) (import "f" (func (param "l" 0))))`,
      /fixed-length list element count exceeds limit of 1073741824/,
    ));
  await t.step("2^30 elements of u64: more than 4 GiB", () =>
    refused(
      `(component (type (list u64 1073741824)) (import "f" (func (param "l" 0))))`,
      /a list value of this type takes more than 4 GiB in memory/,
    ));
});

Deno.test("wide records, tuples and parameter lists: read-time limits, no stack overflow", async () => {
  // 20,000 fields: past wasmparser's 10,000
  const fields = Array.from({ length: 20_000 }, (_, i) => `(field "f${i}" u8)`).join(" ");
  await assert.rejects(async () => await fuse(await wat(`(component (type (record ${fields})))`)), {
    message: /^record field size is out of bounds \(at offset 0x[0-9a-f]+\)$/,
  });
  // 10,000 fields: accepted, and its layout computed without a spread
  const ok = Array.from({ length: 10_000 }, (_, i) => `(field "f${i}" u8)`).join(" ");
  const t = await fuse(
    await wat(`(component (type (record ${ok})) (import "f" (func (param "r" 0))))`),
  );
  assert.equal(t.dfg.imports.length, 1);
});
