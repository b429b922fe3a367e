/**
 * A growable byte buffer with the wasm binary encodings the encoder needs.
 *
 * @module
 */

const utf8 = new TextEncoder();

/**
 * Appends bytes with amortised O(1) growth (capacity doubles), then hands
 * out the written bytes with {@link ByteWriter.finish}.
 *
 * @example Encoding a LEB128 integer and a name
 * ```ts
 * import { ByteWriter } from "@wasmfuse/fuse/binary";
 * import assert from "node:assert/strict";
 *
 * const w = new ByteWriter();
 * w.u32(624485).name("hi");
 * assert.deepEqual([...w.finish()], [0xe5, 0x8e, 0x26, 2, 0x68, 0x69]);
 * ```
 */
export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;

  /**
   * Create an empty writer.
   * @param capacity Initial capacity in bytes.
   */
  constructor(capacity = 64) {
    this.#buf = new Uint8Array(Math.max(capacity, 8));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    const need = this.#len + n;
    if (need <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /**
   * Append one byte.
   * @param b The byte (0-255).
   * @returns This writer.
   */
  byte(b: number): this {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
    return this;
  }

  /**
   * Append raw bytes.
   * @param bytes The bytes.
   * @returns This writer.
   */
  bytes(bytes: ArrayLike<number>): this {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  /**
   * Append an unsigned LEB128 integer (0 to 2^32 - 1).
   * @param value The integer.
   * @returns This writer.
   */
  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`u32 out of range: ${value}`);
    }
    this.#reserve(5);
    let v = value;
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.#buf[this.#len++] = b;
    } while (v !== 0);
    return this;
  }

  /**
   * Append an unsigned LEB128 integer of up to 64 bits.
   * @param value The integer.
   * @returns This writer.
   */
  u64(value: bigint): this {
    let v = BigInt.asUintN(64, value);
    this.#reserve(10);
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      this.#buf[this.#len++] = b;
    } while (v !== 0n);
    return this;
  }

  /**
   * Append a signed LEB128 integer of up to 32 bits.
   * @param value The integer.
   * @returns This writer.
   */
  s32(value: number): this {
    let v = value | 0;
    this.#reserve(5);
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.#buf[this.#len++] = done ? b : b | 0x80;
      if (done) return this;
    }
  }

  /**
   * Append an unsigned LEB128 integer given as a number or a bigint (up to
   * 64 bits; numbers below 2^32 take the fast path).
   * @param value The integer.
   * @returns This writer.
   */
  uleb(value: number | bigint): this {
    if (typeof value === "number" && value >= 0 && value <= 0xffffffff) return this.u32(value);
    return this.u64(BigInt(value));
  }

  /**
   * Append another writer's bytes.
   * @param w The writer.
   * @returns This writer.
   */
  append(w: ByteWriter): this {
    return this.bytes(w.view());
  }

  /**
   * Forget what was written. The capacity is kept, unless it is above
   * `keep` bytes: then a buffer of `keep` bytes replaces it (so that a
   * reused writer does not hold on to its largest output forever).
   * @param keep The most capacity to keep.
   */
  reset(keep = Infinity): void {
    this.#len = 0;
    if (this.#buf.length > keep) this.#buf = new Uint8Array(Math.max(keep, 8));
  }

  /**
   * Copy written bytes `[start, end)` into `target` at `at`, without a view
   * object (byte by byte when short, as an adapter's runs between calls are).
   * @param target Where to copy to.
   * @param at The position in `target`.
   * @param start The first byte to copy.
   * @param end Where to stop (at most {@link ByteWriter.length}).
   * @returns The position in `target` after the copy.
   */
  copyTo(target: Uint8Array, at: number, start: number, end: number): number {
    if (start < 0 || start > end || end > this.#len) {
      throw new RangeError(`bytes [${start}, ${end}) of ${this.#len} written`);
    }
    const buf = this.#buf;
    if (end - start > 64) {
      target.set(buf.subarray(start, end), at);
      return at + end - start;
    }
    for (let i = start; i < end; i++) target[at++] = buf[i];
    return at;
  }

  /**
   * The bytes written so far, as a view (valid until the next write).
   * @returns The view.
   */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /**
   * Append a signed LEB128 integer of up to 64 bits.
   * @param value The integer.
   * @returns This writer.
   */
  s64(value: bigint): this {
    let v = BigInt.asIntN(64, value);
    this.#reserve(10);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) ||
        (v === -1n && (b & 0x40) !== 0);
      this.#buf[this.#len++] = done ? b : b | 0x80;
      if (done) return this;
    }
  }

  /**
   * Append a little-endian f32.
   * @param value The number.
   * @returns This writer.
   */
  f32(value: number): this {
    this.#reserve(4);
    new DataView(this.#buf.buffer, this.#buf.byteOffset).setFloat32(this.#len, value, true);
    this.#len += 4;
    return this;
  }

  /**
   * Append a little-endian f64.
   * @param value The number.
   * @returns This writer.
   */
  f64(value: number): this {
    this.#reserve(8);
    new DataView(this.#buf.buffer, this.#buf.byteOffset).setFloat64(this.#len, value, true);
    this.#len += 8;
    return this;
  }

  /**
   * Append a length-prefixed UTF-8 name.
   * @param value The name.
   * @returns This writer.
   */
  name(value: string): this {
    // ASCII names (nearly all of them): written as they are, without the engine's encoder
    const n = value.length;
    if (n < 128) {
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (value.charCodeAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.#reserve(n + 1);
        this.#buf[this.#len++] = n;
        for (let i = 0; i < n; i++) this.#buf[this.#len++] = value.charCodeAt(i);
        return this;
      }
    }
    const bytes = utf8.encode(value);
    return this.u32(bytes.length).bytes(bytes);
  }

  /**
   * The bytes written so far (a copy trimmed to length).
   * @returns The bytes.
   */
  finish(): Uint8Array<ArrayBuffer> {
    return this.#buf.slice(0, this.#len);
  }
}
