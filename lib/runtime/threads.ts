/**
 * Threads of a task (CanonicalABI.md, "Thread State", `thread.*`
 * built-ins), on JSPI: a task's implicit thread runs on the fibers of its
 * core function and callbacks; `thread.new-indirect` makes a thread that
 * runs a function from a table on a fiber of its own once resumed. A thread
 * that suspends (`thread.suspend`, or switching to another) returns a
 * Promise its caller waits for, resolved when it is resumed; one made ready
 * (`thread.resume-later`, or yielding) is resumed a turn of the host's event
 * loop later.
 *
 * @module
 */

/** A thread in its instance's thread table. */
export interface Thread {
  /** Its index in the instance's thread table. */
  readonly index: number;
  /** Its task's instance. */
  readonly instance: number;
  /**
   * `new` (made, never run), `suspended` (waits to be resumed), `ready`
   * (will be resumed), `running` (runs, or waits for an event), `done`.
   */
  state: "new" | "suspended" | "ready" | "running" | "done";
  /** Runs a new thread on its fiber (until it has started). */
  start?: () => void;
  /** Resumes a suspended or ready thread. */
  wake?: () => void;
}

/**
 * Whether a thread may be resumed by another (CanonicalABI.md, `Thread.suspended`).
 * @param t The thread.
 * @returns Whether it is suspended (or new).
 */
export function isSuspended(t: Thread): boolean {
  return t.state === "new" || t.state === "suspended";
}

/**
 * The running thread stops until it is resumed.
 * @param t The thread.
 * @param state `suspended` (only another thread resumes it) or `ready`.
 * @returns The Promise its caller waits for: `0`, not cancelled.
 */
export function park(t: Thread, state: "suspended" | "ready"): Promise<number> {
  t.state = state;
  return new Promise((resolve) => {
    t.wake = () => {
      t.wake = undefined;
      t.state = "running";
      resolve(0);
    };
  });
}

/**
 * Resume a suspended or ready thread: a new one starts now (its fiber runs
 * until it suspends), one that waits goes on once the current fiber stops.
 * @param t The thread.
 */
export function resume(t: Thread): void {
  const start = t.start;
  if (start !== undefined) {
    // (a new thread, perhaps made ready first: it starts)
    t.start = undefined;
    t.state = "running";
    start();
  } else t.wake?.();
}
