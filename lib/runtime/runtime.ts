/**
 * The runtime of one instantiation: the Canonical ABI at the host boundary
 * (host functions lowered into components, exports lifted for the host),
 * host adapters, tasks and handle tables, resource built-ins, and the host's
 * import lookup. The calls of lifted functions themselves (on fibers in an
 * async instance) are lifted.ts's; the built-ins, builtins.ts's.
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
import { type FlatSignature, some } from "../types/abi.ts";
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
import { checkMayBlock } from "./builtins.ts";
import { HandleTable, type ResourceHandle, type Task, TASK_RULES, Tasks } from "./tasks.ts";
import { snapshot } from "./js_values.ts";
import { isWasmException, settleTrap, Trap } from "./trap.ts";
import { Handles } from "./handles.ts";
import { CallQueue, isAsyncFunction, markAsync } from "./jspi.ts";
import { newSubtask, resolveSubtask, startSubtask, SUBTASK } from "./waitables.ts";
import { type CalleeLink, LiftedCalls, signature } from "./lifted.ts";
import { Scheduler, yieldTurn } from "./fibers.ts";
import { resume, type Thread } from "./threads.ts";
import { AbiContext, type CoreNum, FlatSource, type HandleOps, RULES } from "./values.ts";

function tupleOf(ft: TypeFunc): InterfaceType {
  return { kind: "tuple", types: ft.params.map((p) => p.type) };
}

/** An import path as Wasmtime names it: `wasi:cli/stdout@0.2.12#get-stdout`. */
function importName(t: Translation, path: ImportPath): string {
  return [t.dfg.imports[path.import].name, ...path.names].join("#");
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
    this.tasks = new Tasks(n, this.sched, () => this.#syncEnded());
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

  /** The calls of lifted functions (the host's exports, host adapters' callees). */
  readonly calls: LiftedCalls = new LiftedCalls(this);

  /**
   * Start a thread `thread.new-indirect` made (see `LiftedCalls.startThread`).
   * @param task Its task.
   * @param t The thread.
   * @param fn Its function.
   * @param arg Its closure argument.
   */
  startThread(task: Task, t: Thread, fn: (arg: number) => void, arg: number): void {
    this.calls.startThread(task, t, fn, arg);
  }

  /** Ready threads held back until no synchronous task is in progress (see `resumeReady`). */
  #heldBack: Thread[] = [];

  /**
   * Resume a ready thread: now, unless a synchronous task is in progress
   * and none in the thread's instance: a synchronous call interleaves only
   * with ready threads of its own instances (CanonicalABI.md, `canon_lift`
   * resumes only those; the store's event loop does not run meanwhile);
   * held back, it is resumed once no synchronous task is in progress.
   * @param t The thread.
   */
  resumeReady(t: Thread): void {
    if (t.state !== "ready") return;
    if (this.tasks.syncInProgress() && !this.tasks.syncIn(t.instance)) this.#heldBack.push(t);
    else resume(t);
  }

  /**
   * No synchronous task is in progress any more: the threads held back go
   * on a turn later (after the call that held them back has delivered).
   */
  #syncEnded(): void {
    if (this.#heldBack.length === 0) return;
    const held = this.#heldBack;
    this.#heldBack = [];
    this.hostWork(yieldTurn()).then(() => {
      for (const t of held) this.resumeReady(t);
    });
  }

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

  /**
   * Lower parameter values into a callee: its core arguments.
   * @param cx The callee's context.
   * @param ft The function type.
   * @param sig Its core signature.
   * @param values The values.
   * @returns The core arguments.
   */
  lowerParams(cx: AbiContext, ft: TypeFunc, sig: FlatSignature, values: unknown[]): CoreNum[] {
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
          this.#queue.run(() => {
            // the next call from the host waits for this one's result, not for its task's end
            let next!: () => void;
            const released = new Promise<void>((r) => next = r);
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
            const start = () => {
              let end: Promise<void> | undefined;
              try {
                end = this.calls.runAsync(
                  ft,
                  func,
                  o,
                  values(args),
                  o.async ? deliver : (r) => result = r,
                  cx,
                );
              } catch (e) {
                this.tasks.unreserve(o.instance);
                throw e;
              }
              const ended = () => {
                if (!o.async) deliver(result);
                next();
              };
              if (end === undefined) ended();
              else end.then(ended, (e) => this.trapped(e)).finally(next);
            };
            const failed = (e: unknown) => {
              fail(e);
              next();
            };
            // an async-typed export may have to wait to enter (backpressure, the exclusive lock
            // a task of its instance holds), as a call from a component does
            const gate = ft.async ? this.tasks.gate(o.instance, o) : undefined;
            try {
              if (gate === undefined) start();
              else gate.then(start).catch(failed);
            } catch (e) {
              failed(e);
            }
            return released;
          });
        })
      : (...args: unknown[]) => {
        let result: unknown;
        this.calls.run(ft, func, o, values(args), (r) => result = r, cx);
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
      this.trapped(new Trap(TASK_RULES.deadlock));
    }, 0);
  }

  /**
   * A task trapped where no caller waits for it (after it returned its
   * result, say): every pending call from the host fails with the trap, as
   * in Wasmtime, where a trap ends the store's event loop.
   * @param e The trap.
   */
  trapped(e: unknown): void {
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
          this.calls.run(a.liftType, a.func, a.liftOptions, values, deliver, calleeCx);
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
      const afterReturn = (e: unknown) => this.trapped(e);
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
          return this.calls.runAsync(
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
      }
      if (lo.async) {
        const s = newSubtask();
        s.index = this.table(lo.instance).add(s);
        onDelivered = () => resolveSubtask(s);
        onCancelled = () => resolveSubtask(s, undefined, SUBTASK.CANCELLED_BEFORE_RETURNED);
        s.onCancel = () => {
          if (started) {
            if (link.task !== undefined) this.calls.requestCancel(link.task);
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
