/**
 * Tasks, handle tables and the task, async and thread built-ins
 * (CanonicalABI.md, "Canonical built-ins"). A task is one call into a
 * component instance, on the fiber that runs its code (fibers.ts);
 * `context.get`/`set` read and write its storage, `task.return` lifts its
 * result, `task.cancel` ends it cancelled; `backpressure.inc`/`dec` and the
 * instance's exclusive lock gate calls of `async`-typed functions
 * ({@link Tasks.gate}); waitable sets, subtasks, streams and futures
 * (copies.ts) deliver events; threads (threads.ts) switch. What waits (a
 * wait, a synchronous copy, a suspended thread) returns a Promise its
 * caller waits for through JSPI, in an async instance; a synchronous task
 * that would wait before it returned traps, as the specification says. In
 * an instance that is not async, every call runs to completion, and what
 * would wait is an {@link UnsupportedError}.
 *
 * @module
 */

import type { AdapterOptions, ComponentInstanceId } from "../inline/dfg.ts";
import { UnsupportedError } from "../types/errors.ts";
import type { TypeFunc } from "../types/model.ts";
import { Trap } from "./trap.ts";
import type { Fiber, Scheduler } from "./fibers.ts";
import type { Thread } from "./threads.ts";
import type { CopyEnd } from "./copies.ts";
import type { Subtask, WaitableSet } from "./waitables.ts";
import type { AbiContext } from "./values.ts";

/** The messages of the task built-ins' traps, by rule. */
export const TASK_RULES = {
  taskReturnSync: "task.return called from a task that was not lifted `async`",
  taskReturnType: "task.return: its result type does not match the task's function type",
  taskReturnOptions: "task.return: its options do not match the options of the task's lift",
  taskReturnTwice: "task.return called more than once",
  noResult: "async-lifted export failed to produce a result",
  taskCancelSync: "task.cancel called from a task that was not lifted `async`",
  taskCancelUnrequested: "task.cancel called without a pending cancellation",
  backpressureOverflow: "backpressure counter overflow",
  backpressureUnderflow: "backpressure counter underflow",
  tableFull: "handle table is full",
  callbackCode: "unsupported callback code",
  borrowsRemain: "borrow handles still remain at the end of the call",
  lent: "cannot remove owned resource while borrowed",
  notOwned: "cannot lift an owned resource from a borrowed handle",
  cannotBlockSync: "cannot block a synchronous task before returning",
  notSuspended: "cannot resume a thread that is not suspended",
  deadlock: "deadlock detected: event loop cannot make further progress",
} as const;

/** A lock reserved for a call let in, until its task starts. */
const RESERVED = { reserved: true } as const;

/**
 * Whether a task of an `async`-typed function with lift options `o` runs
 * under its instance's exclusive lock: a sync or callback lift, not a
 * stackful one (CanonicalABI.md, `Task.needs_exclusive`).
 */
function needsExclusive(o: AdapterOptions): boolean {
  return !o.async || o.callback !== undefined;
}

/** Remove `x` from `list` (searched from its end, where it usually is). */
function remove<T>(list: T[], x: T): void {
  const last = list.length - 1;
  if (list[last] === x) list.pop();
  else {
    const i = list.lastIndexOf(x);
    if (i >= 0) list.splice(i, 1);
  }
}

/** The largest handle index (CanonicalABI.md, `Table.MAX_LENGTH`). */
const MAX_HANDLE = 2 ** 28 - 1;

/**
 * A handle table entry: a resource handle, a waitable set, a subtask, an
 * end of a future or stream, or an error context.
 */
export type Handle =
  | ResourceHandle
  | WaitableSet
  | Subtask
  | CopyEnd
  | { readonly kind: "error-context"; readonly message: string };

/**
 * A handle to a resource: owned, or borrowed for the duration of a task.
 * (Owned records are reused once dropped, so the fields are not read-only.)
 */
export interface ResourceHandle {
  /** Discriminant. */
  readonly kind: "resource";
  /** The representation. */
  rep: number;
  /** The resource type (its id in the graph). */
  resource: number;
  /** Whether the handle owns the resource (else it is a borrow). */
  readonly own: boolean;
  /** How many calls have it lent out (an owned handle cannot move or drop meanwhile). */
  lends: number;
  /** For a borrow: the task it was lent to, which must drop it before it returns. */
  readonly scope?: Task;
}

/** One component instance's handle table: indices from 1, freed ones reused last first. */
export class HandleTable {
  readonly #entries: (Handle | undefined)[] = [undefined];
  readonly #free: number[] = [];

  /**
   * Add a handle.
   * @param h The handle.
   * @returns Its index.
   */
  add(h: Handle): number {
    const i = this.#free.pop() ?? this.#entries.length;
    if (i > MAX_HANDLE) throw new Trap(TASK_RULES.tableFull);
    this.#entries[i] = h;
    return i;
  }

  /**
   * The handle at index `i`.
   * @param i The index (an unsigned 32-bit value).
   * @returns The handle.
   */
  get(i: number): Handle {
    const e = i === 0 ? undefined : this.#entries[i];
    if (e === undefined) throw new Trap(`unknown handle index ${i}`);
    return e;
  }

  /**
   * Remove the handle at index `i`.
   * @param i The index.
   * @returns The handle.
   */
  remove(i: number): Handle {
    const e = this.get(i);
    this.#entries[i] = undefined;
    this.#free.push(i);
    return e;
  }
}

/** What each kind of handle is called in trap messages. */
const KIND_NAMES: Record<Handle["kind"], string> = {
  resource: "guest-defined resource",
  "waitable-set": "waitable set",
  subtask: "subtask",
  "future-readable": "readable end of a future",
  "future-writable": "writable end of a future",
  "stream-readable": "readable end of a stream",
  "stream-writable": "writable end of a stream",
  "error-context": "error context",
};

/** What a handle is, in trap messages. */
export function handleKind(h: Handle): string {
  return KIND_NAMES[h.kind];
}

/**
 * The handle at index `i` of a table, when it is of `kind`.
 * @param table The table.
 * @param i The index (an unsigned 32-bit value).
 * @param kind The kind it must be.
 * @returns The handle.
 * @throws {Trap} `unknown handle index`, or the wrong type.
 */
export function handleOf<K extends Handle["kind"]>(
  table: HandleTable,
  i: number,
  kind: K,
): Handle & { readonly kind: K } {
  const h = table.get(i);
  if (h.kind !== kind) throw wrongHandle(i, KIND_NAMES[kind], h);
  return h as Handle & { readonly kind: K };
}

/** The trap for a handle of the wrong kind. */
export function wrongHandle(i: number, expected: string, found: Handle): Trap {
  return new Trap(
    `handle index ${i} used with the wrong type, expected ${expected} but found ${
      handleKind(found)
    }`,
  );
}

/** One call into a component instance, from its start to its post-return. */
export interface Task {
  /** The instance it runs in. */
  readonly instance: ComponentInstanceId;
  /** The lifted function's type. */
  readonly type: TypeFunc;
  /** The lift's options. */
  readonly options: AdapterOptions;
  /** Its implicit thread's context storage. */
  readonly storage: number[];
  /** Its implicit thread's index in the instance's thread table. */
  thread: number;
  /** Its implicit thread, once a thread built-in asked for it. */
  implicit?: Thread;
  /** How many threads it made (`thread.new-indirect`) have not ended. */
  threads?: number;
  /** Its implicit thread ended before its result, while threads it made still ran. */
  implicitEnded?: boolean;
  /** Whether `task.return` has run. */
  returned: boolean;
  /** Borrowed handles lent to it and not dropped yet. */
  borrows: number;
  /** Receives the lifted result of `task.return` (async lifts only). */
  readonly onReturn: (result: unknown) => void;
  /**
   * Lifts the result of `task.return`: the lift's context, whose handles
   * go where the result goes (to the host, or to a calling component).
   */
  readonly returnCx?: AbiContext;
  /** The fiber its code runs on now (a callback's is a new one each time). */
  fiber?: Fiber;
  /**
   * Its caller asked for its cancellation: `pending` until the task can be
   * told (its callback waits), then `delivered` (CanonicalABI.md, `Task.State`).
   */
  cancel?: "pending" | "delivered";
  /** Wakes its callback's wait with `TASK_CANCELLED`, while it waits. */
  cancelWaiter?: () => void;
  /** Tells its caller it was cancelled (`task.cancel`). */
  onCancelled?: () => void;
}

/**
 * The tasks of an instantiation: each is on the fiber that runs its code
 * (see {@link Scheduler}), innermost last; thread tables and backpressure.
 */
export class Tasks {
  readonly #sched: Scheduler;
  /** Per instance: the task holding its exclusive lock (CanonicalABI.md, `exclusive_thread`). */
  readonly #exclusive: (Task | typeof RESERVED | undefined)[];
  /** Per instance: what waits to enter it or to hold its lock, first come first served. */
  readonly #waiting: (() => boolean)[][];
  /** Per instance: how many calls wait to enter it (a new one waits behind them). */
  readonly #entering: Int32Array;
  readonly #threads: { next: number; free: number[] }[] = [];
  /** Per instance: its threads by index (implicit ones once asked for). */
  readonly #threadMaps: Map<number, Thread>[] = [];
  readonly #backpressure: Int32Array;
  /** Per instance: synchronous (not `async`-typed) tasks in progress; and in all. */
  readonly #syncTasks: Int32Array;
  #syncTotal = 0;
  readonly #syncEnded: () => void;

  /**
   * @param instances How many component instances there are.
   * @param sched The fibers the tasks run on.
   * @param syncEnded Called when no synchronous task is in progress any more.
   */
  constructor(instances: number, sched: Scheduler, syncEnded: () => void = () => {}) {
    this.#sched = sched;
    this.#syncEnded = syncEnded;
    this.#syncTasks = new Int32Array(instances);
    this.#exclusive = new Array(instances).fill(undefined);
    this.#waiting = Array.from({ length: instances }, () => []);
    this.#entering = new Int32Array(instances);
    this.#backpressure = new Int32Array(instances);
    for (let i = 0; i < instances; i++) {
      this.#threads.push({ next: 1, free: [] });
      this.#threadMaps.push(new Map());
    }
  }

  /**
   * Start a task: it becomes the current task of its instance.
   * @param t The task, without its thread index yet.
   * @returns The task.
   */
  enter(t: Omit<Task, "thread" | "storage" | "returned" | "borrows" | "implicit">): Task {
    const threads = this.#threads[t.instance];
    if (t.type.async && this.#backpressure[t.instance] > 0 && !this.#sched.fibers) {
      throw new UnsupportedError(
        "entering an instance that applies backpressure would wait, which needs an async " +
          "instance (instantiate with `{ async: true }`)",
        "async",
      );
    }
    const task: Task = {
      ...t,
      storage: [0, 0],
      thread: threads.free.pop() ?? threads.next++,
      returned: false,
      borrows: 0,
    };
    this.moveTo(task, this.#sched.current);
    if (t.type.async && needsExclusive(t.options)) this.#exclusive[t.instance] = task;
    else if (!t.type.async) this.#syncStarts(t.instance);
    return task;
  }

  /**
   * Start a task again in a record that ended (a call scope's, reused so that
   * a call through a fused adapter allocates nothing): its state is reset.
   * @param task The record.
   */
  reenter(task: Task): void {
    const threads = this.#threads[task.instance];
    task.storage[0] = 0;
    task.storage[1] = 0;
    task.thread = threads.free.pop() ?? threads.next++;
    task.returned = false;
    task.borrows = 0;
    task.implicit = undefined;
    task.implicitEnded = undefined;
    this.moveTo(task, this.#sched.current);
    if (!task.type.async) this.#syncStarts(task.instance);
  }

  #syncStarts(inst: ComponentInstanceId): void {
    this.#syncTasks[inst]++;
    this.#syncTotal++;
  }

  /**
   * Whether a synchronous task is in progress (it may not be interleaved
   * with threads of other instances: see `Runtime.resumeReady`).
   * @returns Whether one is.
   */
  syncInProgress(): boolean {
    return this.#syncTotal > 0;
  }

  /**
   * Whether a synchronous task of `inst` is in progress.
   * @param inst The instance.
   * @returns Whether one is.
   */
  syncIn(inst: ComponentInstanceId): boolean {
    return this.#syncTasks[inst] > 0;
  }

  /**
   * The task's code runs on `fiber` now (a callback called on a new one).
   * @param task The task.
   * @param fiber The fiber.
   */
  moveTo(task: Task, fiber: Fiber): void {
    if (task.fiber !== undefined) remove(task.fiber.tasks, task);
    task.fiber = fiber;
    fiber.tasks.push(task);
  }

  /**
   * End the current task.
   * @param task The task (it must be the innermost one).
   */
  exit(task: Task): void {
    this.release(task);
    if (!task.type.async) {
      this.#syncTasks[task.instance]--;
      if (--this.#syncTotal === 0) this.#syncEnded();
    }
    if (task.fiber !== undefined) remove(task.fiber.tasks, task);
    task.fiber = undefined;
    this.#threads[task.instance].free.push(task.thread);
    if (task.implicit !== undefined) {
      task.implicit.state = "done";
      this.#threadMaps[task.instance].delete(task.thread);
    }
  }

  /**
   * A task's implicit thread, registered in its instance's thread table
   * when first asked for.
   * @param task The task.
   * @returns The thread.
   */
  implicitThread(task: Task): Thread {
    if (task.implicit === undefined) {
      task.implicit = { index: task.thread, instance: task.instance, state: "running" };
      this.#threadMaps[task.instance].set(task.thread, task.implicit);
    }
    return task.implicit;
  }

  /**
   * A new thread of `task` (`thread.new-indirect`), not started.
   * @param task The task.
   * @returns The thread.
   */
  newThread(task: Task): Thread {
    const threads = this.#threads[task.instance];
    const index = threads.free.pop() ?? threads.next++;
    if (index > MAX_HANDLE) throw new Trap(TASK_RULES.tableFull);
    const t: Thread = { index, instance: task.instance, state: "new" };
    this.#threadMaps[task.instance].set(index, t);
    task.threads = (task.threads ?? 0) + 1;
    return t;
  }

  /**
   * A thread that `thread.new-indirect` made ended: its index is free.
   * @param task Its task.
   * @param t The thread.
   */
  threadEnded(task: Task, t: Thread): void {
    t.state = "done";
    this.#threadMaps[t.instance].delete(t.index);
    this.#threads[t.instance].free.push(t.index);
    task.threads!--;
  }

  /**
   * The thread at index `i` of `inst`'s thread table.
   * @param inst The instance.
   * @param i The index.
   * @returns The thread.
   * @throws {Trap} When there is none.
   */
  threadAt(inst: ComponentInstanceId, i: number): Thread {
    const t = this.#threadMaps[inst].get(i);
    if (t === undefined) throw new Trap(`unknown thread index ${i}`);
    return t;
  }

  /**
   * The thread of `inst` running now: the one whose fiber runs, or the
   * implicit thread of its running task.
   * @param inst The instance.
   * @param what The built-in asking, for the error.
   * @returns The thread.
   */
  runningThread(inst: ComponentInstanceId, what: string): Thread {
    for (let f: Fiber | undefined = this.#sched.current; f !== undefined; f = f.prev) {
      const t = f.thread as Thread | undefined;
      if (t !== undefined && t.instance === inst) return t;
      const tasks = f.tasks as Task[];
      for (let i = tasks.length - 1; i >= 0; i--) {
        if (tasks[i].instance === inst) return this.implicitThread(tasks[i]);
      }
    }
    return this.implicitThread(this.current(inst, what));
  }

  /**
   * Whether a thread of `inst` is ready to run (a synchronous task may block
   * then: another thread runs meanwhile).
   * @param inst The instance.
   * @returns Whether one is.
   */
  hasReady(inst: ComponentInstanceId): boolean {
    for (const t of this.#threadMaps[inst].values()) if (t.state === "ready") return true;
    return false;
  }

  /**
   * The task running in instance `inst`, if one is.
   * @param inst The instance.
   * @returns The task.
   */
  find(inst: ComponentInstanceId): Task | undefined {
    for (let f: Fiber | undefined = this.#sched.current; f !== undefined; f = f.prev) {
      const tasks = f.tasks as Task[];
      for (let i = tasks.length - 1; i >= 0; i--) if (tasks[i].instance === inst) return tasks[i];
    }
    return undefined;
  }

  /**
   * The task running in instance `inst`.
   * @param inst The instance.
   * @param what The built-in asking, for the error.
   * @returns The task.
   */
  current(inst: ComponentInstanceId, what: string): Task {
    const task = this.find(inst);
    if (task !== undefined) return task;
    throw new UnsupportedError(
      `\`${what}\` called outside a task (from a core start function): wasmfuse runs start functions outside tasks`,
      "async",
    );
  }

  /**
   * Whether a call of an `async`-typed function with lift options `o` must
   * wait before it enters `inst` (CanonicalABI.md, `enter_implicit_thread`):
   * backpressure, the instance's exclusive lock held when the call needs it,
   * or calls already waiting; if it need not, the lock is reserved for it.
   * @param inst The instance.
   * @param o The lift's options.
   * @returns Undefined when it may enter now, else the Promise of the moment it may.
   */
  gate(inst: ComponentInstanceId, o: AdapterOptions): Promise<void> | undefined {
    const exclusive = needsExclusive(o);
    const ready = () =>
      this.#backpressure[inst] === 0 && (!exclusive || this.#exclusive[inst] === undefined);
    const take = () => {
      if (exclusive) this.#exclusive[inst] = RESERVED;
    };
    if (this.#entering[inst] === 0 && ready()) {
      take();
      return undefined;
    }
    this.#entering[inst]++;
    return this.#wait(inst, ready, take).finally(() => this.#entering[inst]--);
  }

  /**
   * Wait until `ready()`, behind what waits for `inst` already, then `take()`
   * at once (in the same turn: nothing else can take it meanwhile).
   */
  #wait(inst: ComponentInstanceId, ready: () => boolean, take: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#waiting[inst].push(() => {
        if (!ready()) return false;
        resolve();
        return true;
      });
    }).then((): Promise<void> | undefined => {
      if (!ready()) return this.#wait(inst, ready, take);
      take();
      return undefined;
    });
  }

  /**
   * A call let in by {@link Tasks.gate} failed before its task started: the
   * lock reserved for it is free again.
   * @param inst The instance.
   */
  unreserve(inst: ComponentInstanceId): void {
    if (this.#exclusive[inst] !== RESERVED) return;
    this.#exclusive[inst] = undefined;
    this.#wake(inst);
  }

  /**
   * A callback task takes its instance's exclusive lock again to run its
   * callback (CanonicalABI.md, `canon_lift`: the event loop).
   * @param task The task.
   * @returns Undefined when it holds the lock now, else the Promise of the moment it does.
   */
  acquire(task: Task): Promise<void> | undefined {
    const inst = task.instance;
    const ready = () => this.#exclusive[inst] === undefined;
    const take = () => {
      this.#exclusive[inst] = task;
    };
    if (ready()) {
      take();
      return undefined;
    }
    return this.#wait(inst, ready, take);
  }

  /**
   * A task lets go of its instance's exclusive lock (its callback returned
   * to wait, or it ended); what waits for the instance is looked at again.
   * @param task The task.
   */
  release(task: Task): void {
    const inst = task.instance;
    if (this.#exclusive[inst] !== task) return;
    this.#exclusive[inst] = undefined;
    this.#wake(inst);
  }

  /** Let in what waits for `inst` and may go now, in order, a microtask later. */
  #wake(inst: ComponentInstanceId): void {
    const waiting = this.#waiting[inst];
    if (waiting.length === 0) return;
    queueMicrotask(() => {
      for (let i = 0; i < waiting.length;) {
        if (waiting[i]()) waiting.splice(i, 1);
        else i++;
      }
    });
  }

  /**
   * Add `delta` to an instance's backpressure counter.
   * @param inst The instance.
   * @param delta 1 or -1.
   */
  backpressure(inst: ComponentInstanceId, delta: 1 | -1): void {
    const n = this.#backpressure[inst] + delta;
    if (n >= 2 ** 16) throw new Trap(TASK_RULES.backpressureOverflow);
    if (n < 0) throw new Trap(TASK_RULES.backpressureUnderflow);
    this.#backpressure[inst] = n;
    if (n === 0) this.#wake(inst);
  }
}
