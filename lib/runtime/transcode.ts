/**
 * The string transcoders adapter modules import: one host function per
 * encoding pair and memory pair, `(ptr, len) -> (ptr, len)`. Each reads the
 * source string with the checks of CanonicalABI.md's `load_string`
 * (alignment, bounds, valid UTF-8 or UTF-16, the length limit), allocates
 * the destination through its `realloc` (checked for alignment and bounds),
 * and writes the string there.
 *
 * The source is validated by the engine's own decoder (`TextDecoder` with
 * `fatal`); when both sides use the same encoding, the bytes are then
 * copied as they are with `Uint8Array.prototype.set`, and otherwise
 * written by the encoder of the destination's encoding. Nothing is done
 * byte by byte in JavaScript but the Latin-1 and UTF-16 paths that have no
 * engine coder.
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

/**
 * A transcoder from `src`'s memory and encoding into `dst`'s.
 * @param src The source side's context.
 * @param dst The destination side's context (with its realloc).
 * @returns The host function an adapter module imports.
 */
export function transcoder(
  src: AbiContext,
  dst: AbiContext,
): (ptr: CoreNum, len: CoreNum) => CoreNum[] {
  const same = src.stringEncoding === dst.stringEncoding;
  return (ptr, len) => {
    try {
      const p = src.ptr(ptr);
      const n = src.ptr(len);
      // lifting checks and validates (and decodes, which the engine does fast)
      const s = src.liftString(p, n);
      // a tagged UTF-16 string in latin1+utf16 is deflated to Latin-1 when it fits
      if (same && !(src.stringEncoding === "latin1+utf16" && n >= UTF16_TAG)) {
        const bytes = src.stringEncoding === "utf16" ? 2 * n : n;
        const q = dst.realloc(src.stringEncoding === "utf8" ? 1 : 2, bytes);
        // read the source after realloc: it may have grown a memory both sides share
        dst.bytes(q, bytes).set(src.bytes(p, bytes));
        return [dst.corePtr(q), dst.corePtr(n)];
      }
      const [q, m] = dst.lowerString(s);
      return [dst.corePtr(q), dst.corePtr(m)];
    } catch (e) {
      throw adapterTrap(e);
    }
  };
}
