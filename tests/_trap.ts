/**
 * Test helper: assertions on traps, and a component instance's exports as
 * functions (with typed arrays as they come, or {@link untyped}).
 *
 * @module
 */

import assert from "node:assert/strict";
import { type ComponentFunction, type ComponentInstance, Trap } from "../mod.ts";

/** Exports by name, as functions. */
export type Fns = Record<string, ComponentFunction>;

/**
 * An instance's exports, typed as functions.
 * @param i The instance.
 * @returns Its exports.
 */
export function fns(i: ComponentInstance): Fns {
  return i.exports as Fns;
}

/**
 * A value with its typed arrays (lists of numbers at the host) turned into
 * arrays, for tests about what crosses an adapter rather than about the
 * host's conventions.
 * @param v A value.
 * @returns The same value with plain arrays.
 */
export function untyped(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>);
  if (Array.isArray(v)) return v.map(untyped);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [untyped(k), untyped(x)]));
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, untyped(x)]));
  }
  return v;
}

/**
 * An instance's exports as functions whose results are {@link untyped}.
 * @param i The instance.
 * @returns Its exports.
 */
export function untypedFns(i: ComponentInstance): Fns {
  const out: Fns = {};
  for (const [name, f] of Object.entries(i.exports)) {
    if (typeof f === "function") out[name] = (...a) => untyped((f as ComponentFunction)(...a));
  }
  return out;
}

/**
 * Assert `fn` throws a {@link Trap} with exactly `message`.
 * @param fn What should trap.
 * @param message The rule's message.
 */
export function assertTrap(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Trap, `expected a Trap, got ${e}`);
    assert.equal(e.name, "Trap");
    assert.equal(e.message, message);
    return true;
  });
}
