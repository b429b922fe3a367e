/**
 * The flattened component graph (`ComponentDfg`) and the events that build
 * it. Arenas are plain arrays, index = id. Every node refers only to nodes
 * with smaller ids in its own arena or to nodes of other arenas that were
 * emitted before it: the inliner emits events in definition order, and a
 * consumer can rebuild the graph with {@link DfgCollector} as they arrive.
 *
 * @module
 */

import type { CoreModuleInfo } from "../parse/module.ts";
import type { CoreValType, StringEncoding } from "../parse/items.ts";
import type { ExternDesc, InterfaceType, TypeFunc, TypeResource } from "../types/model.ts";

/** Id of a core instance (index into `instances`). */
export type InstanceId = number;
/** Id of a runtime component instance: root = 0, then in inlining order. */
export type ComponentInstanceId = number;
/** Id of a static core module (index into `modules`). */
export type ModuleId = number;
/** Id of a root import (index into `imports`). */
export type ImportId = number;
/** Id of a fused adapter (index into `adapters`). */
export type AdapterId = number;
/** Id of a host lowering (index into `lowerings`). */
export type LoweringId = number;
/** Id of a memory used by canonical options (index into `memories`). */
export type MemoryId = number;
/** Id of a realloc function (index into `reallocs`). */
export type ReallocId = number;
/** Id of a post-return function (index into `postReturns`). */
export type PostReturnId = number;
/** Id of a resource type (index into `resources`). */
export type ResourceId = number;

/** A path into a root import: the import, then export names within it. */
export interface ImportPath {
  /** The root import. */
  readonly import: ImportId;
  /** Names of nested instance exports, outermost first. */
  readonly names: readonly string[];
}

/** An export of a core instance, by name (JS engines export by name). */
export interface CoreExportRef {
  /** The core instance. */
  readonly instance: InstanceId;
  /** The export name. */
  readonly name: string;
}

/** What a core function, memory, table or global comes from. */
export type CoreDef =
  | { readonly kind: "export"; readonly instance: InstanceId; readonly name: string }
  | { readonly kind: "adapter"; readonly id: AdapterId }
  | { readonly kind: "lowered"; readonly id: LoweringId }
  | { readonly kind: "instance-flags"; readonly instance: ComponentInstanceId }
  | {
    readonly kind: "resource.new" | "resource.rep" | "resource.drop";
    readonly resource: ResourceId;
    readonly instance: ComponentInstanceId;
  }
  | {
    readonly kind: "builtin";
    readonly builtin: Builtin;
    readonly instance: ComponentInstanceId;
  }
  | { readonly kind: "host-adapter"; readonly id: AdapterId };

/**
 * A task or async built-in (`canon task.return`, `context.get`, ...) of a
 * component instance: the runtime implements it as a host function.
 */
export type Builtin =
  | {
    readonly name: "task.return";
    /** The result type it returns. */
    readonly result?: InterfaceType;
    /** Its options (memory and string encoding for lifting the result). */
    readonly options: AdapterOptions;
  }
  | {
    readonly name: "waitable-set.wait" | "waitable-set.poll";
    /** The memory the event is written to. */
    readonly options: AdapterOptions;
  }
  | {
    readonly name: "error-context.new" | "error-context.debug-message";
    /** The memory (and for the debug message, the realloc) and the string encoding. */
    readonly options: AdapterOptions;
  }
  | {
    readonly name: "context.get" | "context.set";
    /** The slot. */
    readonly index: number;
  }
  | {
    readonly name:
      | "backpressure.inc"
      | "backpressure.dec"
      | "task.cancel"
      | "thread.yield"
      | "thread.index"
      | "waitable-set.new"
      | "waitable-set.drop"
      | "waitable.join"
      | "subtask.drop"
      | "error-context.drop"
      | "thread.suspend"
      | "thread.resume-later"
      | "thread.suspend-then-resume"
      | "thread.yield-then-resume"
      | "thread.suspend-then-promote"
      | "thread.yield-then-promote";
  }
  | {
    readonly name: "subtask.cancel";
    /** Whether it may return `BLOCKED` rather than wait. */
    readonly async: boolean;
  }
  | {
    readonly name: "thread.new-indirect";
    /** The table the new thread's function is read from. */
    readonly table: CoreDef;
  }
  | {
    readonly name: CopyBuiltinName;
    /** The future's value type, or the stream's element type (none: `future`, `stream`). */
    readonly element?: InterfaceType;
    /** The options of a copy: the memory the value is read from or written to, its string encoding. */
    readonly options?: AdapterOptions;
    /** A cancel's `async`: it may return `BLOCKED` rather than wait. */
    readonly async?: boolean;
  };

/** The stream and future built-ins. */
export type CopyBuiltinName =
  | "stream.new"
  | "stream.read"
  | "stream.write"
  | "stream.cancel-read"
  | "stream.cancel-write"
  | "stream.drop-readable"
  | "stream.drop-writable"
  | "future.new"
  | "future.read"
  | "future.write"
  | "future.cancel-read"
  | "future.cancel-write"
  | "future.drop-readable"
  | "future.drop-writable";

/** Canonical options resolved to graph nodes. */
export interface AdapterOptions {
  /** The component instance that wrote the `canon`. */
  readonly instance: ComponentInstanceId;
  /** The string encoding (default utf8). */
  readonly stringEncoding: StringEncoding;
  /** The memory, if any. */
  readonly memory?: MemoryId;
  /** Whether that memory is 64-bit. */
  readonly memory64: boolean;
  /** The realloc function, if any. */
  readonly realloc?: ReallocId;
  /** The post-return function (lifts only), if any. */
  readonly postReturn?: PostReturnId;
  /** The `async` option. */
  readonly async?: true;
  /** The `callback` function (async lifts only), if any. */
  readonly callback?: CoreDef;
}

/** A static core module: compiled once, instantiated any number of times. */
export interface StaticModule extends CoreModuleInfo {
  /** The module's bytes (a view of the input). */
  readonly bytes: Uint8Array;
}

/** A core instance: a static module or an imported one, with its arguments. */
export interface CoreInstanceNode {
  /** The component instance it belongs to. */
  readonly componentInstance: ComponentInstanceId;
  /** What is instantiated. */
  readonly module:
    | { readonly kind: "static"; readonly id: ModuleId }
    | { readonly kind: "import"; readonly path: ImportPath };
  /**
   * The arguments. For a static module, positional, one per import of the
   * module in its import order; for an imported module, by module then name.
   */
  readonly args: readonly CoreDef[] | ReadonlyMap<string, ReadonlyMap<string, CoreDef>>;
}

/** A memory named by canonical options. */
export interface MemoryNode {
  /** Where it comes from. */
  readonly export: CoreExportRef;
  /** Whether it is 64-bit. */
  readonly memory64: boolean;
}

/**
 * A fused adapter: a function lifted in one component instance and lowered
 * in another. `alwaysTrap` marks a lower of a function lifted in the same
 * instance or in an ancestor/descendant instance, whose body only traps
 * ("cannot enter component instance"), as current Wasmtime does.
 */
export interface Adapter {
  /** The type as the lifting instance sees it. */
  readonly liftType: TypeFunc;
  /** The lifting side's options. */
  readonly liftOptions: AdapterOptions;
  /** The type as the lowering instance sees it. */
  readonly lowerType: TypeFunc;
  /** The lowering side's options. */
  readonly lowerOptions: AdapterOptions;
  /** The lifted core function (the callee). */
  readonly func: CoreDef;
  /** Whether the adapter's body only traps. */
  readonly alwaysTrap: boolean;
  /**
   * Whether the runtime runs it as a host function (an async lift or
   * lower): such an adapter is in no adapter module, and {@link CoreDef}
   * `host-adapter` names it.
   */
  readonly host?: true;
  /**
   * Whether the call opens a call scope in the runtime (the adapter calls
   * the `call`/`enter` and `call`/`exit` intrinsics around the callee): its
   * parameters lend borrows, or the callee instance uses task built-ins.
   */
  readonly scoped?: true;
}

/** A host import lowered into core wasm. */
export interface Lowering {
  /** The imported function. */
  readonly import: ImportPath;
  /** Its component function type. */
  readonly type: TypeFunc;
  /** The lowering side's options. */
  readonly options: AdapterOptions;
}

/** A resource type: defined by a component instance, or imported at the root. */
export interface ResourceNode {
  /** The type object (compared by identity). */
  readonly type: TypeResource;
  /** For a defined resource: the instance that defines it. */
  readonly instance?: ComponentInstanceId;
  /** For a defined resource: its representation. */
  readonly rep?: CoreValType;
  /** For a defined resource: its destructor, if any. */
  readonly dtor?: CoreDef;
  /** For an imported resource: where it comes from. */
  readonly import?: ImportPath;
}

/** A root import. */
export interface ImportNode {
  /** The import name. */
  readonly name: string;
  /** Its described type. */
  readonly type: ExternDesc;
}

/** What a root export really is, after following aliases and re-exports. */
export type ExportItem =
  | {
    readonly kind: "lifted";
    readonly type: TypeFunc;
    readonly func: CoreDef;
    readonly options: AdapterOptions;
  }
  | { readonly kind: "func-import"; readonly path: ImportPath; readonly type: TypeFunc }
  | { readonly kind: "instance"; readonly exports: readonly ExportNode[] }
  | { readonly kind: "instance-import"; readonly path: ImportPath; readonly type: ExternDesc }
  | { readonly kind: "module"; readonly module: ModuleId }
  | { readonly kind: "module-import"; readonly path: ImportPath }
  | { readonly kind: "type"; readonly type: ExternDesc }
  | { readonly kind: "component" };

/** A root export (or an export of an exported instance). */
export interface ExportNode {
  /** The export name. */
  readonly name: string;
  /** What it is. */
  readonly item: ExportItem;
}

/** A runtime component instance. */
export interface ComponentInstanceNode {
  /** The instance that instantiated it (undefined for the root). */
  readonly parent?: ComponentInstanceId;
}

/** One step of the graph's growth, in definition order. */
export type DfgEvent =
  | {
    readonly kind: "component-instance";
    readonly id: ComponentInstanceId;
    readonly node: ComponentInstanceNode;
  }
  | { readonly kind: "module"; readonly id: ModuleId; readonly node: StaticModule }
  | { readonly kind: "import"; readonly id: ImportId; readonly node: ImportNode }
  | { readonly kind: "instance"; readonly id: InstanceId; readonly node: CoreInstanceNode }
  | { readonly kind: "memory"; readonly id: MemoryId; readonly node: MemoryNode }
  | { readonly kind: "realloc"; readonly id: ReallocId; readonly node: CoreDef }
  | { readonly kind: "post-return"; readonly id: PostReturnId; readonly node: CoreDef }
  | { readonly kind: "lowering"; readonly id: LoweringId; readonly node: Lowering }
  | { readonly kind: "adapter"; readonly id: AdapterId; readonly node: Adapter }
  | { readonly kind: "resource"; readonly id: ResourceId; readonly node: ResourceNode }
  | { readonly kind: "export"; readonly id: number; readonly node: ExportNode };

/** The whole flattened graph. */
export interface ComponentDfg {
  /** Runtime component instances (root = 0). */
  readonly componentInstances: ComponentInstanceNode[];
  /** Static core modules. */
  readonly modules: StaticModule[];
  /** Root imports. */
  readonly imports: ImportNode[];
  /** Core instances, in instantiation order. */
  readonly instances: CoreInstanceNode[];
  /** Memories named by options. */
  readonly memories: MemoryNode[];
  /** Realloc functions named by options. */
  readonly reallocs: CoreDef[];
  /** Post-return functions named by options. */
  readonly postReturns: CoreDef[];
  /** Host lowerings. */
  readonly lowerings: Lowering[];
  /** Fused adapters, in identification order. */
  readonly adapters: Adapter[];
  /** Resource types. */
  readonly resources: ResourceNode[];
  /** Root exports. */
  readonly exports: ExportNode[];
  /**
   * Core instantiations and resource definitions in the order they happen
   * (the order a runtime must follow; core `start` functions make it
   * observable).
   */
  readonly sideEffects: SideEffect[];
}

/** A step with an effect at instantiation: a core instance, or a resource definition. */
export type SideEffect =
  | { readonly kind: "instance"; readonly id: InstanceId }
  | { readonly kind: "resource"; readonly id: ResourceId };

/**
 * An empty graph.
 * @returns A graph with empty arenas.
 */
export function emptyDfg(): ComponentDfg {
  return {
    componentInstances: [],
    modules: [],
    imports: [],
    instances: [],
    memories: [],
    reallocs: [],
    postReturns: [],
    lowerings: [],
    adapters: [],
    resources: [],
    exports: [],
    sideEffects: [],
  };
}

const ARENA: Record<DfgEvent["kind"], keyof ComponentDfg> = {
  "component-instance": "componentInstances",
  module: "modules",
  import: "imports",
  instance: "instances",
  memory: "memories",
  realloc: "reallocs",
  "post-return": "postReturns",
  lowering: "lowerings",
  adapter: "adapters",
  resource: "resources",
  export: "exports",
};

/**
 * Rebuilds a {@link ComponentDfg} from its events as they arrive.
 *
 * @example Collecting the graph of a component
 * ```ts
 * import { parse } from "@wasmfuse/fuse";
 * import { DfgCollector, inline } from "@wasmfuse/fuse/inline";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const collector = new DfgCollector();
 * for await (const e of new Blob([bytes]).stream().pipeThrough(parse()).pipeThrough(inline())) {
 *   collector.add(e);
 * }
 * assert.equal(collector.dfg.componentInstances.length, 1);
 * ```
 */
export class DfgCollector {
  /** The graph so far. */
  readonly dfg: ComponentDfg = emptyDfg();

  /**
   * Add one event's node to its arena.
   * @param e The event.
   * @throws {Error} When events arrive out of order (a consumer bug).
   */
  add(e: DfgEvent): void {
    const arena = this.dfg[ARENA[e.kind]] as unknown[];
    if (e.id !== arena.length) {
      throw new Error(`${e.kind} ${e.id} arrived out of order (expected id ${arena.length})`);
    }
    arena.push(e.node);
    if (e.kind === "instance" || (e.kind === "resource" && e.node.instance !== undefined)) {
      this.dfg.sideEffects.push({ kind: e.kind, id: e.id });
    }
  }
}
