/**
 * The runtime of one instantiation: the Canonical ABI at the host boundary
 * (host functions lowered into components, exports lifted for the host),
 * host adapters, tasks and handle tables, resource built-ins, and the host's
 * import lookup.
 *
 * @module
 */

import type { Translation } from "../fuse.ts";
import { TrapCode } from "../fact/traps.ts";
import type {
  Adapter,
  AdapterOptions,
  ComponentDfg,
  ComponentInstanceId,
  CoreDef,
  ExportNode,
  ImportPath,
  Lowering,
} from "../inline/dfg.ts";
import { type FlatSignature, flattenAsyncFuncType, flattenFuncType, some } from "../types/abi.ts";
import { LinkError } from "../types/errors.ts";
import type { InterfaceType, TypeFunc, TypeHandle, TypeResource } from "../types/model.ts";
import type { CompiledModules, CoreValue, IntrinsicKind } from "./core.ts";
import {
  addJsNames,
  callForResult,
  ComponentError,
  fromClass,
  hostMember,
  ImportResolver,
  inHostCall,
  resultOfThrown,
  resultOfValue,
  taggedResults,
} from "./host.ts";
import { HostResources, type ResourceScope } from "./host_resources.ts";
import type {
  ComponentFunction,
  ComponentImports,
  ExportedType,
  InstantiateOptions,
} from "./instance.ts";
import {
  checkMayBlock,
  HandleTable,
  type ResourceHandle,
  type Task,
  TASK_RULES,
  Tasks,
} from "./tasks.ts";
import { snapshot } from "./js_values.ts";
import { isWasmException, PendingTrap, settleTrap, Trap } from "./trap.ts";
import { Handles } from "./handles.ts";
import { CallQueue, isAsyncFunction, isSuspendError, markAsync } from "./jspi.ts";
import {
  EVENT,
  newSubtask,
  nextEvent,
  resolveSubtask,
  startSubtask,
  SUBTASK,
  takeEvent,
  type WaitableSet,
} from "./waitables.ts";
import type { FuncSig } from "../wasm/module.ts";
import { callbackLoop, callbackStep } from "./callbacks.ts";
import { type Fiber, Scheduler, yieldTurn } from "./fibers.ts";
import type { Thread } from "./threads.ts";
import { AbiContext, type CoreNum, FlatSource, type HandleOps, RULES } from "./values.ts";

function tupleOf(ft: TypeFunc): InterfaceType {
  return { kind: "tuple", types: ft.params.map((p) => p.type) };
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
function signature(ft: TypeFunc, o: AdapterOptions, context: "lift" | "lower"): FlatSignature {
  const ptr = o.memory64 ? "i64" : "i32";
  return o.async
    ? flattenAsyncFuncType(ft, context, ptr, o.callback !== undefined)
    : flattenFuncType(ft, context, ptr);
}

/** An import path as Wasmtime names it: `wasi:cli/stdout@0.2.12#get-stdout`. */
function importName(t: Translation, path: ImportPath): string {
  return [t.dfg.imports[path.import].name, ...path.names].join("#");
}

/** A core call on a fiber: returned (with its results), or their Promise. */
type Step = { done: true; value: unknown } | { done: false; promise: Promise<unknown> };

/** A thread's start function's core signature: `(closure)`. */
const THREAD_SIG: FuncSig = { params: ["i32"], results: [] };

/** A callback's core signature: `(event, index, payload) -> code`. */
const CALLBACK_SIG: FuncSig = { params: ["i32", "i32", "i32"], results: ["i32"] };

/** What a host adapter keeps of its callee's task: to ask for its cancellation. */
interface CalleeLink {
  /** The callee's task, once it started. */
  task?: Task;
  /** Called when the callee's task is cancelled (`task.cancel`). */
  onCancelled?: () => void;
}

/** A lifted function's call in progress (see `Runtime.#enterLifted`). */
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

/**
 * Per-instantiation state (flags, entered and poisoned component
 * instances, handle tables, tasks) and the calls across the host boundary
 * and host adapters.
 */
export class Runtime implements ResourceScope {
  flags: readonly WebAssembly.Global[] = [];
  readonly busy: Uint8Array;
  /** Whether core instances are being made (start functions run; see `TaskHost.instantiating`). */
  instantiating = false;

  /** Whether the instance is async (`InstantiateOptions.async`: JSPI). */
  get asyncMode(): boolean {
    return this.options.async === true;
  }
  readonly poisoned: Uint8Array;
  /** The fibers of an async instance (and the root stack of every instance). */
  readonly sched: Scheduler;
  readonly tasks: Tasks;
  /** Which component instances define task built-ins. */
  readonly taskScoped: Uint8Array;
  resolve: (d: CoreDef) => CoreValue = () => {
    throw new Error("the component is not instantiated yet");
  };
  /** The {@link Trap} an engine trap stands for, when an adapter named one (see `CoreInstances`). */
  trapOf: (e: unknown) => unknown = (e) => e;
  /** The error recorded for an engine trap unwinding now, taken (see `Guards.recorded`). */
  recordedTrap: () => unknown = () => undefined;

  readonly #resolver: ImportResolver;
  /** The host value of each root import, once looked up. */
  readonly #roots: unknown[] = [];
  /** The objects and classes standing for resources at the host. */
  readonly #host: HostResources = new HostResources(this);
  /** Checks a handle the host hands in, without moving it. */
  readonly #checkHandle = (t: TypeHandle, v: unknown) => this.#host.checkHandle(t, v);

  constructor(
    readonly t: Translation,
    readonly imports: ComponentImports,
    readonly options: InstantiateOptions = {},
  ) {
    this.#resolver = new ImportResolver(imports);
    const n = t.dfg.componentInstances.length;
    this.busy = new Uint8Array(n);
    this.poisoned = new Uint8Array(n);
    this.sched = new Scheduler(this.busy);
    this.sched.fibers = options.async === true;
    this.tasks = new Tasks(n, this.sched);
    // instances whose core code can call task built-ins
    this.taskScoped = new Uint8Array(n);
    const mark = (d: CoreDef) => {
      if (d.kind === "builtin") this.taskScoped[d.instance] = 1;
    };
    for (const node of t.dfg.instances) {
      if (Array.isArray(node.args)) (node.args as readonly CoreDef[]).forEach(mark);
      else {
        for (const m of (node.args as ReadonlyMap<string, ReadonlyMap<string, CoreDef>>).values()) {
          m.forEach(mark);
        }
      }
    }
  }

  context(o: AdapterOptions, handles: "guest" | "host" | "none" = "host"): AbiContext {
    const dfg = this.t.dfg;
    const mem = o.memory === undefined ? undefined : dfg.memories[o.memory].export;
    const realloc = o.realloc === undefined ? undefined : dfg.reallocs[o.realloc];
    return new AbiContext({
      memory64: o.memory64,
      stringEncoding: o.stringEncoding,
      memory: mem === undefined
        ? undefined
        : () => this.resolve({ kind: "export", ...mem }) as WebAssembly.Memory,
      realloc: realloc === undefined ? undefined : () => this.#realloc(realloc, o),
      ...(handles === "none" ? {} : {
        handles: handles === "guest" ? this.guestOps(o.instance) : this.#host.handleOps(o.instance),
      }),
    });
  }

  /** The resource id of each resource type of the graph. */
  #resourceIds?: Map<TypeResource, number>;

  /** The graph. */
  get dfg(): ComponentDfg {
    return this.t.dfg;
  }

  resourceId(t: TypeResource): number {
    if (this.#resourceIds === undefined) {
      this.#resourceIds = new Map(this.t.dfg.resources.map((r, i) => [r.type, i]));
    }
    const id = this.#resourceIds.get(t);
    if (id === undefined) throw new Error("a handle of a resource type the graph does not know");
    return id;
  }

  /** Handles moving between tables, and the call scopes adapters open. */
  readonly handles: Handles = new Handles(this);

  /** A handle of `resource` at index `i` of `inst`'s table, or the rule it breaks. */
  resourceHandle(inst: ComponentInstanceId, i: number, resource: number): ResourceHandle {
    return this.handles.resourceHandle(inst, i, resource);
  }

  /**
   * Handle transfers into and out of `inst`'s table, for values lifted and
   * lowered at the host boundary.
   * @param inst The instance.
   * @returns The operations.
   */
  guestOps(inst: ComponentInstanceId): HandleOps {
    return this.handles.guestOps(inst);
  }

  /**
   * The intrinsics fused adapters import (see `AdapterModuleBuilder`).
   * @param kind Which.
   * @returns The function.
   */
  intrinsic(kind: IntrinsicKind): (...a: number[]) => number | undefined {
    return this.handles.intrinsic(kind);
  }

  /**
   * A realloc the host calls: in an instance with task built-ins it runs as
   * a task of its own (CanonicalABI.md, `reallocate`), with fresh context.
   */
  #realloc(def: CoreDef, o: AdapterOptions): (...a: CoreNum[]) => CoreNum {
    const f = this.resolve(def) as (...a: CoreNum[]) => CoreNum;
    if (!this.taskScoped[o.instance]) return f;
    const type: TypeFunc = { kind: "func", async: false, params: [] };
    const options: AdapterOptions = {
      instance: o.instance,
      stringEncoding: "utf8",
      memory64: false,
    };
    return (...a) => {
      const task = this.tasks.enter({ instance: o.instance, type, options, onReturn: () => {} });
      try {
        return f(...a);
      } finally {
        this.tasks.exit(task);
      }
    };
  }

  /** The host value at an import path, or `undefined` when the host does not give it. */
  find(path: ImportPath): unknown {
    let v = this.#roots[path.import];
    if (v === undefined) {
      v = this.#roots[path.import] = this.#resolver.get(this.t.dfg.imports[path.import].name);
    }
    for (const n of path.names) v = hostMember(v, n);
    return v ?? this.#fromClass(path);
  }

  /** The host value at an import path. */
  lookup(path: ImportPath): unknown {
    const v = this.find(path);
    if (v === undefined) throw new LinkError(`missing import \`${importName(this.t, path)}\``);
    return v;
  }

  /** An imported `[constructor]r`, `[method]r.m` or `[static]r.s` given as a class beside it. */
  #fromClass(path: ImportPath): ComponentFunction | undefined {
    const names = [this.t.dfg.imports[path.import].name, ...path.names];
    let container: unknown = names.length === 1 ? this.imports : this.#resolver.get(names[0]);
    for (const n of names.slice(1, -1)) container = hostMember(container, n);
    return fromClass(container, names[names.length - 1]);
  }

  /** Whether an instance may leave now. */
  mayLeave(inst: ComponentInstanceId): boolean {
    return this.flags[inst].value !== 0;
  }

  /** An instance's handle table. */
  table(inst: ComponentInstanceId): HandleTable {
    let t = this.#tables[inst];
    if (t === undefined) this.#tables[inst] = t = new HandleTable();
    return t;
  }

  /** Each component instance's handle table, made at first use. */
  readonly #tables: (HandleTable | undefined)[] = [];

  /** Lift the parameters a caller passed as core values `args`. */
  #liftParams(cx: AbiContext, ft: TypeFunc, sig: FlatSignature, args: CoreNum[]): unknown[] {
    if (sig.paramsInMemory) {
      const params = tupleOf(ft);
      const l = cx.layout(params);
      const p = cx.ptr(args[0]);
      cx.check(p, l.align, l.size, RULES.unaligned, RULES.outOfBounds);
      return cx.load(params, p) as unknown[];
    }
    const src = new FlatSource(args);
    return ft.params.map((p) => cx.liftFlat(p.type, src));
  }

  /** Lower parameter values into a callee: its core arguments. */
  #lowerParams(cx: AbiContext, ft: TypeFunc, sig: FlatSignature, values: unknown[]): CoreNum[] {
    const flat: CoreNum[] = [];
    if (sig.paramsInMemory) {
      const params = tupleOf(ft);
      const l = cx.layout(params);
      const p = cx.realloc(l.align, l.size);
      cx.store(params, values, p);
      flat.push(cx.corePtr(p));
    } else {
      ft.params.forEach((p, i) => cx.lowerFlat(p.type, values[i], flat));
    }
    return flat;
  }

  /** Lower a result into a caller: a core result, or nothing after a store through its return pointer. */
  #lowerResult(
    cx: AbiContext,
    ft: TypeFunc,
    sig: FlatSignature,
    value: unknown,
    args: CoreNum[],
  ): CoreNum | undefined {
    const t = ft.result!;
    if (sig.resultsInMemory) {
      const l = cx.layout(t);
      const p = cx.ptr(args[args.length - 1]);
      cx.check(p, l.align, l.size, RULES.unaligned, RULES.outOfBounds);
      cx.store(t, value, p);
      return undefined;
    }
    const out: CoreNum[] = [];
    cx.lowerFlat(t, value, out);
    return out[0];
  }

  /**
   * Whether a host lowering may suspend its caller: an `async` host function
   * with `async: true` (the Promise it returns is parked, see `Guards`).
   */
  suspends(l: Lowering): boolean {
    // (an async lower does not: its caller gets a subtask and goes on)
    return this.options.async === true && l.options.async !== true &&
      isAsyncFunction(this.find(l.import));
  }

  /**
   * A host function lowered into core wasm. One that {@link Runtime.suspends}
   * returns a Promise when the host's does: its caller waits for it.
   */
  lower(l: Lowering): CoreValue {
    const where = importName(this.t, l.import);
    const found = this.find(l.import);
    if (found === undefined && this.options.trapUnknownImports) {
      return () => {
        throw new Trap(`unknown import: \`${where}\` has not been defined`);
      };
    }
    if (found === undefined) throw new LinkError(`missing import \`${where}\``);
    if (typeof found !== "function") throw new LinkError(`import \`${where}\` is not a function`);
    const fn = found as ComponentFunction;
    const o = l.options;
    const cx = this.context(o);
    const ft = l.type;
    const sig = signature(ft, o, "lower");
    const inst = o.instance;
    // a top-level result: the host returns `T` and throws for `E` (jco's convention)
    const result = ft.result !== undefined && typeof ft.result !== "string" &&
        ft.result.kind === "result"
      ? ft.result
      : undefined;
    // owned resources the host receives are disposed if it throws (see HostResources.orphan)
    const ownParams = ft.params.some((p) =>
      some(p.type, (t) => typeof t !== "string" && t.kind === "own")
    );
    const suspends = this.suspends(l);
    // an async lower of an async host function in an async instance: a subtask while it is pending
    const subtasks = this.options.async === true && o.async === true && isAsyncFunction(fn);
    const call = (...args: CoreNum[]): CoreNum | undefined | Promise<CoreNum | undefined> => {
      if (!this.mayLeave(inst)) throw new Trap(RULES.cannotLeave);
      let values: unknown[];
      let received: object[] | undefined;
      if (ownParams) {
        [values, received] = this.#host.receiving(() => this.#liftParams(cx, ft, sig, args));
      } else values = this.#liftParams(cx, ft, sig, args);
      let returned = false;
      const fail = (e: unknown): never => {
        // the host kept what it received only if it returned
        if (received !== undefined && !returned) this.#host.orphan(received);
        if (!(e instanceof Trap)) inHostCall(e, where);
        throw e;
      };
      const finish = (r: unknown): CoreNum | undefined => {
        returned = true;
        let out: CoreNum | undefined;
        if (ft.result !== undefined) {
          // the result read once and checked before anything is written (or allocated)
          const checked = snapshot(ft.result, r, this.#checkHandle);
          const f = this.flags[inst];
          f.value = 0;
          try {
            out = this.#lowerResult(cx, ft, sig, checked, args);
          } finally {
            f.value = 1;
          }
        }
        return o.async ? SUBTASK.RETURNED : out;
      };
      let r: unknown;
      try {
        r = result === undefined ? fn(...values) : callForResult(fn, values, result.ok);
        if (!(r instanceof Promise)) return finish(r);
        if (!suspends && !subtasks) {
          returned = true;
          throw new TypeError(
            "a host import returned a Promise: instantiate with `{ async: true }` (JSPI) and " +
              "give an `async function` for it to suspend the component",
          );
        }
      } catch (e) {
        return fail(e);
      }
      // what the Promise stands for (a function's own `result` as for a returned value)
      const settled = this.hostWork(
        result === undefined ? r : r.then((v) => resultOfValue(fn, v, result.ok), resultOfThrown),
      );
      if (subtasks) return this.#subtask(inst, settled, finish, fail);
      // the caller is suspended until the host's Promise settles
      return settled.then((v) => {
        try {
          return finish(v);
        } catch (e) {
          return fail(e);
        }
      }, fail);
    };
    return call as CoreValue;
  }

  /**
   * An async-lowered host call whose Promise is pending: a subtask in the
   * caller's table, `STARTED`; when the Promise settles, the result is
   * written at the caller's return pointer and the subtask resolves (its
   * event wakes a waiter on its set). A failure is delivered with the event,
   * as the waiter's trap.
   * @returns The status, `STARTED | (index << 4)`.
   */
  #subtask(
    inst: ComponentInstanceId,
    settled: Promise<unknown>,
    finish: (v: unknown) => CoreNum | undefined,
    fail: (e: unknown) => never,
  ): number {
    const s = newSubtask();
    s.index = this.table(inst).add(s);
    settled.then((v) => finish(v)).then(
      () => resolveSubtask(s),
      (e) => {
        let err: unknown = e;
        try {
          fail(e);
        } catch (named) {
          err = named;
        }
        resolveSubtask(s, err);
      },
    );
    return SUBTASK.STARTED | (s.index << 4);
  }

  /**
   * Run a lifted function as one task, from its parameters to its
   * post-return: lower `values` into the callee, call it, and hand its
   * result to `deliver` (at `task.return` for an async lift).
   */
  #runLifted(
    ft: TypeFunc,
    func: CoreDef,
    o: AdapterOptions,
    values: unknown[],
    deliver: (result: unknown) => void,
    cx: AbiContext = this.context(o),
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
   * {@link Runtime.#runLifted} on fibers (JSPI): the callee's core function,
   * and each call of its callback, runs on a fiber of its own, now, until it
   * returns or suspends. What completes without suspending completes before
   * this returns, as when nothing suspends; the rest goes on when what it
   * waits for comes. The result is delivered when the callee has it (an
   * async lift's `task.return`, which may come before the end).
   * @returns Nothing when the call is over, else the Promise of its end.
   * @throws {unknown} What the call failed with, when it failed before suspending.
   */
  #runLiftedAsync(
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
    const { fiber, promise } = this.sched.run(fn as (...a: never[]) => unknown, sig, args, (f) => {
      this.sched.leave(c.fiber, inst);
      c.fiber = f;
      f.entered.push(inst);
      if (c.task !== undefined) this.tasks.moveTo(c.task, f);
    });
    if (fiber.done) return { done: true, value: fiber.results };
    const p = promise.finally(() => this.sched.ended(fiber));
    if (!fiber.suspended) {
      // it trapped: with the error a host function recorded, or (an engine trap in its own
      // code) with what JSPI reports a microtask later
      p.catch(() => {});
      const recorded = this.recordedTrap();
      if (recorded !== undefined) throw recorded;
      const known = p.catch((e) => {
        throw this.#caught(e);
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
        if (c.task !== undefined) this.tasks.release(c.task);
        return undefined;
      }
      const next = callbackStep(this.table(o.instance), raw as number);
      if (next === "exit") {
        if (!c.task!.returned) throw new Trap(TASK_RULES.noResult);
        this.tasks.release(c.task!);
        return undefined;
      }
      // between two calls of its callback, a task lets others run in its instance
      const task = c.task!;
      this.tasks.release(task);
      const cb = this.resolve(o.callback);
      const call = (e: readonly number[]) => () =>
        this.#drive(c, this.#onFiber(c, cb, CALLBACK_SIG, e), deliver);
      // a cancellation asked for while the callback ran is told now (CanonicalABI.md,
      // `deliver_pending_cancel`), else while it waits
      if (task.cancel === "pending") {
        task.cancel = "delivered";
        return this.#locked(task, call([EVENT.TASK_CANCELLED, 0, 0]));
      }
      if (next === "yield") {
        const turn = this.hostWork(yieldTurn()).then(() => [EVENT.NONE, 0, 0] as const);
        return this.#waitThen(task, turn, undefined, call);
      }
      const e = takeEvent(next);
      if (e === undefined) return this.#waitThen(task, nextEvent(next), next, call);
      const wait = this.tasks.acquire(task);
      if (wait !== undefined) return wait.then(call(e)) as Promise<void>;
      step = this.#onFiber(c, cb, CALLBACK_SIG, e);
    }
  }

  /**
   * Start a thread `thread.new-indirect` made: `fn(arg)` on a fiber of its
   * own, in its task and instance; when it ends, its index is free, and a
   * trap in it fails what the host waits for.
   */
  startThread(task: Task, t: Thread, fn: (arg: number) => void, arg: number): void {
    const inst = task.instance;
    const { fiber, promise } = this.sched.run(fn, THREAD_SIG, [arg], (f) => {
      f.thread = t;
      f.tasks.push(task);
      f.entered.push(inst);
    });
    const end = () => this.tasks.threadEnded(task, t);
    if (fiber.done) return end();
    promise.then(end, (e) => {
      end();
      const err = this.#caught(e);
      if (err instanceof Trap || err instanceof WebAssembly.RuntimeError) this.poisoned[inst] = 1;
      this.#trapped(err);
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
  #requestCancel(task: Task): void {
    if (task.returned || task.cancel !== undefined) return;
    if (task.cancelWaiter !== undefined && !this.busy[task.instance]) {
      task.cancel = "delivered";
      task.cancelWaiter();
    } else task.cancel = "pending";
  }

  /** Run `f` once `task` holds its instance's exclusive lock again. */
  #locked(task: Task, f: () => Promise<void> | undefined): Promise<void> | undefined {
    const wait = this.tasks.acquire(task);
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
    if (this.poisoned[inst] || this.busy[inst]) throw new Trap(RULES.cannotEnter);
    const c: LiftedCall = {
      ft,
      o,
      cx,
      sig: signature(ft, o, "lift"),
      core: this.resolve(func) as (...a: CoreNum[]) => CoreNum | undefined,
      calls: this.handles.depth,
      task: undefined,
      flat: [],
      fiber: this.sched.enter(inst),
    };
    try {
      // a plain call into an instance without task built-ins needs no task record:
      // nothing could read it (the fast path of every host call)
      if (this.taskScoped[inst] || o.async || ft.async || lendsBorrows(ft)) {
        c.task = this.tasks.enter({
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
      const flag = this.flags[inst];
      flag.value = 0;
      try {
        c.flat = this.#lowerParams(cx, ft, c.sig, values);
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
          this.resolve(o.callback) as (...a: number[]) => number,
          this.table(inst),
          raw as number,
        );
      }
      if (!task!.returned) throw new Trap(TASK_RULES.noResult);
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
      if (task !== undefined) this.tasks.moveTo(task, this.sched.current);
      const flag = this.flags[inst];
      flag.value = 0;
      try {
        const pr = this.resolve(this.t.dfg.postReturns[o.postReturn]);
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
    this.handles.unwindCalls(c.calls);
    const e = this.#caught(caught);
    if (e instanceof Trap || e instanceof WebAssembly.RuntimeError) this.poisoned[c.o.instance] = 1;
    return e;
  }

  /** What an error caught from core wasm stands for. */
  #caught(caught: unknown): unknown {
    // a core wasm exception traps at the boundary (`call_and_trap_on_throw`)
    return isWasmException(caught)
      ? Trap.fromCode(TrapCode.UncaughtException)
      : this.trapOf(caught);
  }

  /** A lifted call is over (returned or not): its task ends, the instance may be entered. */
  #leaveLifted(c: LiftedCall): void {
    if (c.task !== undefined) this.tasks.exit(c.task);
    this.sched.leave(c.fiber, c.o.instance);
  }

  /**
   * An exported lifted function as a JavaScript function. A top-level
   * `result<T, E>` returns `T` and throws a {@link ComponentError} for `E`,
   * unless the instance was asked for tagged results. An `async` one calls
   * its callee on a fiber (JSPI) and returns a Promise, settled when the
   * callee returns its result, once the call made before it has (see
   * `InstantiateOptions.async`); a trap anywhere in the instance while it
   * is pending, or a deadlock, rejects it.
   */
  lift(ft: TypeFunc, func: CoreDef, o: AdapterOptions, async = false): ComponentFunction {
    const cx = this.context(o);
    const check = this.#checkHandle;
    const throws = this.options.results !== "tagged" && ft.result !== undefined &&
      typeof ft.result !== "string" && ft.result.kind === "result";
    const values = (args: unknown[]) => {
      if (args.length !== ft.params.length) {
        throw new TypeError(`expected ${ft.params.length} arguments, got ${args.length}`);
      }
      // every argument read once and checked before anything is written into the component
      const out = new Array<unknown>(args.length);
      for (let i = 0; i < args.length; i++) out[i] = snapshot(ft.params[i].type, args[i], check);
      return out;
    };
    const settle = (result: unknown) => {
      if (!throws) return result;
      const r = result as { tag: "ok" | "err"; val: unknown };
      if (r.tag === "err") throw new ComponentError(r.val);
      return r.val;
    };
    const f = async
      ? (...args: unknown[]) =>
        new Promise<unknown>((resolve, reject) => {
          // the caller gets the result when the task returns it (`task.return`), while an async
          // callee may go on (reading a stream, writing a future); the next call waits for that
          let delivered = false;
          const fail = (e: unknown) => {
            if (delivered) return;
            delivered = true;
            this.#failing.delete(fail);
            settleTrap(e).then(reject);
          };
          this.#queue.run(() =>
            new Promise<void>((next) => {
              const deliver = (r: unknown) => {
                if (delivered) return;
                delivered = true;
                this.#failing.delete(fail);
                try {
                  resolve(settle(r));
                } catch (e) {
                  reject(e);
                }
                next();
              };
              // a trap anywhere in the instance while this call is pending fails it
              this.#failing.add(fail);
              this.#checkDeadlock();
              // (a sync lift's result is the host's after its post-return, which may trap)
              let result: unknown;
              const end = this.#runLiftedAsync(
                ft,
                func,
                o,
                values(args),
                o.async ? deliver : (r) => result = r,
                cx,
              );
              const ended = () => {
                if (!o.async) deliver(result);
                next();
              };
              if (end === undefined) ended();
              else end.then(ended, (e) => this.#trapped(e)).finally(next);
            }).catch(fail)
          ).catch(fail);
        })
      : (...args: unknown[]) => {
        let result: unknown;
        this.#runLifted(ft, func, o, values(args), (r) => result = r, cx);
        return settle(result);
      };
    if (!throws && this.options.results === "tagged") taggedResults.add(f);
    return async ? markAsync(f) : f;
  }

  /** Calls from the host in async mode, one at a time (see `InstantiateOptions.async`). */
  readonly #queue = new CallQueue();

  /** Fails each call from the host still pending (its result not delivered). */
  readonly #failing = new Set<(e: unknown) => void>();

  /** How many Promises of the host's are pending that a component waits for. */
  #hostWork = 0;
  /** Whether a deadlock check is scheduled. */
  #checking = false;

  /**
   * A Promise of the host's that a component waits for (an async host
   * function's, a timer's turn, a host stream's next chunk): while one is
   * pending, the instance can make progress.
   * @param p The Promise.
   * @returns The Promise, settled once counted out.
   */
  hostWork<T>(p: Promise<T>): Promise<T> {
    this.#hostWork++;
    return p.finally(() => {
      if (--this.#hostWork === 0) this.#checkDeadlock();
    });
  }

  /**
   * Look, once what is queued has run, whether calls from the host wait
   * while nothing can wake them: no fiber runs and no host Promise is
   * pending. Every wake-up inside the instance comes from a running fiber
   * or a host Promise, so they never would: the calls fail with Wasmtime's
   * trap (its event loop's).
   */
  #checkDeadlock(): void {
    if (this.#checking || this.#failing.size === 0) return;
    this.#checking = true;
    setTimeout(() => {
      this.#checking = false;
      if (this.#failing.size === 0 || this.#hostWork > 0) return;
      if (this.sched.current !== this.sched.root) return this.#checkDeadlock();
      this.#trapped(new Trap(TASK_RULES.deadlock));
    }, 0);
  }

  /**
   * A task trapped where no caller waits for it (after it returned its
   * result, say): every pending call from the host fails with the trap, as
   * in Wasmtime, where a trap ends the store's event loop.
   */
  #trapped(e: unknown): void {
    for (const fail of [...this.#failing]) fail(e);
  }

  /**
   * A fused adapter run by the host: an async lift or lower, or a callee
   * that uses task built-ins. The parameters are lifted from the caller and
   * lowered into the callee, the result goes back the same way (at
   * `task.return` for an async lift). Without fibers an async lower always
   * sees its subtask returned, since nothing suspends.
   */
  hostAdapter(
    a: Adapter,
  ): (...args: CoreNum[]) => CoreNum | undefined | Promise<CoreNum | undefined> {
    if (a.alwaysTrap) {
      return () => {
        throw new Trap(RULES.cannotEnter);
      };
    }
    const lo = a.lowerOptions;
    const cx = this.context(lo, "guest");
    const calleeCx = this.context(a.liftOptions, "guest");
    const sig = signature(a.lowerType, lo, "lower");
    // a sync call of an async-lifted callee may block, which a start function may not
    // (so may a sync call of an `async`-typed function: a synchronous task may not make one,
    // Wasmtime checks before the call, as the suite's trap-if-block-and-sync.wast has it)
    const mayBlock = (a.liftOptions.async === true || a.liftType.async) && lo.async !== true;
    // in an async instance the callee runs on a fiber of its own (JSPI) and may suspend: a sync
    // caller is suspended until the callee returns its result (this adapter returns a Promise,
    // see Guards); an async caller goes on with a subtask, STARTING while the callee waits to
    // enter, STARTED once it runs
    const async = this.options.async === true;
    return (...args: CoreNum[]): CoreNum | undefined | Promise<CoreNum | undefined> => {
      if (!this.mayLeave(lo.instance)) throw new Trap(RULES.cannotLeave);
      if (mayBlock) checkMayBlock(this, lo.instance);
      const outer = this.handles.lenders;
      const lenders: ResourceHandle[] = this.handles.lenders = [];
      // the call returned: what its parameters lent is released
      const release = () => {
        for (const h of lenders) h.lends--;
        this.handles.lenders = outer;
      };
      let out: CoreNum | undefined;
      const deliver = (result: unknown) => {
        if (a.lowerType.result === undefined) return;
        const f = this.flags[lo.instance];
        f.value = 0;
        try {
          out = this.#lowerResult(cx, a.lowerType, sig, result, args);
        } finally {
          f.value = 1;
        }
      };
      let values: unknown[];
      try {
        values = this.#liftParams(cx, a.lowerType, sig, args);
      } catch (e) {
        release();
        throw e;
      }
      this.handles.lenders = outer;
      if (!async) {
        try {
          this.#runLifted(a.liftType, a.func, a.liftOptions, values, deliver, calleeCx);
          return lo.async ? SUBTASK.RETURNED : out;
        } finally {
          release();
        }
      }
      // the caller has the result when the callee returns it, which may come before the callee
      // ends, or after it suspended: an async caller gets a subtask meanwhile, a sync one waits
      let delivered = false;
      let onDelivered: (() => void) | undefined;
      // a trap after the callee returned fails what the host waits for
      const afterReturn = (e: unknown) => this.#trapped(e);
      // what the subtask asks of a callee cancelled: resolved without a result
      const link: CalleeLink = {
        onCancelled: () => {
          if (delivered) return;
          delivered = true;
          release();
          onCancelled?.();
        },
      };
      let onCancelled: (() => void) | undefined;
      let started = false;
      const start = (): Promise<void> | undefined => {
        started = true;
        try {
          return this.#runLiftedAsync(
            a.liftType,
            a.func,
            a.liftOptions,
            values,
            (result) => {
              deliver(result);
              delivered = true;
              release();
              onDelivered?.();
            },
            calleeCx,
            link,
          );
        } catch (e) {
          if (!delivered) release();
          this.tasks.unreserve(a.liftOptions.instance);
          throw e;
        }
      };
      // an async-typed callee may have to wait to enter (backpressure, its exclusive lock)
      const gate = a.liftType.async
        ? this.tasks.gate(a.liftOptions.instance, a.liftOptions)
        : undefined;
      let end: Promise<void> | undefined;
      if (gate === undefined) {
        end = start();
        if (delivered) {
          end?.catch(afterReturn);
          return lo.async ? SUBTASK.RETURNED : out;
        }
      } else {
        // (a call cancelled before it was let in never starts)
        end = gate.then(() => {
          if (!delivered) return start();
          this.tasks.unreserve(a.liftOptions.instance);
          return undefined;
        });
        // (a sync caller, its callee let in later, is told of a trap before the return too)
        if (!lo.async) end = end.then(undefined, (e) => Promise.reject(e));
      }
      if (lo.async) {
        const s = newSubtask();
        s.index = this.table(lo.instance).add(s);
        onDelivered = () => resolveSubtask(s);
        onCancelled = () => resolveSubtask(s, undefined, SUBTASK.CANCELLED_BEFORE_RETURNED);
        s.onCancel = () => {
          if (started) {
            if (link.task !== undefined) this.#requestCancel(link.task);
            return;
          }
          delivered = true;
          release();
          resolveSubtask(s, undefined, SUBTASK.CANCELLED_BEFORE_STARTED);
        };
        if (gate !== undefined) {
          // STARTING until the callee is let in and has its parameters: then STARTED
          s.state = SUBTASK.STARTING;
          gate.then(() => {
            if (!delivered) startSubtask(s);
          });
        }
        end!.catch((e) => {
          if (!delivered) resolveSubtask(s, e);
          afterReturn(e);
        });
        return s.state | (s.index << 4);
      }
      return new Promise((resolve, reject) => {
        onDelivered = () => resolve(out);
        end!.catch((e) => {
          if (delivered) afterReturn(e);
          else {
            release();
            reject(e);
          }
        });
      });
    };
  }

  /**
   * `resource.new`, `resource.rep` and `resource.drop` of a resource the
   * instance defines, over its handle table (CanonicalABI.md, `Table.add`).
   * Handles cross no boundary yet (host and adapters refuse handle values),
   * so the table holds own handles of resources the instance defines.
   */
  resourceBuiltin(
    kind: "resource.new" | "resource.rep" | "resource.drop",
    resource: number,
    inst: ComponentInstanceId,
  ): (x: number) => number | undefined {
    const get = (i: number) => this.resourceHandle(inst, i, resource);
    // resource.new and resource.drop may not run while the instance may not leave
    // (in a post-return, say); resource.rep may
    const mayLeave = () => {
      if (!this.mayLeave(inst)) throw new Trap(RULES.cannotLeave);
    };
    switch (kind) {
      case "resource.new":
        return (rep) => {
          mayLeave();
          return this.table(inst).add(this.handles.ownRecord(rep | 0, resource));
        };
      case "resource.rep":
        return (i) => get(i >>> 0).rep;
      case "resource.drop":
        return (i) => {
          mayLeave();
          const e = get(i >>> 0);
          this.table(inst).remove(i >>> 0);
          if (e.lends !== 0) throw new Trap(TASK_RULES.lent);
          if (!e.own) {
            // a borrow: its task has one fewer to drop
            if (e.scope !== undefined) e.scope.borrows--;
            return undefined;
          }
          // the record is free (nothing lends it): the next owned handle reuses it
          const rep = e.rep;
          this.handles.release(e);
          const node = this.t.dfg.resources[resource];
          if (node.instance === undefined) this.#host.disposeHost(rep);
          else if (node.dtor !== undefined) this.callDtor(node.dtor, node.instance, rep);
          return undefined;
        };
    }
  }

  /**
   * Run a resource's destructor: a core wasm exception it throws traps
   * (`call_and_trap_on_throw`) and poisons its instance.
   */
  callDtor(dtor: CoreDef, inst: ComponentInstanceId, rep: number): void {
    try {
      (this.resolve(dtor) as (rep: number) => void)(rep);
    } catch (e) {
      if (!isWasmException(e)) throw this.trapOf(e);
      this.poisoned[inst] = 1;
      throw Trap.fromCode(TrapCode.UncaughtException);
    }
  }

  /** Turn an export object's annotated functions into resource classes (see {@link HostResources}). */
  exportClasses(o: Record<string, unknown>, exports: readonly ExportNode[]): void {
    this.#host.exportClasses(o, exports);
  }

  export(node: ExportNode, compiled: CompiledModules): unknown {
    const item = node.item;
    switch (item.kind) {
      case "lifted":
        // (a constructor stays synchronous: `new` cannot wait for a Promise)
        return this.lift(
          item.type,
          item.func,
          item.options,
          this.options.async === true && !node.name.startsWith("[constructor]"),
        );
      case "func-import":
      case "instance-import":
      case "module-import":
        return this.lookup(item.path);
      case "instance": {
        const o: Record<string, unknown> = {};
        for (const e of item.exports) o[e.name] = this.export(e, compiled);
        this.#host.exportClasses(o, item.exports);
        addJsNames(o, item.exports.map((e) => e.name));
        return o;
      }
      case "module":
        return compiled.modules[item.module];
      case "type":
        return { kind: "type", type: item.type } satisfies ExportedType;
      case "component":
        return undefined;
    }
  }
}
