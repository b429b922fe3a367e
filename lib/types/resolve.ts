/**
 * Resolving the parser's index-based types into the {@link AnyType} model,
 * within a scope: a component instance being inlined, or a component or
 * instance type's own declarations. Outer aliases reach enclosing scopes.
 *
 * @module
 */

import type { CoreModuleInfo } from "../parse/module.ts";
import type {
  Alias,
  CoreExternType,
  CoreSubType,
  CoreTypeDef,
  DefinedValType,
  ExternType,
  TypeDecl,
  TypeDef,
  ValType as ParsedValType,
} from "../parse/items.ts";
import { elemSize, some } from "./abi.ts";
import { MAX_FIXED_LENGTH_LIST_ELEMENTS } from "../binary/limits.ts";
import { LinkError } from "./errors.ts";
import { an } from "./subtype.ts";
import {
  type AnyType,
  type CoreEntityType,
  type ExternDesc,
  type InterfaceType,
  isValType,
  type TypeComponent,
  type TypeFunc,
  type TypeInstance,
  type TypeModule,
  type TypeResource,
} from "./model.ts";

/**
 * How deep a type may nest (as Wasmtime's `MAX_TYPE_DEPTH`): every function
 * over types recurses, so a chain of thousands of types each wrapping the
 * previous must be refused, not overflow the stack.
 */
export const MAX_TYPE_NESTING = 100;

/**
 * Each resolved type's depth and tree size, in one number
 * (`depth * SIZE_SPAN + size`): one lookup per part, one entry per type.
 */
const shapes = new WeakMap<object, number>();
const SIZE_SPAN = 2 ** 21; // above MAX_TYPE_SIZE

/**
 * The largest a type may be as a tree (wasmparser's `MAX_WASM_TYPE_SIZE`):
 * types share their parts, so without it a few hundred bytes could describe
 * a type of 2^100 nodes that every walk over it would visit.
 */
export const MAX_TYPE_SIZE = 1_000_000;

/** A type's size as a tree: 1 for a primitive, one more than its parts' for the rest. */
function treeSize(t: AnyType | ExternDesc): number {
  if (typeof t === "string") return 1;
  const s = shapes.get(t);
  return s === undefined ? 1 : s % SIZE_SPAN;
}

/** The most bytes a value may take in memory: sizes and offsets are 32-bit in the Canonical ABI. */
const MAX_VALUE_BYTES = 0xffff_ffff;

/**
 * The nesting depth of a resolved type, counted as wasmparser counts it: a
 * primitive, enum, flags or handle is 1, a type holding others is one more
 * than the deepest (0 for resources themselves).
 * @param t The type.
 * @returns Its depth.
 */
export function typeDepth(t: AnyType | ExternDesc): number {
  if (typeof t === "string") return 1;
  const s = shapes.get(t);
  return s === undefined ? 0 : Math.floor(s / SIZE_SPAN);
}

/** Record `t`'s depth from its children's, refusing types nested too deeply. */
function nested<T extends object>(
  t: T,
  children: readonly (AnyType | ExternDesc | undefined)[],
): T {
  let d = 0;
  let size = 1;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (c === undefined) continue;
    if (typeof c === "string") {
      if (d < 1) d = 1;
      size++;
      continue;
    }
    const s = shapes.get(c);
    if (s === undefined) {
      size++;
      continue;
    }
    const cd = Math.floor(s / SIZE_SPAN);
    if (cd > d) d = cd;
    size += s % SIZE_SPAN;
  }
  if (d + 1 > MAX_TYPE_NESTING) {
    throw new LinkError(`type nesting is deeper than ${MAX_TYPE_NESTING} levels`);
  }
  if (size > MAX_TYPE_SIZE) {
    throw new LinkError(`effective type size exceeds the limit of ${MAX_TYPE_SIZE}`);
  }
  shapes.set(t, (d + 1) * SIZE_SPAN + size);
  return t;
}

/** The depth of a described type is its type's. */
function descDepth(d: ExternDesc): ExternDesc {
  if (d.kind !== "module") {
    shapes.set(d, typeDepth(d.type as AnyType) * SIZE_SPAN + treeSize(d.type as AnyType));
  }
  return d;
}

/** An entry of a core type index space. */
export type CoreTypeEntry = CoreSubType | TypeModule;

/** The visible part of an enclosing scope, for outer aliases. */
export interface OuterView {
  /** The scope's component type space. */
  readonly types: readonly AnyType[];
  /** How many of `types` were defined when the inner scope began. */
  readonly typeLimit: number;
  /** The scope's core type space. */
  readonly coreTypes: readonly CoreTypeEntry[];
  /** How many of `coreTypes` were defined when the inner scope began. */
  readonly coreTypeLimit: number;
}

/** A type scope: the spaces types are resolved in, and a way out. */
export interface TypeScope {
  /** The component type space. */
  readonly types: AnyType[];
  /** The core type space. */
  readonly coreTypes: CoreTypeEntry[];
  /**
   * The scope `count` levels out (1 = the enclosing one), as far as it was
   * defined when this scope began; `undefined` when there is none.
   */
  outer(count: number): OuterView | undefined;
  /**
   * Make a fresh resource type for a `(sub resource)` bound: `imported` for
   * the root component's own imports, else an `abstract` placeholder.
   */
  freshResource(name?: string): TypeResource;
  /** Make a fresh `abstract` placeholder resource type. */
  abstractResource(name?: string): TypeResource;
  /**
   * Value and function types resolved so far, by structure: a type equal to
   * one of them is that object (when given; see {@link TypeTable}).
   */
  readonly typeTable?: TypeTable;
}

/**
 * Resolved value and function types by structure, so that equal types are
 * one object (as Wasmtime interns its types): what is computed per type
 * object (layouts, flat types, text, equality) is then computed once per
 * distinct type, however many times a component declares it. Resources
 * stay distinct (each is its own type).
 */
export type TypeTable = Map<string, InterfaceType | TypeFunc>;

/** A short id (`#n`) per type object, for structural keys (weak: types come and go with components). */
const typeIds = new WeakMap<object, string>();
let nextTypeId = 1;

function idOf(t: AnyType): string {
  if (typeof t === "string") return t;
  let id = typeIds.get(t);
  if (id === undefined) typeIds.set(t, id = `#${nextTypeId++}`);
  return id;
}

/**
 * The {@link structureKey} of a parsed record, variant, tuple, option or
 * result, its parts resolved (undefined for the other kinds, and for a
 * shape `resolveDefinedShallow` refuses: it says why).
 */
function parsedKey(scope: TypeScope, d: DefinedValType): string | undefined {
  const id = (t: ParsedValType) => idOf(resolveValType(scope, t));
  let key: string;
  switch (d.kind) {
    case "record":
      if (d.fields.length === 0) return undefined;
      key = "r{";
      for (let i = 0; i < d.fields.length; i++) {
        key += `${i === 0 ? "" : ","}${d.fields[i].name}:${id(d.fields[i].type)}`;
      }
      return key + "}";
    case "variant":
      if (d.cases.length === 0) return undefined;
      key = "v{";
      for (let i = 0; i < d.cases.length; i++) {
        const c = d.cases[i];
        key += `${i === 0 ? "" : ","}${c.type === undefined ? c.name : `${c.name}:${id(c.type)}`}`;
      }
      return key + "}";
    case "tuple":
      if (d.types.length === 0) return undefined;
      key = "t<";
      for (let i = 0; i < d.types.length; i++) key += `${i === 0 ? "" : ","}${id(d.types[i])}`;
      return key + ">";
    case "option":
      return `o<${id(d.type)}>`;
    case "result":
      return `R<${d.ok === undefined ? "_" : id(d.ok)},${d.err === undefined ? "_" : id(d.err)}>`;
    default:
      return undefined;
  }
}

/** The structure of a value type whose parts are resolved, as a key (parts by identity). */
function structureKey(t: Exclude<InterfaceType, string>): string {
  switch (t.kind) {
    case "record":
      return `r{${t.fields.map((f) => `${f.name}:${idOf(f.type)}`).join(",")}}`;
    case "variant":
      return `v{${
        t.cases.map((c) => c.type === undefined ? c.name : `${c.name}:${idOf(c.type)}`).join(",")
      }}`;
    case "list":
      return `l<${idOf(t.element)}${t.length === undefined ? "" : `,${t.length}`}>`;
    case "tuple":
      return `t<${t.types.map(idOf).join(",")}>`;
    case "flags":
      return `f{${t.names.join(",")}}`;
    case "enum":
      return `e{${t.names.join(",")}}`;
    case "option":
      return `o<${idOf(t.type)}>`;
    case "result":
      return `R<${t.ok === undefined ? "_" : idOf(t.ok)},${
        t.err === undefined ? "_" : idOf(t.err)
      }>`;
    case "own":
    case "borrow":
      return `${t.kind}<${idOf(t.resource)}>`;
    case "stream":
    case "future":
      return `${t.kind}<${t.element === undefined ? "" : idOf(t.element)}>`;
    case "map":
      return `m<${idOf(t.key)},${idOf(t.value)}>`;
  }
}

/**
 * Look up a component type index.
 * @param scope The scope.
 * @param index The index.
 * @returns The type.
 */
export function typeAt(scope: TypeScope, index: number): AnyType {
  const t = scope.types[index];
  if (t === undefined) {
    throw new LinkError(
      `type index ${index} out of bounds (${scope.types.length} types defined)`,
    );
  }
  return t;
}

function coreTypeAt(scope: TypeScope, index: number): CoreTypeEntry {
  const t = scope.coreTypes[index];
  if (t === undefined) {
    throw new LinkError(
      `core type index ${index} out of bounds (${scope.coreTypes.length} core types defined)`,
    );
  }
  return t;
}

/**
 * Resolve a `valtype`.
 * @param scope The scope.
 * @param t A primitive or a type index.
 * @returns The value type.
 */
export function resolveValType(scope: TypeScope, t: ParsedValType): InterfaceType {
  if (typeof t === "string") return t;
  const r = typeAt(scope, t);
  if (!isValType(r)) throw new LinkError(`type index ${t} is not a value type`);
  return r;
}

function resolveResource(scope: TypeScope, index: number): TypeResource {
  const r = typeAt(scope, index);
  if (typeof r === "string" || r.kind !== "resource") {
    throw new LinkError(`type index ${index} is not a resource type`);
  }
  return r;
}

/**
 * Resolve a defined value type.
 * @param scope The scope.
 * @param d The parsed type.
 * @returns The value type.
 */
export function resolveDefined(scope: TypeScope, d: DefinedValType): InterfaceType {
  // a type met before is found by the key of its parsed form, before one is made
  const table = scope.typeTable;
  if (table !== undefined) {
    const key = parsedKey(scope, d);
    const seen = key === undefined ? undefined : table.get(key);
    if (seen !== undefined) return seen as InterfaceType;
  }
  const t = resolveDefinedShallow(scope, d);
  if (typeof t === "string") return t;
  const key = table === undefined ? undefined : structureKey(t);
  if (key !== undefined) {
    const seen = table!.get(key);
    if (seen !== undefined) return seen as InterfaceType;
  }
  nested(t, childrenOf(t));
  // (the tree size bounds this walk)
  if (isValType(t) && elemSize(t, 8) > MAX_VALUE_BYTES) {
    throw new LinkError(`a ${t.kind} value of this type takes more than 4 GiB in memory`);
  }
  if (key !== undefined) table!.set(key, t);
  return t;
}

/** The types directly inside a value type. */
function childrenOf(t: Exclude<InterfaceType, string>): (InterfaceType | undefined)[] {
  switch (t.kind) {
    case "record":
      return t.fields.map((f) => f.type);
    case "variant":
      return t.cases.map((c) => c.type);
    case "list":
      return [t.element];
    case "tuple":
      return [...t.types];
    case "option":
      return [t.type];
    case "result":
      return [t.ok, t.err];
    case "stream":
    case "future":
      return [t.element];
    case "map":
      return [t.key, t.value];
    default:
      return [];
  }
}

function resolveDefinedShallow(scope: TypeScope, d: DefinedValType): InterfaceType {
  const v = (t: ParsedValType) => resolveValType(scope, t);
  switch (d.kind) {
    case "primitive":
      return d.type;
    case "record":
      if (d.fields.length === 0) throw new LinkError("record type must have at least one field");
      return { kind: "record", fields: d.fields.map((f) => ({ name: f.name, type: v(f.type) })) };
    case "variant":
      if (d.cases.length === 0) throw new LinkError("variant type must have at least one case");
      return {
        kind: "variant",
        cases: d.cases.map((c) =>
          c.type === undefined ? { name: c.name } : { name: c.name, type: v(c.type) }
        ),
      };
    case "list":
      if (d.length === 0) throw new LinkError("fixed-length list must have a length above 0");
      if (d.length !== undefined && d.length > MAX_FIXED_LENGTH_LIST_ELEMENTS) {
        throw new LinkError(
          `fixed-length list element count exceeds limit of ${MAX_FIXED_LENGTH_LIST_ELEMENTS}`,
        );
      }
      return d.length === undefined
        ? { kind: "list", element: v(d.element) }
        : { kind: "list", element: v(d.element), length: d.length };
    case "tuple":
      if (d.types.length === 0) throw new LinkError("tuple type must have at least one type");
      return { kind: "tuple", types: d.types.map(v) };
    case "flags":
      if (d.names.length === 0) throw new LinkError("flags must have at least one entry");
      if (d.names.length > 32) throw new LinkError("cannot have more than 32 flags");
      return { kind: "flags", names: d.names };
    case "enum":
      if (d.names.length === 0) throw new LinkError("enum type must have at least one variant");
      return { kind: "enum", names: d.names };
    case "option":
      return { kind: "option", type: v(d.type) };
    case "result":
      return {
        kind: "result",
        ...(d.ok === undefined ? {} : { ok: v(d.ok) }),
        ...(d.err === undefined ? {} : { err: v(d.err) }),
      };
    case "own":
    case "borrow":
      return { kind: d.kind, resource: resolveResource(scope, d.type) };
    case "stream":
    case "future": {
      if (d.element === undefined) return { kind: d.kind };
      const element = v(d.element);
      if (d.kind === "stream" && element === "char") {
        // a stream of chars would split code points across reads (wasmparser's rule)
        throw new LinkError("`stream<char>` is not valid at this time");
      }
      return { kind: d.kind, element };
    }
    case "map":
      return { kind: "map", key: v(d.key), value: v(d.value) };
  }
}

function funcTypeAt(scope: TypeScope, index: number): TypeFunc {
  const t = typeAt(scope, index);
  if (typeof t === "string" || t.kind !== "func") {
    throw new LinkError(`type index ${index} is not a function type`);
  }
  return t;
}

function instanceTypeAt(scope: TypeScope, index: number): TypeInstance {
  const t = typeAt(scope, index);
  if (typeof t === "string" || t.kind !== "instance") {
    throw new LinkError(`type index ${index} is not an instance type`);
  }
  return t;
}

function componentTypeAt(scope: TypeScope, index: number): TypeComponent {
  const t = typeAt(scope, index);
  if (typeof t === "string" || t.kind !== "component") {
    throw new LinkError(`type index ${index} is not a component type`);
  }
  return t;
}

function moduleTypeAt(scope: TypeScope, index: number): TypeModule {
  const t = coreTypeAt(scope, index);
  if (!("kind" in t) || t.kind !== "module") {
    throw new LinkError(`core type index ${index} is not a module type`);
  }
  return t;
}

/**
 * Resolve an `externtype` (the type of an import or export).
 * @param scope The scope.
 * @param t The parsed extern type.
 * @param name The import/export name, used to name fresh resources.
 * @param fresh Makes the resource of a `(sub resource)` bound (default: the scope's).
 * @returns The described type.
 */
export function resolveExternType(
  scope: TypeScope,
  t: ExternType,
  name?: string,
  fresh: (name?: string) => TypeResource = (n) => scope.freshResource(n),
): ExternDesc {
  return descDepth(resolveExternTypeShallow(scope, t, name, fresh));
}

function resolveExternTypeShallow(
  scope: TypeScope,
  t: ExternType,
  name: string | undefined,
  fresh: (name?: string) => TypeResource,
): ExternDesc {
  switch (t.kind) {
    case "module":
      return { kind: "module", type: moduleTypeAt(scope, t.type) };
    case "func":
      return { kind: "func", type: funcTypeAt(scope, t.type) };
    case "value":
      return { kind: "value", type: resolveValType(scope, t.type) };
    case "type":
      return {
        kind: "type",
        type: t.bound.kind === "eq" ? typeAt(scope, t.bound.type) : fresh(name),
      };
    case "component":
      return { kind: "component", type: componentTypeAt(scope, t.type) };
    case "instance":
      return { kind: "instance", type: instanceTypeAt(scope, t.type) };
  }
}

/** A scope for the declarations of a component or instance type. */
class DeclScope implements TypeScope {
  readonly types: AnyType[] = [];
  readonly coreTypes: CoreTypeEntry[] = [];
  readonly instances: TypeInstance[] = [];
  readonly #parent: TypeScope;
  readonly #parentTypes: number;
  readonly #parentCoreTypes: number;
  readonly typeTable?: TypeTable;

  constructor(parent: TypeScope) {
    this.#parent = parent;
    if (parent.typeTable !== undefined) this.typeTable = parent.typeTable;
    this.#parentTypes = parent.types.length;
    this.#parentCoreTypes = parent.coreTypes.length;
  }

  outer(count: number): OuterView | undefined {
    if (count === 1) {
      return {
        types: this.#parent.types,
        typeLimit: this.#parentTypes,
        coreTypes: this.#parent.coreTypes,
        coreTypeLimit: this.#parentCoreTypes,
      };
    }
    return this.#parent.outer(count - 1);
  }

  /** A type's own declarations only make placeholders, whatever the scope around. */
  freshResource(name?: string): TypeResource {
    return this.#parent.abstractResource(name);
  }

  abstractResource(name?: string): TypeResource {
    return this.#parent.abstractResource(name);
  }
}

/**
 * Resolve an outer alias of a type or core type.
 * @param scope The scope the alias appears in.
 * @param count How many scopes out.
 * @param index The index there.
 * @param core Whether it is a core type.
 * @returns The aliased type.
 */
export function outerType(
  scope: TypeScope,
  count: number,
  index: number,
  core: boolean,
): AnyType | CoreTypeEntry {
  if (count === 0) return core ? coreTypeAt(scope, index) : typeAt(scope, index);
  const view = scope.outer(count);
  if (view === undefined) throw new LinkError(`invalid outer alias count of ${count}`);
  const limit = core ? view.coreTypeLimit : view.typeLimit;
  if (index >= limit) {
    throw new LinkError(
      `outer ${core ? "core type" : "type"} index ${index} out of bounds (${limit} defined)`,
    );
  }
  return core ? view.coreTypes[index] : view.types[index];
}

function declAlias(scope: DeclScope, a: Alias): void {
  if (a.kind === "outer") {
    if (a.sort === "type") scope.types.push(outerType(scope, a.count, a.index, false) as AnyType);
    else if (a.sort === "core-type") {
      scope.coreTypes.push(outerType(scope, a.count, a.index, true) as CoreTypeEntry);
    } else throw new LinkError(`outer aliases in type declarations cannot alias ${an(a.sort)}`);
    return;
  }
  if (a.kind === "instance-export") {
    const inst = scope.instances[a.instance];
    if (inst === undefined) throw new LinkError(`instance index ${a.instance} out of bounds`);
    const e = inst.exports.get(a.name);
    if (e === undefined) {
      throw new LinkError(`instance ${a.instance} has no export named \`${a.name}\``);
    }
    if (a.sort === "type" && e.kind === "type") scope.types.push(e.type);
    else if (a.sort === "instance" && e.kind === "instance") scope.instances.push(e.type);
    else throw new LinkError(`export \`${a.name}\` of instance ${a.instance} is not ${an(a.sort)}`);
    return;
  }
  throw new LinkError("core instance export aliases are not allowed in type declarations");
}

function addDecl(scope: DeclScope, desc: ExternDesc): void {
  if (desc.kind === "type") scope.types.push(desc.type);
  else if (desc.kind === "instance") scope.instances.push(desc.type);
}

function resolveDecls(
  parent: TypeScope,
  decls: readonly TypeDecl[],
  component: boolean,
): { imports: Map<string, ExternDesc>; exports: Map<string, ExternDesc> } {
  const scope = new DeclScope(parent);
  const imports = new Map<string, ExternDesc>();
  const exports = new Map<string, ExternDesc>();
  for (const d of decls) {
    switch (d.kind) {
      case "core-type":
        for (const x of resolveCoreTypeDef(scope, d.type)) scope.coreTypes.push(x);
        break;
      case "type":
        if (d.type.kind === "resource") {
          throw new LinkError("resources can only be defined within a concrete component");
        }
        scope.types.push(resolveTypeDef(scope, d.type));
        break;
      case "alias":
        declAlias(scope, d.alias);
        break;
      case "import":
      case "export": {
        const map = d.kind === "import" ? imports : exports;
        if (map.has(d.name.name)) {
          throw new LinkError(`duplicate ${d.kind} name \`${d.name.name}\``);
        }
        if (d.kind === "import" && !component) throw new LinkError("instance types cannot import");
        const desc = resolveExternType(scope, d.type, d.name.name);
        map.set(d.name.name, desc);
        addDecl(scope, desc);
        break;
      }
    }
  }
  return { imports, exports };
}

/** Refuse a parameter name given twice (pairwise for the usual few, with a set past 8). */
function checkParamNames(params: readonly { readonly name: string }[]): void {
  const n = params.length;
  if (n <= 8) {
    for (let i = 1; i < n; i++) {
      for (let j = 0; j < i; j++) {
        if (params[j].name === params[i].name) {
          throw new LinkError(`duplicate parameter name \`${params[i].name}\``);
        }
      }
    }
    return;
  }
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) throw new LinkError(`duplicate parameter name \`${p.name}\``);
    seen.add(p.name);
  }
}

/**
 * Resolve a type definition (anything but a resource definition, which
 * needs a component instance and is the inliner's to make).
 * @param scope The scope.
 * @param t The parsed type definition.
 * @returns The type.
 */
export function resolveTypeDef(scope: TypeScope, t: TypeDef): AnyType {
  switch (t.kind) {
    case "defined":
      return resolveDefined(scope, t.type);
    case "func": {
      const n = t.params.length;
      checkParamNames(t.params);
      const types: InterfaceType[] = [];
      for (let i = 0; i < n; i++) types.push(resolveValType(scope, t.params[i].type));
      const result = t.result === undefined ? undefined : resolveValType(scope, t.result);
      // equal function types are one object (see TypeTable): looked up before one is made
      const table = scope.typeTable;
      let key: string | undefined;
      if (table !== undefined) {
        key = t.async ? "Fa(" : "F(";
        for (let i = 0; i < n; i++) {
          key += `${i === 0 ? "" : ","}${t.params[i].name}:${idOf(types[i])}`;
        }
        key += result === undefined ? ")" : `)${idOf(result)}`;
        const seen = table.get(key);
        if (seen !== undefined) return seen;
      }
      const params = t.params.map((p, i) => ({ name: p.name, type: types[i] }));
      let f: TypeFunc;
      if (result === undefined) {
        f = nested<TypeFunc>({ kind: "func", async: t.async, params }, params.map((p) => p.type));
      } else {
        if (some(result, (u) => typeof u !== "string" && u.kind === "borrow")) {
          throw new LinkError("function results cannot contain `borrow` handles");
        }
        f = nested<TypeFunc>(
          { kind: "func", async: t.async, params, result },
          [...params.map((p) => p.type), result],
        );
      }
      if (key !== undefined) table!.set(key, f);
      return f;
    }
    case "instance": {
      const { exports } = resolveDecls(scope, t.decls, false);
      return nested<TypeInstance>({ kind: "instance", exports }, [...exports.values()]);
    }
    case "component": {
      const { imports, exports } = resolveDecls(scope, t.decls, true);
      return nested<TypeComponent>({ kind: "component", imports, exports }, [
        ...imports.values(),
        ...exports.values(),
      ]);
    }
    case "resource":
      throw new LinkError("resources can only be defined within a concrete component");
  }
}

function coreEntity(types: readonly CoreTypeEntry[], t: CoreExternType): CoreEntityType {
  switch (t.kind) {
    case "func":
    case "tag": {
      const sig = types[t.type];
      if (sig === undefined || "kind" in sig) {
        throw new LinkError(`core type index ${t.type} is not a function type`);
      }
      return { kind: t.kind, type: sig };
    }
    case "memory":
      return {
        kind: "memory",
        memory64: t.memory64,
        shared: t.shared,
        min: t.min,
        ...(t.max === undefined ? {} : { max: t.max }),
        ...(t.pageSizeLog2 === undefined ? {} : { pageSizeLog2: t.pageSizeLog2 }),
      };
    case "table":
      return {
        kind: "table",
        element: t.element,
        table64: t.table64,
        shared: t.shared,
        min: t.min,
        ...(t.max === undefined ? {} : { max: t.max }),
      };
    case "global":
      return { kind: "global", type: t.type, mutable: t.mutable, shared: t.shared };
  }
}

/**
 * The entity type of a core import or export, given its module's type space.
 * @param types The module's core type space.
 * @param t The parsed extern type.
 * @returns The entity type.
 */
export function coreEntityType(
  types: readonly CoreTypeEntry[],
  t: CoreExternType,
): CoreEntityType {
  return coreEntity(types, t);
}

/**
 * Resolve a core type definition: a recursion group (several types) or a
 * module type (one).
 * @param scope The scope.
 * @param t The parsed core type.
 * @returns The entries it adds to the core type space.
 */
export function resolveCoreTypeDef(scope: TypeScope, t: CoreTypeDef): CoreTypeEntry[] {
  if (t.kind === "rec") return [...t.types];
  const local: CoreTypeEntry[] = [];
  const imports: TypeModule["imports"][number][] = [];
  const exports = new Map<string, CoreEntityType>();
  for (const d of t.decls) {
    switch (d.kind) {
      case "type":
        for (const x of d.type.types) local.push(x);
        break;
      case "alias": {
        // Count 0 is the module type's own space; 1 is the scope around it.
        const aliased = d.count === 0
          ? local[d.index]
          : outerType(scope, d.count - 1, d.index, true) as CoreTypeEntry;
        if (aliased === undefined) {
          throw new LinkError(`core type index ${d.index} out of bounds in module type`);
        }
        if ("kind" in aliased) throw new LinkError("module types cannot alias a module type");
        local.push(aliased);
        break;
      }
      case "import":
        imports.push({
          module: d.import.module,
          name: d.import.name,
          type: coreEntity(local, d.import.type),
        });
        break;
      case "export":
        if (exports.has(d.name)) throw new LinkError(`duplicate export name \`${d.name}\``);
        exports.set(d.name, coreEntity(local, d.type));
        break;
    }
  }
  return [{ kind: "module", imports, exports }];
}

/**
 * The module type of a core module, from its decoded imports and exports.
 * @param m The decoded module.
 * @returns Its type: what it imports and exports.
 * @throws {LinkError} When an export names an item that does not exist.
 */
export function moduleTypeOf(m: CoreModuleInfo): TypeModule {
  const types = m.types;
  // one entity per function type, however many imports and exports have it
  const funcEntities = new Map<number, CoreEntityType>();
  const funcEntity = (type: number): CoreEntityType => {
    let t = funcEntities.get(type);
    if (t === undefined) funcEntities.set(type, t = coreEntity(types, { kind: "func", type }));
    return t;
  };
  const imports = m.imports.map((i) => ({
    module: i.module,
    name: i.name,
    type: i.type.kind === "func" ? funcEntity(i.type.type) : coreEntity(types, i.type),
  }));
  const exports = new Map<string, CoreEntityType>();
  const space = {
    func: m.funcs,
    memory: m.memories,
    table: m.tables,
    global: m.globals,
    tag: m.tags,
  };
  for (const e of m.exports) {
    if (e.index >= space[e.kind].length) {
      throw new LinkError(
        `module export \`${e.name}\` names ${e.kind} ${e.index}, which does not exist`,
      );
    }
    let t: CoreEntityType;
    switch (e.kind) {
      case "func":
        t = funcEntity(m.funcs[e.index]);
        break;
      case "memory":
        t = coreEntity(types, m.memories[e.index]);
        break;
      case "table":
        t = coreEntity(types, m.tables[e.index]);
        break;
      case "global":
        t = coreEntity(types, m.globals[e.index]);
        break;
      case "tag":
        t = coreEntity(types, m.tags[e.index]);
        break;
    }
    exports.set(e.name, t);
  }
  return { kind: "module", imports, exports };
}
