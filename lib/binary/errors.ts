/**
 * Errors raised while decoding bytes.
 *
 * @module
 */

/**
 * A malformed binary: the message says which rule was broken, `offset` says
 * where (an absolute byte offset into the input, counted from its first byte).
 *
 * The message reads as `<reason> (at offset 0x1a2b)`; `reason` holds the part
 * before the offset, in the words of the specification's own test suite
 * (`"unexpected end-of-file"`, `"malformed section id"`, ...).
 *
 * @example Catching a parse error
 * ```ts
 * import { ParseError, parseBytes } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * try {
 *   parseBytes(new Uint8Array([0, 0x61, 0x73]));
 *   assert.fail("expected an error");
 * } catch (e) {
 *   assert.ok(e instanceof ParseError);
 *   assert.equal(e.reason, "unexpected end-of-file");
 *   assert.equal(e.offset, 3);
 * }
 * ```
 */
export class ParseError extends SyntaxError {
  /** The rule that was broken, without the offset. */
  readonly reason: string;
  /** Absolute byte offset of the malformed input. */
  readonly offset: number;

  /**
   * Create a parse error.
   * @param reason What is wrong, in the words of the specification.
   * @param offset Absolute byte offset where it is wrong.
   */
  constructor(reason: string, offset: number) {
    super(`${reason} (at offset 0x${offset.toString(16)})`);
    this.name = "ParseError";
    this.reason = reason;
    this.offset = offset;
  }
}
