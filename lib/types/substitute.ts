/**
 * Replacing resource types inside types, for when a type is used: each root
 * import of an instance or component type gets its own resources, not the
 * placeholders its type declares (two imports of one instance type must not
 * share a resource).
 *
 * @module
 */

import type { AnyType, ExternDesc, InterfaceType, TypeFunc, TypeResource } from "./model.ts";

/** Maps a resource to its replacement, or `undefined` to keep it. */
export type ResourceMap = (r: TypeResource) => TypeResource | undefined;

function val(t: InterfaceType, f: ResourceMap): InterfaceType {
  if (typeof t === "string") return t;
  switch (t.kind) {
    case "record":
      return {
        kind: "record",
        fields: t.fields.map((x) => ({ name: x.name, type: val(x.type, f) })),
      };
    case "variant":
      return {
        kind: "variant",
        cases: t.cases.map((c) =>
          c.type === undefined ? c : { name: c.name, type: val(c.type, f) }
        ),
      };
    case "list":
      return { ...t, element: val(t.element, f) };
    case "tuple":
      return { kind: "tuple", types: t.types.map((x) => val(x, f)) };
    case "option":
      return { kind: "option", type: val(t.type, f) };
    case "result":
      return {
        kind: "result",
        ...(t.ok === undefined ? {} : { ok: val(t.ok, f) }),
        ...(t.err === undefined ? {} : { err: val(t.err, f) }),
      };
    case "own":
    case "borrow":
      return { kind: t.kind, resource: f(t.resource) ?? t.resource };
    case "stream":
    case "future":
      return t.element === undefined ? t : { kind: t.kind, element: val(t.element, f) };
    case "map":
      return { kind: "map", key: val(t.key, f), value: val(t.value, f) };
    default:
      return t;
  }
}

function func(t: TypeFunc, f: ResourceMap): TypeFunc {
  const params = t.params.map((p) => ({ name: p.name, type: val(p.type, f) }));
  return t.result === undefined
    ? { kind: "func", async: t.async, params }
    : { kind: "func", async: t.async, params, result: val(t.result, f) };
}

function any(t: AnyType, f: ResourceMap): AnyType {
  if (typeof t === "string") return t;
  switch (t.kind) {
    case "resource":
      return f(t) ?? t;
    case "func":
      return func(t, f);
    case "instance":
      return { kind: "instance", exports: map(t.exports, f) };
    case "component":
      return t.untyped ? t : {
        kind: "component",
        imports: map(t.imports, f),
        exports: map(t.exports, f),
      };
    default:
      return val(t, f);
  }
}

function map(m: ReadonlyMap<string, ExternDesc>, f: ResourceMap): Map<string, ExternDesc> {
  const out = new Map<string, ExternDesc>();
  for (const [k, d] of m) out.set(k, substituteResources(d, f));
  return out;
}

/**
 * Copy a described type, replacing resources as `f` says (memoize in `f`
 * so that one resource maps to one replacement everywhere).
 * @param d The described type.
 * @param f The replacement.
 * @returns The new described type (module types are returned as they are).
 */
export function substituteResources(d: ExternDesc, f: ResourceMap): ExternDesc {
  switch (d.kind) {
    case "func":
      return { kind: "func", type: func(d.type, f) };
    case "instance":
      return { kind: "instance", type: { kind: "instance", exports: map(d.type.exports, f) } };
    case "component":
      return d.type.untyped ? d : {
        kind: "component",
        type: {
          kind: "component",
          imports: map(d.type.imports, f),
          exports: map(d.type.exports, f),
        },
      };
    case "type":
      return { kind: "type", type: any(d.type, f) };
    case "value":
      return { kind: "value", type: val(d.type, f) };
    case "module":
      return d;
  }
}
