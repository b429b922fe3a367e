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
 * An adapter whose body always traps (`alwaysTrap`) calls nothing, yet its
 * options and callee are visited like any other's, as Wasmtime does: the
 * modules then come out as Wasmtime's (and jco's) do, which users compare.
 *
 * Differences from Wasmtime, on purpose:
 * - the walk back over "everything created before" covers every side
 *   effect, resource definitions included: a resource whose destructor is
 *   an adapter needs that adapter's module where the resource is defined;
 * - a host lowering used as a callee or an argument depends on its options'
 *   memory and realloc: the runtime extracts them when the lowering is
 *   first used.
 * Both gaps exist in Wasmtime's pass as well (found by our property tests);
 * without these rules the plan would use a memory, or an adapter module
 * would import one, before the instance that defines it exists.
 * - a module also closes when it holds {@link MAX_ADAPTERS_PER_MODULE}
 *   adapters (Wasmtime's has no bound: 100,000 adapters with nothing to
 *   close their module are one module there). Building a module keeps a
 *   record per function until its bytes are written: bounded, that memory
 *   is a few MB, and the first module of a large input comes out after a
 *   few thousand adapters rather than at the end. Closing a module early
 *   is always sound (every dependency of its adapters was visited before
 *   them); the modules of an input under the bound are Wasmtime's.
 *
 * @module
 */

import type {
  AdapterId,
  AdapterOptions,
  ComponentDfg,
  CoreDef,
  CoreExportRef,
  DfgEvent,
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
 * The most adapters an adapter module holds, unless the partitioner is
 * given another bound: a module closes when it has this many (see the
 * module documentation).
 */
export const MAX_ADAPTERS_PER_MODULE = 4096;

/** Options of a {@link Partitioner}. */
export interface PartitionOptions {
  /**
   * The most adapters a module holds (default {@link MAX_ADAPTERS_PER_MODULE});
   * `Infinity` closes modules only where Wasmtime does.
   */
  readonly maxAdapters?: number;
}

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
  /** Whether each side effect (by its index in `sideEffects`) has been visited. */
  #visited = new Uint8Array(64);
  /** Index in `sideEffects` of each core instance (typed arrays: no garbage for large graphs). */
  #effectOf = new Int32Array(64);
  #scanned = 0;
  /** Dependencies still to visit: graph nodes, or memory exports (visit their instance). */
  readonly #work: (CoreDef | CoreExportRef)[] = [];
  #current: AdapterId[] = [];
  #modules = 0;
  readonly #maxAdapters: number;

  /**
   * Create a partitioner.
   * @param dfg The graph the events build (read for lookups; the caller adds events to it).
   * @param emit Receives each adapter module plan as it is closed.
   * @param options `maxAdapters`: the most adapters a module holds.
   * @throws {RangeError} When `maxAdapters` is not a positive integer or `Infinity`.
   */
  constructor(
    dfg: ComponentDfg,
    emit: (plan: AdapterModulePlan) => void,
    options: PartitionOptions = {},
  ) {
    this.#dfg = dfg;
    this.#emit = emit;
    const max = options.maxAdapters ?? MAX_ADAPTERS_PER_MODULE;
    if (!(max === Infinity || (Number.isInteger(max) && max > 0))) {
      throw new RangeError(`maxAdapters must be a positive integer or Infinity, not ${max}`);
    }
    this.#maxAdapters = max;
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
    // host adapters are in no module: the runtime runs them
    if (e.kind !== "adapter" || e.node.host) return;
    const a = e.node;
    // an adapter that only traps depends on what it would call all the same, as in
    // Wasmtime (whose partition visits every adapter alike)
    this.#options(a.liftOptions);
    this.#options(a.lowerOptions);
    this.#work.push(a.func);
    this.#drain();
    this.#moduleOf[e.id] = CURRENT;
    this.#current.push(e.id);
    if (this.#current.length >= this.#maxAdapters) this.#close();
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

  /** Queue what options depend on: the memory's instance, the realloc, the post-return. */
  #options(o: AdapterOptions): void {
    const dfg = this.#dfg;
    if (o.memory !== undefined) this.#work.push(dfg.memories[o.memory].export);
    if (o.realloc !== undefined) this.#work.push(dfg.reallocs[o.realloc]);
    if (o.postReturn !== undefined) this.#work.push(dfg.postReturns[o.postReturn]);
    if (o.callback !== undefined) this.#work.push(o.callback);
  }

  /**
   * Visit everything queued, iteratively (a chain of thousands of instances
   * must not exhaust the stack). The order of visits does not change the
   * result: every node reached is a dependency of the adapter being added,
   * and the module in progress closes if any of them is one of its adapters.
   */
  #drain(): void {
    const dfg = this.#dfg;
    const effects = dfg.sideEffects;
    if (this.#scanned < effects.length) {
      this.#visited = grow(this.#visited, effects.length);
      this.#effectOf = grow(this.#effectOf, dfg.instances.length);
      for (; this.#scanned < effects.length; this.#scanned++) {
        const e = effects[this.#scanned];
        if (e.kind === "instance") this.#effectOf[e.id] = this.#scanned;
      }
    }
    const work = this.#work;
    while (work.length > 0) {
      const w = work.pop()!;
      if ("name" in w && !("kind" in w)) {
        this.#walkBack(this.#effectOf[w.instance]);
        continue;
      }
      const d = w as CoreDef;
      switch (d.kind) {
        case "export":
          this.#walkBack(this.#effectOf[d.instance]);
          break;
        case "adapter":
          if (this.#moduleOf[d.id] === CURRENT) this.#close();
          break;
        case "lowered":
          // a host function, but the runtime extracts its memory and realloc at first use
          this.#options(dfg.lowerings[d.id].options);
          break;
        case "host-adapter": {
          // a host function that calls its callee and uses both sides' options
          const a = dfg.adapters[d.id];
          this.#options(a.liftOptions);
          this.#options(a.lowerOptions);
          this.#work.push(a.func);
          break;
        }
        default:
          // flags, resource and task intrinsics are host functions: no dependency
          break;
      }
    }
  }

  /**
   * Visit side effect `start` and every one before it (earlier instances and
   * resource definitions), down to the first one already visited; queue
   * their arguments and destructors.
   */
  #walkBack(start: number): void {
    const dfg = this.#dfg;
    const effects = dfg.sideEffects;
    for (let i = start; i >= 0 && this.#visited[i] === 0; i--) {
      this.#visited[i] = 1;
      const effect = effects[i];
      if (effect.kind === "resource") {
        const dtor = dfg.resources[effect.id].dtor;
        if (dtor !== undefined) this.#work.push(dtor);
        continue;
      }
      const args = dfg.instances[effect.id].args;
      if (Array.isArray(args)) {
        for (const arg of args as readonly CoreDef[]) this.#work.push(arg);
      } else {
        for (const names of (args as ReadonlyMap<string, ReadonlyMap<string, CoreDef>>).values()) {
          for (const arg of names.values()) this.#work.push(arg);
        }
      }
    }
  }
}

/** `a`, or a copy at least `n` long (doubling, so growth is amortised O(1)). */
function grow<T extends Uint8Array | Int32Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  let size = a.length * 2;
  while (size < n) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
