/**
 * Running components: {@link compile} a component once, then
 * {@link Component.instantiate} it any number of times with host imports;
 * its exports become JavaScript functions taking and returning JavaScript
 * values (see `values.ts` for the conventions).
 *
 * @module
 */

import { fuse, type Translation } from "../fuse.ts";
import type { StringEncoding } from "../parse/items.ts";
import type {
  Adapter,
  AdapterOptions,
  ComponentInstanceId,
  CoreDef,
  ExportNode,
  ImportPath,
  Lowering,
} from "../inline/dfg.ts";
import { type FlatSignature, flattenAsyncFuncType, flattenFuncType, some } from "../types/abi.ts";
import { LinkError, UnsupportedError } from "../types/errors.ts";
import {
  type ExternDesc,
  type InterfaceType,
  type TypeFunc,
  type TypeHandle,
  type TypeResource,
  typeToString,
} from "../types/model.ts";
import { type CompiledModules, compileModules, type CoreValue, instantiateCore } from "./core.ts";
import {
  HandleTable,
  type ResourceHandle,
  SUBTASK_RETURNED,
  type Task,
  TASK_RULES,
  taskBuiltin,
  Tasks,
  wrongHandle,
} from "./tasks.ts";
import {
  addJsNames,
  callForResult,
  ComponentError,
  hostMember,
  ImportResolver,
  inHostCall,
  taggedResults,
} from "./host.ts";
import { transcoder } from "./transcode.ts";
import { Trap } from "./trap.ts";
import {
  AbiContext,
  camelCase,
  type CoreNum,
  FlatSource,
  type HandleOps,
  RULES,
} from "./values.ts";

/**
 * What a component imports, by import name: a function for a function
 * import, an object (of the instance's exports, by name) for an instance
 * import, a `WebAssembly.Module` for a core module import. An import is
 * found by its full name (`wasi:cli/stdout@0.2.12`), else by its name
 * without the version (`wasi:cli/stdout`), else by the highest
 * semver-compatible version given (`wasi:cli/stdout@0.2.3`); a function in
 * an instance by its name as written or in lowerCamelCase (`get-stdout` or
 * `getStdout`), and an imported resource's functions by a class named after
 * it in PascalCase (`OutputStream`), as jco's import objects have them.
 */
export type ComponentImports = Record<string, unknown>;

/** A function exported by a component: JavaScript values in and out. */
export type ComponentFunction = (...args: unknown[]) => unknown;

/** An exported type: its description (resources come with handles, later). */
export interface ExportedType {
  /** Discriminant. */
  readonly kind: "type";
  /** The type. */
  readonly type: ExternDesc;
}

/** How a component is instantiated. */
export interface InstantiateOptions {
  /**
   * Link each function import the host does not give as a function that
   * traps when called, naming itself (`wasmtime run --trap-unknown-imports`),
   * instead of refusing to instantiate.
   * @default false
   */
  readonly trapUnknownImports?: boolean;
  /**
   * How exported functions return a top-level `result<T, E>`: `"throw"`
   * (jco's convention) returns `T` and throws a {@link ComponentError}
   * carrying `E`; `"tagged"` returns `{ tag: "ok" | "err", val }`.
   * @default "throw"
   */
  readonly results?: "throw" | "tagged";
}

/** A running component instance. */
export interface ComponentInstance {
  /**
   * Its exports, by export name (as written, `"get-point"`): functions,
   * objects for exported instances (nested the same way), `WebAssembly.Module`s
   * for exported core modules, {@link ExportedType}s for exported types, and a
   * class per exported resource (`Counter`). Each is also reachable, but not
   * enumerated, by jco's name: functions in lowerCamelCase (`getPoint`),
   * interfaces by their short name (`demo:kv/api@0.1.0` is also `api`).
   */
  readonly exports: Record<string, unknown>;
}

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

/** What a host object for a guest-defined resource stands for. */
interface GuestHandle {
  readonly resource: number;
  readonly rep: number;
  /** `owned` until moved into a component or dropped; `borrowed` for a lent one. */
  state: "owned" | "borrowed" | "moved" | "dropped";
}

/** A class standing for a resource type at the host. */
type ResourceClass = (new (...args: unknown[]) => object) & { readonly name: string };

/** `[constructor]r`, `[method]r.m`, `[static]r.s`: the resource and member. */
function parseAnnotated(
  name: string,
): { kind: "constructor" | "method" | "static"; resource: string; member: string } | undefined {
  const m = /^\[(constructor|method|static)\]([a-z0-9-]+)(?:\.([a-z0-9-]+))?$/i.exec(name);
  if (m === null) return undefined;
  if (m[1] === "constructor") {
    return m[3] === undefined ? { kind: "constructor", resource: m[2], member: "" } : undefined;
  }
  if (m[3] === undefined) return undefined;
  return { kind: m[1] as "method" | "static", resource: m[2], member: m[3] };
}

/** A resource name as a class name, as jco writes it: `my-res` becomes `MyRes`. */
export function pascalCase(name: string): string {
  const c = camelCase(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** A resource type's name, for its class (`resource` when it has none). */
function resourceName(t: TypeResource): string {
  return pascalCase(t.name ?? "resource");
}

/** The core signature of a lift or lower with options `o`. */
function signature(ft: TypeFunc, o: AdapterOptions, context: "lift" | "lower"): FlatSignature {
  const ptr = o.memory64 ? "i64" : "i32";
  return o.async
    ? flattenAsyncFuncType(ft, context, ptr, o.callback !== undefined)
    : flattenFuncType(ft, context, ptr);
}

/** Per-instantiation state: flags, entered and poisoned component instances. */
class Runtime {
  flags: readonly WebAssembly.Global[] = [];
  readonly busy: Uint8Array;
  readonly poisoned: Uint8Array;
  readonly tasks: Tasks;
  /** Which component instances define task built-ins. */
  readonly taskScoped: Uint8Array;
  resolve: (d: CoreDef) => CoreValue = () => {
    throw new Error("the component is not instantiated yet");
  };

  readonly #resolver: ImportResolver;

  constructor(
    readonly t: Translation,
    readonly imports: ComponentImports,
    readonly options: InstantiateOptions = {},
  ) {
    this.#resolver = new ImportResolver(imports);
    const n = t.dfg.componentInstances.length;
    this.busy = new Uint8Array(n);
    this.poisoned = new Uint8Array(n);
    this.tasks = new Tasks(n);
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
        handles: handles === "guest"
          ? this.#handleOps(o.instance)
          : this.#hostHandleOps(o.instance),
      }),
    });
  }

  /** The resource id of each resource type of the graph. */
  #resourceIds?: Map<TypeResource, number>;

  #resourceId(t: TypeResource): number {
    if (this.#resourceIds === undefined) {
      this.#resourceIds = new Map(this.t.dfg.resources.map((r, i) => [r.type, i]));
    }
    const id = this.#resourceIds.get(t);
    if (id === undefined) throw new Error("a handle of a resource type the graph does not know");
    return id;
  }

  /** The handles a call's parameters lend (released when the call returns), innermost call's. */
  #lenders: ResourceHandle[] | undefined;

  /** A handle of `resource` at index `i` of `inst`'s table, or the rule it breaks. */
  #resourceHandle(inst: ComponentInstanceId, i: number, resource: number): ResourceHandle {
    const h = this.table(inst).get(i);
    if (h.kind !== "resource") throw wrongHandle(i, "guest-defined resource", h);
    if (h.resource !== resource) {
      throw new Trap(
        `handle index ${i} used with the wrong type, expected guest-defined resource but found a different guest-defined resource`,
      );
    }
    return h;
  }

  /**
   * Handle transfers into and out of `inst`'s table (CanonicalABI.md,
   * `lift_own`, `lift_borrow`, `lower_own`, `lower_borrow`).
   */
  #handleOps(inst: ComponentInstanceId): HandleOps {
    return {
      lift: (t, i) => {
        const resource = this.#resourceId(t.resource);
        const h = this.#resourceHandle(inst, i, resource);
        if (t.kind === "own") {
          if (h.lends !== 0) throw new Trap(TASK_RULES.lent);
          if (!h.own) throw new Trap(TASK_RULES.notOwned);
          this.table(inst).remove(i);
          return h.rep;
        }
        if (this.#lenders === undefined) throw new Error("a borrow lifted outside a call");
        h.lends++;
        this.#lenders.push(h);
        return h.rep;
      },
      lower: (t, v) => {
        const rep = v as number;
        const resource = this.#resourceId(t.resource);
        if (t.kind === "own") {
          return this.table(inst).add({ kind: "resource", rep, resource, own: true, lends: 0 });
        }
        // the instance that defines the resource gets its representation
        if (this.t.dfg.resources[resource].instance === inst) return rep;
        const scope = this.tasks.current(inst, "borrow");
        scope.borrows++;
        return this.table(inst).add({
          kind: "resource",
          rep,
          resource,
          own: false,
          lends: 0,
          scope,
        });
      },
    };
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

  /** Whether the host gives root import `name` (by any of the names it may go by). */
  provides(name: string): boolean {
    return this.#resolver.key(name) !== undefined;
  }

  /** The host value at an import path, or `undefined` when the host does not give it. */
  find(path: ImportPath): unknown {
    let v: unknown = this.#resolver.get(this.t.dfg.imports[path.import].name);
    for (const n of path.names) v = hostMember(v, n);
    return v ?? this.#fromClass(path);
  }

  /** The host value at an import path. */
  lookup(path: ImportPath): unknown {
    const v = this.find(path);
    if (v === undefined) throw new LinkError(`missing import \`${importName(this.t, path)}\``);
    return v;
  }

  /**
   * An imported `[constructor]r`, `[method]r.m` or `[static]r.s` the host
   * gives as a class `R` beside it (jco's convention): `new R(...)`,
   * `self.m(...)`, `R.s(...)`.
   */
  #fromClass(path: ImportPath): ComponentFunction | undefined {
    const names = [this.t.dfg.imports[path.import].name, ...path.names];
    const a = parseAnnotated(names[names.length - 1]);
    if (a === undefined) return undefined;
    let container: unknown = names.length === 1 ? this.imports : this.#resolver.get(names[0]);
    for (const n of names.slice(1, -1)) container = hostMember(container, n);
    const C = (container as Record<string, unknown> | undefined)?.[pascalCase(a.resource)];
    if (typeof C !== "function") return undefined;
    const member = camelCase(a.member);
    switch (a.kind) {
      case "constructor":
        return (...args) => new (C as new (...a: unknown[]) => unknown)(...args);
      case "method":
        return (self, ...args) => (self as Record<string, ComponentFunction>)[member](...args);
      case "static":
        return (...args) => (C as unknown as Record<string, ComponentFunction>)[member](...args);
    }
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

  /** A host function lowered into core wasm. */
  lower(l: Lowering): (...args: CoreNum[]) => CoreNum | undefined {
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
    return (...args: CoreNum[]) => {
      if (!this.mayLeave(inst)) throw new Trap(RULES.cannotLeave);
      const values = this.#liftParams(cx, ft, sig, args);
      let out: CoreNum | undefined;
      try {
        const r = result === undefined ? fn(...values) : callForResult(fn, values, result.ok);
        if (r instanceof Promise) {
          throw new TypeError(
            "a host import returned a Promise: wasmfuse runs every call to completion",
          );
        }
        if (ft.result !== undefined) {
          const f = this.flags[inst];
          f.value = 0;
          try {
            out = this.#lowerResult(cx, ft, sig, r, args);
          } finally {
            f.value = 1;
          }
        }
      } catch (e) {
        if (!(e instanceof Trap)) inHostCall(e, where);
        throw e;
      }
      return o.async ? SUBTASK_RETURNED : out;
    };
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
    const inst = o.instance;
    if (this.poisoned[inst] || this.busy[inst]) throw new Trap(RULES.cannotEnter);
    const sig = signature(ft, o, "lift");
    const flag = this.flags[inst];
    const core = this.resolve(func) as (...a: CoreNum[]) => CoreNum | undefined;
    this.busy[inst] = 1;
    let task: Task | undefined;
    try {
      // the task starts first (CanonicalABI.md, canon_lift), then the parameters are
      // written with may-leave cleared (realloc runs, as a task of its own)
      // a plain call into an instance without task built-ins needs no task record:
      // nothing could read it (the fast path of every host call)
      if (this.taskScoped[inst] || o.async || lendsBorrows(ft)) {
        task = this.tasks.enter({ instance: inst, type: ft, options: o, onReturn: deliver });
      }
      flag.value = 0;
      let flat: CoreNum[];
      try {
        flat = this.#lowerParams(cx, ft, sig, values);
      } finally {
        flag.value = 1;
      }
      const raw = core(...flat);
      if (!o.async) {
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
          flag.value = 0;
          try {
            const pr = this.resolve(this.t.dfg.postReturns[o.postReturn]);
            (pr as (...a: CoreNum[]) => void)(...rawResults);
          } finally {
            flag.value = 1;
          }
        }
        return;
      }
      if (o.callback !== undefined) this.#callbackLoop(inst, o.callback, raw as number);
      if (!task!.returned) throw new Trap(TASK_RULES.noResult);
    } catch (e) {
      if (e instanceof Trap || e instanceof WebAssembly.RuntimeError) this.poisoned[inst] = 1;
      throw e;
    } finally {
      if (task !== undefined) this.tasks.exit(task);
      this.busy[inst] = 0;
    }
  }

  /** Drive an async lift's callback until it exits (CanonicalABI.md, `canon_lift`). */
  #callbackLoop(inst: ComponentInstanceId, callback: CoreDef, packed: number): void {
    const cb = this.resolve(callback) as (...a: number[]) => number;
    for (;;) {
      const code = packed & 0xf;
      if (code === 0) return; // EXIT
      if (code === 1) {
        // YIELD: no other thread is ready, so it resumes at once with no event
        packed = cb(0, 0, 0);
        continue;
      }
      if (code === 2) {
        // WAIT: the set is empty (nothing here is ever pending), so it would wait forever
        const i = packed >>> 4;
        const h = this.table(inst).get(i);
        if (h.kind !== "waitable-set") throw wrongHandle(i, "waitable set", h);
        throw new UnsupportedError(
          "an async callback waiting on a waitable set would block: wasmfuse has no async scheduler",
          "async",
        );
      }
      throw new Trap(`${TASK_RULES.callbackCode} ${code}`);
    }
  }

  /**
   * An exported lifted function as a JavaScript function. A top-level
   * `result<T, E>` returns `T` and throws a {@link ComponentError} for `E`,
   * unless the instance was asked for tagged results.
   */
  lift(ft: TypeFunc, func: CoreDef, o: AdapterOptions): ComponentFunction {
    const cx = this.context(o);
    const throws = this.options.results !== "tagged" && ft.result !== undefined &&
      typeof ft.result !== "string" && ft.result.kind === "result";
    const f = (...args: unknown[]) => {
      if (args.length !== ft.params.length) {
        throw new TypeError(`expected ${ft.params.length} arguments, got ${args.length}`);
      }
      let result: unknown;
      this.#runLifted(ft, func, o, args, (r) => result = r, cx);
      if (!throws) return result;
      const r = result as { tag: "ok" | "err"; val: unknown };
      if (r.tag === "err") throw new ComponentError(r.val);
      return r.val;
    };
    if (!throws && this.options.results === "tagged") taggedResults.add(f);
    return f;
  }

  /**
   * A fused adapter run by the host: an async lift or lower, or a callee
   * that uses task built-ins. The parameters are lifted from the caller and
   * lowered into the callee, the result goes back the same way (at
   * `task.return` for an async lift); an async lower always sees its
   * subtask returned, since nothing here suspends.
   */
  hostAdapter(a: Adapter): (...args: CoreNum[]) => CoreNum | undefined {
    if (a.alwaysTrap) {
      return () => {
        throw new Trap(RULES.cannotEnter);
      };
    }
    const lo = a.lowerOptions;
    const cx = this.context(lo, "guest");
    const calleeCx = this.context(a.liftOptions, "guest");
    const sig = signature(a.lowerType, lo, "lower");
    return (...args: CoreNum[]) => {
      if (!this.mayLeave(lo.instance)) throw new Trap(RULES.cannotLeave);
      const outer = this.#lenders;
      const lenders: ResourceHandle[] = this.#lenders = [];
      try {
        const values = this.#liftParams(cx, a.lowerType, sig, args);
        this.#lenders = outer;
        let out: CoreNum | undefined;
        this.#runLifted(a.liftType, a.func, a.liftOptions, values, (result) => {
          if (a.lowerType.result === undefined) return;
          const f = this.flags[lo.instance];
          f.value = 0;
          try {
            out = this.#lowerResult(cx, a.lowerType, sig, result, args);
          } finally {
            f.value = 1;
          }
        }, calleeCx);
        return lo.async ? SUBTASK_RETURNED : out;
      } finally {
        // the call returned: what its parameters lent is released
        for (const h of lenders) h.lends--;
        this.#lenders = outer;
      }
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
    const get = (i: number) => this.#resourceHandle(inst, i, resource);
    // resource.new and resource.drop may not run while the instance may not leave
    // (in a post-return, say); resource.rep may
    const mayLeave = () => {
      if (!this.mayLeave(inst)) throw new Trap(RULES.cannotLeave);
    };
    switch (kind) {
      case "resource.new":
        return (rep) => {
          mayLeave();
          return this.table(inst).add({
            kind: "resource",
            rep: rep | 0,
            resource,
            own: true,
            lends: 0,
          });
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
          const node = this.t.dfg.resources[resource];
          if (node.instance === undefined) this.#disposeHost(e.rep);
          else if (node.dtor !== undefined) {
            (this.resolve(node.dtor) as (rep: number) => void)(e.rep);
          }
          return undefined;
        };
    }
  }

  // -------------------------------------------------------------------------
  // resources at the host boundary

  /** The JS objects standing for host-implemented (imported) resources, by representation. */
  readonly #hostObjects: (object | undefined)[] = [undefined];
  /** Representations of dropped host objects, reused last-in first-out. */
  readonly #freeHostReps: number[] = [];
  /** The representation each host object was last lent (borrowed) under. */
  readonly #hostReps = new WeakMap<object, number>();
  /** What each object the host got for a guest-defined resource stands for. */
  readonly #guest = new WeakMap<object, GuestHandle>();
  /** The class of each guest-defined resource the component exports, by resource id. */
  readonly #classes = new Map<number, ResourceClass>();

  /**
   * A host object's representation in handle tables. As jco does it, each
   * `own` handle the host gives gets a representation of its own (the same
   * object given twice is two handles, each disposing it when dropped: the
   * WASI host hands out its preopened directories that way); a borrow
   * reuses the object's current one.
   */
  #hostRep(v: unknown, t: TypeHandle): number {
    if ((typeof v !== "object" && typeof v !== "function") || v === null) {
      throw new TypeError(`expected an object for \`${typeToString(t)}\`, got ${typeof v}`);
    }
    if (t.kind === "borrow") {
      const lent = this.#hostReps.get(v);
      if (lent !== undefined && this.#hostObjects[lent] === v) return lent;
    }
    const rep = this.#freeHostReps.pop() ?? this.#hostObjects.length;
    this.#hostObjects[rep] = v;
    this.#hostReps.set(v, rep);
    return rep;
  }

  /** Give up a host object's representation (its handle was dropped or left for the host). */
  #releaseHostRep(rep: number): object | undefined {
    const o = this.#hostObjects[rep];
    if (o === undefined) return undefined;
    this.#hostObjects[rep] = undefined;
    this.#freeHostReps.push(rep);
    if (this.#hostReps.get(o) === rep) this.#hostReps.delete(o);
    return o;
  }

  /** The object the host gets for a handle of a guest-defined resource. */
  #wrap(resource: number, rep: number, own: boolean): object {
    const C = this.#classOf(resource);
    const o = Object.create(C.prototype) as object;
    this.#guest.set(o, { resource, rep, state: own ? "owned" : "borrowed" });
    return o;
  }

  /** The class of a guest-defined resource: the exported one, else a plain one made once. */
  #classOf(resource: number): ResourceClass {
    let C = this.#classes.get(resource);
    if (C === undefined) {
      C = this.#resourceClass(resource, resourceName(this.t.dfg.resources[resource].type));
    }
    return C;
  }

  /** A class for a guest-defined resource: not constructible unless given a constructor. */
  #resourceClass(
    resource: number,
    name: string,
    ctor?: ComponentFunction,
  ): ResourceClass {
    const C = function (this: unknown, ...args: unknown[]) {
      if (new.target === undefined) throw new TypeError(`class ${name} needs \`new\``);
      if (ctor === undefined) throw new TypeError(`resource ${name} has no constructor`);
      return ctor(...args);
    } as unknown as ResourceClass;
    Object.defineProperty(C, "name", { value: name });
    const dispose = (o: object) => this.#dispose(o);
    Object.defineProperty(C.prototype, Symbol.dispose, {
      value: function (this: object) {
        dispose(this);
      },
    });
    this.#classes.set(resource, C);
    return C;
  }

  /** `[Symbol.dispose]()` of an owned guest resource: its destructor runs, once. */
  #dispose(o: object): void {
    const g = this.#guest.get(o);
    if (g === undefined || g.state !== "owned") return;
    g.state = "dropped";
    const dtor = this.t.dfg.resources[g.resource].dtor;
    if (dtor !== undefined) (this.resolve(dtor) as (rep: number) => void)(g.rep);
  }

  /**
   * Handle transfers between a component instance and the host: the host
   * sees guest-defined resources as instances of their classes and
   * host-implemented ones as its own objects.
   */
  #hostHandleOps(inst: ComponentInstanceId): HandleOps {
    const guest = this.#handleOps(inst);
    return {
      lift: (t, i) => {
        const resource = this.#resourceId(t.resource);
        let rep: number;
        if (t.kind === "own") {
          // the handle leaves the table (lends, ownership checked)
          const saved = this.#lenders;
          rep = guest.lift(t, i) as number;
          this.#lenders = saved;
        } else rep = this.#resourceHandle(inst, i, resource).rep;
        if (this.t.dfg.resources[resource].instance === undefined) {
          // an own handle of a host object goes back to the host: its representation is free
          return t.kind === "own" ? this.#releaseHostRep(rep) : this.#hostObjects[rep];
        }
        return this.#wrap(resource, rep, t.kind === "own");
      },
      lower: (t, v) => {
        const resource = this.#resourceId(t.resource);
        let rep: number;
        if (this.t.dfg.resources[resource].instance === undefined) rep = this.#hostRep(v, t);
        else {
          const g = typeof v === "object" && v !== null ? this.#guest.get(v) : undefined;
          if (g === undefined || g.resource !== resource) {
            throw new TypeError(
              `expected an instance of ${this.#classOf(resource).name} for \`${typeToString(t)}\``,
            );
          }
          if (g.state === "dropped" || g.state === "moved") {
            throw new TypeError(`this ${this.#classOf(resource).name} was ${g.state}`);
          }
          if (t.kind === "own") {
            if (g.state !== "owned") {
              throw new TypeError(`a borrowed ${this.#classOf(resource).name} cannot be moved`);
            }
            g.state = "moved";
          }
          rep = g.rep;
        }
        return guest.lower(t, rep);
      },
    };
  }

  /** A host resource dropped by a component: its `[Symbol.dispose]`, if it has one. */
  #disposeHost(rep: number): void {
    const o = this.#releaseHostRep(rep) as { [Symbol.dispose]?: () => void } | undefined;
    o?.[Symbol.dispose]?.();
  }

  /**
   * Turn the annotated functions of an export object (`[constructor]r`,
   * `[method]r.m`, `[static]r.s`) into a class per resource, as jco does:
   * `R` with `new R(...)`, `r.m(...)`, `R.s(...)` and `[Symbol.dispose]()`.
   */
  exportClasses(o: Record<string, unknown>, exports: readonly ExportNode[]): void {
    const byName = new Map<string, { resource?: number; members: [string, string, unknown][] }>();
    for (const e of exports) {
      const a = parseAnnotated(e.name);
      if (a === undefined || e.item.kind !== "lifted") continue;
      let g = byName.get(a.resource);
      if (g === undefined) byName.set(a.resource, g = { members: [] });
      const ft = e.item.type;
      const handle = a.kind === "constructor" ? ft.result : ft.params[0]?.type;
      if (
        handle !== undefined && typeof handle !== "string" &&
        (handle.kind === "own" || handle.kind === "borrow")
      ) g.resource = this.#resourceId(handle.resource);
      g.members.push([a.kind, a.member, o[e.name]]);
    }
    for (const [name, g] of byName) {
      if (g.resource === undefined) continue;
      const ctor = g.members.find((m) => m[0] === "constructor")?.[2] as
        | ComponentFunction
        | undefined;
      const C = this.#resourceClass(g.resource, pascalCase(name), ctor);
      for (const [kind, member, fn] of g.members) {
        const f = fn as ComponentFunction;
        if (kind === "method") {
          Object.defineProperty(C.prototype, camelCase(member), {
            value: function (this: unknown, ...args: unknown[]) {
              return f(this, ...args);
            },
            writable: true,
            configurable: true,
          });
        } else if (kind === "static") {
          (C as unknown as Record<string, unknown>)[camelCase(member)] = f;
        }
      }
      o[pascalCase(name)] = C;
    }
  }

  export(node: ExportNode, compiled: CompiledModules): unknown {
    const item = node.item;
    switch (item.kind) {
      case "lifted":
        return this.lift(item.type, item.func, item.options);
      case "func-import":
      case "instance-import":
      case "module-import":
        return this.lookup(item.path);
      case "instance": {
        const o: Record<string, unknown> = {};
        for (const e of item.exports) o[e.name] = this.export(e, compiled);
        this.exportClasses(o, item.exports);
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

/** An import path as Wasmtime names it: `wasi:cli/stdout@0.2.12#get-stdout`. */
function importName(t: Translation, path: ImportPath): string {
  return [t.dfg.imports[path.import].name, ...path.names].join("#");
}

function componentInstanceOf(d: CoreDef): ComponentInstanceId | undefined {
  return "instance" in d && d.kind !== "export" ? d.instance : undefined;
}

/**
 * A compiled component: its translation and compiled core modules, ready
 * to be instantiated any number of times.
 */
export class Component {
  /** The translation (graph, adapter modules, plan). */
  readonly translation: Translation;
  /** The compiled core modules. */
  readonly modules: CompiledModules;

  /**
   * Wrap a translation, compiling its core modules.
   * @param translation The translation.
   */
  constructor(translation: Translation) {
    this.translation = translation;
    this.modules = compileModules(translation);
  }

  /**
   * Instantiate the component.
   * @param imports The host imports, by import name.
   * @returns The instance.
   * @throws {LinkError} When an import is missing or of the wrong kind.
   * @throws {Trap} When a start function or an adapter traps during instantiation.
   */
  instantiate(
    imports: ComponentImports = {},
    options: InstantiateOptions = {},
  ): ComponentInstance {
    const t = this.translation;
    const rt = new Runtime(t, imports, options);
    if (!options.trapUnknownImports) {
      for (const imp of t.dfg.imports) {
        if (!rt.provides(imp.name)) throw new LinkError(`missing import \`${imp.name}\``);
      }
    }
    const core = instantiateCore(t, this.modules, {
      coreDef: (d, resolve) => {
        rt.resolve = resolve;
        if (d.kind === "lowered") return rt.lower(t.dfg.lowerings[d.id]);
        if (d.kind === "resource.new" || d.kind === "resource.rep" || d.kind === "resource.drop") {
          return rt.resourceBuiltin(d.kind, d.resource, d.instance);
        }
        if (d.kind === "builtin") return taskBuiltin(rt, d.builtin, d.instance);
        if (d.kind === "host-adapter") return rt.hostAdapter(t.dfg.adapters[d.id]);
        const inst = componentInstanceOf(d);
        throw new UnsupportedError(
          `\`${d.kind}\`${
            inst === undefined ? "" : ` of component instance ${inst}`
          } is not supported yet`,
          "resources",
        );
      },
      transcoder: (b) => {
        const side = (memory: number, stringEncoding: StringEncoding, realloc?: number) =>
          rt.context({
            instance: 0,
            stringEncoding,
            memory,
            memory64: t.dfg.memories[memory].memory64,
            ...(realloc === undefined ? {} : { realloc }),
          }, "none");
        return transcoder(side(b.src, b.from), side(b.dst, b.to, b.realloc));
      },
      importedModule: (i) => {
        const node = t.dfg.instances[i];
        if (node.module.kind !== "import") throw new Error(`core instance ${i} is not imported`);
        const m = rt.lookup(node.module.path);
        if (!(m instanceof WebAssembly.Module)) {
          throw new LinkError(
            `import \`${t.dfg.imports[node.module.path.import].name}\` is not a WebAssembly.Module`,
          );
        }
        return m;
      },
      flags: (flags) => {
        rt.flags = flags;
      },
    });
    rt.flags = core.flags;
    rt.resolve = core.resolve;
    const exports: Record<string, unknown> = {};
    for (const e of t.dfg.exports) exports[e.name] = rt.export(e, this.modules);
    rt.exportClasses(exports, t.dfg.exports);
    addJsNames(exports, t.dfg.exports.map((e) => e.name));
    return { exports };
  }
}

/**
 * Compile a component: parse, inline, fuse its adapters, compile every core
 * module.
 *
 * @example Compiling once, instantiating twice
 * ```ts
 * import { compile } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const c = await compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
 * assert.deepEqual(c.instantiate().exports, {});
 * assert.deepEqual(c.instantiate().exports, {});
 * ```
 *
 * @param input The component's bytes, a stream of them, or a translation from {@link fuse}.
 * @returns The compiled component.
 * @throws {ParseError} When the binary is malformed.
 * @throws {LinkError} When it does not link.
 */
export async function compile(
  input: Uint8Array | ReadableStream<Uint8Array> | Translation,
): Promise<Component> {
  const t = input instanceof Uint8Array || input instanceof ReadableStream
    ? await fuse(input)
    : input;
  return new Component(t);
}

/**
 * Compile and instantiate a component.
 *
 * @example Instantiating a component
 * ```ts
 * import { instantiate } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * // an empty component: no imports, no exports
 * const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const { exports } = await instantiate(bytes, {});
 * assert.deepEqual(Object.keys(exports), []);
 * ```
 *
 * @param input The component's bytes, a stream of them, or a translation from {@link fuse}.
 * @param imports The host imports, by import name (see {@link ComponentImports}).
 * @param options How to instantiate.
 * @returns The instance.
 * @throws {ParseError} When the binary is malformed.
 * @throws {LinkError} When it does not link, or an import is missing.
 * @throws {Trap} When instantiation traps.
 */
export async function instantiate(
  input: Uint8Array | ReadableStream<Uint8Array> | Translation,
  imports: ComponentImports = {},
  options: InstantiateOptions = {},
): Promise<ComponentInstance> {
  return (await compile(input)).instantiate(imports, options);
}
