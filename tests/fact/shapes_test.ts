/**
 * Adapter modules of the same shape share their bytes: the second and
 * later ones are not generated again but take the first one's bytes with
 * their own bindings (`buildAdapterModule`). These tests run chains whose
 * links differ in what the shape must tell apart (string encodings, which
 * change the code), and check that what is shared is right, value for
 * value, and that what differs is not shared.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, fuse, loadTranslation, saveTranslation } from "../../mod.ts";
import { fns } from "../_trap.ts";
import { wat } from "../_wat.ts";

/**
 * A memory and a bump allocator (`realloc`, which keeps the old block's
 * bytes as the transcoders' grow and shrink need) in a core module of its own.
 */
const MEMORY = `(core module $mem
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param $old i32) (param $was i32) (param $align i32) (param $size i32)
        (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
        (global.set $bump (i32.add (local.get $p) (local.get $size)))
        (if (local.get $old)
          (then (memory.copy (local.get $p) (local.get $old)
            (select (local.get $was) (local.get $size) (i32.lt_u (local.get $was) (local.get $size))))))
        (local.get $p)))
    (core instance $mi (instantiate $mem))`;

/** `opts` of a canon in a link: its memory, realloc and string encoding. */
const opts = (enc: string) =>
  `(memory $mi "mem") (realloc (func $mi "realloc")) string-encoding=${enc}`;

/**
 * A chain of `encodings.length` links over a base that echoes its string:
 * link `i` lifts and lowers strings in `encodings[i]`, and calls the link
 * before it, so each adapter transcodes between two links' encodings.
 */
function stringChain(encodings: readonly string[]): string {
  const encs = [...new Set(encodings)];
  const links = encs.map((enc) => `
  (component $link-${enc}
    (import "next" (func $next (param "s" string) (result string)))
    ${MEMORY}
    (core func $next (canon lower (func $next) ${opts(enc)}))
    (core module $m
      (import "" "next" (func $next (param i32 i32 i32)))
      (func (export "f") (param i32 i32) (result i32)
        (call $next (local.get 0) (local.get 1) (i32.const 32))
        (i32.const 32)))
    (core instance $i (instantiate $m (with "" (instance (export "next" (func $next))))))
    (func (export "f") (param "s" string) (result string)
      (canon lift (core func $i "f") ${opts(enc)})))`);
  const out = [`(component
  (component $base
    ${MEMORY}
    (core module $m
      (import "" "mem" (memory 1))
      (func (export "echo") (param i32 i32) (result i32)
        (i32.store (i32.const 16) (local.get 0))
        (i32.store (i32.const 20) (local.get 1))
        (i32.const 16)))
    (core instance $i (instantiate $m (with "" (instance (export "mem" (memory $mi "mem"))))))
    (func (export "f") (param "s" string) (result string)
      (canon lift (core func $i "echo") ${opts("utf8")})))
  ${links.join("")}
  (instance $l0 (instantiate $base))`];
  encodings.forEach((enc, k) => {
    out.push(`  (instance $l${k + 1} (instantiate $link-${enc} (with "next" (func $l${k} "f"))))`);
  });
  out.push(`  (export "f" (func $l${encodings.length} "f")))`);
  return out.join("\n");
}

const TEXT = "héllo, wörld: 😀 ∑ ok";

Deno.test("shapes: a chain of one link shares one module's bytes, and every call is right", async () => {
  const bytes = await wat(stringChain(Array(8).fill("utf8")));
  const t = await fuse(bytes);
  assert.equal(t.adapterModules.length, 8);
  // link 1 calls the base (other options), links 2-8 call a link like themselves
  const shared = t.adapterModules.slice(1);
  for (const m of shared) assert.equal(m.bytes, shared[0].bytes);
  // each with its own bindings: a different callee, memories and flags each time
  const callees = shared.map((m) => JSON.stringify(m.imports.find((i) => i.module === "callee")));
  assert.equal(new Set(callees).size, shared.length);
  const c = await compile(bytes);
  assert.equal(fns(c.instantiate({})).f(TEXT), TEXT);
});

Deno.test("shapes: string encodings tell shapes apart; each pair's transcoding is its own", async () => {
  const encodings = ["utf8", "utf16", "utf8", "utf16", "latin1+utf16", "utf8", "latin1+utf16"];
  const bytes = await wat(stringChain(encodings));
  const t = await fuse(bytes);
  assert.equal(t.adapterModules.length, encodings.length);
  // modules share bytes exactly when their adapters join the same pair of encodings
  const pairs = encodings.map((enc, k) => `${k === 0 ? "utf8" : encodings[k - 1]}>${enc}`);
  for (let i = 0; i < pairs.length; i++) {
    for (let j = i + 1; j < pairs.length; j++) {
      const same = t.adapterModules[i].bytes === t.adapterModules[j].bytes;
      // the first module joins the base, whose options (memory, realloc) are in another instance
      assert.equal(same, i > 0 && pairs[i] === pairs[j], `modules ${i} and ${j}`);
    }
  }
  const c = await compile(bytes);
  for (const s of [TEXT, "", "latin-1 only: àéîõü", "a".repeat(300)]) {
    assert.equal(fns(c.instantiate({})).f(s), s);
  }
});

Deno.test("shapes: a saved translation keeps one file per shape, and loads it shared", async () => {
  const t = await fuse(await wat(stringChain(["utf8", "utf16", "utf8", "utf16", "utf8", "utf16"])));
  const saved = saveTranslation(t);
  const adapterFiles = [...saved.files.keys()].filter((f) => f.startsWith("adapter-"));
  // the first module (into the base), utf8 > utf16 and utf16 > utf8
  assert.deepEqual(adapterFiles, ["adapter-0.wasm", "adapter-1.wasm", "adapter-2.wasm"]);
  let reads = 0;
  const loaded = await loadTranslation(JSON.parse(JSON.stringify(saved.json)), (f) => {
    reads++;
    return saved.files.get(f)!;
  });
  assert.equal(reads, saved.files.size);
  assert.equal(loaded.adapterModules[1].bytes, loaded.adapterModules[3].bytes);
  assert.notEqual(loaded.adapterModules[1].bytes, loaded.adapterModules[2].bytes);
  const c = await compile(loaded);
  assert.equal(fns(c.instantiate({})).f(TEXT), TEXT);
});
