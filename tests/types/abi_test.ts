/**
 * Canonical ABI layout (lib/types/abi.ts): flattening, element size and
 * alignment of every value type, discriminant widths, and the flattened
 * signatures of function types for `canon lift` and `canon lower`.
 *
 * Every expected value is computed by hand from CanonicalABI.md
 * ("Alignment", "Element Size", "Flattening"); the comment on each row gives
 * the reasoning. Flags with more than 32 names follow Wasmtime (the spec
 * caps flags at 32): as many 32-bit words as needed, aligned to 4.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  alignment,
  containsMemoryValues,
  discriminantSize,
  elemSize,
  flagsWords,
  flattenFuncType,
  flattenType,
  type FlatType,
  MAX_FLAT_PARAMS,
  MAX_FLAT_RESULTS,
} from "../../lib/types/abi.ts";
import type { InterfaceType, TypeFunc, TypeResource, TypeVariant } from "../../lib/types/model.ts";

// ---------------------------------------------------------------------------
// Type builders

const record = (...fields: [string, InterfaceType][]): InterfaceType => ({
  kind: "record",
  fields: fields.map(([name, type]) => ({ name, type })),
});
const variant = (...cases: [string, InterfaceType?][]): TypeVariant => ({
  kind: "variant",
  cases: cases.map(([name, type]) => type === undefined ? { name } : { name, type }),
});
const tuple = (...types: InterfaceType[]): InterfaceType => ({ kind: "tuple", types });
const list = (element: InterfaceType, length?: number): InterfaceType =>
  length === undefined ? { kind: "list", element } : { kind: "list", element, length };
const option = (type: InterfaceType): InterfaceType => ({ kind: "option", type });
const result = (ok?: InterfaceType, err?: InterfaceType): InterfaceType => ({
  kind: "result",
  ...(ok === undefined ? {} : { ok }),
  ...(err === undefined ? {} : { err }),
});
const labels = (n: number, prefix = "l"): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const flags = (n: number): InterfaceType => ({ kind: "flags", names: labels(n) });
const enumOf = (n: number): InterfaceType => ({ kind: "enum", names: labels(n) });
/** A variant of `n` cases, the first with `payload` (if given), the rest without. */
const bigVariant = (n: number, payload?: InterfaceType): InterfaceType =>
  variant(
    ...labels(n, "c").map((c, i): [string, InterfaceType?] => [
      c,
      i === 0 ? payload : undefined,
    ]),
  );
const resource: TypeResource = { kind: "resource", id: 0, origin: "defined", name: "r" };
const repeat = <const T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);

/** One row: a type and its layout with 32-bit (or, with `ptr: "i64"`, 64-bit) memory. */
interface Row {
  readonly name: string;
  readonly type: InterfaceType;
  readonly flat: readonly FlatType[];
  readonly size: number;
  readonly align: number;
  readonly ptr?: "i32" | "i64";
}

const I32 = "i32" as const;
const I64 = "i64" as const;
const F32 = "f32" as const;
const F64 = "f64" as const;

const rows: Row[] = [
  // -- primitives: flatten_type maps every integer of at most 32 bits (and bool,
  // char) to i32, 64-bit integers to i64, floats to themselves; size and alignment
  // are the byte width.
  // bool: one byte (alignment 1, elem_size 1).
  { name: "bool", type: "bool", flat: [I32], size: 1, align: 1 },
  // s8/u8: one byte.
  { name: "s8", type: "s8", flat: [I32], size: 1, align: 1 },
  { name: "u8", type: "u8", flat: [I32], size: 1, align: 1 },
  // s16/u16: two bytes.
  { name: "s16", type: "s16", flat: [I32], size: 2, align: 2 },
  { name: "u16", type: "u16", flat: [I32], size: 2, align: 2 },
  // s32/u32: four bytes.
  { name: "s32", type: "s32", flat: [I32], size: 4, align: 4 },
  { name: "u32", type: "u32", flat: [I32], size: 4, align: 4 },
  // s64/u64: eight bytes, flattened to i64.
  { name: "s64", type: "s64", flat: [I64], size: 8, align: 8 },
  { name: "u64", type: "u64", flat: [I64], size: 8, align: 8 },
  // f32 stays f32, four bytes.
  { name: "f32", type: "f32", flat: [F32], size: 4, align: 4 },
  // f64 stays f64, eight bytes.
  { name: "f64", type: "f64", flat: [F64], size: 8, align: 8 },
  // char: a 32-bit code point.
  { name: "char", type: "char", flat: [I32], size: 4, align: 4 },
  // string: (pointer, length) = 2 * ptr_size(i32) = 8 bytes, aligned to ptr_size 4.
  { name: "string", type: "string", flat: [I32, I32], size: 8, align: 4 },
  // string with memory64: two i64 = 2 * 8 = 16 bytes, aligned to 8.
  { name: "string (memory64)", type: "string", flat: [I64, I64], size: 16, align: 8, ptr: I64 },

  // -- records: fields flattened in sequence; each field aligned to its own
  // alignment, total rounded up to the largest field alignment.
  // {a: u8, b: u32, c: u16}: a@0 (1), b aligned to 4 -> @4..8, c@8..10; 10 rounded to 4 = 12.
  {
    name: "record {a: u8, b: u32, c: u16} (padding)",
    type: record(["a", "u8"], ["b", "u32"], ["c", "u16"]),
    flat: [I32, I32, I32],
    size: 12,
    align: 4,
  },
  // {a: u8, b: u64}: a@0, b aligned to 8 -> @8..16; size 16, alignment 8; flat [i32, i64].
  {
    name: "record {a: u8, b: u64}",
    type: record(["a", "u8"], ["b", "u64"]),
    flat: [I32, I64],
    size: 16,
    align: 8,
  },
  // {a: u16, b: u8}: a@0..2, b@2..3; 3 rounded to 2 = 4 (tail padding).
  {
    name: "record {a: u16, b: u8} (tail padding)",
    type: record(["a", "u16"], ["b", "u8"]),
    flat: [I32, I32],
    size: 4,
    align: 2,
  },
  // {x: f32, y: f64}: x@0..4, y aligned to 8 -> @8..16; flat keeps the float types.
  {
    name: "record {x: f32, y: f64}",
    type: record(["x", "f32"], ["y", "f64"]),
    flat: [F32, F64],
    size: 16,
    align: 8,
  },
  // {a: u8, s: string} with memory64: a@0, s aligned to 8 -> @8..24; size 24, alignment 8.
  {
    name: "record {a: u8, s: string} (memory64)",
    type: record(["a", "u8"], ["s", "string"]),
    flat: [I32, I64, I64],
    size: 24,
    align: 8,
    ptr: I64,
  },

  // -- tuples: laid out as records with unnamed fields.
  // tuple<u8, f64, u8>: @0..1, f64 aligned to 8 -> @8..16, u8 @16..17; 17 rounded to 8 = 24.
  {
    name: "tuple<u8, f64, u8>",
    type: tuple("u8", "f64", "u8"),
    flat: [I32, F64, I32],
    size: 24,
    align: 8,
  },
  // tuple<u8, u8, u8>: three bytes, no padding at alignment 1.
  {
    name: "tuple<u8, u8, u8>",
    type: tuple("u8", "u8", "u8"),
    flat: [I32, I32, I32],
    size: 3,
    align: 1,
  },
  // tuple<string, u32>: string@0..8, u32@8..12; alignment 4.
  {
    name: "tuple<string, u32>",
    type: tuple("string", "u32"),
    flat: [I32, I32, I32],
    size: 12,
    align: 4,
  },

  // -- variants: flat = discriminant (i32) then the payloads' flat types joined
  // position by position (equal stays; i32/f32 -> i32; anything else -> i64).
  // Size: discriminant, aligned to the largest case alignment, plus the largest
  // case, rounded to the variant's alignment.
  // {a, b}: no payload; discriminant u8 (2 cases).
  { name: "variant {a, b}", type: variant(["a"], ["b"]), flat: [I32], size: 1, align: 1 },
  // {a(u32), b(f32)}: join(i32, f32) = i32; disc 1 -> aligned to 4 -> 4 + 4 = 8.
  {
    name: "variant {a(u32), b(f32)} (i32/f32 join -> i32)",
    type: variant(["a", "u32"], ["b", "f32"]),
    flat: [I32, I32],
    size: 8,
    align: 4,
  },
  // {a(f32), b(f32)}: equal types stay f32.
  {
    name: "variant {a(f32), b(f32)} (equal join stays f32)",
    type: variant(["a", "f32"], ["b", "f32"]),
    flat: [I32, F32],
    size: 8,
    align: 4,
  },
  // {a(f32), b(u64)}: join(f32, i64) = i64; disc 1 -> aligned to 8 -> 8 + 8 = 16.
  {
    name: "variant {a(f32), b(u64)} (f32/i64 join -> i64)",
    type: variant(["a", "f32"], ["b", "u64"]),
    flat: [I32, I64],
    size: 16,
    align: 8,
  },
  // {a(f32), b(f64)}: join(f32, f64) = i64 (floats of different widths do not join).
  {
    name: "variant {a(f32), b(f64)} (f32/f64 join -> i64)",
    type: variant(["a", "f32"], ["b", "f64"]),
    flat: [I32, I64],
    size: 16,
    align: 8,
  },
  // {a(s32), b(f64)}: join(i32, f64) = i64.
  {
    name: "variant {a(s32), b(f64)} (i32/f64 join -> i64)",
    type: variant(["a", "s32"], ["b", "f64"]),
    flat: [I32, I64],
    size: 16,
    align: 8,
  },
  // {a, b(tuple<u32, u32>), c(f64)}: b is [i32, i32], c is [f64]; position 0 joins
  // i32/f64 -> i64, position 1 is only b's i32 -> [i32, i64, i32].
  // Size: disc 1, aligned to 8 -> 8, + max(8, 8) = 16; alignment 8.
  {
    name: "variant {a, b(tuple<u32, u32>), c(f64)} (payloads of different lengths)",
    type: variant(["a"], ["b", tuple("u32", "u32")], ["c", "f64"]),
    flat: [I32, I64, I32],
    size: 16,
    align: 8,
  },
  // {a(u8), b(u16)}: joins i32/i32; disc 1 aligned to 2 -> 2 + 2 = 4.
  {
    name: "variant {a(u8), b(u16)}",
    type: variant(["a", "u8"], ["b", "u16"]),
    flat: [I32, I32],
    size: 4,
    align: 2,
  },

  // -- option<T> = variant {none, some(T)}.
  // option<u8>: [i32 disc, i32]; disc 1 + u8 1 = 2, alignment 1.
  { name: "option<u8>", type: option("u8"), flat: [I32, I32], size: 2, align: 1 },
  // option<f32>: a single case keeps f32; 1 -> 4 + 4 = 8.
  { name: "option<f32>", type: option("f32"), flat: [I32, F32], size: 8, align: 4 },
  // option<u64>: 1 -> 8 + 8 = 16.
  { name: "option<u64>", type: option("u64"), flat: [I32, I64], size: 16, align: 8 },
  // option<string>: 1 -> 4 + 8 = 12.
  { name: "option<string>", type: option("string"), flat: [I32, I32, I32], size: 12, align: 4 },
  // option<string> with memory64: 1 -> 8 + 16 = 24, alignment 8.
  {
    name: "option<string> (memory64)",
    type: option("string"),
    flat: [I32, I64, I64],
    size: 24,
    align: 8,
    ptr: I64,
  },
  // option<option<u8>>: inner is [i32, i32] size 2 align 1 -> [i32, i32, i32], 1 + 2 = 3.
  {
    name: "option<option<u8>>",
    type: option(option("u8")),
    flat: [I32, I32, I32],
    size: 3,
    align: 1,
  },

  // -- result<T, E> = variant {ok(T), error(E)}.
  // result (no payloads): only the discriminant.
  { name: "result", type: result(), flat: [I32], size: 1, align: 1 },
  // result<u32, f32>: join(i32, f32) = i32; 1 -> 4 + 4 = 8.
  {
    name: "result<u32, f32> (i32/f32 join -> i32)",
    type: result("u32", "f32"),
    flat: [I32, I32],
    size: 8,
    align: 4,
  },
  // result<f32, u64>: join(f32, i64) = i64; 1 -> 8 + 8 = 16.
  {
    name: "result<f32, u64> (f32/i64 join -> i64)",
    type: result("f32", "u64"),
    flat: [I32, I64],
    size: 16,
    align: 8,
  },
  // result<_, f64>: only the error payload: [i32, f64]; 1 -> 8 + 8 = 16.
  { name: "result<_, f64>", type: result(undefined, "f64"), flat: [I32, F64], size: 16, align: 8 },
  // result<u8>: only the ok payload: 1 + 1 = 2.
  { name: "result<u8>", type: result("u8"), flat: [I32, I32], size: 2, align: 1 },
  // result<string, u8>: ok [i32, i32], err [i32] -> [i32, i32, i32]; 1 -> 4 + 8 = 12.
  {
    name: "result<string, u8>",
    type: result("string", "u8"),
    flat: [I32, I32, I32],
    size: 12,
    align: 4,
  },
  // result<f32, string>: position 0 joins f32/i32 -> i32; position 1 only i32.
  {
    name: "result<f32, string>",
    type: result("f32", "string"),
    flat: [I32, I32, I32],
    size: 12,
    align: 4,
  },

  // -- enums: a payload-less variant; the discriminant is u8 up to 256 cases
  // (ceil(log2(256) / 8) = 1), u16 from 257 (ceil(log2(257) / 8) = 2), u32 above 65536.
  { name: "enum of 1", type: enumOf(1), flat: [I32], size: 1, align: 1 },
  { name: "enum of 256 (u8 discriminant)", type: enumOf(256), flat: [I32], size: 1, align: 1 },
  { name: "enum of 257 (u16 discriminant)", type: enumOf(257), flat: [I32], size: 2, align: 2 },
  {
    name: "enum of 65536 (u16 discriminant)",
    type: enumOf(65536),
    flat: [I32],
    size: 2,
    align: 2,
  },
  {
    name: "enum of 65537 (u32 discriminant)",
    type: enumOf(65537),
    flat: [I32],
    size: 4,
    align: 4,
  },
  // Variants of as many cases, without payloads, are laid out like the enums.
  { name: "variant of 256 cases", type: bigVariant(256), flat: [I32], size: 1, align: 1 },
  { name: "variant of 257 cases", type: bigVariant(257), flat: [I32], size: 2, align: 2 },
  // 256 cases, one with u32: disc 1 aligned to 4 -> 4 + 4 = 8.
  {
    name: "variant of 256 cases, one with u32",
    type: bigVariant(256, "u32"),
    flat: [I32, I32],
    size: 8,
    align: 4,
  },
  // 257 cases, one with u8: disc u16 (2), aligned to 1 -> 2 + 1 = 3, rounded to 2 = 4.
  {
    name: "variant of 257 cases, one with u8",
    type: bigVariant(257, "u8"),
    flat: [I32, I32],
    size: 4,
    align: 2,
  },
  // 257 cases, one with u64: disc 2 aligned to 8 -> 8 + 8 = 16.
  {
    name: "variant of 257 cases, one with u64",
    type: bigVariant(257, "u64"),
    flat: [I32, I64],
    size: 16,
    align: 8,
  },

  // -- flags: the smallest integer holding all bits: up to 8 -> u8, up to 16 -> u16,
  // up to 32 -> u32; above 32 (Wasmtime) one u32 per 32 flags. Flat: one i32 per
  // 32 flags.
  { name: "flags of 1", type: flags(1), flat: [I32], size: 1, align: 1 },
  { name: "flags of 8", type: flags(8), flat: [I32], size: 1, align: 1 },
  { name: "flags of 9", type: flags(9), flat: [I32], size: 2, align: 2 },
  { name: "flags of 16", type: flags(16), flat: [I32], size: 2, align: 2 },
  { name: "flags of 17", type: flags(17), flat: [I32], size: 4, align: 4 },
  { name: "flags of 32", type: flags(32), flat: [I32], size: 4, align: 4 },
  // 33 flags: ceil(33 / 32) = 2 words = 8 bytes, aligned to 4.
  { name: "flags of 33", type: flags(33), flat: [I32, I32], size: 8, align: 4 },
  // 64 flags: exactly 2 words.
  { name: "flags of 64", type: flags(64), flat: [I32, I32], size: 8, align: 4 },

  // -- lists: a variable-length list is (pointer, length) like a string; a
  // fixed-length list is its element repeated, laid out as a tuple.
  { name: "list<u8>", type: list("u8"), flat: [I32, I32], size: 8, align: 4 },
  // The element type does not matter for a variable-length list.
  { name: "list<u64>", type: list("u64"), flat: [I32, I32], size: 8, align: 4 },
  { name: "list<u8> (memory64)", type: list("u8"), flat: [I64, I64], size: 16, align: 8, ptr: I64 },
  // list<u8, 3>: 3 * 1 byte, alignment of u8; flat [i32] * 3.
  { name: "list<u8, 3>", type: list("u8", 3), flat: [I32, I32, I32], size: 3, align: 1 },
  // list<u16, 3>: 3 * 2 = 6, alignment 2.
  { name: "list<u16, 3>", type: list("u16", 3), flat: [I32, I32, I32], size: 6, align: 2 },
  // list<f32, 4>: 4 * 4 = 16; flat keeps f32.
  { name: "list<f32, 4>", type: list("f32", 4), flat: repeat(4, F32), size: 16, align: 4 },
  // list<string, 2>: 2 * 8 = 16, flat 2 * [i32, i32].
  { name: "list<string, 2>", type: list("string", 2), flat: repeat(4, I32), size: 16, align: 4 },
  // list<string, 2> with memory64: 2 * 16 = 32, alignment 8.
  {
    name: "list<string, 2> (memory64)",
    type: list("string", 2),
    flat: repeat(4, I64),
    size: 32,
    align: 8,
    ptr: I64,
  },
  // list<record {a: u8, b: u32}, 2>: the record is 8 bytes (a@0, b@4); 2 * 8 = 16.
  {
    name: "list<record {a: u8, b: u32}, 2>",
    type: list(record(["a", "u8"], ["b", "u32"]), 2),
    flat: repeat(4, I32),
    size: 16,
    align: 4,
  },
  // list<list<u8>, 2>: 2 * 8 = 16; flat 2 * (ptr, len).
  {
    name: "list<list<u8>, 2>",
    type: list(list("u8"), 2),
    flat: repeat(4, I32),
    size: 16,
    align: 4,
  },

  // -- handles: an i32 index into the handle table.
  { name: "own<r>", type: { kind: "own", resource }, flat: [I32], size: 4, align: 4 },
  { name: "borrow<r>", type: { kind: "borrow", resource }, flat: [I32], size: 4, align: 4 },
  // Handles are not pointers: memory64 does not change them.
  {
    name: "own<r> (memory64)",
    type: { kind: "own", resource },
    flat: [I32],
    size: 4,
    align: 4,
    ptr: I64,
  },
];

Deno.test("flattenType, elemSize and alignment of every value type", async (t) => {
  for (const row of rows) {
    await t.step(row.name, () => {
      const ptr = row.ptr ?? "i32";
      const ptrSize = ptr === "i64" ? 8 : 4;
      assert.deepStrictEqual(flattenType(row.type, ptr), row.flat, "flat types");
      assert.equal(elemSize(row.type, ptrSize), row.size, "elem_size");
      assert.equal(alignment(row.type, ptrSize), row.align, "alignment");
      // elem_size is always a multiple of the alignment (so list elements stay aligned).
      assert.equal(row.size % row.align, 0, "size is a multiple of the alignment");
    });
  }
});

Deno.test("flattenType appends to the array it is given", () => {
  const out: FlatType[] = ["f64"];
  assert.equal(flattenType("string", "i32", out), out);
  assert.deepStrictEqual(out, ["f64", "i32", "i32"]);
});

Deno.test("discriminantSize: u8 up to 256 cases, u16 up to 65536, u32 above", () => {
  // discriminant_type: ceil(log2(n) / 8) bytes, at least 1.
  const cases: [number, number][] = [
    [1, 1],
    [2, 1],
    [255, 1],
    [256, 1],
    [257, 2],
    [65535, 2],
    [65536, 2],
    [65537, 4],
  ];
  for (const [n, size] of cases) assert.equal(discriminantSize(n), size, `${n} cases`);
});

Deno.test("flagsWords: one i32 per 32 flags", () => {
  const cases: [number, number][] = [
    [1, 1],
    [8, 1],
    [9, 1],
    [16, 1],
    [17, 1],
    [32, 1],
    [
      33,
      2,
    ],
    [64, 2],
    [65, 3],
  ];
  for (const [n, words] of cases) assert.equal(flagsWords(n), words, `${n} flags`);
});

Deno.test("containsMemoryValues: strings and variable-length lists, at any depth", () => {
  assert.equal(containsMemoryValues(undefined), false);
  assert.equal(containsMemoryValues("u32"), false);
  assert.equal(containsMemoryValues("string"), true);
  assert.equal(containsMemoryValues(list("u8")), true);
  // A fixed-length list of scalars lives in registers or inline: no memory needed.
  assert.equal(containsMemoryValues(list("u8", 4)), false);
  assert.equal(containsMemoryValues(list("string", 2)), true);
  assert.equal(containsMemoryValues(option(record(["a", "u8"], ["b", "string"]))), true);
  assert.equal(containsMemoryValues(result(undefined, list("u8"))), true);
  assert.equal(containsMemoryValues(variant(["a"], ["b", tuple("u8", "f64")])), false);
  assert.equal(containsMemoryValues({ kind: "own", resource }), false);
});

// ---------------------------------------------------------------------------
// flattenFuncType

/** A function type with the given parameter types (named p0, p1, ...) and result. */
function func(params: readonly InterfaceType[], res?: InterfaceType): TypeFunc {
  const ps = params.map((type, i) => ({ name: `p${i}`, type }));
  return res === undefined
    ? { kind: "func", async: false, params: ps }
    : { kind: "func", async: false, params: ps, result: res };
}

/** Two flat results: a tuple of two u32. */
const TWO = tuple("u32", "u32");

interface SigRow {
  readonly name: string;
  readonly type: TypeFunc;
  readonly ptr?: "i32" | "i64";
  readonly lift: { params: FlatType[]; results: FlatType[]; pm: boolean; rm: boolean };
  readonly lower: { params: FlatType[]; results: FlatType[]; pm: boolean; rm: boolean };
}

const sigRows: SigRow[] = [
  // 0 params, 0 results: nothing to pass either way.
  {
    name: "0 params, 0 results",
    type: func([]),
    lift: { params: [], results: [], pm: false, rm: false },
    lower: { params: [], results: [], pm: false, rm: false },
  },
  // 1 flat param (u32), 1 flat result (f64): both direct, same in both contexts.
  {
    name: "1 param, 1 result",
    type: func(["u32"], "f64"),
    lift: { params: [I32], results: [F64], pm: false, rm: false },
    lower: { params: [I32], results: [F64], pm: false, rm: false },
  },
  // 16 flat params = MAX_FLAT_PARAMS: still passed directly.
  {
    name: "16 params (8 strings), 0 results",
    type: func(repeat(8, "string")),
    lift: { params: repeat(16, I32), results: [], pm: false, rm: false },
    lower: { params: repeat(16, I32), results: [], pm: false, rm: false },
  },
  // 16 flat params of mixed types are kept as they are.
  {
    name: "16 params (u64 and f32), 1 result",
    type: func([...repeat(8, "u64"), ...repeat(8, "f32")], "u8"),
    lift: { params: [...repeat(8, I64), ...repeat(8, F32)], results: [I32], pm: false, rm: false },
    lower: { params: [...repeat(8, I64), ...repeat(8, F32)], results: [I32], pm: false, rm: false },
  },
  // 17 flat params > 16: a single pointer to the params tuple, in both contexts.
  {
    name: "17 params, 0 results",
    type: func(repeat(17, "u32")),
    lift: { params: [I32], results: [], pm: true, rm: false },
    lower: { params: [I32], results: [], pm: true, rm: false },
  },
  // 17 flat params coming from one record param: the count is of flat values, not params.
  {
    name: "1 record param of 17 fields, 1 result",
    type: func([record(...labels(17, "f").map((n): [string, InterfaceType] => [n, "u8"]))], "u32"),
    lift: { params: [I32], results: [I32], pm: true, rm: false },
    lower: { params: [I32], results: [I32], pm: true, rm: false },
  },
  // 2 flat results > MAX_FLAT_RESULTS: lift returns a pointer to them; lower takes
  // an extra pointer parameter (the caller's return area) and returns nothing.
  {
    name: "1 param, 2 results",
    type: func(["u32"], TWO),
    lift: { params: [I32], results: [I32], pm: false, rm: true },
    lower: { params: [I32, I32], results: [], pm: false, rm: true },
  },
  // A string result is 2 flat values: same as above.
  {
    name: "0 params, string result",
    type: func([], "string"),
    lift: { params: [], results: [I32], pm: false, rm: true },
    lower: { params: [I32], results: [], pm: false, rm: true },
  },
  // 16 params and 2 results: lower has 16 + 1 = 17 core params (the limit applies
  // before the return pointer is added).
  {
    name: "16 params, 2 results",
    type: func(repeat(16, "u32"), TWO),
    lift: { params: repeat(16, I32), results: [I32], pm: false, rm: true },
    lower: { params: repeat(17, I32), results: [], pm: false, rm: true },
  },
  // 17 params and 2 results: both spilled; lower passes (params ptr, results ptr).
  {
    name: "17 params, 2 results",
    type: func(repeat(17, "u32"), TWO),
    lift: { params: [I32], results: [I32], pm: true, rm: true },
    lower: { params: [I32, I32], results: [], pm: true, rm: true },
  },
  // memory64: the spilled pointers are i64 (the values themselves keep their types).
  {
    name: "memory64: 17 params, 2 results",
    type: func(repeat(17, "u32"), TWO),
    ptr: I64,
    lift: { params: [I64], results: [I64], pm: true, rm: true },
    lower: { params: [I64, I64], results: [], pm: true, rm: true },
  },
  // memory64: a string param is (i64, i64); a string result spills through an i64 pointer.
  {
    name: "memory64: string param, string result",
    type: func(["string"], "string"),
    ptr: I64,
    lift: { params: [I64, I64], results: [I64], pm: false, rm: true },
    lower: { params: [I64, I64, I64], results: [], pm: false, rm: true },
  },
  // memory64: scalars are unaffected.
  {
    name: "memory64: 1 param, 1 result",
    type: func(["u32"], "u32"),
    ptr: I64,
    lift: { params: [I32], results: [I32], pm: false, rm: false },
    lower: { params: [I32], results: [I32], pm: false, rm: false },
  },
];

Deno.test("flattenFuncType for lift and lower", async (t) => {
  assert.equal(MAX_FLAT_PARAMS, 16);
  assert.equal(MAX_FLAT_RESULTS, 1);
  for (const row of sigRows) {
    for (const context of ["lift", "lower"] as const) {
      await t.step(`${row.name}: ${context}`, () => {
        const want = row[context];
        assert.deepStrictEqual(flattenFuncType(row.type, context, row.ptr), {
          params: want.params,
          results: want.results,
          paramsInMemory: want.pm,
          resultsInMemory: want.rm,
        });
      });
    }
  }
});

Deno.test("flattenFuncType defaults to a 32-bit memory", () => {
  const ft = func(repeat(17, "u32"), "string");
  assert.deepStrictEqual(flattenFuncType(ft, "lift"), flattenFuncType(ft, "lift", "i32"));
  assert.deepStrictEqual(flattenFuncType(ft, "lower").params, ["i32", "i32"]);
});

Deno.test("flattenFuncType: every combination of 0/1/16/17 flat params and 0/1/2 flat results", async (t) => {
  // flatten_functype (sync): more than 16 flat params become one pointer; more than
  // 1 flat result becomes a returned pointer (lift) or a pointer parameter appended
  // after the (possibly spilled) params (lower). Pointers have the memory's type.
  for (const ptr of ["i32", "i64"] as const) {
    for (const p of [0, 1, 16, 17]) {
      for (const r of [0, 1, 2]) {
        const ft = func(repeat(p, "u32"), r === 0 ? undefined : r === 1 ? "u32" : TWO);
        const params: FlatType[] = p > MAX_FLAT_PARAMS ? [ptr] : repeat(p, I32);
        const results: FlatType[] = repeat(r, I32);
        await t.step(`${p} params, ${r} results, ${ptr} pointers`, () => {
          assert.deepStrictEqual(flattenFuncType(ft, "lift", ptr), {
            params,
            results: r > MAX_FLAT_RESULTS ? [ptr] : results,
            paramsInMemory: p > MAX_FLAT_PARAMS,
            resultsInMemory: r > MAX_FLAT_RESULTS,
          });
          assert.deepStrictEqual(flattenFuncType(ft, "lower", ptr), {
            params: r > MAX_FLAT_RESULTS ? [...params, ptr] : params,
            results: r > MAX_FLAT_RESULTS ? [] : results,
            paramsInMemory: p > MAX_FLAT_PARAMS,
            resultsInMemory: r > MAX_FLAT_RESULTS,
          });
        });
      }
    }
  }
});
