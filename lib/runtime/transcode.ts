/**
 * The string transcoders adapter modules import: one host function per
 * encoding pair and memory pair, `(ptr, len) -> (ptr, len)`. Each reads the
 * source string with the checks of CanonicalABI.md's `load_string`
 * (alignment, bounds, valid UTF-8 or UTF-16, the length limit), then stores
 * it as `store_string_into_range` does: the destination's `realloc` is
 * called in the spec's order (exact, or optimistic or worst case then
 * resized), each block checked for alignment and bounds.
 *
 * The source is validated by the engine's own decoder (`TextDecoder` with
 * `fatal`); when no bytes change (same encoding), they are copied as they
 * are with `Uint8Array.prototype.set`, and otherwise written from the
 * decoded string. (The UTF-8 to UTF-8 copy, the common case, never comes
 * here: adapters do it in wasm.)
 *
 * @module
 */

import { TrapCode, TRAPS } from "../fact/traps.ts";
import { Trap } from "./trap.ts";
import { type AbiContext, type CoreNum, RULES } from "./values.ts";

/** The tag of a UTF-16 length in `latin1+utf16`. */
const UTF16_TAG = 0x8000_0000;

/** Adapter traps use Wasmtime's words for out-of-bounds strings. */
function adapterTrap(e: unknown): unknown {
  if (
    e instanceof Trap &&
    (e.message === RULES.stringOutOfBounds || e.message === RULES.reallocOutOfBounds)
  ) {
    return new Trap(`${TRAPS[TrapCode.StringOutOfBounds]} (${e.message})`);
  }
  return e;
}

/** Encodes UTF-8 (the engine's encoder). */
const utf8Encoder = new TextEncoder();

/** The longest string in bytes (CanonicalABI.md, `MAX_STRING_BYTE_LENGTH`). */
const MAX_BYTES = 0x7fff_ffff;

/** A string's encoding once a `latin1+utf16` length's tag is read. */
type SimpleEncoding = "utf8" | "utf16" | "latin1";

/**
 * A transcoder from `src`'s memory and encoding into `dst`'s.
 *
 * The destination's `realloc` is called in the order CanonicalABI.md's
 * `store_string_into_range` calls it, so a component observing its calls
 * sees what Wasmtime gives it: an exact allocation when the size is known
 * (a copy, Latin-1 inflated to UTF-16), else an optimistic or worst-case
 * one followed by a resizing call (UTF-16 or Latin-1 into UTF-8, UTF-8 into
 * UTF-16, anything into `latin1+utf16`). Every block `realloc` returns for a
 * `latin1+utf16` or UTF-16 string is asked for, and checked, at alignment 2
 * (the spec asks the last shrink of `store_probably_utf16_to_latin1_or_utf16`
 * at alignment 1, but the string it gives must be 2-aligned to be read;
 * Wasmtime asks 2 too).
 * @param src The source side's context.
 * @param dst The destination side's context (with its realloc).
 * @returns The host function an adapter module imports.
 */
export function transcoder(
  src: AbiContext,
  dst: AbiContext,
): (ptr: CoreNum, len: CoreNum) => CoreNum[] {
  const from = src.stringEncoding;
  const to = dst.stringEncoding;
  return (ptr, len) => {
    try {
      const p = src.ptr(ptr);
      const n = src.ptr(len);
      // lifting checks and validates (and decodes, which the engine does fast)
      const s = src.liftString(p, n);
      let simple: SimpleEncoding;
      let units = n;
      if (from === "latin1+utf16") {
        simple = n >= UTF16_TAG ? "utf16" : "latin1";
        if (n >= UTF16_TAG) units = n - UTF16_TAG;
      } else simple = from;
      const unitSize = simple === "utf16" ? 2 : 1;
      const [q, m] = store(dst, to, s, from, simple, units, () => src.bytes(p, units * unitSize));
      return [dst.corePtr(q), dst.corePtr(m)];
    } catch (e) {
      throw adapterTrap(e);
    }
  };
}

/**
 * Store a validated string into the destination (CanonicalABI.md,
 * `store_string_into_range`). `raw` gives the source bytes, for copies.
 */
function store(
  dst: AbiContext,
  to: string,
  s: string,
  from: string,
  simple: SimpleEncoding,
  units: number,
  raw: () => Uint8Array,
): [number, number] {
  if (to === "utf8") {
    if (simple === "utf8") return copy(dst, units, 1, raw);
    return toUtf8(dst, s, units, simple === "utf16" ? 3 * units : 2 * units);
  }
  if (to === "utf16") {
    if (simple === "utf8") return utf8ToUtf16(dst, s, units);
    if (simple === "utf16") return copy(dst, units, 2, raw);
    return latin1ToUtf16(dst, s, units);
  }
  // latin1+utf16
  if (from !== "latin1+utf16") return toLatin1OrUtf16(dst, s, units);
  if (simple === "latin1") return copy(dst, units, 2, raw, units);
  return probablyUtf16(dst, s, units);
}

/** `store_string_copy` of bytes that need no change: one exact allocation. */
function copy(
  dst: AbiContext,
  units: number,
  align: number,
  raw: () => Uint8Array,
  bytes = units * align,
): [number, number] {
  const q = dst.realloc(align, bytes);
  // read the source after realloc: it may have grown a memory both sides share
  dst.bytes(q, bytes).set(raw());
  return [q, units];
}

/** Latin-1 inflated to UTF-16 (`store_string_copy`): one exact allocation. */
function latin1ToUtf16(dst: AbiContext, s: string, units: number): [number, number] {
  const q = dst.realloc(2, 2 * units);
  writeUtf16(dst, q, s, 0);
  return [q, units];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Write `s` from code unit `from` on as UTF-16LE at `q + 2 * from` (`q` is 2-aligned). */
function writeUtf16(dst: AbiContext, q: number, s: string, from: number): void {
  const out = dst.bytes(q, 2 * s.length);
  if (LITTLE_ENDIAN) {
    const u16 = new Uint16Array(out.buffer, out.byteOffset, s.length);
    for (let i = from; i < s.length; i++) u16[i] = s.charCodeAt(i);
    return;
  }
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >>> 8;
  }
}

/**
 * `store_string_to_utf8`: optimistically one byte per code unit; at the
 * first code point that is not ASCII, grow to the worst case, write the
 * rest, then shrink to the encoded size.
 */
function toUtf8(dst: AbiContext, s: string, units: number, worst: number): [number, number] {
  let q = dst.realloc(1, units);
  let i = 0;
  let out = dst.bytes(q, units);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    out[i] = c;
  }
  if (i === s.length) return [q, units];
  if (worst > MAX_BYTES) throw new Trap(RULES.stringTooLong);
  q = dst.realloc(1, worst, q, units);
  const encoded = utf8Encoder.encode(s);
  out = dst.bytes(q, encoded.length);
  out.set(encoded.subarray(i), i);
  if (worst > encoded.length) q = dst.realloc(1, encoded.length, q, worst);
  return [q, encoded.length];
}

/** `store_utf8_to_utf16`: the worst case (two bytes per UTF-8 byte), then shrink. */
function utf8ToUtf16(dst: AbiContext, s: string, bytes: number): [number, number] {
  const worst = 2 * bytes;
  if (worst > MAX_BYTES) throw new Trap(RULES.stringTooLong);
  let q = dst.realloc(2, worst);
  writeUtf16(dst, q, s, 0);
  if (2 * s.length < worst) q = dst.realloc(2, 2 * s.length, q, worst);
  return [q, s.length];
}

/**
 * `store_string_to_latin1_or_utf16`: optimistically Latin-1 in one byte per
 * source code unit; at the first code point past U+00FF, grow to twice the
 * source's code units, inflate what was written, write the rest as UTF-16
 * and shrink to it; else shrink to the Latin-1 bytes.
 */
function toLatin1OrUtf16(dst: AbiContext, s: string, units: number): [number, number] {
  let q = dst.realloc(2, units);
  let out = dst.bytes(q, units);
  let written = 0;
  for (; written < s.length; written++) {
    const c = s.charCodeAt(written);
    if (c > 0xff) break;
    out[written] = c;
  }
  if (written === s.length) {
    if (written < units) q = dst.realloc(2, written, q, units);
    return [q, written];
  }
  const worst = 2 * units;
  if (worst > MAX_BYTES) throw new Trap(RULES.stringTooLong);
  q = dst.realloc(2, worst, q, units);
  // inflate the Latin-1 bytes in place, from the end so none is overwritten before it is read
  out = dst.bytes(q, worst);
  for (let j = written - 1; j >= 0; j--) {
    out[2 * j] = out[j];
    out[2 * j + 1] = 0;
  }
  writeUtf16(dst, q, s, written);
  if (worst > 2 * s.length) q = dst.realloc(2, 2 * s.length, q, worst);
  return [q, s.length + UTF16_TAG];
}

/**
 * `store_probably_utf16_to_latin1_or_utf16`: UTF-16 at its size; when every
 * code unit fits Latin-1, deflate in place and shrink.
 */
function probablyUtf16(dst: AbiContext, s: string, units: number): [number, number] {
  let q = dst.realloc(2, 2 * units);
  writeUtf16(dst, q, s, 0);
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return [q, units + UTF16_TAG];
  const out = dst.bytes(q, 2 * units);
  for (let i = 0; i < units; i++) out[i] = out[2 * i];
  q = dst.realloc(2, units, q, 2 * units);
  return [q, units];
}
