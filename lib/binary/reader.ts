/**
 * A cursor over a byte window that knows the absolute offset of its first
 * byte, so that every error names where in the whole input it happened.
 *
 * @module
 */

import { ParseError } from "./errors.ts";
import { MAX_LEB_U32_BYTES, MAX_LEB_U64_BYTES } from "./limits.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const scratch = new DataView(new ArrayBuffer(8));

/** What a {@link Reader} reports when it runs out of bytes. */
export const END_OF_FILE = "unexpected end-of-file";
/** What a {@link Reader} over one section reports when it runs past the section's end. */
export const END_OF_SECTION = "unexpected end of section (unexpected end-of-file)";

const fromCharCode = String.fromCharCode;

/**
 * `len` ASCII bytes from `b[p]` on as a string, made in one piece (up to 8
 * characters) or from pieces of 8, not a character at a time: a name read
 * one character at a time makes a string per character, and a large
 * component has millions of names.
 */
function ascii(b: Uint8Array, p: number, len: number): string {
  switch (len) {
    case 0:
      return "";
    case 1:
      return fromCharCode(b[p]);
    case 2:
      return fromCharCode(b[p], b[p + 1]);
    case 3:
      return fromCharCode(b[p], b[p + 1], b[p + 2]);
    case 4:
      return fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5:
      return fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6:
      return fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
    case 7:
      return fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]);
    case 8:
      return fromCharCode(
        b[p],
        b[p + 1],
        b[p + 2],
        b[p + 3],
        b[p + 4],
        b[p + 5],
        b[p + 6],
        b[p + 7],
      );
  }
  let text = ascii(b, p, 8);
  for (let i = 8; i < len; i += 8) text += ascii(b, p + i, Math.min(8, len - i));
  return text;
}

/**
 * Reads wasm binary primitives from `bytes`, where `bytes[0]` sits at
 * absolute offset `base` of the whole input. Every failure is a
 * {@link ParseError} carrying that absolute offset.
 *
 * @example Reading LEB128 integers and a name
 * ```ts
 * import { Reader } from "@wasmfuse/fuse/binary";
 * import assert from "node:assert/strict";
 *
 * const r = new Reader(new Uint8Array([0xe5, 0x8e, 0x26, 2, 0x68, 0x69]));
 * assert.equal(r.u32(), 624485);
 * assert.equal(r.name(), "hi");
 * assert.ok(r.done);
 * ```
 */
export class Reader {
  /** The window being read. */
  readonly bytes: Uint8Array;
  /** Absolute offset of `bytes[0]` in the whole input. */
  readonly base: number;
  /** Index of the next byte to read, relative to `bytes`. */
  pos = 0;
  /** What running out of bytes is called in this window. */
  readonly endReason: string;

  /**
   * Create a reader over a window of the input.
   * @param bytes The window to read.
   * @param base Absolute offset of `bytes[0]`.
   * @param endReason The error reason used when a read runs past the window.
   */
  constructor(bytes: Uint8Array, base = 0, endReason: string = END_OF_FILE) {
    this.bytes = bytes;
    this.base = base;
    this.endReason = endReason;
  }

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes left in the window. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Whether the whole window has been read. */
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /**
   * Build an error at an absolute offset (default: the next byte).
   * @param reason What is wrong.
   * @param offset Absolute offset; defaults to the current position.
   * @returns The error, to be thrown by the caller.
   */
  error(reason: string, offset: number = this.offset): ParseError {
    return new ParseError(reason, offset);
  }

  /**
   * Fail unless `n` more bytes are available.
   * @param n Bytes needed.
   * @throws {ParseError} When fewer remain.
   */
  need(n: number): void {
    if (this.bytes.length - this.pos < n) {
      throw this.error(this.endReason, this.base + this.bytes.length);
    }
  }

  /**
   * Read one byte.
   * @returns The byte.
   */
  u8(): number {
    if (this.pos >= this.bytes.length) {
      throw this.error(this.endReason, this.base + this.bytes.length);
    }
    return this.bytes[this.pos++];
  }

  /**
   * Look at the next byte without consuming it.
   * @returns The byte.
   */
  peek(): number {
    if (this.pos >= this.bytes.length) {
      throw this.error(this.endReason, this.base + this.bytes.length);
    }
    return this.bytes[this.pos];
  }

  /**
   * A zero-copy view of the next `n` bytes.
   * @param n Byte count.
   * @returns A `subarray` of the window.
   */
  take(n: number): Uint8Array {
    this.need(n);
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /**
   * Read an unsigned LEB128 integer of at most 32 bits.
   * @returns The integer.
   */
  u32(): number {
    const b = this.u8();
    if (b < 0x80) return b; // one-byte fast path
    const start = this.offset - 1;
    let result = b & 0x7f;
    let shift = 7;
    for (let i = 1;; i++) {
      const byte = this.u8();
      if (i === MAX_LEB_U32_BYTES - 1) {
        if (byte & 0xf0) {
          throw this.error(
            byte & 0x80 ? "LEB128 integer representation too long" : "LEB128 integer too large",
            start,
          );
        }
        return (result | (byte << shift)) >>> 0;
      }
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
      shift += 7;
    }
  }

  /**
   * Read an unsigned LEB128 integer of at most 64 bits.
   * @returns The integer.
   */
  u64(): bigint {
    const start = this.offset;
    let result = 0n;
    let shift = 0n;
    for (let i = 0;; i++) {
      const byte = this.u8();
      if (i === MAX_LEB_U64_BYTES - 1) {
        if (byte & 0xfe) {
          throw this.error(
            byte & 0x80 ? "LEB128 integer representation too long" : "LEB128 integer too large",
            start,
          );
        }
        return result | (BigInt(byte) << shift);
      }
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
    }
  }

  /**
   * Read a signed LEB128 integer of at most 32 bits.
   * @returns The integer.
   */
  s32(): number {
    return Number(this.#signed(32));
  }

  /**
   * Read a signed LEB128 integer of at most 33 bits (block types, heap types).
   * @returns The integer.
   */
  s33(): number {
    // up to 4 bytes (every value type code, and type indices below 2^27): no BigInt
    const b = this.bytes;
    const p = this.pos;
    let result = 0;
    for (let i = 0; i < 4 && p + i < b.length; i++) {
      const byte = b[p + i];
      result += (byte & 0x7f) * 2 ** (7 * i);
      if (byte < 0x80) {
        this.pos = p + i + 1;
        // sign-extend from the last byte's bit 6
        return byte & 0x40 ? result - 2 ** (7 * (i + 1)) : result;
      }
    }
    return Number(this.#signed(33));
  }

  /**
   * Read a signed LEB128 integer of at most 64 bits.
   * @returns The integer.
   */
  s64(): bigint {
    return this.#signed(64);
  }

  #signed(bits: number): bigint {
    const start = this.offset;
    const maxBytes = Math.ceil(bits / 7);
    let result = 0n;
    let shift = 0;
    for (let i = 0;; i++) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << BigInt(shift);
      shift += 7;
      if (i === maxBytes - 1) {
        if (byte & 0x80) {
          throw this.error("LEB128 integer representation too long", start);
        }
        // The unused high bits of the last byte must all equal the sign bit.
        const used = bits - 7 * (maxBytes - 1); // bits taken from this byte
        const rest = byte >> (used - 1) & (0x7f >> (used - 1));
        const full = 0x7f >> (used - 1);
        if (rest !== 0 && rest !== full) {
          throw this.error("LEB128 integer too large", start);
        }
        return BigInt.asIntN(bits, result);
      }
      if (!(byte & 0x80)) {
        if (shift < 64 && byte & 0x40) result -= 1n << BigInt(shift);
        return result;
      }
    }
  }

  /**
   * Read a little-endian IEEE 754 single.
   * @returns The number.
   */
  f32(): number {
    const b = this.take(4);
    for (let i = 0; i < 4; i++) scratch.setUint8(i, b[i]);
    return scratch.getFloat32(0, true);
  }

  /**
   * Read a little-endian IEEE 754 double.
   * @returns The number.
   */
  f64(): number {
    const b = this.take(8);
    for (let i = 0; i < 8; i++) scratch.setUint8(i, b[i]);
    return scratch.getFloat64(0, true);
  }

  /**
   * Read a length-prefixed UTF-8 name, validated.
   * @returns The name.
   */
  name(): string {
    const len = this.u32();
    const at = this.offset;
    this.need(len);
    // Fast path: most names are short ASCII, where TextDecoder's call
    // overhead dominates (about a third of parse time in bench/parse_bench.ts);
    // read in place, without a view of the bytes
    if (len <= 64) {
      const b = this.bytes;
      const start = this.pos;
      const end = start + len;
      let i = start;
      while (i < end && b[i] < 0x80) i++;
      if (i === end) {
        this.pos = end;
        return ascii(b, start, len);
      }
    }
    const bytes = this.take(len);
    try {
      return utf8.decode(bytes);
    } catch {
      throw this.error("invalid UTF-8 in name (malformed UTF-8 encoding)", at);
    }
  }

  /**
   * A vector count, refused at once when it cannot fit in what remains
   * (every vector item takes at least one byte).
   * @returns The count.
   */
  count(): number {
    const at = this.offset;
    const n = this.u32();
    if (n > this.remaining) {
      throw this.error(
        `${this.endReason}: ${n} items declared, only ${this.remaining} bytes remain`,
        at,
      );
    }
    return n;
  }

  /**
   * A LEB128-counted vector.
   * @param item Reads one element.
   * @param limit The most elements allowed, with what they are (`record field`):
   *   more is `<what> size is out of bounds`, as wasmparser words it.
   * @returns The elements.
   */
  vec<T>(item: (r: Reader) => T, limit?: { max: number; what: string }): T[] {
    const at = this.offset;
    const n = this.count();
    if (limit !== undefined && n > limit.max) {
      throw this.error(`${limit.what} size is out of bounds`, at);
    }
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = item(this);
    return out;
  }

  /**
   * An optional value: `0x00` (absent) or `0x01` followed by the value.
   * @param what Names the production for the error message.
   * @param item Reads the value.
   * @returns The value, or `undefined` when absent.
   */
  optional<T>(what: string, item: (r: Reader) => T): T | undefined {
    const b = this.u8();
    if (b === 0) return undefined;
    if (b === 1) return item(this);
    throw this.invalidByte(b, what, this.offset - 1);
  }

  /**
   * A one-byte boolean flag.
   * @returns `false` for `0x00`, `true` for `0x01`.
   */
  bool(): boolean {
    const b = this.u8();
    if (b > 1) throw this.error("invalid boolean value", this.offset - 1);
    return b === 1;
  }

  /**
   * The error for an unexpected discriminant, worded as wasmparser does.
   * @param byte The byte that was read.
   * @param what The production it was meant to start.
   * @param offset Where the byte is.
   * @returns The error, to be thrown.
   */
  invalidByte(byte: number, what: string, offset: number = this.offset - 1): ParseError {
    return this.error(
      `invalid leading byte (0x${byte.toString(16)}) for ${what}`,
      offset,
    );
  }

  /**
   * Fail unless the window was used exactly (the declared size matched).
   * @param what Names the section.
   * @param start Absolute offset where the section's content starts.
   */
  expectEnd(what: string, start: number): void {
    if (this.pos !== this.bytes.length) {
      throw this.error(
        `section size mismatch: declared ${this.bytes.length}, used ${this.pos} (in the ${what} section at offset ${start})`,
      );
    }
  }
}
