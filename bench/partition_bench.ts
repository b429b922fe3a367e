/**
 * Partition and planning time on large synthetic graphs, built in memory
 * below as plain {@link ComponentDfg} objects (no files, no WAT), with
 * 1,000, 10,000 and 100,000 fused adapters. The partition pass is linear,
 * so the time per adapter (time/iter divided by the adapter count in the
 * bench name) must stay flat from 1k to 100k.
 *
 * Every adapter comes with the structure `wasm-tools component new` gives a
 * pair of components: a lifting component (a shim instance, a main instance
 * importing the shim's functions, a fixup instance filling the shim's table
 * with a host lowering) and a lowering component (shim, main, and a fixup
 * instance that takes the adapter). The adapter lifts the lifting main's
 * `run` with its memory, realloc and post-return, and lowers it with the
 * lowering main's memory and realloc; the lowering main's `run` is a root
 * export, and the lifting main's host lowering uses its memory and realloc
 * too. That is 6 core instances, 2 memories, 2 reallocs, 2 post-returns,
 * 4 sets of options, 1 host lowering and 1 root export per adapter.
 * The shapes differ only in where the adapter-taking fixup instances go,
 * and in which main instances also import the previous adapter:
 *
 * - no splits: every fixup that takes an adapter comes after the last
 *   adapter, so no adapter depends on an instance taking an adapter of the
 *   module in progress: one adapter module (the pass runs unbounded, as
 *   Wasmtime's: see `MAX_ADAPTERS_PER_MODULE`);
 * - split every 100: the same, in blocks of 100 adapters; the lowering main
 *   of each block's first adapter imports the previous adapter, and the
 *   block's fixups follow its last adapter: N / 100 modules;
 * - forced splits: blocks of 1, so every adapter's options use the memory of
 *   an instance that imports the previous adapter: every adapter closes the
 *   module in progress, N modules.
 *
 * Each case runs `WORK / size` iterations, each one whole pass over one
 * graph, cycling over enough graphs that every size reads the same amount
 * of memory (see FOOTPRINT below).
 *
 * Run with `deno bench --allow-read bench/partition_bench.ts`.
 *
 * @module
 */

import type { TypeFunc } from "../mod.ts";
import {
  type AdapterOptions,
  type ComponentDfg,
  type CoreDef,
  emptyDfg,
  type InstanceId,
  type StaticModule,
} from "../lib/inline/mod.ts";
import { type AdapterModulePlan, partitionDfg, planInstantiation } from "../lib/partition/mod.ts";

/** Wasmtime's pass: no bound on a module's adapters (fuse() closes one at 4,096). */
const WASMTIME = { maxAdapters: Infinity };

/** The graph sizes, in adapters. */
const SIZES = [1_000, 10_000, 100_000];
/**
 * Adapters partitioned (or planned) per bench case: `n = WORK / size`
 * iterations, so every size does the same total work and each iteration is
 * one whole pass over its graph.
 */
const WORK = 2_000_000;

/** A static module; the passes never read its contents. */
function staticModule(): StaticModule {
  return {
    bytes: new Uint8Array(0),
    types: [],
    imports: [],
    exports: [],
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    tags: [],
  };
}

const SHIM = 0;
const MAIN = 1;
const FIXUP = 2;

const RUN_TYPE: TypeFunc = {
  kind: "func",
  async: false,
  params: [{ name: "input", type: "string" }, { name: "count", type: "u32" }],
  result: { kind: "list", element: "string" },
};
const LOG_TYPE: TypeFunc = {
  kind: "func",
  async: false,
  params: [{ name: "message", type: "string" }],
};

/**
 * Build a graph of `adapters` adapters whose adapter-taking instances come in
 * blocks of `block` adapters (1: forced splits; `adapters`: no splits).
 */
function buildGraph(adapters: number, block: number): ComponentDfg {
  const dfg = emptyDfg();
  dfg.modules.push(staticModule(), staticModule(), staticModule());
  dfg.imports.push({ name: "host:log/log", type: { kind: "func", type: LOG_TYPE } });
  dfg.componentInstances.push({});

  const exportOf = (instance: InstanceId, name: string): CoreDef => ({
    kind: "export",
    instance,
    name,
  });
  const instance = (module: number, args: CoreDef[], componentInstance: number): InstanceId => {
    const id = dfg.instances.length;
    dfg.instances.push({ componentInstance, module: { kind: "static", id: module }, args });
    dfg.sideEffects.push({ kind: "instance", id });
    return id;
  };
  /**
   * The memory, realloc and post-return of a main instance, one graph node
   * each (the inliner shares them between all the options that name them).
   */
  const canon = (main: InstanceId) => {
    const memory = dfg.memories.length;
    dfg.memories.push({ export: { instance: main, name: "memory" }, memory64: false });
    const realloc = dfg.reallocs.length;
    dfg.reallocs.push(exportOf(main, "cabi_realloc"));
    const postReturn = dfg.postReturns.length;
    dfg.postReturns.push(exportOf(main, "cabi_post_run"));
    return { memory, realloc, postReturn };
  };
  /** Options naming a main instance's memory and realloc, and (lifts) its post-return. */
  const options = (
    ci: number,
    c: { memory: number; realloc: number; postReturn: number },
    lift: boolean,
  ): AdapterOptions => ({
    instance: ci,
    stringEncoding: "utf8",
    memory: c.memory,
    memory64: false,
    realloc: c.realloc,
    ...(lift ? { postReturn: c.postReturn } : {}),
  });

  /** Lowering components whose fixup (taking their adapter) is still to come. */
  let pending: { ci: number; shim: InstanceId; adapter: number }[] = [];
  for (let i = 0; i < adapters; i++) {
    // The lifting component: shim, main, a host lowering, fixup.
    const lifting = dfg.componentInstances.length;
    dfg.componentInstances.push({ parent: 0 });
    const shim = instance(SHIM, [], lifting);
    const main = instance(MAIN, [exportOf(shim, "0"), exportOf(shim, "1")], lifting);
    const mainCanon = canon(main);
    const log = dfg.lowerings.length;
    dfg.lowerings.push({
      import: { import: 0, names: [] },
      type: LOG_TYPE,
      options: options(lifting, mainCanon, false),
    });
    instance(FIXUP, [exportOf(shim, "$imports"), { kind: "lowered", id: log }], lifting);

    // The lowering component: shim, main (importing the previous adapter at a block start).
    const lowering = dfg.componentInstances.length;
    dfg.componentInstances.push({ parent: 0 });
    const dshim = instance(SHIM, [], lowering);
    const dargs: CoreDef[] = [exportOf(dshim, "0"), exportOf(dshim, "1")];
    if (i > 0 && i % block === 0) dargs.push({ kind: "adapter", id: i - 1 });
    const dmain = instance(MAIN, dargs, lowering);
    const dmainCanon = canon(dmain);

    dfg.adapters.push({
      liftType: RUN_TYPE,
      liftOptions: options(lifting, mainCanon, true),
      lowerType: RUN_TYPE,
      lowerOptions: options(lowering, dmainCanon, false),
      func: exportOf(main, "run"),
      alwaysTrap: false,
    });
    pending.push({ ci: lowering, shim: dshim, adapter: i });
    dfg.exports.push({
      name: `run-${i}`,
      item: {
        kind: "lifted",
        type: RUN_TYPE,
        func: exportOf(dmain, "run"),
        options: options(lowering, dmainCanon, true),
      },
    });

    // At a block's end: the fixups that take the block's adapters.
    if ((i + 1) % block === 0 || i === adapters - 1) {
      for (const p of pending) {
        instance(FIXUP, [exportOf(p.shim, "$imports"), { kind: "adapter", id: p.adapter }], p.ci);
      }
      pending = [];
    }
  }
  return dfg;
}

const SHAPES = [
  { name: "no splits", block: (n: number) => n, modules: (_n: number) => 1 },
  { name: "split every 100", block: (_n: number) => 100, modules: (n: number) => n / 100 },
  { name: "forced splits", block: (_n: number) => 1, modules: (n: number) => n },
];

/**
 * Every case keeps the same amount of graph in memory: `FOOTPRINT / size`
 * distinct graphs of its size, visited in turn, so a 1,000-adapter case runs
 * over cold memory just as the 100,000-adapter one does. Per-adapter figures
 * then compare the algorithm across sizes, not the CPU caches (a single hot
 * 1,000-adapter graph fits in cache; a 100,000-adapter one, about 300 MB, does
 * not). Graphs are built on a case's first call (a warmup call, not timed)
 * and dropped when the next case starts, so only one case's graphs are alive
 * at a time.
 */
const FOOTPRINT = 100_000;

interface Graph {
  readonly dfg: ComponentDfg;
  readonly plans: AdapterModulePlan[];
}

/** The graphs of the case running now, and which case they belong to. */
let live: { readonly owner: object; readonly graphs: readonly Graph[] } | undefined;

/** A bench function over `FOOTPRINT / adapters` graphs, built lazily, visited in turn. */
function overGraphs(
  adapters: number,
  block: number,
  expectModules: number,
  run: (g: Graph) => void,
): () => void {
  // Deno calls a bench function more than `n + warmup` times (each phase also
  // runs for a 10 ms budget), so a case keeps its graphs until another starts.
  const owner = {};
  let call = 0;
  return () => {
    if (live?.owner !== owner) {
      live = undefined; // the previous case's graphs can go before these are built
      const graphs: Graph[] = [];
      for (let k = 0; k < FOOTPRINT / adapters; k++) {
        const dfg = buildGraph(adapters, block);
        const plans = partitionDfg(dfg, WASMTIME);
        // Checked once, silently: the shape gives the module count it promises.
        if (plans.length !== expectModules) {
          throw new Error(`${adapters} adapters: ${plans.length} modules, not ${expectModules}`);
        }
        graphs.push({ dfg, plans });
      }
      live = { owner, graphs };
    }
    run(live.graphs[call++ % live.graphs.length]);
  };
}

for (const shape of SHAPES) {
  for (const adapters of SIZES) {
    const n = WORK / adapters;
    const warmup = Math.max(n / 10, 5);
    Deno.bench({
      name: `partition ${adapters} adapters (${shape.name})`,
      group: `partitionDfg (${shape.name})`,
      baseline: adapters === SIZES[0],
      n,
      warmup,
      fn: overGraphs(adapters, shape.block(adapters), shape.modules(adapters), (g) => {
        partitionDfg(g.dfg, WASMTIME);
      }),
    });
  }
}

for (const shape of SHAPES.filter((s) => s.name !== "split every 100")) {
  for (const adapters of SIZES) {
    const n = WORK / adapters;
    const warmup = Math.max(n / 10, 5);
    Deno.bench({
      name: `plan ${adapters} adapters (${shape.name})`,
      group: `planInstantiation (${shape.name})`,
      baseline: adapters === SIZES[0],
      n,
      warmup,
      fn: overGraphs(adapters, shape.block(adapters), shape.modules(adapters), (g) => {
        planInstantiation(g.dfg, g.plans);
      }),
    });
  }
}
