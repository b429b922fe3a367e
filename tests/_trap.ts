/**
 * Test helper: assertions on traps, and a component instance's exports as
 * functions.
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
