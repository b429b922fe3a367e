/**
 * One-line, objdump-style descriptions of payloads, for the CLI and for
 * people reading a component.
 *
 * @module
 */

import type {
  Alias,
  Canon,
  CoreInstance,
  CoreTypeDef,
  Export,
  Import,
  Instance,
  TypeDef,
} from "./items.ts";
import type { Payload } from "./payload.ts";

const MAX_LIST = 8;

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(6, "0");
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LIST).join(", ");
  return names.length > MAX_LIST ? `${shown}, ... (${names.length - MAX_LIST} more)` : shown;
}

function count(n: number, what: string): string {
  if (n === 1) return `${n} ${what}`;
  return `${n} ${what === "memory" ? "memories" : `${what}s`}`;
}

function typeDef(t: TypeDef): string {
  return t.kind === "defined" ? t.type.kind : t.kind;
}

function coreTypeDef(t: CoreTypeDef): string {
  return t.kind === "module" ? "module" : t.types.map((s) => s.type.kind).join("+");
}

function coreInstance(i: CoreInstance): string {
  return i.kind === "instantiate" ? `instantiate module ${i.module}` : "from exports";
}

function instance(i: Instance): string {
  return i.kind === "instantiate" ? `instantiate component ${i.component}` : "from exports";
}

function alias(a: Alias): string {
  switch (a.kind) {
    case "instance-export":
      return `${a.sort} ${a.instance} "${a.name}"`;
    case "core-instance-export":
      return `${a.sort} ${a.instance} "${a.name}"`;
    case "outer":
      return `outer ${a.sort} ${a.count} ${a.index}`;
  }
}

function canon(c: Canon): string {
  if (c.kind === "lift") return `lift core-func ${c.coreFunc}`;
  if (c.kind === "lower") return `lower func ${c.func}`;
  return c.kind;
}

function named(items: readonly (Import | Export)[]): string {
  return list(items.map((i) => `"${i.name.name}"`));
}

/**
 * Describe a payload in one line: byte range, kind, item count and names.
 * Nested components are indented by depth.
 *
 * @example Describing the payloads of an empty component
 * ```ts
 * import { parseBytes } from "@wasmfuse/fuse";
 * import { describePayload } from "@wasmfuse/fuse/parse";
 * import assert from "node:assert/strict";
 *
 * const [begin] = parseBytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
 * assert.equal(describePayload(begin, 0), "0x000000..          component-begin depth 0");
 * ```
 *
 * @param p The payload.
 * @param depth Depth of the component it belongs to (for indentation).
 * @returns The line.
 */
export function describePayload(p: Payload, depth: number): string {
  const indent = "  ".repeat(depth);
  let range: string;
  let body: string;
  switch (p.kind) {
    case "component-begin":
      range = `${hex(p.offset)}..${p.end === null ? "" : hex(p.end)}`;
      body = `component-begin depth ${p.depth}`;
      break;
    case "component-end":
      range = `${hex(p.offset)}`;
      body = `component-end depth ${p.depth}`;
      break;
    case "end":
      range = `${hex(p.offset)}`;
      body = "end";
      break;
    case "custom":
      range = `${hex(p.range.start)}..${hex(p.range.end)}`;
      body = `custom "${p.name}" ${count(p.data.length, "byte")}`;
      break;
    case "module":
      range = `${hex(p.range.start)}..${hex(p.range.end)}`;
      body = `module ${count(p.bytes.length, "byte")}: ${count(p.types.length, "type")}, ` +
        `${count(p.imports.length, "import")}, ${count(p.funcs.length, "func")}, ` +
        `${count(p.memories.length, "memory")}, ${count(p.tables.length, "table")}, ` +
        `${count(p.globals.length, "global")}; exports ${
          list(p.exports.map((e) => `${e.kind} "${e.name}"`))
        }`;
      break;
    case "start":
      range = `${hex(p.range.start)}..${hex(p.range.end)}`;
      body = `start func ${p.start.func} (${count(p.start.args.length, "arg")}, ${
        count(p.start.results, "result")
      })`;
      break;
    default: {
      range = `${hex(p.range.start)}..${hex(p.range.end)}`;
      let names: string;
      switch (p.kind) {
        case "core-instance":
          names = list(p.items.map(coreInstance));
          break;
        case "core-type":
          names = list(p.items.map(coreTypeDef));
          break;
        case "instance":
          names = list(p.items.map(instance));
          break;
        case "alias":
          names = list(p.items.map(alias));
          break;
        case "type":
          names = list(p.items.map(typeDef));
          break;
        case "canon":
          names = list(p.items.map(canon));
          break;
        case "import":
        case "export":
          names = named(p.items);
          break;
        case "value":
          names = list(p.items.map((v) => `${v.bytes.length}B`));
          break;
      }
      body = `${p.kind} ${count(p.items.length, "item")}${p.items.length ? ": " + names : ""}`;
    }
  }
  return `${range.padEnd(20)}${indent}${body}`;
}
