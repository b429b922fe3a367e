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

// Each function returns its argument itself when nothing in it changes (copy on
// write): a type without resources to replace stays the one object the inliner
// interned, with what is memoized for it (layouts, flat types, depth).

/** The list mapped by `g`, or the list itself when every element maps to itself. */
function each<T>(xs: readonly T[], g: (x: T) => T): readonly T[] {
  let out: T[] | undefined;
  for (let i = 0; i < xs.length; i++) {
    const y = g(xs[i]);
    if (out === undefined && y !== xs[i]) out = xs.slice(0, i);
    out?.push(y);
  }
  return out ?? xs;
}

function val(t: InterfaceType, f: ResourceMap): InterfaceType {
  if (typeof t === "string") return t;
  switch (t.kind) {
    case "record": {
      const fields = each(t.fields, (x) => {
        const type = val(x.type, f);
        return type === x.type ? x : { name: x.name, type };
      });
      return fields === t.fields ? t : { kind: "record", fields };
    }
    case "variant": {
      const cases = each(t.cases, (c) => {
        if (c.type === undefined) return c;
        const type = val(c.type, f);
        return type === c.type ? c : { name: c.name, type };
      });
      return cases === t.cases ? t : { kind: "variant", cases };
    }
    case "list": {
      const element = val(t.element, f);
      return element === t.element ? t : { ...t, element };
    }
    case "tuple": {
      const types = each(t.types, (x) => val(x, f));
      return types === t.types ? t : { kind: "tuple", types };
    }
    case "option": {
      const type = val(t.type, f);
      return type === t.type ? t : { kind: "option", type };
    }
    case "result": {
      const ok = t.ok === undefined ? undefined : val(t.ok, f);
      const err = t.err === undefined ? undefined : val(t.err, f);
      if (ok === t.ok && err === t.err) return t;
      return {
        kind: "result",
        ...(ok === undefined ? {} : { ok }),
        ...(err === undefined ? {} : { err }),
      };
    }
    case "own":
    case "borrow": {
      const resource = f(t.resource) ?? t.resource;
      return resource === t.resource ? t : { kind: t.kind, resource };
    }
    case "stream":
    case "future": {
      if (t.element === undefined) return t;
      const element = val(t.element, f);
      return element === t.element ? t : { kind: t.kind, element };
    }
    case "map": {
      const key = val(t.key, f);
      const value = val(t.value, f);
      return key === t.key && value === t.value ? t : { kind: "map", key, value };
    }
    default:
      return t;
  }
}

function func(t: TypeFunc, f: ResourceMap): TypeFunc {
  const params = each(t.params, (p) => {
    const type = val(p.type, f);
    return type === p.type ? p : { name: p.name, type };
  });
  const result = t.result === undefined ? undefined : val(t.result, f);
  if (params === t.params && result === t.result) return t;
  return result === undefined
    ? { kind: "func", async: t.async, params }
    : { kind: "func", async: t.async, params, result };
}

function any(t: AnyType, f: ResourceMap): AnyType {
  if (typeof t === "string") return t;
  switch (t.kind) {
    case "resource":
      return f(t) ?? t;
    case "func":
      return func(t, f);
    case "instance": {
      const exports = map(t.exports, f);
      return exports === t.exports ? t : { kind: "instance", exports };
    }
    case "component": {
      if (t.untyped) return t;
      const imports = map(t.imports, f);
      const exports = map(t.exports, f);
      return imports === t.imports && exports === t.exports
        ? t
        : { kind: "component", imports, exports };
    }
    default:
      return val(t, f);
  }
}

/** The map with its types substituted, or the map itself when none changes. */
function map(
  m: ReadonlyMap<string, ExternDesc>,
  f: ResourceMap,
): ReadonlyMap<string, ExternDesc> {
  let out: Map<string, ExternDesc> | undefined;
  let i = 0;
  for (const [k, d] of m) {
    const e = substituteResources(d, f);
    if (out === undefined && e !== d) {
      // the entries before this one are unchanged: copy them
      out = new Map();
      let j = 0;
      for (const [k2, d2] of m) {
        if (j++ === i) break;
        out.set(k2, d2);
      }
    }
    out?.set(k, e);
    i++;
  }
  return out ?? m;
}

/**
 * A described type with resources replaced as `f` says (memoize in `f` so
 * that one resource maps to one replacement everywhere). What holds no
 * replaced resource is returned as it is, not copied.
 * @param d The described type.
 * @param f The replacement.
 * @returns The described type, new where a resource was replaced.
 */
export function substituteResources(d: ExternDesc, f: ResourceMap): ExternDesc {
  switch (d.kind) {
    case "func": {
      const type = func(d.type, f);
      return type === d.type ? d : { kind: "func", type };
    }
    case "instance": {
      const exports = map(d.type.exports, f);
      return exports === d.type.exports
        ? d
        : { kind: "instance", type: { kind: "instance", exports } };
    }
    case "component": {
      if (d.type.untyped) return d;
      const imports = map(d.type.imports, f);
      const exports = map(d.type.exports, f);
      return imports === d.type.imports && exports === d.type.exports
        ? d
        : { kind: "component", type: { kind: "component", imports, exports } };
    }
    case "type": {
      const type = any(d.type, f);
      return type === d.type ? d : { kind: "type", type };
    }
    case "value": {
      const type = val(d.type, f);
      return type === d.type ? d : { kind: "value", type };
    }
    case "module":
      return d;
  }
}
