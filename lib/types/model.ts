/**
 * The resolved component type model: what the parser's index-based types
 * mean once their indices are looked up. Types are plain objects that refer
 * to each other directly, so they flow freely between component instances.
 *
 * Resource types are compared by identity: every `(resource ...)` definition
 * evaluated in a component instance, and every abstract `(sub resource)`
 * import or export, is a fresh {@link TypeResource} object.
 *
 * @module
 */

import type { CoreSubType, CoreValType, PrimitiveValType } from "../parse/items.ts";

/** A resource type: defined in a component instance, or abstract (imported). */
export interface TypeResource {
  /** Discriminant. */
  readonly kind: "resource";
  /** A number unique within one inlining, for printing and keys. */
  readonly id: number;
  /**
   * Where it comes from: `defined` by a component instance; `imported` by
   * the root component (the host supplies it); or `abstract`, a placeholder
   * declared by a type (`(sub resource)`) that stands for whatever resource
   * is supplied where the type is used.
   */
  readonly origin: "defined" | "imported" | "abstract";
  /** The name it was imported or exported under, when known. */
  readonly name?: string;
}

/** A value type. */
export type InterfaceType =
  | PrimitiveValType
  | TypeRecord
  | TypeVariant
  | TypeList
  | TypeTuple
  | TypeFlags
  | TypeEnum
  | TypeOption
  | TypeResult
  | TypeHandle
  | { readonly kind: "stream" | "future"; readonly element?: InterfaceType }
  | { readonly kind: "map"; readonly key: InterfaceType; readonly value: InterfaceType };

/** `record`. */
export interface TypeRecord {
  /** Discriminant. */
  readonly kind: "record";
  /** Fields, in order. */
  readonly fields: readonly { readonly name: string; readonly type: InterfaceType }[];
}

/** `variant`. */
export interface TypeVariant {
  /** Discriminant. */
  readonly kind: "variant";
  /** Cases, in order. */
  readonly cases: readonly { readonly name: string; readonly type?: InterfaceType }[];
}

/** `list`, with `length` for fixed-length lists. */
export interface TypeList {
  /** Discriminant. */
  readonly kind: "list";
  /** Element type. */
  readonly element: InterfaceType;
  /** Fixed length, if any. */
  readonly length?: number;
}

/** `tuple`. */
export interface TypeTuple {
  /** Discriminant. */
  readonly kind: "tuple";
  /** Element types. */
  readonly types: readonly InterfaceType[];
}

/** `flags`. */
export interface TypeFlags {
  /** Discriminant. */
  readonly kind: "flags";
  /** Flag names, in order. */
  readonly names: readonly string[];
}

/** `enum`. */
export interface TypeEnum {
  /** Discriminant. */
  readonly kind: "enum";
  /** Case names, in order. */
  readonly names: readonly string[];
}

/** `option`. */
export interface TypeOption {
  /** Discriminant. */
  readonly kind: "option";
  /** Payload type. */
  readonly type: InterfaceType;
}

/** `result`. */
export interface TypeResult {
  /** Discriminant. */
  readonly kind: "result";
  /** Ok payload, if any. */
  readonly ok?: InterfaceType;
  /** Error payload, if any. */
  readonly err?: InterfaceType;
}

/** `own` or `borrow` of a resource. */
export interface TypeHandle {
  /** Discriminant. */
  readonly kind: "own" | "borrow";
  /** The resource. */
  readonly resource: TypeResource;
}

/** A component function type. */
export interface TypeFunc {
  /** Discriminant. */
  readonly kind: "func";
  /** `func async`. */
  readonly async: boolean;
  /** Named parameters. */
  readonly params: readonly { readonly name: string; readonly type: InterfaceType }[];
  /** The result, if any. */
  readonly result?: InterfaceType;
}

/** A core module type: what it imports and exports. */
export interface TypeModule {
  /** Discriminant. */
  readonly kind: "module";
  /** Imports, in order. */
  readonly imports: readonly {
    readonly module: string;
    readonly name: string;
    readonly type: CoreEntityType;
  }[];
  /** Exports by name. */
  readonly exports: ReadonlyMap<string, CoreEntityType>;
}

/** The type of a core import or export, with function signatures resolved. */
export type CoreEntityType =
  | { readonly kind: "func"; readonly type: CoreSubType }
  | {
    readonly kind: "memory";
    readonly memory64: boolean;
    readonly shared: boolean;
    readonly min: bigint;
    readonly max?: bigint;
    /** log2 of the page size when the custom-page-sizes proposal sets one (else 16). */
    readonly pageSizeLog2?: number;
  }
  | {
    readonly kind: "table";
    readonly element: CoreValType;
    /** 64-bit indices (table64). */
    readonly table64: boolean;
    readonly shared: boolean;
    readonly min: bigint;
    readonly max?: bigint;
  }
  | {
    readonly kind: "global";
    readonly type: CoreValType;
    readonly mutable: boolean;
    readonly shared: boolean;
  }
  | { readonly kind: "tag"; readonly type: CoreSubType };

/** An instance type: named exports. */
export interface TypeInstance {
  /** Discriminant. */
  readonly kind: "instance";
  /** Exports by name, in declaration order. */
  readonly exports: ReadonlyMap<string, ExternDesc>;
}

/** A component type: named imports and exports. */
export interface TypeComponent {
  /** Discriminant. */
  readonly kind: "component";
  /** Imports by name, in declaration order. */
  readonly imports: ReadonlyMap<string, ExternDesc>;
  /** Exports by name, in declaration order. */
  readonly exports: ReadonlyMap<string, ExternDesc>;
  /**
   * Set on the stand-in type of a component defined in the binary, whose own
   * type is not computed (wasmfuse has no component validator): it matches
   * any component type, and its imports are matched against the arguments
   * when it is instantiated. `imports` and `exports` are empty.
   */
  readonly untyped?: true;
}

/** Anything the component type index space can hold. */
export type AnyType = InterfaceType | TypeFunc | TypeInstance | TypeComponent | TypeResource;

/** The described type of an import or export. */
export type ExternDesc =
  | { readonly kind: "func"; readonly type: TypeFunc }
  | { readonly kind: "instance"; readonly type: TypeInstance }
  | { readonly kind: "component"; readonly type: TypeComponent }
  | { readonly kind: "module"; readonly type: TypeModule }
  | { readonly kind: "type"; readonly type: AnyType }
  | { readonly kind: "value"; readonly type: InterfaceType };

/**
 * Whether a type is a value type (as opposed to a func, instance, component
 * or resource type).
 * @param t The type.
 * @returns `true` for value types.
 */
export function isValType(t: AnyType): t is InterfaceType {
  return typeof t === "string" ||
    !(t.kind === "func" || t.kind === "instance" || t.kind === "component" ||
      t.kind === "resource");
}

/**
 * Print a type in WIT-like syntax, e.g. `func(text: string) -> string`.
 * @param t The type.
 * @returns The text.
 */
export function typeToString(t: AnyType): string {
  if (typeof t === "string") return t;
  let text = printed.get(t);
  if (text === undefined) printed.set(t, text = print(t));
  return text;
}

/** Each type's text, printed once (types are immutable). */
const printed = new WeakMap<object, string>();

function print(t: Exclude<AnyType, string>): string {
  switch (t.kind) {
    case "record":
      return `record { ${t.fields.map((f) => `${f.name}: ${typeToString(f.type)}`).join(", ")} }`;
    case "variant":
      return `variant { ${
        t.cases.map((c) => c.type === undefined ? c.name : `${c.name}(${typeToString(c.type)})`)
          .join(", ")
      } }`;
    case "list":
      return t.length === undefined
        ? `list<${typeToString(t.element)}>`
        : `list<${typeToString(t.element)}, ${t.length}>`;
    case "tuple":
      return `tuple<${t.types.map(typeToString).join(", ")}>`;
    case "flags":
      return `flags { ${t.names.join(", ")} }`;
    case "enum":
      return `enum { ${t.names.join(", ")} }`;
    case "option":
      return `option<${typeToString(t.type)}>`;
    case "result": {
      if (t.ok === undefined && t.err === undefined) return "result";
      const ok = t.ok === undefined ? "_" : typeToString(t.ok);
      return t.err === undefined ? `result<${ok}>` : `result<${ok}, ${typeToString(t.err)}>`;
    }
    case "own":
      return `own<${typeToString(t.resource)}>`;
    case "borrow":
      return `borrow<${typeToString(t.resource)}>`;
    case "stream":
    case "future":
      return t.element === undefined ? t.kind : `${t.kind}<${typeToString(t.element)}>`;
    case "map":
      return `map<${typeToString(t.key)}, ${typeToString(t.value)}>`;
    case "resource":
      return t.name === undefined ? `resource#${t.id}` : `${t.name}#${t.id}`;
    case "func": {
      const params = t.params.map((p) => `${p.name}: ${typeToString(p.type)}`).join(", ");
      const result = t.result === undefined ? "" : ` -> ${typeToString(t.result)}`;
      return `${t.async ? "async " : ""}func(${params})${result}`;
    }
    case "instance":
      return `instance { ${[...t.exports.keys()].join(", ")} }`;
    case "component":
      if (t.untyped) return "component";
      return `component { imports: ${[...t.imports.keys()].join(", ")}; exports: ${
        [...t.exports.keys()].join(", ")
      } }`;
  }
}
