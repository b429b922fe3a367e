/**
 * An S-expression reader for `.wast` scripts (and WAT text): it splits the
 * source into lists, atoms and strings, and nothing more. It knows the
 * WebAssembly text format's lexical rules: `;;` line comments, nested
 * `(; ... ;)` block comments, and strings with every escape the format
 * defines (`\t \n \r \" \' \\`, `\hh` for one raw byte, `\u{hex}` for a
 * Unicode scalar value in UTF-8).
 *
 * Strings are kept as raw bytes, because the strings of
 * `(component binary "...")` are arbitrary bytes; {@link stringText} reads
 * one as UTF-8 text. Every node records where it came from (offsets into the
 * source, line and column), and lists keep their whole source span so that
 * a caller can slice a form's text out of the script (to hand a
 * `(component ...)` form to a WAT parser, say).
 *
 * Annotations such as `(@custom "name" ...)` are read as ordinary lists whose
 * first atom is `@custom`.
 *
 * Dependency-free and runtime-neutral (no Deno APIs).
 *
 * @example Reading a script
 * ```ts
 * import { readSexprs, stringText } from "./sexpr.ts";
 * import assert from "node:assert/strict";
 *
 * const [form] = readSexprs('(assert_malformed (component binary "\\00asm") "bad") ;; note');
 * assert.equal(form.kind, "list");
 * if (form.kind === "list") {
 *   const [head, component, message] = form.items;
 *   assert.deepEqual(head, { kind: "atom", value: "assert_malformed", line: 1, col: 2, start: 1, end: 17 });
 *   assert.equal(component.kind, "list");
 *   assert.equal(message.kind === "string" && stringText(message), "bad");
 * }
 * ```
 *
 * @module
 */

/** Where a node starts in the source. Lines and columns count from 1. */
export interface SPosition {
  /** Line of the node's first character (1-based). */
  readonly line: number;
  /**
   * Column of the node's first character (1-based), counted in UTF-16 code
   * units from the start of its line (characters, for ASCII and BMP text).
   */
  readonly col: number;
  /** Offset of the node's first character in the source (a UTF-16 index). */
  readonly start: number;
  /** Offset just past the node's last character (`source.slice(start, end)` is its text). */
  readonly end: number;
}

/** A parenthesised list: `(` items `)`. Its span covers both parentheses. */
export interface SList extends SPosition {
  /** Discriminant. */
  readonly kind: "list";
  /** The list's elements, in order (comments dropped). */
  readonly items: readonly SNode[];
}

/**
 * An atom: a keyword (`module`, `i32.const`, `offset=4`), an identifier
 * (`$name`; a quoted `$"name"` is read as `$name`), a number (`0x1F`,
 * `-1.5e3`, `nan:0x200000`), or any other run of identifier characters.
 */
export interface SAtom extends SPosition {
  /** Discriminant. */
  readonly kind: "atom";
  /** The atom's text, as written (except quoted identifiers, see above). */
  readonly value: string;
}

/** A string literal, escapes resolved. Its span covers both quotes. */
export interface SString extends SPosition {
  /** Discriminant. */
  readonly kind: "string";
  /** The string's bytes: its characters in UTF-8, and escapes as they denote. */
  readonly bytes: Uint8Array;
}

/** A node of an S-expression: a list, an atom or a string. */
export type SNode = SList | SAtom | SString;

/**
 * A malformed script. The message ends with the line and column of the
 * problem, as in `unterminated string (at line 3, column 14)`.
 */
export class SexprError extends SyntaxError {
  /** What is wrong, without the position. */
  readonly reason: string;
  /** Line of the problem (1-based). */
  readonly line: number;
  /** Column of the problem (1-based, UTF-16 code units). */
  readonly col: number;
  /** Offset of the problem in the source (a UTF-16 index). */
  readonly offset: number;

  /**
   * Create an error.
   * @param reason What is wrong.
   * @param line Line of the problem (1-based).
   * @param col Column of the problem (1-based).
   * @param offset Offset of the problem in the source.
   */
  constructor(reason: string, line: number, col: number, offset: number) {
    super(`${reason} (at line ${line}, column ${col})`);
    this.name = "SexprError";
    this.reason = reason;
    this.line = line;
    this.col = col;
    this.offset = offset;
  }
}

// Character classes, indexed by char code (ASCII only; everything else is 0).
const WHITESPACE = 1;
const ATOM = 2; // idchar, plus the reserved-token characters , [ ] { }
const CLASS = new Uint8Array(128);
for (const c of " \t\n\r") CLASS[c.charCodeAt(0)] = WHITESPACE;
for (let c = 0x21; c < 0x7f; c++) CLASS[c] = ATOM;
for (const c of '()";') CLASS[c.charCodeAt(0)] = 0;

const LPAREN = 0x28;
const RPAREN = 0x29;
const QUOTE = 0x22;
const SEMI = 0x3b;
const BACKSLASH = 0x5c;
const LF = 0x0a;
const DOLLAR = 0x24;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

function describeChar(c: number): string {
  if (c >= 0x21 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Scratch space for string bytes, grown on demand and shared by all reads. */
let scratch = new Uint8Array(256);

interface Open {
  readonly items: SNode[];
  readonly line: number;
  readonly col: number;
  readonly start: number;
}

/**
 * The reader proper: a single pass over the source with an explicit stack,
 * so that deep nesting cannot overflow the call stack.
 */
class SexprReader {
  readonly #src: string;
  #pos = 0;
  #line = 1;
  #lineStart = 0;

  constructor(src: string) {
    this.#src = src;
  }

  #error(reason: string, offset: number, line = this.#line, lineStart = this.#lineStart): never {
    throw new SexprError(reason, line, offset - lineStart + 1, offset);
  }

  read(): SNode[] {
    const src = this.#src;
    const n = src.length;
    const top: SNode[] = [];
    const stack: Open[] = [];
    let items = top;
    for (;;) {
      this.#skipTrivia();
      if (this.#pos >= n) break;
      const at = this.#pos;
      const c = src.charCodeAt(at);
      const col = at - this.#lineStart + 1;
      if (c === LPAREN) {
        this.#pos++;
        const open: Open = { items: [], line: this.#line, col, start: at };
        stack.push(open);
        items = open.items;
      } else if (c === RPAREN) {
        const open = stack.pop();
        if (open === undefined) this.#error("unexpected ')' with no list open", at);
        this.#pos++;
        items = stack.length > 0 ? stack[stack.length - 1].items : top;
        items.push({
          kind: "list",
          items: open.items,
          line: open.line,
          col: open.col,
          start: open.start,
          end: this.#pos,
        });
      } else if (c === QUOTE) {
        const bytes = this.#string();
        items.push({ kind: "string", bytes, line: this.#line, col, start: at, end: this.#pos });
      } else if (c < 128 && CLASS[c] === ATOM) {
        items.push(this.#atom(col));
      } else {
        this.#error(`unexpected character ${describeChar(c)}`, at);
      }
    }
    if (stack.length > 0) {
      const open = stack[stack.length - 1];
      throw new SexprError(
        stack.length === 1
          ? "unclosed '(': the script ends before its ')'"
          : `unclosed '(': the script ends with ${stack.length} lists open`,
        open.line,
        open.col,
        open.start,
      );
    }
    return top;
  }

  /** Skip whitespace, line comments and (nested) block comments. */
  #skipTrivia(): void {
    const src = this.#src;
    const n = src.length;
    let pos = this.#pos;
    while (pos < n) {
      const c = src.charCodeAt(pos);
      if (c === LF) {
        pos++;
        this.#line++;
        this.#lineStart = pos;
      } else if (c < 128 && CLASS[c] === WHITESPACE) {
        pos++;
      } else if (c === SEMI) {
        if (src.charCodeAt(pos + 1) !== SEMI) {
          this.#error("unexpected ';' (a line comment starts with ';;')", pos);
        }
        const eol = src.indexOf("\n", pos + 2);
        pos = eol < 0 ? n : eol; // the newline itself is counted above
      } else if (c === LPAREN && src.charCodeAt(pos + 1) === SEMI) {
        pos = this.#blockComment(pos);
      } else {
        break;
      }
    }
    this.#pos = pos;
  }

  /**
   * Skip a block comment starting at `start` (at its `(;`), nested ones included.
   * @returns The offset just past its `;)`.
   */
  #blockComment(start: number): number {
    const src = this.#src;
    const n = src.length;
    const startLine = this.#line;
    const startLineStart = this.#lineStart;
    let depth = 1;
    let pos = start + 2;
    while (pos < n) {
      const c = src.charCodeAt(pos);
      if (c === LF) {
        pos++;
        this.#line++;
        this.#lineStart = pos;
      } else if (c === LPAREN && src.charCodeAt(pos + 1) === SEMI) {
        depth++;
        pos += 2;
      } else if (c === SEMI && src.charCodeAt(pos + 1) === RPAREN) {
        pos += 2;
        if (--depth === 0) return pos;
      } else {
        pos++;
      }
    }
    return this.#error(
      "unterminated block comment: '(;' has no matching ';)'",
      start,
      startLine,
      startLineStart,
    );
  }

  #atom(col: number): SAtom {
    const src = this.#src;
    const n = src.length;
    const start = this.#pos;
    if (src.charCodeAt(start) === DOLLAR && src.charCodeAt(start + 1) === QUOTE) {
      // A quoted identifier, $"...": its name is the string's text.
      this.#pos = start + 1;
      const at = this.#pos;
      const bytes = this.#string();
      let name: string;
      try {
        name = utf8.decode(bytes);
      } catch {
        return this.#error("malformed UTF-8 encoding in a quoted identifier", at);
      }
      if (name.length === 0) this.#error("empty identifier", start);
      return { kind: "atom", value: `$${name}`, line: this.#line, col, start, end: this.#pos };
    }
    let pos = start + 1;
    while (pos < n) {
      const c = src.charCodeAt(pos);
      if (c >= 128 || CLASS[c] !== ATOM) break;
      pos++;
    }
    this.#pos = pos;
    return { kind: "atom", value: src.slice(start, pos), line: this.#line, col, start, end: pos };
  }

  /** Read a string at its opening quote; leaves `#pos` past the closing quote. */
  #string(): Uint8Array {
    const src = this.#src;
    const n = src.length;
    const open = this.#pos;
    let pos = open + 1;
    // A string cannot span lines, so the closing quote (if any) is before the
    // next newline; each UTF-16 unit gives at most 3 bytes.
    const eol = src.indexOf("\n", pos);
    const bound = (eol < 0 ? n : eol) - pos;
    if (scratch.length < bound * 3) {
      scratch = new Uint8Array(Math.max(bound * 3, scratch.length * 2));
    }
    const out = scratch;
    let len = 0;
    for (;;) {
      if (pos >= n) this.#error("unterminated string: no closing '\"'", open);
      const c = src.charCodeAt(pos);
      if (c === QUOTE) {
        pos++;
        break;
      }
      if (c === BACKSLASH) {
        const e = src.charCodeAt(pos + 1);
        switch (e) {
          case 0x74: // t
            out[len++] = 0x09;
            pos += 2;
            continue;
          case 0x6e: // n
            out[len++] = 0x0a;
            pos += 2;
            continue;
          case 0x72: // r
            out[len++] = 0x0d;
            pos += 2;
            continue;
          case QUOTE:
          case 0x27: // '
          case BACKSLASH:
            out[len++] = e;
            pos += 2;
            continue;
          case 0x75: { // u
            const [cp, next] = this.#unicodeEscape(pos);
            len = encodeUtf8(out, len, cp);
            pos = next;
            continue;
          }
        }
        const hi = hexValue(e);
        const lo = hexValue(src.charCodeAt(pos + 2));
        if (hi < 0 || lo < 0) {
          if (pos + 1 >= n) this.#error("unterminated string: no closing '\"'", open);
          if (hi >= 0) this.#error("malformed '\\hh' escape: expected two hex digits", pos);
          this.#error(`unknown escape '\\${src[pos + 1]}' in string`, pos);
        }
        out[len++] = hi << 4 | lo;
        pos += 3;
        continue;
      }
      if (c < 0x20 || c === 0x7f) {
        if (c === LF) this.#error("unterminated string: no closing '\"' on its line", open);
        this.#error(`control character ${describeChar(c)} in string (escape it)`, pos);
      }
      if (c < 0x80) {
        out[len++] = c;
        pos++;
        continue;
      }
      // Non-ASCII: one code point, from one or two UTF-16 units.
      let cp = c;
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = src.charCodeAt(pos + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          pos++;
        } else {
          this.#error("unpaired surrogate in string", pos);
        }
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        this.#error("unpaired surrogate in string", pos);
      }
      len = encodeUtf8(out, len, cp);
      pos++;
    }
    this.#pos = pos;
    return out.slice(0, len);
  }

  /**
   * Read `\u{hex}` at `at` (the backslash).
   * @returns The code point and the offset just past the `}`.
   */
  #unicodeEscape(at: number): [number, number] {
    const src = this.#src;
    let pos = at + 2;
    if (src.charCodeAt(pos) !== 0x7b) this.#error("malformed '\\u' escape: expected '{'", at);
    pos++;
    let cp = 0;
    let digits = 0;
    let underscoreOk = false;
    for (;; pos++) {
      const c = src.charCodeAt(pos);
      if (c === 0x7d && digits > 0 && underscoreOk) break; // '}', not after '_'
      if (c === 0x5f && underscoreOk) { // '_' between digits
        underscoreOk = false;
        continue;
      }
      const v = hexValue(c);
      if (v < 0) this.#error("malformed '\\u{...}' escape: expected hex digits and '}'", at);
      cp = cp * 16 + v;
      digits++;
      underscoreOk = true;
      if (cp > 0x10ffff) this.#error("'\\u{...}' escape out of the Unicode range", at);
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      this.#error("'\\u{...}' escape names a surrogate, not a Unicode scalar value", at);
    }
    return [cp, pos + 1];
  }
}

/** Write `cp` as UTF-8 at `out[len]`; returns the new length. */
function encodeUtf8(out: Uint8Array, len: number, cp: number): number {
  if (cp < 0x80) {
    out[len++] = cp;
  } else if (cp < 0x800) {
    out[len++] = 0xc0 | cp >> 6;
    out[len++] = 0x80 | cp & 0x3f;
  } else if (cp < 0x10000) {
    out[len++] = 0xe0 | cp >> 12;
    out[len++] = 0x80 | cp >> 6 & 0x3f;
    out[len++] = 0x80 | cp & 0x3f;
  } else {
    out[len++] = 0xf0 | cp >> 18;
    out[len++] = 0x80 | cp >> 12 & 0x3f;
    out[len++] = 0x80 | cp >> 6 & 0x3f;
    out[len++] = 0x80 | cp & 0x3f;
  }
  return len;
}

/**
 * Read every top-level S-expression of a script.
 *
 * @example Spans and string bytes
 * ```ts
 * import { readSexprs } from "./sexpr.ts";
 * import assert from "node:assert/strict";
 *
 * const src = ';; a comment\n(component binary "\\00asm" "\\0d\\00\\01\\00")';
 * const [form] = readSexprs(src);
 * assert.equal(form.kind, "list");
 * assert.equal(form.line, 2);
 * assert.equal(src.slice(form.start, form.end), src.slice(13));
 * if (form.kind === "list" && form.items[2].kind === "string") {
 *   assert.deepEqual([...form.items[2].bytes], [0, 0x61, 0x73, 0x6d]);
 * }
 * ```
 *
 * @param text The script's source.
 * @returns The top-level forms, in order (comments dropped).
 * @throws {SexprError} When the script is malformed (unbalanced parentheses,
 *   an unterminated string or block comment, an unknown escape, a stray
 *   character), naming the line and column.
 */
export function readSexprs(text: string): SNode[] {
  return new SexprReader(text).read();
}

/**
 * A string node's bytes as text (UTF-8).
 * @param node A string node.
 * @returns Its text.
 * @throws {SexprError} When the bytes are not valid UTF-8 (`"\ff"`, say).
 */
export function stringText(node: SString): string {
  try {
    return utf8.decode(node.bytes);
  } catch {
    throw new SexprError("malformed UTF-8 encoding in string", node.line, node.col, node.start);
  }
}

/** A list that starts with the atom `H`, as {@link isList} finds when given a head. */
export type SHeadedList<H extends string = string> = SList & {
  readonly items: readonly [SAtom & { readonly value: H }, ...SNode[]];
};

/**
 * Whether a node is an atom.
 * @param node The node, if any.
 * @returns Whether it is an atom.
 */
export function isAtom(node: SNode | undefined): node is SAtom;
/**
 * Whether a node is the atom `value` (`false` narrows nothing: it may be another atom).
 * @param node The node, if any.
 * @param value The text the atom must have.
 * @returns Whether it is that atom.
 */
export function isAtom<V extends string>(
  node: SNode | undefined,
  value: V,
): node is SAtom & { readonly value: V };
/**
 * Whether a node is an atom (with the given text, when one is given).
 * @param node The node, if any.
 * @param value The text the atom must have.
 * @returns Whether it is such an atom.
 */
export function isAtom(node: SNode | undefined, value?: string): boolean {
  return node?.kind === "atom" && (value === undefined || node.value === value);
}

/**
 * Whether a node is a list.
 * @param node The node, if any.
 * @returns Whether it is a list.
 */
export function isList(node: SNode | undefined): node is SList;
/**
 * Whether a node is a list whose first item is the atom `head`, as in
 * `isList(n, "module")` (`false` narrows nothing: it may be another list).
 * @param node The node, if any.
 * @param head The keyword the list must start with.
 * @returns Whether it is such a list.
 */
export function isList<H extends string>(
  node: SNode | undefined,
  head: H,
): node is SHeadedList<H>;
/**
 * Whether a node is a list (whose first item is the atom `head`, when one is given).
 * @param node The node, if any.
 * @param head The keyword the list must start with.
 * @returns Whether it is such a list.
 */
export function isList(node: SNode | undefined, head?: string): boolean {
  return node?.kind === "list" &&
    (head === undefined || (node.items[0]?.kind === "atom" && node.items[0].value === head));
}

/**
 * Concatenate the bytes of string nodes, as `(module binary "..." "...")`
 * does with its strings.
 * @param nodes String nodes.
 * @returns Their bytes, one after another.
 */
export function concatStrings(nodes: readonly SString[]): Uint8Array {
  let size = 0;
  for (const s of nodes) size += s.bytes.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const s of nodes) {
    out.set(s.bytes, at);
    at += s.bytes.length;
  }
  return out;
}
