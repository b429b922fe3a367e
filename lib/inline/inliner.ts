/**
 * The inliner: flattens a component into a {@link ComponentDfg} by
 * symbolically instantiating it, as Wasmtime's `inline` pass does.
 *
 * The root component's items are processed as their payloads arrive. A
 * nested component's payloads are kept as they are until an `instance`
 * item instantiates it; then its items run at once in a new frame bound to
 * the instantiation arguments (all known by then). A component instantiated
 * twice is inlined twice, with a new runtime component instance each time.
 *
 * Ordering guarantee (what the partition pass relies on): events come out in
 * definition order, each event refers only to events already emitted, and
 * adapters come out in the order they are identified (the order of the
 * `canon lower` items that create them, in inlining order).
 *
 * @module
 */

import { MAX_NESTING_DEPTH } from "../binary/limits.ts";
import type {
  Alias,
  Canon,
  CanonOptions,
  CoreInstance,
  CoreSort,
  Export,
  Import,
  Instance,
  Sort,
  TypeDef,
} from "../parse/items.ts";
import type { ModulePayload, Payload } from "../parse/payload.ts";
import { modulesInside, payloadsInside } from "../parse/parser.ts";
import {
  containsMemoryValues,
  type FlatSignature,
  flattenAsyncFuncType,
  flattenFuncType,
  flattenType,
  type FlatType,
  MAX_FLAT_ASYNC_PARAMS,
  MAX_FLAT_PARAMS,
  MAX_FLAT_RESULTS,
  some,
} from "../types/abi.ts";
import { type ItemLocation, LinkError, UnsupportedError } from "../types/errors.ts";
import { substituteResources } from "../types/substitute.ts";
import {
  type AnyType,
  type CoreEntityType,
  type ExternDesc,
  type InterfaceType,
  type TypeFunc,
  type TypeModule,
  type TypeResource,
  typeToString,
} from "../types/model.ts";
import {
  type CoreTypeEntry,
  moduleTypeOf,
  outerType,
  type OuterView,
  resolveCoreTypeDef,
  resolveExternType,
  resolveTypeDef,
  resolveValType,
  typeAt,
  type TypeScope,
  type TypeTable,
} from "../types/resolve.ts";
import { an, coreSignatureToString, matchCoreEntity, matchExtern } from "../types/subtype.ts";
import {
  type AdapterOptions,
  type Builtin,
  type ComponentDfg,
  type ComponentInstanceId,
  type CopyBuiltinName,
  type CoreDef,
  DfgCollector,
  type DfgEvent,
  type ExportItem,
  type ExportNode,
  type ImportPath,
  type ModuleId,
  type ResourceId,
} from "./dfg.ts";
import {
  type ComponentDef,
  type CoreInstanceDef,
  type CoreItem,
  describeItem,
  type FuncDef,
  type InstanceDef,
  type Item,
  type Limits,
  type ModuleDef,
  type OuterFrame,
} from "./items.ts";

/** How deep instantiations may nest (a guard against hostile input). */
const MAX_INSTANTIATION_DEPTH = MAX_NESTING_DEPTH;
/** How many distinct sets of canonical options are interned per component instance. */
const MAX_INTERNED_OPTIONS = 8;
/** How deep instances may nest inside instances (functions over them recurse). */
const MAX_INSTANCE_NESTING = 100;

/** The feature a refused built-in belongs to (shared-everything threads, `thread.spawn-*`). */
function unsupportedFeature(kind: string): string {
  if (kind.startsWith("thread.")) return "shared-everything threads";
  return "async";
}

function unsupported(what: string, feature: string): LinkError {
  return new UnsupportedError(
    `${what} is not supported: wasmfuse does not implement ${feature}`,
    feature,
  );
}

/** Whether a function passes streams or futures (their ends move through the runtime's tables). */
function passesCopies(ft: TypeFunc): boolean {
  const copies = (t: InterfaceType) =>
    some(t, (u) => typeof u !== "string" && (u.kind === "stream" || u.kind === "future"));
  return ft.params.some((p) => copies(p.type)) || (ft.result !== undefined && copies(ft.result));
}

/** Whether a function type's parameters hold a `borrow` (lent for the call, in a call scope). */
function lendsBorrows(ft: TypeFunc): boolean {
  return summaryOf(ft).borrows;
}

/** What the inliner asks of a function type, worked out once per type (types are shared). */
interface FuncSummary {
  /** Whether its parameters hold strings or lists (values in memory). */
  readonly paramMem: boolean;
  /** Whether its result does. */
  readonly resultMem: boolean;
  /** How many flat values its parameters and its result take. */
  readonly flatParams: number;
  readonly flatResults: number;
  /** Whether its parameters hold a `borrow`. */
  readonly borrows: boolean;
}

const summaries = new WeakMap<TypeFunc, FuncSummary>();

function summaryOf(ft: TypeFunc): FuncSummary {
  let s = summaries.get(ft);
  if (s !== undefined) return s;
  const params = ft.params.map((p) => p.type);
  let flatParams = 0;
  for (const p of params) flatParams += flattenType(p).length;
  s = {
    paramMem: params.some(containsMemoryValues),
    resultMem: containsMemoryValues(ft.result),
    flatParams,
    flatResults: ft.result === undefined ? 0 : flattenType(ft.result).length,
    borrows: params.some((t) => some(t, (u) => typeof u !== "string" && u.kind === "borrow")),
  };
  summaries.set(ft, s);
  return s;
}

function funcEntity(
  params: readonly ("i32" | "i64" | "f32" | "f64")[],
  results: readonly ("i32" | "i64" | "f32" | "f64")[],
): CoreEntityType {
  // one per pair of arrays: a lowering's come from flattenFuncType's memo, the same each time
  let byResults = funcEntities.get(params);
  let e = byResults?.get(results);
  if (e === undefined) {
    e = {
      kind: "func",
      type: { final: true, supertypes: [], type: { kind: "func", params, results } },
    };
    if (byResults === undefined) funcEntities.set(params, byResults = new WeakMap());
    byResults.set(results, e);
  }
  return e;
}

/** The entities of funcEntity, by its arrays (read-only: the entities share them). */
const funcEntities = new WeakMap<readonly string[], WeakMap<readonly string[], CoreEntityType>>();

function sigText(e: CoreEntityType): string {
  return e.kind === "func" && e.type.type.kind === "func"
    ? coreSignatureToString(e.type.type)
    : e.kind;
}

/** wasmparser's rule (and the `async/` suite's): `async` lifts and lowers only `async` function types. */
const ASYNC_NEEDS_ASYNC_TYPE = "the `async` canonical option requires an async function type";

function defKey(d: CoreDef): string {
  switch (d.kind) {
    case "export":
      return `e${d.instance}.${d.name}`;
    case "adapter":
      return `a${d.id}`;
    case "lowered":
      return `l${d.id}`;
    case "instance-flags":
      return `f${d.instance}`;
    case "builtin":
      return `b${d.builtin.name}@${d.instance}`;
    case "host-adapter":
      return `h${d.id}`;
    default:
      return `${d.kind}${d.resource}@${d.instance}`;
  }
}

/** A set of options by value, as a key. */
function computeOptionsKey(o: AdapterOptions): string {
  return `${o.instance}/${o.stringEncoding}/${o.memory ?? "-"}/${o.realloc ?? "-"}/${
    o.postReturn ?? "-"
  }/${o.async ? "async" : ""}/${o.callback === undefined ? "-" : defKey(o.callback)}`;
}

/** The core signatures of the task and async built-ins with fixed types. */
const BUILTIN_SIGNATURES: Record<string, [FlatType[], FlatType[]]> = {
  "backpressure.inc": [[], []],
  "backpressure.dec": [[], []],
  "task.cancel": [[], []],
  "thread.yield": [[], ["i32"]],
  "thread.index": [[], ["i32"]],
  "thread.suspend": [[], ["i32"]],
  "thread.resume-later": [["i32"], []],
  "thread.suspend-then-resume": [["i32"], ["i32"]],
  "thread.yield-then-resume": [["i32"], ["i32"]],
  "thread.suspend-then-promote": [["i32"], ["i32"]],
  "thread.yield-then-promote": [["i32"], ["i32"]],
  "waitable-set.new": [[], ["i32"]],
  "waitable-set.wait": [["i32", "i32"], ["i32"]],
  "waitable-set.poll": [["i32", "i32"], ["i32"]],
  "waitable-set.drop": [["i32"], []],
  "waitable.join": [["i32", "i32"], []],
  "subtask.cancel": [["i32"], ["i32"]],
  "subtask.drop": [["i32"], []],
  "stream.new": [[], ["i64"]],
  "stream.read": [["i32", "i32", "i32"], ["i32"]],
  "stream.write": [["i32", "i32", "i32"], ["i32"]],
  "stream.cancel-read": [["i32"], ["i32"]],
  "stream.cancel-write": [["i32"], ["i32"]],
  "stream.drop-readable": [["i32"], []],
  "stream.drop-writable": [["i32"], []],
  "future.new": [[], ["i64"]],
  "future.read": [["i32", "i32"], ["i32"]],
  "future.write": [["i32", "i32"], ["i32"]],
  "future.cancel-read": [["i32"], ["i32"]],
  "future.cancel-write": [["i32"], ["i32"]],
  "future.drop-readable": [["i32"], []],
  "future.drop-writable": [["i32"], []],
};

/** One component instance being inlined: its index spaces. */
class Frame implements TypeScope {
  readonly coreFuncs: CoreItem[] = [];
  readonly coreMemories: CoreItem[] = [];
  readonly coreTables: CoreItem[] = [];
  readonly coreGlobals: CoreItem[] = [];
  readonly coreTags: CoreItem[] = [];
  readonly coreTypes: CoreTypeEntry[] = [];
  readonly coreModules: ModuleDef[] = [];
  readonly coreInstances: CoreInstanceDef[] = [];
  readonly funcs: FuncDef[] = [];
  readonly types: AnyType[] = [];
  readonly components: ComponentDef[] = [];
  readonly instances: InstanceDef[] = [];
  readonly exports = new Map<string, Item>();
  readonly importNames = new Set<string>();
  /**
   * The adapters of this frame's lowerings, by what makes two the same (see
   * `Inliner.#lower`): a lowering's options name the instance that wrote it,
   * so equal adapters come from one frame, and the map goes with it.
   */
  adapterKeys: Map<string, number> | undefined;
  /** The inliner's structural type table (shared by every frame). */
  readonly typeTable: TypeTable;

  constructor(
    readonly inliner: Inliner,
    /** This frame's runtime component instance. */
    readonly rci: ComponentInstanceId,
    /** The instantiation arguments, by name (undefined for the root). */
    readonly args: ReadonlyMap<string, Item> | undefined,
    /** The lexically enclosing frame, as it was when this component was defined. */
    readonly lexicalOuter: OuterFrame | undefined,
    /** The `instance` item that instantiated this component (undefined for the root). */
    readonly site?: ItemLocation,
  ) {
    this.typeTable = inliner.typeTable;
  }

  outer(count: number): OuterView | undefined {
    const o = this.#outerFrame(count);
    return o && {
      types: o.frame.types,
      typeLimit: o.limits.types,
      coreTypes: o.frame.coreTypes,
      coreTypeLimit: o.limits.coreTypes,
    };
  }

  #outerFrame(count: number): OuterFrame | undefined {
    let o = this.lexicalOuter;
    for (let i = 1; i < count && o !== undefined; i++) o = o.frame.lexicalOuter;
    return o;
  }

  freshResource(name?: string): TypeResource {
    return this.inliner.newResourceType(this.args === undefined ? "imported" : "abstract", name);
  }

  abstractResource(name?: string): TypeResource {
    return this.inliner.newResourceType("abstract", name);
  }

  limits(): Limits {
    return {
      types: this.types.length,
      coreTypes: this.coreTypes.length,
      modules: this.coreModules.length,
      components: this.components.length,
    };
  }

  /** Outer alias of a core module or component. */
  outerItem(
    count: number,
    index: number,
    sort: "core-module" | "component",
  ): ModuleDef | ComponentDef {
    if (count === 0) {
      const d = sort === "component" ? this.components[index] : this.coreModules[index];
      if (d === undefined) throw new LinkError(`${sort} index ${index} out of bounds`);
      return d;
    }
    const o = this.#outerFrame(count);
    if (o === undefined) throw new LinkError(`invalid outer alias count of ${count}`);
    const limit = sort === "component" ? o.limits.components : o.limits.modules;
    if (index >= limit) {
      throw new LinkError(`outer ${sort} index ${index} out of bounds (${limit} defined)`);
    }
    return sort === "component" ? o.frame.components[index] : o.frame.coreModules[index];
  }

  at<T>(space: readonly T[], index: number, what: string): T {
    const v = space[index];
    if (v === undefined) {
      throw new LinkError(`${what} index ${index} out of bounds (${space.length} defined)`);
    }
    return v;
  }

  /** The item a component-level sort index names. */
  item(sort: Sort, index: number): Item {
    switch (sort) {
      case "func":
        return { kind: "func", def: this.at(this.funcs, index, "func") };
      case "instance":
        return { kind: "instance", def: this.at(this.instances, index, "instance") };
      case "type":
        return { kind: "type", type: typeAt(this, index) };
      case "component":
        return { kind: "component", def: this.at(this.components, index, "component") };
      case "core-module":
        return { kind: "module", def: this.at(this.coreModules, index, "core module") };
      case "value":
        throw unsupported("component values", "values");
      default:
        throw new LinkError(`${an(sort)} cannot be used here: only core modules among core sorts`);
    }
  }

  /** Push an item into the index space of its sort (imports, aliases, exports). */
  push(item: Item): void {
    switch (item.kind) {
      case "func":
        this.funcs.push(item.def);
        break;
      case "instance":
        this.instances.push(item.def);
        break;
      case "type":
        this.types.push(item.type);
        break;
      case "component":
        this.components.push(item.def);
        break;
      case "module":
        this.coreModules.push(item.def);
        break;
    }
  }

  coreSpace(sort: CoreSort): CoreItem[] {
    switch (sort) {
      case "func":
        return this.coreFuncs;
      case "memory":
        return this.coreMemories;
      case "table":
        return this.coreTables;
      case "global":
        return this.coreGlobals;
      case "tag":
        return this.coreTags;
      default:
        throw new LinkError(`a core ${sort} is not a core item`);
    }
  }
}

/**
 * Runs the items of one component body in a frame. Nested component
 * definitions are gathered (not run) until their end, then defined; a
 * large one is not gathered when the whole input is at hand, but read again
 * from it when instantiated (see {@link InlinerOptions.source}).
 */
class BodyRunner {
  #nested: Payload[] | undefined;
  /** The nested component being skipped (to be read again from the input when instantiated). */
  #skipped: (Payload & { kind: "component-begin" }) | undefined;
  /** Its bytes' check, when they were not decoded on this read (see Inliner.skipNested). */
  #region: SkippedRegion | undefined;
  #nestedAt = 0;
  #depth = 0;

  /**
   * @param frame The frame the body runs in.
   * @param firstRead Whether its payloads come from the input's first read
   *   (the root's: its large nested components' bytes may be skipped then).
   */
  constructor(readonly frame: Frame, readonly firstRead = false) {}

  feed(p: Payload): void {
    const inliner = this.frame.inliner;
    if (p.kind === "module") inliner.moduleId(p); // registered when first seen
    if (this.#nested !== undefined || this.#skipped !== undefined) {
      if (p.kind === "component-begin") this.#depth++;
      if (p.kind === "component-end" && --this.#depth === 0) {
        const source = inliner.source;
        const begin = this.#skipped;
        const region = this.#region;
        this.frame.components.push({
          kind: "static",
          body: begin === undefined
            ? this.#nested!
            : { [Symbol.iterator]: () => readAgain(source!, begin, region) },
          outer: { frame: this.frame, limits: this.frame.limits() },
          offset: this.#nestedAt,
        });
        this.#nested = undefined;
        this.#skipped = undefined;
        this.#region = undefined;
        return;
      }
      this.#nested?.push(p);
      return;
    }
    if (p.kind === "component-begin") {
      // a large nested component is not kept decoded: its bytes are read again when it
      // is instantiated (when the input's bytes are at hand), so that its payloads do not
      // stay in memory meanwhile; on the first read they need not even be decoded
      if (
        inliner.source !== undefined && p.end !== null && p.end - p.offset >= REREAD_AT_SIZE
      ) {
        this.#skipped = p;
        // (checked when read again, or at the end: see Inliner.skipNested)
        if (this.firstRead) this.#region = inliner.skipNested(p);
      } else this.#nested = [];
      this.#nestedAt = p.offset;
      this.#depth = 1;
      return;
    }
    inliner.apply(this.frame, p);
  }
}

/** A module's type, its errors located at the module. */
function checkedModuleType(p: ModulePayload): TypeModule {
  try {
    return moduleTypeOf(p);
  } catch (e) {
    if (e instanceof LinkError) {
      const at = { offset: p.range.start, section: "module", item: 0 };
      throw e instanceof UnsupportedError
        ? new UnsupportedError(e.reason, e.feature, at)
        : new LinkError(e.reason, at);
    }
    throw e;
  }
}

/** A nested component whose bytes the first read skipped: checked when read whole. */
interface SkippedRegion {
  readonly begin: Payload & { kind: "component-begin" };
  /** Whether its bytes have been read whole (and found well-formed). */
  checked: boolean;
}

/** A skipped nested component's payloads read again; once all are read, its bytes are checked. */
function* readAgain(
  source: Uint8Array,
  begin: Payload & { kind: "component-begin" },
  region: SkippedRegion | undefined,
): Generator<Payload> {
  yield* payloadsInside(source, begin);
  if (region !== undefined) region.checked = true;
}

/**
 * The size from which a nested component is read again from the input
 * when instantiated, rather than kept decoded (a small one, perhaps
 * instantiated many times, is kept).
 */
const REREAD_AT_SIZE = 64 * 1024;

/** Options of an {@link Inliner}. */
export interface InlinerOptions {
  /**
   * The whole component binary the payloads come from (offset 0). With it,
   * a large nested component is not kept decoded until it is instantiated:
   * its bytes are read again then (see `payloadsInside`). A caller that
   * feeds the parser itself may also skip those bytes on the first read
   * (see {@link Inliner.takeSkip}); it then calls
   * {@link Inliner.checkSkipped} at the end, and reports
   * {@link Inliner.firstSkippedError} before any error it meets, as
   * `fuse()` does.
   */
  readonly source?: Uint8Array;
}

/**
 * Flattens a component: feed it payloads in order with {@link Inliner.push};
 * it calls `emit` with each graph event as soon as it is known.
 */
export class Inliner {
  readonly #emit: (e: DfgEvent) => void;
  readonly #collector = new DfgCollector();
  /** Each static module's id, by the offset of its payload. */
  readonly #moduleIds = new Map<number, ModuleId>();
  readonly #moduleTypes: TypeModule[] = [];
  /** Component instances that define task or async built-ins. */
  readonly #taskInstances = new Set<ComponentInstanceId>();
  readonly #memoryKeys = new Map<string, number>();
  readonly #reallocKeys = new Map<string, number>();
  readonly #postReturnKeys = new Map<string, number>();
  /** The canonical options met so far, by component instance. */
  readonly #optionSets = new Map<number, AdapterOptions[]>();
  readonly #resourceIds = new Map<TypeResource, ResourceId>();
  /** Value and function types by structure, for every frame (see `TypeTable`). */
  readonly typeTable: TypeTable = new Map();
  /** A number per type object met (a Map: faster than a WeakMap, and dropped with the run's state). */
  readonly #typeIds = new Map<object, number>();
  #nextResource = 0;
  #nextType = 0;
  #root: BodyRunner | undefined;
  #rootDepth = 0;
  #instantiating = 0;
  #done = false;
  /**
   * The item being processed, so that a nested instantiation knows where it
   * was asked for: kept as its parts, made an object (and kept here) only
   * when an instantiation asks.
   */
  #location: ItemLocation | undefined;
  #locOffset = -1;
  #locSection = "";
  #locItem = 0;
  readonly #instanceDepth = new WeakMap<InstanceDef, number>();

  /**
   * @param emit Receives each graph event, in order.
   */
  constructor(emit: (e: DfgEvent) => void, options: InlinerOptions = {}) {
    this.#emit = emit;
    if (options.source !== undefined) this.source = options.source;
  }

  /** The whole input, when given (see {@link InlinerOptions}). */
  readonly source?: Uint8Array;

  /** The graph built so far. */
  get dfg(): ComponentDfg {
    return this.#collector.dfg;
  }

  #event(e: DfgEvent): void {
    this.#collector.add(e);
    this.#emit(e);
  }

  /**
   * Process the next payload of the component.
   * @param p The payload.
   * @throws {LinkError} When the component does not link.
   */
  push(p: Payload): void {
    if (p.kind === "end") return;
    if (this.#done) throw new LinkError("payload after the end of the component");
    if (this.#root === undefined) {
      if (p.kind !== "component-begin" || p.depth !== 0) {
        throw new LinkError(`expected the root component-begin payload, got \`${p.kind}\``);
      }
      this.#event({ kind: "component-instance", id: 0, node: {} });
      this.#root = new BodyRunner(new Frame(this, 0, undefined, undefined), true);
      this.#rootDepth = 1;
      return;
    }
    if (p.kind === "component-begin") this.#rootDepth++;
    if (p.kind === "component-end") {
      if (--this.#rootDepth === 0) {
        this.#done = true;
        this.#release();
        return;
      }
    }
    this.#root.feed(p);
  }

  /**
   * Drop what only the inlining needed (frames, module types, keys, the
   * type table), once the root component has ended: the graph is all that
   * stays, and the adapter modules still to build reuse the memory.
   */
  #release(): void {
    this.#root = undefined;
    this.#moduleIds.clear();
    this.#moduleTypes.length = 0;
    this.#memoryKeys.clear();
    this.#reallocKeys.clear();
    this.#postReturnKeys.clear();
    this.#optionSets.clear();
    this.#resourceIds.clear();
    this.typeTable.clear();
    this.#typeIds.clear();
    this.#optionsIds.clear();
    this.#optionsIdsByKey.clear();
    this.#keyedOptions.clear();
  }

  /**
   * Finish: the root component must have ended.
   * @throws {LinkError} When the payloads stopped early.
   */
  finish(): void {
    if (!this.#done) throw new LinkError("the component ended before its component-end payload");
  }

  /** The static module id of a module payload, registering it when first seen. */
  moduleId(p: ModulePayload): ModuleId {
    // by offset: a nested component read again gives new payloads for the same modules
    let id = this.#moduleIds.get(p.range.start);
    if (id === undefined) {
      id = this.#collector.dfg.modules.length;
      const type = checkedModuleType(p);
      this.#moduleIds.set(p.range.start, id);
      this.#moduleTypes.push(type);
      const { kind: _k, range: _r, ...info } = p;
      this.#event({ kind: "module", id, node: info });
    }
    return id;
  }

  /** Large nested components whose bytes the first read skipped, in input order. */
  readonly #skippedRegions: SkippedRegion[] = [];
  #skipAsked = false;

  /**
   * On the first read, a large nested component's bytes need not be
   * decoded: its modules are registered now (in input order, as a read
   * would), and the rest is read when it is instantiated. Its bytes are
   * checked then, or at the end (see {@link Inliner.checkSkipped}); an
   * error met meanwhile defers to theirs (see {@link Inliner.firstSkippedError}).
   * @param begin Its `component-begin` payload.
   * @returns Its region, or undefined when its bytes are not all in the input.
   */
  skipNested(begin: Payload & { kind: "component-begin" }): SkippedRegion | undefined {
    const source = this.source;
    if (source === undefined || begin.end === null || begin.end > source.length) return undefined;
    const region: SkippedRegion = { begin, checked: false };
    this.#skippedRegions.push(region);
    for (const m of modulesInside(source, begin)) this.moduleId(m);
    this.#skipAsked = true;
    return region;
  }

  /**
   * Whether the parser may skip the bytes of the nested component whose
   * `component-begin` was just pushed (asked once; see
   * `ChunkFeeder.skipComponent`).
   * @returns Whether to skip them.
   */
  takeSkip(): boolean {
    const asked = this.#skipAsked;
    this.#skipAsked = false;
    return asked;
  }

  /**
   * The error a first read of the skipped components would have met first
   * (the first, in input order, of those not read whole since): what a
   * read that decoded every byte reports before any later error.
   * @returns The error, or undefined when their bytes are well-formed.
   */
  firstSkippedError(): unknown {
    for (const r of this.#skippedRegions) {
      if (r.checked) continue;
      try {
        for (const p of payloadsInside(this.source!, r.begin, "whole")) {
          if (p.kind === "module") checkedModuleType(p);
        }
      } catch (e) {
        return e;
      }
      r.checked = true;
    }
    return undefined;
  }

  /**
   * Check the skipped components not read whole since (never instantiated).
   * @throws {ParseError} The first error their bytes hold (or a LinkError of a module).
   */
  checkSkipped(): void {
    const e = this.firstSkippedError();
    if (e !== undefined) throw e;
  }

  /** A fresh resource type. */
  newResourceType(origin: TypeResource["origin"], name?: string): TypeResource {
    const t: TypeResource = name === undefined
      ? { kind: "resource", id: this.#nextResource++, origin }
      : { kind: "resource", id: this.#nextResource++, origin, name };
    return t;
  }

  /**
   * A number per distinct set of options (by value), to key adapters by a
   * short string: given to each options object when {@link Inliner.#options}
   * makes it (interned objects are one per distinct set; past the cap, the
   * number is found by the values' key).
   */
  #optionsId(o: AdapterOptions): number {
    const id = this.#optionsIds.get(o);
    if (id === undefined) throw new Error("options not made by #options");
    return id;
  }

  /** The number of each options object (given by #options). */
  readonly #optionsIds = new Map<AdapterOptions, number>();
  /** Numbers by values, for the instances with more sets of options than are interned. */
  readonly #optionsIdsByKey = new Map<string, number>();
  readonly #keyedOptions = new Set<ComponentInstanceId>();
  #nextOptionsId = 0;

  #typeId(t: object): number {
    let id = this.#typeIds.get(t);
    if (id === undefined) this.#typeIds.set(t, id = this.#nextType++);
    return id;
  }

  /** Apply one section payload in a frame, item by item, locating errors. */
  apply(frame: Frame, p: Payload): void {
    switch (p.kind) {
      case "custom":
      case "end":
      case "component-begin":
      case "component-end":
        return;
      case "module": {
        const id = this.moduleId(p);
        frame.coreModules.push({ kind: "static", id, type: this.#moduleTypes[id] });
        return;
      }
      case "start":
        throw new LinkError("component start functions are not supported (as in Wasmtime)", {
          offset: p.range.start,
          section: "start",
          item: 0,
        });
    }
    const items = p.items as readonly unknown[];
    for (let i = 0; i < items.length; i++) {
      this.#locOffset = p.range.start;
      this.#locSection = p.kind;
      this.#locItem = i;
      this.#location = undefined;
      try {
        switch (p.kind) {
          case "core-instance":
            this.#coreInstance(frame, items[i] as CoreInstance);
            break;
          case "core-type":
            for (const x of resolveCoreTypeDef(frame, p.items[i])) frame.coreTypes.push(x);
            break;
          case "instance":
            this.#instance(frame, items[i] as Instance);
            break;
          case "alias":
            this.#alias(frame, items[i] as Alias);
            break;
          case "type":
            this.#type(frame, items[i] as TypeDef);
            break;
          case "canon":
            this.#canon(frame, items[i] as Canon);
            break;
          case "import":
            this.#import(frame, items[i] as Import);
            break;
          case "export":
            this.#export(frame, items[i] as Export);
            break;
          case "value":
            throw unsupported("component values", "values");
        }
      } catch (e) {
        if (e instanceof LinkError && e.location === undefined) {
          const at = { offset: p.range.start, section: p.kind, item: i };
          throw e instanceof UnsupportedError
            ? new UnsupportedError(e.reason, e.feature, at)
            : new LinkError(e.reason, at);
        }
        throw e;
      }
    }
  }

  // -------------------------------------------------------------------------
  // core instances

  #coreExport(inst: CoreInstanceDef, index: number, name: string): CoreItem {
    if (inst.kind === "synthetic") {
      const item = inst.exports.get(name);
      if (item === undefined) {
        throw new LinkError(`core instance ${index} has no export named \`${name}\``);
      }
      return item;
    }
    const type = inst.exports.get(name);
    if (type === undefined) {
      throw new LinkError(`core instance ${index} has no export named \`${name}\``);
    }
    return { def: { kind: "export", instance: inst.id, name }, type };
  }

  #coreInstance(frame: Frame, ci: CoreInstance): void {
    if (ci.kind === "from-exports") {
      const exports = new Map<string, CoreItem>();
      for (const e of ci.exports) {
        if (exports.has(e.name)) throw new LinkError(`duplicate export name \`${e.name}\``);
        exports.set(e.name, frame.at(frame.coreSpace(e.sort), e.index, `core ${e.sort}`));
      }
      frame.coreInstances.push({ kind: "synthetic", exports });
      return;
    }
    const module = frame.at(frame.coreModules, ci.module, "core module");
    const args = new Map<string, [CoreInstanceDef, number]>();
    for (const a of ci.args) {
      if (args.has(a.name)) {
        throw new LinkError(`duplicate module instantiation argument \`${a.name}\``);
      }
      args.set(a.name, [frame.at(frame.coreInstances, a.instance, "core instance"), a.instance]);
    }
    const resolve = (imp: TypeModule["imports"][number]): CoreDef => {
      const arg = args.get(imp.module);
      if (arg === undefined) {
        throw new LinkError(`missing module instantiation argument named \`${imp.module}\``);
      }
      const item = this.#coreExport(arg[0], arg[1], imp.name);
      const why = matchCoreEntity(item.type, imp.type);
      if (why !== undefined) {
        throw new LinkError(
          `type mismatch for export \`${imp.name}\` of module instantiation argument \`${imp.module}\`: ${why}`,
        );
      }
      return item.def;
    };
    const id = this.#collector.dfg.instances.length;
    if (module.kind === "static") {
      const positional = module.type.imports.map(resolve);
      this.#event({
        kind: "instance",
        id,
        node: {
          componentInstance: frame.rci,
          module: { kind: "static", id: module.id },
          args: positional,
        },
      });
    } else {
      const named = new Map<string, Map<string, CoreDef>>();
      for (const imp of module.type.imports) {
        let inner = named.get(imp.module);
        if (inner === undefined) named.set(imp.module, inner = new Map());
        inner.set(imp.name, resolve(imp));
      }
      this.#event({
        kind: "instance",
        id,
        node: {
          componentInstance: frame.rci,
          module: { kind: "import", path: module.path },
          args: named,
        },
      });
    }
    frame.coreInstances.push({ kind: "instantiated", id, exports: module.type.exports });
  }

  // -------------------------------------------------------------------------
  // component instances

  /**
   * An instance made of items, refused when instances nest more than
   * MAX_INSTANCE_NESTING deep (functions over instances recurse).
   */
  #items(exports: ReadonlyMap<string, Item>): InstanceDef {
    let d = 0;
    for (const it of exports.values()) {
      if (it.kind === "instance") d = Math.max(d, this.#instanceDepth.get(it.def) ?? 0);
    }
    if (d + 1 > MAX_INSTANCE_NESTING) {
      throw new LinkError(`instances nest deeper than ${MAX_INSTANCE_NESTING} levels`);
    }
    const def: InstanceDef = { kind: "items", exports };
    this.#instanceDepth.set(def, d + 1);
    return def;
  }

  #instance(frame: Frame, inst: Instance): void {
    if (inst.kind === "from-exports") {
      const exports = new Map<string, Item>();
      for (const e of inst.exports) {
        if (exports.has(e.name.name)) {
          throw new LinkError(`duplicate export name \`${e.name.name}\``);
        }
        exports.set(e.name.name, frame.item(e.sort, e.index));
      }
      frame.instances.push(this.#items(exports));
      return;
    }
    const def = frame.at(frame.components, inst.component, "component");
    const args = new Map<string, Item>();
    for (const a of inst.args) {
      if (args.has(a.name)) throw new LinkError(`duplicate instantiation argument \`${a.name}\``);
      args.set(a.name, frame.item(a.sort, a.index));
    }
    if (def.kind === "import") {
      throw new LinkError(
        "instantiating an imported component is not supported (as in Wasmtime): its body is not known",
      );
    }
    frame.instances.push(this.#items(this.#instantiate(frame, def, args)));
  }

  #instantiate(
    parent: Frame,
    def: ComponentDef & { kind: "static" },
    args: ReadonlyMap<string, Item>,
  ): ReadonlyMap<string, Item> {
    if (++this.#instantiating > MAX_INSTANTIATION_DEPTH) {
      throw new LinkError(
        `component instantiations nested deeper than ${MAX_INSTANTIATION_DEPTH} levels`,
      );
    }
    try {
      const rci = this.#collector.dfg.componentInstances.length;
      this.#event({ kind: "component-instance", id: rci, node: { parent: parent.rci } });
      const [offset, section, item] = [this.#locOffset, this.#locSection, this.#locItem];
      const site = this.#location ??= offset < 0 ? undefined : { offset, section, item };
      const frame = new Frame(this, rci, args, def.outer, site);
      const runner = new BodyRunner(frame);
      for (const p of def.body) runner.feed(p);
      [this.#locOffset, this.#locSection, this.#locItem] = [offset, section, item];
      this.#location = site;
      return frame.exports;
    } finally {
      this.#instantiating--;
    }
  }

  // -------------------------------------------------------------------------
  // aliases

  #alias(frame: Frame, a: Alias): void {
    switch (a.kind) {
      case "instance-export": {
        const inst = frame.at(frame.instances, a.instance, "instance");
        const item = this.#instanceExport(inst, a.instance, a.name);
        const want = a.sort === "core-module" ? "module" : a.sort;
        if (item.kind !== want) {
          throw new LinkError(
            `export \`${a.name}\` of instance ${a.instance} is ${an(item.kind)}, not ${an(want)}`,
          );
        }
        frame.push(item);
        return;
      }
      case "core-instance-export": {
        const inst = frame.at(frame.coreInstances, a.instance, "core instance");
        const item = this.#coreExport(inst, a.instance, a.name);
        const sort = a.sort.slice("core-".length) as CoreSort;
        if (item.type.kind !== sort) {
          throw new LinkError(
            `export \`${a.name}\` of core instance ${a.instance} is ${an(item.type.kind)}, not ${
              an(sort)
            }`,
          );
        }
        frame.coreSpace(sort).push(item);
        return;
      }
      case "outer":
        switch (a.sort) {
          case "type":
            frame.types.push(outerType(frame, a.count, a.index, false) as AnyType);
            return;
          case "core-type":
            frame.coreTypes.push(outerType(frame, a.count, a.index, true) as CoreTypeEntry);
            return;
          case "core-module":
            frame.coreModules.push(frame.outerItem(a.count, a.index, "core-module") as ModuleDef);
            return;
          case "component":
            frame.components.push(frame.outerItem(a.count, a.index, "component") as ComponentDef);
            return;
          default:
            throw new LinkError(`an outer alias cannot alias ${an(a.sort)}`);
        }
    }
  }

  /** An export of a component instance: a definition, or a deeper import path. */
  #instanceExport(inst: InstanceDef, index: number, name: string): Item {
    if (inst.kind === "items") {
      const item = inst.exports.get(name);
      if (item === undefined) {
        throw new LinkError(`instance ${index} has no export named \`${name}\``);
      }
      return item;
    }
    const desc = inst.type.exports.get(name);
    if (desc === undefined) {
      throw new LinkError(`instance ${index} has no export named \`${name}\``);
    }
    return this.#importItem({ import: inst.path.import, names: [...inst.path.names, name] }, desc);
  }

  /** The item standing for (part of) a root import. */
  #importItem(path: ImportPath, desc: ExternDesc): Item {
    switch (desc.kind) {
      case "func":
        return { kind: "func", def: { kind: "import", path, type: desc.type } };
      case "instance":
        return { kind: "instance", def: { kind: "import", path, type: desc.type } };
      case "component":
        return { kind: "component", def: { kind: "import", path, type: desc.type } };
      case "module":
        return { kind: "module", def: { kind: "import", path, type: desc.type } };
      case "type":
        if (
          typeof desc.type !== "string" && desc.type.kind === "resource" &&
          desc.type.origin === "imported"
        ) {
          this.#importedResource(desc.type, path);
        }
        return { kind: "type", type: desc.type };
      case "value":
        throw unsupported("component values", "values");
    }
  }

  /**
   * Give every resource a root import supplies a node, named by its path,
   * as soon as the import is seen (before anything can use it), as Wasmtime
   * registers the resources of each import's type.
   */
  #registerImportedResources(desc: ExternDesc, path: ImportPath): void {
    if (desc.kind === "type") {
      const t = desc.type;
      if (typeof t !== "string" && t.kind === "resource" && t.origin === "imported") {
        this.#importedResource(t, path);
      }
    } else if (desc.kind === "instance") {
      for (const [name, d] of desc.type.exports) {
        this.#registerImportedResources(d, { import: path.import, names: [...path.names, name] });
      }
    }
  }

  #importedResource(t: TypeResource, path: ImportPath): void {
    if (this.#resourceIds.has(t)) return;
    const id = this.#collector.dfg.resources.length;
    this.#resourceIds.set(t, id);
    this.#event({ kind: "resource", id, node: { type: t, import: path } });
  }

  // -------------------------------------------------------------------------
  // types

  #type(frame: Frame, t: TypeDef): void {
    if (t.kind !== "resource") {
      frame.types.push(resolveTypeDef(frame, t));
      return;
    }
    if (t.rep !== "i32") throw new LinkError("resources can only be represented by `i32`");
    let dtor: CoreDef | undefined;
    if (t.dtor !== undefined) {
      const f = frame.at(frame.coreFuncs, t.dtor, "core func");
      const sig = funcEntity(["i32"], []);
      if (matchCoreEntity(f.type, sig) !== undefined) {
        throw new LinkError(
          `resource destructor must have type (i32) -> (), found ${sigText(f.type)}`,
        );
      }
      dtor = f.def;
    }
    const type = this.newResourceType("defined");
    const id = this.#collector.dfg.resources.length;
    this.#resourceIds.set(type, id);
    this.#event({
      kind: "resource",
      id,
      node: dtor === undefined
        ? { type, instance: frame.rci, rep: t.rep }
        : { type, instance: frame.rci, rep: t.rep, dtor },
    });
    frame.types.push(type);
  }

  // -------------------------------------------------------------------------
  // canon

  #options(
    frame: Frame,
    o: CanonOptions,
    what: "lift" | "lower",
  ): AdapterOptions {
    if (o.callback !== undefined && what === "lower") {
      throw new LinkError("canonical option `callback` is only allowed on canon lift");
    }
    if (o.callback !== undefined && !o.async) {
      throw new LinkError("canonical option `callback` requires the `async` option");
    }
    if (o.postReturn !== undefined && o.async) {
      throw new LinkError("canonical option `post-return` cannot be used with `async`");
    }
    if (o.postReturn !== undefined && what === "lower") {
      throw new LinkError("canonical option `post-return` is only allowed on canon lift");
    }
    if (o.realloc !== undefined && o.memory === undefined) {
      throw new LinkError("canonical option `realloc` requires a `memory` option");
    }
    const dfg = this.#collector.dfg;
    let memory: number | undefined;
    let memory64 = false;
    if (o.memory !== undefined) {
      const m = frame.at(frame.coreMemories, o.memory, "core memory");
      if (m.type.kind !== "memory" || m.def.kind !== "export") {
        throw new LinkError(`core memory ${o.memory} is not a memory`);
      }
      memory64 = m.type.memory64;
      const key = defKey(m.def);
      memory = this.#memoryKeys.get(key);
      if (memory === undefined) {
        memory = dfg.memories.length;
        this.#memoryKeys.set(key, memory);
        this.#event({
          kind: "memory",
          id: memory,
          node: { export: { instance: m.def.instance, name: m.def.name }, memory64 },
        });
      }
    }
    let realloc: number | undefined;
    if (o.realloc !== undefined) {
      const f = frame.at(frame.coreFuncs, o.realloc, "core func");
      const a = memory64 ? "i64" : "i32";
      if (matchCoreEntity(f.type, funcEntity([a, a, a, a], [a])) !== undefined) {
        throw new LinkError(
          `canonical option \`realloc\` must have type (${a}, ${a}, ${a}, ${a}) -> (${a}), found ${
            sigText(f.type)
          }`,
        );
      }
      const key = defKey(f.def);
      realloc = this.#reallocKeys.get(key);
      if (realloc === undefined) {
        realloc = dfg.reallocs.length;
        this.#reallocKeys.set(key, realloc);
        this.#event({ kind: "realloc", id: realloc, node: f.def });
      }
    }
    let postReturn: number | undefined;
    if (o.postReturn !== undefined) {
      const f = frame.at(frame.coreFuncs, o.postReturn, "core func");
      const key = defKey(f.def);
      postReturn = this.#postReturnKeys.get(key);
      if (postReturn === undefined) {
        postReturn = dfg.postReturns.length;
        this.#postReturnKeys.set(key, postReturn);
        this.#event({ kind: "post-return", id: postReturn, node: f.def });
      }
    }
    let callback: CoreDef | undefined;
    if (o.callback !== undefined) {
      const f = frame.at(frame.coreFuncs, o.callback, "core func");
      const want = funcEntity(["i32", "i32", "i32"], ["i32"]);
      if (matchCoreEntity(f.type, want) !== undefined) {
        throw new LinkError(
          `canonical option \`callback\` must have type ${sigText(want)}, found ${sigText(f.type)}`,
        );
      }
      callback = f.def;
    }
    const stringEncoding = o.stringEncoding ?? "utf8";
    const async = o.async ? true : undefined;
    // one object per distinct set of options: an instance's canons mostly share theirs
    // (a few sets per instance, compared field by field; past MAX_INTERNED_OPTIONS, not interned)
    let sets = this.#optionSets.get(frame.rci);
    if (sets === undefined) this.#optionSets.set(frame.rci, sets = []);
    for (const k of sets) {
      if (
        k.stringEncoding === stringEncoding && k.memory === memory && k.realloc === realloc &&
        k.postReturn === postReturn && k.async === async && k.callback === callback
      ) return k;
    }
    // made only when new; absent options are absent keys
    const instance = frame.rci;
    const options: { -readonly [K in keyof AdapterOptions]: AdapterOptions[K] } =
      memory === undefined
        ? { instance, stringEncoding, memory64 }
        : { instance, stringEncoding, memory, memory64 };
    if (realloc !== undefined) options.realloc = realloc;
    if (postReturn !== undefined) options.postReturn = postReturn;
    if (async) options.async = true;
    if (callback !== undefined) options.callback = callback;
    // each object gets its number (see #optionsId) here: an interned one a new number (no
    // other object has its values), one past the cap the number of its values, by key
    if (sets.length < MAX_INTERNED_OPTIONS) {
      sets.push(options);
      this.#optionsIds.set(options, this.#nextOptionsId++);
      return options;
    }
    if (!this.#keyedOptions.has(frame.rci)) {
      this.#keyedOptions.add(frame.rci);
      for (const k of sets) {
        this.#optionsIdsByKey.set(computeOptionsKey(k), this.#optionsIds.get(k)!);
      }
    }
    const key = computeOptionsKey(options);
    let id = this.#optionsIdsByKey.get(key);
    if (id === undefined) this.#optionsIdsByKey.set(key, id = this.#nextOptionsId++);
    this.#optionsIds.set(options, id);
    return options;
  }

  /** Check the options a function type requires (CanonicalABI.md, canonopt validation). */
  #requireOptions(ft: TypeFunc, o: AdapterOptions, what: "lift" | "lower"): void {
    const { paramMem, resultMem, flatParams, flatResults } = summaryOf(ft);
    // the common case (nothing in memory, few flat values) needs neither option
    if (
      !paramMem && !resultMem && flatParams <= MAX_FLAT_ASYNC_PARAMS &&
      flatResults <= MAX_FLAT_RESULTS
    ) {
      if (!(what === "lower" && o.async && ft.result !== undefined)) return;
    }
    const need = (option: "memory" | "realloc", why: string) => {
      if (o[option] === undefined) {
        throw new LinkError(`canon ${what} needs a \`${option}\` option: ${why}`);
      }
    };
    if (what === "lift") {
      if (paramMem) need("realloc", "its parameters contain strings or lists");
      if (resultMem) need("memory", "its result contains strings or lists");
      if (flatParams > MAX_FLAT_PARAMS) {
        need("realloc", `its parameters take more than ${MAX_FLAT_PARAMS} core values`);
      }
      if (flatResults > MAX_FLAT_RESULTS && !o.async) {
        need("memory", `its result takes more than ${MAX_FLAT_RESULTS} core value`);
      }
    } else {
      if (paramMem) need("memory", "its parameters contain strings or lists");
      if (resultMem) need("realloc", "its result contains strings or lists");
      const maxParams = o.async ? MAX_FLAT_ASYNC_PARAMS : MAX_FLAT_PARAMS;
      if (flatParams > maxParams) {
        need("memory", `its parameters take more than ${maxParams} core values`);
      }
      if (o.async && ft.result !== undefined) {
        need("memory", "an async lower returns its result through memory");
      }
      if (flatResults > MAX_FLAT_RESULTS && !o.async) {
        need("memory", `its result takes more than ${MAX_FLAT_RESULTS} core value`);
      }
    }
  }

  #canon(frame: Frame, c: Canon): void {
    switch (c.kind) {
      case "lift":
        return this.#lift(frame, c);
      case "lower":
        return this.#lower(frame, c);
      case "resource.new":
      case "resource.rep":
      case "resource.drop":
        return this.#resourceBuiltin(frame, c.kind, c.type);
      case "task.return":
      case "context.get":
      case "context.set":
        return this.#taskBuiltin(frame, c);
      case "error-context.new":
      case "error-context.debug-message":
      case "error-context.drop":
        return this.#errorContextBuiltin(frame, c);
      case "thread.new-indirect":
        return this.#threadNew(frame, c);
      default:
        if (c.kind in BUILTIN_SIGNATURES) return this.#asyncBuiltin(frame, c);
        throw unsupported(`canon ${c.kind}`, unsupportedFeature(c.kind));
    }
  }

  #lift(frame: Frame, c: Canon & { kind: "lift" }): void {
    const callee = frame.at(frame.coreFuncs, c.coreFunc, "core func");
    const ft = typeAt(frame, c.type);
    if (typeof ft === "string" || ft.kind !== "func") {
      throw new LinkError(`canon lift type index ${c.type} is not a function type`);
    }
    const options = this.#options(frame, c.options, "lift");
    if (options.async && !ft.async) throw new LinkError(ASYNC_NEEDS_ASYNC_TYPE);
    this.#requireOptions(ft, options, "lift");
    const ptr = options.memory64 ? "i64" : "i32";
    const sig: FlatSignature = options.async
      ? flattenAsyncFuncType(ft, "lift", ptr, options.callback !== undefined)
      : flattenFuncType(ft, "lift", ptr);
    const want = funcEntity(sig.params, sig.results);
    if (matchCoreEntity(callee.type, want) !== undefined) {
      throw new LinkError(
        `lifted core function has type ${sigText(callee.type)}, but \`${
          typeToString(ft)
        }\` lifts from ${sigText(want)}`,
      );
    }
    if (c.options.postReturn !== undefined) {
      const pr = frame.at(frame.coreFuncs, c.options.postReturn, "core func");
      const prWant = funcEntity(sig.results, []);
      if (matchCoreEntity(pr.type, prWant) !== undefined) {
        throw new LinkError(
          `canonical option \`post-return\` must have type ${sigText(prWant)}, found ${
            sigText(pr.type)
          }`,
        );
      }
    }
    frame.funcs.push({ kind: "lifted", type: ft, func: callee.def, options });
  }

  #isAncestor(a: ComponentInstanceId, b: ComponentInstanceId): boolean {
    const nodes = this.#collector.dfg.componentInstances;
    for (let p = nodes[b].parent; p !== undefined; p = nodes[p].parent) if (p === a) return true;
    return false;
  }

  #lower(frame: Frame, c: Canon & { kind: "lower" }): void {
    const fd = frame.at(frame.funcs, c.func, "func");
    const ft = fd.type;
    const options = this.#options(frame, c.options, "lower");
    if (options.async && !ft.async) throw new LinkError(ASYNC_NEEDS_ASYNC_TYPE);
    this.#requireOptions(ft, options, "lower");
    const ptr = options.memory64 ? "i64" : "i32";
    const sig = options.async
      ? flattenAsyncFuncType(ft, "lower", ptr)
      : flattenFuncType(ft, "lower", ptr);
    const dfg = this.#collector.dfg;
    let def: CoreDef;
    if (fd.kind === "lifted") {
      const lift = fd.options.instance;
      const lower = frame.rci;
      const alwaysTrap = lift === lower || this.#isAncestor(lift, lower) ||
        this.#isAncestor(lower, lift);
      // async calls need the runtime's scheduling, and streams and futures move between the
      // runtime's tables: the host runs those adapters.
      // Calls lending borrows or entering an instance with task built-ins open a
      // call scope through the runtime's intrinsics (handles always cross through
      // the transfer intrinsics)
      const host = fd.options.async || options.async || fd.type.async || passesCopies(ft);
      const scoped = !host && (this.#taskInstances.has(lift) || lendsBorrows(ft));
      const key = `${defKey(fd.func)}|${this.#optionsId(fd.options)}|${this.#optionsId(options)}|${
        this.#typeId(fd.type)
      }|${this.#typeId(ft)}|${host ? "host" : scoped ? "scoped" : ""}`;
      const keys = frame.adapterKeys ??= new Map();
      let id = keys.get(key);
      if (id === undefined) {
        id = dfg.adapters.length;
        keys.set(key, id);
        this.#event({
          kind: "adapter",
          id,
          node: {
            liftType: fd.type,
            liftOptions: fd.options,
            lowerType: ft,
            lowerOptions: options,
            func: fd.func,
            alwaysTrap,
            ...(host ? { host: true } : {}),
            ...(scoped ? { scoped: true } : {}),
          },
        });
      }
      def = host ? { kind: "host-adapter", id } : { kind: "adapter", id };
    } else {
      const id = dfg.lowerings.length;
      this.#event({ kind: "lowering", id, node: { import: fd.path, type: ft, options } });
      def = { kind: "lowered", id };
    }
    frame.coreFuncs.push({ def, type: funcEntity(sig.params, sig.results) });
  }

  #resourceBuiltin(
    frame: Frame,
    kind: "resource.new" | "resource.rep" | "resource.drop",
    index: number,
  ): void {
    const t = typeAt(frame, index);
    if (typeof t === "string" || t.kind !== "resource") {
      throw new LinkError(`type index ${index} is not a resource type`);
    }
    let id = this.#resourceIds.get(t);
    const node = id === undefined ? undefined : this.#collector.dfg.resources[id];
    if (kind !== "resource.drop" && (node === undefined || node.instance !== frame.rci)) {
      throw new LinkError(`canon ${kind} needs a resource type defined by this component`);
    }
    if (id === undefined) {
      // dropping an abstract resource that no import path names (e.g. from a type declaration)
      id = this.#collector.dfg.resources.length;
      this.#resourceIds.set(t, id);
      this.#event({ kind: "resource", id, node: { type: t } });
    }
    const type = kind === "resource.new"
      ? funcEntity(["i32"], ["i32"])
      : kind === "resource.rep"
      ? funcEntity(["i32"], ["i32"])
      : funcEntity(["i32"], []);
    frame.coreFuncs.push({ def: { kind, resource: id, instance: frame.rci }, type });
  }

  /** `task.return`, `context.get` and `context.set`: their types come from their immediates. */
  #taskBuiltin(
    frame: Frame,
    c: Canon & { kind: "task.return" | "context.get" | "context.set" },
  ): void {
    let builtin: Builtin;
    let type: CoreEntityType;
    if (c.kind === "task.return") {
      const result = c.result === undefined ? undefined : resolveValType(frame, c.result);
      const options = this.#options(frame, c.options, "lift");
      if (options.realloc !== undefined || options.postReturn !== undefined || options.async) {
        throw new LinkError("canon task.return takes only `memory` and `string-encoding` options");
      }
      const flat = result === undefined
        ? []
        : flattenType(result, options.memory64 ? "i64" : "i32");
      if (flat.length > MAX_FLAT_PARAMS && options.memory === undefined) {
        throw new LinkError(
          `canon task.return needs a \`memory\` option: its result takes more than ${MAX_FLAT_PARAMS} core values`,
        );
      }
      if (result !== undefined && containsMemoryValues(result) && options.memory === undefined) {
        throw new LinkError(
          "canon task.return needs a `memory` option: its result contains strings or lists",
        );
      }
      builtin = result === undefined
        ? { name: "task.return", options }
        : { name: "task.return", result, options };
      type = funcEntity(
        flat.length > MAX_FLAT_PARAMS ? [options.memory64 ? "i64" : "i32"] : flat,
        [],
      );
    } else {
      if (c.type !== "i32") {
        throw new LinkError(`canon ${c.kind} of type \`${c.type}\` is not supported: only i32`);
      }
      if (c.index >= 2) {
        throw new LinkError(`canon ${c.kind} index ${c.index} is out of bounds: there are 2 slots`);
      }
      builtin = { name: c.kind, index: c.index };
      type = c.kind === "context.get" ? funcEntity([], ["i32"]) : funcEntity(["i32"], []);
    }
    this.#taskInstances.add(frame.rci);
    frame.coreFuncs.push({ def: { kind: "builtin", builtin, instance: frame.rci }, type });
  }

  /**
   * `error-context.new` `(ptr, len) -> i32` (a string from memory),
   * `error-context.debug-message` `(i32, retptr) -> ()` (the message, written
   * through `realloc`) and `error-context.drop` `(i32) -> ()`: error contexts
   * are handles in the instance's table (CanonicalABI.md).
   */
  #errorContextBuiltin(frame: Frame, c: Canon): void {
    let builtin: Builtin;
    let type: CoreEntityType;
    if (c.kind === "error-context.drop") {
      builtin = { name: c.kind };
      type = funcEntity(["i32"], []);
    } else if (c.kind === "error-context.new" || c.kind === "error-context.debug-message") {
      const options = this.#options(frame, c.options, "lower");
      if (options.memory === undefined) {
        throw new LinkError(`canon ${c.kind} needs a \`memory\` option: the message is in memory`);
      }
      if (c.kind === "error-context.debug-message" && options.realloc === undefined) {
        throw new LinkError(
          "canon error-context.debug-message needs a `realloc` option: the message is written through it",
        );
      }
      const ptr = options.memory64 ? "i64" : "i32";
      builtin = { name: c.kind, options };
      type = c.kind === "error-context.new"
        ? funcEntity([ptr, ptr], ["i32"])
        : funcEntity(["i32", ptr], []);
    } else throw new Error(`${c.kind} is not an error-context built-in`);
    frame.coreFuncs.push({ def: { kind: "builtin", builtin, instance: frame.rci }, type });
  }

  /** `thread.new-indirect`: a start function type `(func (param i32))` and a table of functions. */
  #threadNew(frame: Frame, c: Canon & { kind: "thread.new-indirect" }): void {
    const t = frame.at(frame.coreTypes, c.coreType, "core type");
    const ft = "type" in t ? (t as { type: { kind: string } }).type : undefined;
    const f = ft as { kind: string; params?: readonly string[]; results?: readonly string[] };
    if (
      f?.kind !== "func" || f.params?.length !== 1 || f.params[0] !== "i32" ||
      f.results?.length !== 0
    ) {
      throw new LinkError(
        `canon thread.new-indirect: core type index ${c.coreType} is not \`(func (param i32))\``,
      );
    }
    const table = frame.at(frame.coreTables, c.table, "core table");
    this.#taskInstances.add(frame.rci);
    frame.coreFuncs.push({
      def: {
        kind: "builtin",
        builtin: { name: "thread.new-indirect", table: table.def },
        instance: frame.rci,
      },
      type: funcEntity(["i32", "i32"], ["i32"]),
    });
  }

  /** The other async built-ins: fixed core types, checked immediates. */
  #asyncBuiltin(frame: Frame, c: Canon): void {
    if ("type" in c && typeof c.type === "number") {
      const t = typeAt(frame, c.type);
      const want = c.kind.startsWith("stream.") ? "stream" : "future";
      if (typeof t === "string" || t.kind !== want) {
        throw new LinkError(`canon ${c.kind}: type index ${c.type} is not a ${want} type`);
      }
    }
    const options = "options" in c && c.options !== undefined
      ? this.#options(frame, c.options, "lower")
      : undefined;
    let builtin: Builtin;
    if (c.kind === "waitable-set.wait" || c.kind === "waitable-set.poll") {
      builtin = { name: c.kind, options: this.#options(frame, { memory: c.memory }, "lower") };
    } else if (
      (c.kind.startsWith("stream.") || c.kind.startsWith("future.")) &&
      "type" in c && typeof c.type === "number"
    ) {
      // the element type, with which the runtime copies values through memory
      const t = typeAt(frame, c.type) as { readonly element?: InterfaceType };
      const copies = c.kind === "future.write" || c.kind === "future.read" ||
        c.kind === "stream.read" || c.kind === "stream.write";
      if (copies && t.element !== undefined && options?.memory === undefined) {
        throw new LinkError(
          `canon ${c.kind} needs a \`memory\` option: the value is copied through it`,
        );
      }
      if (
        (c.kind === "future.read" || c.kind === "stream.read") && t.element !== undefined &&
        containsMemoryValues(t.element) && options?.realloc === undefined
      ) {
        throw new LinkError(
          `canon ${c.kind} needs a \`realloc\` option: the value holds strings or lists`,
        );
      }
      builtin = {
        name: c.kind as CopyBuiltinName,
        ...(t.element === undefined ? {} : { element: t.element }),
        ...(options === undefined ? {} : { options }),
        ...("async" in c && c.async ? { async: true } : {}),
      };
    } else if (c.kind === "subtask.cancel") {
      builtin = { name: c.kind, async: c.async };
    } else builtin = { name: c.kind } as Builtin;
    const [params, results] = BUILTIN_SIGNATURES[c.kind];
    this.#taskInstances.add(frame.rci);
    frame.coreFuncs.push({
      def: { kind: "builtin", builtin, instance: frame.rci },
      type: funcEntity(params, results),
    });
  }

  // -------------------------------------------------------------------------
  // imports and exports

  #import(frame: Frame, imp: Import): void {
    const name = imp.name.name;
    if (frame.importNames.has(name)) throw new LinkError(`duplicate import name \`${name}\``);
    frame.importNames.add(name);
    let declared = resolveExternType(frame, imp.type, name);
    if (frame.args === undefined) {
      // Each root import gets its own resources in place of the placeholders
      // its type declares: two imports of one instance type share none.
      const fresh = new Map<TypeResource, TypeResource>();
      declared = substituteResources(declared, (r) => {
        if (r.origin !== "abstract") return undefined;
        let n = fresh.get(r);
        if (n === undefined) fresh.set(r, n = this.newResourceType("imported", r.name));
        return n;
      });
      const id = this.#collector.dfg.imports.length;
      this.#event({ kind: "import", id, node: { name, type: declared } });
      this.#registerImportedResources(declared, { import: id, names: [] });
      frame.push(this.#importItem({ import: id, names: [] }, declared));
      return;
    }
    const arg = frame.args.get(name);
    if (arg === undefined) {
      if (
        declared.kind === "type" &&
        !(typeof declared.type !== "string" && declared.type.kind === "resource")
      ) {
        frame.push({ kind: "type", type: declared.type });
        return;
      }
      // Argument errors are reported where the instantiation is written.
      throw new LinkError(`missing instantiation argument \`${name}\``, frame.site);
    }
    const why = matchExtern(describeItem(arg), declared);
    if (why !== undefined) {
      throw new LinkError(
        `type mismatch for instantiation argument \`${name}\`: ${why}`,
        frame.site,
      );
    }
    frame.push(arg);
  }

  #export(frame: Frame, e: Export): void {
    const name = e.name.name;
    if (frame.exports.has(name)) throw new LinkError(`duplicate export name \`${name}\``);
    const item = frame.item(e.sort, e.index);
    if (e.type !== undefined) {
      // The ascription's `(sub resource)` bounds are placeholders matched
      // against what is exported (the exported item itself is unchanged).
      const ascribed = resolveExternType(frame, e.type, name, (n) => frame.abstractResource(n));
      const why = matchExtern(describeItem(item), ascribed);
      if (why !== undefined) {
        throw new LinkError(`export \`${name}\` does not match its ascribed type: ${why}`);
      }
    }
    frame.exports.set(name, item);
    frame.push(item);
    if (frame.rci === 0) {
      const id = this.#collector.dfg.exports.length;
      this.#event({ kind: "export", id, node: { name, item: this.#exportItem(item) } });
    }
  }

  #exportItem(item: Item): ExportItem {
    switch (item.kind) {
      case "func":
        return item.def.kind === "lifted"
          ? { kind: "lifted", type: item.def.type, func: item.def.func, options: item.def.options }
          : { kind: "func-import", path: item.def.path, type: item.def.type };
      case "instance": {
        if (item.def.kind === "import") {
          return {
            kind: "instance-import",
            path: item.def.path,
            type: { kind: "instance", type: item.def.type },
          };
        }
        const exports: ExportNode[] = [];
        for (const [name, it] of item.def.exports) {
          exports.push({ name, item: this.#exportItem(it) });
        }
        return { kind: "instance", exports };
      }
      case "module":
        return item.def.kind === "static"
          ? { kind: "module", module: item.def.id }
          : { kind: "module-import", path: item.def.path };
      case "type":
        return { kind: "type", type: { kind: "type", type: item.type } };
      case "component":
        return { kind: "component" };
    }
  }
}

/**
 * Flatten a parsed component at once (the synchronous form of `inline()`).
 *
 * @example Flattening a component parsed with parseBytes
 * ```ts
 * import { parseBytes } from "@wasmfuse/fuse";
 * import { inlinePayloads } from "@wasmfuse/fuse/inline";
 * import assert from "node:assert/strict";
 *
 * const dfg = inlinePayloads(parseBytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])));
 * assert.equal(dfg.adapters.length, 0);
 * ```
 *
 * @param payloads Every payload of the component, in order.
 * @returns The flattened graph.
 * @throws {LinkError} When the component does not link.
 */
export function inlinePayloads(payloads: Iterable<Payload>): ComponentDfg {
  const inliner = new Inliner(() => {});
  for (const p of payloads) inliner.push(p);
  inliner.finish();
  return inliner.dfg;
}
