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
import { nextEvent, takeEvent, type WaitableSet } from "./waitables.ts";

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
            "would run concurrently: wasmfuse has no async scheduler",
          "async",
        );
      }
      packed = cb(0, 0, 0);
      continue;
    }
    if (code === 2) {
      waitSet(table, packed);
      throw new UnsupportedError(
        "an async callback waiting on a waitable set would block: wasmfuse has no async scheduler",
        "async",
      );
    }
    throw new Trap(`${TASK_RULES.callbackCode} ${code}`);
  }
}

/**
 * Drive a callback in an async instance: `WAIT` takes the set's next event
 * (waiting for one, as the subtask of an async host function resolves),
 * `YIELD` lets the host's pending work run first (a timer's turn), and the
 * callback runs through JSPI (it may suspend).
 * @param cb The callback, through `WebAssembly.promising`.
 * @param table The instance's handle table.
 * @param packed The code the core function returned.
 * @throws {Trap} For an unknown code or a `WAIT` on what is not a waitable set.
 */
export async function callbackLoopAsync(
  cb: (...a: number[]) => Promise<unknown>,
  table: HandleTable,
  packed: number,
): Promise<void> {
  for (;;) {
    const code = packed & 0xf;
    if (code === 0) return; // EXIT
    if (code === 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      packed = await cb(0, 0, 0) as number;
      continue;
    }
    if (code === 2) {
      const set = waitSet(table, packed);
      const [event, index, payload] = takeEvent(set) ?? await nextEvent(set);
      packed = await cb(event, index, payload) as number;
      continue;
    }
    throw new Trap(`${TASK_RULES.callbackCode} ${code}`);
  }
}
