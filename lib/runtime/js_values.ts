/**
 * The JavaScript value of each component type at the host, as jco has
 * them: checking what the host hands in (a `TypeError` naming what was
 * expected), and building what it gets back.
 *
 * The conventions:
 * - `bool`: boolean; 8-32-bit integers and floats: number; 64-bit integers:
 *   bigint (a safe-integer number is accepted when lowering);
 * - `char`: a string of one code point; `string`: a string;
 * - `list` and `tuple`: arrays, but a variable-length list of integers or
 *   floats is a typed array (`list<u8>` a `Uint8Array`, `list<s64>` a
 *   `BigInt64Array`, `list<f32>` a `Float32Array`, ...), copied out of linear
 *   memory in one slice; arrays and other typed arrays are accepted too when
 *   lowering;
 * - `record`: an object whose keys are the field names in camelCase;
 * - `variant`: `{ tag, val }` (`val` absent for a case without payload);
 * - `enum`: the case name;
 * - `option`: `undefined` for none, the payload for some; when the payload is
 *   itself an option, some is `{ tag: "some", val }` so that none and
 *   some-of-none differ;
 * - `result`: `{ tag: "ok" | "err", val }`;
 * - `flags`: an object of booleans keyed by the flag names in camelCase
 *   (`undefined` or `null` lowers as no flag set, as jco has it).
 *
 * @module
 */

import { flagsWords } from "../types/abi.ts";
import { type InterfaceType, type TypeList, typeToString, type TypeTuple } from "../types/model.ts";
import { ErrorContext } from "./error_context.ts";

/** Whether this host stores numbers little-endian, as wasm memories do. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A typed array standing for a list of numbers at the host (jco's convention). */
export type NumericArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

type NumericArrayConstructor = {
  new (length: number): NumericArray;
  new (buffer: ArrayBufferLike): NumericArray;
};

const NUMERIC_ARRAYS: Readonly<Record<string, NumericArrayConstructor>> = {
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

/**
 * The typed array a list of `e` is at the host: for the integer and float
 * types, on a little-endian host (typed arrays use the host's byte order;
 * elsewhere lists of numbers stay arrays).
 */
export function numericArray(e: InterfaceType): NumericArrayConstructor | undefined {
  return typeof e === "string" && LITTLE_ENDIAN ? NUMERIC_ARRAYS[e] : undefined;
}

/**
 * A component name in camelCase, as jco writes record fields and flags:
 * `"foo-bar"` becomes `"fooBar"`, an all-caps word is lowered first
 * (`"HTTP-client"` becomes `"httpClient"`).
 * @param name A kebab-case name.
 * @returns The camelCase name.
 */
export function camelCase(name: string): string {
  let out = CAMEL.get(name);
  if (out === undefined) {
    // Names come from the component's types, so the cache stays small; a
    // caller converting arbitrary strings cannot grow it without bound.
    if (CAMEL.size >= CAMEL_MAX) CAMEL.clear();
    out = convertCase(name);
    CAMEL.set(name, out);
  }
  return out;
}

const CAMEL = new Map<string, string>();
const CAMEL_MAX = 100_000;

function convertCase(name: string): string {
  const words = name.split("-");
  let out = "";
  for (let i = 0; i < words.length; i++) {
    let w = words[i];
    if (w === w.toUpperCase()) w = w.toLowerCase();
    out += i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1);
  }
  return out;
}

/** The 1-code-point check and the scalar-value check of `char`. */
export function isScalarValue(c: number): boolean {
  return c < 0xd800 || (c >= 0xe000 && c < 0x110000);
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v === null || typeof v !== "object") return String(v);
  return Array.isArray(v) ? "an array" : "an object";
}

/** Refuse a host value: a `TypeError` saying what was expected and what was given. */
export function typeError(t: InterfaceType, v: unknown, what?: string): never {
  throw new TypeError(`expected ${what ?? `a \`${typeToString(t)}\``}, got ${describe(v)}`);
}

const INT_RANGE: Record<string, [number, number]> = {
  u8: [0, 0xff],
  s8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  s16: [-0x8000, 0x7fff],
  u32: [0, 0xffff_ffff],
  s32: [-0x8000_0000, 0x7fff_ffff],
};

/** A `u64` or `s64` from the host: a bigint (or a safe-integer number) in range. */
export function int64(t: "u64" | "s64", v: unknown): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
  else return typeError(t, v, `a \`${t}\` (a bigint)`);
  const ok = t === "u64" ? BigInt.asUintN(64, b) === b : BigInt.asIntN(64, b) === b;
  if (!ok) typeError(t, v, `a \`${t}\` in range`);
  return b;
}

/** An 8-, 16- or 32-bit integer from the host: a number in range. */
export function smallInt(t: string, v: unknown): number {
  const [lo, hi] = INT_RANGE[t];
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
    typeError(t as InterfaceType, v, `a \`${t}\` (an integer in ${lo}..${hi})`);
  }
  return v as number;
}

/** A `char` from the host: one Unicode scalar value, as its code point. */
export function charCode(v: unknown): number {
  if (typeof v !== "string") return typeError("char", v, "a `char` (a one-character string)");
  const c = v.codePointAt(0);
  if (c === undefined || v.length !== (c > 0xffff ? 2 : 1) || !isScalarValue(c)) {
    typeError("char", v, "a `char` (one Unicode scalar value)");
  }
  return c!;
}

/** The host value of a case of an enum, variant, option or result. */
export function caseValue(t: InterfaceType & object, disc: number, val: unknown): unknown {
  switch (t.kind) {
    case "enum":
      return t.names[disc];
    case "option":
      if (disc === 0) return undefined;
      return isOption(t.type) ? { tag: "some", val } : val;
    case "result":
      return disc === 0 ? { tag: "ok", val } : { tag: "err", val };
    case "variant": {
      const c = t.cases[disc];
      return c.type === undefined ? { tag: c.name } : { tag: c.name, val };
    }
    default:
      throw new Error("not a variant type");
  }
}

/** Whether a type is an `option` (whose some, nested, is `{ tag: "some", val }`). */
export function isOption(t: InterfaceType): boolean {
  return typeof t !== "string" && t.kind === "option";
}

/** The case (discriminant and payload) a host value of a variant-like type is. */
export function caseOf(t: InterfaceType & object, v: unknown): [number, unknown] {
  switch (t.kind) {
    case "enum": {
      const i = typeof v === "string" ? t.names.indexOf(v) : -1;
      if (i < 0) typeError(t, v, `one of ${t.names.map((n) => JSON.stringify(n)).join(", ")}`);
      return [i, undefined];
    }
    case "option": {
      if (v === undefined || v === null) return [0, undefined];
      if (isOption(t.type)) {
        const o = v as { tag?: unknown; val?: unknown };
        if (typeof v !== "object" || o.tag !== "some") {
          typeError(t, v, '`undefined` or `{ tag: "some", val }` (a nested option)');
        }
        return [1, o.val];
      }
      return [1, v];
    }
    case "result": {
      const o = v as { tag?: unknown; val?: unknown };
      if (typeof v !== "object" || v === null || (o.tag !== "ok" && o.tag !== "err")) {
        typeError(t, v, '`{ tag: "ok" | "err", val }`');
      }
      return [o.tag === "ok" ? 0 : 1, o.val];
    }
    case "variant": {
      const o = v as { tag?: unknown; val?: unknown };
      const i = typeof v === "object" && v !== null
        ? t.cases.findIndex((c) => c.name === o.tag)
        : -1;
      if (i < 0) {
        typeError(
          t,
          v,
          `{ tag, val } with a tag of ${t.cases.map((c) => JSON.stringify(c.name)).join(", ")}`,
        );
      }
      return [i, o.val];
    }
    default:
      throw new Error("not a variant type");
  }
}

const mapLists = new WeakMap<object, TypeList>();

/** A map's ABI type: a list of (key, value) tuples (CanonicalABI.md, `despecialize`). */
export function mapList(t: Extract<InterfaceType, { kind: "map" }>): TypeList {
  let l = mapLists.get(t);
  if (l === undefined) {
    l = { kind: "list", element: { kind: "tuple", types: [t.key, t.value] } };
    mapLists.set(t, l);
  }
  return l;
}

/** A map value's entries: a `Map`, or an array of `[key, value]` pairs. */
export function mapItems(t: InterfaceType, v: unknown): readonly unknown[] {
  if (v instanceof Map) return [...v.entries()];
  if (Array.isArray(v)) return copyOf(v);
  return typeError(t, v, "a Map");
}

/**
 * A list value's elements: an array; for a variable-length list of numbers,
 * a typed array of the element's kind, which goes into memory with one
 * copy: one of that kind as it is (an `ArrayBuffer` for `list<u8>`), an
 * array or a typed array of another kind with each element checked.
 */
export function listItems(t: TypeList, v: unknown): readonly unknown[] | NumericArray {
  const T = t.length === undefined ? numericArray(t.element) : undefined;
  if (T !== undefined) {
    if (v instanceof T) return v;
    if (T === Uint8Array && v instanceof ArrayBuffer) return new Uint8Array(v);
    // an array, or a typed array of another kind: each element checked, into the element's kind
    if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
      return checkedNumbers(t.element as string, T, v as unknown as ArrayLike<unknown>);
    }
  }
  const items = Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))
    ? copyOf(v as unknown as ArrayLike<unknown>)
    : typeError(t, v, "an array or a typed array");
  if (t.length !== undefined && items.length !== t.length) {
    typeError(t, v, `an array of ${t.length} elements`);
  }
  return items;
}

/** Numbers from the host, each checked for the element type, as the element's typed array. */
function checkedNumbers(
  e: string,
  T: NumericArrayConstructor,
  items: ArrayLike<unknown>,
): NumericArray {
  const n = items.length;
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new TypeError(`expected an array, got one of length ${String(n)}`);
  }
  const out = new T(n);
  const range = INT_RANGE[e];
  if (range !== undefined) {
    const [lo, hi] = range;
    const o = out as Uint32Array;
    for (let i = 0; i < n; i++) {
      const x = items[i];
      if (typeof x !== "number" || !Number.isInteger(x) || x < lo || x > hi) smallInt(e, x);
      o[i] = x as number;
    }
  } else if (e === "u64" || e === "s64") {
    const o = out as BigInt64Array;
    for (let i = 0; i < n; i++) o[i] = int64(e, items[i]);
  } else {
    const o = out as Float64Array;
    for (let i = 0; i < n; i++) {
      const x = items[i];
      if (typeof x !== "number") typeError(e as InterfaceType, x);
      o[i] = x as number;
    }
  }
  return out;
}

/**
 * A copy of an array, its `length` read once (an array may be a `Proxy`
 * whose length changes, or whose iterator never ends), each element once;
 * holes read as `undefined`.
 */
function copyOf(v: ArrayLike<unknown>): unknown[] {
  const n = v.length;
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new TypeError(`expected an array, got one of length ${String(n)}`);
  }
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = v[i];
  return out;
}

/** A tuple value from the host: an array of its length. */
export function tupleItems(t: TypeTuple, v: unknown): readonly unknown[] {
  if (!Array.isArray(v) || v.length !== t.types.length) {
    typeError(t, v, `an array of ${t.types.length} elements`);
  }
  return v as unknown[];
}

/** A record value from the host: an object. */
export function recordObject(t: InterfaceType & object, v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) typeError(t, v, "an object");
  return v as Record<string, unknown>;
}

/** A flags value's words: an object of booleans; `undefined` or `null` is no flag set (as jco). */
export function flagWords(names: readonly string[], v: unknown): number[] {
  const words = new Array<number>(flagsWords(names.length)).fill(0);
  if (v === undefined || v === null) return words;
  if (typeof v !== "object") typeError({ kind: "flags", names }, v, "an object of booleans");
  const o = v as Record<string, unknown>;
  names.forEach((n, i) => {
    if (o[camelCase(n)]) words[i >>> 5] |= 1 << (i & 31);
  });
  return words.map((w) => w >>> 0);
}

/**
 * A value the host hands in, read once and checked against its type before
 * anything is written: a plain copy the lowering then reads as often as it
 * likes. Arrays (a `Proxy` too) are copied element by element after one read
 * of `length`; records, tuples, variants and flags become plain objects and
 * arrays; numbers, characters and strings are checked; handles are checked
 * by `handle` without being moved. A value of the wrong shape is a
 * `TypeError` naming what was expected, raised before any `realloc` or store.
 * @param t The type.
 * @param v The host's value.
 * @param handle Checks a handle's value (its class and state), without moving it.
 * @returns The checked copy.
 */
export function snapshot(
  t: InterfaceType,
  v: unknown,
  handle?: (t: Extract<InterfaceType, { kind: "own" | "borrow" }>, v: unknown) => void,
): unknown {
  if (typeof t === "string") {
    switch (t) {
      case "bool":
        if (typeof v !== "boolean") typeError(t, v);
        return v;
      case "u64":
      case "s64":
        return int64(t, v);
      case "f32":
      case "f64":
        if (typeof v !== "number") typeError(t, v);
        return v;
      case "char":
        charCode(v);
        return v;
      case "string":
        if (typeof v !== "string") typeError(t, v);
        return v;
      case "error-context":
        if (!(v instanceof ErrorContext)) typeError(t, v, "an `ErrorContext`");
        return v;
      default:
        return smallInt(t, v);
    }
  }
  const each = (e: InterfaceType, items: ArrayLike<unknown>) => {
    const n = items.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = snapshot(e, items[i], handle);
    return out;
  };
  switch (t.kind) {
    case "list": {
      const items = listItems(t, v);
      // typed arrays were checked and copied into the element's kind by listItems
      return Array.isArray(items) ? each(t.element, items) : items;
    }
    case "map":
      return mapItems(t, v).map((pair) => snapshot(mapList(t).element, pair, handle));
    case "tuple": {
      if (!Array.isArray(v)) typeError(t, v, `an array of ${t.types.length} elements`);
      const items = copyOf(v as unknown[]);
      if (items.length !== t.types.length) {
        typeError(t, v, `an array of ${t.types.length} elements`);
      }
      return items.map((x, i) => snapshot(t.types[i], x, handle));
    }
    case "record": {
      const o = recordObject(t, v);
      const out: Record<string, unknown> = {};
      for (const f of t.fields) {
        const key = camelCase(f.name);
        out[key] = snapshot(f.type, o[key], handle);
      }
      return out;
    }
    case "flags": {
      if (v === undefined || v === null) return v;
      if (typeof v !== "object") typeError(t, v, "an object of booleans");
      const o = v as Record<string, unknown>;
      const out: Record<string, boolean> = {};
      for (const n of t.names) out[camelCase(n)] = Boolean(o[camelCase(n)]);
      return out;
    }
    case "enum":
    case "variant":
    case "option":
    case "result": {
      const [disc, val] = caseOf(t, v);
      const payload = t.kind === "enum"
        ? undefined
        : t.kind === "variant"
        ? t.cases[disc].type
        : t.kind === "option"
        ? (disc === 0 ? undefined : t.type)
        : disc === 0
        ? t.ok
        : t.err;
      return caseValue(t, disc, payload === undefined ? undefined : snapshot(payload, val, handle));
    }
    case "own":
    case "borrow":
      handle?.(t, v);
      return v;
    case "future":
      if (!(v instanceof Promise)) typeError(t, v, "a Promise");
      return v;
    case "stream":
      if (!(v instanceof ReadableStream)) typeError(t, v, "a ReadableStream");
      return v;
    default:
      return v;
  }
}
