/**
 * What the host gives for a component's imports, checked against the
 * imports' declared types when the component is instantiated, before any
 * core module is: a mismatch is a {@link LinkError} naming the import (its
 * full path, `wasi:cli/stdout@0.2.12#get-stdout`).
 *
 * What a JavaScript value can show is checked: a function for a `func`, an
 * object for an `instance` (each of its exports in turn), a
 * `WebAssembly.Module` for a core module (the kinds of its imports and
 * exports, through `WebAssembly.Module.imports`/`exports`), a class for a
 * resource type. What wasmfuse made itself is known in full, and checked in
 * full: the modules it compiled (their imports' and exports' types), the
 * functions its instances export (their types, resources compared as
 * handles only) and the types they export (resources by identity: each
 * instantiation defines its own).
 *
 * As jco does, the host need not give what the component does not use:
 * a function of an instance (one the component lowers or re-exports is
 * required when it is lowered or exported), a type, an instance that holds
 * only types. Whatever it gives is checked, used or not.
 *
 * @module
 */

import type { ComponentDfg, ExportNode, ImportPath } from "../inline/dfg.ts";
import type { CoreModuleInfo } from "../parse/module.ts";
import { LinkError } from "../types/errors.ts";
import type { AnyType, ExternDesc, TypeFunc, TypeModule, TypeResource } from "../types/model.ts";
import { moduleTypeOf } from "../types/resolve.ts";
import { substituteResources } from "../types/substitute.ts";
import { an, matchExtern, matchModuleType } from "../types/subtype.ts";
import { pascalCase } from "./host.ts";

/** The host side, as the runtime finds values in it. */
export interface ImportSource {
  /** The import object. */
  readonly imports: Readonly<Record<string, unknown>>;
  /** The host value at an import path (by the names jco accepts), or `undefined`. */
  find(path: ImportPath): unknown;
}

/** How strictly missing imports are checked. */
export interface CheckOptions {
  /** Missing imports are not errors here (functions trap when called). */
  readonly trapUnknownImports?: boolean;
}

/** The decoded form of each core module wasmfuse compiled, for its full type. */
const moduleInfo = new WeakMap<WebAssembly.Module, CoreModuleInfo>();
/** Module types computed from {@link moduleInfo}, once each. */
const moduleTypes = new WeakMap<WebAssembly.Module, TypeModule>();
/** The type of each function a wasmfuse instance exports (lifted by it). */
const funcTypes = new WeakMap<object, TypeFunc>();
/** Each type a wasmfuse instance exports: its type, and for a resource its identity. */
const exportedTypes = new WeakMap<
  object,
  { readonly type: AnyType; readonly identity?: object }
>();

/**
 * Remember the decoded form of compiled core modules, so that one given
 * back as an import is checked against the declared module type in full.
 * @param modules The compiled modules.
 * @param info Their decoded forms, in the same order.
 */
export function noteModules(
  modules: readonly WebAssembly.Module[],
  info: readonly CoreModuleInfo[],
): void {
  modules.forEach((m, i) => moduleInfo.set(m, info[i]));
}

/**
 * Remember what an instance's exports are (functions' types, types and the
 * identity of resource types), so that they are checked in full when given
 * to another component as imports.
 * @param dfg The instance's graph.
 * @param exports Its export object.
 * @param source The host side it was instantiated with (an imported resource re-exported is the host's).
 */
export function noteExports(
  dfg: ComponentDfg,
  exports: Readonly<Record<string, unknown>>,
  source: ImportSource,
): void {
  const identities = new Map<TypeResource, object>();
  const nodes = new Map(dfg.resources.map((r) => [r.type, r]));
  const identityOf = (r: TypeResource): object => {
    let id = identities.get(r);
    if (id !== undefined) return id;
    const at = nodes.get(r)?.import;
    const host = at === undefined ? undefined : resourceValue(source, at);
    // a resource the host gave is the host's; one defined here is this instantiation's own
    id = host === undefined ? {} : resourceIdentity(host);
    identities.set(r, id);
    return id;
  };
  const walk = (nodes: readonly ExportNode[], o: Readonly<Record<string, unknown>>) => {
    for (const e of nodes) {
      const v = o[e.name];
      if ((typeof v !== "object" && typeof v !== "function") || v === null) continue;
      const item = e.item;
      if (item.kind === "lifted") funcTypes.set(v, item.type);
      else if (item.kind === "instance") walk(item.exports, v as Record<string, unknown>);
      else if (item.kind === "type" && item.type.kind === "type") {
        const t = item.type.type;
        const resource = typeof t !== "string" && t.kind === "resource";
        exportedTypes.set(v, resource ? { type: t, identity: identityOf(t) } : { type: t });
      }
    }
  };
  walk(dfg.exports, exports);
}

/** What stands for a resource type: a wasmfuse instance's exported type's identity, or the value. */
function resourceIdentity(v: object): object {
  return exportedTypes.get(v)?.identity ?? v;
}

/** The host value for a resource type: by its name, else its class name (`Pollable`). */
function resourceValue(source: ImportSource, path: ImportPath): object | undefined {
  let v = source.find(path);
  const names = path.names;
  if (v === undefined && names.length > 0) {
    const container = source.find({ import: path.import, names: names.slice(0, -1) });
    if ((typeof container === "object" || typeof container === "function") && container !== null) {
      v = (container as Record<string, unknown>)[pascalCase(names[names.length - 1])];
    }
  }
  return (typeof v === "object" || typeof v === "function") && v !== null ? v : undefined;
}

/**
 * Any resource, for comparing types whose resources come from another
 * component (whose own resource types are not this one's): printed
 * `resource#0`.
 */
const ANY_RESOURCE: TypeResource = {
  kind: "resource",
  id: 0,
  origin: "abstract",
  name: "resource",
};

/** A described type with every resource made one: handles compare as own or borrow only. */
function eraseResources(d: ExternDesc): ExternDesc {
  return substituteResources(d, () => ANY_RESOURCE);
}

/** What a JavaScript value is, for a message. */
function what(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof WebAssembly.Module) return "a WebAssembly.Module";
  if (typeof v === "object" && exportedTypes.has(v)) return "a type";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "function" && funcTypes.has(v)) return "a component function";
  return v === undefined ? "undefined" : an(typeof v);
}

/** Whether the host need not give an import of this type: it needs nothing at run time. */
function needsNothing(d: ExternDesc): boolean {
  if (d.kind === "type") return true;
  if (d.kind !== "instance") return false;
  for (const e of d.type.exports.values()) if (!needsNothing(e)) return false;
  return true;
}

/** The names of core extern kinds as the JavaScript API gives them. */
const JS_KINDS: Readonly<Record<string, string>> = {
  function: "func",
  table: "table",
  memory: "memory",
  global: "global",
  tag: "tag",
};

/**
 * A module against a declared module type, as far as the JavaScript API
 * shows it: the kinds of its imports and exports (their signatures,
 * limits and value types are not visible).
 */
function matchModuleKinds(m: WebAssembly.Module, declared: TypeModule): string | undefined {
  for (const imp of WebAssembly.Module.imports(m)) {
    const d = declared.imports.find((x) => x.module === imp.module && x.name === imp.name);
    if (d === undefined) return `imports \`${imp.module}\` \`${imp.name}\`, which is not declared`;
    const kind = JS_KINDS[imp.kind] ?? imp.kind;
    if (kind !== d.type.kind) {
      return `import \`${imp.module}\` \`${imp.name}\`: declared ${
        an(d.type.kind)
      }, the module imports ${an(kind)}`;
    }
  }
  const exports = new Map(WebAssembly.Module.exports(m).map((e) => [e.name, e.kind]));
  for (const [name, t] of declared.exports) {
    const k = exports.get(name);
    if (k === undefined) return `missing export \`${name}\``;
    const kind = JS_KINDS[k] ?? k;
    if (kind !== t.kind) return `export \`${name}\`: expected ${an(t.kind)}, found ${an(kind)}`;
  }
  return undefined;
}

/** The full type of a module wasmfuse compiled, if it is one. */
function knownModuleType(m: WebAssembly.Module): TypeModule | undefined {
  let t = moduleTypes.get(m);
  if (t !== undefined) return t;
  const info = moduleInfo.get(m);
  if (info === undefined) return undefined;
  moduleTypes.set(m, t = moduleTypeOf(info));
  return t;
}

/**
 * Check what the host gives for every import against its declared type.
 *
 * @param dfg The component's graph.
 * @param source The host side.
 * @param options Whether missing imports are let through.
 * @throws {LinkError} When an import is missing or does not match its type.
 */
export function checkImports(
  dfg: ComponentDfg,
  source: ImportSource,
  options: CheckOptions = {},
): void {
  /** Each imported resource type's first host value and where it was given. */
  const resources = new Map<TypeResource, { identity: object; at: string }>();
  const check = (d: ExternDesc, path: ImportPath): void => {
    // the import's name, built only for a message (or a resource's first sighting)
    const where = () => [dfg.imports[path.import].name, ...path.names].join("#");
    const resource = d.kind === "type" && typeof d.type !== "string" && d.type.kind === "resource"
      ? d.type
      : undefined;
    const v = resource === undefined ? source.find(path) : resourceValue(source, path);
    if (v === undefined) {
      if (options.trapUnknownImports || needsNothing(d)) return;
      // a function of an instance is needed only where it is lowered or re-exported
      if (path.names.length > 0 && d.kind === "func") return;
      throw new LinkError(`missing import \`${where()}\``);
    }
    const fail = (why: string) => new LinkError(`import \`${where()}\` ${why}`);
    switch (d.kind) {
      case "func": {
        if (typeof v !== "function") throw fail(`is not a function: it is ${what(v)}`);
        const known = funcTypes.get(v as object);
        if (known !== undefined) {
          const why = matchExtern(eraseResources({ kind: "func", type: known }), eraseResources(d));
          if (why !== undefined) throw fail(`does not match its type: ${why}`);
        }
        return;
      }
      case "instance": {
        if (
          typeof v !== "object" || v === null || v instanceof WebAssembly.Module ||
          exportedTypes.has(v)
        ) throw fail(`is not an instance: it is ${what(v)}`);
        for (const [name, e] of d.type.exports) {
          check(e, { import: path.import, names: [...path.names, name] });
        }
        return;
      }
      case "module": {
        if (!(v instanceof WebAssembly.Module)) {
          throw fail(`is not a WebAssembly.Module: it is ${what(v)}`);
        }
        const m = v as WebAssembly.Module;
        const known = knownModuleType(m);
        const why = known === undefined
          ? matchModuleKinds(m, d.type)
          : matchModuleType(known, d.type);
        if (why !== undefined) throw fail(`does not match its module type: ${why}`);
        return;
      }
      case "type": {
        const given = typeof v === "object" && v !== null ? exportedTypes.get(v) : undefined;
        if (resource === undefined) {
          // a value type: only a type a wasmfuse instance exports shows what it is
          if (given === undefined) return;
          const why = matchExtern(
            eraseResources({ kind: "type", type: given.type }),
            eraseResources(d),
          );
          if (why !== undefined) throw fail(`does not match its type: ${why}`);
          return;
        }
        // a resource type: a class (jco's), or a resource type a wasmfuse instance exports
        if (given !== undefined) {
          if (given.identity === undefined) {
            throw fail(`is not a resource type: it is a value type`);
          }
        } else if (typeof v !== "function" || funcTypes.has(v)) {
          throw fail(`is not a resource type (a class): it is ${what(v)}`);
        }
        const identity = resourceIdentity(v as object);
        const first = resources.get(resource);
        if (first === undefined) resources.set(resource, { identity, at: where() });
        else if (first.identity !== identity) {
          throw fail(
            `is declared the same resource type as \`${first.at}\`, but the host gives another (mismatched resource types)`,
          );
        }
        return;
      }
      case "component":
      case "value":
        // no JavaScript value stands for these: nothing to check
        return;
    }
  };
  dfg.imports.forEach((imp, i) => check(imp.type, { import: i, names: [] }));
}
