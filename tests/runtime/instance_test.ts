/**
 * The runtime API (`instantiate`, `compile`, `Component.instantiate`) on
 * real components built from WAT: every value type lifted out of and
 * lowered into core wasm, host imports, the Canonical ABI's traps,
 * post-return, start functions, independent instances, composed components
 * (values crossing a fused adapter) and nested exports.
 *
 * Most components share one core "libc" prelude ({@link LIBC}): a 2-page
 * memory and a bump-allocating `realloc` that logs every call, so that tests
 * can check how the host called it. Memory map:
 *
 * - `0x0100..0x7fff`: per-test data (table-driven tests use a 0x100 block each);
 * - `0x8000..0xbfff`: the realloc log (4 × u32 per call: old, old size, align, size);
 * - `0xc000..`: return areas of the helper functions and raw parameter dumps;
 * - `0x10000..0x1ffff`: realloc's heap (a fresh instance allocates from `0x10000`).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  compile,
  ComponentError,
  type ComponentFunction,
  instantiate,
  LinkError,
  Trap,
} from "../../mod.ts";
import { assertTrap, type Fns, fns, untyped } from "../_trap.ts";
import { wat } from "../_wat.ts";

// ---------------------------------------------------------------------------
// helpers

/** Assert `fn` throws a `TypeError` whose message matches `message`. */
function assertTypeError(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TypeError, `expected a TypeError, got ${e}`);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const MEMORY_SIZE = 0x20000;
const HEAP = 0x10000;

/** The core prelude: memory, a logging bump `realloc`, and its helpers. */
const LIBC = `
  (memory (export "mem") 2)
  (global $heap (mut i32) (i32.const 0x10000))
  (global $log (mut i32) (i32.const 0x8000))
  (global $force (mut i32) (i32.const -1))
  (func (export "realloc")
    (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
    (local $p i32)
    (i32.store (global.get $log) (local.get $old))
    (i32.store offset=4 (global.get $log) (local.get $old-size))
    (i32.store offset=8 (global.get $log) (local.get $align))
    (i32.store offset=12 (global.get $log) (local.get $size))
    (global.set $log (i32.add (global.get $log) (i32.const 16)))
    ;; a forced result, to test the checks on what realloc returns
    (if (i32.ne (global.get $force) (i32.const -1)) (then (return (global.get $force))))
    (local.set $p
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  ;; the logged calls as a list<u32> (4 per call); clears the log
  (func (export "realloc-log") (result i32)
    (i32.store (i32.const 0xc000) (i32.const 0x8000))
    (i32.store (i32.const 0xc004)
      (i32.shr_u (i32.sub (global.get $log) (i32.const 0x8000)) (i32.const 2)))
    (global.set $log (i32.const 0x8000))
    (i32.const 0xc000))
  (func (export "force-realloc") (param i32) (global.set $force (local.get 0)))`;

/** Component functions exporting the prelude's helpers, for a core instance `inst`. */
function libcExports(inst: string): string {
  return `
  (func (export "realloc-log") (result (list u32))
    (canon lift (core func ${inst} "realloc-log") (memory (core memory ${inst} "mem"))))
  (func (export "force-realloc") (param "p" u32)
    (canon lift (core func ${inst} "force-realloc")))`;
}

/** Canonical options: the prelude's memory and realloc in core instance `$i`. */
const OPTS = `(memory (core memory $i "mem")) (realloc (core func $i "realloc"))`;

/** The realloc calls logged since the last read, as [old, old size, align, size]. */
function reallocCalls(e: Fns): number[][] {
  const flat = Array.from(e["realloc-log"]() as Uint32Array);
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += 4) out.push(flat.slice(i, i + 4));
  return out;
}

/** A component of one core module (the prelude plus `core`), instance `$i`, and `funcs`. */
function single(core: string, funcs: string): string {
  return `(component
  (core module $m ${LIBC}
    ${core})
  (core instance $i (instantiate $m))
  ${libcExports("$i")}
  ${funcs})`;
}

// little-endian bytes
const u16 = (n: number) => [n & 0xff, (n >>> 8) & 0xff];
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
function u64(n: bigint): number[] {
  const b = BigInt.asUintN(64, n);
  return [...u32(Number(b & 0xffff_ffffn)), ...u32(Number(b >> 32n))];
}
function f32(x: number): number[] {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, x, true);
  return [...new Uint8Array(dv.buffer)];
}
function f64(x: number): number[] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x, true);
  return [...new Uint8Array(dv.buffer)];
}
const zeros = (n: number) => new Array<number>(n).fill(0);
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
function utf16(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) out.push(...u16(s.charCodeAt(i)));
  return out;
}
function latin1(s: string): number[] {
  return [...s].map((c) => {
    const n = c.charCodeAt(0);
    assert.ok(n <= 0xff);
    return n;
  });
}
/** The bits of an f32 / f64, as a core value. */
const f32Bits = (x: number) =>
  BigInt(new DataView(new Uint8Array(f32(x)).buffer).getUint32(0, true));
const f64Bits = (x: number) => new DataView(new Uint8Array(f64(x)).buffer).getBigUint64(0, true);

/** A data segment writing `bytes` at `at`. */
function data(at: number, bytes: readonly number[]): string {
  const text = bytes.map((b) => "\\" + b.toString(16).padStart(2, "0")).join("");
  return `(data (i32.const ${at}) "${text}")`;
}

/** `(enum "c0" ... "c299")`: 300 cases, a 2-byte discriminant. */
const ENUM300 = `(enum ${Array.from({ length: 300 }, (_, i) => `"c${i}"`).join(" ")})`;
/** 32 flags (the most a component may have): one word, bit 31 set makes it a negative i32. */
const FLAG32_NAMES = ["is-ready", ...Array.from({ length: 31 }, (_, i) => `f${i + 1}`)];
const FLAGS32 = `(flags ${FLAG32_NAMES.map((n) => `"${n}"`).join(" ")})`;
const FLAGS10 = `(flags ${Array.from({ length: 10 }, (_, i) => `"g${i}"`).join(" ")})`;

/** A flags object: every name (camelCase) false but those at the `set` indices. */
function flagsObject(names: readonly string[], set: readonly number[]): Record<string, boolean> {
  const o: Record<string, boolean> = {};
  names.forEach((n, i) => {
    o[n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = set.includes(i);
  });
  return o;
}
const flag32Names = FLAG32_NAMES;
const flag10Names = Array.from({ length: 10 }, (_, i) => `g${i}`);

// ---------------------------------------------------------------------------
// 1. lifting results (core wasm to JS)

/** A result returned flat: the core function returns `core` (one core value). */
interface FlatCase {
  readonly type: string;
  readonly core: string;
  readonly expect?: unknown;
  readonly trap?: string;
}

/** A result returned through memory: the core function returns a pointer to `bytes(at)`. */
interface MemoryCase {
  readonly name: string;
  readonly type: string;
  readonly enc?: "utf16" | "latin1+utf16";
  readonly bytes: (at: number) => number[];
  /** The pointer returned, when not `at`. */
  readonly ret?: (at: number) => number;
  readonly expect?: unknown;
  readonly trap?: string;
}

/** One component exporting `flat-<k>` and `mem-<k>` for the cases. */
function liftComponent(flat: readonly FlatCase[], mem: readonly MemoryCase[]): string {
  const core: string[] = [];
  const funcs: string[] = [];
  flat.forEach((c, k) => {
    const ct = c.core.slice(0, 3);
    core.push(`(func (export "flat-${k}") (result ${ct}) (${c.core}))`);
    funcs.push(
      `(func (export "flat-${k}") (result ${c.type}) (canon lift (core func $i "flat-${k}")))`,
    );
  });
  mem.forEach((c, k) => {
    const at = 0x100 * (k + 1);
    assert.ok(at + 0x100 <= 0x8000);
    const bytes = c.bytes(at);
    assert.ok(bytes.length <= 0x100);
    core.push(data(at, bytes));
    core.push(`(func (export "mem-${k}") (result i32) (i32.const ${c.ret?.(at) ?? at}))`);
    const enc = c.enc === undefined ? "" : `string-encoding=${c.enc}`;
    funcs.push(
      `(func (export "mem-${k}") (result ${c.type})
        (canon lift (core func $i "mem-${k}") ${OPTS} ${enc}))`,
    );
  });
  return single(core.join("\n"), funcs.join("\n"));
}

const FLAT_LIFTS: FlatCase[] = [
  { type: "bool", core: "i32.const 2", expect: true },
  { type: "bool", core: "i32.const 0", expect: false },
  { type: "u8", core: "i32.const 0x1ff", expect: 255 },
  { type: "s8", core: "i32.const 0xff", expect: -1 },
  { type: "s8", core: "i32.const 0x17f", expect: 127 },
  { type: "u16", core: "i32.const -1", expect: 65535 },
  { type: "s16", core: "i32.const 0x8000", expect: -32768 },
  { type: "u32", core: "i32.const -1", expect: 4294967295 },
  { type: "s32", core: "i32.const -1", expect: -1 },
  { type: "s32", core: "i32.const 0x80000000", expect: -2147483648 },
  { type: "u64", core: "i64.const -1", expect: 18446744073709551615n },
  { type: "u64", core: "i64.const 0x8000000000000000", expect: 9223372036854775808n },
  { type: "s64", core: "i64.const -1", expect: -1n },
  { type: "s64", core: "i64.const 0x8000000000000000", expect: -9223372036854775808n },
  { type: "f32", core: "f32.const 1.5", expect: 1.5 },
  { type: "f32", core: "f32.const 0.1", expect: Math.fround(0.1) },
  { type: "f32", core: "f32.const -0", expect: -0 },
  { type: "f32", core: "f32.const nan", expect: NaN },
  { type: "f64", core: "f64.const 3.141592653589793", expect: Math.PI },
  { type: "f64", core: "f64.const -inf", expect: -Infinity },
  { type: "char", core: "i32.const 0x41", expect: "A" },
  { type: "char", core: "i32.const 0x1f600", expect: "😀" },
  { type: "char", core: "i32.const 0x10ffff", expect: "\u{10ffff}" },
  { type: "char", core: "i32.const 0", expect: "\0" },
  { type: `(enum "red" "green" "blue-green")`, core: "i32.const 2", expect: "blue-green" },
  { type: ENUM300, core: "i32.const 299", expect: "c299" },
  {
    type: `(flags "read" "write-all" "exec")`,
    core: "i32.const 3",
    expect: { read: true, writeAll: true, exec: false },
  },
  { type: FLAGS32, core: "i32.const 0x80000001", expect: flagsObject(flag32Names, [0, 31]) },
  { type: `(variant (case "a") (case "b-c"))`, core: "i32.const 1", expect: { tag: "b-c" } },
  { type: "(result)", core: "i32.const 0", expect: { tag: "ok", val: undefined } },
  { type: "(result)", core: "i32.const 1", expect: { tag: "err", val: undefined } },
  { type: `(record (field "the-value" u32))`, core: "i32.const 7", expect: { theValue: 7 } },
  { type: "(tuple s16)", core: "i32.const 0xffff", expect: [-1] },
  { type: "(list u8 1)", core: "i32.const 0x1ff", expect: [255] },
];

const VARIANT = `(variant (case "none") (case "int" u32) (case "float" f64) (case "text" string))`;

const MEMORY_LIFTS: MemoryCase[] = [
  {
    name: "tuple<u8, u32>",
    type: "(tuple u8 u32)",
    bytes: () => [0x7f, 0, 0, 0, ...u32(0xdeadbeef)],
    expect: [127, 0xdeadbeef],
  },
  {
    name: "tuple<u64, s64> (bigints)",
    type: "(tuple u64 s64)",
    bytes: () => [...u64(-1n), ...u64(-2n)],
    expect: [18446744073709551615n, -2n],
  },
  {
    name: "tuple<s8, s16, u16, s32> (sign extension, padding)",
    type: "(tuple s8 s16 u16 s32)",
    bytes: () => [0x80, 0, ...u16(0x8000), ...u16(0xffff), 0, 0, ...u32(-5)],
    expect: [-128, -32768, 65535, -5],
  },
  {
    name: "tuple<f32, f64>",
    type: "(tuple f32 f64)",
    bytes: () => [...f32(1.5), ...zeros(4), ...f64(-0.1)],
    expect: [1.5, -0.1],
  },
  {
    name: "tuple<bool, bool, char> (any non-zero byte is true)",
    type: "(tuple bool bool char)",
    bytes: () => [0, 2, 0, 0, ...u32(0x10ffff)],
    expect: [false, true, "\u{10ffff}"],
  },
  {
    name: "string (utf8)",
    type: "string",
    bytes: (
      at,
    ) => [...u32(at + 8), ...u32(utf8("héllo, wörld 😀").length), ...utf8("héllo, wörld 😀")],
    expect: "héllo, wörld 😀",
  },
  {
    name: "string (utf8, empty, null pointer)",
    type: "string",
    bytes: () => [...u32(0), ...u32(0)],
    expect: "",
  },
  {
    name: "string (utf16, a surrogate pair)",
    type: "string",
    enc: "utf16",
    bytes: (at) => [...u32(at + 8), ...u32("héllo 😀".length), ...utf16("héllo 😀")],
    expect: "héllo 😀",
  },
  {
    name: "string (latin1+utf16, Latin-1 form: bytes 0x80-0xff are U+0080-U+00FF)",
    type: "string",
    enc: "latin1+utf16",
    bytes: (at) => [...u32(at + 8), ...u32(8), ...latin1("café ÿ\u0080\u009f")],
    expect: "café ÿ\u0080\u009f",
  },
  {
    name: "string (latin1+utf16, UTF-16 form: length tagged with bit 31)",
    type: "string",
    enc: "latin1+utf16",
    bytes: (at) => [...u32(at + 8), ...u32(0x8000_0000 + 6), ...utf16("日本語 😀")],
    expect: "日本語 😀",
  },
  {
    name: "list<u8>",
    type: "(list u8)",
    bytes: (at) => [...u32(at + 8), ...u32(3), 1, 2, 255],
    expect: new Uint8Array([1, 2, 255]),
  },
  {
    name: "list<u8> (empty)",
    type: "(list u8)",
    bytes: () => [...u32(0), ...u32(0)],
    expect: new Uint8Array(),
  },
  {
    name: "list<u32>",
    type: "(list u32)",
    bytes: (at) => [...u32(at + 8), ...u32(3), ...u32(1), ...u32(0xffffffff), ...u32(7)],
    expect: new Uint32Array([1, 0xffffffff, 7]),
  },
  {
    name: "list<string>",
    type: "(list string)",
    bytes: (at) => [
      ...u32(at + 8),
      ...u32(2),
      ...u32(at + 24),
      ...u32(2),
      ...u32(at + 26),
      ...u32(3),
      ...utf8("hi"),
      ...utf8("abc"),
    ],
    expect: ["hi", "abc"],
  },
  {
    name: "list<tuple<u8, u16>> (element size 4, alignment 2)",
    type: "(list (tuple u8 u16))",
    bytes: (at) => [...u32(at + 8), ...u32(2), 1, 0, ...u16(0xffff), 2, 0, ...u16(3)],
    expect: [[1, 65535], [2, 3]],
  },
  {
    name: "list<u32, 3> (fixed length: inline, 3 flat values)",
    type: "(list u32 3)",
    bytes: () => [...u32(1), ...u32(2), ...u32(0xffffffff)],
    expect: [1, 2, 0xffffffff],
  },
  {
    name: "list<list<u8, 2>, 2> (nested fixed length)",
    type: "(list (list u8 2) 2)",
    bytes: () => [1, 2, 3, 4],
    expect: [[1, 2], [3, 4]],
  },
  {
    name: "record (camelCase keys, field alignment)",
    type:
      `(record (field "first-name" string) (field "age" u8) (field "score" f64) (field "is-admin" bool))`,
    bytes: (at) => [
      ...u32(at + 32),
      ...u32(3),
      42,
      ...zeros(7),
      ...f64(9.5),
      1,
      ...zeros(7),
      ...utf8("Ada"),
    ],
    expect: { firstName: "Ada", age: 42, score: 9.5, isAdmin: true },
  },
  {
    name: "record (an all-caps word is lowered)",
    type: `(record (field "HTTP-status" u16) (field "content-length-bytes" u64))`,
    bytes: () => [...u16(404), ...zeros(6), ...u64(1234n)],
    expect: { httpStatus: 404, contentLengthBytes: 1234n },
  },
  {
    name: "variant: case without payload",
    type: VARIANT,
    bytes: () => [0, ...zeros(15)],
    expect: { tag: "none" },
  },
  {
    name: "variant: u32 case (payload at offset 8)",
    type: VARIANT,
    bytes: () => [1, ...zeros(7), ...u32(7), ...zeros(4)],
    expect: { tag: "int", val: 7 },
  },
  {
    name: "variant: f64 case",
    type: VARIANT,
    bytes: () => [2, ...zeros(7), ...f64(2.5)],
    expect: { tag: "float", val: 2.5 },
  },
  {
    name: "variant: string case",
    type: VARIANT,
    bytes: (at) => [3, ...zeros(7), ...u32(at + 16), ...u32(2), ...utf8("ok")],
    expect: { tag: "text", val: "ok" },
  },
  {
    name: "tuple<enum of 300 cases, u8> (2-byte discriminant)",
    type: `(tuple ${ENUM300} u8)`,
    bytes: () => [...u16(299), 9, 0],
    expect: ["c299", 9],
  },
  {
    name: "tuple<enum, u32>",
    type: `(tuple (enum "a" "b") u32)`,
    bytes: () => [1, 0, 0, 0, ...u32(5)],
    expect: ["b", 5],
  },
  {
    name: "option<u32>: none",
    type: "(option u32)",
    bytes: () => [0, ...zeros(7)],
    expect: undefined,
  },
  {
    name: "option<u32>: some",
    type: "(option u32)",
    bytes: () => [1, 0, 0, 0, ...u32(7)],
    expect: 7,
  },
  {
    name: "option<string>: some",
    type: "(option string)",
    bytes: (at) => [1, 0, 0, 0, ...u32(at + 12), ...u32(1), ...utf8("x")],
    expect: "x",
  },
  {
    name: "option<option<u32>>: none",
    type: "(option (option u32))",
    bytes: () => zeros(12),
    expect: undefined,
  },
  {
    name: "option<option<u32>>: some(none)",
    type: "(option (option u32))",
    bytes: () => [1, 0, 0, 0, 0, 0, 0, 0, ...u32(99)],
    expect: { tag: "some", val: undefined },
  },
  {
    name: "option<option<u32>>: some(some(5))",
    type: "(option (option u32))",
    bytes: () => [1, 0, 0, 0, 1, 0, 0, 0, ...u32(5)],
    expect: { tag: "some", val: 5 },
  },
  {
    name: "result<u32, string>: ok",
    type: "(result u32 (error string))",
    bytes: () => [0, 0, 0, 0, ...u32(7), ...zeros(4)],
    expect: { tag: "ok", val: 7 },
  },
  {
    name: "result<u32, string>: err",
    type: "(result u32 (error string))",
    bytes: (at) => [1, 0, 0, 0, ...u32(at + 12), ...u32(3), ...utf8("bad")],
    expect: { tag: "err", val: "bad" },
  },
  {
    name: "result<u64>: err without payload",
    type: "(result u64)",
    bytes: () => [1, ...zeros(15)],
    expect: { tag: "err", val: undefined },
  },
  {
    name: "option<result<u8, u8>>: some(err)",
    type: "(option (result u8 (error u8)))",
    bytes: () => [1, 1, 1],
    expect: { tag: "err", val: 1 },
  },
  {
    name: "tuple<flags of 32, u8> (flags as u32)",
    type: `(tuple ${FLAGS32} u8)`,
    bytes: () => [...u32(0x8000_0003), 3, 0, 0, 0],
    expect: [flagsObject(flag32Names, [0, 1, 31]), 3],
  },
  {
    name: "tuple<flags of 10, u8> (flags as u16)",
    type: `(tuple ${FLAGS10} u8)`,
    bytes: () => [...u16(0b10_0000_0001), 5, 0],
    expect: [flagsObject(flag10Names, [0, 9]), 5],
  },
  {
    name: "tuple<flags of 3, u8> (flags as u8)",
    type: `(tuple (flags "x" "y-z" "w") u8)`,
    bytes: () => [0b110, 7],
    expect: [{ x: false, yZ: true, w: true }, 7],
  },
  {
    name: "record<list<string>, option<tuple<s32, s32>>> (nested)",
    type: `(record (field "tags" (list string)) (field "origin" (option (tuple s32 s32))))`,
    bytes: (at) => [
      ...u32(at + 20),
      ...u32(2),
      1,
      0,
      0,
      0,
      ...u32(-1),
      ...u32(5),
      ...u32(at + 36),
      ...u32(1),
      ...u32(at + 37),
      ...u32(2),
      ...utf8("a"),
      ...utf8("bc"),
    ],
    expect: { tags: ["a", "bc"], origin: [-1, 5] },
  },
];

// Results are asked for tagged ({ tag, val }) here: the default, jco's, is tested below.
Deno.test("exports lift every result type: flat (one core value)", async (t) => {
  const c = await compile(await wat(liftComponent(FLAT_LIFTS, [])));
  for (const [k, fc] of FLAT_LIFTS.entries()) {
    const type = fc.type.length > 50 ? fc.type.slice(0, 47) + "..." : fc.type;
    await t.step(`${type} from (${fc.core})`, () => {
      const e = fns(c.instantiate({}, { results: "tagged" }));
      assert.deepEqual(e[`flat-${k}`](), fc.expect);
    });
  }
});

Deno.test("exports lift every result type: through a returned pointer", async (t) => {
  const c = await compile(await wat(liftComponent([], MEMORY_LIFTS)));
  for (const [k, mc] of MEMORY_LIFTS.entries()) {
    await t.step(mc.name, () => {
      const e = fns(c.instantiate({}, { results: "tagged" }));
      assert.deepEqual(e[`mem-${k}`](), mc.expect);
      // lifting results never calls realloc
      assert.deepEqual(reallocCalls(e), []);
    });
  }
});

Deno.test("exports: a top-level result returns T and throws a ComponentError carrying E", async () => {
  const c = await compile(await wat(liftComponent([], MEMORY_LIFTS)));
  const fn = (name: string) => `mem-${MEMORY_LIFTS.findIndex((m) => m.name === name)}`;
  const e = fns(c.instantiate());
  assert.equal(e[fn("result<u32, string>: ok")](), 7);
  assert.throws(() => e[fn("result<u32, string>: err")](), (x) => {
    assert.ok(x instanceof ComponentError);
    assert.equal(x.name, "ComponentError");
    assert.equal(x.payload, "bad");
    assert.equal(x.message, "bad");
    return true;
  });
  assert.throws(() => e[fn("result<u64>: err without payload")](), (x) => {
    assert.ok(x instanceof ComponentError);
    assert.equal(x.payload, undefined);
    assert.equal(x.message, "undefined (see error.payload)");
    return true;
  });
  // a result that is not the function's own result stays { tag, val }
  assert.deepEqual(e[fn("option<result<u8, u8>>: some(err)")](), { tag: "err", val: 1 });
});

Deno.test("a lifted function reads memory as it is when it returns (no caching across calls)", async () => {
  // `next` bumps a counter stored in memory and returns a pointer to (counter, string)
  const e = fns(
    await instantiate(
      await wat(single(
        `${data(0x200, utf8("abc"))}
        (func (export "next") (result i32)
          (i32.store (i32.const 0x100) (i32.add (i32.load (i32.const 0x100)) (i32.const 1)))
          (i32.store (i32.const 0x104) (i32.const 0x200))
          (i32.store (i32.const 0x108) (i32.load (i32.const 0x100)))
          (i32.const 0x100))`,
        `(func (export "next") (result (tuple u32 string)) (canon lift (core func $i "next") ${OPTS}))`,
      )),
    ),
  );
  assert.deepEqual(e.next(), [1, "a"]);
  assert.deepEqual(e.next(), [2, "ab"]);
  assert.deepEqual(e.next(), [3, "abc"]);
});

// ---------------------------------------------------------------------------
// 2. lowering parameters (JS to core wasm)

type Flat = "i32" | "i64" | "f32" | "f64";

/**
 * A core function that takes `flat` parameters and returns their bits as a
 * `list<u64>` (one element per core value, i32 and f32 zero-extended).
 */
function dumpFunc(name: string, flat: readonly Flat[]): string {
  const stores = flat.map((t, i) => {
    const v = t === "i32"
      ? `(i64.extend_i32_u (local.get ${i}))`
      : t === "i64"
      ? `(local.get ${i})`
      : t === "f32"
      ? `(i64.extend_i32_u (i32.reinterpret_f32 (local.get ${i})))`
      : `(i64.reinterpret_f64 (local.get ${i}))`;
    return `(i64.store (i32.const ${0xc010 + 8 * i}) ${v})`;
  });
  return `(func (export "${name}") (param ${flat.join(" ")}) (result i32)
    ${stores.join("\n    ")}
    (i32.store (i32.const 0xc000) (i32.const 0xc010))
    (i32.store (i32.const 0xc004) (i32.const ${flat.length}))
    (i32.const 0xc000))`;
}

/** Parameters `params` whose core form is `flat`; each call: arguments, then the expected bits. */
interface LowerCase {
  readonly name: string;
  readonly params: string;
  readonly flat: readonly Flat[];
  readonly calls: readonly (readonly [readonly unknown[], readonly bigint[]])[];
}

const M32 = 0xffff_ffffn;
const M64 = 0xffff_ffff_ffff_ffffn;
const SHAPE = `(variant (case "none") (case "i" u32) (case "f" f32) (case "d" f64) (case "l" s64))`;

const LOWERS: LowerCase[] = [
  {
    name: "bool",
    params: `(param "x" bool)`,
    flat: ["i32"],
    calls: [[[true], [1n]], [[false], [0n]]],
  },
  {
    name: "u8, s8 (sign-extended to i32)",
    params: `(param "a" u8) (param "b" s8)`,
    flat: ["i32", "i32"],
    calls: [[[255, -1], [255n, M32]], [[0, -128], [0n, 0xffff_ff80n]], [[7, 127], [7n, 127n]]],
  },
  {
    name: "u16, s16",
    params: `(param "a" u16) (param "b" s16)`,
    flat: ["i32", "i32"],
    calls: [[[65535, -2], [65535n, 0xffff_fffen]], [[0, 32767], [0n, 32767n]]],
  },
  {
    name: "u32, s32",
    params: `(param "a" u32) (param "b" s32)`,
    flat: ["i32", "i32"],
    calls: [[[4294967295, -2147483648], [M32, 0x8000_0000n]], [[1, 2147483647], [
      1n,
      0x7fff_ffffn,
    ]]],
  },
  {
    name: "u64, s64 (bigints, or safe-integer numbers)",
    params: `(param "a" u64) (param "b" s64)`,
    flat: ["i64", "i64"],
    calls: [
      [[2n ** 64n - 1n, -1n], [M64, M64]],
      [[0n, -(2n ** 63n)], [0n, 0x8000_0000_0000_0000n]],
      [[5, -3], [5n, M64 - 2n]],
      [[Number.MAX_SAFE_INTEGER, 0], [2n ** 53n - 1n, 0n]],
    ],
  },
  {
    name: "f32, f64",
    params: `(param "a" f32) (param "b" f64)`,
    flat: ["f32", "f64"],
    calls: [
      [[1.5, -0], [0x3fc0_0000n, 0x8000_0000_0000_0000n]],
      [[0.1, Math.PI], [f32Bits(0.1), 0x4009_21fb_5444_2d18n]],
      [[-Infinity, Infinity], [0xff80_0000n, 0x7ff0_0000_0000_0000n]],
    ],
  },
  {
    name: "char",
    params: `(param "c" char)`,
    flat: ["i32"],
    calls: [[["A"], [0x41n]], [["😀"], [0x1f600n]], [["\u{10ffff}"], [0x10ffffn]]],
  },
  {
    name: "enum",
    params: `(param "e" (enum "red" "green" "blue-green"))`,
    flat: ["i32"],
    calls: [[["red"], [0n]], [["blue-green"], [2n]]],
  },
  {
    name: "enum of 300 cases",
    params: `(param "e" ${ENUM300})`,
    flat: ["i32"],
    calls: [[["c299"], [299n]]],
  },
  {
    name: "flags (missing keys are false)",
    params: `(param "f" (flags "read" "write-all" "exec"))`,
    flat: ["i32"],
    calls: [[[{ read: true, exec: true }], [5n]], [[{ writeAll: true }], [2n]], [[{}], [0n]]],
  },
  {
    name: "flags of 32 (camelCase keys, bit 31)",
    params: `(param "f" ${FLAGS32})`,
    flat: ["i32"],
    calls: [
      [[{ isReady: true, f31: true }], [0x8000_0001n]],
      [[flagsObject(flag32Names, [1, 30])], [0x4000_0002n]],
    ],
  },
  {
    name: "record (camelCase keys)",
    params: `(param "r" (record (field "x-pos" u32) (field "y" s32) (field "z" u64)))`,
    flat: ["i32", "i32", "i64"],
    calls: [[[{ xPos: 1, y: -1, z: 3n }], [1n, M32, 3n]]],
  },
  {
    name: "tuple<u8, u64, f32>",
    params: `(param "t" (tuple u8 u64 f32))`,
    flat: ["i32", "i64", "f32"],
    calls: [[[[1, 2n, 2.5]], [1n, 2n, 0x4020_0000n]]],
  },
  {
    name: "list<u8, 3> (fixed length: flat)",
    params: `(param "l" (list u8 3))`,
    flat: ["i32", "i32", "i32"],
    calls: [[[[1, 2, 255]], [1n, 2n, 255n]], [[new Uint8Array([4, 5, 6])], [4n, 5n, 6n]]],
  },
  {
    name: "variant: payloads joined into one i64 slot",
    params: `(param "v" ${SHAPE})`,
    flat: ["i32", "i64"],
    calls: [
      [[{ tag: "none" }], [0n, 0n]],
      [[{ tag: "i", val: 0xffff_ffff }], [1n, M32]], // i32 zero-extended
      [[{ tag: "f", val: 1.5 }], [2n, 0x3fc0_0000n]], // f32 bits, zero-extended
      [[{ tag: "d", val: -0 }], [3n, 0x8000_0000_0000_0000n]], // f64 bits
      [[{ tag: "l", val: -1n }], [4n, M64]],
    ],
  },
  {
    name: "variant: u32 and f32 payloads joined into one i32 slot",
    params: `(param "v" (variant (case "a" u32) (case "b" f32)))`,
    flat: ["i32", "i32"],
    calls: [[[{ tag: "a", val: 9 }], [0n, 9n]], [[{ tag: "b", val: 1.5 }], [1n, 0x3fc0_0000n]]],
  },
  {
    name: "option<u32> (undefined or null is none)",
    params: `(param "o" (option u32))`,
    flat: ["i32", "i32"],
    calls: [[[undefined], [0n, 0n]], [[null], [0n, 0n]], [[7], [1n, 7n]], [[0], [1n, 0n]]],
  },
  {
    name: "option<option<u8>>",
    params: `(param "o" (option (option u8)))`,
    flat: ["i32", "i32", "i32"],
    calls: [
      [[undefined], [0n, 0n, 0n]],
      [[{ tag: "some", val: undefined }], [1n, 0n, 0n]],
      [[{ tag: "some", val: 5 }], [1n, 1n, 5n]],
    ],
  },
  {
    name: "result<u32, f32>",
    params: `(param "r" (result u32 (error f32)))`,
    flat: ["i32", "i32"],
    calls: [[[{ tag: "ok", val: 7 }], [0n, 7n]], [[{ tag: "err", val: 1.5 }], [1n, 0x3fc0_0000n]]],
  },
  {
    name: "result without payloads",
    params: `(param "r" (result))`,
    flat: ["i32"],
    calls: [[[{ tag: "ok" }], [0n]], [[{ tag: "err" }], [1n]]],
  },
  {
    name: "string among other parameters (pointer from realloc, length in bytes)",
    params: `(param "a" u8) (param "b" string) (param "c" u64)`,
    flat: ["i32", "i32", "i32", "i64"],
    calls: [[[7, "hé", 9n], [7n, BigInt(HEAP), 3n, 9n]]],
  },
  {
    name: "list<u32> (pointer from realloc, length in elements)",
    params: `(param "l" (list u32))`,
    flat: ["i32", "i32"],
    calls: [[[[1, 2, 3]], [BigInt(HEAP), 3n]]],
  },
  {
    name: "no parameters",
    params: ``,
    flat: [],
    calls: [[[], []]],
  },
];

Deno.test("exports lower every parameter type in flat form", async (t) => {
  const core = LOWERS.map((c, k) => dumpFunc(`p-${k}`, c.flat)).join("\n");
  const funcs = LOWERS.map((c, k) =>
    `(func (export "p-${k}") ${c.params} (result (list u64))
      (canon lift (core func $i "p-${k}") ${OPTS}))`
  ).join("\n");
  const comp = await compile(await wat(single(core, funcs)));
  for (const [k, c] of LOWERS.entries()) {
    await t.step(c.name, () => {
      for (const [args, bits] of c.calls) {
        const e = fns(comp.instantiate());
        assert.deepEqual(untyped(e[`p-${k}`](...args)), bits, `arguments ${Deno.inspect(args)}`);
      }
    });
  }
});

/** Core functions returning the bytes a (pointer, length) parameter points to. */
const BYTES_OF = `
  ;; (ptr, units) -> ptr to (units, ptr, byte length) = tuple<u32, list<u8>>
  (func $bytes (param $p i32) (param $units i32) (param $len i32) (result i32)
    (i32.store (i32.const 0xc000) (local.get $units))
    (i32.store (i32.const 0xc004) (local.get $p))
    (i32.store (i32.const 0xc008) (local.get $len))
    (i32.const 0xc000))
  (func (export "utf8") (param i32 i32) (result i32)
    (call $bytes (local.get 0) (local.get 1) (local.get 1)))
  (func (export "utf16") (param i32 i32) (result i32)
    (call $bytes (local.get 0) (local.get 1) (i32.shl (local.get 1) (i32.const 1))))
  (func (export "compact") (param i32 i32) (result i32)
    (call $bytes (local.get 0) (local.get 1)
      (if (result i32) (i32.lt_u (local.get 1) (i32.const 0x80000000))
        (then (local.get 1))
        (else (i32.shl (i32.and (local.get 1) (i32.const 0x7fffffff)) (i32.const 1))))))
  (func (export "list-u32") (param i32 i32) (result i32)
    (call $bytes (local.get 0) (local.get 1) (i32.shl (local.get 1) (i32.const 2))))
  ;; list<string> is returned as it came in
  (func (export "list-string") (param i32 i32) (result i32)
    (i32.store (i32.const 0xc000) (local.get 0))
    (i32.store (i32.const 0xc004) (local.get 1))
    (i32.const 0xc000))`;

const BYTES_FUNCS = `
  (func (export "utf8") (param "s" string) (result (tuple u32 (list u8)))
    (canon lift (core func $i "utf8") ${OPTS}))
  (func (export "utf16") (param "s" string) (result (tuple u32 (list u8)))
    (canon lift (core func $i "utf16") ${OPTS} string-encoding=utf16))
  (func (export "compact") (param "s" string) (result (tuple u32 (list u8)))
    (canon lift (core func $i "compact") ${OPTS} string-encoding=latin1+utf16))
  (func (export "list-u32") (param "l" (list u32)) (result (tuple u32 (list u8)))
    (canon lift (core func $i "list-u32") ${OPTS}))
  (func (export "list-string") (param "l" (list string)) (result (list string))
    (canon lift (core func $i "list-string") ${OPTS}))`;

Deno.test("exports lower strings and lists through realloc into the component's memory", async (t) => {
  const c = await compile(await wat(single(BYTES_OF, BYTES_FUNCS)));
  const cases: [string, string, unknown, [number, number[]], number[][]][] = [
    ["utf8", "utf8", "héllo 😀", [11, utf8("héllo 😀")], [[0, 0, 1, 11]]],
    ["utf8, empty string", "utf8", "", [0, []], [[0, 0, 1, 0]]],
    ["utf16", "utf16", "h😀", [3, utf16("h😀")], [[0, 0, 2, 6]]],
    [
      "latin1+utf16, Latin-1 string",
      "compact",
      "café\u0080ÿ",
      [6, latin1("café\u0080ÿ")],
      [[0, 0, 2, 6]],
    ],
    [
      "latin1+utf16, other string: UTF-16, tagged length",
      "compact",
      "日本 ok",
      [0x8000_0000 + 5, utf16("日本 ok")],
      [[0, 0, 2, 10]],
    ],
    [
      "list<u32>",
      "list-u32",
      [1, 0xffff_ffff, 3],
      [3, [...u32(1), ...u32(0xffff_ffff), ...u32(3)]],
      [[0, 0, 4, 12]],
    ],
    ["list<u32>, empty", "list-u32", [], [0, []], [[0, 0, 4, 0]]],
    [
      "list<u32> from a Uint32Array",
      "list-u32",
      new Uint32Array([5, 6]),
      [2, [...u32(5), ...u32(6)]],
      [[0, 0, 4, 8]],
    ],
  ];
  for (const [name, fn, arg, [units, bytes], calls] of cases) {
    await t.step(name, () => {
      const e = fns(c.instantiate());
      assert.deepEqual(untyped(e[fn](arg)), [units, bytes]);
      assert.deepEqual(reallocCalls(e), calls);
    });
  }
  await t.step("list<string>: the list, then each string, allocated in order", () => {
    const e = fns(c.instantiate());
    assert.deepEqual(e["list-string"](["a", "bc", "😀"]), ["a", "bc", "😀"]);
    assert.deepEqual(reallocCalls(e), [[0, 0, 4, 24], [0, 0, 1, 1], [0, 0, 1, 2], [0, 0, 1, 4]]);
  });
});

const P17 = Array.from({ length: 17 }, (_, i) => `(param "p${i}" u32)`).join(" ");
const P16 = Array.from({ length: 16 }, (_, i) => `(param "p${i}" u32)`).join(" ");
const MIXED17 = `(param "a" u8) (param "b" u64) (param "c" u16) (param "d" f64) (param "e" bool)
  (param "f" s32) (param "g" char) (param "h" f32) ${
  Array.from({ length: 9 }, (_, i) => `(param "x${i}" u8)`).join(" ")
}`;

const SPILL = `
  ;; (ptr) -> ptr to (ptr, ptr, size) = tuple<u32, list<u8>>
  (func $raw (param $p i32) (param $size i32) (result i32)
    (i32.store (i32.const 0xc000) (local.get $p))
    (i32.store (i32.const 0xc004) (local.get $p))
    (i32.store (i32.const 0xc008) (local.get $size))
    (i32.const 0xc000))
  (func (export "p17") (param i32) (result i32) (call $raw (local.get 0) (i32.const 68)))
  (func (export "mixed17") (param i32) (result i32) (call $raw (local.get 0) (i32.const 64)))
  ;; 16 u32 then a string: the string's (ptr, len) is at offset 64, return it as the result
  (func (export "p16s") (param i32) (result i32) (i32.add (local.get 0) (i32.const 64)))
  ;; the parameter area is returned as the result tuple
  (func (export "echo") (param i32) (result i32) (local.get 0))`;

const ECHO_TYPES = [
  "u8",
  "string",
  "u64",
  `(record (field "first-name" string) (field "n" s16))`,
  "(list u32)",
  "(option f64)",
  `(variant (case "a") (case "b" (tuple char f32)))`,
  "(list u8 4)",
  FLAGS32,
  "bool",
];

Deno.test("exports with more than 16 flat parameters get them in memory from realloc", async (t) => {
  const funcs = `
    (func (export "p17") ${P17} (result (tuple u32 (list u8)))
      (canon lift (core func $i "p17") ${OPTS}))
    (func (export "mixed17") ${MIXED17} (result (tuple u32 (list u8)))
      (canon lift (core func $i "mixed17") ${OPTS}))
    (func (export "p16s") ${P16} (param "s" string) (result string)
      (canon lift (core func $i "p16s") ${OPTS}))
    (func (export "echo") ${ECHO_TYPES.map((ty, i) => `(param "e${i}" ${ty})`).join(" ")}
      (result (tuple ${ECHO_TYPES.join(" ")}))
      (canon lift (core func $i "echo") ${OPTS}))`;
  const c = await compile(await wat(single(SPILL, funcs)));

  await t.step("17 × u32: one realloc (align 4, size 68), values in order", () => {
    const e = fns(c.instantiate());
    const args = Array.from({ length: 17 }, (_, i) => (i * 0x1000_0001) >>> 0);
    assert.deepEqual(untyped(e.p17(...args)), [HEAP, args.flatMap(u32)]);
    assert.deepEqual(reallocCalls(e), [[0, 0, 4, 68]]);
  });

  await t.step("mixed scalars: laid out as a tuple (align 8, size 64)", () => {
    const e = fns(c.instantiate());
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 255];
    const [p, bytes] = untyped(
      e.mixed17(200, 2n ** 64n - 2n, 65535, -2.5, true, -7, "😀", 0.5, ...x),
    ) as [number, number[]];
    assert.equal(p, HEAP);
    assert.deepEqual(bytes, [
      200,
      ...zeros(7),
      ...u64(2n ** 64n - 2n),
      ...u16(65535),
      ...zeros(6),
      ...f64(-2.5),
      1,
      0,
      0,
      0,
      ...u32(-7),
      ...u32(0x1f600),
      ...f32(0.5),
      ...x,
      ...zeros(7),
    ]);
    assert.deepEqual(reallocCalls(e), [[0, 0, 8, 64]]);
  });

  await t.step("a string in the parameter area: allocated after the area", () => {
    const e = fns(c.instantiate());
    const args = [...Array.from({ length: 16 }, (_, i) => i), "spilled ✓"];
    assert.equal(e.p16s(...args), "spilled ✓");
    assert.deepEqual(reallocCalls(e), [[0, 0, 4, 72], [0, 0, 1, 11]]);
  });

  await t.step("every kind of value in the parameter area, read back as the result", () => {
    const e = fns(c.instantiate());
    const values = [
      255,
      "ünïcode",
      2n ** 63n,
      { firstName: "Grace", n: -300 },
      new Uint32Array([1, 2, 0xffff_ffff]),
      -1.25,
      { tag: "b", val: ["λ", 0.25] },
      [9, 8, 7, 6],
      flagsObject(flag32Names, [0, 5, 31]),
      true,
    ];
    assert.deepEqual(e.echo(...values), values);
    assert.deepEqual(
      e.echo(
        0,
        "",
        0n,
        { firstName: "", n: 0 },
        [],
        undefined,
        { tag: "a" },
        [
          0,
          0,
          0,
          0,
        ],
        {},
        false,
      ),
      [
        0,
        "",
        0n,
        { firstName: "", n: 0 },
        new Uint32Array(),
        undefined,
        { tag: "a" },
        [0, 0, 0, 0],
        flagsObject(flag32Names, []),
        false,
      ],
    );
  });
});

// ---------------------------------------------------------------------------
// 3. host imports lowered into a component

const POINT = `(record (field "x" s32) (field "y-pos" s32))`;

/** Imports of every shape; `$main`'s exports forward raw core values to them. */
const IMPORTS = `(component
  (import "scalars" (func $scalars (param "a" u8) (param "b" s16) (param "c" u64) (param "d" f32)
    (param "e" f64) (param "f" char) (param "g" bool) (result s64)))
  (import "log" (func $log (param "msg" string)))
  (import "greet" (func $greet (param "name" string) (result string)))
  (import "point" (func $point (param "x" s32) (result ${POINT})))
  (import "shape" (func $shape (param "v" ${SHAPE}) (result u32)))
  (import "many" (func $many ${P17} (result u32)))
  (import "words" (func $words (result (list string))))
  (import "host:math/ops" (instance $ops
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
  (alias export $ops "add" (func $add))

  (core module $libc ${LIBC})
  (core instance $libc (instantiate $libc))
  (core func $scalars-l (canon lower (func $scalars)))
  (core func $log-l (canon lower (func $log) (memory (core memory $libc "mem"))))
  (core func $greet-l (canon lower (func $greet)
    (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (core func $greet16-l (canon lower (func $greet)
    (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")) string-encoding=utf16))
  (core func $point-l (canon lower (func $point) (memory (core memory $libc "mem"))))
  (core func $shape-l (canon lower (func $shape)))
  (core func $many-l (canon lower (func $many) (memory (core memory $libc "mem"))))
  (core func $words-l (canon lower (func $words)
    (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (core func $add-l (canon lower (func $add)))

  (core module $main
    (import "libc" "mem" (memory 2))
    (import "host" "scalars" (func $scalars (param i32 i32 i64 f32 f64 i32 i32) (result i64)))
    (import "host" "log" (func $log (param i32 i32)))
    (import "host" "greet" (func $greet (param i32 i32 i32)))
    (import "host" "greet16" (func $greet16 (param i32 i32 i32)))
    (import "host" "point" (func $point (param i32 i32)))
    (import "host" "shape" (func $shape (param i32 i64) (result i32)))
    (import "host" "many" (func $many (param i32) (result i32)))
    (import "host" "words" (func $words (param i32)))
    (import "host" "add" (func $add (param i32 i32) (result i32)))
    (data (i32.const 0x100) "from wasm")
    (data (i32.const 0x200) "W\\00a\\00s\\00m\\00")
    (data (i32.const 0x210) "Wasm")
    (func (export "scalars") (param i32 i32 i64 f32 f64 i32 i32) (result i64)
      (call $scalars (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
        (local.get 5) (local.get 6)))
    (func (export "log") (call $log (i32.const 0x100) (i32.const 9)))
    (func (export "greet") (result i32)
      (call $greet (i32.const 0x210) (i32.const 4) (i32.const 0x300)) (i32.const 0x300))
    (func (export "greet16") (result i32)
      (call $greet16 (i32.const 0x200) (i32.const 4) (i32.const 0x308)) (i32.const 0x308))
    (func (export "point") (param i32) (result i32)
      (call $point (local.get 0) (i32.const 0x310)) (i32.const 0x310))
    (func (export "shape") (param i32 i64) (result i32) (call $shape (local.get 0) (local.get 1)))
    ;; 17 u32 at 0x400: k * 0x10000001
    (func (export "many") (result i32)
      (local $k i32)
      (loop $next
        (i32.store (i32.add (i32.const 0x400) (i32.shl (local.get $k) (i32.const 2)))
          (i32.mul (local.get $k) (i32.const 0x10000001)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $k) (i32.const 17))))
      (call $many (i32.const 0x400)))
    (func (export "words") (result i32) (call $words (i32.const 0x320)) (i32.const 0x320))
    (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1))))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "host" (instance
      (export "scalars" (func $scalars-l))
      (export "log" (func $log-l))
      (export "greet" (func $greet-l))
      (export "greet16" (func $greet16-l))
      (export "point" (func $point-l))
      (export "shape" (func $shape-l))
      (export "many" (func $many-l))
      (export "words" (func $words-l))
      (export "add" (func $add-l))))))

  (func (export "scalars") (param "a" u32) (param "b" u32) (param "c" u64) (param "d" f32)
    (param "e" f64) (param "f" u32) (param "g" u32) (result s64)
    (canon lift (core func $main "scalars")))
  (func (export "log") (canon lift (core func $main "log")))
  (func (export "greet") (result string)
    (canon lift (core func $main "greet") (memory (core memory $libc "mem"))))
  (func (export "greet16") (result string)
    (canon lift (core func $main "greet16") (memory (core memory $libc "mem")) string-encoding=utf16))
  (func (export "point") (param "x" s32) (result ${POINT})
    (canon lift (core func $main "point") (memory (core memory $libc "mem"))))
  (func (export "shape") (param "disc" u32) (param "payload" u64) (result u32)
    (canon lift (core func $main "shape")))
  (func (export "many") (result u32) (canon lift (core func $main "many")))
  (func (export "words") (result (list string))
    (canon lift (core func $main "words") (memory (core memory $libc "mem"))))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $main "add")))
  ${libcExports("$libc")})`;

const importsComponent = compile(await wat(IMPORTS));

/** Host imports that record their calls; `overrides` replaces some. */
function hostImports(calls: unknown[][], overrides: Record<string, unknown> = {}) {
  const rec = (name: string, result: (...a: unknown[]) => unknown) => (...args: unknown[]) => {
    calls.push([name, ...args]);
    return result(...args);
  };
  return {
    scalars: rec("scalars", () => -5n),
    log: rec("log", () => undefined),
    greet: rec("greet", (name) => `Hello, ${name}!`),
    point: rec("point", (x) => ({ x, yPos: 7 })),
    shape: rec("shape", () => 42),
    many: rec("many", () => 99),
    words: rec("words", () => ["a", "bc", "😀"]),
    "host:math/ops": { add: rec("add", (a, b) => (a as number) + (b as number)) },
    ...overrides,
  };
}

Deno.test("host imports: parameters lifted to JS, results lowered back", async (t) => {
  const c = await importsComponent;

  await t.step("scalars: raw core values are masked, sign-extended and converted", () => {
    const calls: unknown[][] = [];
    const e = fns(c.instantiate(hostImports(calls)));
    assert.equal(e.scalars(0x1ff, 0x18000, 2n ** 64n - 1n, 1.5, -0.25, 0x1f600, 7), -5n);
    assert.deepEqual(calls, [["scalars", 255, -32768, 2n ** 64n - 1n, 1.5, -0.25, "😀", true]]);
    calls.length = 0;
    assert.equal(e.scalars(0, 0x7fff, 0n, -0, 0, 0x41, 0), -5n);
    assert.deepEqual(calls, [["scalars", 0, 32767, 0n, -0, 0, "A", false]]);
  });

  await t.step("an s64 result may be a safe-integer number", () => {
    const e = fns(c.instantiate(hostImports([], { scalars: () => -(2 ** 53) + 1 })));
    assert.equal(e.scalars(0, 0, 0n, 0, 0, 0x41, 0), -(2n ** 53n) + 1n);
  });

  await t.step("a string parameter (utf8) read from the component's memory", () => {
    const calls: unknown[][] = [];
    const e = fns(c.instantiate(hostImports(calls)));
    assert.equal(e.log(), undefined);
    assert.deepEqual(calls, [["log", "from wasm"]]);
  });

  await t.step("a string result written through realloc and a return pointer (utf8)", () => {
    const calls: unknown[][] = [];
    const e = fns(c.instantiate(hostImports(calls)));
    assert.equal(e.greet(), "Hello, Wasm!");
    assert.deepEqual(calls, [["greet", "Wasm"]]);
    assert.deepEqual(reallocCalls(e), [[0, 0, 1, 12]]);
  });

  await t.step("a string parameter and result in utf16", () => {
    const calls: unknown[][] = [];
    const e = fns(c.instantiate(hostImports(calls, { greet: (n: string) => `¡Hola, ${n}! 😀` })));
    assert.equal(e.greet16(), "¡Hola, Wasm! 😀");
    assert.deepEqual(reallocCalls(e), [[0, 0, 2, 2 * "¡Hola, Wasm! 😀".length]]);
  });

  await t.step("a record result through a return pointer", () => {
    const calls: unknown[][] = [];
    const e = fns(c.instantiate(hostImports(calls)));
    assert.deepEqual(e.point(-3), { x: -3, yPos: 7 });
    assert.deepEqual(calls, [["point", -3]]);
  });

  await t.step("a variant parameter: payloads narrowed from the joined i64 slot", () => {
    const calls: unknown[][] = [];
    const e = fns(c.instantiate(hostImports(calls)));
    assert.equal(e.shape(0, 0n), 42);
    assert.equal(e.shape(1, 0x1_ffff_ffffn), 42); // u32: the low 32 bits
    assert.equal(e.shape(2, 0xdead_beef_0000_0000n | f32Bits(2.5)), 42); // f32 in the low bits
    assert.equal(e.shape(3, f64Bits(-0.1)), 42);
    assert.equal(e.shape(4, 2n ** 64n - 1n), 42);
    assert.deepEqual(calls, [
      ["shape", { tag: "none" }],
      ["shape", { tag: "i", val: 0xffff_ffff }],
      ["shape", { tag: "f", val: 2.5 }],
      ["shape", { tag: "d", val: -0.1 }],
      ["shape", { tag: "l", val: -1n }],
    ]);
  });

  await t.step("more than 16 flat parameters: read from memory", () => {
    const calls: unknown[][] = [];
    const e = fns(c.instantiate(hostImports(calls)));
    assert.equal(e.many(), 99);
    assert.deepEqual(calls, [[
      "many",
      ...Array.from({ length: 17 }, (_, k) => Math.imul(k, 0x1000_0001) >>> 0),
    ]]);
  });

  await t.step("a list<string> result: the list, then each string, through realloc", () => {
    const e = fns(c.instantiate(hostImports([])));
    assert.deepEqual(e.words(), ["a", "bc", "😀"]);
    assert.deepEqual(reallocCalls(e), [[0, 0, 4, 24], [0, 0, 1, 1], [0, 0, 1, 2], [0, 0, 1, 4]]);
  });

  await t.step("an instance import: an object of functions", () => {
    const calls: unknown[][] = [];
    const e = fns(c.instantiate(hostImports(calls)));
    assert.equal(e.add(2, 3), 5);
    assert.equal(e.add(0x7fff_ffff, 0x7fff_ffff), 0xffff_fffe);
    assert.deepEqual(calls, [["add", 2, 3], ["add", 0x7fff_ffff, 0x7fff_ffff]]);
  });

  await t.step("an error thrown by a host import reaches the caller, naming the import", () => {
    const boom = new RangeError("host failure");
    const e = fns(c.instantiate(hostImports([], {
      log: () => {
        throw boom;
      },
      "host:math/ops": {
        add: () => {
          throw new Error("no adding today");
        },
      },
    })));
    // the same object, its message prefixed with where it was thrown
    assert.throws(() => e.log(), (x) => x === boom && boom.message === "in log: host failure");
    assert.throws(() => e.add(1, 2), { message: "in host:math/ops#add: no adding today" });
    // a thrown non-Error passes through as it is
    const f = fns(c.instantiate(hostImports([], {
      log: () => {
        throw "plain";
      },
    })));
    assert.throws(() => f.log(), (x) => x === "plain");
  });

  await t.step("a host result of the wrong shape is a TypeError", () => {
    const e = fns(c.instantiate(hostImports([], {
      point: () => ({ x: 1 }),
      greet: () => 42,
      words: () => "a,b",
      scalars: () => 2n ** 63n,
      "host:math/ops": { add: (a: number, b: number) => a + b },
    })));
    // each error names the host function it came from
    assertTypeError(
      () => e.point(1),
      "in point: expected a `s32` (an integer in -2147483648..2147483647), got undefined",
    );
    assertTypeError(() => e.greet(), "in greet: expected a `string`, got 42");
    assertTypeError(() => e.words(), 'in words: expected an array or a typed array, got "a,b"');
    assertTypeError(
      () => e.scalars(0, 0, 0n, 0, 0, 0x41, 0),
      "in scalars: expected a `s64` in range, got 9223372036854775808n",
    );
    assertTypeError(
      () => e.add(0xffff_ffff, 1),
      "in host:math/ops#add: expected a `u32` (an integer in 0..4294967295), got 4294967296",
    );
  });

  await t.step("a host import returning a Promise is a TypeError", () => {
    const e = fns(
      c.instantiate(hostImports([], { point: () => Promise.resolve({ x: 1, yPos: 2 }) })),
    );
    assertTypeError(() => e.point(1), /returned a Promise/);
  });
});

Deno.test("host imports: missing or of the wrong kind is a LinkError", async (t) => {
  const c = await importsComponent;
  const rejects = (imports: Record<string, unknown>, message: string) =>
    assert.throws(() => c.instantiate(imports), (e: unknown) => {
      assert.ok(e instanceof LinkError, `expected a LinkError, got ${e}`);
      assert.equal(e.message, message);
      return true;
    });
  await t.step("no imports at all", () => rejects({}, "missing import `scalars`"));
  await t.step("one missing", () => {
    const imports: Record<string, unknown> = hostImports([]);
    delete imports.words;
    rejects(imports, "missing import `words`");
  });
  await t.step(
    "an instance import without the function",
    () =>
      rejects(
        hostImports([], { "host:math/ops": {} }),
        "missing import `host:math/ops#add`",
      ),
  );
  await t.step(
    "not a function",
    () =>
      rejects(
        hostImports([], { log: "console" }),
        "import `log` is not a function: it is a string",
      ),
  );
  await t.step("compile() links nothing: the same component still instantiates", () => {
    assert.equal(fns(c.instantiate(hostImports([]))).add(1, 1), 2);
  });
});

// ---------------------------------------------------------------------------
// 4. traps

const FLAT_TRAPS: FlatCase[] = [
  { type: "char", core: "i32.const 0xd800", trap: "invalid `char` bit pattern" },
  { type: "char", core: "i32.const 0xdfff", trap: "invalid `char` bit pattern" },
  { type: "char", core: "i32.const 0x110000", trap: "invalid `char` bit pattern" },
  { type: "char", core: "i32.const -1", trap: "invalid `char` bit pattern" },
  { type: `(enum "a" "b" "c")`, core: "i32.const 3", trap: "invalid variant discriminant" },
  { type: `(enum "a" "b" "c")`, core: "i32.const -1", trap: "invalid variant discriminant" },
  { type: ENUM300, core: "i32.const 300", trap: "invalid variant discriminant" },
  {
    type: `(variant (case "a") (case "b"))`,
    core: "i32.const 2",
    trap: "invalid variant discriminant",
  },
  { type: "(result)", core: "i32.const 2", trap: "invalid variant discriminant" },
];

const MEMORY_TRAPS: MemoryCase[] = [
  {
    name: "char in memory",
    type: "(tuple char u8)",
    bytes: () => [...u32(0xd800), 1, 0, 0, 0],
    trap: "invalid `char` bit pattern",
  },
  {
    name: "char in a list",
    type: "(list char)",
    bytes: (at) => [...u32(at + 8), ...u32(2), ...u32(0x41), ...u32(0x110000)],
    trap: "invalid `char` bit pattern",
  },
  {
    name: "variant discriminant",
    type: VARIANT,
    bytes: () => [4, ...zeros(15)],
    trap: "invalid variant discriminant",
  },
  {
    name: "option discriminant",
    type: "(option u32)",
    bytes: () => [2, ...zeros(7)],
    trap: "invalid variant discriminant",
  },
  {
    name: "result discriminant",
    type: "(result u32 (error string))",
    bytes: () => [2, ...zeros(11)],
    trap: "invalid variant discriminant",
  },
  {
    name: "enum discriminant in memory (2 bytes)",
    type: `(tuple ${ENUM300} u8)`,
    bytes: () => [...u16(300), 0, 0],
    trap: "invalid variant discriminant",
  },
  {
    name: "unaligned result pointer (string: 4)",
    type: "string",
    bytes: () => zeros(16),
    ret: (at) => at + 2,
    trap: "unaligned pointer",
  },
  {
    name: "unaligned result pointer (tuple<u64, u8>: 8)",
    type: "(tuple u64 u8)",
    bytes: () => zeros(16),
    ret: (at) => at + 4,
    trap: "unaligned pointer",
  },
  {
    name: "result pointer out of bounds (ends past the memory)",
    type: "string",
    bytes: () => [],
    ret: () => MEMORY_SIZE - 4,
    trap: "pointer out of bounds of memory",
  },
  {
    name: "result pointer out of bounds (negative i32: read as unsigned)",
    type: "string",
    bytes: () => [],
    ret: () => -8,
    trap: "pointer out of bounds of memory",
  },
  {
    name: "string out of bounds",
    type: "string",
    bytes: () => [...u32(MEMORY_SIZE - 16), ...u32(17)],
    trap: "string pointer/length out of bounds of memory",
  },
  {
    name: "string out of bounds (pointer near 2^32)",
    type: "string",
    bytes: () => [...u32(0xffff_ffff), ...u32(2)],
    trap: "string pointer/length out of bounds of memory",
  },
  {
    name: "string out of bounds (utf16: length in code units)",
    type: "string",
    enc: "utf16",
    bytes: () => [...u32(MEMORY_SIZE - 16), ...u32(9)],
    trap: "string pointer/length out of bounds of memory",
  },
  {
    name: "string longer than 2^31-1 bytes",
    type: "string",
    bytes: (at) => [...u32(at + 8), ...u32(0x8000_0000)],
    trap: "string content out-of-bounds: longer than 2^31-1 bytes",
  },
  {
    name: "string unaligned (utf16: 2)",
    type: "string",
    enc: "utf16",
    bytes: (at) => [...u32(at + 9), ...u32(1)],
    trap: "unaligned pointer (string pointer not aligned to 2)",
  },
  {
    name: "string unaligned (latin1+utf16: 2, even in the Latin-1 form)",
    type: "string",
    enc: "latin1+utf16",
    bytes: (at) => [...u32(at + 9), ...u32(1)],
    trap: "unaligned pointer (string pointer not aligned to 2)",
  },
  {
    name: "invalid utf-8 (bad continuation byte)",
    type: "string",
    bytes: (at) => [...u32(at + 8), ...u32(2), 0xc3, 0x28],
    trap: "invalid utf-8 sequence of 1 bytes from index 0",
  },
  {
    name: "invalid utf-8 (truncated sequence at the end)",
    type: "string",
    bytes: (at) => [...u32(at + 8), ...u32(4), 0x61, 0x62, 0xe2, 0x82],
    trap: "incomplete utf-8 byte sequence from index 2",
  },
  {
    name: "invalid utf-8 (third byte of three)",
    type: "string",
    bytes: (at) => [...u32(at + 8), ...u32(4), 0x61, 0xe2, 0x82, 0x28],
    trap: "invalid utf-8 sequence of 2 bytes from index 1",
  },
  {
    name: "invalid utf-8 (encoded surrogate)",
    type: "string",
    bytes: (at) => [...u32(at + 8), ...u32(3), 0xed, 0xa0, 0x80],
    trap: "invalid utf-8 sequence of 1 bytes from index 0",
  },
  {
    name: "invalid utf-8 (overlong encoding)",
    type: "string",
    bytes: (at) => [...u32(at + 8), ...u32(2), 0xc0, 0x80],
    trap: "invalid utf-8 sequence of 1 bytes from index 0",
  },
  {
    name: "invalid utf-16 (unpaired surrogate)",
    type: "string",
    enc: "utf16",
    bytes: (at) => [...u32(at + 8), ...u32(2), ...u16(0xd800), ...u16(0x41)],
    trap: "invalid utf-16: unpaired surrogate",
  },
  {
    name: "list out of bounds",
    type: "(list u32)",
    bytes: () => [...u32(MEMORY_SIZE - 16), ...u32(5)],
    trap: "list pointer/length out of bounds of memory",
  },
  {
    name: "list unaligned",
    type: "(list u32)",
    bytes: (at) => [...u32(at + 10), ...u32(1)],
    trap: "unaligned pointer",
  },
];

Deno.test("traps lifting results; the instance is poisoned afterwards", async (t) => {
  const c = await compile(await wat(liftComponent(FLAT_TRAPS, MEMORY_TRAPS)));
  const run = (name: string, trap: string) => {
    const e = fns(c.instantiate());
    assertTrap(() => e[name](), trap);
    assertTrap(() => e[name](), "cannot enter component instance");
    assertTrap(() => e["realloc-log"](), "cannot enter component instance");
    // another instance of the same component is not affected
    assert.deepEqual(fns(c.instantiate())["realloc-log"](), new Uint32Array());
  };
  for (const [k, fc] of FLAT_TRAPS.entries()) {
    const type = fc.type.length > 40 ? fc.type.slice(0, 37) + "..." : fc.type;
    await t.step(`${type} from (${fc.core}): ${fc.trap}`, () => run(`flat-${k}`, fc.trap!));
  }
  for (const [k, mc] of MEMORY_TRAPS.entries()) {
    await t.step(`${mc.name}: ${mc.trap}`, () => run(`mem-${k}`, mc.trap!));
  }
});

Deno.test("traps on what realloc returns when lowering parameters", async (t) => {
  const c = await compile(await wat(single(BYTES_OF, BYTES_FUNCS)));
  const cases: [string, number, string, unknown, string][] = [
    [
      "misaligned (list<u32>: 4)",
      HEAP + 2,
      "list-u32",
      [1],
      "unaligned pointer (realloc return: result not aligned)",
    ],
    [
      "misaligned (utf16: 2)",
      HEAP + 1,
      "utf16",
      "x",
      "unaligned pointer (realloc return: result not aligned)",
    ],
    [
      "beyond the end of memory",
      MEMORY_SIZE - 4,
      "list-u32",
      [1, 2],
      "realloc return: beyond end of memory",
    ],
    [
      "beyond the end of memory (utf8)",
      MEMORY_SIZE - 1,
      "utf8",
      "ab",
      "realloc return: beyond end of memory",
    ],
    [
      "a negative i32 (read as unsigned)",
      -4,
      "list-u32",
      [1],
      "realloc return: beyond end of memory",
    ],
  ];
  for (const [name, ret, fn, arg, trap] of cases) {
    await t.step(name, () => {
      const e = fns(c.instantiate());
      e["force-realloc"](ret >>> 0);
      assertTrap(() => e[fn](arg), trap);
      assertTrap(() => e[fn](arg), "cannot enter component instance");
    });
  }
  await t.step("an in-bounds block at the very end is fine", () => {
    const e = fns(c.instantiate());
    e["force-realloc"](MEMORY_SIZE - 8);
    assert.deepEqual(untyped(e["list-u32"]([1, 2])), [2, [...u32(1), ...u32(2)]]);
  });
});

Deno.test("JS arguments of the wrong shape are TypeErrors (the instance stays usable)", async (t) => {
  const types = [
    "u32",
    "u8",
    "s8",
    "u64",
    "s64",
    "bool",
    "f32",
    "char",
    "string",
    `(enum "red" "green")`,
    `(record (field "x" u32) (field "y-pos" string))`,
    `(variant (case "a") (case "b" u8))`,
    "(option (option u8))",
    "(result u8)",
    "(tuple u8 u8)",
    "(list u8 2)",
    "(list u8)",
    `(flags "a" "b")`,
  ];
  // each function takes a value of its type and discards it
  const funcs = types.map((ty, k) =>
    `(func (export "t${k}") (param "x" ${ty}) (canon lift (core func $i "w${k}") ${OPTS}))`
  );
  // the core side: one function per type with the right flat signature
  const flat: Record<string, string> = {
    u32: "i32",
    u8: "i32",
    s8: "i32",
    u64: "i64",
    s64: "i64",
    bool: "i32",
    f32: "f32",
    char: "i32",
    string: "i32 i32",
    [`(enum "red" "green")`]: "i32",
    [`(record (field "x" u32) (field "y-pos" string))`]: "i32 i32 i32",
    [`(variant (case "a") (case "b" u8))`]: "i32 i32",
    "(option (option u8))": "i32 i32 i32",
    "(result u8)": "i32 i32",
    "(tuple u8 u8)": "i32 i32",
    "(list u8 2)": "i32 i32",
    "(list u8)": "i32 i32",
    [`(flags "a" "b")`]: "i32",
  };
  const wrappers = types.map((ty, k) => `(func (export "w${k}") (param ${flat[ty]}))`);
  const c = await compile(await wat(single(wrappers.join("\n"), funcs.join("\n"))));
  const e = fns(c.instantiate());
  const f = (ty: string) => e[`t${types.indexOf(ty)}`];
  const cases: [string, unknown, string | RegExp][] = [
    ["u32", "5", 'expected a `u32` (an integer in 0..4294967295), got "5"'],
    ["u32", 1.5, "expected a `u32` (an integer in 0..4294967295), got 1.5"],
    ["u32", -1, "expected a `u32` (an integer in 0..4294967295), got -1"],
    ["u32", 5n, "expected a `u32` (an integer in 0..4294967295), got 5n"],
    ["u8", 256, "expected a `u8` (an integer in 0..255), got 256"],
    ["s8", 128, "expected a `s8` (an integer in -128..127), got 128"],
    ["u64", 1.5, "expected a `u64` (a bigint), got 1.5"],
    ["u64", 2 ** 60, `expected a \`u64\` (a bigint), got ${2 ** 60}`], // not a safe integer
    ["u64", -1n, "expected a `u64` in range, got -1n"],
    ["u64", 2n ** 64n, "expected a `u64` in range, got 18446744073709551616n"],
    ["s64", 2n ** 63n, "expected a `s64` in range, got 9223372036854775808n"],
    ["bool", 1, "expected a `bool`, got 1"],
    ["f32", "1", 'expected a `f32`, got "1"'],
    ["char", "ab", 'expected a `char` (one Unicode scalar value), got "ab"'],
    ["char", "", 'expected a `char` (one Unicode scalar value), got ""'],
    ["char", "\ud800", /^expected a `char` \(one Unicode scalar value\), got /],
    ["char", 65, "expected a `char` (a one-character string), got 65"],
    ["string", 5, "expected a `string`, got 5"],
    [`(enum "red" "green")`, "blue", 'expected one of "red", "green", got "blue"'],
    [`(enum "red" "green")`, 0, 'expected one of "red", "green", got 0'],
    [
      `(record (field "x" u32) (field "y-pos" string))`,
      { x: 1 },
      "expected a `string`, got undefined",
    ],
    [
      `(record (field "x" u32) (field "y-pos" string))`,
      { x: 1, y_pos: "a" },
      "expected a `string`, got undefined",
    ],
    [
      `(record (field "x" u32) (field "y-pos" string))`,
      [1, "a"],
      "expected an object, got an array",
    ],
    [`(record (field "x" u32) (field "y-pos" string))`, null, "expected an object, got null"],
    [
      `(variant (case "a") (case "b" u8))`,
      { tag: "c" },
      'expected { tag, val } with a tag of "a", "b", got an object',
    ],
    [
      `(variant (case "a") (case "b" u8))`,
      "a",
      'expected { tag, val } with a tag of "a", "b", got "a"',
    ],
    [
      `(variant (case "a") (case "b" u8))`,
      { tag: "b", val: 300 },
      "expected a `u8` (an integer in 0..255), got 300",
    ],
    [
      "(option (option u8))",
      5,
      /^expected `undefined` or `\{ tag: "some", val \}` \(a nested option\), got 5$/,
    ],
    ["(result u8)", { tag: "maybe" }, /^expected `\{ tag: "ok" \| "err", val \}`, got an object$/],
    ["(result u8)", undefined, /^expected `\{ tag: "ok" \| "err", val \}`, got undefined$/],
    ["(tuple u8 u8)", [1], "expected an array of 2 elements, got an array"],
    ["(list u8 2)", [1, 2, 3], "expected an array of 2 elements, got an array"],
    ["(list u8)", "abc", 'expected an array or a typed array, got "abc"'],
    [`(flags "a" "b")`, 3, "expected an object of booleans, got 3"],
  ];
  for (const [ty, v, message] of cases) {
    await t.step(`${ty} given ${Deno.inspect(v)}`, () => assertTypeError(() => f(ty)(v), message));
  }
  await t.step("the wrong number of arguments", () => {
    assertTypeError(() => f("u32")(), "expected 1 arguments, got 0");
    assertTypeError(() => f("u32")(1, 2), "expected 1 arguments, got 2");
  });
  await t.step("after all these, the instance is not poisoned", () => {
    assert.equal(f("u32")(5), undefined);
    assert.equal(f("string")("ok"), undefined);
  });
});

const LEAVE_ENTER = `(component
  (import "hook" (func $hook))
  (import "cb" (func $cb (param "n" u32) (result u32)))
  (import "name" (func $name (result string)))
  (core func $hook-l (canon lower (func $hook)))
  (core func $cb-l (canon lower (func $cb)))
  (core module $m
    (import "host" "hook" (func $hook))
    (import "host" "cb" (func $cb (param i32) (result i32)))
    (memory (export "mem") 1)
    ;; a realloc that calls out of the component instance
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (call $hook) (i32.const 0x100))
    (func (export "f") (result i32) (i32.const 7))
    ;; a post-return that calls out of the component instance
    (func (export "f-post") (param i32) (call $hook))
    (func (export "take") (param i32 i32))
    (func (export "hook") (call $hook))
    (func (export "call-cb") (param i32) (result i32) (call $cb (local.get 0)))
    (func (export "boom") (unreachable))
    (func (export "id") (param i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m
    (with "host" (instance (export "hook" (func $hook-l)) (export "cb" (func $cb-l))))))
  (core func $name-l (canon lower (func $name)
    (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (core module $n
    (import "host" "name" (func $name (param i32)))
    (func (export "get-name") (result i32) (call $name (i32.const 0x200)) (i32.const 0x200)))
  (core instance $n (instantiate $n (with "host" (instance (export "name" (func $name-l))))))
  (func (export "f") (result u32) (canon lift (core func $i "f") (post-return (core func $i "f-post"))))
  (func (export "take") (param "s" string)
    (canon lift (core func $i "take") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (func (export "get-name") (result string)
    (canon lift (core func $n "get-name") (memory (core memory $i "mem"))))
  (func (export "hook") (canon lift (core func $i "hook")))
  (func (export "call-cb") (param "n" u32) (result u32) (canon lift (core func $i "call-cb")))
  (func (export "boom") (canon lift (core func $i "boom")))
  (func (export "id") (param "n" u32) (result u32) (canon lift (core func $i "id"))))`;

Deno.test("traps leaving and entering a component instance", async (t) => {
  const c = await compile(await wat(LEAVE_ENTER));
  /** An instance whose imports count their calls; `cb` runs `onCb` with the exports. */
  const make = (onCb: (e: Fns, n: number) => number = () => 0) => {
    const calls = { hook: 0, name: 0, cb: 0 };
    let e: Fns = {};
    e = fns(c.instantiate({
      hook: () => void calls.hook++,
      name: () => (calls.name++, "x"),
      cb: (n: number) => (calls.cb++, onCb(e, n)),
    }));
    return { e, calls };
  };

  await t.step("an export's core code may call a host import", () => {
    const { e, calls } = make();
    assert.equal(e.hook(), undefined);
    assert.equal(e.hook(), undefined);
    assert.equal(calls.hook, 2);
  });

  await t.step("a post-return calling a host import: cannot leave component instance", () => {
    const { e, calls } = make();
    assertTrap(() => e.f(), "cannot leave component instance");
    assert.equal(calls.hook, 0);
    assertTrap(() => e.id(1), "cannot enter component instance");
  });

  await t.step("realloc calling a host import while parameters are lowered: cannot leave", () => {
    const { e, calls } = make();
    assertTrap(() => e.take("abc"), "cannot leave component instance");
    assert.equal(calls.hook, 0);
    assertTrap(() => e.id(1), "cannot enter component instance");
  });

  await t.step("realloc calling a host import while a host result is lowered: cannot leave", () => {
    const { e, calls } = make();
    assertTrap(() => e["get-name"](), "cannot leave component instance");
    assert.deepEqual(calls, { hook: 0, name: 1, cb: 0 });
    assertTrap(() => e.id(1), "cannot enter component instance");
  });

  await t.step("a host import re-entering its caller: cannot enter component instance", () => {
    const { e, calls } = make((e, n) => e.id(n) as number);
    assertTrap(() => e["call-cb"](1), "cannot enter component instance");
    assert.equal(calls.cb, 1);
    // the trap went through the outer call, which poisoned the instance
    assertTrap(() => e.id(1), "cannot enter component instance");
  });

  await t.step("... and when the host catches that trap, the outer call goes on", () => {
    const seen: string[] = [];
    const { e } = make((e, n) => {
      try {
        e.hook();
      } catch (x) {
        seen.push((x as Error).message);
      }
      return n * 2;
    });
    assert.equal(e["call-cb"](21), 42);
    assert.deepEqual(seen, ["cannot enter component instance"]);
    assert.equal(e.id(5), 5);
  });

  await t.step("an export called after a core trap: the instance is poisoned", () => {
    const { e } = make();
    assert.throws(() => e.boom(), WebAssembly.RuntimeError);
    assertTrap(() => e.id(1), "cannot enter component instance");
    assertTrap(() => e.boom(), "cannot enter component instance");
    // instances are poisoned one by one
    assert.equal(make().e.id(9), 9);
  });
});

// ---------------------------------------------------------------------------
// 5. post-return

Deno.test("post-return runs after the results are read and gets the raw core results", async (t) => {
  const core = `
    ${data(0x100, [...u32(0x108), ...u32(5), ...utf8("hello")])}
    (global $count (mut i32) (i32.const 0))
    (global $arg (mut i32) (i32.const 0))
    (global $arg64 (mut i64) (i64.const 0))
    (func $count (global.set $count (i32.add (global.get $count) (i32.const 1))))
    (func (export "greet") (result i32) (i32.const 0x100))
    ;; clobbers the string the result points to with "X"s
    (func (export "greet-post") (param $p i32)
      (call $count)
      (global.set $arg (local.get $p))
      (memory.fill (i32.load (local.get $p)) (i32.const 0x58) (i32.load offset=4 (local.get $p))))
    (func (export "num") (result i64) (i64.const -7))
    (func (export "num-post") (param i64) (call $count) (global.set $arg64 (local.get 0)))
    (func (export "nothing"))
    (func (export "nothing-post") (call $count))
    (func (export "one") (result i32) (i32.const 1))
    (func (export "trap-post") (param i32) (unreachable))
    (func (export "info") (result i32)
      (i32.store (i32.const 0xc000) (global.get $count))
      (i32.store (i32.const 0xc004) (global.get $arg))
      (i64.store (i32.const 0xc008) (global.get $arg64))
      (i32.const 0xc000))`;
  const funcs = `
    (func (export "greet") (result string)
      (canon lift (core func $i "greet") ${OPTS} (post-return (core func $i "greet-post"))))
    (func (export "num") (result s64)
      (canon lift (core func $i "num") (post-return (core func $i "num-post"))))
    (func (export "nothing")
      (canon lift (core func $i "nothing") (post-return (core func $i "nothing-post"))))
    (func (export "bad") (result u32)
      (canon lift (core func $i "one") (post-return (core func $i "trap-post"))))
    (func (export "info") (result (tuple u32 u32 s64)) (canon lift (core func $i "info") ${OPTS}))`;
  const c = await compile(await wat(single(core, funcs)));

  await t.step("a string result is read before post-return clobbers it", () => {
    const e = fns(c.instantiate());
    assert.equal(e.greet(), "hello");
    assert.deepEqual(e.info(), [1, 0x100, 0n]);
    // the memory was clobbered: the next call reads what post-return left
    assert.equal(e.greet(), "XXXXX");
    assert.deepEqual(e.info(), [2, 0x100, 0n]);
  });

  await t.step("a flat i64 result is passed to post-return", () => {
    const e = fns(c.instantiate());
    assert.equal(e.num(), -7n);
    assert.deepEqual(e.info(), [1, 0, -7n]);
  });

  await t.step("no results: post-return gets no arguments", () => {
    const e = fns(c.instantiate());
    assert.equal(e.nothing(), undefined);
    assert.equal(e.nothing(), undefined);
    assert.deepEqual(e.info(), [2, 0, 0n]);
  });

  await t.step("a post-return that traps poisons the instance", () => {
    const e = fns(c.instantiate());
    assert.throws(() => e.bad(), WebAssembly.RuntimeError);
    assertTrap(() => e.info(), "cannot enter component instance");
  });
});

// ---------------------------------------------------------------------------
// 6. start functions

const STARTS = `(component
  (import "record" (func $rec (param "n" u32)))
  (core func $rec-l (canon lower (func $rec)))
  (core instance $h (export "rec" (func $rec-l)))
  (core module $a (import "h" "rec" (func $r (param i32))) (func $s (call $r (i32.const 1))) (start $s))
  (core module $b (import "h" "rec" (func $r (param i32))) (func $s (call $r (i32.const 2))) (start $s))
  (core module $c (import "h" "rec" (func $r (param i32))) (func $s (call $r (i32.const 3))) (start $s))
  (component $inner
    (import "record" (func $rec (param "n" u32)))
    (core func $rec-l (canon lower (func $rec)))
    (core module $d (import "h" "rec" (func $r (param i32))) (func $s (call $r (i32.const 4))) (start $s))
    (core instance (instantiate $d (with "h" (instance (export "rec" (func $rec-l)))))))
  (core instance (instantiate $b (with "h" (instance $h))))
  (core instance (instantiate $a (with "h" (instance $h))))
  (instance (instantiate $inner (with "record" (func $rec))))
  (core instance (instantiate $c (with "h" (instance $h)))))`;

const START_TRAPS = `(component
  (import "code" (func $code (result u32)))
  (import "record" (func $rec (param "c" char)))
  (core func $code-l (canon lower (func $code)))
  (core func $rec-l (canon lower (func $rec)))
  (core module $m
    (import "h" "code" (func $code (result i32)))
    (import "h" "rec" (func $rec (param i32)))
    (func $s
      ;; a code of 0 means: trap in core wasm
      (if (i32.eqz (call $code)) (then unreachable))
      (call $rec (call $code)))
    (start $s)
    (func (export "ok") (result i32) (i32.const 1)))
  (core instance $i (instantiate $m
    (with "h" (instance (export "code" (func $code-l)) (export "rec" (func $rec-l))))))
  (func (export "ok") (result u32) (canon lift (core func $i "ok"))))`;

Deno.test("start functions run in order during instantiation", async (t) => {
  const c = await compile(await wat(STARTS));
  await t.step("in the order the component instantiates the core modules", () => {
    const order: number[] = [];
    const i = c.instantiate({ record: (n: number) => void order.push(n) });
    assert.deepEqual(order, [2, 1, 4, 3]);
    assert.deepEqual(Object.keys(i.exports), []);
  });
  await t.step("again, for every instantiation", () => {
    const order: number[] = [];
    c.instantiate({ record: (n: number) => void order.push(n) });
    c.instantiate({ record: (n: number) => void order.push(10 + n) });
    assert.deepEqual(order, [2, 1, 4, 3, 12, 11, 14, 13]);
  });
});

Deno.test("a trap or an error during instantiation rejects with it", async (t) => {
  const bytes = await wat(START_TRAPS);
  await t.step("start succeeds: the host import gets the value", async () => {
    const got: string[] = [];
    const i = await instantiate(bytes, {
      code: () => 0x1f600,
      record: (c: string) => void got.push(c),
    });
    assert.deepEqual(got, ["😀"]);
    assert.equal(fns(i).ok(), 1);
  });
  await t.step("a core trap (unreachable)", async () => {
    await assert.rejects(
      instantiate(bytes, { code: () => 0, record: () => {} }),
      WebAssembly.RuntimeError,
    );
  });
  await t.step("a Canonical ABI trap: an invalid char passed to a host import", async () => {
    const got: string[] = [];
    await assert.rejects(
      instantiate(bytes, { code: () => 0xd800, record: (c: string) => void got.push(c) }),
      (e: unknown) => {
        assert.ok(e instanceof Trap);
        assert.equal(e.message, "invalid `char` bit pattern");
        return true;
      },
    );
    assert.deepEqual(got, []);
  });
  await t.step("an error thrown by a host import", async () => {
    const boom = new RangeError("nope");
    await assert.rejects(
      instantiate(bytes, {
        code: () => 0x41,
        record: () => {
          throw boom;
        },
      }),
      (e) => e === boom,
    );
  });
  await t.step("Component.instantiate() throws synchronously, and can be retried", async () => {
    const c = await compile(bytes);
    assertTrap(
      () => c.instantiate({ code: () => 0x110000, record: () => {} }),
      "invalid `char` bit pattern",
    );
    assert.equal(fns(c.instantiate({ code: () => 0x41, record: () => {} })).ok(), 1);
  });
});

// ---------------------------------------------------------------------------
// 7. independent instances

Deno.test("a component compiled once and instantiated twice has independent state", async () => {
  const bytes = await wat(`(component
    (import "hook" (func $hook (param "n" u32)))
    (core func $hook-l (canon lower (func $hook)))
    (core module $m
      (import "h" "hook" (func $hook (param i32)))
      (global $n (mut i32) (i32.const 0))
      (func (export "inc") (result i32)
        (global.set $n (i32.add (global.get $n) (i32.const 1)))
        (call $hook (global.get $n))
        (global.get $n)))
    (core instance $i (instantiate $m (with "h" (instance (export "hook" (func $hook-l))))))
    (func (export "inc") (result u32) (canon lift (core func $i "inc"))))`);
  const c = await compile(bytes);
  const seenA: number[] = [];
  const seenB: number[] = [];
  const a = fns(c.instantiate({ hook: (n: number) => void seenA.push(n) }));
  const b = fns(c.instantiate({ hook: (n: number) => void seenB.push(n) }));
  assert.notEqual(a.inc, b.inc);
  assert.equal(a.inc(), 1);
  assert.equal(a.inc(), 2);
  assert.equal(b.inc(), 1);
  assert.equal(a.inc(), 3);
  assert.equal(b.inc(), 2);
  // each instance calls its own host imports
  assert.deepEqual(seenA, [1, 2, 3]);
  assert.deepEqual(seenB, [1, 2]);
  // instantiate() compiles again: a third, fresh instance
  const d = fns(await instantiate(bytes, { hook: () => {} }));
  assert.equal(d.inc(), 1);
});

// ---------------------------------------------------------------------------
// 8. composed components: values crossing a fused adapter

const CPOINT = `(record (field "x" s32) (field "y-coord" s32))`;
const CSHAPE = `(variant (case "none") (case "small" u8) (case "big" u64) (case "ratio" f32))`;
const CPERM = `(flags "read" "write" "exec-all")`;
const CCOLOR = `(enum "red" "green" "blue")`;
const CTUPLE = `(tuple u8 s64 f64 char bool)`;
const CSIGS: Record<string, string> = {
  swap: `(param "p" ${CPOINT}) (result ${CPOINT})`,
  scalars: `(param "a" u8) (param "b" s64) (param "c" f64) (param "d" char) (param "e" bool)
    (result ${CTUPLE})`,
  next: `(param "v" ${CSHAPE}) (result ${CSHAPE})`,
  toggle: `(param "f" ${CPERM}) (result ${CPERM})`,
  "all-flags": `(param "f" ${FLAGS32}) (result (tuple ${FLAGS32} ${CPERM}))`,
  opt: `(param "x" (option u32)) (result (option u32))`,
  rotate: `(param "c" ${CCOLOR}) (result ${CCOLOR})`,
  check: `(param "x" s32) (result (result u32 (error u8)))`,
  "bad-enum": `(param "n" u32) (result (enum "a" "b" "c"))`,
};
/** Name, whether the result goes through memory, core parameters. */
const CCORE: [string, boolean, string][] = [
  ["swap", true, "i32 i32"],
  ["scalars", true, "i32 i64 f64 i32 i32"],
  ["next", true, "i32 i64"],
  ["toggle", false, "i32"],
  ["all-flags", true, "i32"],
  ["opt", true, "i32 i32"],
  ["rotate", false, "i32"],
  ["check", true, "i32"],
  ["bad-enum", false, "i32"],
];

const COMPOSED = `(component
  (component $callee
    (core module $m
      (memory (export "mem") 1)
      (func (export "swap") (param i32 i32) (result i32)
        (i32.store (i32.const 16) (local.get 1))
        (i32.store (i32.const 20) (local.get 0))
        (i32.const 16))
      (func (export "scalars") (param i32 i64 f64 i32 i32) (result i32)
        (i32.store8 (i32.const 0x100) (local.get 0))
        (i64.store (i32.const 0x108) (local.get 1))
        (f64.store (i32.const 0x110) (local.get 2))
        (i32.store (i32.const 0x118) (local.get 3))
        (i32.store8 (i32.const 0x11c) (local.get 4))
        (i32.const 0x100))
      ;; small: n + 1 (as u8), big: n + 1, ratio: r * 2
      (func (export "next") (param $d i32) (param $p i64) (result i32)
        (i32.store8 (i32.const 0x200) (local.get $d))
        (block $done
          (br_if $done (i32.eqz (local.get $d)))
          (if (i32.eq (local.get $d) (i32.const 1)) (then
            (i32.store8 (i32.const 0x208) (i32.add (i32.wrap_i64 (local.get $p)) (i32.const 1)))
            (br $done)))
          (if (i32.eq (local.get $d) (i32.const 2)) (then
            (i64.store (i32.const 0x208) (i64.add (local.get $p) (i64.const 1)))
            (br $done)))
          (f32.store (i32.const 0x208)
            (f32.mul (f32.reinterpret_i32 (i32.wrap_i64 (local.get $p))) (f32.const 2))))
        (i32.const 0x200))
      (func (export "toggle") (param i32) (result i32) (i32.xor (local.get 0) (i32.const 7)))
      ;; (all 32 flags inverted, the low 3 bits as the small flags)
      (func (export "all-flags") (param i32) (result i32)
        (i32.store (i32.const 0x300) (i32.xor (local.get 0) (i32.const -1)))
        (i32.store8 (i32.const 0x304) (i32.and (local.get 0) (i32.const 7)))
        (i32.const 0x300))
      (func (export "opt") (param $d i32) (param $v i32) (result i32)
        (i32.store8 (i32.const 0x400) (local.get $d))
        (i32.store (i32.const 0x404) (i32.add (local.get $v) (i32.const 1)))
        (i32.const 0x400))
      (func (export "rotate") (param i32) (result i32)
        (i32.rem_u (i32.add (local.get 0) (i32.const 1)) (i32.const 3)))
      (func (export "check") (param i32) (result i32)
        (if (i32.ge_s (local.get 0) (i32.const 0))
          (then (i32.store8 (i32.const 0x500) (i32.const 0)) (i32.store (i32.const 0x504) (local.get 0)))
          (else (i32.store8 (i32.const 0x500) (i32.const 1)) (i32.store8 (i32.const 0x504) (i32.const 42))))
        (i32.const 0x500))
      ;; returns its parameter as an enum: 3 and above are invalid
      (func (export "bad-enum") (param i32) (result i32) (local.get 0)))
    (core instance $i (instantiate $m))
    ${
  CCORE.map(([n, mem]) =>
    `(func (export "${n}") ${CSIGS[n]}
      (canon lift (core func $i "${n}") ${mem ? `(memory (core memory $i "mem"))` : ""}))`
  ).join("\n    ")
})

  (component $caller
    ${CCORE.map(([n]) => `(import "${n}" (func $${n} ${CSIGS[n]}))`).join("\n    ")}
    (core module $libc (memory (export "mem") 1))
    (core instance $libc (instantiate $libc))
    ${
  CCORE.map(([n, mem]) =>
    `(core func $${n}-l (canon lower (func $${n}) ${
      mem ? `(memory (core memory $libc "mem"))` : ""
    }))`
  ).join("\n    ")
}
    (core module $main
      (import "libc" "mem" (memory 1))
      ${
  CCORE.map(([n, mem, ps]) =>
    `(import "i" "${n}" (func $${n} (param ${ps}${mem ? " i32" : ""})${
      mem ? "" : " (result i32)"
    }))`
  ).join("\n      ")
}
      ;; each export forwards its core parameters; results through memory land at 0x800 + 0x40 * k
      ${
  CCORE.map(([n, mem, ps], k) => {
    const args = ps.split(" ").map((_, j) => `(local.get ${j})`).join(" ");
    return mem
      ? `(func (export "${n}") (param ${ps}) (result i32)
          (call $${n} ${args} (i32.const ${0x800 + 0x40 * k})) (i32.const ${0x800 + 0x40 * k}))`
      : `(func (export "${n}") (param ${ps}) (result i32) (call $${n} ${args}))`;
  }).join("\n      ")
})
    (core instance $main (instantiate $main
      (with "libc" (instance $libc))
      (with "i" (instance ${CCORE.map(([n]) => `(export "${n}" (func $${n}-l))`).join(" ")}))))
    ${
  CCORE.map(([n, mem]) =>
    `(func (export "${n}") ${CSIGS[n]}
      (canon lift (core func $main "${n}") ${mem ? `(memory (core memory $libc "mem"))` : ""}))`
  ).join("\n    ")
})

  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller
    ${CCORE.map(([n]) => `(with "${n}" (func $callee "${n}"))`).join("\n    ")}))
  ${CCORE.map(([n]) => `(export "${n}" (func $caller "${n}"))`).join("\n  ")})`;

Deno.test("composed components: values cross a fused adapter between host calls", async (t) => {
  const c = await compile(await wat(COMPOSED));
  // every call from the caller to the callee goes through an adapter
  assert.equal(c.translation.dfg.adapters.length, CCORE.length);
  assert.ok(c.translation.adapterModules.length >= 1);
  const e = fns(c.instantiate());

  await t.step("record (flat in, through memory out)", () => {
    assert.deepEqual(e.swap({ x: 1, yCoord: -2 }), { x: -2, yCoord: 1 });
    assert.deepEqual(e.swap({ x: 2147483647, yCoord: -2147483648 }), {
      x: -2147483648,
      yCoord: 2147483647,
    });
  });

  await t.step("scalars: u8, s64, f64, char, bool", () => {
    assert.deepEqual(e.scalars(200, -5n, 2.5, "😀", true), [200, -5n, 2.5, "😀", true]);
    assert.deepEqual(e.scalars(0, -(2n ** 63n), -0, "\0", false), [
      0,
      -(2n ** 63n),
      -0,
      "\0",
      false,
    ]);
  });

  await t.step("variant: every case, payloads in the joined i64 slot", () => {
    assert.deepEqual(e.next({ tag: "none" }), { tag: "none" });
    assert.deepEqual(e.next({ tag: "small", val: 41 }), { tag: "small", val: 42 });
    assert.deepEqual(e.next({ tag: "small", val: 255 }), { tag: "small", val: 0 });
    assert.deepEqual(e.next({ tag: "big", val: 41n }), { tag: "big", val: 42n });
    assert.deepEqual(e.next({ tag: "big", val: 2n ** 64n - 1n }), { tag: "big", val: 0n });
    assert.deepEqual(e.next({ tag: "ratio", val: 1.25 }), { tag: "ratio", val: 2.5 });
  });

  await t.step("flags (flat) and flags of 32 (through memory)", () => {
    assert.deepEqual(e.toggle({ read: true }), { read: false, write: true, execAll: true });
    // undefined and null are no flag set, as jco has it (preview2-shim returns them)
    assert.deepEqual(e.toggle(undefined), { read: true, write: true, execAll: true });
    assert.deepEqual(e.toggle(null), { read: true, write: true, execAll: true });
    assert.deepEqual(e.toggle({ read: true, write: true, execAll: true }), {
      read: false,
      write: false,
      execAll: false,
    });
    assert.deepEqual(e["all-flags"](flagsObject(flag32Names, [0, 2, 31])), [
      flagsObject(flag32Names, flag32Names.map((_, i) => i).filter((i) => ![0, 2, 31].includes(i))),
      { read: true, write: false, execAll: true },
    ]);
  });

  await t.step("option, enum and result", () => {
    assert.equal(e.opt(undefined), undefined);
    assert.equal(e.opt(41), 42);
    assert.equal(e.opt(0xffff_ffff), 0);
    assert.equal(e.rotate("red"), "green");
    assert.equal(e.rotate("blue"), "red");
    // a top-level result: the ok value, or a ComponentError carrying the error (jco's convention)
    assert.equal(e.check(7), 7);
    assert.throws(() => e.check(-1), (x) => x instanceof ComponentError && x.payload === 42);
  });

  await t.step("an adapter trap (the callee returns an invalid enum) poisons the caller", () => {
    const e = fns(c.instantiate());
    assert.equal(e["bad-enum"](2), "c");
    assert.throws(() => e["bad-enum"](3), (x: unknown) => {
      assert.ok(x instanceof Trap);
      assert.equal(x.message, "invalid variant discriminant");
      assert.equal(typeof x.code, "number");
      return true;
    });
    assertTrap(() => e.swap({ x: 0, yCoord: 0 }), "cannot enter component instance");
  });
});

Deno.test("composed components: a string crosses an adapter into the callee's memory", async () => {
  const bytes = await wat(`(component
    (component $callee
      (core module $m
        (memory (export "mem") 1)
        (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0x100))
        (func (export "len") (param i32 i32) (result i32) (local.get 1)))
      (core instance $i (instantiate $m))
      (func (export "len") (param "s" string) (result u32)
        (canon lift (core func $i "len") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))
    (component $caller
      (import "len" (func $len (param "s" string) (result u32)))
      (core module $libc (memory (export "mem") 1))
      (core instance $libc (instantiate $libc))
      (core func $len-l (canon lower (func $len) (memory (core memory $libc "mem"))))
      (core module $main
        (import "i" "len" (func $len (param i32 i32) (result i32)))
        (func (export "run") (result i32) (call $len (i32.const 0) (i32.const 3))))
      (core instance $main (instantiate $main (with "i" (instance (export "len" (func $len-l))))))
      (func (export "run") (result u32) (canon lift (core func $main "run"))))
    (instance $callee (instantiate $callee))
    (instance $caller (instantiate $caller (with "len" (func $callee "len"))))
    (export "run" (func $caller "run")))`);
  // three NUL bytes from the caller's memory arrive as a 3-byte string
  const { exports } = await instantiate(bytes);
  assert.equal((exports.run as () => number)(), 3);
});

// ---------------------------------------------------------------------------
// 9. exports of every kind

Deno.test("exported instances become nested objects; other exports as documented", async () => {
  const echo = (x: number) => x + 1;
  const { exports } = await instantiate(
    await wat(`(component
      (import "echo" (func $echo (param "x" u32) (result u32)))
      (core module $m
        (func (export "f") (result i32) (i32.const 1))
        (func (export "g") (result i32) (i32.const 2))
        (func (export "h")))
      (core instance $i (instantiate $m))
      (func $f (result u32) (canon lift (core func $i "f")))
      (func $g (result u32) (canon lift (core func $i "g")))
      (func $h (canon lift (core func $i "h")))
      (instance $inner (export "g" (func $g)))
      (instance $api (export "f" (func $f)) (export "nested" (instance $inner)) (export "echo" (func $echo)))
      (export "api" (instance $api))
      (export "h" (func $h))
      (export "echo-again" (func $echo))
      (core module $exported (func (export "answer") (result i32) (i32.const 42)))
      (export "m" (core module $exported))
      (type $t (record (field "a" u8)))
      (export "t" (type $t)))`),
    { echo },
  );
  assert.deepEqual(Object.keys(exports).sort(), ["api", "echo-again", "h", "m", "t"]);
  const api = exports.api as {
    f: ComponentFunction;
    nested: { g: ComponentFunction };
    echo: unknown;
  };
  assert.deepEqual(Object.keys(api).sort(), ["echo", "f", "nested"]);
  assert.equal(api.f(), 1);
  assert.equal(api.nested.g(), 2);
  assert.equal((exports.h as ComponentFunction)(), undefined);
  // a re-exported host import is the host's own function
  assert.equal(exports["echo-again"], echo);
  assert.equal(api.echo, echo);
  // an exported core module, ready for the engine
  assert.ok(exports.m instanceof WebAssembly.Module);
  const m = new WebAssembly.Instance(exports.m).exports as { answer: () => number };
  assert.equal(m.answer(), 42);
  const ty = exports.t as { kind: string; type: unknown };
  assert.equal(ty.kind, "type");
  assert.ok(ty.type !== undefined);
});

Deno.test("an imported core module is instantiated from the WebAssembly.Module given", async (t) => {
  const bytes = await wat(`(component
    (import "m" (core module $m (export "f" (func (result i32)))))
    (core instance $i (instantiate $m))
    (func (export "f") (result s32) (canon lift (core func $i "f"))))`);
  const c = await compile(bytes);
  await t.step("a module", async () => {
    const m = new WebAssembly.Module(
      await wat(`(module (func (export "f") (result i32) (i32.const -42)))`) as BufferSource,
    );
    assert.equal(fns(c.instantiate({ m })).f(), -42);
  });
  await t.step("not a module: LinkError", () => {
    assert.throws(() => c.instantiate({ m: {} }), (e: unknown) => {
      assert.ok(e instanceof LinkError);
      assert.equal(e.message, "import `m` is not a WebAssembly.Module: it is an object");
      return true;
    });
  });
});

// ---------------------------------------------------------------------------
// memory64

Deno.test("memory64: 64-bit pointers and lengths, realloc with i64 parameters", async () => {
  const bytes = await wat(`(component
    (import "upper" (func $upper (param "s" string) (result string)))
    (core module $libc
      (memory (export "mem") i64 1)
      (global $heap (mut i64) (i64.const 0x8000))
      (func (export "realloc") (param i64 i64 i64 i64) (result i64)
        (local $p i64)
        ;; the last call's alignment and size, at 0x100
        (i64.store (i64.const 0x100) (local.get 2))
        (i64.store (i64.const 0x108) (local.get 3))
        (local.set $p (i64.and (i64.add (global.get $heap) (i64.sub (local.get 2) (i64.const 1)))
          (i64.sub (i64.const 0) (local.get 2))))
        (global.set $heap (i64.add (local.get $p) (local.get 3)))
        (local.get $p)))
    (core instance $libc (instantiate $libc))
    (core func $upper-l (canon lower (func $upper)
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
    (core module $main
      (import "libc" "mem" (memory i64 1))
      (import "host" "upper" (func $upper (param i64 i64 i64)))
      (data (i64.const 0x410) "\\01\\00\\02\\00\\ff\\ff")
      (func (export "echo") (param i64 i64) (result i64)
        (i64.store (i64.const 0x300) (local.get 0))
        (i64.store (i64.const 0x308) (local.get 1))
        (i64.const 0x300))
      (func (export "shout") (param i64 i64) (result i64)
        (call $upper (local.get 0) (local.get 1) (i64.const 0x310))
        (i64.const 0x310))
      (func (export "last-realloc") (result i64) (i64.const 0x100))
      (func (export "halves") (result i64)
        (i64.store (i64.const 0x400) (i64.const 0x410))
        (i64.store (i64.const 0x408) (i64.const 3))
        (i64.const 0x400)))
    (core instance $main (instantiate $main
      (with "libc" (instance $libc)) (with "host" (instance (export "upper" (func $upper-l))))))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $main "echo")
        (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
    (func (export "shout") (param "s" string) (result string)
      (canon lift (core func $main "shout")
        (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
    (func (export "last-realloc") (result (tuple u64 u64))
      (canon lift (core func $main "last-realloc") (memory (core memory $libc "mem"))))
    (func (export "halves") (result (list u16))
      (canon lift (core func $main "halves") (memory (core memory $libc "mem")))))`);
  const got: string[] = [];
  const e = fns(
    await instantiate(bytes, {
      upper: (s: string) => (got.push(s), s.toUpperCase()),
    }),
  );
  assert.equal(e.echo("héllo"), "héllo");
  assert.deepEqual(e["last-realloc"](), [1n, 6n]);
  assert.equal(e.shout("abç"), "ABÇ");
  assert.deepEqual(got, ["abç"]);
  assert.deepEqual(e["last-realloc"](), [1n, 4n]); // the host's result
  assert.deepEqual(e.halves(), new Uint16Array([1, 2, 65535]));
});
