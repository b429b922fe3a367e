/**
 * A large nested component (64 KiB and more) is not kept decoded when
 * `fuse()` has the whole input: it is read again from the bytes each time
 * it is instantiated. The result must be the one a stream gives (where the
 * payloads are kept), and it must run.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fuse, instantiate } from "../../mod.ts";
import { chunked, fused } from "../_streams.ts";
import { wat } from "../_wat.ts";

/** A callee component made large by a data segment, instantiated twice, each with its own caller. */
function component(dataBytes: number): string {
  const data = "\\00".repeat(dataBytes);
  return `(component
  (component $callee
    (core module $m
      (memory (export "mem") 2)
      (data (i32.const 0) "${data}")
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
    (core instance $i (instantiate $m))
    (component $inner
      (core module $n (func (export "k") (result i32) (i32.const 7)))
      (core instance $j (instantiate $n))
      (func (export "k") (result u32) (canon lift (core func $j "k"))))
    (instance $in (instantiate $inner))
    (func (export "add") (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $i "add")))
    (export "k" (func $in "k")))
  (component $caller
    (import "c" (instance $c
      (export "add" (func (param "a" u32) (param "b" u32) (result u32)))
      (export "k" (func (result u32)))))
    (core func $add (canon lower (func $c "add")))
    (core func $k (canon lower (func $c "k")))
    (core module $m
      (import "" "add" (func $add (param i32 i32) (result i32)))
      (import "" "k" (func $k (result i32)))
      (func (export "run") (param i32) (result i32)
        (i32.add (call $add (local.get 0) (local.get 0)) (call $k))))
    (core instance $i (instantiate $m (with "" (instance (export "add" (func $add)) (export "k" (func $k))))))
    (func (export "run") (param "x" u32) (result u32) (canon lift (core func $i "run"))))
  (instance $c1 (instantiate $callee))
  (instance $c2 (instantiate $callee))
  (instance $r1 (instantiate $caller (with "c" (instance $c1))))
  (instance $r2 (instantiate $caller (with "c" (instance $c2))))
  (export "run1" (func $r1 "run"))
  (export "run2" (func $r2 "run")))`;
}

Deno.test("a large nested component is read again from the bytes: same translation as a stream", async () => {
  const bytes = await wat(component(80_000));
  assert.ok(bytes.length > 80_000);
  const whole = await fused(bytes);
  const streamed = await fused(chunked(bytes, 4096));
  assert.ok(whole.translation, whole.text);
  assert.equal(whole.text, streamed.text);
  // the callee's module is one static module, however often its component is read
  assert.equal(whole.translation.dfg.modules.length, 3);
  assert.equal(whole.translation.dfg.adapters.length, 4);
  const { exports } = await instantiate(await fuse(bytes), {});
  const run1 = exports.run1 as (x: number) => number;
  const run2 = exports.run2 as (x: number) => number;
  assert.equal(run1(20), 47);
  assert.equal(run2(1), 9);
});

Deno.test("a small nested component is kept: same translation as a stream", async () => {
  const bytes = await wat(component(16));
  const whole = await fused(bytes);
  assert.ok(whole.translation, whole.text);
  assert.equal(whole.text, (await fused(chunked(bytes, 7))).text);
});

Deno.test("a nested component read again gives its modules as the first read did, decoded when asked", async () => {
  const { parseBytes } = await import("../../lib/parse/mod.ts");
  const { payloadsInside } = await import("../../lib/parse/parser.ts");
  const bytes = await wat(component(80_000));
  const first = parseBytes(bytes);
  const begin = first.find((p) => p.kind === "component-begin" && p.depth === 1);
  assert.ok(begin?.kind === "component-begin");
  const again = [...payloadsInside(bytes, begin)];
  const modules = (ps: typeof first) => ps.filter((p) => p.kind === "module");
  const want = modules(first.filter((p) => "range" in p && p.range.end <= begin.end!));
  const got = modules(again);
  assert.equal(got.length, 2);
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    const [g, w] = [got[i], want[i]];
    assert.ok(g.kind === "module" && w.kind === "module");
    assert.deepEqual(g.range, w.range);
    assert.deepEqual(g.exports, w.exports);
    assert.deepEqual(g.imports, w.imports);
    assert.deepEqual(g.funcs, w.funcs);
    assert.equal(g.start, w.start);
  }
});

/** The component, with one byte of the first `kind` section inside the large callee set to `byte`. */
async function corrupted(
  text: string,
  kind: string,
  byte: number,
  at: (range: { start: number; end: number }) => number = (r) => r.start,
): Promise<Uint8Array> {
  const { parseBytes } = await import("../../lib/parse/mod.ts");
  const bytes = await wat(text);
  const payloads = parseBytes(bytes);
  const callee = payloads.find((p) => p.kind === "component-begin" && p.depth === 1);
  assert.ok(callee?.kind === "component-begin" && callee.end !== null);
  const target = payloads.find((p) =>
    p.kind === kind && "range" in p && p.range.start > callee.offset && p.range.end <= callee.end!
  );
  assert.ok(target !== undefined && "range" in target, `a ${kind} section in the callee`);
  const out = bytes.slice();
  out[at(target.range)] = byte;
  return out;
}

/** fuse() of the bytes fails as fuse() of a stream of them does (which decodes every byte). */
async function failsAsAStream(bytes: Uint8Array, reason: RegExp): Promise<void> {
  const whole = await fused(bytes);
  const streamed = await fused(chunked(bytes, 4096));
  assert.ok(whole.error !== undefined, `expected an error, got ${whole.text}`);
  assert.equal(whole.text, streamed.text);
  assert.match(whole.text, reason);
}

Deno.test("bytes skipped on the first read: their errors come first, as a stream's", async (t) => {
  await t.step("a malformed section in a component instantiated later", async () => {
    // the callee's canon section id made 13: malformed, found when the component is read again
    await failsAsAStream(await corrupted(component(80_000), "canon", 13), /malformed section id/);
  });
  await t.step("a malformed section in a component never instantiated", async () => {
    const text = component(80_000).replace(
      /\(instance \$c1 [\s\S]*\(export "run2" \(func \$r2 "run"\)\)\)$/,
      ")",
    );
    assert.ok(!text.includes("instantiate $callee"));
    await failsAsAStream(await corrupted(text, "canon", 13), /malformed section id/);
  });
  await t.step("a malformed section before a link error the instantiation would meet", async () => {
    // an export the caller needs renamed, and a section after it malformed: the stream
    // meets the malformed section (first read) before the missing export (instantiation)
    const text = component(80_000).replace(
      `(export "k" (func $in "k"))`,
      `(export "kk" (func $in "k"))`,
    );
    const ok = await fused(await wat(text));
    assert.match(ok.text, /LinkError/);
    await failsAsAStream(
      await corrupted(text, "export", 13, (r) => r.start),
      /malformed section id/,
    );
  });
  await t.step("a malformed module inside it", async () => {
    // the callee's module (80 KB: a 3-byte size): its first section id made 0x7f
    await failsAsAStream(
      await corrupted(component(80_000), "module", 0x7f, (r) => r.start + 1 + 3 + 8),
      /ParseError: malformed section id/,
    );
  });
});
