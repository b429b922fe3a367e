/**
 * WAVE (`lib/wave/`): reading every kind of value against its type, the
 * keywords and `%`, flat options and results, maps, multi-line strings,
 * comments, errors with their offsets; printing; and `--invoke`
 * expressions resolved against a component's exports.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, type InterfaceType } from "../../mod.ts";
import {
  formatWave,
  InvokeError,
  parseInvoke,
  readWave,
  WaveSyntaxError,
} from "../../lib/wave/mod.ts";
import { fixture } from "../_wat.ts";

const rec = (...fields: [string, InterfaceType][]): InterfaceType => ({
  kind: "record",
  fields: fields.map(([name, type]) => ({ name, type })),
});
const list = (element: InterfaceType, length?: number): InterfaceType =>
  length === undefined ? { kind: "list", element } : { kind: "list", element, length };
const option = (type: InterfaceType): InterfaceType => ({ kind: "option", type });
const result = (ok?: InterfaceType, err?: InterfaceType): InterfaceType => ({
  kind: "result",
  ...(ok === undefined ? {} : { ok }),
  ...(err === undefined ? {} : { err }),
});
const VARIANT: InterfaceType = {
  kind: "variant",
  cases: [{ name: "days", type: "u32" }, { name: "forever" }, { name: "none" }],
};
const ENUM: InterfaceType = { kind: "enum", names: ["south", "west", "true"] };
const FLAGS: InterfaceType = { kind: "flags", names: ["read", "write", "exec-all"] };

/** [text, type, value, printed (when it differs from the text)] */
const ROUND_TRIPS: [string, InterfaceType, unknown, string?][] = [
  ["true", "bool", true],
  ["false", "bool", false],
  ["0", "u8", 0],
  ["255", "u8", 255],
  ["-128", "s8", -128],
  ["4294967295", "u32", 0xffff_ffff],
  ["-2147483648", "s32", -0x8000_0000],
  ["18446744073709551615", "u64", 2n ** 64n - 1n],
  ["-9223372036854775808", "s64", -(2n ** 63n)],
  ["3.14", "f64", 3.14],
  ["6.022e+23", "f64", 6.022e23, "6.022e+23"],
  ["1.5", "f32", 1.5],
  ["-0", "f64", -0],
  ["nan", "f64", NaN],
  ["inf", "f32", Infinity],
  ["-inf", "f64", -Infinity],
  ["'x'", "char", "x"],
  ["'☃'", "char", "☃"],
  ["'\\''", "char", "'"],
  ["'\\u{0}'", "char", "\0"],
  ['"abc\\t123"', "string", "abc\t123"],
  ['"quote \\" and \\\\"', "string", 'quote " and \\'],
  ['"😀 ünï"', "string", "😀 ünï"],
  ['("abc", 123)', { kind: "tuple", types: ["string", "u32"] }, ["abc", 123]],
  ["[1, 2, 3]", list("u16"), [1, 2, 3]],
  ["[]", list("string"), []],
  ["[[1], []]", list(list("u8")), [[1], []]],
  ["[7, 8]", list("u8", 2), [7, 8]],
  ['{field-a: 1, field-b: "two"}', rec(["field-a", "u8"], ["field-b", "string"]), {
    fieldA: 1,
    fieldB: "two",
  }],
  ["days(30)", VARIANT, { tag: "days", val: 30 }],
  ["forever", VARIANT, { tag: "forever" }],
  ["%none", VARIANT, { tag: "none" }],
  ["south", ENUM, "south"],
  ["%true", ENUM, "true"],
  ["some(1)", option("u8"), 1],
  ["none", option("u8"), undefined],
  ["some(none)", option(option("u8")), { tag: "some", val: undefined }],
  ["some(some(2))", option(option("u8")), { tag: "some", val: 2 }],
  ['ok("x")', result("string", "u8"), { tag: "ok", val: "x" }],
  ["err(4)", result("string", "u8"), { tag: "err", val: 4 }],
  ["ok", result(undefined, "string"), { tag: "ok" }],
  ["err", result("u8"), { tag: "err" }],
  ["{read, exec-all}", FLAGS, { read: true, write: false, execAll: true }],
  ["{}", FLAGS, { read: false, write: false, execAll: false }],
  ['{"a": 1, "b": 2}', { kind: "map", key: "string", value: "u8" }, new Map([["a", 1], ["b", 2]])],
  ["{:}", { kind: "map", key: "string", value: "u8" }, new Map()],
];

Deno.test("readWave reads every kind of value, formatWave prints it back", async (t) => {
  for (const [text, type, value, printed] of ROUND_TRIPS) {
    await t.step(`${text}`, () => {
      const v = readWave(text, type);
      assert.deepEqual(v, value);
      assert.equal(formatWave(v, type), printed ?? text);
    });
  }
});

Deno.test("readWave: the shorter forms WAVE allows", async (t) => {
  await t.step("a flat some and a flat ok", () => {
    assert.equal(readWave("5", option("u8")), 5);
    assert.deepEqual(readWave('"fine"', result("string", "string")), { tag: "ok", val: "fine" });
  });
  await t.step("option fields left out of a record; {:} for all of them", () => {
    const t = rec(["a", "u8"], ["b", option("u8")], ["c", option("string")]);
    assert.deepEqual(readWave("{a: 1}", t), { a: 1, b: undefined, c: undefined });
    assert.deepEqual(readWave("{:}", rec(["x", option("u8")])), { x: undefined });
  });
  await t.step("whitespace, trailing commas and comments", () => {
    assert.deepEqual(readWave(" [ 1 , 2 , ] ", list("u8")), [1, 2]);
    assert.deepEqual(readWave("[1, // one\n 2]", list("u8")), [1, 2]);
    assert.deepEqual(readWave("{ a : 1 , }", rec(["a", "u8"])), { a: 1 });
  });
  await t.step("a multi-line string: the closing line's indentation is removed", () => {
    assert.equal(readWave('"""\n  one\n    two\\t!\n  """', "string"), "one\n  two\t!");
  });
  await t.step("a record field named like a keyword", () => {
    assert.deepEqual(readWave("{%true: true}", rec(["true", "bool"])), { true: true });
    assert.equal(formatWave({ true: true }, rec(["true", "bool"])), "{%true: true}");
  });
});

Deno.test("formatWave: escapes, typed arrays, resources", () => {
  assert.equal(formatWave("a\nb\u0001\u007f", "string"), '"a\\nb\\u{1}\\u{7f}"');
  assert.equal(formatWave("'", "char"), "'\\''");
  assert.equal(formatWave(new Float64Array([0.5, -1]), list("f64")), "[0.5, -1]");
  assert.equal(formatWave(new BigInt64Array([-1n]), list("s64")), "[-1]");
  assert.equal(
    formatWave({}, {
      kind: "own",
      resource: { kind: "resource", id: 0, origin: "defined", name: "bucket" },
    }),
    "<own<bucket>>",
  );
});

Deno.test("readWave: errors say what and where", async (t) => {
  const fails = (text: string, type: InterfaceType, message: string) =>
    assert.throws(() => readWave(text, type), (e) => {
      assert.ok(e instanceof WaveSyntaxError);
      assert.equal(e.message, message);
      return true;
    });
  await t.step("numbers", () => {
    fails("256", "u8", "256 is out of range for `u8` (at character 0)");
    fails("-1", "u64", "-1 is out of range for `u64` (at character 0)");
    fails("1.5", "s32", "expected an integer for `s32` (at character 0)");
    fails("0x10", "u32", "unexpected text after the value (at character 1)");
    fails("x", "f64", "expected a number for `f64` (at character 0)");
  });
  await t.step("text", () => {
    fails('"open', "string", "unterminated text (at character 5)");
    fails("'ab'", "char", "a `char` is one character (at character 0)");
    fails('"\\q"', "string", "unknown escape `\\q` (at character 1)");
    fails('"\\u{d800}"', "string", "\\u{d800} is not a Unicode scalar value (at character 1)");
  });
  await t.step("cases and fields", () => {
    fails(
      "monthly",
      VARIANT,
      "unknown variant case `monthly` (expected one of days, forever, none) (at character 0)",
    );
    fails("none", VARIANT, "the variant case `none` is written `%none` (at character 0)");
    fails("days", VARIANT, "expected `(`, found the end (at character 4)");
    fails(
      "{read, read2}",
      FLAGS,
      "unknown flag `read2` (expected one of read, write, exec-all) (at character 7)",
    );
    fails("{a: 1, a: 2}", rec(["a", "u8"]), "field `a` given twice (at character 7)");
    fails("{}", rec(["a", "u8"]), "missing record field `a` (at character 2)");
    fails("[1, 2, 3]", list("u8", 2), "expected 2 list elements, got 3 (at character 9)");
    fails(
      "(1)",
      { kind: "tuple", types: ["u8", "u8"] },
      "expected 2 tuple elements, got 1 (at character 0)",
    );
    fails(
      "5",
      option(option("u8")),
      "expected `some(...)` or `none` (a nested option) (at character 0)",
    );
  });
});

Deno.test("parseInvoke: root functions and interface functions, WAVE and .wast arguments", async (t) => {
  const c = await compile(await fixture("host_conventions.wat"));
  const exports = c.translation.dfg.exports;
  await t.step("a root function", () => {
    const call = parseInvoke('look-up("k")', exports);
    assert.deepEqual(call.path, ["look-up"]);
    assert.deepEqual(call.args, ["k"]);
    assert.deepEqual(parseInvoke('lookUp("k")', exports).path, ["look-up"]);
  });
  await t.step("an interface's function: full name, without version, short name", () => {
    for (
      const name of [
        "test:kv/api@1.0.0#sum-all",
        "test:kv/api#sum-all",
        "api#sum-all",
        "api.sum-all",
        "api.sumAll",
      ]
    ) {
      const call = parseInvoke(`${name}([1, 2])`, exports);
      assert.deepEqual(call.path, ["test:kv/api@1.0.0", "sum-all"], name);
      assert.deepEqual(call.args, [[1, 2]], name);
    }
  });
  await t.step(".wast arguments", () => {
    const call = parseInvoke("api#sum-all((list.const (u32.const 1) (u32.const 2)))", exports);
    assert.deepEqual(call.args, [[1, 2]]);
  });
  await t.step("what is not exported, listing what is", () => {
    assert.throws(() => parseInvoke("api#nope()", exports), (e) => {
      assert.ok(e instanceof InvokeError);
      assert.match(
        e.message,
        /^no exported function `api#nope` \(exported functions: test:kv\/api@1\.0\.0#look-up, test:kv\/api@1\.0\.0#sum-all, look-up, bytes,/,
      );
      return true;
    });
    assert.throws(() => parseInvoke("api()", exports), InvokeError);
  });
});
