/**
 * Resource handles at the boundaries: moved and lent between component
 * instances' tables (CanonicalABI.md, `lift_own`, `lift_borrow`,
 * `lower_own`, `lower_borrow`), for values the host lifts and lowers and
 * through the intrinsics fused adapters import (`resource`/`transfer-*`),
 * and the call scopes adapters open around a callee (`call`/`enter`,
 * `exit`, `end`): its task and the handles its parameters lend.
 *
 * @module
 */

import type { ComponentDfg, ComponentInstanceId } from "../inline/dfg.ts";
import type { TypeFunc, TypeResource } from "../types/model.ts";
import {
  handleOf,
  type HandleTable,
  type ResourceHandle,
  type Task,
  TASK_RULES,
  type Tasks,
  wrongHandle,
} from "./tasks.ts";
import { Trap } from "./trap.ts";
import { type CopyEnd, liftEnd, newEnd } from "./copies.ts";
import { errorContextAt, type ErrorContextHandle } from "./error_context.ts";
import type { HandleOps } from "./values.ts";
import type { IntrinsicKind } from "./core.ts";

/** What the handles need of the runtime. */
export interface HandleHost {
  /** The tasks. */
  readonly tasks: Tasks;
  /** The graph (its resources). */
  readonly dfg: ComponentDfg;
  /** An instance's handle table. */
  table(inst: ComponentInstanceId): HandleTable;
  /** A resource type's id in the graph. */
  resourceId(t: TypeResource): number;
}

/** A call scope an adapter opened: the callee's task and the handles it is lent. */
interface CallScope {
  /** The callee's task. */
  readonly task: Task;
  /** The handles lent to the call, in `lenders[0 .. lent)` (the array is kept between calls). */
  readonly lenders: (ResourceHandle | undefined)[];
  /** How many of `lenders` are lent now. */
  lent: number;
}

/** The type of the task a call scope opens (sync: no `task.return`, no backpressure wait). */
const SCOPE_TYPE: TypeFunc = { kind: "func", async: false, params: [] };

/** The handles of one instantiation in motion, and its call scopes. */
export class Handles {
  readonly #host: HandleHost;

  /**
   * @param host The runtime.
   */
  constructor(host: HandleHost) {
    this.#host = host;
  }

  /** The handles a call's parameters lend (released when the call returns), innermost call's. */
  lenders: ResourceHandle[] | undefined;

  /** A handle of `resource` at index `i` of `inst`'s table, or the rule it breaks. */
  resourceHandle(inst: ComponentInstanceId, i: number, resource: number): ResourceHandle {
    const h = this.#host.table(inst).get(i);
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
  guestOps(inst: ComponentInstanceId): HandleOps {
    return {
      lift: (t, i) => {
        const resource = this.#host.resourceId(t.resource);
        if (t.kind === "own") return this.#liftOwn(inst, i, resource);
        if (this.lenders === undefined) throw new Error("a borrow lifted outside a call");
        return this.#liftBorrow(inst, i, resource, this.lenders);
      },
      lower: (t, v) => {
        const resource = this.#host.resourceId(t.resource);
        return t.kind === "own"
          ? this.#lowerOwn(inst, v as number, resource)
          : this.#lowerBorrow(inst, v as number, resource);
      },
      // shared, not moved: the sender keeps its handle (CanonicalABI.md, `lift_error_context`)
      liftErrorContext: (i) => errorContextAt(this.#host.table(inst), i),
      lowerErrorContext: (v) => this.#host.table(inst).add(v as ErrorContextHandle),
      // a readable end moves: the other side gets what both ends share (CanonicalABI.md,
      // `lift_async_value`, `lower_stream`, `lower_future`)
      liftFuture: (_t, i) => this.#liftEnd(inst, i, "future-readable"),
      liftStream: (_t, i) => this.#liftEnd(inst, i, "stream-readable"),
      lowerFuture: (_t, v) => this.#lowerEnd(inst, "future-readable", v as CopyEnd["shared"]),
      lowerStream: (_t, v) => this.#lowerEnd(inst, "stream-readable", v as CopyEnd["shared"]),
    };
  }

  /** A readable end leaves `inst`'s table: what it shares. */
  #liftEnd(
    inst: ComponentInstanceId,
    i: number,
    kind: "future-readable" | "stream-readable",
  ): CopyEnd["shared"] {
    const table = this.#host.table(inst);
    const shared = liftEnd(handleOf(table, i, kind));
    table.remove(i);
    return shared;
  }

  /** A readable end of what `shared` is enters `inst`'s table: its index. */
  #lowerEnd(
    inst: ComponentInstanceId,
    kind: "future-readable" | "stream-readable",
    shared: CopyEnd["shared"],
  ): number {
    const e = newEnd(kind, shared);
    return e.index = this.#host.table(inst).add(e);
  }

  /** `lift_own`: an owned handle leaves `inst`'s table; its representation. */
  #liftOwn(inst: ComponentInstanceId, i: number, resource: number): number {
    const h = this.resourceHandle(inst, i, resource);
    if (h.lends !== 0) throw new Trap(TASK_RULES.lent);
    if (!h.own) throw new Trap(TASK_RULES.notOwned);
    this.#host.table(inst).remove(i);
    return h.rep;
  }

  /** `lift_borrow`: the handle is lent for the call (`lenders` gives it back at its end). */
  #liftBorrow(
    inst: ComponentInstanceId,
    i: number,
    resource: number,
    lenders: ResourceHandle[],
  ): number {
    const h = this.resourceHandle(inst, i, resource);
    h.lends++;
    lenders.push(h);
    return h.rep;
  }

  /** `lower_own`: a new owned handle in `inst`'s table. */
  #lowerOwn(inst: ComponentInstanceId, rep: number, resource: number): number {
    return this.#host.table(inst).add(this.ownRecord(rep, resource));
  }

  /** Dropped owned handles' records, reused by the next ones (no allocation per handle). */
  readonly #records: ResourceHandle[] = [];

  /**
   * A record for a new owned handle (a dropped one's, reused).
   * @param rep The representation.
   * @param resource The resource type's id.
   * @returns The record.
   */
  ownRecord(rep: number, resource: number): ResourceHandle {
    const e = this.#records.pop();
    if (e === undefined) return { kind: "resource", rep, resource, own: true, lends: 0 };
    e.rep = rep;
    e.resource = resource;
    return e;
  }

  /**
   * `lower_borrow`: the instance that defines the resource gets its
   * representation; any other a borrow handle of its current task.
   */
  #lowerBorrow(inst: ComponentInstanceId, rep: number, resource: number): number {
    if (this.#host.dfg.resources[resource].instance === inst) return rep;
    const scope = this.#host.tasks.current(inst, "borrow");
    scope.borrows++;
    return this.#host.table(inst).add({
      kind: "resource",
      rep,
      resource,
      own: false,
      lends: 0,
      scope,
    });
  }

  /** The call scopes adapters opened (`call`/`enter`), innermost last. */
  readonly #calls: CallScope[] = [];

  /** How many call scopes are open (see {@link Handles.unwindCalls}). */
  get depth(): number {
    return this.#calls.length;
  }

  /**
   * An owned handle's record is free (its handle was dropped): the next
   * owned handle reuses it.
   * @param e The record.
   */
  release(e: ResourceHandle): void {
    this.#records.push(e);
  }

  /**
   * The intrinsics fused adapters import (see `AdapterModuleBuilder`):
   * handle transfers between two instances' tables, and call scopes.
   * @param kind Which.
   * @returns The function.
   */
  intrinsic(kind: IntrinsicKind): (...a: number[]) => number | undefined {
    switch (kind) {
      case "transfer-own":
        return (h, src, dst, resource) => {
          // lift_own then lower_own: the same record moves from one table to the other
          const i = h >>> 0;
          const e = this.resourceHandle(src, i, resource);
          if (e.lends !== 0) throw new Trap(TASK_RULES.lent);
          if (!e.own) throw new Trap(TASK_RULES.notOwned);
          this.#host.table(src).remove(i);
          return this.#host.table(dst).add(e);
        };
      case "transfer-error-context":
        // `(handle, src_instance, dst_instance) -> handle`: the same entry, shared
        return (h, src, dst) =>
          this.#host.table(dst).add(errorContextAt(this.#host.table(src), h >>> 0));
      case "transfer-borrow":
        return (h, src, dst, resource) => {
          const scope = this.#calls[this.#calls.length - 1];
          if (scope === undefined) throw new Error("a borrow lent outside a call scope");
          const e = this.resourceHandle(src, h >>> 0, resource);
          e.lends++;
          scope.lenders[scope.lent++] = e;
          return this.#lowerBorrow(dst, e.rep, resource);
        };
      case "call-enter":
        return (inst) => {
          // scopes (and their tasks) are reused: a call allocates nothing
          const pool = this.#scopePool[inst] ??= [];
          let scope = pool.pop();
          if (scope === undefined) {
            const task = this.#host.tasks.enter({
              instance: inst,
              type: SCOPE_TYPE,
              options: { instance: inst, stringEncoding: "utf8", memory64: false },
              onReturn: () => {},
            });
            scope = { task, lenders: [], lent: 0 };
          } else this.#host.tasks.reenter(scope.task);
          this.#calls.push(scope);
          return undefined;
        };
      case "call-exit":
        return (pop) => {
          const scope = this.#calls[this.#calls.length - 1];
          if (scope.task.borrows > 0) throw new Trap(TASK_RULES.borrowsRemain);
          // the call returned: what its parameters lent is given back
          this.#giveBack(scope);
          if (pop) this.#endCall();
          return undefined;
        };
      case "call-end":
        return () => {
          this.#endCall();
          return undefined;
        };
    }
  }

  /** The call returned: the handles lent to it are given back. */
  #giveBack(scope: CallScope): void {
    const lenders = scope.lenders;
    for (let i = 0; i < scope.lent; i++) {
      lenders[i]!.lends--;
      lenders[i] = undefined;
    }
    scope.lent = 0;
  }

  #endCall(): void {
    const scope = this.#calls.pop()!;
    this.#host.tasks.exit(scope.task);
    this.#scopePool[scope.task.instance].push(scope);
  }

  /** Ended call scopes, by instance, for the next call to reuse. */
  readonly #scopePool: CallScope[][] = [];

  /**
   * After a call from the host ended in an error: close the call scopes
   * adapters opened inside it and did not close (a trap unwound them),
   * giving back what they lent.
   */
  unwindCalls(depth: number): void {
    while (this.#calls.length > depth) {
      const scope = this.#calls.pop()!;
      this.#giveBack(scope);
      this.#host.tasks.exit(scope.task);
    }
  }
}
