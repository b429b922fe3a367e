/**
 * The adapter module builder (Wasmtime's `fact.rs`): one core module per
 * adapter module plan. Every memory, realloc, post-return, callee, flags
 * global and host intrinsic is imported once however many adapters use it,
 * and each import carries its binding to a graph node ({@link ImportBinding})
 * so a runtime knows what to pass. Each adapter is exported as
 * `adapter{id}` with the lowering side's flat signature.
 *
 * Import names: `memory`/`m{id}`, `realloc`/`r{id}`, `post_return`/`p{id}`,
 * `callee`/`c{n}`, `flags`/`instance{id}`, `runtime`/`trap`, `runtime`/`js-tag`,
 * `resource`/`transfer-own`, `resource`/`transfer-borrow`, `call`/`enter`,
 * `call`/`exit`, `call`/`end`,
 * `transcode`/`{from}_{to}_m{src}_m{dst}_r{realloc}` — unique in the module,
 * as a JavaScript import object needs. Helpers that translate lists are
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
import { flattenFuncType, type FlatType } from "../types/abi.ts";
import { type TypeResource, typeToString } from "../types/model.ts";
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
  /** The export name of each adapter. */
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

/** What in an adapter's options its body depends on. */
function adapterOptionsKey(o: AdapterOptions): string {
  return `${o.instance}/${o.stringEncoding}/${o.memory ?? "-"}/${o.memory64 ? 64 : 32}/${
    o.realloc ?? "-"
  }/${o.postReturn ?? "-"}`;
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
  #callees = 0;
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

  /**
   * The module's import of a memory.
   * @param id The memory node.
   * @returns Its index and width.
   */
  memory(id: MemoryId): MemoryUse {
    let m = this.#memories.get(id);
    if (m === undefined) {
      const memory64 = this.dfg.memories[id].memory64;
      const index = this.module.importMemory("memory", `m${id}`, memory64, 0n);
      m = { index, memory64 };
      this.#memories.set(id, m);
      this.#record("memory", `m${id}`, { kind: "memory", memory: id });
    }
    return m;
  }

  #func(
    key: string,
    module: string,
    name: string,
    params: readonly FlatType[],
    results: readonly FlatType[],
    binding: ImportBinding,
  ): FuncRef {
    let f = this.#funcs.get(key);
    if (f === undefined) {
      const textName = this.module.text ? `${module}_${name}` : name;
      f = this.module.importFunc(module, name, { params, results }, textName);
      this.#funcs.set(key, f);
      this.#record(module, name, binding);
    }
    return f;
  }

  /**
   * The module's import of a realloc function.
   * @param id The realloc node.
   * @param ptr Its pointer type.
   * @returns The function.
   */
  realloc(id: ReallocId, ptr: "i32" | "i64"): FuncRef {
    return this.#func(`r${id}`, "realloc", `r${id}`, [ptr, ptr, ptr, ptr], [ptr], {
      kind: "realloc",
      realloc: id,
    });
  }

  /**
   * The module's import of a post-return function.
   * @param id The post-return node.
   * @param params The lifted function's flat results.
   * @returns The function.
   */
  postReturn(id: PostReturnId, params: readonly FlatType[]): FuncRef {
    return this.#func(`p${id}`, "post_return", `p${id}`, params, [], {
      kind: "post-return",
      postReturn: id,
    });
  }

  /**
   * The module's import of a callee (a lifted core function).
   * @param def Where it comes from.
   * @param params Its flat parameters.
   * @param results Its flat results.
   * @returns The function.
   */
  callee(def: CoreDef, params: readonly FlatType[], results: readonly FlatType[]): FuncRef {
    const key = calleeKey(def);
    const existing = this.#funcs.get(key);
    if (existing) return existing;
    return this.#func(key, "callee", `c${this.#callees++}`, params, results, {
      kind: "callee",
      def,
    });
  }

  /**
   * The module's import of a component instance's flags global.
   * @param instance The component instance.
   * @returns The global's index.
   */
  flags(instance: ComponentInstanceId): number {
    let g = this.#flags.get(instance);
    if (g === undefined) {
      g = this.module.importGlobal("flags", `instance${instance}`, "i32", true);
      this.#flags.set(instance, g);
      this.#record("flags", `instance${instance}`, { kind: "flags", instance });
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
    const name = `${from}_${to}_m${src}_m${dst}_r${realloc}`.replace("+", "_");
    return this.#func(`t${name}`, "transcode", name, [sp, sp], [dp, dp], {
      kind: "transcode",
      from,
      to,
      src,
      dst,
      realloc,
    });
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
   * Compile one adapter into the module and export it. An adapter with the
   * same types, options and protocol as one already in the module has the
   * same body but for its callee: that body is copied with the callee
   * replaced, not generated again.
   * @param id The adapter.
   */
  adapt(id: AdapterId): void {
    const name = `adapter${id}`;
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
      const replace = new Map<FuncRef, FuncRef>();
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

  /** What makes two adapters' bodies the same but for their callees. */
  #templateKey(a: Adapter, barrier: boolean): string {
    return a.alwaysTrap
      ? `trap|${typeToString(a.lowerType)}|${a.lowerOptions.memory64 ? 64 : 32}`
      : `${typeToString(a.lowerType)}|${typeToString(a.liftType)}|${
        adapterOptionsKey(a.liftOptions)
      }|${adapterOptionsKey(a.lowerOptions)}|${a.scoped ? "s" : ""}|${barrier ? "b" : ""}`;
  }

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
 * Generate the adapter module of a plan.
 * @param dfg The graph.
 * @param plan The module's plan: its index and adapters.
 * @returns The generated module.
 */
export function buildAdapterModule(
  dfg: ComponentDfg,
  plan: { readonly index: number; readonly adapters: readonly AdapterId[] },
): AdapterModule {
  const b = new AdapterModuleBuilder(dfg);
  for (const id of plan.adapters) b.adapt(id);
  return b.finish(plan.index);
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
