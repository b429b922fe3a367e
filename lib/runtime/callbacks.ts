/**
 * The callback loop of an async lift (CanonicalABI.md, `canon_lift`): the
 * callee's core function returns a code, `EXIT` (0), `YIELD` (1) or
 * `WAIT` (2) with a waitable set's index above the low 4 bits, and the
 * callback is called again, with an event when there is one, until it exits.
 *
 * @module
 */

import { UnsupportedError } from "../types/errors.ts";
import { handleOf, type HandleTable, TASK_RULES } from "./tasks.ts";
import { Trap } from "./trap.ts";
import type { WaitableSet } from "./waitables.ts";

/** Consecutive YIELDs of an async callback before it is taken to wait forever. */
const MAX_YIELDS = 1_000_000;

/** The waitable set a `WAIT` code names. */
function waitSet(table: HandleTable, packed: number): WaitableSet {
  return handleOf(table, packed >>> 4, "waitable-set");
}

/**
 * Drive a callback in an instance that runs every call to completion: a
 * `YIELD` resumes at once with no event (no other task is ready), a `WAIT`
 * can never be woken.
 * @param cb The callback.
 * @param table The instance's handle table.
 * @param packed The code the core function returned.
 * @throws {UnsupportedError} For a `WAIT`, or a million `YIELD`s in a row
 *   (they wait for a task that would run concurrently, which never runs).
 * @throws {Trap} For an unknown code.
 */
export function callbackLoop(
  cb: (...a: number[]) => number,
  table: HandleTable,
  packed: number,
): void {
  let yields = 0;
  for (;;) {
    const code = packed & 0xf;
    if (code === 0) return; // EXIT
    if (code === 1) {
      if (++yields > MAX_YIELDS) {
        throw new UnsupportedError(
          `an async callback yielded ${MAX_YIELDS} times in a row, waiting for a task that ` +
            "would run concurrently, which needs an async instance (instantiate with " +
            "`{ async: true }`)",
          "async",
        );
      }
      packed = cb(0, 0, 0);
      continue;
    }
    if (code === 2) {
      waitSet(table, packed);
      throw new UnsupportedError(
        "an async callback waiting on a waitable set would block, which needs an async instance " +
          "(instantiate with `{ async: true }`)",
        "async",
      );
    }
    throw new Trap(`${TASK_RULES.callbackCode} ${code}`);
  }
}

/**
 * What a callback's code asks for, in an async instance (see `Runtime.#drive`).
 * @param table The instance's handle table.
 * @param packed The code the core function returned.
 * @returns `exit`, `yield`, or the waitable set to wait on.
 * @throws {Trap} For an unknown code or a `WAIT` on what is not a waitable set.
 */
export function callbackStep(
  table: HandleTable,
  packed: number,
): "exit" | "yield" | WaitableSet {
  const code = packed & 0xf;
  if (code === 0) return "exit";
  if (code === 1) return "yield";
  if (code === 2) return waitSet(table, packed);
  throw new Trap(`${TASK_RULES.callbackCode} ${code}`);
}
