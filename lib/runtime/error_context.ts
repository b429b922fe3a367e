/**
 * `error-context` values: immutable debug messages that components make
 * (`error-context.new`) and pass to each other and to the host. In a
 * component instance one is a handle in its table; passing one shares it
 * (the sender keeps its handle until it drops it: CanonicalABI.md,
 * `lift_error_context`, `lower_error_context`). At the host it is an
 * {@link ErrorContext}.
 *
 * @module
 */

import type { Handle, HandleTable } from "./tasks.ts";
import { handleOf } from "./tasks.ts";

/**
 * An error context at the host: what a component made with
 * `error-context.new`, or one the host gives a component.
 *
 * @example Giving a component an error context
 * ```ts
 * import { ErrorContext } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const e = new ErrorContext("disk full");
 * assert.equal(e.debugMessage, "disk full");
 * ```
 */
export class ErrorContext {
  /** The message (what `error-context.debug-message` gives back). */
  readonly debugMessage: string;

  /**
   * Make one.
   * @param debugMessage Its message.
   */
  constructor(debugMessage: string) {
    this.debugMessage = debugMessage;
  }
}

/** An error context's table entry. */
export type ErrorContextHandle = Handle & { readonly kind: "error-context" };

/**
 * The error context at index `i` of a table, or the trap of the handle rules.
 * @param table The table.
 * @param i The index.
 * @returns Its entry.
 */
export function errorContextAt(table: HandleTable, i: number): ErrorContextHandle {
  return handleOf(table, i, "error-context");
}

/** The host object of each entry, made once (one entry, one object). */
const hostObjects = new WeakMap<ErrorContextHandle, ErrorContext>();

/**
 * An entry as the host sees it.
 * @param h The entry.
 * @returns Its {@link ErrorContext}.
 */
export function toHost(h: ErrorContextHandle): ErrorContext {
  let e = hostObjects.get(h);
  if (e === undefined) hostObjects.set(h, e = new ErrorContext(h.message));
  return e;
}

/**
 * A host value as an entry.
 * @param v The value.
 * @returns Its entry.
 * @throws {TypeError} When it is not an {@link ErrorContext}.
 */
export function fromHost(v: unknown): ErrorContextHandle {
  if (!(v instanceof ErrorContext)) {
    throw new TypeError(`expected an ErrorContext for an \`error-context\` value, got ${typeof v}`);
  }
  const h: ErrorContextHandle = { kind: "error-context", message: v.debugMessage };
  hostObjects.set(h, v);
  return h;
}
