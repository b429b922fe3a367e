/**
 * Human and JSON views of a {@link ComponentDfg}, for `cli.ts inspect` and
 * for scripts.
 *
 * @module
 */

import { type AnyType, type ExternDesc, typeToString } from "../types/model.ts";
import type {
  AdapterOptions,
  ComponentDfg,
  CoreDef,
  ExportItem,
  ExportNode,
  ImportPath,
} from "./dfg.ts";

/** Counts of the graph's nodes, as `inspect` prints them. */
export interface DfgCounts {
  /** Runtime component instances (the root included). */
  readonly componentInstances: number;
  /** Static core modules. */
  readonly modules: number;
  /** Core instances. */
  readonly instances: number;
  /** Fused adapters that really adapt. */
  readonly adapters: number;
  /** Adapters whose body only traps. */
  readonly alwaysTraps: number;
  /** Host lowerings. */
  readonly lowerings: number;
  /** Resource types. */
  readonly resources: number;
  /** Root imports. */
  readonly imports: number;
  /** Root exports. */
  readonly exports: number;
}

/**
 * Count the nodes of a graph.
 * @param dfg The graph.
 * @returns The counts.
 */
export function countDfg(dfg: ComponentDfg): DfgCounts {
  const alwaysTraps = dfg.adapters.filter((a) => a.alwaysTrap).length;
  return {
    componentInstances: dfg.componentInstances.length,
    modules: dfg.modules.length,
    instances: dfg.instances.length,
    adapters: dfg.adapters.length - alwaysTraps,
    alwaysTraps,
    lowerings: dfg.lowerings.length,
    resources: dfg.resources.length,
    imports: dfg.imports.length,
    exports: dfg.exports.length,
  };
}

function options(o: AdapterOptions): string {
  const parts: string[] = [o.stringEncoding];
  if (o.memory !== undefined) parts.push(`memory m${o.memory}${o.memory64 ? " (64-bit)" : ""}`);
  if (o.realloc !== undefined) parts.push(`realloc r${o.realloc}`);
  if (o.postReturn !== undefined) parts.push(`post-return p${o.postReturn}`);
  if (o.async) parts.push("async");
  if (o.callback !== undefined) parts.push(`callback ${def(o.callback)}`);
  return parts.join(", ");
}

function path(dfg: ComponentDfg, p: ImportPath): string {
  return [dfg.imports[p.import]?.name ?? `import ${p.import}`, ...p.names].map((n) => `"${n}"`)
    .join(" / ");
}

function def(d: CoreDef): string {
  switch (d.kind) {
    case "export":
      return `core instance ${d.instance} "${d.name}"`;
    case "adapter":
      return `adapter ${d.id}`;
    case "lowered":
      return `lowering ${d.id}`;
    case "instance-flags":
      return `flags of component instance ${d.instance}`;
    case "builtin":
      return `${d.builtin.name} of component instance ${d.instance}`;
    case "host-adapter":
      return `host adapter ${d.id}`;
    default:
      return `${d.kind} of resource ${d.resource} in component instance ${d.instance}`;
  }
}

function exportLines(dfg: ComponentDfg, e: ExportNode, indent: string, out: string[]): void {
  const i = e.item;
  switch (i.kind) {
    case "lifted":
      out.push(
        `${indent}export "${e.name}": ${typeToString(i.type)}, lifted from ${
          def(i.func)
        } in component instance ${i.options.instance} (${options(i.options)})`,
      );
      return;
    case "func-import":
      out.push(
        `${indent}export "${e.name}": ${typeToString(i.type)}, the import ${path(dfg, i.path)}`,
      );
      return;
    case "instance":
      out.push(`${indent}export "${e.name}": instance`);
      for (const n of i.exports) exportLines(dfg, n, indent + "  ", out);
      return;
    case "instance-import":
      out.push(`${indent}export "${e.name}": the import ${path(dfg, i.path)}`);
      return;
    case "module":
      out.push(`${indent}export "${e.name}": core module ${i.module}`);
      return;
    case "module-import":
      out.push(`${indent}export "${e.name}": the imported core module ${path(dfg, i.path)}`);
      return;
    case "type":
      out.push(`${indent}export "${e.name}": type ${descText(i.type)}`);
      return;
    case "component":
      out.push(`${indent}export "${e.name}": component`);
      return;
  }
}

function descText(d: ExternDesc): string {
  return d.kind === "module" ? "core module" : typeToString(d.type as AnyType);
}

/** An import's type, its kind said once: `func(...)`, `instance {...}`, `type r#0`. */
function externText(d: ExternDesc): string {
  return d.kind === "type" || d.kind === "value" ? `${d.kind} ${descText(d)}` : descText(d);
}

/**
 * Describe a graph for people: counts, then one line per adapter, lowering,
 * import and export.
 *
 * @example Describing an empty component's graph
 * ```ts
 * import { describeDfg, emptyDfg } from "@wasmfuse/fuse/inline";
 * import assert from "node:assert/strict";
 *
 * assert.match(describeDfg(emptyDfg()), /^adapters: 0, always-traps: 0/);
 * ```
 *
 * @param dfg The graph.
 * @returns The text, one line per node of interest.
 */
export function describeDfg(dfg: ComponentDfg): string {
  const c = countDfg(dfg);
  const out = [
    `adapters: ${c.adapters}, always-traps: ${c.alwaysTraps}, lowerings: ${c.lowerings}, ` +
    `component instances: ${c.componentInstances}, core instances: ${c.instances}, ` +
    `modules: ${c.modules}, resources: ${c.resources}, imports: ${c.imports}, exports: ${c.exports}`,
  ];
  dfg.adapters.forEach((a, id) => {
    const kind = a.alwaysTrap
      ? "adapter (always traps: cannot enter component instance)"
      : a.host
      ? "host adapter (async: run by the runtime, in no adapter module)"
      : a.scoped
      ? "adapter (opens a call scope: lends borrows or enters an instance with task built-ins)"
      : "adapter";
    out.push(
      `${kind} ${id}: lift in instance ${a.liftOptions.instance} (${options(a.liftOptions)}) -> ` +
        `lower in instance ${a.lowerOptions.instance} (${options(a.lowerOptions)}): ${
          typeToString(a.lowerType)
        }, calls ${def(a.func)}`,
    );
  });
  dfg.lowerings.forEach((l, id) => {
    out.push(
      `lowering ${id}: import ${path(dfg, l.import)} -> lower in instance ${l.options.instance} (${
        options(l.options)
      }): ${typeToString(l.type)}`,
    );
  });
  dfg.imports.forEach((i, id) => out.push(`import ${id} "${i.name}": ${externText(i.type)}`));
  for (const e of dfg.exports) exportLines(dfg, e, "", out);
  return out.join("\n");
}

function jsonExport(e: ExportNode): unknown {
  return { name: e.name, ...jsonItem(e.item) };
}

function jsonItem(i: ExportItem): Record<string, unknown> {
  switch (i.kind) {
    case "lifted":
      return { kind: "lifted", type: typeToString(i.type), func: i.func, options: i.options };
    case "func-import":
      return { kind: "func-import", path: i.path, type: typeToString(i.type) };
    case "instance":
      return { kind: "instance", exports: i.exports.map(jsonExport) };
    case "instance-import":
      return { kind: "instance-import", path: i.path };
    case "module":
      return { kind: "module", module: i.module };
    case "module-import":
      return { kind: "module-import", path: i.path };
    case "type":
      return { kind: "type", type: descText(i.type) };
    case "component":
      return { kind: "component" };
  }
}

/**
 * A JSON-ready view of a graph: one array per arena (types printed as text,
 * module bytes as their size), plus `counts`.
 * @param dfg The graph.
 * @returns A plain object for `JSON.stringify`.
 */
export function dfgToJson(dfg: ComponentDfg): Record<string, unknown> {
  return {
    counts: countDfg(dfg),
    componentInstances: dfg.componentInstances,
    modules: dfg.modules.map((m) => ({
      size: m.bytes.length,
      imports: m.imports.map((i) => ({ module: i.module, name: i.name, kind: i.type.kind })),
      exports: m.exports,
    })),
    instances: dfg.instances.map((i) => ({
      componentInstance: i.componentInstance,
      module: i.module,
      args: Array.isArray(i.args) ? i.args : Object.fromEntries(
        [...(i.args as ReadonlyMap<string, ReadonlyMap<string, CoreDef>>)].map((
          [m, names],
        ) => [m, Object.fromEntries(names)]),
      ),
    })),
    memories: dfg.memories,
    reallocs: dfg.reallocs,
    postReturns: dfg.postReturns,
    adapters: dfg.adapters.map((a) => ({
      liftType: typeToString(a.liftType),
      liftOptions: a.liftOptions,
      lowerType: typeToString(a.lowerType),
      lowerOptions: a.lowerOptions,
      func: a.func,
      alwaysTrap: a.alwaysTrap,
      ...(a.host ? { host: true } : {}),
      ...(a.scoped ? { scoped: true } : {}),
    })),
    lowerings: dfg.lowerings.map((l) => ({
      import: l.import,
      type: typeToString(l.type),
      options: l.options,
    })),
    resources: dfg.resources.map((r) => ({
      type: typeToString(r.type),
      ...(r.instance === undefined ? {} : { instance: r.instance }),
      ...(r.rep === undefined ? {} : { rep: r.rep }),
      ...(r.dtor === undefined ? {} : { dtor: r.dtor }),
      ...(r.import === undefined ? {} : { import: r.import }),
    })),
    imports: dfg.imports.map((i) => ({ name: i.name, kind: i.type.kind, type: descText(i.type) })),
    exports: dfg.exports.map(jsonExport),
  };
}
