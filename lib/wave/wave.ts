/**
 * WAVE, the WebAssembly Value Encoding (the `wasm-wave` crate's text
 * syntax, which `wasmtime run --invoke` reads and prints): reading it into
 * the runtime's JavaScript values, guided by the type, and printing values
 * in it.
 *
 * | type | WAVE |
 * | --- | --- |
 * | `bool` | `true`, `false` |
 * | integers, floats | `123`, `-9`, `3.14`, `6.022e+23`, `nan`, `inf`, `-inf` |
 * | `char`, `string` | `'x'`, `'\u{1F600}'`, `"abc\t123"`, `"""` multi-line `"""` |
 * | `tuple`, `list` | `("abc", 123)`, `[1, 2, 3]` |
 * | `record` | `{field-a: 1, field-b: "two"}` (`option` fields may be left out; `{:}` is empty) |
 * | `variant`, `enum` | `days(30)`, `forever`, `south` (`%` before a case named like a keyword) |
 * | `option` | `some(1)`, `none`, or the value itself (`1`) |
 * | `result` | `ok(1)`, `err("oops")`, `ok`, or the ok value itself |
 * | `flags` | `{read, write}`, `{}` |
 * | `map` | `{"k": 1, "j": 2}`, `{:}` |
 *
 * Comments run from `//` to the end of the line.
 *
 * @module
 */

import { type InterfaceType, typeToString } from "../types/model.ts";
import { camelCase } from "../runtime/js_values.ts";

/** WAVE text that does not read as a value of its type. */
export class WaveSyntaxError extends SyntaxError {
  /** The offset in the text where reading stopped. */
  readonly offset: number;

  /**
   * Create the error.
   * @param message What is wrong.
   * @param offset Where, as a character offset in the text.
   */
  constructor(message: string, offset: number) {
    super(`${message} (at character ${offset})`);
    this.name = "WaveSyntaxError";
    this.offset = offset;
  }
}

/** Words a case or field named like them must be written with `%` before. */
const KEYWORDS = new Set(["true", "false", "inf", "nan", "some", "none", "ok", "err"]);

const INT_RANGES: Record<string, [bigint, bigint]> = {
  u8: [0n, 0xffn],
  s8: [-0x80n, 0x7fn],
  u16: [0n, 0xffffn],
  s16: [-0x8000n, 0x7fffn],
  u32: [0n, 0xffff_ffffn],
  s32: [-0x8000_0000n, 0x7fff_ffffn],
  u64: [0n, 0xffff_ffff_ffff_ffffn],
  s64: [-0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn],
};

const LABEL = /%?[a-zA-Z][a-zA-Z0-9]*(?:-[a-zA-Z][a-zA-Z0-9]*|-[0-9]+)*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * A reader of WAVE values from a text, one after another: the cursor is
 * `pos`, and every value is read against its type.
 */
export class WaveReader {
  /** The text. */
  readonly text: string;
  /** Where the next token starts (after {@link WaveReader.ws}). */
  pos: number;

  /**
   * Start reading.
   * @param text The text.
   * @param pos Where to start.
   */
  constructor(text: string, pos = 0) {
    this.text = text;
    this.pos = pos;
  }

  /** An error at the cursor. */
  error(message: string, at = this.pos): WaveSyntaxError {
    return new WaveSyntaxError(message, at);
  }

  /** Skip whitespace and `//` comments. */
  ws(): void {
    const s = this.text;
    for (;;) {
      while (this.pos < s.length && /\s/.test(s[this.pos])) this.pos++;
      if (s.startsWith("//", this.pos)) {
        const nl = s.indexOf("\n", this.pos);
        this.pos = nl < 0 ? s.length : nl + 1;
      } else return;
    }
  }

  /** Whether the next token is `c` (consumed if so). */
  eat(c: string): boolean {
    this.ws();
    if (!this.text.startsWith(c, this.pos)) return false;
    this.pos += c.length;
    return true;
  }

  /** Consume `c` or fail. */
  expect(c: string): void {
    if (!this.eat(c)) {
      const found = this.pos < this.text.length ? `\`${this.text[this.pos]}\`` : "the end";
      throw this.error(`expected \`${c}\`, found ${found}`);
    }
  }

  /** Whether the text has nothing but whitespace left. */
  atEnd(): boolean {
    this.ws();
    return this.pos >= this.text.length;
  }

  /** The label at the cursor (without its `%`), or `undefined`. */
  #label(): { name: string; escaped: boolean } | undefined {
    this.ws();
    LABEL.lastIndex = this.pos;
    const m = LABEL.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    const escaped = m[0].startsWith("%");
    return { name: escaped ? m[0].slice(1) : m[0], escaped };
  }

  /** A label naming one of `names`; `%` is needed before a keyword. */
  #labelOf(names: readonly string[], what: string): string {
    const at = this.pos;
    const l = this.#label();
    if (l === undefined) throw this.error(`expected ${what}`, at);
    if (!names.includes(l.name)) {
      throw this.error(
        `unknown ${what} \`${l.name}\` (expected one of ${names.join(", ")})`,
        at,
      );
    }
    if (KEYWORDS.has(l.name) && !l.escaped) {
      throw this.error(`the ${what} \`${l.name}\` is written \`%${l.name}\``, at);
    }
    return l.name;
  }

  /** Whether the next token is the keyword `word` (consumed if so). */
  #keyword(word: string): boolean {
    this.ws();
    const at = this.pos;
    const l = this.#label();
    if (l !== undefined && !l.escaped && l.name === word) return true;
    this.pos = at;
    return false;
  }

  /** Whether the next token starts with `c`, without consuming it. */
  #peek(c: string): boolean {
    this.ws();
    return this.text.startsWith(c, this.pos);
  }

  /**
   * Read one value of type `t`.
   * @param t The type.
   * @returns The JavaScript value (the runtime's conventions; lists are arrays, results tagged).
   */
  value(t: InterfaceType): unknown {
    this.ws();
    if (typeof t === "string") return this.#primitive(t);
    switch (t.kind) {
      case "list": {
        const items = this.#sequence("[", "]", () => this.value(t.element));
        if (t.length !== undefined && items.length !== t.length) {
          throw this.error(`expected ${t.length} list elements, got ${items.length}`);
        }
        return items;
      }
      case "tuple": {
        const at = this.pos;
        let i = 0;
        const items = this.#sequence("(", ")", () => {
          if (i >= t.types.length) throw this.error(`expected ${t.types.length} tuple elements`);
          return this.value(t.types[i++]);
        });
        if (items.length !== t.types.length) {
          throw this.error(`expected ${t.types.length} tuple elements, got ${items.length}`, at);
        }
        return items;
      }
      case "record":
        return this.#record(t);
      case "flags": {
        const names = t.names;
        const set = this.#sequence("{", "}", () => this.#labelOf(names, "flag"));
        return Object.fromEntries(names.map((n) => [camelCase(n), set.includes(n)]));
      }
      case "enum":
        return this.#labelOf(t.names, "enum case");
      case "variant": {
        const name = this.#labelOf(t.cases.map((c) => c.name), "variant case");
        const c = t.cases.find((c) => c.name === name)!;
        if (c.type === undefined) return { tag: name };
        return { tag: name, val: this.#payload(c.type) };
      }
      case "option": {
        if (this.#keyword("none")) return undefined;
        const nested = typeof t.type !== "string" && t.type.kind === "option";
        if (this.#keyword("some")) {
          const v = this.#payload(t.type);
          return nested ? { tag: "some", val: v } : v;
        }
        if (nested) throw this.error("expected `some(...)` or `none` (a nested option)");
        return this.value(t.type); // a flat some
      }
      case "result": {
        for (const tag of ["ok", "err"] as const) {
          if (!this.#keyword(tag)) continue;
          const p = tag === "ok" ? t.ok : t.err;
          if (p === undefined) return { tag };
          return { tag, val: this.#payload(p) };
        }
        if (t.ok === undefined) throw this.error("expected `ok` or `err(...)`");
        return { tag: "ok", val: this.value(t.ok) }; // a flat ok
      }
      case "map":
        return this.#map(t.key, t.value);
      default:
        throw this.error(`a \`${typeToString(t)}\` value cannot be written in WAVE`);
    }
  }

  /** `(value)`: a case's payload. */
  #payload(t: InterfaceType): unknown {
    this.expect("(");
    const v = this.value(t);
    this.expect(")");
    return v;
  }

  /** `open item, item, ... close`, a trailing comma allowed. */
  #sequence<T>(open: string, close: string, item: () => T): T[] {
    this.expect(open);
    const out: T[] = [];
    while (!this.eat(close)) {
      out.push(item());
      if (!this.eat(",")) {
        this.expect(close);
        break;
      }
    }
    return out;
  }

  #record(t: Extract<InterfaceType, { kind: "record" }>): Record<string, unknown> {
    const names = t.fields.map((f) => f.name);
    const got = new Map<string, unknown>();
    this.expect("{");
    if (!this.eat(":")) {
      while (!this.eat("}")) {
        const at = this.pos;
        const name = this.#labelOf(names, "record field");
        if (got.has(name)) throw this.error(`field \`${name}\` given twice`, at);
        this.expect(":");
        got.set(name, this.value(t.fields.find((f) => f.name === name)!.type));
        if (!this.eat(",")) {
          this.expect("}");
          break;
        }
      }
    } else this.expect("}");
    const out: Record<string, unknown> = {};
    for (const f of t.fields) {
      if (!got.has(f.name) && !(typeof f.type !== "string" && f.type.kind === "option")) {
        throw this.error(`missing record field \`${f.name}\``);
      }
      out[camelCase(f.name)] = got.get(f.name);
    }
    return out;
  }

  #map(key: InterfaceType, value: InterfaceType): Map<unknown, unknown> {
    const out = new Map<unknown, unknown>();
    this.expect("{");
    if (this.eat(":")) {
      this.expect("}");
      return out;
    }
    while (!this.eat("}")) {
      const k = this.value(key);
      this.expect(":");
      out.set(k, this.value(value));
      if (!this.eat(",")) {
        this.expect("}");
        break;
      }
    }
    return out;
  }

  #primitive(t: string): unknown {
    const at = this.pos;
    switch (t) {
      case "bool":
        if (this.#keyword("true")) return true;
        if (this.#keyword("false")) return false;
        throw this.error("expected `true` or `false`");
      case "f32":
      case "f64": {
        if (this.#keyword("nan")) return NaN;
        if (this.#keyword("inf")) return Infinity;
        if (this.text.startsWith("-inf", this.pos)) {
          this.pos += 4;
          return -Infinity;
        }
        const n = this.#number();
        if (n === undefined) throw this.error(`expected a number for \`${t}\``);
        const v = Number(n);
        return t === "f32" ? Math.fround(v) : v;
      }
      case "char": {
        if (this.text[this.pos] !== "'") throw this.error("expected a `char` in quotes: 'x'");
        this.pos++;
        const c = this.#char("'");
        if (this.text[this.pos] !== "'") throw this.error("a `char` is one character", at);
        this.pos++;
        return c;
      }
      case "string":
        return this.#string();
      default: {
        const range = INT_RANGES[t];
        if (range === undefined) throw this.error(`no WAVE syntax for \`${t}\``);
        const n = this.#number();
        if (n === undefined || /[.eE]/.test(n)) {
          throw this.error(`expected an integer for \`${t}\``, at);
        }
        const v = BigInt(n);
        if (v < range[0] || v > range[1]) throw this.error(`${n} is out of range for \`${t}\``, at);
        return t === "u64" || t === "s64" ? v : Number(v);
      }
    }
  }

  #number(): string | undefined {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** One character of a string or char (an escape, or any character but `quote`, `\` and newline). */
  #char(quote: string): string {
    const s = this.text;
    const at = this.pos;
    const c = s.codePointAt(this.pos);
    if (c === undefined) throw this.error("unterminated text");
    if (c === 0x0a || String.fromCodePoint(c) === quote) throw this.error("expected a character");
    if (c !== 0x5c) {
      this.pos += c > 0xffff ? 2 : 1;
      return String.fromCodePoint(c);
    }
    const e = s[this.pos + 1];
    this.pos += 2;
    switch (e) {
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "\\":
      case "'":
      case '"':
        return e;
      case "u": {
        const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(s.slice(this.pos, this.pos + 8));
        if (m === null) throw this.error("expected `\\u{HEX}`", at);
        const cp = parseInt(m[1], 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
          throw this.error(`\\u{${m[1]}} is not a Unicode scalar value`, at);
        }
        this.pos += m[0].length;
        return String.fromCodePoint(cp);
      }
      default:
        throw this.error(`unknown escape \`\\${e ?? ""}\``, at);
    }
  }

  #string(): string {
    const s = this.text;
    if (s.startsWith('"""', this.pos)) return this.#multiline();
    if (s[this.pos] !== '"') throw this.error('expected a string in double quotes: "text"');
    this.pos++;
    let out = "";
    while (s[this.pos] !== '"') out += this.#char('"');
    this.pos++;
    return out;
  }

  /** `"""` newline, lines, `"""`: the closing line's indentation is removed from every line. */
  #multiline(): string {
    const s = this.text;
    const start = this.pos;
    this.pos += 3;
    const nl = /^\r?\n/.exec(s.slice(this.pos, this.pos + 2));
    if (nl === null) throw this.error('a multi-line string starts with `"""` and a line break');
    this.pos += nl[0].length;
    const end = s.indexOf('"""', this.pos);
    if (end < 0) throw this.error("unterminated multi-line string", start);
    const lines = s.slice(this.pos, end).split(/\r?\n/);
    const indent = lines.pop()!;
    if (/\S/.test(indent)) throw this.error('the closing `"""` must be on a line of its own', end);
    const body = lines.map((l) => {
      if (!l.startsWith(indent) && l.trim() !== "") {
        throw this.error('a line is indented less than the closing `"""`', end);
      }
      return l.slice(indent.length);
    }).join("\n");
    this.pos = end + 3;
    // the escapes of the body, read as a one-line string's would be
    const r = new WaveReader(body);
    let out = "";
    while (r.pos < body.length) out += body[r.pos] === "\n" ? (r.pos++, "\n") : r.#char('"""');
    return out;
  }
}

/**
 * Read a whole WAVE text as one value of type `t`.
 *
 * @example Reading a record and a list
 * ```ts
 * import { readWave } from "@wasmfuse/fuse/wave";
 * import assert from "node:assert/strict";
 *
 * const point = { kind: "record", fields: [{ name: "x", type: "u32" }, { name: "y-pos", type: "u32" }] } as const;
 * assert.deepEqual(readWave("{x: 3, y-pos: 4}", point), { x: 3, yPos: 4 });
 * assert.deepEqual(readWave("[1, 2]", { kind: "list", element: "u8" }), [1, 2]);
 * ```
 *
 * @param text The text.
 * @param t The type.
 * @returns The JavaScript value.
 * @throws {WaveSyntaxError} When the text is not a value of the type.
 */
export function readWave(text: string, t: InterfaceType): unknown {
  const r = new WaveReader(text);
  const v = r.value(t);
  if (!r.atEnd()) throw r.error("unexpected text after the value");
  return v;
}

function label(name: string): string {
  return KEYWORDS.has(name) ? `%${name}` : name;
}

function escapeText(s: string, quote: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out;
}

function formatFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

/**
 * Print a value of type `t` in WAVE, as `wasmtime run --invoke` prints results.
 *
 * @example Printing values
 * ```ts
 * import { formatWave } from "@wasmfuse/fuse/wave";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatWave({ tag: "ok", val: "hi" }, { kind: "result", ok: "string" }), 'ok("hi")');
 * assert.equal(formatWave(new Uint8Array([1, 2]), { kind: "list", element: "u8" }), "[1, 2]");
 * ```
 *
 * @param v The JavaScript value (the runtime's conventions, results tagged).
 * @param t Its type.
 * @returns The WAVE text.
 */
export function formatWave(v: unknown, t: InterfaceType): string {
  if (typeof t === "string") {
    switch (t) {
      case "bool":
        return v ? "true" : "false";
      case "f32":
      case "f64":
        return formatFloat(v as number);
      case "char":
        return `'${escapeText(v as string, "'")}'`;
      case "string":
        return `"${escapeText(v as string, '"')}"`;
      default:
        return String(v);
    }
  }
  switch (t.kind) {
    case "list":
      return `[${Array.from(v as ArrayLike<unknown>, (e) => formatWave(e, t.element)).join(", ")}]`;
    case "tuple":
      return `(${(v as unknown[]).map((e, i) => formatWave(e, t.types[i])).join(", ")})`;
    case "record": {
      const o = v as Record<string, unknown>;
      if (t.fields.length === 0) return "{:}";
      return `{${
        t.fields.map((f) => `${label(f.name)}: ${formatWave(o[camelCase(f.name)], f.type)}`)
          .join(", ")
      }}`;
    }
    case "flags": {
      const o = v as Record<string, boolean>;
      return `{${t.names.filter((n) => o[camelCase(n)]).map(label).join(", ")}}`;
    }
    case "enum":
      return label(v as string);
    case "variant": {
      const { tag, val } = v as { tag: string; val?: unknown };
      const c = t.cases.find((c) => c.name === tag)!;
      return c.type === undefined ? label(tag) : `${label(tag)}(${formatWave(val, c.type)})`;
    }
    case "option": {
      if (v === undefined) return "none";
      const nested = typeof t.type !== "string" && t.type.kind === "option";
      const inner = nested ? (v as { val: unknown }).val : v;
      return `some(${formatWave(inner, t.type)})`;
    }
    case "result": {
      const { tag, val } = v as { tag: "ok" | "err"; val?: unknown };
      const p = tag === "ok" ? t.ok : t.err;
      return p === undefined ? tag : `${tag}(${formatWave(val, p)})`;
    }
    case "map": {
      const entries = [...(v as Map<unknown, unknown>)];
      if (entries.length === 0) return "{:}";
      return `{${
        entries.map(([k, x]) => `${formatWave(k, t.key)}: ${formatWave(x, t.value)}`).join(", ")
      }}`;
    }
    case "own":
    case "borrow":
      return `<${t.kind}<${t.resource.name ?? "resource"}>>`;
    default:
      return `<${typeToString(t)}>`;
  }
}
