/**
 * Strings and lists crossing fused adapters between two components, run
 * end to end: each test builds a composed component from WAT in which a
 * caller component passes a value to a callee component (through the
 * adapter the fuser compiles) and gets a value back.
 *
 * The callee echoes its argument: its core function stores the (pointer,
 * length) it received into a return area and returns that area, and
 * records both so that tests can look at what arrived in its memory. The
 * caller exports the same function to the host: its core code forwards the
 * (pointer, length) it was given to the lowered import. So a call from
 * JavaScript crosses host → caller memory → adapter → callee memory →
 * adapter → caller memory → host. The caller also exports `raw-<name>`, the
 * same core function lifted with `(param "p" u32) (param "n" u32)`: the host
 * then picks the (pointer, length) the adapter reads, to point it at crafted
 * bytes of the caller's data segments ({@link CALLER_DATA}).
 *
 * Both sides allocate with a bump `realloc` that grows its memory when
 * needed (and can be forced to return a chosen pointer, to test the checks
 * on what realloc returns). Memory map of both sides: return areas at
 * `0x10..0x2f`, crafted data at `0x100..0xfff`, the heap from `0x1000`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, type Component, type ComponentFunction } from "../../mod.ts";
import { assertTrap, untypedFns } from "../_trap.ts";
import { wat } from "../_wat.ts";

// ---------------------------------------------------------------------------
// helpers

type Enc = "utf8" | "utf16" | "latin1+utf16";
type Fns = Record<string, ComponentFunction>;

const ENCODINGS: readonly Enc[] = ["utf8", "utf16", "latin1+utf16"];

// little-endian bytes
const u16le = (n: number) => [n & 0xff, (n >>> 8) & 0xff];
const u32le = (n: number) => [...u16le(n & 0xffff), ...u16le(n >>> 16)];
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
function utf16(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) out.push(...u16le(s.charCodeAt(i)));
  return out;
}
const isLatin1 = (s: string) => [...s].every((c) => c.charCodeAt(0) <= 0xff);

/** The (length, bytes) a string has in memory in encoding `enc`. */
function encoded(s: string, enc: Enc): [number, number[]] {
  if (enc === "utf8") return [utf8(s).length, utf8(s)];
  if (enc === "utf16" || !isLatin1(s)) {
    return [enc === "utf16" ? s.length : s.length + 0x8000_0000, utf16(s)];
  }
  return [s.length, [...s].map((c) => c.charCodeAt(0))];
}

/**
 * Crafted bytes in the caller's memory, by address (every component built
 * here has them).
 */
const AT = {
  /** UTF-8: a lone 0xff byte. */
  badUtf8: 0x100,
  /** UTF-8: "a" then the first two bytes of "☃" (a truncated sequence). */
  truncatedUtf8: 0x110,
  /** UTF-16: a high surrogate followed by "a" (unpaired). */
  unpaired: 0x120,
  /** bool bytes 1, 0, 2, 0xff. */
  bools: 0x130,
  /** char: 'A' then 0xd800 (a surrogate, not a scalar value). */
  chars: 0x140,
  /** UTF-16 "ab" (2 code units, both Latin-1). */
  utf16ab: 0x150,
  /** u32 1, 2. */
  u32s: 0x160,
  /** char 0x110000 (above the last code point). */
  bigChar: 0x170,
  /** UTF-8: an overlong encoding of "/" (0xc0 0xaf). */
  overlong: 0x180,
  /** UTF-8: an encoded surrogate U+D800 (0xed 0xa0 0x80). */
  utf8Surrogate: 0x190,
  /** UTF-16 "é☃" valid, 2 code units. */
  utf16Snow: 0x1a0,
  /** list<string>: ("a", then the lone 0xff). */
  badStringList: 0x1b0,
  /** list<record {a: u32, b-str: string}>: (7, a string out of bounds). */
  badRecordList: 0x1c0,
  /** UTF-8: "abcdefghijk" then 0xff (past the first 8-byte chunk). */
  asciiThenBad: 0x1d0,
  /** UTF-8: "abcdefg", 0xff, "hijklmno" (0xff inside the first 8-byte chunk). */
  badInChunk: 0x1e0,
} as const;

const CALLER_DATA: readonly [number, readonly number[]][] = [
  [AT.badUtf8, [0xff]],
  [AT.truncatedUtf8, [0x61, 0xe2, 0x98]],
  [AT.unpaired, [0x3c, 0xd8, 0x61, 0x00]],
  [AT.bools, [1, 0, 2, 0xff]],
  [AT.chars, [...u32le(0x41), ...u32le(0xd800)]],
  [AT.utf16ab, utf16("ab")],
  [AT.u32s, [...u32le(1), ...u32le(2)]],
  [AT.bigChar, u32le(0x110000)],
  [AT.overlong, [0xc0, 0xaf]],
  [AT.utf8Surrogate, [0xed, 0xa0, 0x80]],
  [AT.utf16Snow, utf16("é☃")],
  [AT.badStringList, [...u32le(AT.truncatedUtf8), ...u32le(1), ...u32le(AT.badUtf8), ...u32le(1)]],
  [AT.badRecordList, [...u32le(7), ...u32le(0xffff), ...u32le(2)]],
  [AT.asciiThenBad, [...utf8("abcdefghijk"), 0xff]],
  [AT.badInChunk, [...utf8("abcdefg"), 0xff, ...utf8("hijklmno")]],
];

function dataSegments(data: readonly [number, readonly number[]][]): string {
  const hex = (b: number) => "\\" + b.toString(16).padStart(2, "0");
  return data.map(([at, bytes]) => `(data (i32.const ${at}) "${bytes.map(hex).join("")}")`)
    .join("\n    ");
}

/**
 * A bump `realloc` (from `0x1000`) that grows the memory when the block
 * does not fit, and returns the value set by `force-realloc` instead when
 * it is not -1. Asked to resize (`old` non-zero), it moves the block: a
 * new one, with the old contents copied (what transcoding relies on).
 */
const ALLOC = `
    (global $heap (mut i32) (i32.const 0x1000))
    (global $force (mut i32) (i32.const -1))
    (func (export "realloc")
      (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32) (local $end i32) (local $have i32)
      (if (i32.ne (global.get $force) (i32.const -1)) (then (return (global.get $force))))
      (local.set $p
        (i32.and
          (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $p) (local.get $size)))
      (local.set $have (i32.shl (memory.size) (i32.const 16)))
      (if (i32.gt_u (local.get $end) (local.get $have))
        (then
          (drop (memory.grow
            (i32.shr_u
              (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 0xffff))
              (i32.const 16))))))
      (global.set $heap (local.get $end))
      (if (local.get $old)
        (then
          (memory.copy (local.get $p) (local.get $old)
            (select (local.get $old-size) (local.get $size)
              (i32.lt_u (local.get $old-size) (local.get $size))))))
      (local.get $p))
    (func (export "force-realloc") (param i32) (global.set $force (local.get 0)))`;

/** What a composed component is made of. */
interface Spec {
  /** The caller's string encoding (its `canon lower`, and its lifts for the host). */
  readonly caller: Enc;
  /** The callee's string encoding (its `canon lift`). */
  readonly callee: Enc;
  /** Echo functions: name → the value type they take and return. */
  readonly types: Readonly<Record<string, string>>;
}

/**
 * The WAT of a composed component. Exports, for each name `n` of
 * `spec.types`: `n` (the echo, from the host through the caller into the
 * callee and back) and `raw-n` (the same with a crafted pointer and length
 * in the caller's memory); and `caller-force-realloc`,
 * `callee-force-realloc`, `callee-last-ptr`, `callee-last-len` (the
 * pointer and length the callee's core function last received) and
 * `callee-peek` (bytes of the callee's memory).
 */
function composed(spec: Spec): string {
  const names = Object.keys(spec.types);
  const sig = (n: string) => `(param "v" ${spec.types[n]}) (result ${spec.types[n]})`;
  const calleeOpts = `string-encoding=${spec.callee} (memory (core memory $m "mem"))
        (realloc (core func $m "realloc"))`;
  const callerOpts = `string-encoding=${spec.caller} (memory (core memory $libc "mem"))
        (realloc (core func $libc "realloc"))`;
  const each = (f: (n: string) => string, sep = "\n    ") => names.map(f).join(sep);
  return `(component
  (component $callee
    (core module $M
      (memory (export "mem") 1)
      ${ALLOC}
      (global $last-ptr (mut i32) (i32.const 0))
      (global $last-len (mut i32) (i32.const 0))
      (func (export "echo") (param $p i32) (param $n i32) (result i32)
        (global.set $last-ptr (local.get $p))
        (global.set $last-len (local.get $n))
        (i32.store (i32.const 0x10) (local.get $p))
        (i32.store (i32.const 0x14) (local.get $n))
        (i32.const 0x10))
      (func (export "last-ptr") (result i32) (global.get $last-ptr))
      (func (export "last-len") (result i32) (global.get $last-len))
      (func (export "peek") (param $p i32) (param $n i32) (result i32)
        (i32.store (i32.const 0x18) (local.get $p))
        (i32.store (i32.const 0x1c) (local.get $n))
        (i32.const 0x18)))
    (core instance $m (instantiate $M))
    ${
    each((n) =>
      `(func (export "${n}") ${sig(n)}
      (canon lift (core func $m "echo") ${calleeOpts}))`
    )
  }
    (func (export "last-ptr") (result u32) (canon lift (core func $m "last-ptr")))
    (func (export "last-len") (result u32) (canon lift (core func $m "last-len")))
    (func (export "peek") (param "p" u32) (param "n" u32) (result (list u8))
      (canon lift (core func $m "peek") (memory (core memory $m "mem"))))
    (func (export "force-realloc") (param "p" u32) (canon lift (core func $m "force-realloc"))))

  (component $caller
    ${each((n) => `(import "${n}" (func $${n} ${sig(n)}))`)}
    (core module $Libc
      (memory (export "mem") 1)
      ${ALLOC}
      ${dataSegments(CALLER_DATA)})
    (core instance $libc (instantiate $Libc))
    ${each((n) => `(core func $${n}-l (canon lower (func $${n}) ${callerOpts}))`)}
    (core module $Main
      (import "libc" "mem" (memory 1))
      ${each((n) => `(import "i" "${n}" (func $${n} (param i32 i32 i32)))`, "\n      ")}
      ;; forward the (pointer, length) to the callee; its answer lands at 0x20
      ${
    each(
      (n) =>
        `(func (export "${n}") (param i32 i32) (result i32)
        (call $${n} (local.get 0) (local.get 1) (i32.const 0x20))
        (i32.const 0x20))`,
      "\n      ",
    )
  })
    (core instance $main (instantiate $Main
      (with "libc" (instance $libc))
      (with "i" (instance ${each((n) => `(export "${n}" (func $${n}-l))`, " ")}))))
    ${
    each((n) =>
      `(func (export "${n}") ${sig(n)}
      (canon lift (core func $main "${n}") ${callerOpts}))
    (func (export "raw-${n}") (param "p" u32) (param "n" u32) (result ${spec.types[n]})
      (canon lift (core func $main "${n}") ${callerOpts}))`
    )
  }
    (func (export "force-realloc") (param "p" u32)
      (canon lift (core func $libc "force-realloc"))))

  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller
    ${each((n) => `(with "${n}" (func $callee "${n}"))`)}))
  ${
    each(
      (n) =>
        `(export "${n}" (func $caller "${n}"))
  (export "raw-${n}" (func $caller "raw-${n}"))`,
      "\n  ",
    )
  }
  (export "caller-force-realloc" (func $caller "force-realloc"))
  (export "callee-force-realloc" (func $callee "force-realloc"))
  (export "callee-last-ptr" (func $callee "last-ptr"))
  (export "callee-last-len" (func $callee "last-len"))
  (export "callee-peek" (func $callee "peek")))`;
}

/** Compile the composed component of `spec`; every call between the two goes through an adapter. */
async function build(spec: Spec): Promise<Component> {
  const c = await compile(await wat(composed(spec)));
  assert.equal(c.translation.dfg.adapters.length, Object.keys(spec.types).length);
  assert.ok(c.translation.adapterModules.length >= 1);
  return c;
}

/** The exports; lists of numbers come back as arrays (adapters, not host conventions, are tested here). */
function fns(c: Component): Fns {
  return untypedFns(c.instantiate());
}

/** What the callee's core function last received: its length and the bytes at its pointer. */
function received(e: Fns, bytes: number): [number, number[]] {
  const ptr = e["callee-last-ptr"]() as number;
  return [e["callee-last-len"]() as number, e["callee-peek"](ptr, bytes) as number[]];
}

// ---------------------------------------------------------------------------
// 1. strings: every pair of encodings

const STRINGS = ["", "ascii", "café ÿ", "☃ snow", "🍰 cake", "héllo☃🍰"];

Deno.test("strings cross an adapter between every pair of encodings", async (t) => {
  for (const caller of ENCODINGS) {
    for (const callee of ENCODINGS) {
      const c = await build({
        caller,
        callee,
        types: { s: "string", ls: "(list string)" },
      });
      const e = fns(c);
      await t.step(`${caller} → ${callee}: echo`, () => {
        for (const s of STRINGS) {
          assert.equal(e.s(s), s);
          // the callee got the string in its own encoding, in its own memory
          const [len, bytes] = encoded(s, callee);
          assert.deepEqual(received(e, bytes.length), [len, bytes], JSON.stringify(s));
        }
      });
      await t.step(`${caller} → ${callee}: list<string>`, () => {
        assert.deepEqual(e.ls(STRINGS), STRINGS);
        assert.equal(e["callee-last-len"](), STRINGS.length);
        assert.deepEqual(e.ls([]), []);
      });
      await t.step(`${caller} → ${callee}: crafted valid bytes`, () => {
        const e = fns(c);
        if (caller === "utf8") assert.equal(e["raw-s"](AT.truncatedUtf8, 1), "a");
        else if (caller === "utf16") assert.equal(e["raw-s"](AT.utf16Snow, 2), "é☃");
        else {
          // latin1+utf16: tagged UTF-16, and the same bytes untagged as Latin-1
          assert.equal(e["raw-s"](AT.utf16Snow, 0x8000_0002), "é☃");
          assert.equal(e["raw-s"](AT.utf16Snow, 4), "é\u0000\u0003&");
        }
      });
    }
  }
});

Deno.test("a latin1+utf16 callee receives Latin-1 strings untagged, others tagged UTF-16", async (t) => {
  for (const caller of ENCODINGS) {
    const e = fns(await build({ caller, callee: "latin1+utf16", types: { s: "string" } }));
    await t.step(`from ${caller}`, () => {
      assert.equal(e.s("café ÿ"), "café ÿ");
      assert.deepEqual(received(e, 6), [6, [0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]]);
      assert.equal(e.s("ascii"), "ascii");
      assert.deepEqual(received(e, 5), [5, utf8("ascii")]);
      assert.equal(e.s("☃ snow"), "☃ snow");
      assert.deepEqual(received(e, 12), [0x8000_0006, utf16("☃ snow")]);
      assert.equal(e.s("🍰"), "🍰");
      assert.deepEqual(received(e, 4), [0x8000_0002, utf16("🍰")]);
      // U+0100 is the first code point outside Latin-1
      assert.equal(e.s("ÿĀ"), "ÿĀ");
      assert.deepEqual(received(e, 4), [0x8000_0002, utf16("ÿĀ")]);
    });
  }
  await t.step("a tagged UTF-16 string that fits Latin-1 is deflated", async () => {
    const e = fns(
      await build({ caller: "latin1+utf16", callee: "latin1+utf16", types: { s: "string" } }),
    );
    assert.equal(e["raw-s"](AT.utf16ab, 0x8000_0002), "ab");
    assert.deepEqual(received(e, 2), [2, utf8("ab")]);
  });
});

// ---------------------------------------------------------------------------
// 2. invalid strings trap in the adapter

Deno.test("invalid strings from the caller trap in the adapter", async (t) => {
  const types = { s: "string" };
  const c8 = await build({ caller: "utf8", callee: "utf16", types });
  const c16 = await build({ caller: "utf16", callee: "utf8", types });
  const cl = await build({ caller: "latin1+utf16", callee: "utf8", types });
  const c8same = await build({ caller: "utf8", callee: "utf8", types });
  const c16same = await build({ caller: "utf16", callee: "utf16", types });
  const raw = (c: Component, p: number, n: number) => () => fns(c)["raw-s"](p, n);

  await t.step("invalid UTF-8", () => {
    for (const c of [c8, c8same]) {
      assertTrap(raw(c, AT.badUtf8, 1), "invalid utf-8 sequence of 1 bytes from index 0");
      assertTrap(raw(c, AT.truncatedUtf8, 3), "incomplete utf-8 byte sequence from index 1");
      assertTrap(raw(c, AT.overlong, 2), "invalid utf-8 sequence of 1 bytes from index 0");
      assertTrap(raw(c, AT.utf8Surrogate, 3), "invalid utf-8 sequence of 1 bytes from index 0");
      assertTrap(raw(c, AT.asciiThenBad, 12), "invalid utf-8 sequence of 1 bytes from index 11");
      assertTrap(raw(c, AT.badInChunk, 16), "invalid utf-8 sequence of 1 bytes from index 7");
      assertTrap(raw(c, AT.badInChunk, 8), "invalid utf-8 sequence of 1 bytes from index 7");
    }
    // the valid prefixes cross
    for (const c of [c8, c8same]) {
      assert.equal(fns(c)["raw-s"](AT.asciiThenBad, 11), "abcdefghijk");
      assert.equal(fns(c)["raw-s"](AT.badInChunk, 7), "abcdefg");
      assert.equal(fns(c)["raw-s"](AT.badInChunk + 8, 8), "hijklmno");
    }
  });

  await t.step("unpaired surrogates in UTF-16", () => {
    for (const c of [c16, c16same]) {
      assertTrap(raw(c, AT.unpaired, 2), "invalid utf-16: unpaired surrogate");
      // a high surrogate at the end
      assertTrap(raw(c, AT.unpaired, 1), "invalid utf-16: unpaired surrogate");
    }
    assertTrap(raw(cl, AT.unpaired, 0x8000_0002), "invalid utf-16: unpaired surrogate");
    // untagged, the same bytes are four Latin-1 characters
    assert.equal(fns(cl)["raw-s"](AT.unpaired, 4), "<Øa\u0000");
  });

  await t.step("out of bounds", () => {
    const oob = "string content out-of-bounds (string pointer/length out of bounds of memory)";
    for (const c of [c8, c8same, c16, c16same, cl]) {
      assertTrap(raw(c, 0xffff_fff0, 0x20), oob);
      assertTrap(raw(c, 0x1_0000 - 2, 4), oob);
    }
    assertTrap(raw(cl, 0xffff_fff0, 0x8000_0010), oob);
    // exactly at the end of the (1-page) memory: an empty string is fine
    for (const c of [c8, c16, cl]) assert.equal(fns(c)["raw-s"](0x1_0000, 0), "");
  });

  await t.step("misaligned UTF-16", () => {
    assertTrap(raw(c16, AT.utf16Snow + 1, 1), UNALIGNED_STRING);
    assertTrap(raw(c16same, AT.utf16Snow + 1, 1), UNALIGNED_STRING);
    // latin1+utf16 strings are 2-aligned in both forms
    assertTrap(raw(cl, AT.utf16Snow + 1, 0x8000_0001), UNALIGNED_STRING);
    assertTrap(raw(cl, AT.utf16Snow + 1, 1), UNALIGNED_STRING);
    // alignment is checked before bounds
    assertTrap(raw(c16, 0xffff_fff1, 100), UNALIGNED_STRING);
  });

  await t.step("a trap poisons the caller", () => {
    const e = fns(c8);
    assertTrap(() => e["raw-s"](AT.badUtf8, 1), "invalid utf-8 sequence of 1 bytes from index 0");
    assertTrap(() => e.s("x"), "cannot enter component instance");
  });
});

const UNALIGNED_STRING = "unaligned pointer (string pointer not aligned to 2)";
const REALLOC_OOB = "string content out-of-bounds (realloc return: beyond end of memory)";
const REALLOC_UNALIGNED = "unaligned pointer (realloc return: result not aligned)";

Deno.test("strings: the checks on what realloc returns", async (t) => {
  const types = { s: "string" };
  await t.step("the callee's realloc", async () => {
    for (const caller of ENCODINGS) {
      for (const callee of ENCODINGS) {
        const c = await build({ caller, callee, types });
        let e = fns(c);
        e["callee-force-realloc"](0xffff_0000);
        // (not ASCII: see the ignored test below for ASCII UTF-8 → UTF-8)
        assertTrap(() => e.s("héllo"), REALLOC_OOB);
        e = fns(c);
        e["callee-force-realloc"](0x1001);
        if (callee !== "utf8") assertTrap(() => e.s("héllo"), REALLOC_UNALIGNED);
        else {
          // UTF-8 needs no alignment
          assert.equal(e.s("héllo"), "héllo");
          assert.deepEqual(received(e, 6), [6, utf8("héllo")]);
          assert.equal(e["callee-last-ptr"](), 0x1001);
        }
      }
    }
  });
  await t.step("the caller's realloc (the result back)", async () => {
    const c = await build({ caller: "utf16", callee: "utf8", types });
    let e = fns(c);
    e["caller-force-realloc"](0x1001);
    assertTrap(() => e["raw-s"](AT.utf16Snow, 2), REALLOC_UNALIGNED);
    e = fns(c);
    e["caller-force-realloc"](0xffff_fffe);
    assertTrap(() => e["raw-s"](AT.utf16Snow, 2), REALLOC_OOB);
  });
});

// The in-wasm path for ASCII UTF-8 -> UTF-8 and the host transcoder word
// an out-of-bounds realloc result the same way.
Deno.test("strings: an out-of-bounds realloc result traps the same for ASCII UTF-8 -> UTF-8", async () => {
  const c = await build({ caller: "utf8", callee: "utf8", types: { s: "string" } });
  const e = fns(c);
  e["callee-force-realloc"](0xffff_0000);
  assertTrap(() => e.s("hello"), REALLOC_OOB);
});

// ---------------------------------------------------------------------------
// 3. lists

const LIST_TYPES = {
  u8s: "(list u8)",
  u32s: "(list u32)",
  s64s: "(list s64)",
  f64s: "(list f64)",
  bools: "(list bool)",
  chars: "(list char)",
  strings: "(list string)",
  nested: "(list (list u16))",
  records: `(list (record (field "a" u32) (field "b-str" string)))`,
  options: "(list (option u8))",
  tuples: "(list (tuple u8 u64))",
  u64s: "(list u64)",
  flags: `(list (flags "a" "b-c" "d"))`,
};

Deno.test("lists cross an adapter", async (t) => {
  const c = await build({ caller: "utf8", callee: "utf8", types: LIST_TYPES });
  const e = fns(c);
  const echo = (name: string, v: unknown) => assert.deepEqual(e[name](v), v, name);

  await t.step("scalar elements (copied byte for byte)", () => {
    echo("u8s", [0, 1, 127, 128, 255]);
    assert.deepEqual(received(e, 5), [5, [0, 1, 127, 128, 255]]);
    echo("u32s", [0, 1, 0xffff_ffff, 0x1234_5678]);
    assert.deepEqual(received(e, 8), [4, [0, 0, 0, 0, 1, 0, 0, 0]]);
    echo("s64s", [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 42n]);
    echo("u64s", [0n, 2n ** 64n - 1n]);
    echo("f64s", [0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, Number.MIN_VALUE]);
    echo("tuples", [[1, 2n ** 64n - 1n], [255, 0n], [0, 1n]]);
  });

  await t.step("bool, char, option", () => {
    echo("bools", [true, false, false, true]);
    echo("chars", ["a", "é", "☃", "🍰", "\0", "\u{10ffff}"]);
    echo("options", [undefined, 0, 255, undefined, 7]);
  });

  await t.step("strings, nested lists, records with strings", () => {
    echo("strings", ["", "a", "héllo", "☃🍰", "x".repeat(100)]);
    echo("nested", [[], [1, 65535], [2, 3, 4], []]);
    echo("records", [{ a: 1, bStr: "one" }, { a: 0xffff_ffff, bStr: "" }, {
      a: 0,
      bStr: "🍰",
    }]);
  });

  await t.step("empty lists", () => {
    for (const name of Object.keys(LIST_TYPES)) {
      echo(name, []);
      assert.equal(e["callee-last-len"](), 0, name);
    }
  });

  await t.step("bool bytes are normalised to 0 and 1", () => {
    const e = fns(c);
    assert.deepEqual(e["raw-bools"](AT.bools, 4), [true, false, true, true]);
    assert.deepEqual(received(e, 4), [4, [1, 0, 1, 1]]);
  });

  await t.step("flags: the undefined bits are dropped", () => {
    const flags = [{ a: true, bC: false, d: true }, { a: false, bC: false, d: false }];
    echo("flags", flags);
    const e = fns(c);
    // bytes 1, 0, 2, 0xff
    assert.deepEqual(e["raw-flags"](AT.bools, 4), [
      { a: true, bC: false, d: false },
      { a: false, bC: false, d: false },
      { a: false, bC: true, d: false },
      { a: true, bC: true, d: true },
    ]);
    assert.deepEqual(received(e, 4), [4, [1, 0, 2, 7]]);
  });

  await t.step("many elements", () => {
    const strings = Array.from({ length: 5000 }, (_, i) => `${i}:${"é".repeat(i % 7)}`);
    echo("strings", strings);
    const nested = Array.from(
      { length: 1000 },
      (_, i) => Array.from({ length: i % 5 }, (_, j) => i + j),
    );
    echo("nested", nested);
    const options = Array.from({ length: 3000 }, (_, i) => i % 3 === 0 ? undefined : i & 0xff);
    echo("options", options);
  });

  await t.step("invalid discriminants in lists trap", () => {
    // option<u8> elements (1, 0) then (2, 0xff)
    assert.deepEqual(fns(c)["raw-options"](AT.bools, 1), [0]);
    assertTrap(() => fns(c)["raw-options"](AT.bools, 2), "invalid variant discriminant");
  });

  await t.step("crafted scalar lists", () => {
    const e = fns(c);
    assert.deepEqual(e["raw-u32s"](AT.u32s, 2), [1, 2]);
    assert.deepEqual(e["raw-chars"](AT.chars, 1), ["A"]);
    assert.deepEqual(e["raw-u8s"](AT.bools, 4), [1, 0, 2, 0xff]);
  });

  await t.step("invalid chars trap", () => {
    assertTrap(() => fns(c)["raw-chars"](AT.chars, 2), "invalid `char` bit pattern");
    assertTrap(() => fns(c)["raw-chars"](AT.bigChar, 1), "invalid `char` bit pattern");
  });

  await t.step("invalid strings inside lists and records trap", () => {
    assertTrap(
      () => fns(c)["raw-strings"](AT.badStringList, 2),
      "invalid utf-8 sequence of 1 bytes from index 0",
    );
    assert.deepEqual(fns(c)["raw-strings"](AT.badStringList, 1), ["a"]);
    assertTrap(
      () => fns(c)["raw-records"](AT.badRecordList, 1),
      "string content out-of-bounds (string pointer/length out of bounds of memory)",
    );
  });
});

Deno.test("lists: the checks on the source range and on what realloc returns", async (t) => {
  const c = await build({ caller: "utf8", callee: "utf8", types: LIST_TYPES });
  const raw = (name: string, p: number, n: number) => () => fns(c)[`raw-${name}`](p, n);
  const OOB = "list content out-of-bounds";

  await t.step("misaligned pointers", () => {
    assertTrap(raw("u32s", AT.u32s + 1, 1), "unaligned pointer");
    assertTrap(raw("u32s", AT.u32s + 2, 0), "unaligned pointer");
    assertTrap(raw("s64s", AT.u32s + 4, 1), "unaligned pointer");
    assertTrap(raw("tuples", AT.u32s + 4, 1), "unaligned pointer");
    assertTrap(raw("strings", AT.badStringList + 2, 1), "unaligned pointer");
    assertTrap(raw("nested", AT.u32s + 1, 1), "unaligned pointer");
    // alignment is checked before bounds
    assertTrap(raw("u32s", 0xffff_fff1, 8), "unaligned pointer");
    // an inner list misaligned: list<list<u16>> whose element is (ptr 1, len 2)
    assertTrap(raw("nested", AT.u32s, 1), "unaligned pointer");
    assertTrap(raw("records", AT.u32s + 2, 1), "unaligned pointer");
    // bytes and bools have no alignment
    assert.deepEqual(raw("u8s", AT.bools + 1, 3)(), [0, 2, 0xff]);
    assert.deepEqual(raw("bools", AT.bools + 1, 3)(), [false, true, true]);
  });

  await t.step("out of bounds", () => {
    assertTrap(raw("u8s", 0xffff_fff0, 0x20), OOB);
    assertTrap(raw("u32s", 0xffff_fff0, 8), OOB);
    assertTrap(raw("u32s", 0x1_0000 - 4, 2), OOB);
    assertTrap(raw("strings", 0x1_0000 - 8, 2), OOB);
    assertTrap(raw("u32s", AT.u32s, 0x4000_0000), OOB);
    // up to the last byte is fine, and an empty list at the very end
    assert.deepEqual(raw("u32s", 0x1_0000 - 4, 1)(), [0]);
    assert.deepEqual(raw("u32s", 0x1_0000, 0)(), []);
  });

  await t.step("byte sizes that overflow 32 bits", () => {
    // 0x2000_0001 × 8 bytes is 2^32 + 8: 8 bytes when wrapped to 32 bits
    assertTrap(raw("u64s", AT.u32s, 0x2000_0001), OOB);
    assertTrap(raw("u64s", AT.u32s, 0x2000_0000), OOB);
    assertTrap(raw("tuples", AT.u32s, 0x1000_0001), OOB);
    assertTrap(raw("u32s", AT.u32s, 0x4000_0001), OOB);
    assertTrap(raw("strings", AT.badStringList, 0x2000_0001), OOB);
    assertTrap(raw("records", AT.badRecordList, 0x1555_5556), OOB);
  });

  await t.step("the callee's realloc returns a misaligned block", () => {
    const e = fns(c);
    e["callee-force-realloc"](0x1001);
    assertTrap(() => e.u32s([1, 2]), REALLOC_UNALIGNED);
    const f = fns(c);
    f["callee-force-realloc"](0x1004);
    assertTrap(() => f.s64s([1n]), REALLOC_UNALIGNED);
    // (u8 lists need no alignment)
    const g = fns(c);
    g["callee-force-realloc"](0x1001);
    assert.deepEqual(g.u8s([1, 2, 3]), [1, 2, 3]);
    assert.equal(g["callee-last-ptr"](), 0x1001);
  });

  await t.step("the callee's realloc returns a block out of bounds", () => {
    for (const [name, v] of [["u8s", [1]], ["u32s", [1, 2]], ["strings", ["a"]]] as const) {
      const e = fns(c);
      e["callee-force-realloc"](0xffff_0000);
      assertTrap(() => e[name](v), OOB);
    }
    // partly out of bounds: 4 bytes at the last 2 bytes of the memory
    const e = fns(c);
    e["callee-force-realloc"](0x1_0000 - 2);
    assertTrap(() => e.u8s([1, 2, 3, 4]), OOB);
  });

  await t.step("the caller's realloc (the list back)", () => {
    const e = fns(c);
    e["caller-force-realloc"](0x1002);
    assertTrap(() => e["raw-u32s"](AT.u32s, 2), REALLOC_UNALIGNED);
    const f = fns(c);
    f["caller-force-realloc"](0xffff_fff8);
    assertTrap(() => f["raw-u32s"](AT.u32s, 2), OOB);
  });

  await t.step("the checks run even for empty lists", () => {
    assertTrap(raw("u32s", AT.u32s + 1, 0), "unaligned pointer");
    const e = fns(c);
    e["callee-force-realloc"](0x1001);
    assertTrap(() => e.u32s([]), REALLOC_UNALIGNED);
  });
});

Deno.test("lists between different string encodings", async () => {
  const types = {
    strings: "(list string)",
    records: `(list (record (field "a" u32) (field "b-str" string)))`,
    nested: "(list (list string))",
  };
  const v = ["", "ascii", "café ÿ", "☃ snow", "🍰 cake"];
  for (const [caller, callee] of [["utf16", "latin1+utf16"], ["latin1+utf16", "utf8"]] as const) {
    const e = fns(await build({ caller, callee, types }));
    assert.deepEqual(e.strings(v), v);
    const records = v.map((bStr, a) => ({ a, bStr }));
    assert.deepEqual(e.records(records), records);
    assert.deepEqual(e.nested([v, [], v.slice(2)]), [v, [], v.slice(2)]);
  }
});

// ---------------------------------------------------------------------------
// 4. large values

Deno.test("1 MiB strings and lists cross an adapter (the memories grow)", async (t) => {
  const MIB = 1 << 20;
  const types = { s: "string", bytes: "(list u8)", words: "(list u32)" };
  const pattern = "héllo wörld ☃ 🍰 ";
  const mixed = pattern.repeat(Math.ceil(MIB / pattern.length));
  const ascii = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(Math.ceil(MIB / 36)).slice(0, MIB);
  const latin = "café ÿ ".repeat(Math.ceil(MIB / 7)).slice(0, MIB);
  for (const [caller, callee] of [["utf8", "utf8"], ["utf16", "latin1+utf16"]] as const) {
    const c = await build({ caller, callee, types });
    const e = fns(c);
    const raw = c.instantiate().exports as Fns;
    await t.step(`strings, ${caller} → ${callee}`, () => {
      for (const s of [ascii, latin, mixed]) {
        assert.equal(e.s(s), s);
        assert.equal(e["callee-last-len"](), encoded(s, callee)[0]);
      }
    });
    await t.step(`list<u8> and list<u32>, ${caller} → ${callee}`, () => {
      const bytes = Uint8Array.from({ length: MIB }, (_, i) => (i * 7 + (i >>> 8)) & 0xff);
      // typed arrays in (one copy) and out (one slice)
      const back = raw.bytes(bytes);
      assert.ok(back instanceof Uint8Array);
      assert.deepEqual(back, bytes);
      assert.equal(raw["callee-last-len"](), MIB);
      const words = Uint32Array.from({ length: MIB / 4 }, (_, i) => (i * 0x9e37_79b9) >>> 0);
      assert.deepEqual(raw.words(words), words);
      // a plain array is still accepted
      assert.deepEqual(raw.words([1, 2, 3]), new Uint32Array([1, 2, 3]));
    });
  }
});

// ---------------------------------------------------------------------------
// 5. maps

Deno.test("map<string, u32> crosses an adapter", async (t) => {
  const types = { m: "(map string u32)", ms: "(list (map string u32))" };
  for (
    const [caller, callee] of [["utf8", "utf8"], ["utf8", "utf16"], [
      "latin1+utf16",
      "utf8",
    ]] as const
  ) {
    const e = fns(await build({ caller, callee, types }));
    await t.step(`${caller} → ${callee}`, () => {
      const m = new Map([["one", 1], ["", 0], ["café", 0xffff_ffff], ["☃🍰", 42]]);
      const back = e.m(m);
      assert.ok(back instanceof Map);
      assert.deepEqual(back, m);
      assert.deepEqual([...(back as Map<string, number>).entries()], [...m.entries()]);
      assert.equal(e["callee-last-len"](), 4);
      assert.deepEqual(e.m(new Map()), new Map());
      assert.deepEqual(e.ms([m, new Map(), new Map([["x", 7]])]), [
        m,
        new Map(),
        new Map([["x", 7]]),
      ]);
    });
  }
});
