/**
 * `Payload`: what the parser emits, one per decoded section (or per nested
 * component boundary), in input order.
 *
 * @module
 */

import type { CoreModuleInfo } from "./module.ts";
import type {
  Alias,
  Canon,
  CoreInstance,
  CoreTypeDef,
  Export,
  Import,
  Instance,
  Start,
  TypeDef,
  Value,
} from "./items.ts";

/** A byte range of the input: `[start, end)`, absolute offsets. */
export interface Range {
  /** Offset of the first byte. */
  readonly start: number;
  /** Offset just past the last byte. */
  readonly end: number;
}

/** A section holding a vector of items. */
export interface ItemsPayload<K extends string, T> {
  /** The section kind. */
  readonly kind: K;
  /** The whole section, header included. */
  readonly range: Range;
  /** The decoded items, in order. */
  readonly items: readonly T[];
}

/** A component starts: the root (depth 0) or a nested one (component section). */
export interface ComponentBeginPayload {
  /** Discriminant. */
  readonly kind: "component-begin";
  /** 0 for the root, 1 for a component nested in it, ... */
  readonly depth: number;
  /** Offset of the component's preamble. */
  readonly offset: number;
  /** Offset just past the component's last byte; `null` for the root, which ends with the input. */
  readonly end: number | null;
}

/** A component ends. */
export interface ComponentEndPayload {
  /** Discriminant. */
  readonly kind: "component-end";
  /** Depth of the component that ends. */
  readonly depth: number;
  /** Offset just past its last byte. */
  readonly offset: number;
}

/** The input ends: the last payload. */
export interface EndPayload {
  /** Discriminant. */
  readonly kind: "end";
  /** Total bytes read. */
  readonly offset: number;
}

/** A custom section (id 0). */
export interface CustomPayload {
  /** Discriminant. */
  readonly kind: "custom";
  /** The whole section. */
  readonly range: Range;
  /** The section name. */
  readonly name: string;
  /** The section's contents after its name (a view of the input). */
  readonly data: Uint8Array;
}

/** A core module (section id 1), decoded for the inliner. */
export interface ModulePayload extends CoreModuleInfo {
  /** Discriminant. */
  readonly kind: "module";
  /** The whole section. */
  readonly range: Range;
  /** The module's bytes, preamble included: a zero-copy view when the input allows. */
  readonly bytes: Uint8Array;
}

/** The start section (id 9). */
export interface StartPayload {
  /** Discriminant. */
  readonly kind: "start";
  /** The whole section. */
  readonly range: Range;
  /** The start definition. */
  readonly start: Start;
}

/** One decoded unit of a component binary. */
export type Payload =
  | ComponentBeginPayload
  | ComponentEndPayload
  | EndPayload
  | CustomPayload
  | ModulePayload
  | ItemsPayload<"core-instance", CoreInstance>
  | ItemsPayload<"core-type", CoreTypeDef>
  | ItemsPayload<"instance", Instance>
  | ItemsPayload<"alias", Alias>
  | ItemsPayload<"type", TypeDef>
  | ItemsPayload<"canon", Canon>
  | StartPayload
  | ItemsPayload<"import", Import>
  | ItemsPayload<"export", Export>
  | ItemsPayload<"value", Value>;

/** The `kind` of every payload. */
export type PayloadKind = Payload["kind"];
