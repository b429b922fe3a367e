/**
 * The partition pass: groups fused adapters into adapter modules in one
 * linear pass, exactly as Wasmtime's `translate/adapt.rs` does (reference
 * §1.5), and as early as the event stream allows.
 *
 * Adapters are visited in identification order. Visiting an adapter visits
 * its dependencies: the memory, realloc and post-return of both its lift and
 * lower options, and its callee. Depending on an export of core instance
 * `k` means depending on `k` and on every instance created before it (the
 * instantiation order is fixed, and an adapter module is instantiated at the
 * first use of any of its adapters); visiting an instance visits its
 * arguments. Reaching an adapter that sits in the module still being built
 * closes that module: it is emitted at once and a new one starts. A module
 * is never reopened, and each instance is visited once, so the pass is
 * linear in the size of the graph.
 *
 * Streaming is exact: an adapter's dependencies were all defined before the
 * adapter (the inliner's ordering guarantee), so visiting it when its event
 * arrives sees the same graph as visiting it after the whole stream.
 *
 * One difference from Wasmtime, on purpose: an adapter whose body always
 * traps (`alwaysTrap`) calls nothing and uses no memory, so it has no
 * dependencies here and never forces a split.
 *
 * @module
 */

import type {
  AdapterId,
  AdapterOptions,
  ComponentDfg,
  CoreDef,
  DfgEvent,
  InstanceId,
} from "../inline/dfg.ts";

/** One adapter module: which adapters it holds, in identification order. */
export interface AdapterModulePlan {
  /** Discriminant (it travels in the same stream as graph events). */
  readonly kind: "adapter-module-plan";
  /** The module's index (0, 1, ...), in the order modules are closed. */
  readonly index: number;
  /** Its adapters, in identification order. */
  readonly adapters: readonly AdapterId[];
}

/** What the partition stage emits: the graph events, and adapter module plans. */
export type PartitionEvent = DfgEvent | AdapterModulePlan;

/** Sentinel for "in the module being built". */
const CURRENT = -1;

/**
 * Runs the partition pass over graph events. Feed events in order with
 * {@link Partitioner.push}; plans come out through `emit` as modules close,
 * the last one at {@link Partitioner.finish}.
 */
export class Partitioner {
  readonly #emit: (plan: AdapterModulePlan) => void;
  readonly #dfg: ComponentDfg;
  /** Module index of each adapter, or CURRENT. */
  readonly #moduleOf: number[] = [];
  /** Whether each core instance has been visited (1) or not (0). */
  #visited = new Uint8Array(64);
  #current: AdapterId[] = [];
  #modules = 0;

  /**
   * Create a partitioner.
   * @param dfg The graph the events build (read for lookups; the caller adds events to it).
   * @param emit Receives each adapter module plan as it is closed.
   */
  constructor(dfg: ComponentDfg, emit: (plan: AdapterModulePlan) => void) {
    this.#dfg = dfg;
    this.#emit = emit;
  }

  /** The module index of each adapter seen so far (-1: the module still being built). */
  get assignment(): readonly number[] {
    return this.#moduleOf;
  }

  /**
   * Process one graph event (after it has been added to the graph).
   * @param e The event.
   */
  push(e: DfgEvent): void {
    if (e.kind !== "adapter") return;
    const a = e.node;
    if (!a.alwaysTrap) {
      this.#options(a.liftOptions);
      this.#options(a.lowerOptions);
      this.#coreDef(a.func);
    }
    this.#moduleOf[e.id] = CURRENT;
    this.#current.push(e.id);
  }

  /** Close the last module, if it holds any adapter. */
  finish(): void {
    this.#close();
  }

  #close(): void {
    if (this.#current.length === 0) return;
    const index = this.#modules++;
    for (const id of this.#current) this.#moduleOf[id] = index;
    const adapters = this.#current;
    this.#current = [];
    this.#emit({ kind: "adapter-module-plan", index, adapters });
  }

  #options(o: AdapterOptions): void {
    const dfg = this.#dfg;
    if (o.memory !== undefined) this.#instance(dfg.memories[o.memory].export.instance);
    if (o.realloc !== undefined) this.#coreDef(dfg.reallocs[o.realloc]);
    if (o.postReturn !== undefined) this.#coreDef(dfg.postReturns[o.postReturn]);
  }

  #coreDef(d: CoreDef): void {
    switch (d.kind) {
      case "export":
        this.#instance(d.instance);
        return;
      case "adapter":
        if (this.#moduleOf[d.id] === CURRENT) this.#close();
        return;
      default:
        // lowerings, flags and resource intrinsics are host functions: no dependency
        return;
    }
  }

  /** Visit instance `k` and every instance before it, down to the first already visited. */
  #instance(k: InstanceId): void {
    if (k >= this.#visited.length) {
      const grown = new Uint8Array(Math.max(this.#visited.length * 2, k + 1));
      grown.set(this.#visited);
      this.#visited = grown;
    }
    const instances = this.#dfg.instances;
    for (let i = k; i >= 0 && this.#visited[i] === 0; i--) {
      this.#visited[i] = 1;
      const args = instances[i].args;
      if (Array.isArray(args)) {
        for (const arg of args as readonly CoreDef[]) this.#coreDef(arg);
      } else {
        for (const names of (args as ReadonlyMap<string, ReadonlyMap<string, CoreDef>>).values()) {
          for (const arg of names.values()) this.#coreDef(arg);
        }
      }
    }
  }
}
