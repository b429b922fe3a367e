/**
 * The instantiation plan: the flattened graph and its adapter modules
 * linearized into the list of steps a runtime executes, in order (Wasmtime's
 * `GlobalInitializer`s, reference §1.7).
 *
 * Core instantiations and resource definitions come in the order they
 * happen. Everything else appears lazily, right before its first use: an
 * adapter module is instantiated just before the first step that needs one
 * of its adapters (after everything it imports, which the partition pass
 * guarantees), a host import is lowered before the first instance that
 * imports the lowering, and the memories, reallocs and post-returns the host
 * needs (for lowerings and exported lifted functions) are extracted at their
 * first use. Root exports come last.
 *
 * @module
 */

import type {
  AdapterId,
  AdapterOptions,
  ComponentDfg,
  ComponentInstanceId,
  CoreDef,
  ExportNode,
  InstanceId,
  LoweringId,
  MemoryId,
  PostReturnId,
  ReallocId,
  ResourceId,
} from "../inline/dfg.ts";
import type { AdapterModulePlan } from "./partition.ts";

/** One step of the instantiation plan. */
export type Initializer =
  | {
    /** Instantiate core instance `instance` (a static or imported module, with the graph's arguments). */
    readonly kind: "instantiate";
    readonly instance: InstanceId;
    readonly componentInstance: ComponentInstanceId;
  }
  | {
    /** Instantiate adapter module `module`. */
    readonly kind: "instantiate-adapter-module";
    readonly module: number;
  }
  | {
    /** Bind a host import for lowering `lowering`. */
    readonly kind: "lower-import";
    readonly lowering: LoweringId;
  }
  | { readonly kind: "extract-memory"; readonly memory: MemoryId }
  | { readonly kind: "extract-realloc"; readonly realloc: ReallocId }
  | { readonly kind: "extract-post-return"; readonly postReturn: PostReturnId }
  | {
    /** Define resource `resource` (its destructor is resolved here). */
    readonly kind: "resource";
    readonly resource: ResourceId;
  }
  | {
    /** Make root export `export` available. */
    readonly kind: "export";
    readonly export: number;
  };

class Linearizer {
  readonly out: Initializer[] = [];
  readonly #dfg: ComponentDfg;
  readonly #moduleOf: readonly number[];
  readonly #modules: readonly AdapterModulePlan[];
  /** Emitted already: one flag per adapter module, lowering, memory, realloc and post-return. */
  readonly #doneModule: Uint8Array;
  readonly #doneLowering: Uint8Array;
  readonly #doneMemory: Uint8Array;
  readonly #doneRealloc: Uint8Array;
  readonly #donePostReturn: Uint8Array;
  readonly #doneHostAdapter: Uint8Array;

  constructor(dfg: ComponentDfg, modules: readonly AdapterModulePlan[]) {
    this.#dfg = dfg;
    this.#modules = modules;
    const moduleOf: number[] = [];
    for (const m of modules) for (const a of m.adapters) moduleOf[a] = m.index;
    this.#moduleOf = moduleOf;
    this.#doneModule = new Uint8Array(modules.length);
    this.#doneLowering = new Uint8Array(dfg.lowerings.length);
    this.#doneMemory = new Uint8Array(dfg.memories.length);
    this.#doneRealloc = new Uint8Array(dfg.reallocs.length);
    this.#donePostReturn = new Uint8Array(dfg.postReturns.length);
    this.#doneHostAdapter = new Uint8Array(dfg.adapters.length);
  }

  /** True the first time for each `id` (in range: ids index their arenas). */
  #once(done: Uint8Array, id: number): boolean {
    if (done[id] === 1) return false;
    done[id] = 1;
    return true;
  }

  coreDef(d: CoreDef): void {
    if (d.kind === "adapter") this.#adapterModule(this.#adapterModuleOf(d.id));
    else if (d.kind === "lowered") this.#lowering(d.id);
    else if (d.kind === "host-adapter") this.#hostAdapter(d.id);
  }

  /** What a host adapter calls and reads must exist before its first use. */
  #hostAdapter(id: AdapterId): void {
    if (!this.#once(this.#doneHostAdapter, id)) return;
    const a = this.#dfg.adapters[id];
    this.options(a.liftOptions);
    this.options(a.lowerOptions);
    this.coreDef(a.func);
  }

  #adapterModuleOf(id: AdapterId): number {
    const m = this.#moduleOf[id];
    if (m === undefined) throw new Error(`adapter ${id} is in no adapter module`);
    return m;
  }

  #adapterModule(index: number): void {
    if (!this.#once(this.#doneModule, index)) return;
    // Its imports first: callees that are adapters of earlier modules or lowerings.
    for (const id of this.#modules[index].adapters) {
      const a = this.#dfg.adapters[id];
      if (!a.alwaysTrap) {
        this.coreDef(a.func);
        for (const o of [a.liftOptions, a.lowerOptions]) {
          if (o.realloc !== undefined) this.coreDef(this.#dfg.reallocs[o.realloc]);
          if (o.postReturn !== undefined) this.coreDef(this.#dfg.postReturns[o.postReturn]);
        }
      }
    }
    this.out.push({ kind: "instantiate-adapter-module", module: index });
  }

  /** Host-side use of options: extract what the host will read or call. */
  options(o: AdapterOptions): void {
    const dfg = this.#dfg;
    if (o.memory !== undefined && this.#once(this.#doneMemory, o.memory)) {
      this.out.push({ kind: "extract-memory", memory: o.memory });
    }
    if (o.realloc !== undefined && this.#once(this.#doneRealloc, o.realloc)) {
      this.coreDef(dfg.reallocs[o.realloc]);
      this.out.push({ kind: "extract-realloc", realloc: o.realloc });
    }
    if (o.postReturn !== undefined && this.#once(this.#donePostReturn, o.postReturn)) {
      this.coreDef(dfg.postReturns[o.postReturn]);
      this.out.push({ kind: "extract-post-return", postReturn: o.postReturn });
    }
    if (o.callback !== undefined) this.coreDef(o.callback);
  }

  #lowering(id: LoweringId): void {
    if (!this.#once(this.#doneLowering, id)) return;
    this.options(this.#dfg.lowerings[id].options);
    this.out.push({ kind: "lower-import", lowering: id });
  }

  export(e: ExportNode): void {
    const item = e.item;
    if (item.kind === "lifted") {
      this.options(item.options);
      this.coreDef(item.func);
    } else if (item.kind === "instance") {
      for (const inner of item.exports) this.export(inner);
    }
  }

  run(): Initializer[] {
    const dfg = this.#dfg;
    for (const s of dfg.sideEffects) {
      if (s.kind === "instance") {
        const node = dfg.instances[s.id];
        const args = node.args;
        if (Array.isArray(args)) { for (const a of args as readonly CoreDef[]) this.coreDef(a); }
        else {
          for (
            const names of (args as ReadonlyMap<string, ReadonlyMap<string, CoreDef>>).values()
          ) {
            for (const a of names.values()) this.coreDef(a);
          }
        }
        this.out.push({
          kind: "instantiate",
          instance: s.id,
          componentInstance: node.componentInstance,
        });
      } else {
        const dtor = dfg.resources[s.id].dtor;
        if (dtor !== undefined) this.coreDef(dtor);
        this.out.push({ kind: "resource", resource: s.id });
      }
    }
    dfg.exports.forEach((e, i) => {
      this.export(e);
      this.out.push({ kind: "export", export: i });
    });
    return this.out;
  }
}

/**
 * Linearize a graph and its adapter modules into the instantiation plan.
 *
 * @example Planning the example component
 * ```ts
 * import { parseBytes } from "@wasmfuse/fuse";
 * import { inlinePayloads } from "@wasmfuse/fuse/inline";
 * import { partitionDfg, planInstantiation } from "@wasmfuse/fuse/partition";
 * import assert from "node:assert/strict";
 *
 * const dfg = inlinePayloads(parseBytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])));
 * assert.deepEqual(planInstantiation(dfg, partitionDfg(dfg)), []);
 * ```
 *
 * @param dfg The whole graph.
 * @param modules Every adapter module plan, in index order.
 * @returns The initializers, in the order a runtime must execute them.
 */
export function planInstantiation(
  dfg: ComponentDfg,
  modules: readonly AdapterModulePlan[],
): Initializer[] {
  return new Linearizer(dfg, modules).run();
}
