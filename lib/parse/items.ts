/**
 * The decoded items of component and core sections, exactly as the binary
 * says them: indices are still relative to their index spaces, and nothing
 * is resolved (that is the inliner's job). Names follow Binary.md.
 *
 * @module
 */

// ---------------------------------------------------------------------------
// Core types

/** A core number, vector or reference type. */
export type CoreValType =
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "v128"
  | CoreRefType;

/** An abstract heap type of the GC proposal. */
export type AbstractHeapType =
  | "func"
  | "extern"
  | "any"
  | "eq"
  | "i31"
  | "struct"
  | "array"
  | "none"
  | "nofunc"
  | "noextern"
  | "exn"
  | "noexn";

/** A reference type: `(ref null? heap)`, where heap is abstract or a type index. */
export interface CoreRefType {
  /** Discriminant. */
  readonly kind: "ref";
  /** Whether `null` is a value of the type. */
  readonly nullable: boolean;
  /** An abstract heap type or a core type index. */
  readonly heap: AbstractHeapType | number;
}

/** A struct or array field: a value type or a packed `i8`/`i16`. */
export interface CoreFieldType {
  /** The stored type. */
  readonly type: CoreValType | "i8" | "i16";
  /** Whether the field is mutable. */
  readonly mutable: boolean;
}

/** A core function type. */
export interface CoreFuncType {
  /** Discriminant. */
  readonly kind: "func";
  /** Parameter types. */
  readonly params: readonly CoreValType[];
  /** Result types. */
  readonly results: readonly CoreValType[];
}

/** A GC struct type. */
export interface CoreStructType {
  /** Discriminant. */
  readonly kind: "struct";
  /** The fields, in order. */
  readonly fields: readonly CoreFieldType[];
}

/** A GC array type. */
export interface CoreArrayType {
  /** Discriminant. */
  readonly kind: "array";
  /** The element field. */
  readonly element: CoreFieldType;
}

/** A composite type: function, struct or array. */
export type CoreCompositeType = CoreFuncType | CoreStructType | CoreArrayType;

/**
 * One entry of a core type index space. Plain types are final with no
 * supertypes; `sub`/`sub final` forms carry theirs.
 */
export interface CoreSubType {
  /** Whether the type is final (cannot be a supertype). */
  readonly final: boolean;
  /** Declared supertypes (type indices). */
  readonly supertypes: readonly number[];
  /** The composite type. */
  readonly type: CoreCompositeType;
}

/** Limits of a table or memory. */
export interface CoreLimits {
  /** Minimum size (pages or elements). */
  readonly min: bigint;
  /** Maximum size, if declared. */
  readonly max?: bigint;
}

/** A core memory type. */
export interface CoreMemoryType extends CoreLimits {
  /** Discriminant. */
  readonly kind: "memory";
  /** 64-bit addresses (memory64). */
  readonly memory64: boolean;
  /** Shared between threads. */
  readonly shared: boolean;
  /** log2 of the page size when the custom-page-sizes proposal sets one. */
  readonly pageSizeLog2?: number;
}

/** A core table type. */
export interface CoreTableType extends CoreLimits {
  /** Discriminant. */
  readonly kind: "table";
  /** The element reference type. */
  readonly element: CoreRefType;
  /** 64-bit indices (table64). */
  readonly table64: boolean;
  /** Shared between threads. */
  readonly shared: boolean;
}

/** A core global type. */
export interface CoreGlobalType {
  /** Discriminant. */
  readonly kind: "global";
  /** The value type. */
  readonly type: CoreValType;
  /** Whether the global is mutable. */
  readonly mutable: boolean;
  /** Shared between threads. */
  readonly shared: boolean;
}

/** A core function import/export type: an index into the core type space. */
export interface CoreFuncRef {
  /** Discriminant. */
  readonly kind: "func";
  /** Core type index of the function's signature. */
  readonly type: number;
}

/** A core exception tag type. */
export interface CoreTagType {
  /** Discriminant. */
  readonly kind: "tag";
  /** Core type index of the tag's signature. */
  readonly type: number;
}

/** The type of a core import or export. */
export type CoreExternType =
  | CoreFuncRef
  | CoreTableType
  | CoreMemoryType
  | CoreGlobalType
  | CoreTagType;

/** A core import: `(import "module" "name" type)`. */
export interface CoreImport {
  /** The first-level name. */
  readonly module: string;
  /** The second-level name. */
  readonly name: string;
  /** What is imported. */
  readonly type: CoreExternType;
}

/** The kinds of core definitions an export can name. */
export type CoreExternKind = "func" | "table" | "memory" | "global" | "tag";

/** A core module export. */
export interface CoreExport {
  /** The export name. */
  readonly name: string;
  /** What kind of definition. */
  readonly kind: CoreExternKind;
  /** Index in that kind's index space. */
  readonly index: number;
}

/** A declaration inside a core module type. */
export type CoreModuleDecl =
  | { readonly kind: "import"; readonly import: CoreImport }
  | { readonly kind: "type"; readonly type: CoreRecGroup }
  | { readonly kind: "alias"; readonly count: number; readonly index: number }
  | {
    readonly kind: "export";
    readonly name: string;
    readonly type: CoreExternType;
  };

/** A recursion group: one or more core types defined together. */
export interface CoreRecGroup {
  /** Discriminant. */
  readonly kind: "rec";
  /** Whether it was written as an explicit `(rec ...)` group. */
  readonly explicit: boolean;
  /** The types, each taking one index. */
  readonly types: readonly CoreSubType[];
}

/** A core module type. */
export interface CoreModuleType {
  /** Discriminant. */
  readonly kind: "module";
  /** The declarations. */
  readonly decls: readonly CoreModuleDecl[];
}

/** An item of a component's core type section. */
export type CoreTypeDef = CoreRecGroup | CoreModuleType;

// ---------------------------------------------------------------------------
// Sorts and names

/** The core sorts. */
export type CoreSort =
  | "func"
  | "table"
  | "memory"
  | "global"
  | "tag"
  | "type"
  | "module"
  | "instance";

/** The component sorts; core ones are prefixed with `core-`. */
export type Sort =
  | `core-${CoreSort}`
  | "func"
  | "value"
  | "type"
  | "component"
  | "instance";

/** An extern name with the attributes Binary.md allows on it. */
export interface ExternName {
  /** The name itself (`"a:b/c@1.0.0"`, `"[method]r.m"`, `"f"`, ...). */
  readonly name: string;
  /** `(implements "...")`. */
  readonly implements?: string;
  /** `(versionsuffix "...")`. */
  readonly versionSuffix?: string;
  /** `(external-id "...")`. */
  readonly externalId?: string;
}

// ---------------------------------------------------------------------------
// Component types

/** The primitive value types. */
export type PrimitiveValType =
  | "bool"
  | "s8"
  | "u8"
  | "s16"
  | "u16"
  | "s32"
  | "u32"
  | "s64"
  | "u64"
  | "f32"
  | "f64"
  | "char"
  | "string"
  | "error-context";

/** A value type: a primitive, or an index into the component type space. */
export type ValType = PrimitiveValType | number;

/** A record field or function parameter: a label and its type. */
export interface LabeledValType {
  /** The label. */
  readonly name: string;
  /** The type. */
  readonly type: ValType;
}

/** A variant case. */
export interface VariantCase {
  /** The label. */
  readonly name: string;
  /** The payload type, if any. */
  readonly type?: ValType;
}

/** A defined value type (`defvaltype`). */
export type DefinedValType =
  | { readonly kind: "primitive"; readonly type: PrimitiveValType }
  | { readonly kind: "record"; readonly fields: readonly LabeledValType[] }
  | { readonly kind: "variant"; readonly cases: readonly VariantCase[] }
  | { readonly kind: "list"; readonly element: ValType; readonly length?: number }
  | { readonly kind: "tuple"; readonly types: readonly ValType[] }
  | { readonly kind: "flags"; readonly names: readonly string[] }
  | { readonly kind: "enum"; readonly names: readonly string[] }
  | { readonly kind: "option"; readonly type: ValType }
  | { readonly kind: "result"; readonly ok?: ValType; readonly err?: ValType }
  | { readonly kind: "own"; readonly type: number }
  | { readonly kind: "borrow"; readonly type: number }
  | { readonly kind: "stream"; readonly element?: ValType }
  | { readonly kind: "future"; readonly element?: ValType }
  | { readonly kind: "map"; readonly key: ValType; readonly value: ValType };

/** A component function type. */
export interface FuncType {
  /** Discriminant. */
  readonly kind: "func";
  /** `(func async ...)`. */
  readonly async: boolean;
  /** Named parameters. */
  readonly params: readonly LabeledValType[];
  /** The result type, if any. */
  readonly result?: ValType;
}

/** A resource type definition. */
export interface ResourceType {
  /** Discriminant. */
  readonly kind: "resource";
  /** The core representation type (`i32`). */
  readonly rep: CoreValType;
  /** Core function index of the destructor, if any. */
  readonly dtor?: number;
}

/** What an import or export declares. */
export type ExternType =
  | { readonly kind: "module"; readonly type: number }
  | { readonly kind: "func"; readonly type: number }
  | { readonly kind: "value"; readonly type: ValType }
  | {
    readonly kind: "type";
    readonly bound: { readonly kind: "eq"; readonly type: number } | {
      readonly kind: "sub-resource";
    };
  }
  | { readonly kind: "component"; readonly type: number }
  | { readonly kind: "instance"; readonly type: number };

/** A declaration inside a component or instance type. */
export type TypeDecl =
  | { readonly kind: "core-type"; readonly type: CoreTypeDef }
  | { readonly kind: "type"; readonly type: TypeDef }
  | { readonly kind: "alias"; readonly alias: Alias }
  | { readonly kind: "export"; readonly name: ExternName; readonly type: ExternType }
  | { readonly kind: "import"; readonly name: ExternName; readonly type: ExternType };

/** A component type. */
export interface ComponentType {
  /** Discriminant. */
  readonly kind: "component";
  /** The declarations (imports allowed). */
  readonly decls: readonly TypeDecl[];
}

/** An instance type. */
export interface InstanceType {
  /** Discriminant. */
  readonly kind: "instance";
  /** The declarations (no imports). */
  readonly decls: readonly TypeDecl[];
}

/** An item of a component type section. */
export type TypeDef =
  | { readonly kind: "defined"; readonly type: DefinedValType }
  | FuncType
  | ComponentType
  | InstanceType
  | ResourceType;

// ---------------------------------------------------------------------------
// Instances, aliases, canon, imports, exports, start, values

/** An item of the core instance section. */
export type CoreInstance =
  | {
    readonly kind: "instantiate";
    readonly module: number;
    readonly args: readonly { readonly name: string; readonly instance: number }[];
  }
  | {
    readonly kind: "from-exports";
    readonly exports: readonly {
      readonly name: string;
      readonly sort: CoreSort;
      readonly index: number;
    }[];
  };

/** A `sortidx`: a sort and an index into its space. */
export interface SortIndex {
  /** The sort. */
  readonly sort: Sort;
  /** The index. */
  readonly index: number;
}

/** An item of the component instance section. */
export type Instance =
  | {
    readonly kind: "instantiate";
    readonly component: number;
    readonly args: readonly ({ readonly name: string } & SortIndex)[];
  }
  | {
    readonly kind: "from-exports";
    readonly exports: readonly ({ readonly name: ExternName } & SortIndex)[];
  };

/** An item of the alias section. */
export type Alias =
  | {
    readonly kind: "instance-export";
    readonly sort: Sort;
    readonly instance: number;
    readonly name: string;
  }
  | {
    readonly kind: "core-instance-export";
    readonly sort: Sort;
    readonly instance: number;
    readonly name: string;
  }
  | {
    readonly kind: "outer";
    readonly sort: Sort;
    readonly count: number;
    readonly index: number;
  };

/** The string encodings a canonical option can choose. */
export type StringEncoding = "utf8" | "utf16" | "latin1+utf16";

/** Canonical options, as written (absent options are `undefined`). */
export interface CanonOptions {
  /** `string-encoding=...`; absent means the default, utf8. */
  readonly stringEncoding?: StringEncoding;
  /** `(memory m)`: a core memory index. */
  readonly memory?: number;
  /** `(realloc f)`: a core function index. */
  readonly realloc?: number;
  /** `(post-return f)`: a core function index. */
  readonly postReturn?: number;
  /** `async`. */
  readonly async?: true;
  /** `(callback f)`: a core function index. */
  readonly callback?: number;
}

/** An item of the canon section; `kind` is the built-in's name in the text format. */
export type Canon =
  | {
    readonly kind: "lift";
    readonly coreFunc: number;
    readonly options: CanonOptions;
    readonly type: number;
  }
  | { readonly kind: "lower"; readonly func: number; readonly options: CanonOptions }
  | {
    readonly kind: "resource.new" | "resource.drop" | "resource.rep";
    readonly type: number;
  }
  | {
    readonly kind:
      | "backpressure.inc"
      | "backpressure.dec"
      | "task.cancel"
      | "subtask.drop"
      | "error-context.drop"
      | "waitable-set.new"
      | "waitable-set.drop"
      | "waitable.join"
      | "thread.index"
      | "thread.resume-later";
  }
  | {
    readonly kind: "task.return";
    readonly result?: ValType;
    readonly options: CanonOptions;
  }
  | {
    readonly kind: "context.get" | "context.set";
    readonly type: CoreValType;
    readonly index: number;
  }
  | { readonly kind: "subtask.cancel"; readonly async: boolean }
  | {
    readonly kind:
      | "stream.new"
      | "stream.drop-readable"
      | "stream.drop-writable"
      | "future.new"
      | "future.drop-readable"
      | "future.drop-writable";
    readonly type: number;
  }
  | {
    readonly kind: "stream.read" | "stream.write" | "future.read" | "future.write";
    readonly type: number;
    readonly options: CanonOptions;
  }
  | {
    readonly kind:
      | "stream.cancel-read"
      | "stream.cancel-write"
      | "future.cancel-read"
      | "future.cancel-write";
    readonly type: number;
    readonly async: boolean;
  }
  | {
    readonly kind: "error-context.new" | "error-context.debug-message";
    readonly options: CanonOptions;
  }
  | {
    readonly kind: "waitable-set.wait" | "waitable-set.poll";
    readonly cancellable: boolean;
    readonly memory: number;
  }
  | {
    readonly kind:
      | "thread.suspend"
      | "thread.yield"
      | "thread.suspend-then-resume"
      | "thread.yield-then-resume"
      | "thread.suspend-then-promote"
      | "thread.yield-then-promote";
    readonly cancellable: boolean;
  }
  | {
    readonly kind: "thread.new-indirect";
    readonly coreType: number;
    readonly table: number;
  }
  | {
    readonly kind: "thread.spawn-ref";
    readonly shared: boolean;
    readonly coreType: number;
  }
  | {
    readonly kind: "thread.spawn-indirect";
    readonly shared: boolean;
    readonly coreType: number;
    readonly table: number;
  }
  | { readonly kind: "thread.available-parallelism"; readonly shared: boolean };

/** A component import. */
export interface Import {
  /** The import name. */
  readonly name: ExternName;
  /** What is imported. */
  readonly type: ExternType;
}

/** A component export. */
export interface Export {
  /** The export name. */
  readonly name: ExternName;
  /** What is exported. */
  readonly sort: Sort;
  /** Index in that sort's space. */
  readonly index: number;
  /** An ascribed type, when given. */
  readonly type?: ExternType;
}

/** The start definition. */
export interface Start {
  /** The component function to call. */
  readonly func: number;
  /** Value indices of the arguments. */
  readonly args: readonly number[];
  /** How many result values it defines. */
  readonly results: number;
}

/** A value definition: its type and its still-encoded bytes. */
export interface Value {
  /** The value's type. */
  readonly type: ValType;
  /** The encoded value (a view of the input). */
  readonly bytes: Uint8Array;
}
