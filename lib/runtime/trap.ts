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

/**
 * A trap whose rule is known a microtask later: a callee on a fiber of its
 * own trapped before it suspended, and JSPI reports why only through the
 * Promise of its results. Its caller traps at once; the host is told the
 * callee's own trap (see {@link settleTrap}).
 */
export class PendingTrap extends Trap {
  /**
   * @param pending The callee's Promise, which rejects with the trap.
   */
  constructor(readonly pending: Promise<unknown>) {
    super("a callee trapped");
  }
}

/**
 * What an error the host is given stands for: a {@link PendingTrap}'s own
 * trap, once known.
 * @param e The error.
 * @returns The Promise of the error to report.
 */
export function settleTrap(e: unknown): Promise<unknown> {
  if (!(e instanceof PendingTrap)) return Promise.resolve(e);
  return e.pending.then(() => e, (real) => settleTrap(real));
}

type WasmEh = {
  readonly Exception?: abstract new (...args: never[]) => object;
  readonly Tag?: new (type: { parameters: string[] }) => object;
  readonly JSTag?: object;
};

/**
 * Whether `e` is a core wasm exception (`WebAssembly.Exception`), as thrown
 * by `throw`; JavaScript values thrown through wasm stay what they were.
 * @param e A caught value.
 * @returns Whether it is one.
 */
export function isWasmException(e: unknown): boolean {
  const E = (WebAssembly as WasmEh).Exception;
  return E !== undefined && e instanceof E;
}

let fallbackTag: object | undefined;

/**
 * The tag of JavaScript exceptions in wasm, `WebAssembly.JSTag`, for the
 * adapters' exception barrier. An engine with exception handling but
 * without `JSTag` gets a tag nothing throws: the barrier then traps on a
 * JavaScript exception too, with the uncaught-exception rule.
 * @returns The tag.
 */
export function jsTag(): object {
  const eh = WebAssembly as WasmEh;
  if (eh.JSTag !== undefined) return eh.JSTag;
  if (eh.Tag === undefined) throw new Error("this engine has no wasm exception handling");
  return fallbackTag ??= new eh.Tag({ parameters: ["externref"] });
}
