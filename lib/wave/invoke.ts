/**
 * The `--invoke` expression of `cli.ts run`, as `wasmtime run --invoke`
 * takes it: `NAME(ARGS)`, where NAME is a root function (`greet`) or a
 * function of an exported interface (`demo:kv/api@0.1.0#get`, or the short
 * forms `api#get` and `api.get`), and ARGS are values in WAVE
 * (`{x: 3, y: 4}`, `some(1)`, `[1, 2]`) or in the `.wast` value syntax
 * (`(u32.const 1)`).
 *
 * @module
 */

import type { ExportNode } from "../inline/dfg.ts";
import type { TypeFunc } from "../types/model.ts";
import { jsExportName, splitVersion } from "../runtime/host.ts";
import { camelCase } from "../runtime/js_values.ts";
import { readSexprs } from "../wast/sexpr.ts";
import { readValue } from "../wast/values.ts";
import { WaveReader, WaveSyntaxError } from "./wave.ts";

/** A parsed `--invoke` expression, resolved against a component's exports. */
export interface Invocation {
  /** The export names leading to the function: `["greet"]`, or `["demo:kv/api@0.1.0", "get"]`. */
  readonly path: readonly string[];
  /** The function's type. */
  readonly type: TypeFunc;
  /** The arguments, as JavaScript values. */
  readonly args: readonly unknown[];
}

/** An `--invoke` expression that names nothing the component exports, or mistypes it. */
export class InvokeError extends Error {
  /**
   * Create the error.
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "InvokeError";
  }
}

/** Whether `name` is written `wanted`, or its jco name, or without its version. */
function names(name: string, wanted: string): boolean {
  return name === wanted || splitVersion(name).base === wanted || jsExportName(name) === wanted ||
    camelCase(name) === wanted;
}

/** Every function a component exports, by how `--invoke` names it (for error messages). */
function exportedFunctions(exports: readonly ExportNode[]): string[] {
  const out: string[] = [];
  for (const e of exports) {
    if (e.item.kind === "lifted" || e.item.kind === "func-import") out.push(e.name);
    else if (e.item.kind === "instance") {
      for (const f of e.item.exports) {
        if (f.item.kind === "lifted" || f.item.kind === "func-import") {
          out.push(`${e.name}#${f.name}`);
        }
      }
    }
  }
  return out;
}

/** The function at `name` (`f`, `iface#f`, `iface.f`): its export path and type. */
function resolve(
  name: string,
  exports: readonly ExportNode[],
): { path: string[]; type: TypeFunc } {
  const fnOf = (e: ExportNode | undefined) =>
    e !== undefined && (e.item.kind === "lifted" || e.item.kind === "func-import")
      ? e.item.type
      : undefined;
  const hash = name.lastIndexOf("#");
  const dot = name.lastIndexOf(".");
  const split = hash >= 0 ? hash : dot >= 0 && !name.includes("@") ? dot : -1;
  if (split < 0) {
    const e = exports.find((e) => e.name === name) ?? exports.find((e) => names(e.name, name));
    const type = fnOf(e);
    if (type !== undefined) return { path: [e!.name], type };
  } else {
    const outer = name.slice(0, split);
    const inner = name.slice(split + 1);
    const candidates = exports.filter((e) => e.item.kind === "instance" && names(e.name, outer));
    const i = candidates.find((e) => e.name === outer) ??
      (candidates.length === 1 ? candidates[0] : undefined);
    if (candidates.length > 1 && i === undefined) {
      throw new InvokeError(
        `\`${outer}\` names ${candidates.length} exported instances: ${
          candidates.map((c) => c.name).join(", ")
        }`,
      );
    }
    if (i !== undefined && i.item.kind === "instance") {
      const fs = i.item.exports;
      const f = fs.find((f) => f.name === inner) ?? fs.find((f) => camelCase(f.name) === inner);
      const type = fnOf(f);
      if (type !== undefined) return { path: [i.name, f!.name], type };
    }
  }
  const all = exportedFunctions(exports);
  throw new InvokeError(
    `no exported function \`${name}\` (exported functions: ${all.join(", ") || "none"})`,
  );
}

/** The end of the `.wast` S-expression starting at `from` (its closing parenthesis + 1). */
function sexprEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i + 1;
  }
  throw new WaveSyntaxError("unterminated `(`", from);
}

/** Whether a `.wast` value expression starts at `pos`: `(u32.const`, `(option.none`, ... */
function isWastValue(text: string, pos: number): boolean {
  return /^\(\s*[a-z0-9]+\.(const|some|none|ok|err)\b/.test(text.slice(pos, pos + 32));
}

/**
 * Parse an `--invoke` expression against a component's exports.
 *
 * @example A root function and an interface's function
 * ```ts
 * import { compile } from "@wasmfuse/fuse";
 * import { parseInvoke } from "@wasmfuse/fuse/wave";
 * import assert from "node:assert/strict";
 *
 * const c = await compile(await Deno.readFile("examples/values.wasm"));
 * const call = parseInvoke('greet("world")', c.translation.dfg.exports);
 * assert.deepEqual(call.path, ["greet"]);
 * assert.deepEqual(call.args, ["world"]);
 * ```
 *
 * @param text The expression, `NAME(ARGS)`.
 * @param exports The component's exports.
 * @returns The function's export path, type and arguments.
 * @throws {InvokeError} When no such function is exported, or the argument count is wrong.
 * @throws {WaveSyntaxError} When an argument does not read as a value of its type.
 */
export function parseInvoke(text: string, exports: readonly ExportNode[]): Invocation {
  const open = text.indexOf("(");
  const name = (open < 0 ? text : text.slice(0, open)).trim();
  if (name === "" || /\s/.test(name)) {
    throw new InvokeError(`--invoke expects NAME(ARGS), got \`${text}\``);
  }
  const { path, type } = resolve(name, exports);
  const args: unknown[] = [];
  const r = new WaveReader(text, open < 0 ? text.length : open);
  if (open >= 0) {
    r.expect("(");
    while (!r.eat(")")) {
      const i = args.length;
      if (i >= type.params.length) {
        throw new InvokeError(`\`${name}\` takes ${type.params.length} arguments, got more`);
      }
      const t = type.params[i].type;
      r.ws();
      if (isWastValue(text, r.pos)) {
        const end = sexprEnd(text, r.pos);
        args.push(readValue(readSexprs(text.slice(r.pos, end))[0], t));
        r.pos = end;
      } else args.push(r.value(t));
      if (!r.eat(",")) {
        r.expect(")");
        break;
      }
    }
    if (!r.atEnd()) throw r.error("unexpected text after `)`");
  }
  if (args.length !== type.params.length) {
    throw new InvokeError(
      `\`${name}\` takes ${type.params.length} argument${type.params.length === 1 ? "" : "s"} (${
        type.params.map((p) => p.name).join(", ")
      }), got ${args.length}`,
    );
  }
  return { path, type, args };
}
