/**
 * The host-side Canonical ABI (`AbiContext`) on its own, over a JavaScript
 * `WebAssembly.Memory` and a JavaScript realloc: what components cannot
 * reach (more than 32 flags, memory64 pointers handed to realloc, memory
 * growth during realloc), exact layouts, and seeded random round trips
 * through memory and through flat core values.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type InterfaceType, UnsupportedError } from "../../mod.ts";
import {
  AbiContext,
  type AbiOptions,
  camelCase,
  type CoreNum,
  FlatSource,
  RULES,
} from "../../lib/runtime/mod.ts";
import {
  alignment,
  elemSize,
  flattenType,
  MAX_FLAT_PARAMS,
  typeToString,
} from "../../lib/types/mod.ts";
import { assertTrap } from "../_trap.ts";
import { prng } from "../_prng.ts";

/** A context over a fresh 1-page memory, with a bump realloc logging its calls. */
function context(
  opts: Partial<AbiOptions> = {},
): { cx: AbiContext; mem: WebAssembly.Memory; calls: CoreNum[][] } {
  const mem = new WebAssembly.Memory({ initial: 1, maximum: 4 });
  const calls: CoreNum[][] = [];
  let heap = 0x100;
  const wide = opts.memory64 === true;
  const cx = new AbiContext({
    memory64: false,
    stringEncoding: "utf8",
    memory: () => mem,
    realloc: () => (...args: CoreNum[]) => {
      calls.push(args);
      const align = Number(args[2]);
      const size = Number(args[3]);
      const p = Math.ceil(heap / align) * align;
      heap = p + size;
      return wide ? BigInt(p) : p;
    },
    ...opts,
  });
  return { cx, mem, calls };
}

Deno.test("camelCase() turns kebab-case names into jco's keys", () => {
  const cases: [string, string][] = [
    ["a", "a"],
    ["first-name", "firstName"],
    ["x-y-z", "xYZ"],
    ["HTTP-client", "httpClient"],
    ["get-URL", "getUrl"],
    ["is-ready-2", "isReady2"],
    ["f32", "f32"],
    ["ALL", "all"],
  ];
  for (const [name, key] of cases) assert.equal(camelCase(name), key, name);
});

Deno.test("AbiContext: flags of any number, one bit per flag in 32-bit words", async (t) => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `flag-${i}`);
  const obj = (n: number, set: number[]) =>
    Object.fromEntries(names(n).map((_, i) => [`flag${i}`, set.includes(i)]));
  const bytes = (mem: WebAssembly.Memory, p: number, n: number) => [
    ...new Uint8Array(mem.buffer, p, n),
  ];
  for (
    const [n, set, size, stored, flat] of [
      [3, [0, 2], 1, [0b101], [0b101]],
      [9, [8], 2, [0, 1], [0x100]],
      [32, [31], 4, [0, 0, 0, 0x80], [-0x8000_0000]],
      [40, [0, 39], 8, [1, 0, 0, 0, 0x80, 0, 0, 0], [1, 0x80]],
      [65, [32, 64], 12, [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], [0, 1, 1]],
    ] as [number, number[], number, number[], number[]][]
  ) {
    await t.step(`${n} flags`, () => {
      const { cx, mem } = context();
      const ty: InterfaceType = { kind: "flags", names: names(n) };
      assert.equal(elemSize(ty), size);
      cx.store(ty, obj(n, set), 0x40);
      assert.deepEqual(bytes(mem, 0x40, size), stored);
      assert.deepEqual(cx.load(ty, 0x40), obj(n, set));
      const out: CoreNum[] = [];
      cx.lowerFlat(ty, obj(n, set), out);
      assert.deepEqual(out, flat);
      assert.deepEqual(cx.liftFlat(ty, new FlatSource(out)), obj(n, set));
    });
  }
  await t.step("bits beyond the last flag are ignored when lifting", () => {
    const { cx } = context();
    const ty: InterfaceType = { kind: "flags", names: names(3) };
    assert.deepEqual(cx.liftFlat(ty, new FlatSource([-1])), obj(3, [0, 1, 2]));
  });
});

Deno.test("AbiContext: memory64 pointers, lengths and realloc arguments are bigints", () => {
  const { cx, mem, calls } = context({ memory64: true });
  assert.equal(cx.ptrSize, 8);
  const out: CoreNum[] = [];
  cx.lowerFlat("string", "hé", out);
  assert.deepEqual(out, [0x100n, 3n]);
  // (old ptr, old size, alignment, size): every one of the address type
  assert.deepEqual(calls, [[0n, 0n, 1n, 3n]]);
  assert.equal(cx.liftFlat("string", new FlatSource(out)), "hé");

  cx.store({ kind: "list", element: "u16" }, [1, 0xffff], 0x40);
  assert.deepEqual(calls.at(-1), [0n, 0n, 2n, 4n]);
  const dv = new DataView(mem.buffer);
  assert.equal(dv.getBigUint64(0x40, true), 0x104n); // the list's pointer: 8 bytes
  assert.equal(dv.getBigUint64(0x48, true), 2n); // and its length
  assert.deepEqual(cx.load({ kind: "list", element: "u16" }, 0x40), new Uint16Array([1, 0xffff]));
  assert.equal(elemSize("string", 8), 16);
  assert.equal(alignment("string", 8), 8);
  assert.equal(cx.corePtr(5), 5n);
  assert.equal(cx.ptr(2n ** 64n - 1n), 2 ** 64);
  // a pointer out of the 32-bit range is not truncated
  assertTrap(() => cx.liftString(Number(2n ** 32n), 1), RULES.stringOutOfBounds);
});

Deno.test("AbiContext: the memory may grow while realloc runs", () => {
  const mem = new WebAssembly.Memory({ initial: 1, maximum: 4 });
  const cx = new AbiContext({
    memory64: false,
    stringEncoding: "utf16",
    memory: () => mem,
    realloc: () => () => {
      const end = mem.buffer.byteLength;
      mem.grow(1);
      return end;
    },
  });
  assert.equal(cx.memorySize(), 0x10000);
  const out: CoreNum[] = [];
  cx.lowerFlat("string", "grown", out);
  assert.deepEqual(out, [0x10000, 5]);
  assert.equal(cx.memorySize(), 0x20000);
  assert.equal(
    new TextDecoder("utf-16le").decode(new Uint8Array(mem.buffer, 0x10000, 10)),
    "grown",
  );
  assert.equal(cx.liftString(0x10000, 5), "grown");
});

Deno.test("AbiContext: checks and their messages", async (t) => {
  await t.step("check(): alignment first, then bounds", () => {
    const { cx } = context();
    cx.check(0x10000 - 8, 8, 8, "u", "o");
    assertTrap(() => cx.check(2, 4, 4, "u", "o"), "u");
    assertTrap(() => cx.check(0x10000 - 4, 4, 8, "u", "o"), "o");
    assertTrap(() => cx.check(0x10002, 4, 4, "u", "o"), "u");
  });
  await t.step("realloc results", () => {
    for (
      const [ret, align, size, message] of [
        [3, 2, 2, RULES.reallocUnaligned],
        [0x10000 - 2, 1, 3, RULES.reallocOutOfBounds],
        [-1, 1, 1, RULES.reallocOutOfBounds],
      ] as [number, number, number, string][]
    ) {
      const { cx } = context({ realloc: () => () => ret });
      assertTrap(() => cx.realloc(align, size), message);
    }
    const { cx } = context({ realloc: () => () => 0x10000 });
    assert.equal(cx.realloc(8, 0), 0x10000); // an empty block at the very end
  });
  await t.step("strings and lists", () => {
    const { cx } = context();
    assertTrap(() => cx.liftString(0x10000 - 1, 2), RULES.stringOutOfBounds);
    assertTrap(() => cx.liftString(0, 0x8000_0000), RULES.stringTooLong);
    assertTrap(() => cx.liftList("u32", 0x10000 - 4, 2), RULES.listOutOfBounds);
    assertTrap(() => cx.liftList("u64", 4, 1), RULES.unaligned);
    const u16 = context({ stringEncoding: "utf16" }).cx;
    assertTrap(() => u16.liftString(1, 1), RULES.stringUnaligned);
    assertTrap(() => u16.liftString(0, 0x4000_0000), RULES.stringTooLong);
    const compact = context({ stringEncoding: "latin1+utf16" }).cx;
    assertTrap(() => compact.liftString(0x10000 - 2, 0x8000_0002), RULES.stringOutOfBounds);
    assert.equal(compact.liftString(0x10000 - 2, 2), "\0\0");
  });
  await t.step("char and discriminants", () => {
    const { cx } = context();
    for (const c of [0xd800, 0xdfff, 0x110000, -1]) {
      assertTrap(() => cx.liftFlat("char", new FlatSource([c])), RULES.char);
    }
    const e: InterfaceType = { kind: "enum", names: ["a", "b"] };
    assertTrap(() => cx.liftFlat(e, new FlatSource([2])), RULES.discriminant);
    const o: InterfaceType = { kind: "option", type: "u64" };
    assertTrap(() => cx.liftFlat(o, new FlatSource([2, 0n])), RULES.discriminant);
  });
  await t.step("missing options, too few flat values, unsupported types", () => {
    const bare = new AbiContext({ memory64: false, stringEncoding: "utf8" });
    assert.throws(() => bare.load("u8", 0), /these canonical options name no memory/);
    const { cx } = context({ realloc: undefined });
    assert.throws(() => cx.lowerString("x"), /these canonical options name no realloc/);
    assert.throws(() => new FlatSource([]).i32(), /too few flat values for the type/);
    const stream: InterfaceType = { kind: "stream", element: "u8" };
    assert.throws(() => cx.load(stream, 0), (e: unknown) => {
      assert.ok(e instanceof UnsupportedError);
      assert.match(e.message, /host values of type `stream<u8>` are not supported yet/);
      return true;
    });
    assert.throws(() => cx.lowerFlat(stream, 0, []), UnsupportedError);
  });
});

Deno.test("AbiContext: Latin-1 is byte value = code point, at any length", () => {
  const { cx, mem, calls } = context({ stringEncoding: "latin1+utf16" });
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
  const long = all.repeat(40); // longer than one chunk of the decoder
  for (const s of [all, long]) {
    const [p, len] = cx.lowerString(s);
    assert.equal(len, s.length); // untagged: Latin-1
    assert.deepEqual(calls.at(-1), [0, 0, 2, s.length]);
    assert.equal(new Uint8Array(mem.buffer)[p + 0x80], 0x80);
    assert.equal(cx.liftString(p, len), s);
  }
  // one code point above U+00FF: the whole string is UTF-16
  const [p, len] = cx.lowerString("\u0100" + all);
  assert.equal(len, 0x8000_0000 + 257);
  assert.equal(cx.liftString(p, len), "\u0100" + all);
});

// ---- seeded random round trips ----

const PRIMITIVES: InterfaceType[] = [
  "bool",
  "u8",
  "s8",
  "u16",
  "s16",
  "u32",
  "s32",
  "u64",
  "s64",
  "f32",
  "f64",
  "char",
  "string",
];

function randomType(r: () => number, depth: number): InterfaceType {
  const int = (n: number) => Math.floor(r() * n);
  const names = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => `${prefix}-${String.fromCharCode(97 + (i % 26))}${i}`);
  if (depth <= 0 || r() < 0.35) return PRIMITIVES[int(PRIMITIVES.length)];
  const sub = () => randomType(r, depth - 1);
  switch (int(10)) {
    case 0:
      return { kind: "list", element: sub() };
    case 1:
      return { kind: "list", element: sub(), length: 1 + int(3) };
    case 2:
      return {
        kind: "record",
        fields: names(1 + int(4), "field").map((name) => ({ name, type: sub() })),
      };
    case 3:
      return { kind: "tuple", types: Array.from({ length: 1 + int(4) }, sub) };
    case 4: {
      const n = r() < 0.1 ? 300 : 1 + int(5);
      return {
        kind: "variant",
        cases: names(n, "case").map((name, i) =>
          n > 10 && i !== n - 1 ? { name } : r() < 0.3 ? { name } : { name, type: sub() }
        ),
      };
    }
    case 5:
      return { kind: "enum", names: names(r() < 0.2 ? 257 + int(100) : 1 + int(5), "e") };
    case 6:
      return { kind: "option", type: sub() };
    case 7:
      return {
        kind: "result",
        ...(r() < 0.7 ? { ok: sub() } : {}),
        ...(r() < 0.7 ? { err: sub() } : {}),
      };
    case 8:
      return { kind: "flags", names: names(1 + int(70), "flag") };
    default:
      return { kind: "option", type: { kind: "option", type: sub() } };
  }
}

const TYPED_ARRAYS: Record<string, { from(items: never[]): unknown }> = {
  u8: Uint8Array,
  s8: Int8Array,
  u16: Uint16Array,
  s16: Int16Array,
  u32: Uint32Array,
  s32: Int32Array,
  u64: BigUint64Array,
  s64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
};

function randomValue(r: () => number, t: InterfaceType): unknown {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const bits64 = () => (BigInt(int(0, 0xffff_ffff)) << 32n) | BigInt(int(0, 0xffff_ffff));
  if (typeof t === "string") {
    switch (t) {
      case "bool":
        return r() < 0.5;
      case "u8":
        return int(0, 255);
      case "s8":
        return int(-128, 127);
      case "u16":
        return int(0, 0xffff);
      case "s16":
        return int(-0x8000, 0x7fff);
      case "u32":
        return int(0, 0xffff_ffff);
      case "s32":
        return int(-0x8000_0000, 0x7fff_ffff);
      case "u64":
        return bits64();
      case "s64":
        return BigInt.asIntN(64, bits64());
      case "f32":
        return pick([NaN, -0, Infinity, Math.fround((r() - 0.5) * 1e6)]);
      case "f64":
        return pick([NaN, -0, -Infinity, (r() - 0.5) * 1e300, r()]);
      case "char":
        return pick([
          "a",
          "\0",
          "é",
          "😀",
          "\u{10ffff}",
          "\ue000",
          String.fromCodePoint(int(0, 0xd7ff)),
        ]);
      case "string":
        return Array.from({ length: int(0, 6) }, () => pick(["a", "ÿ", "é", "😀", "日", "\u0080"]))
          .join("");
      default:
        throw new Error(`no values of ${t}`);
    }
  }
  switch (t.kind) {
    case "list": {
      const items = Array.from({ length: t.length ?? int(0, 3) }, () => randomValue(r, t.element));
      // a variable-length list of numbers is a typed array at the host (jco's convention)
      const T = typeof t.element === "string" ? TYPED_ARRAYS[t.element] : undefined;
      return T !== undefined && t.length === undefined ? T.from(items as never[]) : items;
    }
    case "record":
      return Object.fromEntries(t.fields.map((f) => [camelCase(f.name), randomValue(r, f.type)]));
    case "tuple":
      return t.types.map((e) => randomValue(r, e));
    case "variant": {
      const c = pick(t.cases);
      return c.type === undefined ? { tag: c.name } : { tag: c.name, val: randomValue(r, c.type) };
    }
    case "enum":
      return pick(t.names);
    case "option": {
      if (r() < 0.3) return undefined;
      const v = randomValue(r, t.type);
      return typeof t.type !== "string" && t.type.kind === "option" ? { tag: "some", val: v } : v;
    }
    case "result": {
      const ok = r() < 0.5;
      const p = ok ? t.ok : t.err;
      return { tag: ok ? "ok" : "err", val: p === undefined ? undefined : randomValue(r, p) };
    }
    case "flags":
      return Object.fromEntries(t.names.map((n) => [camelCase(n), r() < 0.5]));
    default:
      throw new Error(`no values of ${t.kind}`);
  }
}

Deno.test("AbiContext: random values round-trip through memory and through flat core values", async (t) => {
  for (let seed = 1; seed <= 300; seed++) {
    const r = prng(seed);
    const ty = randomType(r, 3);
    const v = randomValue(r, ty);
    const name = typeToString(ty);
    await t.step(`seed ${seed}: ${name.length > 60 ? name.slice(0, 57) + "..." : name}`, () => {
      for (const memory64 of [false, true]) {
        for (const stringEncoding of ["utf8", "utf16", "latin1+utf16"] as const) {
          const { cx } = context({ memory64, stringEncoding });
          const ptr = memory64 ? "i64" : "i32";
          // through memory, at an address aligned for the type
          const at = 0x8000 - (0x8000 % alignment(ty, cx.ptrSize));
          cx.store(ty, v, at);
          assert.deepEqual(cx.load(ty, at), v);
          // flat: one core value of the right kind per flattened type (a value of more than
          // MAX_FLAT_PARAMS core values is never flat: it goes through memory)
          const flat = flattenType(ty, ptr);
          if (flat.length > MAX_FLAT_PARAMS) continue;
          const out: CoreNum[] = [];
          cx.lowerFlat(ty, v, out);
          assert.equal(out.length, flat.length);
          out.forEach((x, i) => {
            if (flat[i] === "i64") assert.equal(typeof x, "bigint");
            else if (flat[i] === "i32") {
              assert.ok(Number.isInteger(x) && (x as number) === ((x as number) | 0), `i32 ${x}`);
            } else assert.equal(typeof x, "number");
          });
          const src = new FlatSource(out);
          assert.deepEqual(cx.liftFlat(ty, src), v);
          assert.deepEqual(src.take(1), []); // every value was read
        }
      }
    });
  }
});

Deno.test("AbiContext: UTF-8 strings around the short-ASCII fast path (64 code units)", async (t) => {
  const cases: [string, string][] = [
    ["empty", ""],
    ["64 ASCII", "a".repeat(64)],
    ["65 ASCII", "b".repeat(65)],
    ["63 ASCII then é", "c".repeat(63) + "é"],
    ["é then 63 ASCII", "é" + "d".repeat(63)],
    ["short, astral", "x😀y"],
  ];
  for (const [name, s] of cases) {
    await t.step(name, () => {
      const { cx, mem, calls } = context();
      const [p, len] = cx.lowerString(s);
      const bytes = new TextEncoder().encode(s);
      assert.equal(len, bytes.length);
      assert.deepEqual(calls, [[0, 0, 1, bytes.length]]);
      assert.deepEqual(new Uint8Array(mem.buffer, p, len), bytes);
      assert.equal(cx.liftString(p, len), s);
    });
  }
  await t.step("a short string with an invalid byte after ASCII still traps", () => {
    const { cx, mem } = context();
    new Uint8Array(mem.buffer).set([0x61, 0x62, 0xff], 0x40);
    assertTrap(() => cx.liftString(0x40, 3), "invalid utf-8 sequence of 1 bytes from index 2");
  });
});
