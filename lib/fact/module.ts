/**
 * The adapter module builder (Wasmtime's `fact.rs`): one core module per
 * adapter module plan. Every memory, realloc, post-return, callee, flags
 * global and host intrinsic is imported once however many adapters use it,
 * and each import carries its binding to a graph node ({@link ImportBinding})
 * so a runtime knows what to pass. Each adapter is exported with the
 * lowering side's flat signature.
 *
 * Import names are numbered in the module, in the order of first use:
 * `memory`/`m{n}`, `realloc`/`r{n}`, `post_return`/`p{n}`, `callee`/`c{n}`,
 * `flags`/`f{n}`, `transcode`/`t{n}`; and `runtime`/`trap`, `runtime`/`js-tag`,
 * `resource`/`transfer-own`, `resource`/`transfer-borrow`,
 * `error-context`/`transfer`, `call`/`enter`,
 * `call`/`exit`, `call`/`end`. The graph node each is bound to is in
 * {@link AdapterModule.imports}, not in its name, and adapter number `k` of
 * the module is exported as `adapter{k}`: so two modules of the same shape
 * (the same types, options and equalities between their graph nodes, as each
 * link of a chain) have the same bytes, and the second is not generated
 * again (nor checked again, nor compiled again by the runtime) but takes the
 * first one's bytes with its own bindings. Helpers that translate lists are
 * generated once per element type and pair of options, and shared.
 *
 * @module
 */

import type {
  Adapter,
  AdapterId,
  AdapterOptions,
  ComponentDfg,
  ComponentInstanceId,
  CoreDef,
  MemoryId,
  PostReturnId,
  ReallocId,
} from "../inline/dfg.ts";
import type { StringEncoding } from "../parse/items.ts";
import { flattenFuncType, type FlatType, some } from "../types/abi.ts";
import type { InterfaceType, TypeFunc, TypeResource } from "../types/model.ts";
import { mayThrow } from "./exceptions.ts";
import { type FuncRef, ModuleBuilder } from "../wasm/module.ts";
import { compileAdapter } from "./adapter.ts";

/** What an adapter module import is bound to in the graph. */
export type ImportBinding =
  | { readonly kind: "memory"; readonly memory: MemoryId }
  | { readonly kind: "realloc"; readonly realloc: ReallocId }
  | { readonly kind: "post-return"; readonly postReturn: PostReturnId }
  | { readonly kind: "callee"; readonly def: CoreDef }
  | { readonly kind: "flags"; readonly instance: ComponentInstanceId }
  | { readonly kind: "trap" }
  /**
   * The tag of JavaScript exceptions (`WebAssembly.JSTag`), which the
   * exception barrier catches first to let them through unchanged.
   */
  | { readonly kind: "js-tag" }
  /**
   * `resource`/`transfer-own` and `resource`/`transfer-borrow`:
   * `(handle, src_instance, dst_instance, resource) -> handle`,
   * a handle moved or lent from one component instance's table into
   * another's (CanonicalABI.md, `lift_own`/`lower_own`, `lift_borrow`/`lower_borrow`).
   */
  | { readonly kind: "transfer-own" | "transfer-borrow" }
  /**
   * `error-context`/`transfer` `(handle, src_instance, dst_instance) -> handle`:
   * an error context shared from one instance's table into another's (the
   * sender keeps its handle; CanonicalABI.md, `lift_error_context`).
   */
  | { readonly kind: "transfer-error-context" }
  /**
   * `call`/`enter` `(callee_instance) -> ()` opens the call scope (the
   * callee's task, the borrows it is lent); `call`/`exit` `(pop) -> ()`
   * checks that every borrow was dropped and returns the lent handles, and
   * closes the scope unless `pop` is 0; `call`/`end` `() -> ()` closes it
   * then (after a post-return, which runs in the callee's task).
   */
  | { readonly kind: "call-enter" | "call-exit" | "call-end" }
  | {
    /**
     * A string transcoder, `(ptr, len) -> (ptr, len)`: reads a string in
     * encoding `from` from memory `src`, validates it, and writes it in
     * encoding `to` into memory `dst` through `realloc`.
     */
    readonly kind: "transcode";
    readonly from: StringEncoding;
    readonly to: StringEncoding;
    readonly src: MemoryId;
    readonly dst: MemoryId;
    readonly realloc: ReallocId;
  };

/** One import of an adapter module: its names and binding. */
export interface AdapterImport {
  /** First-level name. */
  readonly module: string;
  /** Second-level name. */
  readonly name: string;
  /** What it is bound to. */
  readonly binding: ImportBinding;
}

/** A generated adapter module. */
export interface AdapterModule {
  /** Discriminant (it travels in the pipeline's stream). */
  readonly kind: "adapter-module";
  /** The module's index (as its plan's). */
  readonly index: number;
  /** Its adapters, in order. */
  readonly adapters: readonly AdapterId[];
  /** The core module's bytes. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Its imports, in import order. */
  readonly imports: readonly AdapterImport[];
  /** The export name of each adapter (`adapter{k}` for the module's `k`th). */
  readonly exports: ReadonlyMap<AdapterId, string>;
}

/** A memory as the adapter code sees it. */
export interface MemoryUse {
  /** Its index in the adapter module. */
  readonly index: number;
  /** Whether it is 64-bit (pointers are i64). */
  readonly memory64: boolean;
}

/** An adapter compiled in a module, whose body later ones may copy. */
interface Template {
  readonly id: AdapterId;
  readonly ref: FuncRef;
  /** Whether it was compiled with the exception barrier. */
  readonly barrier: boolean;
  readonly callee?: FuncRef;
}

/**
 * The export names `adapter{k}`, made once each: every module numbers its
 * adapters from 0 (and holds at most `MAX_ADAPTERS_PER_MODULE`), so a large
 * graph's modules share these strings rather than keep one per adapter.
 */
const adapterNames: string[] = [];
function adapterExportName(k: number): string {
  return adapterNames[k] ??= `adapter${k}`;
}

/** {@link adapterOptionsKey} of each options object (most are interned: one per distinct set). */
const adapterOptionsKeys = new WeakMap<AdapterOptions, string>();

/** What in an adapter's options its body depends on. */
function adapterOptionsKey(o: AdapterOptions): string {
  let key = adapterOptionsKeys.get(o);
  if (key === undefined) {
    key = `${o.instance}/${o.stringEncoding}/${o.memory ?? "-"}/${o.memory64 ? 64 : 32}/${
      o.realloc ?? "-"
    }/${o.postReturn ?? "-"}`;
    adapterOptionsKeys.set(o, key);
  }
  return key;
}

/** The key of a callee import: the graph node it is bound to. */
function calleeKey(d: CoreDef): string {
  switch (d.kind) {
    case "export":
      return `ce${d.instance}/${d.name}`;
    case "adapter":
    case "host-adapter":
    case "lowered":
      return `c${d.kind}${d.id}`;
    default:
      return `c${JSON.stringify(d)}`;
  }
}

/** Interns the imports of one adapter module while its adapters are compiled. */
export class AdapterModuleBuilder {
  /** The module being built. */
  readonly module: ModuleBuilder;
  /** The graph. */
  readonly dfg: ComponentDfg;
  readonly #imports: AdapterImport[] = [];
  readonly #memories = new Map<MemoryId, MemoryUse>();
  readonly #funcs = new Map<string, FuncRef>();
  readonly #flags = new Map<ComponentInstanceId, number>();
  readonly #exports = new Map<AdapterId, string>();
  /** How many imports of each numbered kind (by first-level name) so far. */
  readonly #numbered = new Map<string, number>();
  #jsTag: number | undefined;

  /**
   * Create a builder.
   * @param dfg The graph the adapters come from.
   * @param options `text`: keep the instructions, to print the module as WAT.
   */
  constructor(dfg: ComponentDfg, options: { readonly text?: boolean } = {}) {
    this.dfg = dfg;
    this.module = new ModuleBuilder(options);
  }

  #record(module: string, name: string, binding: ImportBinding): void {
    this.#imports.push({ module, name, binding });
  }

  /** The next import name of a numbered kind: `{prefix}{n}`, n counting from 0 in the module. */
  #next(module: string, prefix: string): string {
    const n = this.#numbered.get(module) ?? 0;
    this.#numbered.set(module, n + 1);
    return `${prefix}${n}`;
  }

  /**
   * The module's import of a memory.
   * @param id The memory node.
   * @returns Its index and width.
   */
  memory(id: MemoryId): MemoryUse {
    let m = this.#memories.get(id);
    if (m === undefined) {
      const memory64 = this.dfg.memories[id].memory64;
      const name = this.#next("memory", "m");
      const index = this.module.importMemory("memory", name, memory64, 0n);
      m = { index, memory64 };
      this.#memories.set(id, m);
      this.#record("memory", name, { kind: "memory", memory: id });
    }
    return m;
  }

  /**
   * A function import, once per key. `name` is the second-level name, or
   * the prefix of a numbered one (`{prefix}{n}`) when `numbered`.
   */
  #func(
    key: string,
    module: string,
    name: string,
    params: readonly FlatType[],
    results: readonly FlatType[],
    binding: ImportBinding,
    numbered = false,
  ): FuncRef {
    let f = this.#funcs.get(key);
    if (f === undefined) {
      f = this.#importFunc(module, name, params, results, binding, numbered);
      this.#funcs.set(key, f);
    }
    return f;
  }

  /** Import a function and record its binding (see #func). */
  #importFunc(
    module: string,
    name: string,
    params: readonly FlatType[],
    results: readonly FlatType[],
    binding: ImportBinding,
    numbered: boolean,
  ): FuncRef {
    if (numbered) name = this.#next(module, name);
    const textName = this.module.text ? `${module}_${name}` : name;
    const f = this.module.importFunc(module, name, { params, results }, textName);
    this.#record(module, name, binding);
    return f;
  }

  /**
   * The module's import of a realloc function.
   * @param id The realloc node.
   * @param ptr Its pointer type.
   * @returns The function.
   */
  realloc(id: ReallocId, ptr: "i32" | "i64"): FuncRef {
    return this.#func(`r${id}`, "realloc", "r", [ptr, ptr, ptr, ptr], [ptr], {
      kind: "realloc",
      realloc: id,
    }, true);
  }

  /**
   * The module's import of a post-return function.
   * @param id The post-return node.
   * @param params The lifted function's flat results.
   * @returns The function.
   */
  postReturn(id: PostReturnId, params: readonly FlatType[]): FuncRef {
    return this.#func(`p${id}`, "post_return", "p", params, [], {
      kind: "post-return",
      postReturn: id,
    }, true);
  }

  /**
   * The module's import of a callee (a lifted core function).
   * @param def Where it comes from.
   * @param params Its flat parameters.
   * @param results Its flat results.
   * @returns The function.
   */
  callee(def: CoreDef, params: readonly FlatType[], results: readonly FlatType[]): FuncRef {
    // an instance export (the common callee) is looked up by its instance and name, without a key
    if (def.kind === "export") {
      let byName = this.#exportCallees.get(def.instance);
      if (byName === undefined) this.#exportCallees.set(def.instance, byName = new Map());
      let f = byName.get(def.name);
      if (f === undefined) {
        f = this.#importFunc("callee", "c", params, results, { kind: "callee", def }, true);
        byName.set(def.name, f);
      }
      return f;
    }
    return this.#func(calleeKey(def), "callee", "c", params, results, {
      kind: "callee",
      def,
    }, true);
  }

  /** Callees that are instance exports: by instance, then name. */
  readonly #exportCallees = new Map<number, Map<string, FuncRef>>();

  /**
   * The module's import of a component instance's flags global.
   * @param instance The component instance.
   * @returns The global's index.
   */
  flags(instance: ComponentInstanceId): number {
    let g = this.#flags.get(instance);
    if (g === undefined) {
      const name = this.#next("flags", "f");
      g = this.module.importGlobal("flags", name, "i32", true);
      this.#flags.set(instance, g);
      this.#record("flags", name, { kind: "flags", instance });
    }
    return g;
  }

  /**
   * The module's import of the trap intrinsic, `(code: i32) -> ()`.
   * @returns The function.
   */
  trap(): FuncRef {
    return this.#func("trap", "runtime", "trap", ["i32"], [], { kind: "trap" });
  }

  /**
   * The module's import of a handle transfer intrinsic.
   * @param kind Moving an `own`, or lending a `borrow`.
   * @returns The function, `(handle, src_instance, dst_instance, resource) -> handle`.
   */
  transfer(kind: "own" | "borrow"): FuncRef {
    const name = `transfer-${kind}` as const;
    return this.#func(name, "resource", name, ["i32", "i32", "i32", "i32"], ["i32"], {
      kind: name,
    });
  }

  /**
   * The module's import of the error-context transfer intrinsic.
   * @returns The function, `(handle, src_instance, dst_instance) -> handle`.
   */
  transferErrorContext(): FuncRef {
    return this.#func(
      "transfer-error-context",
      "error-context",
      "transfer",
      [
        "i32",
        "i32",
        "i32",
      ],
      ["i32"],
      { kind: "transfer-error-context" },
    );
  }

  /**
   * The module's import of a call scope intrinsic.
   * @param which `enter` `(callee_instance)`, `exit` `(pop)` or `end` `()`.
   * @returns The function.
   */
  call(which: "enter" | "exit" | "end"): FuncRef {
    const params: FlatType[] = which === "end" ? [] : ["i32"];
    return this.#func(`call-${which}`, "call", which, params, [], { kind: `call-${which}` });
  }

  /** Each resource type's id in the graph, by type (grown as the graph grows). */
  #resourceIds = new Map<TypeResource, number>();
  #resourcesScanned = 0;

  /**
   * A resource type's id: its index in the graph's resources, which the
   * runtime's handle tables record.
   * @param t The resource type.
   * @returns Its id.
   */
  resourceId(t: TypeResource): number {
    let id = this.#resourceIds.get(t);
    if (id === undefined) {
      const resources = this.dfg.resources;
      for (; this.#resourcesScanned < resources.length; this.#resourcesScanned++) {
        const i = this.#resourcesScanned;
        if (!this.#resourceIds.has(resources[i].type)) this.#resourceIds.set(resources[i].type, i);
      }
      id = this.#resourceIds.get(t);
      if (id === undefined) throw new Error("a handle of a resource type the graph does not know");
    }
    return id;
  }

  /**
   * The module's import of `WebAssembly.JSTag`, the tag JavaScript exceptions
   * carry (an `externref`).
   * @returns The tag's index.
   */
  jsTag(): number {
    if (this.#jsTag === undefined) {
      this.#jsTag = this.module.importTag("runtime", "js-tag", {
        params: ["externref"],
        results: [],
      });
      this.#record("runtime", "js-tag", { kind: "js-tag" });
    }
    return this.#jsTag;
  }

  /**
   * The module's import of a string transcoder (one per encoding pair,
   * memory pair and realloc).
   * @param from The source encoding.
   * @param to The destination encoding.
   * @param src The source memory.
   * @param dst The destination memory.
   * @param realloc The destination's realloc.
   * @returns The function, `(ptr, len) -> (ptr, len)` in each side's pointer type.
   */
  transcoder(
    from: StringEncoding,
    to: StringEncoding,
    src: MemoryId,
    dst: MemoryId,
    realloc: ReallocId,
  ): FuncRef {
    const sp = this.dfg.memories[src].memory64 ? "i64" : "i32";
    const dp = this.dfg.memories[dst].memory64 ? "i64" : "i32";
    return this.#func(`t${from}/${to}/${src}/${dst}/${realloc}`, "transcode", "t", [sp, sp], [
      dp,
      dp,
    ], {
      kind: "transcode",
      from,
      to,
      src,
      dst,
      realloc,
    }, true);
  }

  readonly #helpers = new Map<string, FuncRef>();
  #helperCount = 0;

  /** A number for the next helper's text name. */
  helperCount(): number {
    return this.#helperCount;
  }

  /**
   * A helper function, generated once per key and shared by every adapter
   * of the module.
   * @param key What identifies it.
   * @param build Generates it (called once).
   * @returns The function.
   */
  helper(key: string, build: () => FuncRef): FuncRef {
    let f = this.#helpers.get(key);
    if (f === undefined) {
      this.#helperCount++;
      f = build();
      this.#helpers.set(key, f);
    }
    return f;
  }

  /**
   * Compile one adapter into the module and export it (the module's `k`th
   * as `adapter{k}`). An adapter with the
   * same types, options and protocol as one already in the module has the
   * same body but for its callee: that body is copied with the callee
   * replaced, not generated again.
   * @param id The adapter.
   */
  adapt(id: AdapterId): void {
    const name = adapterExportName(this.#exports.size);
    const a = this.dfg.adapters[id];
    // a module of one adapter (the common case in a chain) computes no key at all
    if (this.#first !== undefined) {
      const f = this.#first;
      this.#first = undefined;
      this.#templates.set(this.#templateKey(this.dfg.adapters[f.id], f.barrier), f);
    }
    const barrier = mayThrow(this.dfg);
    const key = this.#templates.size === 0 ? undefined : this.#templateKey(a, barrier);
    const template = key === undefined ? undefined : this.#templates.get(key);
    let ref: FuncRef;
    if (template !== undefined) {
      // (cloneFunc reads the map and keeps nothing of it: one map serves every copy)
      const replace = this.#replace;
      replace.clear();
      if (template.callee !== undefined) replace.set(template.callee, this.#calleeOf(a));
      ref = this.module.cloneFunc(template.ref, name, replace);
    } else {
      ref = compileAdapter(this, id, name);
      const t = { id, ref, barrier, callee: a.alwaysTrap ? undefined : this.#calleeOf(a) };
      if (key === undefined) this.#first = t;
      else this.#templates.set(key, t);
    }
    this.module.exportFunc(name, ref);
    this.#exports.set(id, name);
  }

  /**
   * What makes two adapters' bodies the same but for their callees: the
   * types by identity (equal types are mostly one object: the inliner
   * interns them), the options by value.
   */
  #templateKey(a: Adapter, barrier: boolean): string {
    return a.alwaysTrap
      ? `trap|${funcTypeId(a.lowerType)}|${a.lowerOptions.memory64 ? 64 : 32}`
      : `${funcTypeId(a.lowerType)}|${funcTypeId(a.liftType)}|${adapterOptionsKey(a.liftOptions)}|${
        adapterOptionsKey(a.lowerOptions)
      }|${a.scoped ? "s" : ""}|${barrier ? "b" : ""}`;
  }

  readonly #replace = new Map<FuncRef, FuncRef>();

  /** The adapters compiled so far, by what makes their bodies the same. */
  readonly #templates = new Map<string, Template>();
  /** The module's first adapter, keyed only when a second one comes. */
  #first: Template | undefined;

  /** The module's import of an adapter's callee (the one its body calls). */
  #calleeOf(a: Adapter): FuncRef {
    const sig = flattenFuncType(a.liftType, "lift", a.liftOptions.memory64 ? "i64" : "i32");
    return this.callee(a.func, sig.params, sig.results);
  }

  /**
   * Encode the module.
   * @param index The module's index.
   * @returns The adapter module.
   */
  finish(index: number): AdapterModule {
    return {
      kind: "adapter-module",
      index,
      adapters: [...this.#exports.keys()],
      bytes: this.module.encode(),
      imports: this.#imports,
      exports: this.#exports,
    };
  }
}

/**
 * The graph nodes a plan's adapters name, by kind, each numbered in the
 * order {@link planShape} meets it (its ordinal); the shape key records
 * ordinals only, and these lists give them back as this plan's nodes.
 */
interface PlanNodes {
  readonly instances: ComponentInstanceId[];
  readonly memories: MemoryId[];
  readonly reallocs: ReallocId[];
  readonly postReturns: PostReturnId[];
  readonly callees: CoreDef[];
}

/** A plan's shape: what its module's bytes depend on, and the nodes they are bound to. */
interface PlanShape {
  readonly key: string;
  readonly nodes: PlanNodes;
  /** {@link calleeKey} of each callee, by ordinal. */
  readonly calleeKeys: string[];
}

/** An import of a module kept for its shape: its binding with ordinals for ids. */
interface ShapeImport {
  readonly module: string;
  readonly name: string;
  /** The binding of the module first generated (its ids are that plan's). */
  readonly binding: ImportBinding;
  /** Ordinals of the nodes it names (memory, realloc, post-return, callee, instance; src, dst, realloc). */
  readonly ords: readonly number[];
}

/** A generated module, kept to give its bytes to later plans of its shape. */
interface ShapeEntry {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly imports: readonly ShapeImport[];
}

/** Plans with more adapters than this are not keyed (a large module is unlikely to repeat). */
const SHAPE_MAX_ADAPTERS = 32;
/** At most this many shapes are kept per graph. */
const SHAPE_MAX_ENTRIES = 4096;

/** The modules kept by shape, per graph. */
const shapeCaches = new WeakMap<ComponentDfg, Map<string, ShapeEntry>>();

/** A number per function type object (types are interned: equal types are mostly one object). */
const funcTypeIds = new WeakMap<TypeFunc, number>();
let nextFuncTypeId = 0;
function funcTypeId(t: TypeFunc): number {
  let id = funcTypeIds.get(t);
  if (id === undefined) funcTypeIds.set(t, id = nextFuncTypeId++);
  return id;
}

/** Whether a function type holds handles (memoized per type object). */
const handleTypes = new WeakMap<TypeFunc, boolean>();
function holdsHandles(t: TypeFunc): boolean {
  let h = handleTypes.get(t);
  if (h === undefined) {
    // (an error context crosses through an intrinsic naming both instances, as a handle does)
    const isHandle = (u: InterfaceType) =>
      u === "error-context" || (typeof u !== "string" && (u.kind === "own" || u.kind === "borrow"));
    h = t.params.some((p) => some(p.type, isHandle)) ||
      (t.result !== undefined && some(t.result, isHandle));
    handleTypes.set(t, h);
  }
  return h;
}

/**
 * The shape of a plan: a key that determines its module's bytes (the
 * adapters' types by identity, their options with graph nodes replaced by
 * ordinals, so only which nodes are equal counts), and its nodes. A plan
 * whose code embeds graph ids as constants (handles name their instances
 * and resources, call scopes their callee instance) has no shape.
 */
function planShape(dfg: ComponentDfg, adapters: readonly AdapterId[]): PlanShape | undefined {
  const nodes: PlanNodes = {
    instances: [],
    memories: [],
    reallocs: [],
    postReturns: [],
    callees: [],
  };
  const calleeKeys: string[] = [];
  // a plan names a few nodes of each kind: a linear search is the fastest map
  const ord = <T>(list: T[], node: T): number => {
    const n = list.indexOf(node);
    return n >= 0 ? n : list.push(node) - 1;
  };
  const opt = (list: number[], id: number | undefined) => id === undefined ? "-" : ord(list, id);
  const options = (o: AdapterOptions) =>
    `${ord(nodes.instances, o.instance)}.${o.stringEncoding}.${opt(nodes.memories, o.memory)}.${
      o.memory64 ? 64 : 32
    }.${opt(nodes.reallocs, o.realloc)}.${opt(nodes.postReturns, o.postReturn)}`;
  let key = mayThrow(dfg) ? "b" : "";
  for (const id of adapters) {
    const a = dfg.adapters[id];
    if (a.scoped || a.host || holdsHandles(a.lowerType) || holdsHandles(a.liftType)) return;
    if (a.alwaysTrap) {
      key += `|T${funcTypeId(a.lowerType)}.${a.lowerOptions.memory64 ? 64 : 32}`;
      continue;
    }
    const callee = calleeKey(a.func);
    let c = calleeKeys.indexOf(callee);
    if (c < 0) {
      c = calleeKeys.push(callee) - 1;
      nodes.callees.push(a.func);
    }
    key += `|${funcTypeId(a.lowerType)}.${funcTypeId(a.liftType)}:${options(a.lowerOptions)}:${
      options(a.liftOptions)
    }:${c}`;
  }
  return { key, nodes, calleeKeys };
}

/** The binding of a generated module's import with its nodes as ordinals, or undefined. */
function shapeImport(imp: AdapterImport, shape: PlanShape): ShapeImport | undefined {
  const b = imp.binding;
  const { nodes } = shape;
  let ords: number[];
  switch (b.kind) {
    case "memory":
      ords = [nodes.memories.indexOf(b.memory)];
      break;
    case "realloc":
      ords = [nodes.reallocs.indexOf(b.realloc)];
      break;
    case "post-return":
      ords = [nodes.postReturns.indexOf(b.postReturn)];
      break;
    case "callee":
      ords = [shape.calleeKeys.indexOf(calleeKey(b.def))];
      break;
    case "flags":
      ords = [nodes.instances.indexOf(b.instance)];
      break;
    case "transcode":
      ords = [
        nodes.memories.indexOf(b.src),
        nodes.memories.indexOf(b.dst),
        nodes.reallocs.indexOf(b.realloc),
      ];
      break;
    default:
      ords = [];
  }
  if (ords.some((n) => n < 0)) return undefined;
  return { module: imp.module, name: imp.name, binding: b, ords };
}

/** A kept import bound to a plan's own nodes. */
function rebind(imp: ShapeImport, nodes: PlanNodes): AdapterImport {
  const { module, name, ords } = imp;
  let binding: ImportBinding;
  switch (imp.binding.kind) {
    case "memory":
      binding = { kind: "memory", memory: nodes.memories[ords[0]] };
      break;
    case "realloc":
      binding = { kind: "realloc", realloc: nodes.reallocs[ords[0]] };
      break;
    case "post-return":
      binding = { kind: "post-return", postReturn: nodes.postReturns[ords[0]] };
      break;
    case "callee":
      binding = { kind: "callee", def: nodes.callees[ords[0]] };
      break;
    case "flags":
      binding = { kind: "flags", instance: nodes.instances[ords[0]] };
      break;
    case "transcode": {
      const { from, to } = imp.binding;
      binding = {
        kind: "transcode",
        from,
        to,
        src: nodes.memories[ords[0]],
        dst: nodes.memories[ords[1]],
        realloc: nodes.reallocs[ords[2]],
      };
      break;
    }
    default:
      binding = imp.binding;
  }
  return { module, name, binding };
}

/**
 * Generate the adapter module of a plan. A plan of the same shape as one
 * generated before for this graph (see {@link planShape}) gets that
 * module's bytes, with its imports bound to its own nodes.
 * @param dfg The graph.
 * @param plan The module's plan: its index and adapters.
 * @returns The generated module.
 */
export function buildAdapterModule(
  dfg: ComponentDfg,
  plan: { readonly index: number; readonly adapters: readonly AdapterId[] },
): AdapterModule {
  const shape = plan.adapters.length <= SHAPE_MAX_ADAPTERS
    ? planShape(dfg, plan.adapters)
    : undefined;
  let cache: Map<string, ShapeEntry> | undefined;
  if (shape !== undefined) {
    cache = shapeCaches.get(dfg);
    if (cache === undefined) shapeCaches.set(dfg, cache = new Map());
    const hit = cache.get(shape.key);
    if (hit !== undefined) {
      const exports = new Map<AdapterId, string>();
      plan.adapters.forEach((id, k) => exports.set(id, adapterExportName(k)));
      return {
        kind: "adapter-module",
        index: plan.index,
        adapters: [...plan.adapters],
        bytes: hit.bytes,
        imports: hit.imports.map((imp) => rebind(imp, shape.nodes)),
        exports,
      };
    }
  }
  const b = new AdapterModuleBuilder(dfg);
  for (const id of plan.adapters) b.adapt(id);
  const m = b.finish(plan.index);
  if (shape !== undefined && cache!.size < SHAPE_MAX_ENTRIES) {
    const imports: ShapeImport[] = [];
    for (const imp of m.imports) {
      const s = shapeImport(imp, shape);
      if (s === undefined) return m;
      imports.push(s);
    }
    cache!.set(shape.key, { bytes: m.bytes, imports });
  }
  return m;
}

/**
 * The WAT text of the adapter module of a plan (for `fuse --wat`).
 * @param dfg The graph.
 * @param plan The module's plan.
 * @returns The module as WAT.
 */
export function adapterModuleWat(
  dfg: ComponentDfg,
  plan: { readonly index: number; readonly adapters: readonly AdapterId[] },
): string {
  const b = new AdapterModuleBuilder(dfg, { text: true });
  for (const id of plan.adapters) b.adapt(id);
  return b.module.toWat();
}
