/**
 * Resources at the host boundary, as jco has them: an exported resource is
 * a class beside its functions (`new Counter(5)`, `c.get()`,
 * `c[Symbol.dispose]()`), handles of guest-defined resources reach the host
 * as instances of it, and host-implemented (imported) resources are the
 * host's own objects, disposed when the component drops them.
 *
 * @module
 */

import type { ComponentDfg, ComponentInstanceId, CoreDef, ExportNode } from "../inline/dfg.ts";
import {
  type InterfaceType,
  type TypeHandle,
  type TypeResource,
  typeToString,
} from "../types/model.ts";
import type { CoreValue } from "./core.ts";
import { parseAnnotated, pascalCase } from "./host.ts";
import type { ComponentFunction } from "./instance.ts";
import type { HandleTable, ResourceHandle } from "./tasks.ts";
import { camelCase } from "./js_values.ts";
import type { HandleOps } from "./values.ts";
import { errorContextAt, fromHost, toHost } from "./error_context.ts";
import { futureToHost, HostFutureSource, HostStreamSource, streamToHost } from "./host_copies.ts";
import type { FutureSource, StreamSource } from "./copies.ts";

/** What a host object for a guest-defined resource stands for. */
interface GuestHandle {
  readonly resource: number;
  readonly rep: number;
  /** `owned` until moved into a component or dropped; `borrowed` for a lent one. */
  state: "owned" | "borrowed" | "moved" | "dropped";
}

/** A class standing for a resource type at the host. */
type ResourceClass = (new (...args: unknown[]) => object) & { readonly name: string };

/** A resource type's name, for its class (`resource` when it has none). */
function resourceName(t: TypeResource): string {
  return pascalCase(t.name ?? "resource");
}

/** What the host side of resources needs of the runtime. */
export interface ResourceScope {
  /** The graph. */
  readonly dfg: ComponentDfg;
  /** The id of a resource type of the graph. */
  resourceId(t: TypeResource): number;
  /** A handle of `resource` at index `i` of `inst`'s table, or the trap of the rule it breaks. */
  resourceHandle(inst: ComponentInstanceId, i: number, resource: number): ResourceHandle;
  /** Handle transfers into and out of `inst`'s table. */
  guestOps(inst: ComponentInstanceId): HandleOps;
  /** An instance's handle table. */
  table(inst: ComponentInstanceId): HandleTable;
  /** A core definition's runtime value. */
  resolve(d: CoreDef): CoreValue;
  /** Run a destructor of `inst` (a core wasm exception it throws is a trap). */
  callDtor(dtor: CoreDef, inst: ComponentInstanceId, rep: number): void;
  /** Count a host Promise a component may wait for (see `Runtime.hostWork`). */
  hostWork<T>(p: Promise<T>): Promise<T>;
}

/** A stream's or future's element type. */
function elementOf(t: InterfaceType): InterfaceType | undefined {
  return (t as { readonly element?: InterfaceType }).element;
}

/** The objects and classes standing for resources at the host, for one instantiation. */
export class HostResources {
  readonly #scope: ResourceScope;

  /**
   * Start with no object handed out.
   * @param scope The runtime.
   */
  constructor(scope: ResourceScope) {
    this.#scope = scope;
  }

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

  /** While a host import's arguments are lifted: the host objects given back to it. */
  #received: object[] | undefined;

  /**
   * Collect the host objects whose `own` handles are lifted while `lift`
   * runs (a host import's arguments), for {@link HostResources.orphan} if
   * the call fails. (A host import's types can only name imported
   * resources, so these are always the host's own objects.)
   * @param lift Lifts the arguments.
   * @returns What `lift` returned, and the objects.
   */
  receiving<T>(lift: () => T): [T, object[]] {
    const received: object[] = [];
    this.#received = received;
    try {
      return [lift(), received];
    } finally {
      this.#received = undefined;
    }
  }

  /**
   * A host function threw: the owned resources it received for that call
   * are released (`[Symbol.dispose]()`), as a failed call's arguments are
   * dropped in Wasmtime's host. A host that returns, or fails with a
   * `result` error, keeps them.
   * @param objects The objects it received.
   */
  orphan(objects: readonly object[]): void {
    for (const o of objects) {
      try {
        (o as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
      } catch {
        // the host function's own error is the one reported
      }
    }
  }

  /** The class of a guest-defined resource: the exported one, else a plain one made once. */
  #classOf(resource: number): ResourceClass {
    let C = this.#classes.get(resource);
    if (C === undefined) {
      C = this.#resourceClass(resource, resourceName(this.#scope.dfg.resources[resource].type));
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
    const node = this.#scope.dfg.resources[g.resource];
    if (node.dtor !== undefined) this.#scope.callDtor(node.dtor, node.instance!, g.rep);
  }

  /**
   * Check what the host gives for a handle, without moving it: a guest
   * resource's object of the right class, not moved or dropped (and owned,
   * for `own`), or any object for a host resource.
   * @param t The handle type.
   * @param v The host's value.
   */
  checkHandle(t: TypeHandle, v: unknown): void {
    const resource = this.#scope.resourceId(t.resource);
    if (this.#scope.dfg.resources[resource].instance === undefined) {
      if ((typeof v !== "object" && typeof v !== "function") || v === null) {
        throw new TypeError(`expected an object for \`${typeToString(t)}\`, got ${typeof v}`);
      }
      return;
    }
    this.#guestHandle(t, v, resource);
  }

  /** The guest handle `v` stands for, if it may be passed as `t` (nothing is moved). */
  #guestHandle(t: TypeHandle, v: unknown, resource: number): GuestHandle {
    const g = typeof v === "object" && v !== null ? this.#guest.get(v) : undefined;
    if (g === undefined || g.resource !== resource) {
      throw new TypeError(
        `expected an instance of ${this.#classOf(resource).name} for \`${typeToString(t)}\``,
      );
    }
    if (g.state === "dropped" || g.state === "moved") {
      throw new TypeError(`this ${this.#classOf(resource).name} was ${g.state}`);
    }
    if (t.kind === "own" && g.state !== "owned") {
      throw new TypeError(`a borrowed ${this.#classOf(resource).name} cannot be moved`);
    }
    return g;
  }

  /**
   * Handle transfers between a component instance and the host: the host
   * sees guest-defined resources as instances of their classes and
   * host-implemented ones as its own objects.
   */
  handleOps(inst: ComponentInstanceId): HandleOps {
    const guest = this.#scope.guestOps(inst);
    return {
      lift: (t, i) => {
        const resource = this.#scope.resourceId(t.resource);
        let rep: number;
        if (t.kind === "own") {
          // the handle leaves the table (lends, ownership checked)
          rep = guest.lift(t, i) as number;
        } else rep = this.#scope.resourceHandle(inst, i, resource).rep;
        if (this.#scope.dfg.resources[resource].instance === undefined) {
          // an own handle of a host object goes back to the host: its representation is free
          if (t.kind !== "own") return this.#hostObjects[rep];
          const o = this.#releaseHostRep(rep);
          if (o !== undefined) this.#received?.push(o);
          return o;
        }
        return this.#wrap(resource, rep, t.kind === "own");
      },
      lower: (t, v) => {
        const resource = this.#scope.resourceId(t.resource);
        let rep: number;
        if (this.#scope.dfg.resources[resource].instance === undefined) rep = this.#hostRep(v, t);
        else {
          const g = this.#guestHandle(t, v, resource);
          if (t.kind === "own") g.state = "moved";
          rep = g.rep;
        }
        return guest.lower(t, rep);
      },
      liftErrorContext: (i) => toHost(errorContextAt(this.#scope.table(inst), i)),
      // a readable end leaves the table: the host holds it, as a Promise of the value or a
      // ReadableStream of the elements
      liftFuture: (_t, i) => futureToHost(guest.liftFuture!(_t, i) as FutureSource),
      liftStream: (_t, i) => streamToHost(guest.liftStream!(_t, i) as StreamSource),
      // a Promise or a ReadableStream the host gives: the readable end of one the host writes
      lowerFuture: (t, v) => {
        if (!(v instanceof Promise)) throw new TypeError("a future's value must be a Promise");
        const work = <T>(p: Promise<T>) => this.#scope.hostWork(p);
        return guest.lowerFuture!(t, new HostFutureSource(elementOf(t), v, work));
      },
      lowerStream: (t, v) => {
        if (!(v instanceof ReadableStream)) {
          throw new TypeError("a stream's value must be a ReadableStream");
        }
        const work = <T>(p: Promise<T>) => this.#scope.hostWork(p);
        return guest.lowerStream!(t, new HostStreamSource(elementOf(t), v, work));
      },
      lowerErrorContext: (v) => this.#scope.table(inst).add(fromHost(v)),
    };
  }

  /** A host resource dropped by a component: its `[Symbol.dispose]`, if it has one. */
  disposeHost(rep: number): void {
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
      ) g.resource = this.#scope.resourceId(handle.resource);
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
}
