/**
 * The component value syntax of `.wast` scripts (`(u32.const 1)`,
 * `(str.const "hi")`, `(record.const (field "x" (f64.const 1)))`, ...):
 * reading it into the JavaScript values of the runtime, checking results
 * against it (with the NaN patterns `nan:canonical` and `nan:arithmetic`),
 * and printing values in it.
 *
 * @module
 */

import { variantCases } from "../types/abi.ts";
import { type InterfaceType, typeToString } from "../types/model.ts";
import { camelCase } from "../runtime/js_values.ts";
import { isAtom, isList, type SNode, stringText } from "./sexpr.ts";

/** A value expression that does not fit its type. */
export class ValueSyntaxError extends SyntaxError {
  /**
   * Create the error.
   * @param message What is wrong.
   * @param node Where.
   */
  constructor(message: string, node?: SNode) {
    super(node === undefined ? message : `${message} (at line ${node.line}, column ${node.col})`);
    this.name = "ValueSyntaxError";
  }
}

const BITS: Record<string, [number, boolean]> = {
  u8: [8, false],
  s8: [8, true],
  u16: [16, false],
  s16: [16, true],
  u32: [32, false],
  s32: [32, true],
  u64: [64, false],
  s64: [64, true],
};

/** An integer literal: decimal or hex, `_` separators, optional sign. */
function intLiteral(text: string, node: SNode): bigint {
  const t = text.replaceAll("_", "");
  const m = /^([+-]?)(0x[0-9a-fA-F]+|[0-9]+)$/.exec(t);
  if (m === null) throw new ValueSyntaxError(`invalid integer \`${text}\``, node);
  const v = BigInt(m[2]);
  return m[1] === "-" ? -v : v;
}

/**
 * A hex float literal, rounded once (to nearest, ties to even) to `bits`
 * significant bits with the smallest subnormal step `2^minExp`: rounding the
 * digits through a double first would round twice.
 */
function hexFloat(t: string, bits: number, minExp: number): number {
  const m = /^([+-]?)0x([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(t);
  if (m === null) return NaN;
  let mant = BigInt("0x" + m[2] + (m[3] ?? ""));
  let exp = (m[4] === undefined ? 0 : parseInt(m[4], 10)) - 4 * (m[3]?.length ?? 0);
  const len = mant.toString(2).length;
  const drop = Math.max(len - bits, minExp - exp);
  if (drop > len) mant = 0n; // below half the smallest subnormal
  else if (mant !== 0n && drop > 0) {
    const rest = mant & ((1n << BigInt(drop)) - 1n);
    const half = 1n << BigInt(drop - 1);
    mant >>= BigInt(drop);
    if (rest > half || (rest === half && (mant & 1n) === 1n)) mant++;
    exp += drop;
  }
  const v = mant === 0n ? 0 : Number(mant) * 2 ** exp;
  return m[1] === "-" ? -v : v;
}

/** A float literal as a number (`nan:` payloads are not representable: NaN). */
function floatLiteral(text: string, node: SNode, t: "f32" | "f64"): number {
  const lit = text.replaceAll("_", "");
  const sign = lit.startsWith("-") ? -1 : 1;
  const body = lit.replace(/^[+-]/, "");
  if (body === "inf") return sign * Infinity;
  if (body === "nan" || /^nan:(canonical|arithmetic|0x[0-9a-fA-F]+)$/.test(body)) return NaN;
  // the text format's decimal form only: no `Infinity`, `0b1` or `.5` as `Number` reads them
  const v = body.startsWith("0x")
    ? hexFloat(lit, t === "f32" ? 24 : 53, t === "f32" ? -149 : -1074)
    : /^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$/.test(body)
    ? Number(lit)
    : NaN;
  if (Number.isNaN(v)) throw new ValueSyntaxError(`invalid float \`${text}\``, node);
  return v;
}

function head(node: SNode): string | undefined {
  return isList(node) && isAtom(node.items[0]) ? node.items[0].value : undefined;
}

function expectHead(
  node: SNode,
  want: string,
  t: InterfaceType,
  max = Infinity,
): readonly SNode[] {
  if (head(node) !== want) {
    throw new ValueSyntaxError(`expected \`(${want} ...)\` for a \`${typeToString(t)}\``, node);
  }
  const args = (node as { items: readonly SNode[] }).items.slice(1);
  if (args.length > max) {
    throw new ValueSyntaxError(`\`${want}\` takes at most ${max} argument(s)`, node);
  }
  return args;
}

function stringArg(node: SNode | undefined, what: string, at: SNode): string {
  if (node?.kind !== "string") throw new ValueSyntaxError(`expected a string for ${what}`, at);
  return stringText(node);
}

/**
 * Read a value expression as the JavaScript value of type `t`.
 * @param node The expression.
 * @param t Its type.
 * @returns The value.
 * @throws {ValueSyntaxError} When the expression does not fit the type.
 */
export function readValue(node: SNode, t: InterfaceType): unknown {
  if (typeof t === "string") {
    if (t in BITS) {
      const [bits, signed] = BITS[t];
      const [arg] = expectHead(node, `${t}.const`, t, 1);
      if (!isAtom(arg)) throw new ValueSyntaxError(`expected an integer`, node);
      const raw = intLiteral(arg.value, arg);
      // as the text format's integers: the signed or the unsigned reading of `bits` bits, no wider
      const lo = -(1n << BigInt(bits - 1));
      const hi = (1n << BigInt(bits)) - 1n;
      if (raw < lo || raw > hi) {
        throw new ValueSyntaxError(`\`${arg.value}\` is out of range for \`${t}\``, arg);
      }
      const v = signed ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw);
      return bits === 64 ? v : Number(v);
    }
    switch (t) {
      case "bool": {
        const [arg] = expectHead(node, "bool.const", t, 1);
        if (isAtom(arg, "true")) return true;
        if (isAtom(arg, "false")) return false;
        throw new ValueSyntaxError("expected `true` or `false`", node);
      }
      case "f32":
      case "f64": {
        const [arg] = expectHead(node, `${t}.const`, t, 1);
        if (!isAtom(arg)) throw new ValueSyntaxError("expected a float", node);
        const v = floatLiteral(arg.value, arg, t);
        return t === "f32" ? Math.fround(v) : v;
      }
      case "char": {
        const c = stringArg(expectHead(node, "char.const", t, 1)[0], "a char", node);
        if ([...c].length !== 1) throw new ValueSyntaxError("expected one character", node);
        return c;
      }
      case "string":
        return stringArg(expectHead(node, "str.const", t, 1)[0], "a string", node);
      default:
        throw new ValueSyntaxError(`no value syntax for \`${t}\``, node);
    }
  }
  switch (t.kind) {
    case "list": {
      const items = expectHead(node, "list.const", t);
      if (t.length !== undefined && items.length !== t.length) {
        throw new ValueSyntaxError(`expected ${t.length} list elements`, node);
      }
      return items.map((e) => readValue(e, t.element));
    }
    case "tuple": {
      const items = expectHead(node, "tuple.const", t);
      if (items.length !== t.types.length) {
        throw new ValueSyntaxError(`expected ${t.types.length} tuple elements`, node);
      }
      return items.map((e, i) => readValue(e, t.types[i]));
    }
    case "record": {
      const fields = expectHead(node, "record.const", t);
      const o: Record<string, unknown> = {};
      for (const f of fields) {
        const [name, ...rest] = expectHead(f, "field", t);
        const n = stringArg(name, "a field name", f);
        // the suites also write a field's value without its parentheses:
        // `(field "s" str.const "v=")` reads as `(field "s" (str.const "v="))`
        const v: SNode | undefined = isAtom(rest[0])
          ? {
            kind: "list",
            items: rest,
            line: rest[0].line,
            col: rest[0].col,
            start: rest[0].start,
            end: f.end,
          }
          : rest[0];
        const field = t.fields.find((x) => x.name === n);
        if (field === undefined || v === undefined) {
          throw new ValueSyntaxError(`unknown field \`${n}\``, f);
        }
        if (camelCase(n) in o) throw new ValueSyntaxError(`duplicate field \`${n}\``, f);
        o[camelCase(n)] = readValue(v, field.type);
      }
      const missing = t.fields.find((x) => !(camelCase(x.name) in o));
      if (missing !== undefined) {
        throw new ValueSyntaxError(`missing field \`${missing.name}\``, node);
      }
      return o;
    }
    case "flags": {
      const o: Record<string, boolean> = {};
      for (const n of t.names) o[camelCase(n)] = false;
      for (const f of expectHead(node, "flags.const", t)) {
        const n = stringArg(f, "a flag name", node);
        if (!t.names.includes(n)) throw new ValueSyntaxError(`unknown flag \`${n}\``, f);
        o[camelCase(n)] = true;
      }
      return o;
    }
    case "enum": {
      const n = stringArg(expectHead(node, "enum.const", t, 1)[0], "an enum case", node);
      if (!t.names.includes(n)) throw new ValueSyntaxError(`unknown enum case \`${n}\``, node);
      return n;
    }
    case "variant": {
      const [name, v] = expectHead(node, "variant.const", t, 2);
      const n = stringArg(name, "a case name", node);
      const c = t.cases.find((x) => x.name === n);
      if (c === undefined) throw new ValueSyntaxError(`unknown case \`${n}\``, node);
      if (c.type === undefined) {
        if (v !== undefined) throw new ValueSyntaxError(`case \`${n}\` takes no payload`, node);
        return { tag: n };
      }
      if (v === undefined) throw new ValueSyntaxError(`case \`${n}\` needs a payload`, node);
      return { tag: n, val: readValue(v, c.type) };
    }
    case "option": {
      if (head(node) === "option.none") {
        expectHead(node, "option.none", t, 0);
        return undefined;
      }
      const [v] = expectHead(node, "option.some", t, 1);
      if (v === undefined) throw new ValueSyntaxError("`option.some` needs a payload", node);
      const val = readValue(v, t.type);
      return typeof t.type !== "string" && t.type.kind === "option" ? { tag: "some", val } : val;
    }
    case "result": {
      const h = head(node);
      if (h !== "result.ok" && h !== "result.err") {
        throw new ValueSyntaxError("expected `(result.ok ...)` or `(result.err ...)`", node);
      }
      const payload = h === "result.ok" ? t.ok : t.err;
      const [v] = expectHead(node, h, t, 1);
      if (payload === undefined && v !== undefined) {
        throw new ValueSyntaxError(`\`${h}\` takes no payload here`, node);
      }
      if (payload !== undefined && v === undefined) {
        throw new ValueSyntaxError(`\`${h}\` needs a payload`, node);
      }
      return {
        tag: h === "result.ok" ? "ok" : "err",
        val: payload === undefined ? undefined : readValue(v, payload),
      };
    }
    default:
      throw new ValueSyntaxError(`no value syntax for \`${typeToString(t)}\` yet`, node);
  }
}

function f32Bits(v: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, v);
  return dv.getUint32(0);
}

/**
 * Check a value against an expected value expression.
 * @param actual The value a component returned.
 * @param node The expected value (NaN patterns allowed).
 * @param t The type.
 * @returns `undefined` when they match, else a description of the difference.
 */
export function matchValue(actual: unknown, node: SNode, t: InterfaceType): string | undefined {
  if ((t === "f32" || t === "f64") && isList(node, `${t}.const`)) {
    const arg = node.items[1];
    if (isAtom(arg) && /^[+-]?nan(:|$)/.test(arg.value)) {
      if (typeof actual === "number" && Number.isNaN(actual)) return undefined;
      return `expected ${arg.value}, got ${formatValue(actual, t)}`;
    }
  }
  let expected: unknown;
  try {
    expected = readValue(node, t);
  } catch (e) {
    return (e as Error).message;
  }
  return sameValue(actual, expected, t)
    ? undefined
    : `expected ${formatValue(expected, t)}, got ${formatValue(actual, t)}`;
}

function sameValue(a: unknown, b: unknown, t: InterfaceType): boolean {
  if (typeof t === "string") {
    if (t === "f32" && typeof a === "number" && typeof b === "number") {
      return f32Bits(a) === f32Bits(b) || (Number.isNaN(a) && Number.isNaN(b));
    }
    // `Object.is`: the f64 values 0 and -0 differ, as the f32 bits above do
    return Object.is(a, b);
  }
  switch (t.kind) {
    case "list":
    case "tuple": {
      // lists of numbers come back as typed arrays
      const x = ArrayBuffer.isView(a) ? Array.from(a as unknown as ArrayLike<unknown>) : a;
      const y = ArrayBuffer.isView(b) ? Array.from(b as unknown as ArrayLike<unknown>) : b;
      if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
      return x.every((e, i) => sameValue(e, y[i], t.kind === "list" ? t.element : t.types[i]));
    }
    case "record":
      return t.fields.every((f) =>
        sameValue(
          (a as Record<string, unknown>)?.[camelCase(f.name)],
          (b as Record<string, unknown>)?.[camelCase(f.name)],
          f.type,
        )
      );
    case "flags":
      return t.names.every((n) =>
        (a as Record<string, boolean>)?.[camelCase(n)] ===
          (b as Record<string, boolean>)?.[camelCase(n)]
      );
    case "enum":
      return a === b;
    case "option": {
      if (a === undefined || b === undefined) return a === b;
      if (typeof t.type !== "string" && t.type.kind === "option") {
        return sameValue(
          (a as { val: unknown }).val,
          (b as { val: unknown }).val,
          t.type,
        );
      }
      return sameValue(a, b, t.type);
    }
    case "variant":
    case "result": {
      const x = a as { tag: string; val?: unknown };
      const y = b as { tag: string; val?: unknown };
      if (x?.tag !== y?.tag) return false;
      const cases = variantCases(t)!;
      const i = t.kind === "variant"
        ? t.cases.findIndex((c) => c.name === x.tag)
        : (x.tag === "ok" ? 0 : 1);
      const c = cases[i];
      return c === undefined || sameValue(x.val, y.val, c);
    }
    default:
      return false;
  }
}

function floatText(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

/**
 * Print a value in the value syntax.
 * @param v The value.
 * @param t Its type.
 * @returns The text, e.g. `(record.const (field "x" (f64.const 1)))`.
 */
export function formatValue(v: unknown, t: InterfaceType): string {
  try {
    return format(v, t);
  } catch {
    return `<${typeof v} that is not a \`${typeToString(t)}\`>`;
  }
}

/** A string literal of the text format (not JSON: `\u{hex}`, no `\b` or `\u0001`). */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f || (c >= 0xd800 && c < 0xe000)) {
      out += `\\u{${c.toString(16)}}`;
    } else out += ch;
  }
  return out + '"';
}

function format(v: unknown, t: InterfaceType): string {
  const q = quote;
  if (typeof t === "string") {
    switch (t) {
      case "bool":
        return `(bool.const ${v})`;
      case "f32":
      case "f64":
        return `(${t}.const ${floatText(v as number)})`;
      case "char":
        return `(char.const ${q(v as string)})`;
      case "string":
        return `(str.const ${q(v as string)})`;
      default:
        return `(${t}.const ${v})`;
    }
  }
  switch (t.kind) {
    case "list":
      return `(list.const${
        Array.from(v as ArrayLike<unknown>).map((e) => " " + format(e, t.element)).join("")
      })`;
    case "tuple":
      return `(tuple.const${(v as unknown[]).map((e, i) => " " + format(e, t.types[i])).join("")})`;
    case "record":
      return `(record.const${
        t.fields.map((f) =>
          ` (field ${q(f.name)} ${
            format((v as Record<string, unknown>)[camelCase(f.name)], f.type)
          })`
        ).join("")
      })`;
    case "flags":
      return `(flags.const${
        t.names.filter((n) => (v as Record<string, boolean>)[camelCase(n)]).map((n) => " " + q(n))
          .join("")
      })`;
    case "enum":
      return `(enum.const ${q(v as string)})`;
    case "option": {
      if (v === undefined) return "(option.none)";
      const inner = typeof t.type !== "string" && t.type.kind === "option"
        ? (v as { val: unknown }).val
        : v;
      return `(option.some ${format(inner, t.type)})`;
    }
    case "result": {
      const r = v as { tag: "ok" | "err"; val?: unknown };
      const payload = r.tag === "ok" ? t.ok : t.err;
      return `(result.${r.tag}${payload === undefined ? "" : " " + format(r.val, payload)})`;
    }
    case "variant": {
      const r = v as { tag: string; val?: unknown };
      const c = t.cases.find((x) => x.name === r.tag)!;
      return `(variant.const ${q(r.tag)}${
        c.type === undefined ? "" : " " + format(r.val, c.type)
      })`;
    }
    default:
      return `<${typeToString(t)}>`;
  }
}
