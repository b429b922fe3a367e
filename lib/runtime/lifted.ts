/**
 * Calls of lifted functions, from their parameters to their post-return
 * (CanonicalABI.md, `canon_lift`): run to completion on the JavaScript
 * stack, or (in an async instance) on fibers, each core call and each
 * callback call on one of its own, a callback obeyed (`WAIT` for an event,
 * `YIELD` for a turn, `EXIT`), the instance's exclusive lock taken and let
 * go, a cancellation told to a waiting callback, threads started. The
 * runtime (runtime.ts) makes these calls for the host's exports and its
 * host adapters.
 *
 * @module
 */

import type { AdapterOptions, ComponentDfg, ComponentInstanceId, CoreDef } from "../inline/dfg.ts";
import { TrapCode } from "../fact/traps.ts";
import { type FlatSignature, flattenAsyncFuncType, flattenFuncType, some } from "../types/abi.ts";
import type { TypeFunc } from "../types/model.ts";
import type { FuncSig } from "../wasm/module.ts";
import type { CoreValue } from "./core.ts";
import { callbackLoop, callbackStep } from "./callbacks.ts";
import { type Fiber, type Scheduler, yieldTurn } from "./fibers.ts";
import type { Handles } from "./handles.ts";
import { isSuspendError } from "./jspi.ts";
import { type HandleTable, type Task, TASK_RULES, type Tasks } from "./tasks.ts";
import type { Thread } from "./threads.ts";
import { isWasmException, PendingTrap, Trap } from "./trap.ts";
import type { AbiContext, CoreNum } from "./values.ts";
import { FlatSource, RULES } from "./values.ts";
import { EVENT, nextEvent, takeEvent, type WaitableSet } from "./waitables.ts";

/** What lifted calls need of the runtime (see `Runtime`). */
export interface CallHost {
  /** Per component instance: 1 while a running stack is inside it. */
  readonly busy: Uint8Array;
  /** Per component instance: 1 once it trapped. */
  readonly poisoned: Uint8Array;
  /** Each component instance's may-leave flag. */
  readonly flags: readonly WebAssembly.Global[];
  /** Handles moving between tables, and call scopes. */
  readonly handles: Handles;
  /** The fibers. */
  readonly sched: Scheduler;
  /** The tasks. */
  readonly tasks: Tasks;
  /** Which component instances define task built-ins. */
  readonly taskScoped: Uint8Array;
  /** The translation's graph. */
  readonly t: { readonly dfg: ComponentDfg };
  /** A core definition's runtime value. */
  resolve(d: CoreDef): CoreValue;
  /** What an engine trap stands for (see `CoreInstances.trapOf`). */
  trapOf(e: unknown): unknown;
  /** The error recorded for an engine trap unwinding now, taken. */
  recordedTrap(): unknown;
  /** An instance's handle table. */
  table(inst: ComponentInstanceId): HandleTable;
  /** A lifting and lowering context for options. */
  context(o: AdapterOptions): AbiContext;
  /** Count a host Promise a component waits for. */
  hostWork<T>(p: Promise<T>): Promise<T>;
  /** Lower parameter values into a callee: its core arguments. */
  lowerParams(cx: AbiContext, ft: TypeFunc, sig: FlatSignature, values: unknown[]): CoreNum[];
  /** A trap where no caller waits for it: what the host waits for fails. */
  trapped(e: unknown): void;
}

const borrowing = new WeakMap<TypeFunc, boolean>();

/** Whether a function's parameters may lend borrows to its callee (cached per type). */
function lendsBorrows(ft: TypeFunc): boolean {
  let b = borrowing.get(ft);
  if (b === undefined) {
    b = ft.params.some((p) => some(p.type, (u) => typeof u !== "string" && u.kind === "borrow"));
    borrowing.set(ft, b);
  }
  return b;
}

/** The core signature of a lift or lower with options `o`. */
export function signature(
  ft: TypeFunc,
  o: AdapterOptions,
  context: "lift" | "lower",
): FlatSignature {
  const ptr = o.memory64 ? "i64" : "i32";
  return o.async
    ? flattenAsyncFuncType(ft, context, ptr, o.callback !== undefined)
    : flattenFuncType(ft, context, ptr);
}

/** A core call on a fiber: returned (with its results), or their Promise. */
type Step = { done: true; value: unknown } | { done: false; promise: Promise<unknown> };

/** A thread's start function's core signature: `(closure)`. */
const THREAD_SIG: FuncSig = { params: ["i32"], results: [] };

/** A callback's core signature: `(event, index, payload) -> code`. */
const CALLBACK_SIG: FuncSig = { params: ["i32", "i32", "i32"], results: ["i32"] };

/** What a host adapter keeps of its callee's task: to ask for its cancellation. */
export interface CalleeLink {
  /** The callee's task, once it started. */
  task?: Task;
  /** Called when the callee's task is cancelled (`task.cancel`). */
  onCancelled?: () => void;
}

/** A lifted function's call in progress (see `LiftedCalls.#enterLifted`). */
interface LiftedCall {
  readonly ft: TypeFunc;
  readonly o: AdapterOptions;
  readonly cx: AbiContext;
  readonly sig: FlatSignature;
  readonly core: (...a: CoreNum[]) => CoreNum | undefined;
  /** How many call scopes were open when it started. */
  readonly calls: number;
  task: Task | undefined;
  flat: CoreNum[];
  /** The fiber that entered the instance (the callee's own, once it runs on one). */
  fiber: Fiber;
}

/** The calls of lifted functions of one instantiation. */
export class LiftedCalls {
  readonly #rt: CallHost;

  /** @param rt The runtime. */
  constructor(rt: CallHost) {
    this.#rt = rt;
  }

  /**
   * Run a lifted function as one task, from its parameters to its
   * post-return: lower `values` into the callee, call it, and hand its
   * result to `deliver` (at `task.return` for an async lift).
   */
  run(
    ft: TypeFunc,
    func: CoreDef,
    o: AdapterOptions,
    values: unknown[],
    deliver: (result: unknown) => void,
    cx: AbiContext = this.#rt.context(o),
  ): void {
    const c = this.#enterLifted(ft, func, o, values, deliver, cx);
    try {
      this.#finishLifted(c, c.core(...c.flat), deliver);
    } catch (caught) {
      throw this.#failLifted(c, caught);
    } finally {
      this.#leaveLifted(c);
    }
  }

  /**
   * {@link LiftedCalls.run} on fibers (JSPI): the callee's core function,
   * and each call of its callback, runs on a fiber of its own, now, until it
   * returns or suspends. What completes without suspending completes before
   * this returns, as when nothing suspends; the rest goes on when what it
   * waits for comes. The result is delivered when the callee has it (an
   * async lift's `task.return`, which may come before the end).
   * @returns Nothing when the call is over, else the Promise of its end.
   * @throws {unknown} What the call failed with, when it failed before suspending.
   */
  runAsync(
    ft: TypeFunc,
    func: CoreDef,
    o: AdapterOptions,
    values: unknown[],
    deliver: (result: unknown) => void,
    cx: AbiContext,
    link?: CalleeLink,
  ): Promise<void> | undefined {
    const c = this.#enterLifted(ft, func, o, values, deliver, cx, link);
    let end: Promise<void> | undefined;
    try {
      end = this.#drive(c, this.#onFiber(c, c.core, c.sig, c.flat), deliver);
    } catch (caught) {
      try {
        throw this.#failLifted(c, caught);
      } finally {
        this.#leaveLifted(c);
      }
    }
    if (end === undefined) {
      this.#leaveLifted(c);
      return undefined;
    }
    return end.then(() => this.#leaveLifted(c), (caught) => {
      const e = this.#failLifted(c, caught);
      this.#leaveLifted(c);
      throw e;
    });
  }

  /**
   * Call `fn` for the call `c` on a new fiber, which enters the callee's
   * instance and holds its task.
   * @returns Its results when it returned without suspending, else their Promise.
   * @throws {PendingTrap} When it trapped before suspending.
   */
  #onFiber(c: LiftedCall, fn: unknown, sig: FuncSig, args: readonly unknown[]): Step {
    const inst = c.o.instance;
    const { fiber, promise } = this.#rt.sched.run(
      fn as (...a: never[]) => unknown,
      sig,
      args,
      (f) => {
        this.#rt.sched.leave(c.fiber, inst);
        c.fiber = f;
        f.entered.push(inst);
        if (c.task !== undefined) this.#rt.tasks.moveTo(c.task, f);
      },
    );
    if (fiber.done) return { done: true, value: fiber.results };
    const p = promise.finally(() => this.#rt.sched.ended(fiber));
    if (!fiber.suspended) {
      // it trapped: with the error a host function recorded, or (an engine trap in its own
      // code) with what JSPI reports a microtask later
      p.catch(() => {});
      const recorded = this.#rt.recordedTrap();
      if (recorded !== undefined) throw recorded;
      const known = p.catch((e) => {
        throw this.caught(e);
      });
      known.catch(() => {});
      throw new PendingTrap(known);
    }
    return { done: false, promise: p };
  }

  /**
   * Go on with a lifted call whose core function (or callback) returned or
   * will: a sync or stackful lift's result is lifted and delivered; a
   * callback's code is obeyed (CanonicalABI.md, `canon_lift`): `WAIT` calls
   * it again with the set's next event (at once when one is pending),
   * `YIELD` after the host's pending work, `EXIT` ends the task.
   * @returns Nothing when the call is over, else the Promise of its end.
   */
  #drive(c: LiftedCall, step: Step, deliver: (result: unknown) => void): Promise<void> | undefined {
    const { o } = c;
    for (;;) {
      if (!step.done) {
        return step.promise.then((raw) => this.#drive(c, { done: true, value: raw }, deliver));
      }
      const raw = step.value as CoreNum | undefined;
      // (a task lets go of its instance's lock as its code ends, not a turn later)
      if (!o.async || o.callback === undefined) {
        this.#finishLifted(c, raw, deliver);
        if (c.task !== undefined) this.#rt.tasks.release(c.task);
        return undefined;
      }
      const next = callbackStep(this.#rt.table(o.instance), raw as number);
      if (next === "exit") {
        this.#implicitEnded(c.task!);
        this.#rt.tasks.release(c.task!);
        return undefined;
      }
      // between two calls of its callback, a task lets others run in its instance
      const task = c.task!;
      this.#rt.tasks.release(task);
      const cb = this.#rt.resolve(o.callback);
      const call = (e: readonly number[]) => () =>
        this.#drive(c, this.#onFiber(c, cb, CALLBACK_SIG, e), deliver);
      // a cancellation asked for while the callback ran is told now (CanonicalABI.md,
      // `deliver_pending_cancel`), else while it waits
      if (task.cancel === "pending") {
        task.cancel = "delivered";
        return this.#locked(task, call([EVENT.TASK_CANCELLED, 0, 0]));
      }
      if (next === "yield") {
        const turn = this.#rt.hostWork(yieldTurn()).then(() => [EVENT.NONE, 0, 0] as const);
        return this.#waitThen(task, turn, undefined, call);
      }
      const e = takeEvent(next);
      if (e === undefined) return this.#waitThen(task, nextEvent(next), next, call);
      const wait = this.#rt.tasks.acquire(task);
      if (wait !== undefined) return wait.then(call(e)) as Promise<void>;
      step = this.#onFiber(c, cb, CALLBACK_SIG, e);
    }
  }

  /**
   * An async task's implicit thread ended: without its result, that traps,
   * unless a thread it made still runs (which may return it: CanonicalABI.md,
   * `unregister_thread` traps when the last thread ends unresolved).
   */
  #implicitEnded(task: Task): void {
    if (task.returned) return;
    if ((task.threads ?? 0) > 0) task.implicitEnded = true;
    else throw new Trap(TASK_RULES.noResult);
  }

  /**
   * Start a thread `thread.new-indirect` made: `fn(arg)` on a fiber of its
   * own, in its task and instance; when it ends, its index is free, and a
   * trap in it fails what the host waits for.
   */
  startThread(task: Task, t: Thread, fn: (arg: number) => void, arg: number): void {
    const inst = task.instance;
    const { fiber, promise } = this.#rt.sched.run(fn, THREAD_SIG, [arg], (f) => {
      f.thread = t;
      f.tasks.push(task);
      f.entered.push(inst);
    });
    const fail = (err: unknown) => {
      if (err instanceof Trap || err instanceof WebAssembly.RuntimeError) {
        this.#rt.poisoned[inst] = 1;
      }
      this.#rt.trapped(err);
    };
    const end = () => {
      this.#rt.tasks.threadEnded(task, t);
      // the last thread of a task whose implicit thread ended without its result
      if (task.threads === 0 && task.implicitEnded && !task.returned) {
        fail(new Trap(TASK_RULES.noResult));
      }
    };
    if (fiber.done) return end();
    promise.then(end, (e) => {
      end();
      fail(this.caught(e));
    });
  }

  /**
   * A callback waits for `p` (an event, a turn), then runs with it; or, when
   * its task's cancellation is asked for meanwhile, runs at once with
   * `TASK_CANCELLED` (in the call that asked: CanonicalABI.md,
   * `request_cancellation` resumes the task) and gives the wait up.
   */
  #waitThen(
    task: Task,
    p: Promise<readonly number[]>,
    set: WaitableSet | undefined,
    call: (e: readonly number[]) => () => Promise<void> | undefined,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const go = (e: readonly number[]) => {
        try {
          const r = this.#locked(task, call(e));
          if (r === undefined) resolve();
          else r.then(resolve, reject);
        } catch (err) {
          reject(err);
        }
      };
      task.cancelWaiter = () => {
        task.cancelWaiter = undefined;
        if (set !== undefined) set.waiter = undefined;
        go([EVENT.TASK_CANCELLED, 0, 0]);
      };
      p.then((e) => {
        if (task.cancelWaiter === undefined) return;
        task.cancelWaiter = undefined;
        go(e);
      }, reject);
    });
  }

  /**
   * A caller asks for a task's cancellation (CanonicalABI.md,
   * `Task.request_cancellation`): a callback that waits, in an instance
   * that may be entered, is told now (`TASK_CANCELLED`), else when it next
   * waits.
   */
  requestCancel(task: Task): void {
    if (task.returned || task.cancel !== undefined) return;
    if (task.cancelWaiter !== undefined && !this.#rt.busy[task.instance]) {
      task.cancel = "delivered";
      task.cancelWaiter();
    } else task.cancel = "pending";
  }

  /** Run `f` once `task` holds its instance's exclusive lock again. */
  #locked(task: Task, f: () => Promise<void> | undefined): Promise<void> | undefined {
    const wait = this.#rt.tasks.acquire(task);
    return wait === undefined ? f() : wait.then(f) as Promise<void>;
  }

  /**
   * Enter a lifted function: the instance must be enterable; its task starts
   * first (CanonicalABI.md, canon_lift), then the parameters are written
   * with may-leave cleared (realloc runs, as a task of its own).
   */
  #enterLifted(
    ft: TypeFunc,
    func: CoreDef,
    o: AdapterOptions,
    values: unknown[],
    deliver: (result: unknown) => void,
    cx: AbiContext,
    link?: CalleeLink,
  ): LiftedCall {
    const inst = o.instance;
    if (this.#rt.poisoned[inst] || this.#rt.busy[inst]) throw new Trap(RULES.cannotEnter);
    const c: LiftedCall = {
      ft,
      o,
      cx,
      sig: signature(ft, o, "lift"),
      core: this.#rt.resolve(func) as (...a: CoreNum[]) => CoreNum | undefined,
      calls: this.#rt.handles.depth,
      task: undefined,
      flat: [],
      fiber: this.#rt.sched.enter(inst),
    };
    try {
      // a plain call into an instance without task built-ins needs no task record:
      // nothing could read it (the fast path of every host call)
      if (this.#rt.taskScoped[inst] || o.async || ft.async || lendsBorrows(ft)) {
        c.task = this.#rt.tasks.enter({
          instance: inst,
          type: ft,
          options: o,
          onReturn: deliver,
          returnCx: cx,
        });
        if (link !== undefined) {
          link.task = c.task;
          c.task.onCancelled = link.onCancelled;
        }
      }
      const flag = this.#rt.flags[inst];
      flag.value = 0;
      try {
        c.flat = this.#rt.lowerParams(cx, ft, c.sig, values);
      } finally {
        flag.value = 1;
      }
      return c;
    } catch (caught) {
      try {
        throw this.#failLifted(c, caught);
      } finally {
        this.#leaveLifted(c);
      }
    }
  }

  /** The callee returned `raw`: lift its result, deliver it, run the post-return. */
  #finishLifted(c: LiftedCall, raw: CoreNum | undefined, deliver: (result: unknown) => void): void {
    const { ft, o, cx, sig, task } = c;
    const inst = o.instance;
    if (o.async) {
      if (o.callback !== undefined) {
        callbackLoop(
          this.#rt.resolve(o.callback) as (...a: number[]) => number,
          this.#rt.table(inst),
          raw as number,
        );
      }
      this.#implicitEnded(task!);
      return;
    }
    const rawResults: CoreNum[] = sig.results.length === 0 ? [] : [raw!];
    let result: unknown;
    if (ft.result !== undefined) {
      if (sig.resultsInMemory) {
        const l = cx.layout(ft.result);
        const p = cx.ptr(raw!);
        cx.check(p, l.align, l.size, RULES.unaligned, RULES.outOfBounds);
        result = cx.load(ft.result, p);
      } else {
        result = cx.liftFlat(ft.result, new FlatSource(rawResults));
      }
    }
    if (task !== undefined) {
      if (task.borrows > 0) throw new Trap(TASK_RULES.borrowsRemain);
      task.returned = true;
    }
    deliver(result);
    if (o.postReturn !== undefined) {
      // (its task is the running one's again: the fiber of its core function may have ended)
      if (task !== undefined) this.#rt.tasks.moveTo(task, this.#rt.sched.current);
      const flag = this.#rt.flags[inst];
      flag.value = 0;
      try {
        const pr = this.#rt.resolve(this.#rt.t.dfg.postReturns[o.postReturn]);
        try {
          (pr as (...a: CoreNum[]) => void)(...rawResults);
        } catch (e) {
          // (what a post-return calls that may suspend would trap first: it may not leave)
          if (isSuspendError(e)) throw new Trap(RULES.cannotLeave);
          throw e;
        }
      } finally {
        flag.value = 1;
      }
    }
  }

  /** What a lifted call that threw throws: a trap poisons the instance. */
  #failLifted(c: LiftedCall, caught: unknown): unknown {
    this.#rt.handles.unwindCalls(c.calls);
    const e = this.caught(caught);
    if (e instanceof Trap || e instanceof WebAssembly.RuntimeError) {
      this.#rt.poisoned[c.o.instance] = 1;
    }
    return e;
  }

  /** What an error caught from core wasm stands for. */
  caught(caught: unknown): unknown {
    // a core wasm exception traps at the boundary (`call_and_trap_on_throw`)
    return isWasmException(caught)
      ? Trap.fromCode(TrapCode.UncaughtException)
      : this.#rt.trapOf(caught);
  }

  /** A lifted call is over (returned or not): its task ends, the instance may be entered. */
  #leaveLifted(c: LiftedCall): void {
    if (c.task !== undefined) this.#rt.tasks.exit(c.task);
    this.#rt.sched.leave(c.fiber, c.o.instance);
  }
}
