/**
 * The error a component raises when it breaks a Canonical ABI rule at run
 * time.
 *
 * @module
 */

import { trapMessage } from "../fact/traps.ts";

/**
 * A trap: a Canonical ABI rule was broken while a component ran. The
 * message names the rule (`invalid variant discriminant`,
 * `cannot leave component instance`, ...).
 *
 * @example Reading a trap's rule
 * ```ts
 * import { Trap } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const t = Trap.fromCode(5);
 * assert.equal(t.message, "invalid variant discriminant");
 * ```
 */
export class Trap extends Error {
  /** The adapter trap code, when an adapter raised it. */
  readonly code?: number;

  /**
   * Create a trap.
   * @param message The rule that was broken.
   * @param code The adapter trap code, if any.
   */
  constructor(message: string, code?: number) {
    super(message);
    this.name = "Trap";
    if (code !== undefined) this.code = code;
  }

  /**
   * The trap an adapter raises through `runtime.trap(code)`.
   * @param code The code.
   * @returns The trap.
   */
  static fromCode(code: number): Trap {
    return new Trap(trapMessage(code), code);
  }
}
