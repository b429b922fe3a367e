/**
 * The Canonical ABI on the host side: component values as JavaScript
 * values, lifted from core wasm values and linear memory, and lowered back
 * into them (CanonicalABI.md, "Lifting and Lowering Values").
 *
 * The JavaScript value of each type, and the checks on values handed in,
 * are in `js_values.ts`.
 *
 * Every rule the ABI enforces on a value coming out of core wasm raises a
 * {@link Trap} naming it; a JavaScript value of the wrong shape handed to a
 * lowering raises a `TypeError`.
 *
 * @module
 */

import type { StringEncoding } from "../parse/items.ts";
import {
  alignment,
  discriminantSize,
  elemSize,
  flagsWords,
  flattenType,
  type FlatType,
  variantCases,
} from "../types/abi.ts";
import { UnsupportedError } from "../types/errors.ts";
import { type InterfaceType, type TypeHandle, typeToString } from "../types/model.ts";
import {
  camelCase,
  caseOf,
  caseValue,
  charCode,
  flagWords,
  int64,
  isScalarValue,
  listItems,
  LITTLE_ENDIAN,
  mapItems,
  mapList,
  type NumericArray,
  numericArray,
  recordObject,
  smallInt,
  tupleItems,
  typeError,
} from "./js_values.ts";
import { Trap } from "./trap.ts";

/** A core wasm value as the JavaScript API carries it. */
export type CoreNum = number | bigint;

/** The canonical options a lift or lower runs with. */
export interface AbiOptions {
  /** The memory, when the options name one (resolved lazily: it may not exist yet at link time). */
  readonly memory?: () => WebAssembly.Memory;
  /** Whether that memory is 64-bit. */
  readonly memory64: boolean;
  /** The realloc function, when the options name one. */
  readonly realloc?: () => (...args: CoreNum[]) => CoreNum;
  /** The string encoding. */
  readonly stringEncoding: StringEncoding;
  /**
   * How handles cross (`own`/`borrow`): lifting takes a handle index out of
   * this side's table and gives its representation; lowering puts a
   * representation in as a new handle. Without it, handle values are not
   * supported.
   */
  readonly handles?: HandleOps;
}

/** Handle transfers for one side of a call (CanonicalABI.md, `lift_own` ... `lower_borrow`). */
export interface HandleOps {
  /** Lift a handle index of type `t`: what stands for it on the other side. */
  lift(t: TypeHandle, i: number): unknown;
  /** Lower what stands for a resource as a handle of type `t`: its index. */
  lower(t: TypeHandle, v: unknown): number;
  /** Lift an `error-context` handle index: what stands for it on the other side. */
  liftErrorContext?(i: number): unknown;
  /** Lower what stands for an error context as a handle: its index. */
  lowerErrorContext?(v: unknown): number;
  /** Lift the readable end of a future (handle index `i`): what stands for it on the other side. */
  liftFuture?(t: InterfaceType, i: number): unknown;
  /** Lower what stands for a future on the other side as a readable end: its index. */
  lowerFuture?(t: InterfaceType, v: unknown): number;
  /** Lift the readable end of a stream (handle index `i`): what stands for it on the other side. */
  liftStream?(t: InterfaceType, i: number): unknown;
  /** Lower what stands for a stream on the other side as a readable end: its index. */
  lowerStream?(t: InterfaceType, v: unknown): number;
}

/** The largest byte length a string may have (CanonicalABI.md, `MAX_STRING_BYTE_LENGTH`). */
const MAX_STRING_BYTE_LENGTH = 0x7fff_ffff;
const UTF16_TAG = 0x8000_0000;

/** The messages of the rules, as Wasmtime and the conformance suites word them. */
export const RULES = {
  unaligned: "unaligned pointer",
  outOfBounds: "pointer out of bounds of memory",
  char: "invalid `char` bit pattern",
  discriminant: "invalid variant discriminant",
  reallocUnaligned: "unaligned pointer (realloc return: result not aligned)",
  reallocOutOfBounds: "realloc return: beyond end of memory",
  stringOutOfBounds: "string pointer/length out of bounds of memory",
  stringTooLong: "string content out-of-bounds: longer than 2^31-1 bytes",
  stringUnaligned: "unaligned pointer (string pointer not aligned to 2)",
  listOutOfBounds: "list pointer/length out of bounds of memory",
  cannotLeave: "cannot leave component instance",
  cannotEnter: "cannot enter component instance",
} as const;

const scratch = new DataView(new ArrayBuffer(8));
function f32FromBits(i: number): number {
  scratch.setInt32(0, i, true);
  return scratch.getFloat32(0, true);
}
function f32Bits(f: number): number {
  scratch.setFloat32(0, f, true);
  return scratch.getInt32(0, true);
}
function f64FromBits(i: bigint): number {
  scratch.setBigInt64(0, i, true);
  return scratch.getFloat64(0, true);
}
function f64Bits(f: number): bigint {
  scratch.setFloat64(0, f, true);
  return scratch.getBigInt64(0, true);
}

function alignTo(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** What lifting and lowering a type needs, computed once per type and pointer size. */
interface Layout {
  /** Size in memory. */
  readonly size: number;
  /** Alignment in memory. */
  readonly align: number;
  /** Record fields or tuple elements: their offsets. */
  readonly offsets: readonly number[];
  /** Variant-like types (enum included): the case payloads. */
  readonly cases: readonly (InterfaceType | undefined)[];
  /** Variant-like types: the discriminant's size and the payload's offset. */
  readonly discSize: 1 | 2 | 4;
  readonly payloadOffset: number;
  /** Variant-like types: the joined flat types after the discriminant. */
  readonly joined: readonly FlatType[];
  /** Variant-like types: each case payload's own flat types. */
  readonly caseFlat: readonly (readonly FlatType[])[];
}

const layouts = { 4: new WeakMap<object, Layout>(), 8: new WeakMap<object, Layout>() };

function layoutOf(t: InterfaceType, ptrSize: 4 | 8): Layout {
  const cached = typeof t === "string" ? undefined : layouts[ptrSize].get(t);
  if (cached !== undefined) return cached;
  const ptr = ptrSize === 8 ? "i64" : "i32";
  const offsets: number[] = [];
  let cases: (InterfaceType | undefined)[] = [];
  let discSize: 1 | 2 | 4 = 1;
  let payloadOffset = 0;
  if (typeof t !== "string") {
    if (t.kind === "record" || t.kind === "tuple") {
      let at = 0;
      for (const m of t.kind === "record" ? t.fields.map((f) => f.type) : t.types) {
        at = alignTo(at, alignment(m, ptrSize));
        offsets.push(at);
        at += elemSize(m, ptrSize);
      }
    } else if (t.kind === "enum") cases = t.names.map(() => undefined);
    else cases = variantCases(t) ?? [];
    if (t.kind === "enum" || cases.length > 0) {
      discSize = discriminantSize(cases.length);
      let payloadAlign = 1;
      for (const c of cases) {
        if (c !== undefined) payloadAlign = Math.max(payloadAlign, alignment(c, ptrSize));
      }
      payloadOffset = alignTo(discSize, payloadAlign);
    }
  }
  const layout: Layout = {
    size: elemSize(t, ptrSize),
    align: alignment(t, ptrSize),
    offsets,
    cases,
    discSize,
    payloadOffset,
    joined: cases.length > 0 ? flattenType(t, ptr).slice(1) : [],
    caseFlat: cases.map((c) => (c === undefined ? [] : flattenType(c, ptr))),
  };
  if (typeof t !== "string") layouts[ptrSize].set(t, layout);
  return layout;
}

function unsupportedType(t: InterfaceType): never {
  throw new UnsupportedError(
    `host values of type \`${typeToString(t)}\` are not supported yet`,
    "resources",
  );
}

/** Decoding errors worded as Rust's `Utf8Error` (which Wasmtime reports). */
function utf8Error(bytes: Uint8Array): string | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return `invalid utf-8 sequence of 1 bytes from index ${i}`;
    let cp = b & (0x3f >> need);
    let k = 1;
    for (; k <= need; k++) {
      if (i + k >= bytes.length) return `incomplete utf-8 byte sequence from index ${i}`;
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) break;
      cp = (cp << 6) | (c & 0x3f);
      // reject overlong forms, surrogates and code points above U+10FFFF at the first bad byte
      if (k === 1) {
        const bad = (b === 0xe0 && c < 0xa0) || (b === 0xed && c > 0x9f) ||
          (b === 0xf0 && c < 0x90) || (b === 0xf4 && c > 0x8f);
        if (bad) break;
      }
    }
    if (k <= need) return `invalid utf-8 sequence of ${k} bytes from index ${i}`;
    if (cp < min) return `invalid utf-8 sequence of 1 bytes from index ${i}`;
    i += need + 1;
  }
  return undefined;
}

/**
 * Whether the engine can hold a string of `n` code units (V8's longest is
 * 2^29 - 24, other engines' longer). Asked only of long strings, so the
 * probe (`repeat`, which checks the length before it builds anything) is
 * never on a common path.
 */
function fitsString(n: number): boolean {
  if (n < 2 ** 28) return true;
  try {
    "x".repeat(n);
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}

/** A valid string too long for the engine: its own error, not an encoding error. */
function stringTooLongForEngine(what: string): UnsupportedError {
  return new UnsupportedError(
    `a string of ${what} is valid but longer than this JavaScript engine's longest string`,
    "string-length",
  );
}

/** Strings up to this length take the ASCII fast paths (longer ones: the engine's coders). */
const SHORT_STRING = 64;

function isAscii(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) >= 0x80) return false;
  return true;
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf16Decoder = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * One side of a call: canonical options bound to their runtime values, with
 * the operations that read and write component values through them.
 */
export class AbiContext {
  readonly #opts: AbiOptions;
  #memory?: WebAssembly.Memory;
  #buffer?: ArrayBufferLike;
  #view?: DataView;
  #bytes?: Uint8Array;
  /** The size of a pointer in the memory: 4, or 8 for memory64. */
  readonly ptrSize: 4 | 8;

  /**
   * Bind options.
   * @param opts The options.
   */
  constructor(opts: AbiOptions) {
    this.#opts = opts;
    this.ptrSize = opts.memory64 ? 8 : 4;
  }

  /** The memory's current view (memory growth replaces the buffer). */
  #dv(): DataView {
    if (this.#memory === undefined) {
      const m = this.#opts.memory?.();
      if (m === undefined) throw new Error("these canonical options name no memory");
      this.#memory = m;
    }
    const buffer = this.#memory.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#view = new DataView(buffer);
      this.#bytes = new Uint8Array(buffer);
    }
    return this.#view!;
  }

  #u8(): Uint8Array {
    this.#dv();
    return this.#bytes!;
  }

  /**
   * Size and alignment of a type in this memory (cached per type).
   * @param t The type.
   * @returns Its size and alignment in bytes.
   */
  layout(t: InterfaceType): { readonly size: number; readonly align: number } {
    return layoutOf(t, this.ptrSize);
  }

  /** How handles cross here, or the refusal of handle values. */
  #handles(t: InterfaceType): HandleOps {
    return this.#opts.handles ?? unsupportedType(t);
  }

  /** The error context at handle index `i` (`lift_error_context`). */
  #liftErrorContext(i: number): unknown {
    const ops = this.#handles("error-context");
    return ops.liftErrorContext === undefined
      ? unsupportedType("error-context")
      : ops.liftErrorContext(i);
  }

  /** The readable end of a future at handle index `i`, taken by the other side. */
  #liftFuture(t: InterfaceType, i: number): unknown {
    const ops = this.#handles(t);
    return ops.liftFuture === undefined ? unsupportedType(t) : ops.liftFuture(t, i);
  }

  /** The readable end of a stream at handle index `i`, taken by the other side. */
  #liftStream(t: InterfaceType, i: number): unknown {
    const ops = this.#handles(t);
    return ops.liftStream === undefined ? unsupportedType(t) : ops.liftStream(t, i);
  }

  /** A future from the other side as a readable end's handle index. */
  #lowerFuture(t: InterfaceType, v: unknown): number {
    const ops = this.#handles(t);
    return ops.lowerFuture === undefined ? unsupportedType(t) : ops.lowerFuture(t, v);
  }

  /** A stream from the other side as a readable end's handle index. */
  #lowerStream(t: InterfaceType, v: unknown): number {
    const ops = this.#handles(t);
    return ops.lowerStream === undefined ? unsupportedType(t) : ops.lowerStream(t, v);
  }

  /** An error context as a handle index (`lower_error_context`). */
  #lowerErrorContext(v: unknown): number {
    const ops = this.#handles("error-context");
    return ops.lowerErrorContext === undefined
      ? unsupportedType("error-context")
      : ops.lowerErrorContext(v);
  }

  /** The memory's size in bytes. */
  memorySize(): number {
    return this.#dv().byteLength;
  }

  /**
   * The bytes `[p, p + n)` of the memory, as a view (valid until the memory grows).
   * @param p The first byte.
   * @param n How many.
   * @returns The view.
   */
  bytes(p: number, n: number): Uint8Array {
    return this.#u8().subarray(p, p + n);
  }

  /** The string encoding of these options. */
  get stringEncoding(): StringEncoding {
    return this.#opts.stringEncoding;
  }

  // ---- pointers ----

  /** A pointer from a core value (`i32` unsigned, or `i64`). */
  ptr(v: CoreNum): number {
    return typeof v === "bigint" ? Number(BigInt.asUintN(64, v)) : v >>> 0;
  }

  /** A pointer as a core value of this memory's index type. */
  corePtr(p: number): CoreNum {
    return this.ptrSize === 8 ? BigInt(p) : p | 0;
  }

  /** Trap unless `[p, p + size)` is aligned to `align` and inside memory. */
  check(p: number, align: number, size: number, unaligned: string, oob: string): void {
    if (p % align !== 0) throw new Trap(unaligned);
    if (p + size > this.memorySize()) throw new Trap(oob);
  }

  #loadPtr(p: number): number {
    const dv = this.#dv();
    return this.ptrSize === 8 ? Number(dv.getBigUint64(p, true)) : dv.getUint32(p, true);
  }

  #storePtr(p: number, v: number): void {
    const dv = this.#dv();
    if (this.ptrSize === 8) dv.setBigUint64(p, BigInt(v), true);
    else dv.setUint32(p, v, true);
  }

  /**
   * Call realloc, for a new block or to resize `old` (its contents kept, as
   * realloc's contract says), and check the block it returns.
   */
  realloc(align: number, size: number, old = 0, oldSize = 0): number {
    const realloc = this.#opts.realloc?.();
    if (realloc === undefined) throw new Error("these canonical options name no realloc");
    // every parameter is of the memory's address type (`i64` for memory64), the alignment too
    const c = (n: number) => this.corePtr(n);
    const p = this.ptr(realloc(c(old), c(oldSize), c(align), c(size)));
    this.check(p, align, size, RULES.reallocUnaligned, RULES.reallocOutOfBounds);
    return p;
  }

  // ---- loads (core memory to JS) ----

  /**
   * Load a value of type `t` at `p` (already checked for alignment and bounds).
   * @param t The type.
   * @param p The address.
   * @returns The JavaScript value.
   */
  load(t: InterfaceType, p: number): unknown {
    const dv = this.#dv();
    if (typeof t === "string") {
      switch (t) {
        case "bool":
          return dv.getUint8(p) !== 0;
        case "u8":
          return dv.getUint8(p);
        case "s8":
          return dv.getInt8(p);
        case "u16":
          return dv.getUint16(p, true);
        case "s16":
          return dv.getInt16(p, true);
        case "u32":
          return dv.getUint32(p, true);
        case "s32":
          return dv.getInt32(p, true);
        case "u64":
          return dv.getBigUint64(p, true);
        case "s64":
          return dv.getBigInt64(p, true);
        case "f32":
          return dv.getFloat32(p, true);
        case "f64":
          return dv.getFloat64(p, true);
        case "char":
          return this.#char(dv.getUint32(p, true));
        case "string":
          return this.liftString(this.#loadPtr(p), this.#loadPtr(p + this.ptrSize));
        case "error-context":
          return this.#liftErrorContext(dv.getUint32(p, true));
        default:
          return unsupportedType(t);
      }
    }
    switch (t.kind) {
      case "map":
        return new Map(this.load(mapList(t), p) as [unknown, unknown][]);
      case "list": {
        if (t.length !== undefined) return this.#loadFixed(t.element, t.length, p);
        return this.liftList(t.element, this.#loadPtr(p), this.#loadPtr(p + this.ptrSize));
      }
      case "record": {
        const { offsets } = layoutOf(t, this.ptrSize);
        const o: Record<string, unknown> = {};
        t.fields.forEach((f, i) => {
          o[camelCase(f.name)] = this.load(f.type, p + offsets[i]);
        });
        return o;
      }
      case "tuple": {
        const { offsets } = layoutOf(t, this.ptrSize);
        return t.types.map((e, i) => this.load(e, p + offsets[i]));
      }
      case "flags": {
        const n = t.names.length;
        const { size } = layoutOf(t, this.ptrSize);
        const words: number[] = [];
        if (size === 1) words.push(dv.getUint8(p));
        else if (size === 2) words.push(dv.getUint16(p, true));
        else for (let i = 0; i < flagsWords(n); i++) words.push(dv.getUint32(p + 4 * i, true));
        return this.#flags(t.names, words);
      }
      case "enum":
      case "variant":
      case "option":
      case "result": {
        const { cases, discSize: ds, payloadOffset } = layoutOf(t, this.ptrSize);
        const disc = ds === 1
          ? dv.getUint8(p)
          : ds === 2
          ? dv.getUint16(p, true)
          : dv.getUint32(p, true);
        if (disc >= cases.length) throw new Trap(RULES.discriminant);
        const c = cases[disc];
        const val = c === undefined ? undefined : this.load(c, p + payloadOffset);
        return caseValue(t, disc, val);
      }
      case "own":
      case "borrow":
        return this.#handles(t).lift(t, this.#dv().getUint32(p, true));
      case "future":
        return this.#liftFuture(t, this.#dv().getUint32(p, true));
      case "stream":
        return this.#liftStream(t, this.#dv().getUint32(p, true));
      default:
        return unsupportedType(t);
    }
  }

  #loadFixed(e: InterfaceType, n: number, p: number): unknown[] {
    const { size } = layoutOf(e, this.ptrSize);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(this.load(e, p + i * size));
    return out;
  }

  #char(c: number): string {
    if (!isScalarValue(c)) throw new Trap(RULES.char);
    return String.fromCodePoint(c);
  }

  #flags(names: readonly string[], words: readonly number[]): Record<string, boolean> {
    const o: Record<string, boolean> = {};
    names.forEach((name, i) => {
      o[camelCase(name)] = ((words[i >>> 5] >>> (i & 31)) & 1) === 1;
    });
    return o;
  }

  /**
   * Lift a string from its pointer and (tagged) length.
   * @param p The pointer.
   * @param taggedLen The length in code units (bit 31 tags UTF-16 in `latin1+utf16`).
   * @returns The string.
   */
  liftString(p: number, taggedLen: number): string {
    let encoding = this.#opts.stringEncoding;
    let units = taggedLen;
    if (encoding === "latin1+utf16") {
      if (taggedLen >= UTF16_TAG) {
        units = taggedLen - UTF16_TAG;
        encoding = "utf16";
      } else encoding = "latin1+utf16";
    }
    const unit = encoding === "utf16" ? 2 : 1;
    const byteLen = units * unit;
    if (byteLen > MAX_STRING_BYTE_LENGTH) throw new Trap(RULES.stringTooLong);
    // latin1+utf16 strings are 2-aligned in both forms (CanonicalABI.md, load_string_from_range)
    if (p % (this.#opts.stringEncoding === "utf8" ? 1 : 2) !== 0) {
      throw new Trap(RULES.stringUnaligned);
    }
    if (p + byteLen > this.memorySize()) throw new Trap(RULES.stringOutOfBounds);
    const bytes = this.#u8().subarray(p, p + byteLen);
    if (encoding === "utf8") {
      // short ASCII strings: a JS loop beats a call into the engine's decoder
      if (bytes.length <= SHORT_STRING) {
        let ascii = "";
        let i = 0;
        for (; i < bytes.length && bytes[i] < 0x80; i++) ascii += String.fromCharCode(bytes[i]);
        if (i === bytes.length) return ascii;
      }
      try {
        return utf8Decoder.decode(bytes);
      } catch {
        // the decoder says the same for bad bytes and for a string the engine cannot hold
        const why = utf8Error(bytes);
        if (why === undefined) throw stringTooLongForEngine(`${byteLen} bytes of UTF-8`);
        throw new Trap(why);
      }
    }
    if (!fitsString(units)) throw stringTooLongForEngine(`${units} code units`);
    if (encoding === "utf16") {
      try {
        return utf16Decoder.decode(bytes);
      } catch {
        throw new Trap("invalid utf-16: unpaired surrogate");
      }
    }
    // not `TextDecoder("latin1")`: the Encoding Standard maps that label to windows-1252,
    // which reads 0x80-0x9f as other code points; Latin-1 is byte value = code point
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x2000) {
      s += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
    }
    return s;
  }

  /**
   * Lift a list from its pointer and length.
   * @param e The element type.
   * @param p The pointer.
   * @param n The length.
   * @returns The elements.
   */
  liftList(e: InterfaceType, p: number, n: number): unknown[] | NumericArray {
    const { size, align } = layoutOf(e, this.ptrSize);
    if (p % align !== 0) throw new Trap(RULES.unaligned);
    if (p + n * size > this.memorySize()) throw new Trap(RULES.listOutOfBounds);
    const T = numericArray(e);
    // numeric elements: one copy out of linear memory, as jco does
    if (T !== undefined) return new T(this.#u8().slice(p, p + n * size).buffer);
    return this.#loadFixed(e, n, p);
  }

  // ---- flat lifts (core values to JS) ----

  /**
   * Lift a value from flat core values.
   * @param t The type.
   * @param src The flat values and their core types, with a cursor.
   * @returns The JavaScript value.
   */
  liftFlat(t: InterfaceType, src: FlatSource): unknown {
    if (typeof t === "string") {
      switch (t) {
        case "bool":
          return src.i32() !== 0;
        case "u8":
          return src.i32() & 0xff;
        case "s8":
          return (src.i32() << 24) >> 24;
        case "u16":
          return src.i32() & 0xffff;
        case "s16":
          return (src.i32() << 16) >> 16;
        case "u32":
          return src.i32() >>> 0;
        case "s32":
          return src.i32() | 0;
        case "u64":
          return BigInt.asUintN(64, src.i64());
        case "s64":
          return BigInt.asIntN(64, src.i64());
        case "f32":
          return src.f32();
        case "f64":
          return src.f64();
        case "char":
          return this.#char(src.i32() >>> 0);
        case "string": {
          const p = this.ptr(src.ptr(this.ptrSize));
          return this.liftString(p, this.ptr(src.ptr(this.ptrSize)));
        }
        case "error-context":
          return this.#liftErrorContext(src.i32() >>> 0);
        default:
          return unsupportedType(t);
      }
    }
    switch (t.kind) {
      case "map":
        return new Map(this.liftFlat(mapList(t), src) as [unknown, unknown][]);
      case "list": {
        if (t.length !== undefined) {
          const out: unknown[] = [];
          for (let i = 0; i < t.length; i++) out.push(this.liftFlat(t.element, src));
          return out;
        }
        const p = this.ptr(src.ptr(this.ptrSize));
        return this.liftList(t.element, p, this.ptr(src.ptr(this.ptrSize)));
      }
      case "record": {
        const o: Record<string, unknown> = {};
        for (const f of t.fields) o[camelCase(f.name)] = this.liftFlat(f.type, src);
        return o;
      }
      case "tuple":
        return t.types.map((e) => this.liftFlat(e, src));
      case "flags": {
        const words: number[] = [];
        for (let i = flagsWords(t.names.length); i > 0; i--) words.push(src.i32());
        return this.#flags(t.names, words);
      }
      case "enum":
      case "variant":
      case "option":
      case "result": {
        const { cases, joined, caseFlat } = layoutOf(t, this.ptrSize);
        const disc = src.i32() >>> 0;
        const vals = src.take(joined.length);
        if (disc >= cases.length) throw new Trap(RULES.discriminant);
        const c = cases[disc];
        let val: unknown;
        if (c !== undefined) {
          const want = caseFlat[disc];
          const coerced = want.map((w, i) => coerceFromJoined(vals[i], joined[i], w));
          val = this.liftFlat(c, new FlatSource(coerced));
        }
        return caseValue(t, disc, val);
      }
      case "own":
      case "borrow":
        return this.#handles(t).lift(t, src.i32() >>> 0);
      case "future":
        return this.#liftFuture(t, src.i32() >>> 0);
      case "stream":
        return this.#liftStream(t, src.i32() >>> 0);
      default:
        return unsupportedType(t);
    }
  }

  // ---- stores (JS to core memory) ----

  /**
   * Store a JavaScript value of type `t` at `p` (already checked).
   * @param t The type.
   * @param v The value.
   * @param p The address.
   */
  store(t: InterfaceType, v: unknown, p: number): void {
    if (typeof t === "string") {
      switch (t) {
        case "bool":
          if (typeof v !== "boolean") typeError(t, v);
          this.#dv().setUint8(p, v ? 1 : 0);
          return;
        case "u8":
        case "s8":
          this.#dv().setUint8(p, smallInt(t, v) & 0xff);
          return;
        case "u16":
        case "s16":
          this.#dv().setUint16(p, smallInt(t, v) & 0xffff, true);
          return;
        case "u32":
        case "s32":
          this.#dv().setUint32(p, smallInt(t, v) >>> 0, true);
          return;
        case "u64":
        case "s64":
          this.#dv().setBigUint64(p, BigInt.asUintN(64, int64(t, v)), true);
          return;
        case "f32":
          if (typeof v !== "number") typeError(t, v);
          this.#dv().setFloat32(p, v as number, true);
          return;
        case "f64":
          if (typeof v !== "number") typeError(t, v);
          this.#dv().setFloat64(p, v as number, true);
          return;
        case "char":
          this.#dv().setUint32(p, charCode(v), true);
          return;
        case "error-context":
          this.#dv().setUint32(p, this.#lowerErrorContext(v), true);
          return;
        case "string": {
          const [sp, len] = this.lowerString(v);
          this.#storePtr(p, sp);
          this.#storePtr(p + this.ptrSize, len);
          return;
        }
        default:
          return unsupportedType(t);
      }
    }
    switch (t.kind) {
      case "map":
        return this.store(mapList(t), mapItems(t, v), p);
      case "list": {
        const items = listItems(t, v);
        if (t.length !== undefined) {
          const { size } = layoutOf(t.element, this.ptrSize);
          (items as unknown[]).forEach((e, i) => this.store(t.element, e, p + i * size));
          return;
        }
        const lp = this.lowerList(t.element, items);
        this.#storePtr(p, lp);
        this.#storePtr(p + this.ptrSize, items.length);
        return;
      }
      case "record": {
        const o = recordObject(t, v);
        const { offsets } = layoutOf(t, this.ptrSize);
        t.fields.forEach((f, i) => this.store(f.type, o[camelCase(f.name)], p + offsets[i]));
        return;
      }
      case "tuple": {
        const items = tupleItems(t, v);
        const { offsets } = layoutOf(t, this.ptrSize);
        t.types.forEach((e, i) => this.store(e, items[i], p + offsets[i]));
        return;
      }
      case "flags": {
        const words = flagWords(t.names, v);
        const { size } = layoutOf(t, this.ptrSize);
        const dv = this.#dv();
        if (size === 1) dv.setUint8(p, words[0]);
        else if (size === 2) dv.setUint16(p, words[0], true);
        else words.forEach((w, i) => dv.setUint32(p + 4 * i, w, true));
        return;
      }
      case "enum":
      case "variant":
      case "option":
      case "result": {
        const { cases, discSize: ds, payloadOffset } = layoutOf(t, this.ptrSize);
        const [disc, val] = caseOf(t, v);
        const dv = this.#dv();
        if (ds === 1) dv.setUint8(p, disc);
        else if (ds === 2) dv.setUint16(p, disc, true);
        else dv.setUint32(p, disc, true);
        const c = cases[disc];
        if (c !== undefined) this.store(c, val, p + payloadOffset);
        return;
      }
      case "own":
      case "borrow":
        this.#dv().setUint32(p, this.#handles(t).lower(t, v), true);
        return;
      case "future":
        this.#dv().setUint32(p, this.#lowerFuture(t, v), true);
        return;
      case "stream":
        this.#dv().setUint32(p, this.#lowerStream(t, v), true);
        return;
      default:
        return unsupportedType(t);
    }
  }

  /**
   * Lower a string into memory (through realloc).
   * @param v The string.
   * @returns Its pointer and tagged length in code units.
   */
  lowerString(v: unknown): [number, number] {
    if (typeof v !== "string") return typeError("string", v);
    const enc = this.#opts.stringEncoding;
    if (enc === "utf8") {
      if (v.length <= SHORT_STRING && isAscii(v)) {
        const p = this.realloc(1, v.length);
        const u8 = this.#u8();
        for (let i = 0; i < v.length; i++) u8[p + i] = v.charCodeAt(i);
        return [p, v.length];
      }
      const bytes = utf8Encoder.encode(v);
      if (bytes.length > MAX_STRING_BYTE_LENGTH) throw new Trap(RULES.stringTooLong);
      const p = this.realloc(1, bytes.length);
      this.#u8().set(bytes, p);
      return [p, bytes.length];
    }
    let latin1 = enc === "latin1+utf16";
    if (latin1) {
      for (let i = 0; i < v.length; i++) {
        if (v.charCodeAt(i) > 0xff) {
          latin1 = false;
          break;
        }
      }
    }
    const bytes = v.length * (latin1 ? 1 : 2);
    if (bytes > MAX_STRING_BYTE_LENGTH) throw new Trap(RULES.stringTooLong);
    const p = this.realloc(2, bytes);
    if (latin1) {
      const u8 = this.#u8();
      for (let i = 0; i < v.length; i++) u8[p + i] = v.charCodeAt(i);
      return [p, v.length];
    }
    const dv = this.#dv();
    if (LITTLE_ENDIAN) {
      // the pointer is 2-aligned (realloc's result was checked): a typed view is the fast path
      const u16 = new Uint16Array(dv.buffer, p, v.length);
      for (let i = 0; i < v.length; i++) u16[i] = v.charCodeAt(i);
    } else {
      for (let i = 0; i < v.length; i++) dv.setUint16(p + 2 * i, v.charCodeAt(i), true);
    }
    return [p, enc === "latin1+utf16" ? v.length + UTF16_TAG : v.length];
  }

  /**
   * Lower a list into memory (through realloc).
   * @param e The element type.
   * @param items The elements.
   * @returns The pointer.
   */
  lowerList(e: InterfaceType, items: readonly unknown[] | NumericArray): number {
    const { size, align } = layoutOf(e, this.ptrSize);
    const p = this.realloc(align, items.length * size);
    if (!Array.isArray(items)) {
      // a typed array of the element's own kind: one copy into linear memory
      const a = items as NumericArray;
      this.#u8().set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
      return p;
    }
    items.forEach((x, i) => this.store(e, x, p + i * size));
    return p;
  }

  // ---- flat lowers (JS to core values) ----

  /**
   * Lower a JavaScript value into flat core values.
   * @param t The type.
   * @param v The value.
   * @param out Where to append the values.
   */
  lowerFlat(t: InterfaceType, v: unknown, out: CoreNum[]): void {
    if (typeof t === "string") {
      switch (t) {
        case "bool":
          if (typeof v !== "boolean") typeError(t, v);
          out.push(v ? 1 : 0);
          return;
        case "u8":
        case "s8":
        case "u16":
        case "s16":
        case "u32":
        case "s32":
          out.push(smallInt(t, v) | 0);
          return;
        case "u64":
        case "s64":
          out.push(BigInt.asIntN(64, int64(t, v)));
          return;
        case "f32":
        case "f64":
          if (typeof v !== "number") typeError(t, v);
          out.push(v as number);
          return;
        case "char":
          out.push(charCode(v));
          return;
        case "error-context":
          out.push(this.#lowerErrorContext(v) | 0);
          return;
        case "string": {
          const [p, len] = this.lowerString(v);
          out.push(this.corePtr(p), this.corePtr(len));
          return;
        }
        default:
          return unsupportedType(t);
      }
    }
    switch (t.kind) {
      case "map":
        return this.lowerFlat(mapList(t), mapItems(t, v), out);
      case "list": {
        const items = listItems(t, v);
        if (t.length !== undefined) {
          for (const e of items as unknown[]) this.lowerFlat(t.element, e, out);
          return;
        }
        const p = this.lowerList(t.element, items);
        out.push(this.corePtr(p), this.corePtr(items.length));
        return;
      }
      case "record": {
        const o = recordObject(t, v);
        for (const f of t.fields) this.lowerFlat(f.type, o[camelCase(f.name)], out);
        return;
      }
      case "tuple": {
        const items = tupleItems(t, v);
        t.types.forEach((e, i) => this.lowerFlat(e, items[i], out));
        return;
      }
      case "flags":
        for (const w of flagWords(t.names, v)) out.push(w | 0);
        return;
      case "enum":
      case "variant":
      case "option":
      case "result": {
        const { cases, joined, caseFlat } = layoutOf(t, this.ptrSize);
        const [disc, val] = caseOf(t, v);
        out.push(disc);
        const c = cases[disc];
        const payload: CoreNum[] = [];
        if (c !== undefined) this.lowerFlat(c, val, payload);
        const have = caseFlat[disc];
        joined.forEach((j, i) => {
          out.push(i < payload.length ? coerceToJoined(payload[i], have[i], j) : zero(j));
        });
        return;
      }
      case "own":
      case "borrow":
        out.push(this.#handles(t).lower(t, v) | 0);
        return;
      case "future":
        out.push(this.#lowerFuture(t, v) | 0);
        return;
      case "stream":
        out.push(this.#lowerStream(t, v) | 0);
        return;
      default:
        return unsupportedType(t);
    }
  }
}

function zero(t: FlatType): CoreNum {
  return t === "i64" ? 0n : 0;
}

/** A payload value (of core type `have`) widened to the variant's joined core type. */
function coerceToJoined(v: CoreNum, have: FlatType, joined: FlatType): CoreNum {
  if (have === joined) return v;
  if (joined === "i32") return f32Bits(v as number); // f32 -> i32
  // joined is i64
  if (have === "i32") return BigInt((v as number) >>> 0);
  if (have === "f32") return BigInt(f32Bits(v as number) >>> 0);
  return f64Bits(v as number); // f64 -> i64
}

/** A joined core value narrowed to the payload's own core type. */
function coerceFromJoined(v: CoreNum, joined: FlatType, want: FlatType): CoreNum {
  if (joined === want) return v;
  if (joined === "i32") return f32FromBits(v as number); // i32 -> f32
  // joined is i64
  const b = v as bigint;
  if (want === "i32") return Number(BigInt.asIntN(32, b));
  if (want === "f32") return f32FromBits(Number(BigInt.asIntN(32, b)));
  return f64FromBits(b);
}

/** Flat core values with a cursor. */
export class FlatSource {
  #i = 0;
  /** The values (`number` for i32/f32/f64, `bigint` for i64). */
  readonly vals: readonly CoreNum[];

  /**
   * Start reading flat values.
   * @param vals The values.
   */
  constructor(vals: readonly CoreNum[]) {
    this.vals = vals;
  }
  #next(): CoreNum {
    if (this.#i >= this.vals.length) throw new Error("too few flat values for the type");
    return this.vals[this.#i++];
  }
  /** The next value as an i32. */
  i32(): number {
    return this.#next() as number;
  }
  /** The next value as an i64. */
  i64(): bigint {
    return this.#next() as bigint;
  }
  /** The next value as an f32. */
  f32(): number {
    return this.#next() as number;
  }
  /** The next value as an f64. */
  f64(): number {
    return this.#next() as number;
  }
  /** The next value as a pointer or length. */
  ptr(_size: 4 | 8): CoreNum {
    return this.#next();
  }
  /** The next `n` values. */
  take(n: number): CoreNum[] {
    const out = this.vals.slice(this.#i, this.#i + n);
    this.#i += n;
    return out;
  }
}
