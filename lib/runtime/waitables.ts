/**
 * Waitables and waitable sets (CanonicalABI.md, `Waitable`, `WaitableSet`,
 * `Subtask`). A waitable is a subtask (an async-lowered call still
 * running) or an end of a stream or future (copies.ts). It joins a
 * waitable set, and the set's owner polls it or waits on it (through JSPI:
 * the waiting component is suspended) for the event it makes: `(SUBTASK,
 * index, state)`, `({STREAM,FUTURE}_{READ,WRITE}, index, result | count
 * << 4)`.
 *
 * @module
 */

import { Trap } from "./trap.ts";

/** Event codes (CanonicalABI.md, `EventCode`). */
export const EVENT = {
  NONE: 0,
  SUBTASK: 1,
  STREAM_READ: 2,
  STREAM_WRITE: 3,
  FUTURE_READ: 4,
  FUTURE_WRITE: 5,
  TASK_CANCELLED: 6,
} as const;

/** Subtask states (CanonicalABI.md, `Subtask.State`). */
export const SUBTASK = {
  STARTING: 0,
  STARTED: 1,
  RETURNED: 2,
  CANCELLED_BEFORE_STARTED: 3,
  CANCELLED_BEFORE_RETURNED: 4,
} as const;

/** The rules of waitables, in Wasmtime's words. */
export const WAITABLE_RULES = {
  dropUnresolved: "cannot drop a subtask which has not yet resolved",
  cancelDelivered: "cannot cancel a subtask whose resolution was delivered",
  cancelTwice: "cannot cancel a subtask twice",
  dropWithWaiters: "cannot drop waitable set with waiters",
  twoWaiters: "a waitable set has a waiter already",
} as const;

/** What may join a waitable set: a subtask, or the readable end of a future. */
export interface Waitable {
  /** Its index in its instance's table. */
  index: number;
  /** Whether an event waits to be delivered. */
  pending: boolean;
  /** The set it joined, if any. */
  set: WaitableSet | undefined;
  /** The event's code and payload, when it is pending. */
  event?: readonly [number, number];
  /** Makes the pending event when it is delivered (a copy's, which updates its end). */
  deliver?: () => readonly [number, number];
  /** Waits on the waitable itself (a synchronous copy, suspended). */
  waiter?: () => void;
  /** What the host's call failed with (delivered as the caller's trap). */
  error?: unknown;
}

/** A waitable set: its members, and the waiter suspended on it, if any. */
export interface WaitableSet {
  /** Discriminant. */
  readonly kind: "waitable-set";
  /** Its members, in the order they joined. */
  readonly members: Set<Waitable>;
  /** Called when a member gets an event while someone waits. */
  waiter?: () => void;
}

/** A subtask: an async call in progress or resolved, its event not yet delivered. */
export interface Subtask extends Waitable {
  /** Discriminant. */
  readonly kind: "subtask";
  /** `STARTING`, `STARTED`, `RETURNED` or a `CANCELLED_*`. */
  state: number;
  /** Whether its caller asked for its cancellation (`subtask.cancel`). */
  cancelRequested?: boolean;
  /** Asks its callee to hurry (CanonicalABI.md, `OnCancel`). */
  onCancel?: () => void;
}

/**
 * Whether a subtask resolved (returned, or was cancelled).
 * @param s The subtask.
 * @returns Whether it did.
 */
export function resolved(s: Subtask): boolean {
  return s.state >= SUBTASK.RETURNED;
}

/**
 * A new waitable set.
 * @returns The set.
 */
export function newSet(): WaitableSet {
  return { kind: "waitable-set", members: new Set() };
}

/**
 * A new subtask, started.
 * @returns The subtask (its index is set when it is added to a table).
 */
export function newSubtask(): Subtask {
  return { kind: "subtask", index: 0, state: SUBTASK.STARTED, pending: false, set: undefined };
}

/**
 * A subtask resolved (its call returned, or failed with `error`): its event
 * is pending, and a waiter on its set wakes.
 * @param s The subtask.
 * @param error What the call failed with, if it did.
 */
export function resolveSubtask(
  s: Subtask,
  error?: unknown,
  state: number = SUBTASK.RETURNED,
): void {
  s.state = state;
  if (error !== undefined) s.error = error;
  notify(s, EVENT.SUBTASK, state);
}

/**
 * A subtask that was waiting to enter its callee started: its event
 * (`STARTED`) is pending.
 * @param s The subtask.
 */
export function startSubtask(s: Subtask): void {
  s.state = SUBTASK.STARTED;
  notify(s, EVENT.SUBTASK, SUBTASK.STARTED);
}

/**
 * A waitable's event is pending (a waiter on its set wakes).
 * @param w The waitable.
 * @param code The event code.
 * @param payload Its payload.
 */
export function notify(w: Waitable, code: number, payload: number): void {
  w.event = [code, payload];
  w.pending = true;
  w.waiter?.();
  w.set?.waiter?.();
}

/**
 * `waitable.join`: `s` leaves its set and joins `set` (none when undefined).
 * @param s The waitable.
 * @param set The set.
 */
export function join(s: Waitable, set: WaitableSet | undefined): void {
  s.set?.members.delete(s);
  s.set = set;
  if (set === undefined) return;
  set.members.add(s);
  if (s.pending) set.waiter?.();
}

/**
 * The next event of a set, delivered (its subtask's event is no longer
 * pending), or undefined when no member has one.
 * @param set The set.
 * @returns `[code, index, payload]`.
 * @throws {unknown} What the subtask's host call failed with, when it failed.
 */
export function takeEvent(set: WaitableSet): [number, number, number] | undefined {
  for (const s of set.members) {
    if (!s.pending) continue;
    s.pending = false;
    if (s.error !== undefined) throw s.error;
    let e = s.event!;
    if (s.deliver !== undefined) {
      e = s.deliver();
      s.deliver = undefined;
    }
    return [e[0], s.index, e[1]];
  }
  return undefined;
}

/**
 * Wait for the next event of a set.
 * @param set The set.
 * @returns A Promise of the event.
 * @throws {Trap} When someone waits on the set already.
 */
export function nextEvent(set: WaitableSet): Promise<[number, number, number]> {
  if (set.waiter !== undefined) throw new Trap(WAITABLE_RULES.twoWaiters);
  // (the event is taken when the waiter runs again, not when it comes: it is the newest then)
  return new Promise<void>((resolve) => {
    set.waiter = () => {
      set.waiter = undefined;
      resolve();
    };
  }).then(() => takeEvent(set) ?? nextEvent(set));
}

/**
 * `subtask.drop`: only once resolved and its event delivered.
 * @param s The subtask.
 * @throws {Trap} When it is not.
 */
export function checkDroppable(s: Subtask): void {
  if (!resolved(s) || s.pending) throw new Trap(WAITABLE_RULES.dropUnresolved);
  s.set?.members.delete(s);
  s.set = undefined;
}

/**
 * `waitable-set.drop`: only with no waiter; its members leave it.
 * @param set The set.
 * @throws {Trap} When someone waits on it.
 */
export function checkSetDroppable(set: WaitableSet): void {
  if (set.waiter !== undefined) throw new Trap(WAITABLE_RULES.dropWithWaiters);
  for (const s of set.members) s.set = undefined;
  set.members.clear();
}
