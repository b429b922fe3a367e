/**
 * What the index spaces of a component instance hold while it is inlined:
 * definitions (never relative indices), so they can flow across component
 * boundaries through instantiation arguments, aliases and exports.
 *
 * @module
 */

import type { Payload } from "../parse/payload.ts";
import type {
  AnyType,
  CoreEntityType,
  ExternDesc,
  TypeComponent,
  TypeFunc,
  TypeInstance,
  TypeModule,
} from "../types/model.ts";
import type { AdapterOptions, CoreDef, ImportPath, ModuleId } from "./dfg.ts";

/** A component function. */
export type FuncDef =
  | { readonly kind: "import"; readonly path: ImportPath; readonly type: TypeFunc }
  | {
    readonly kind: "lifted";
    readonly type: TypeFunc;
    readonly func: CoreDef;
    readonly options: AdapterOptions;
  };

/** A component instance. */
export type InstanceDef =
  | { readonly kind: "import"; readonly path: ImportPath; readonly type: TypeInstance }
  | { readonly kind: "items"; readonly exports: ReadonlyMap<string, Item> };

/** Index-space sizes of a frame when a nested definition was made (for outer aliases). */
export interface Limits {
  /** Component types defined. */
  readonly types: number;
  /** Core types defined. */
  readonly coreTypes: number;
  /** Core modules defined. */
  readonly modules: number;
  /** Components defined. */
  readonly components: number;
}

/** A component, not yet instantiated. */
export type ComponentDef =
  | {
    readonly kind: "static";
    /** The payloads strictly inside its component-begin/component-end (kept, or read again). */
    readonly body: Iterable<Payload>;
    /** The frame it was defined in (for outer aliases) and what was visible then. */
    readonly outer: OuterFrame;
    /** Where it was defined, for error messages. */
    readonly offset: number;
  }
  | { readonly kind: "import"; readonly path: ImportPath; readonly type: TypeComponent };

/** The lexically enclosing frame of a nested component, as it was at the definition. */
export interface OuterFrame {
  /** The frame (its spaces keep growing; `limits` says what was visible). */
  readonly frame: FrameView;
  /** What was defined when the nested component was. */
  readonly limits: Limits;
}

/** The parts of a frame that outer aliases read. */
export interface FrameView {
  /** Component types. */
  readonly types: readonly AnyType[];
  /** Core types. */
  readonly coreTypes: readonly import("../types/resolve.ts").CoreTypeEntry[];
  /** Core modules. */
  readonly coreModules: readonly ModuleDef[];
  /** Components. */
  readonly components: readonly ComponentDef[];
  /** Its own enclosing frame, if nested. */
  readonly lexicalOuter?: OuterFrame;
}

/** A core module. */
export type ModuleDef =
  | { readonly kind: "static"; readonly id: ModuleId; readonly type: TypeModule }
  | { readonly kind: "import"; readonly path: ImportPath; readonly type: TypeModule };

/** A core item: a function, memory, table, global or tag, and its type. */
export interface CoreItem {
  /** Where it comes from. */
  readonly def: CoreDef;
  /** Its type. */
  readonly type: CoreEntityType;
}

/** A core instance. */
export type CoreInstanceDef =
  | {
    readonly kind: "instantiated";
    readonly id: number;
    readonly exports: ReadonlyMap<string, CoreEntityType>;
  }
  | { readonly kind: "synthetic"; readonly exports: ReadonlyMap<string, CoreItem> };

/** Anything a component-level sort index can name. */
export type Item =
  | { readonly kind: "func"; readonly def: FuncDef }
  | { readonly kind: "instance"; readonly def: InstanceDef }
  | { readonly kind: "type"; readonly type: AnyType }
  | { readonly kind: "component"; readonly def: ComponentDef }
  | { readonly kind: "module"; readonly def: ModuleDef };

/**
 * The stand-in type of a component defined in the binary: its own type is
 * not computed, so it matches any component type, and its imports are
 * matched against the arguments when it is instantiated.
 */
const UNTYPED_COMPONENT: TypeComponent = Object.freeze({
  kind: "component",
  imports: new Map(),
  exports: new Map(),
  untyped: true,
});

/**
 * The described type of an item, for matching it against an import. A
 * component defined in the binary (not imported) has no computed type: it
 * is described as a component of any type (`untyped`), and checked when it
 * is instantiated.
 * @param item The item.
 * @returns Its described type.
 */
export function describeItem(item: Item): ExternDesc {
  switch (item.kind) {
    case "func":
      return { kind: "func", type: item.def.type };
    case "instance": {
      if (item.def.kind === "import") return { kind: "instance", type: item.def.type };
      const exports = new Map<string, ExternDesc>();
      for (const [name, it] of item.def.exports) exports.set(name, describeItem(it));
      return { kind: "instance", type: { kind: "instance", exports } };
    }
    case "type":
      return { kind: "type", type: item.type };
    case "component":
      return {
        kind: "component",
        type: item.def.kind === "import" ? item.def.type : UNTYPED_COMPONENT,
      };
    case "module":
      return { kind: "module", type: item.def.type };
  }
}
