import assert from "node:assert/strict";
import {
  concatStrings,
  isAtom,
  isList,
  readSexprs,
  SexprError,
  type SList,
  type SNode,
  type SString,
  stringText,
} from "../../lib/wast/sexpr.ts";

/** The single top-level form of `src`. */
function one(src: string): SNode {
  const forms = readSexprs(src);
  assert.equal(forms.length, 1, `expected one form in ${JSON.stringify(src)}`);
  return forms[0];
}

/** The bytes of the string literal `literal` (written with its quotes). */
function bytesOf(literal: string): number[] {
  const node = one(literal);
  assert.equal(node.kind, "string");
  return [...(node as SString).bytes];
}

/** Strip positions, for comparing structure only. */
function shape(node: SNode): unknown {
  switch (node.kind) {
    case "list":
      return node.items.map(shape);
    case "atom":
      return node.value;
    case "string":
      return { string: [...node.bytes] };
  }
}

/** Assert that reading `src` fails with `reason` at `line`:`col`. */
function rejects(src: string, reason: RegExp, line: number, col: number): void {
  assert.throws(() => readSexprs(src), (e: unknown) => {
    assert.ok(e instanceof SexprError, `expected a SexprError, got ${e}`);
    assert.match(e.reason, reason);
    assert.equal(e.line, line, `line of ${JSON.stringify(e.message)}`);
    assert.equal(e.col, col, `column of ${JSON.stringify(e.message)}`);
    assert.ok(
      e.message.endsWith(`(at line ${line}, column ${col})`),
      `message names line and column: ${e.message}`,
    );
    return true;
  });
}

Deno.test("sexpr: lists, atoms and strings", () => {
  const src = '(module $m (func (export "f") (param i32) (result i64) i64.const -0x1_F) offset=4)';
  assert.deepEqual(shape(one(src)), [
    "module",
    "$m",
    [
      "func",
      ["export", { string: [0x66] }],
      ["param", "i32"],
      ["result", "i64"],
      "i64.const",
      "-0x1_F",
    ],
    "offset=4",
  ]);
  assert.deepEqual(readSexprs(""), []);
  assert.deepEqual(readSexprs("  \n\t\r\n ;; only a comment"), []);
  assert.deepEqual(readSexprs("a b ()").map(shape), ["a", "b", []]);
  // Atoms end at parentheses, quotes, whitespace and comments.
  assert.deepEqual(readSexprs('a(b)"c"d;;e\nf(;g;)h').map(shape), [
    "a",
    ["b"],
    { string: [0x63] },
    "d",
    "f",
    "h",
  ]);
  // Every idchar, plus the reserved-token characters, is part of an atom.
  const idchars = "0-9AZaz!#$%&'*+-./:<=>?@\\^_`|~,[]{}";
  assert.deepEqual(shape(one(idchars)), idchars);
});

Deno.test("sexpr: string escapes", () => {
  assert.deepEqual(bytesOf('"\\t\\n\\r\\"\\\'\\\\"'), [0x09, 0x0a, 0x0d, 0x22, 0x27, 0x5c]);
  // \hh is one raw byte, any value, either case of hex digit.
  assert.deepEqual(bytesOf('"\\00asm\\0d\\00\\01\\00"'), [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
  assert.deepEqual(bytesOf('"\\ff\\FE\\aB\\7f\\80"'), [0xff, 0xfe, 0xab, 0x7f, 0x80]);
  // A hex escape is exactly two digits: the third is an ordinary character.
  assert.deepEqual(bytesOf('"\\414"'), [0x41, 0x34]);
  // \u{hex}: a Unicode scalar value in UTF-8, 1 to 4 bytes; '_' may separate digits.
  assert.deepEqual(bytesOf('"\\u{41}"'), [0x41]);
  assert.deepEqual(bytesOf('"\\u{0}"'), [0]);
  assert.deepEqual(bytesOf('"\\u{e9}\\u{20AC}"'), [0xc3, 0xa9, 0xe2, 0x82, 0xac]);
  assert.deepEqual(bytesOf('"\\u{1F600}"'), [0xf0, 0x9f, 0x98, 0x80]);
  assert.deepEqual(bytesOf('"\\u{10_FFFF}"'), [0xf4, 0x8f, 0xbf, 0xbf]);
  assert.deepEqual(bytesOf('"\\u{000000041}"'), [0x41]);
  assert.deepEqual(bytesOf('"\\u{7fff}"'), [0xe7, 0xbf, 0xbf]);
  // Characters written as themselves are UTF-8 encoded, astral ones too.
  assert.deepEqual(bytesOf('"é€😀"'), [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
  assert.deepEqual(bytesOf('""'), []);
  // Comment markers and parentheses inside strings are just characters.
  assert.deepEqual(bytesOf('";; (; ) ;)"'), [...new TextEncoder().encode(";; (; ) ;)")]);
  // A long string (longer than the reader's initial scratch buffer).
  const long = "x".repeat(5000) + "\\u{1F600}".repeat(100);
  assert.equal(bytesOf(`"${long}"`).length, 5000 + 400);
});

Deno.test("sexpr: strings are bytes; stringText decodes UTF-8", () => {
  const s = one('"caf\\c3\\a9"') as SString;
  assert.ok(s.bytes instanceof Uint8Array);
  assert.equal(stringText(s), "café");
  const bad = one('"ok\\ff"') as SString;
  assert.deepEqual([...bad.bytes], [0x6f, 0x6b, 0xff]);
  assert.throws(() => stringText(bad), (e: unknown) => {
    assert.ok(e instanceof SexprError);
    assert.match(e.message, /malformed UTF-8.*line 1, column 1/);
    return true;
  });
  // Each string gets its own bytes (the reader's scratch space is not shared out).
  const [a, b] = readSexprs('"ab" "cd"') as SString[];
  assert.deepEqual([...a.bytes, ...b.bytes], [0x61, 0x62, 0x63, 0x64]);
  assert.deepEqual([...concatStrings([a, b])], [0x61, 0x62, 0x63, 0x64]);
  assert.deepEqual([...concatStrings([])], []);
});

Deno.test("sexpr: quoted identifiers", () => {
  assert.deepEqual(shape(one('(func $"a b" $plain)')), ["func", "$a b", "$plain"]);
  const id = (one('$"\\u{e9}"') as { value: string }).value;
  assert.equal(id, "$é");
  rejects('$""', /empty identifier/, 1, 1);
  rejects('$"\\ff"', /malformed UTF-8/, 1, 2);
});

Deno.test("sexpr: comments, nested block comments", () => {
  const src = [
    ";; line comment (with a paren",
    "(a ;; trailing ) comment",
    ' (; block (; nested (; deeper ;) ;) still comment ) " ;)',
    " b (;;) c (;a;)(;b;) d",
    " (; spans",
    "    lines ;) e",
    ")",
    ";; comment at the end, no newline",
  ].join("\n");
  const forms = readSexprs(src);
  assert.deepEqual(forms.map(shape), [["a", "b", "c", "d", "e"]]);
  const list = forms[0] as SList;
  // Lines and columns stay right after comments that span lines.
  const e = list.items[4];
  assert.deepEqual([e.line, e.col], [6, 14]);
  assert.equal(src.slice(e.start, e.end), "e");
  assert.deepEqual([list.line, list.col], [2, 1]);
  // ";)" closes only the innermost open block comment.
  assert.deepEqual(readSexprs("(; (; ;) x ;) y").map(shape), ["y"]);
  // Windows line endings.
  const crlf = readSexprs("(a\r\n  b) ;; c\r\n\r\nd");
  assert.deepEqual(crlf.map(shape), [["a", "b"], "d"]);
  assert.deepEqual([crlf[1].line, crlf[1].col], [4, 1]);
  assert.deepEqual([(crlf[0] as SList).items[1].line, (crlf[0] as SList).items[1].col], [2, 3]);
});

Deno.test("sexpr: annotations are lists", () => {
  const form = one('(module (@custom "name" (after func) "\\00") (@producers))');
  assert.deepEqual(shape(form), [
    "module",
    ["@custom", { string: [0x6e, 0x61, 0x6d, 0x65] }, ["after", "func"], { string: [0] }],
    ["@producers"],
  ]);
  assert.ok(isList((form as SList).items[1], "@custom"));
});

Deno.test("sexpr: positions and source spans", () => {
  const src = [
    ";; header",
    "(assert_malformed",
    "  (component binary",
    '    "\\00asm" "\\0d\\00\\01\\00")  ;; preamble',
    '  "bad")',
    "(component $C (core module))",
  ].join("\n");
  const forms = readSexprs(src);
  assert.equal(forms.length, 2);
  const [assertion, component] = forms as SList[];
  assert.deepEqual([assertion.line, assertion.col, assertion.start], [2, 1, 10]);
  assert.equal(
    src.slice(assertion.start, assertion.end),
    src.slice(10, src.indexOf("\n(component")),
  );
  const inner = assertion.items[1] as SList;
  assert.ok(isList(inner, "component"));
  assert.deepEqual([inner.line, inner.col], [3, 3]);
  assert.equal(
    src.slice(inner.start, inner.end),
    '(component binary\n    "\\00asm" "\\0d\\00\\01\\00")',
  );
  const [kw, bin, s1, s2] = inner.items;
  assert.ok(isAtom(kw, "component") && isAtom(bin, "binary"));
  assert.deepEqual([bin.line, bin.col, src.slice(bin.start, bin.end)], [3, 14, "binary"]);
  assert.deepEqual([s1.line, s1.col, src.slice(s1.start, s1.end)], [4, 5, '"\\00asm"']);
  assert.deepEqual([s2.line, s2.col], [4, 14]);
  const message = assertion.items[2] as SString;
  assert.deepEqual([message.line, message.col, stringText(message)], [5, 3, "bad"]);
  assert.equal(src.slice(component.start, component.end), "(component $C (core module))");
  assert.deepEqual([component.line, component.col], [6, 1]);
  const core = component.items[2] as SList;
  assert.equal(src.slice(core.start, core.end), "(core module)");
  // Columns count UTF-16 units after non-ASCII text on the same line.
  const [, after] = readSexprs('"é😀" x');
  assert.deepEqual([after.col, after.start], [7, 6]);
});

Deno.test("sexpr: isAtom and isList", () => {
  const form = one("(module $m)") as SList;
  assert.ok(isList(form));
  assert.ok(isList(form, "module"));
  assert.ok(!isList(form, "component"));
  assert.ok(!isList(one("()"), "module"));
  assert.ok(isAtom(form.items[1]));
  assert.ok(isAtom(form.items[1], "$m"));
  assert.ok(!isAtom(form.items[1], "$n"));
  assert.ok(!isAtom(form));
  assert.ok(!isAtom(undefined) && !isList(undefined));
});

Deno.test("sexpr: deep nesting does not overflow the stack", () => {
  const depth = 200_000;
  let node = one("(".repeat(depth) + "x" + ")".repeat(depth));
  for (let i = 0; i < depth; i++) {
    assert.equal(node.kind, "list");
    node = (node as SList).items[0];
  }
  assert.ok(isAtom(node, "x"));
});

Deno.test("sexpr: malformed scripts name line and column", () => {
  // Unbalanced parentheses: an unclosed list is reported at its '('.
  rejects("(module\n  (func)\n", /unclosed '\('/, 1, 1);
  rejects("(a)\n  (b (c)", /unclosed '\('.*before its '\)'/, 2, 3);
  // With several lists open, the innermost is reported.
  rejects("(a)\n  (b (c (d)", /unclosed '\('.*2 lists open/, 2, 6);
  rejects("(a))", /unexpected '\)'/, 1, 4);
  rejects(")", /unexpected '\)'/, 1, 1);
  // Strings.
  rejects('(a "abc', /unterminated string/, 1, 4);
  rejects('(a "abc\n")', /unterminated string/, 1, 4);
  rejects('"a\\q"', /unknown escape '\\q'/, 1, 3);
  rejects('"a\\0g"', /expected two hex digits/, 1, 3);
  rejects('"\\x41"', /unknown escape '\\x'/, 1, 2);
  rejects('"\\', /unterminated string/, 1, 1);
  rejects('"\\4"', /expected two hex digits/, 1, 2);
  rejects('"\\u41"', /expected '\{'/, 1, 2);
  rejects('"\\u{}"', /malformed '\\u\{...\}'/, 1, 2);
  rejects('"\\u{41"', /malformed '\\u\{...\}'/, 1, 2);
  rejects('"\\u{_41}"', /malformed '\\u\{...\}'/, 1, 2);
  rejects('"\\u{41_}"', /malformed '\\u\{...\}'/, 1, 2);
  rejects('"\\u{4__1}"', /malformed '\\u\{...\}'/, 1, 2);
  rejects('"\\u{4g}"', /malformed '\\u\{...\}'/, 1, 2);
  rejects('  "\\u{110000}"', /out of the Unicode range/, 1, 4);
  rejects('"\\u{D800}"', /surrogate/, 1, 2);
  rejects('"\\u{dfff}"', /surrogate/, 1, 2);
  rejects('"a\tb"', /control character U\+0009/, 1, 3);
  rejects('"\x7f"', /control character U\+007F/, 1, 2);
  rejects('"\ud800x"', /unpaired surrogate/, 1, 2);
  rejects('"\udc00"', /unpaired surrogate/, 1, 2);
  // Comments.
  rejects("(a)\n (; (; ;)\n", /unterminated block comment/, 2, 2);
  rejects("(a ;b)", /unexpected ';'/, 1, 4);
  // Characters that cannot start a token.
  rejects("(a\n  é)", /unexpected character U\+00E9/, 2, 3);
  rejects("(a \x00)", /unexpected character U\+0000/, 1, 4);
  rejects("(a\n\n\n     \x7f)", /unexpected character U\+007F/, 4, 6);
});

const SUITE = new URL("../../../shared/conformance/component-model/", import.meta.url);
const suiteFound = (() => {
  try {
    return Deno.statSync(SUITE).isDirectory;
  } catch {
    return false;
  }
})();

Deno.test({
  name: suiteFound
    ? "sexpr: reads every .wast script of the component-model conformance suite"
    : "sexpr: component-model conformance suite not found at ../shared/conformance/component-model (skipped)",
  ignore: !suiteFound,
  async fn(t) {
    const files: URL[] = [];
    const walk = async (dir: URL) => {
      for await (const e of Deno.readDir(dir)) {
        if (e.isDirectory) await walk(new URL(`${e.name}/`, dir));
        else if (e.name.endsWith(".wast")) files.push(new URL(e.name, dir));
      }
    };
    await walk(SUITE);
    files.sort((a, b) => a.href < b.href ? -1 : 1);
    let forms = 0;
    for (const file of files) {
      const text = await Deno.readTextFile(file);
      const nodes = readSexprs(text);
      // Every top-level form is a list, and its span is its own text.
      for (const n of nodes) {
        assert.ok(isList(n), `${file.pathname}:${n.line}: a top-level form is a list`);
        const slice = text.slice(n.start, n.end);
        assert.ok(slice.startsWith("(") && slice.endsWith(")"));
        assert.deepEqual(readSexprs(slice).map(shape), [shape(n)]);
      }
      forms += nodes.length;
    }
    await t.step(`${files.length} scripts, ${forms} top-level forms read`, () => {
      assert.ok(files.length > 0);
    });
  },
});
