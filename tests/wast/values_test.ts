/**
 * The `.wast` value syntax: {@link readValue} for every type form and its
 * errors, {@link matchValue} (NaN patterns, -0, mismatch descriptions) and
 * {@link formatValue}, whose text must read back as the same value.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { InterfaceType } from "../../mod.ts";
import {
  formatValue,
  matchValue,
  readSexprs,
  readValue,
  type SNode,
  ValueSyntaxError,
} from "../../lib/wast/mod.ts";

/** The single form of `src`. */
function node(src: string): SNode {
  const forms = readSexprs(src);
  assert.equal(forms.length, 1, `expected one form in ${src}`);
  return forms[0];
}

/** Read `src` as a value of type `t`. */
function read(src: string, t: InterfaceType): unknown {
  return readValue(node(src), t);
}

/** Assert that reading `src` as a `t` fails with a ValueSyntaxError matching `message`. */
function rejects(src: string, t: InterfaceType, message: RegExp): void {
  assert.throws(() => read(src, t), (e: unknown) => {
    assert.ok(e instanceof ValueSyntaxError, `expected a ValueSyntaxError, got ${e}`);
    assert.equal(e.name, "ValueSyntaxError");
    assert.match(e.message, message);
    return true;
  }, `${src} as ${JSON.stringify(t)}`);
}

/** `matchValue(actual, src, t)`. */
function match(actual: unknown, src: string, t: InterfaceType): string | undefined {
  return matchValue(actual, node(src), t);
}

const REC: InterfaceType = {
  kind: "record",
  fields: [{ name: "a", type: "u32" }, { name: "b-c", type: "string" }],
};
const VARIANT: InterfaceType = {
  kind: "variant",
  cases: [{ name: "a", type: "u32" }, { name: "b" }],
};
const FLAGS: InterfaceType = { kind: "flags", names: ["read", "write", "no-exec"] };
const ENUM: InterfaceType = { kind: "enum", names: ["ne", "nw", "sw-x"] };
const OPT: InterfaceType = { kind: "option", type: "u32" };
const OPT2: InterfaceType = { kind: "option", type: OPT };
const RESULT: InterfaceType = { kind: "result", ok: "u32", err: "string" };
const RESULT_EMPTY: InterfaceType = { kind: "result" };
const LIST: InterfaceType = { kind: "list", element: "u8" };
const TUPLE: InterfaceType = { kind: "tuple", types: ["u8", "string", "bool"] };

Deno.test("readValue: bool.const", () => {
  assert.equal(read("(bool.const true)", "bool"), true);
  assert.equal(read("(bool.const false)", "bool"), false);
  rejects("(bool.const 1)", "bool", /expected `true` or `false` \(at line 1, column 1\)/);
  rejects("(bool.const)", "bool", /expected `true` or `false`/);
  rejects("(u32.const 1)", "bool", /expected `\(bool\.const \.\.\.\)` for a `bool`/);
});

Deno.test("readValue: integers", async (t) => {
  await t.step("every width, as number below 64 bits and bigint at 64", () => {
    assert.equal(read("(u8.const 200)", "u8"), 200);
    assert.equal(read("(s8.const -100)", "s8"), -100);
    assert.equal(read("(u16.const 65535)", "u16"), 65535);
    assert.equal(read("(s16.const -32768)", "s16"), -32768);
    assert.equal(read("(u32.const 4000000000)", "u32"), 4000000000);
    assert.equal(read("(s32.const -2147483648)", "s32"), -2147483648);
    assert.equal(read("(u64.const 18446744073709551615)", "u64"), 18446744073709551615n);
    assert.equal(read("(s64.const -9223372036854775808)", "s64"), -9223372036854775808n);
    assert.equal(read("(s64.const 1)", "s64"), 1n);
    assert.equal(read("(u8.const +7)", "u8"), 7);
  });
  await t.step("hex and _ separators", () => {
    assert.equal(read("(u32.const 0xff)", "u32"), 255);
    assert.equal(read("(u32.const 0xDEAD_beef)", "u32"), 0xdeadbeef);
    assert.equal(read("(u32.const 1_000_000)", "u32"), 1000000);
    assert.equal(read("(s64.const -0x8000_0000_0000_0000)", "s64"), -(2n ** 63n));
    assert.equal(read("(u64.const 0xffff_ffff_ffff_ffff)", "u64"), 2n ** 64n - 1n);
  });
  await t.step("out of range for both readings is an error, not a wrapped value", () => {
    rejects("(u32.const 4294967296)", "u32", /`4294967296` is out of range for `u32` \(at line 1/);
    rejects("(u8.const 256)", "u8", /`256` is out of range for `u8`/);
    rejects("(u8.const -129)", "u8", /`-129` is out of range for `u8`/);
    rejects("(s8.const 256)", "s8", /out of range for `s8`/);
    rejects("(s16.const -0x8001)", "s16", /out of range for `s16`/);
    rejects("(u64.const 0x1_0000_0000_0000_0000)", "u64", /out of range for `u64`/);
    rejects("(s64.const -0x8000_0000_0000_0001)", "s64", /out of range for `s64`/);
  });
  await t.step("values wrap to the width", () => {
    assert.equal(read("(u8.const -1)", "u8"), 255);
    assert.equal(read("(s8.const 255)", "s8"), -1);
    assert.equal(read("(s8.const 0x80)", "s8"), -128);
    assert.equal(read("(u16.const -1)", "u16"), 0xffff);
    assert.equal(read("(s16.const 0xffff)", "s16"), -1);
    assert.equal(read("(u32.const -1)", "u32"), 0xffffffff);
    assert.equal(read("(u32.const 0xffff_ffff)", "u32"), 4294967295);
    assert.equal(read("(s32.const 0xffff_ffff)", "s32"), -1);
    assert.equal(read("(u64.const -1)", "u64"), 2n ** 64n - 1n);
    assert.equal(read("(s64.const 0xffff_ffff_ffff_ffff)", "s64"), -1n);
  });
  await t.step("errors", () => {
    rejects("(u32.const 1.5)", "u32", /invalid integer `1\.5` \(at line 1, column 12\)/);
    rejects("(u32.const 0x)", "u32", /invalid integer `0x`/);
    rejects("(u32.const abc)", "u32", /invalid integer `abc`/);
    rejects("(u32.const)", "u32", /expected an integer/);
    rejects('(u32.const "1")', "u32", /expected an integer/);
    rejects("(u32.const 1 2)", "u32", /`u32\.const` takes at most 1 argument/);
    rejects("(s32.const 1)", "u32", /expected `\(u32\.const \.\.\.\)` for a `u32`/);
    rejects("u32.const", "u32", /expected `\(u32\.const \.\.\.\)`/);
    rejects("(u64.const 1)", "s64", /expected `\(s64\.const \.\.\.\)` for a `s64`/);
  });
});

Deno.test("readValue: floats", async (t) => {
  await t.step("decimal", () => {
    assert.equal(read("(f64.const 1.5)", "f64"), 1.5);
    assert.equal(read("(f64.const -2)", "f64"), -2);
    assert.equal(read("(f64.const 1e3)", "f64"), 1000);
    assert.equal(read("(f64.const +1.5E-3)", "f64"), 0.0015);
    assert.equal(read("(f64.const 1.)", "f64"), 1);
    assert.equal(read("(f64.const 1_000.000_5)", "f64"), 1000.0005);
    assert.ok(Object.is(read("(f64.const -0)", "f64"), -0));
    assert.ok(Object.is(read("(f64.const 0)", "f64"), 0));
    // f32 values are rounded to single precision
    assert.equal(read("(f32.const 0.1)", "f32"), Math.fround(0.1));
    assert.notEqual(read("(f32.const 0.1)", "f32"), 0.1);
    assert.equal(read("(f32.const 16777217)", "f32"), 16777216);
  });
  await t.step("inf and nan", () => {
    assert.equal(read("(f64.const inf)", "f64"), Infinity);
    assert.equal(read("(f64.const +inf)", "f64"), Infinity);
    assert.equal(read("(f64.const -inf)", "f64"), -Infinity);
    assert.equal(read("(f32.const -inf)", "f32"), -Infinity);
    for (const n of ["nan", "-nan", "nan:canonical", "nan:arithmetic", "nan:0x200000"]) {
      assert.ok(Number.isNaN(read(`(f32.const ${n})`, "f32")), n);
      assert.ok(Number.isNaN(read(`(f64.const ${n})`, "f64")), n);
    }
  });
  await t.step("hex floats", () => {
    assert.equal(read("(f64.const 0x1p3)", "f64"), 8);
    assert.equal(read("(f32.const 0x1p3)", "f32"), 8);
    assert.equal(read("(f64.const 0x1P-2)", "f64"), 0.25);
    assert.equal(read("(f64.const -0x1.8p1)", "f64"), -3);
    assert.equal(read("(f64.const 0x10)", "f64"), 16);
    assert.equal(read("(f64.const 0x1.)", "f64"), 1);
    assert.equal(read("(f64.const 0xa.8)", "f64"), 10.5);
    assert.equal(read("(f64.const 0x1_0p0)", "f64"), 16);
    assert.equal(read("(f64.const 0x1.fffffffffffffp1023)", "f64"), Number.MAX_VALUE);
    assert.equal(read("(f32.const 0x1.fffffep127)", "f32"), 3.4028234663852886e38);
    assert.equal(read("(f64.const 0x1p-1074)", "f64"), Number.MIN_VALUE);
    assert.equal(read("(f32.const 0x1p-149)", "f32"), 2 ** -149);
    assert.ok(Object.is(read("(f64.const -0x0p0)", "f64"), -0));
  });
  await t.step("hex floats round once, to nearest even", () => {
    // 1 + 2^-53 is a tie: to even, 1; a bit more rounds up to 1 + 2^-52
    assert.equal(read("(f64.const 0x1.00000000000008p0)", "f64"), 1);
    assert.equal(read("(f64.const 0x1.000000000000081p0)", "f64"), 1 + 2 ** -52);
    assert.equal(read("(f64.const 0x1.00000000000018p0)", "f64"), 1 + 2 ** -51);
    // the same at f32's 24 bits (no rounding through a double first)
    assert.equal(read("(f32.const 0x1.000001p0)", "f32"), 1);
    assert.equal(read("(f32.const 0x1.0000010000000001p0)", "f32"), 1 + 2 ** -23);
    // subnormals: the digits are not rounded away before the exponent applies
    assert.equal(read("(f64.const 0x10p-1078)", "f64"), 2 ** -1074);
    assert.equal(read("(f64.const 0x1.8p-1074)", "f64"), 2 ** -1073);
    assert.equal(read("(f64.const 0x1p-1075)", "f64"), 0);
    assert.equal(read("(f64.const 0x1.0000000001p-1075)", "f64"), 2 ** -1074);
    assert.equal(read("(f32.const 0x1.8p-150)", "f32"), 2 ** -149);
    assert.equal(read("(f64.const 0x1p-99999999999)", "f64"), 0);
    // overflow
    assert.equal(read("(f64.const 0x1.fffffffffffff8p1023)", "f64"), Infinity);
    assert.equal(read("(f32.const 0x1.ffffffp127)", "f32"), Infinity);
    assert.equal(read("(f64.const 0x1p99999999999)", "f64"), Infinity);
  });
  await t.step("errors", () => {
    rejects("(f64.const 0x)", "f64", /invalid float `0x` \(at line 1, column 12\)/);
    rejects("(f64.const 0x.8)", "f64", /invalid float `0x\.8`/);
    rejects("(f64.const 0x1p)", "f64", /invalid float `0x1p`/);
    rejects("(f64.const Infinity)", "f64", /invalid float `Infinity`/);
    rejects("(f64.const infinity)", "f64", /invalid float/);
    rejects("(f64.const .5)", "f64", /invalid float `\.5`/);
    rejects("(f64.const 0b1)", "f64", /invalid float `0b1`/);
    rejects("(f64.const nan:foo)", "f64", /invalid float `nan:foo`/);
    rejects("(f64.const abc)", "f64", /invalid float `abc`/);
    rejects("(f64.const)", "f64", /expected a float/);
    rejects('(f64.const "1")', "f64", /expected a float/);
    rejects("(f64.const 1 2)", "f64", /takes at most 1 argument/);
    rejects("(f32.const 1)", "f64", /expected `\(f64\.const \.\.\.\)` for a `f64`/);
  });
});

Deno.test("readValue: char.const and str.const", () => {
  assert.equal(read('(char.const "a")', "char"), "a");
  assert.equal(read('(char.const "🍰")', "char"), "🍰");
  assert.equal(read('(char.const "\\u{26f3}")', "char"), "⛳");
  assert.equal(read('(str.const "hi")', "string"), "hi");
  assert.equal(read('(str.const "")', "string"), "");
  assert.equal(read('(str.const "a\\n\\"b\\u{1f370}\\41")', "string"), 'a\n"b🍰A');
  rejects('(char.const "ab")', "char", /expected one character/);
  rejects('(char.const "")', "char", /expected one character/);
  rejects("(char.const a)", "char", /expected a string for a char/);
  rejects('(char.const "a" "b")', "char", /takes at most 1 argument/);
  rejects("(str.const 1)", "string", /expected a string for a string/);
  rejects("(str.const)", "string", /expected a string for a string/);
  rejects('(string.const "x")', "string", /expected `\(str\.const \.\.\.\)` for a `string`/);
  rejects('(str.const "x")', "char", /expected `\(char\.const \.\.\.\)` for a `char`/);
});

Deno.test("readValue: list.const and tuple.const", () => {
  assert.deepEqual(read("(list.const)", LIST), []);
  assert.deepEqual(read("(list.const (u8.const 1) (u8.const -1))", LIST), [1, 255]);
  assert.deepEqual(
    read(
      "(list.const (list.const) (list.const (u8.const 3)))",
      { kind: "list", element: LIST },
    ),
    [[], [3]],
  );
  // a fixed-length list takes exactly its length
  const fixed: InterfaceType = { kind: "list", element: "u8", length: 2 };
  assert.deepEqual(read("(list.const (u8.const 1) (u8.const 2))", fixed), [1, 2]);
  rejects("(list.const (u8.const 1))", fixed, /expected 2 list elements/);
  rejects("(list.const (u16.const 1))", LIST, /expected `\(u8\.const \.\.\.\)` for a `u8`/);
  rejects("(tuple.const)", LIST, /expected `\(list\.const \.\.\.\)` for a `list<u8>`/);

  assert.deepEqual(
    read('(tuple.const (u8.const 1) (str.const "x") (bool.const true))', TUPLE),
    [1, "x", true],
  );
  assert.deepEqual(read("(tuple.const)", { kind: "tuple", types: [] }), []);
  rejects("(tuple.const (u8.const 1))", TUPLE, /expected 3 tuple elements/);
  rejects(
    '(tuple.const (u8.const 1) (str.const "x") (bool.const true) (u8.const 1))',
    TUPLE,
    /expected 3 tuple elements/,
  );
  rejects(
    '(tuple.const (str.const "x") (u8.const 1) (bool.const true))',
    TUPLE,
    /expected `\(u8\.const \.\.\.\)`/,
  );
});

Deno.test("readValue: record.const", async (t) => {
  await t.step("fields in any order, keys in camelCase", () => {
    assert.deepEqual(
      read('(record.const (field "a" (u32.const 1)) (field "b-c" (str.const "x")))', REC),
      { a: 1, bC: "x" },
    );
    assert.deepEqual(
      read('(record.const (field "b-c" (str.const "y")) (field "a" (u32.const 2)))', REC),
      { a: 2, bC: "y" },
    );
    assert.deepEqual(read("(record.const)", { kind: "record", fields: [] }), {});
  });
  await t.step("a field value without its parentheses", () => {
    const t1: InterfaceType = { kind: "record", fields: [{ name: "s", type: "string" }] };
    assert.deepEqual(read('(record.const (field "s" str.const "v="))', t1), { s: "v=" });
    assert.deepEqual(
      read('(record.const (field "a" u32.const 7) (field "b-c" (str.const "q")))', REC),
      { a: 7, bC: "q" },
    );
    rejects(
      '(record.const (field "a" u32.const) (field "b-c" (str.const "q")))',
      REC,
      /expected an integer/,
    );
  });
  await t.step("errors", () => {
    rejects(
      '(record.const (field "z" (u32.const 1)))',
      REC,
      /unknown field `z` \(at line 1, column 15\)/,
    );
    rejects('(record.const (field "a"))', REC, /unknown field `a`/);
    rejects('(record.const (field "a" (u32.const 1)))', REC, /missing field `b-c`/);
    rejects(
      '(record.const (field "a" (u32.const 1)) (field "a" (u32.const 2)) (field "b-c" (str.const "")))',
      REC,
      /duplicate field `a`/,
    );
    rejects("(record.const (field a (u32.const 1)))", REC, /expected a string for a field name/);
    rejects("(record.const (u32.const 1))", REC, /expected `\(field \.\.\.\)`/);
    rejects('(record.const (field "a" (s32.const 1)) (field "b-c" (str.const "")))', REC, /u32/);
    rejects("(tuple.const)", REC, /expected `\(record\.const \.\.\.\)`/);
  });
});

Deno.test("readValue: variant.const", () => {
  assert.deepEqual(read('(variant.const "a" (u32.const 5))', VARIANT), { tag: "a", val: 5 });
  const b = read('(variant.const "b")', VARIANT);
  assert.deepEqual(b, { tag: "b" });
  assert.ok(!Object.hasOwn(b as object, "val"), "a case without payload has no `val`");
  rejects('(variant.const "a")', VARIANT, /case `a` needs a payload/);
  rejects('(variant.const "b" (u32.const 1))', VARIANT, /case `b` takes no payload/);
  rejects('(variant.const "c")', VARIANT, /unknown case `c`/);
  rejects("(variant.const a)", VARIANT, /expected a string for a case name/);
  rejects('(variant.const "a" (s32.const 1))', VARIANT, /expected `\(u32\.const \.\.\.\)`/);
  rejects(
    '(variant.const "a" (u32.const 1) (u32.const 2))',
    VARIANT,
    /takes at most 2 argument/,
  );
  rejects('(enum.const "a")', VARIANT, /expected `\(variant\.const \.\.\.\)`/);
});

Deno.test("readValue: enum.const", () => {
  assert.equal(read('(enum.const "nw")', ENUM), "nw");
  // enum values are the case names as written, not camelCase
  assert.equal(read('(enum.const "sw-x")', ENUM), "sw-x");
  rejects('(enum.const "up")', ENUM, /unknown enum case `up`/);
  rejects("(enum.const)", ENUM, /expected a string for an enum case/);
  rejects('(enum.const "ne" "nw")', ENUM, /takes at most 1 argument/);
  rejects('(variant.const "ne")', ENUM, /expected `\(enum\.const \.\.\.\)`/);
});

Deno.test("readValue: option.none and option.some", () => {
  assert.equal(read("(option.none)", OPT), undefined);
  assert.equal(read("(option.some (u32.const 3))", OPT), 3);
  // an option of an option: some is tagged, so that none and some(none) differ
  assert.equal(read("(option.none)", OPT2), undefined);
  assert.deepEqual(read("(option.some (option.none))", OPT2), { tag: "some", val: undefined });
  assert.deepEqual(read("(option.some (option.some (u32.const 4)))", OPT2), {
    tag: "some",
    val: 4,
  });
  rejects("(option.some)", OPT, /`option\.some` needs a payload/);
  rejects("(option.none (u32.const 1))", OPT, /`option\.none` takes at most 0 argument/);
  rejects("(option.some (u32.const 1) (u32.const 2))", OPT, /takes at most 1 argument/);
  rejects("(option.some (s32.const 1))", OPT, /expected `\(u32\.const \.\.\.\)`/);
  rejects("(u32.const 1)", OPT, /expected `\(option\.some \.\.\.\)` for a `option<u32>`/);
});

Deno.test("readValue: result.ok and result.err", () => {
  assert.deepEqual(read("(result.ok (u32.const 1))", RESULT), { tag: "ok", val: 1 });
  assert.deepEqual(read('(result.err (str.const "no"))', RESULT), { tag: "err", val: "no" });
  assert.deepEqual(read("(result.ok)", RESULT_EMPTY), { tag: "ok", val: undefined });
  assert.deepEqual(read("(result.err)", RESULT_EMPTY), { tag: "err", val: undefined });
  const okOnly: InterfaceType = { kind: "result", ok: "u32" };
  assert.deepEqual(read("(result.ok (u32.const 2))", okOnly), { tag: "ok", val: 2 });
  assert.deepEqual(read("(result.err)", okOnly), { tag: "err", val: undefined });
  rejects("(result.ok)", RESULT, /`result\.ok` needs a payload/);
  rejects("(result.err)", RESULT, /`result\.err` needs a payload/);
  rejects("(result.err (u32.const 1))", okOnly, /`result\.err` takes no payload/);
  rejects("(result.ok (u32.const 1) (u32.const 1))", RESULT, /takes at most 1 argument/);
  rejects('(result.ok (str.const "x"))', RESULT, /expected `\(u32\.const \.\.\.\)`/);
  rejects("(result.err (u32.const 1))", RESULT, /expected `\(str\.const \.\.\.\)`/);
  rejects("(option.none)", RESULT, /expected `\(result\.ok \.\.\.\)` or `\(result\.err \.\.\.\)`/);
});

Deno.test("readValue: flags.const", () => {
  assert.deepEqual(read("(flags.const)", FLAGS), { read: false, write: false, noExec: false });
  assert.deepEqual(read('(flags.const "write" "no-exec")', FLAGS), {
    read: false,
    write: true,
    noExec: true,
  });
  assert.deepEqual(read('(flags.const "read" "read")', FLAGS), {
    read: true,
    write: false,
    noExec: false,
  });
  rejects('(flags.const "exec")', FLAGS, /unknown flag `exec`/);
  rejects("(flags.const read)", FLAGS, /expected a string for a flag name/);
  rejects('(enum.const "read")', FLAGS, /expected `\(flags\.const \.\.\.\)`/);
});

Deno.test("readValue: nested values and types without a syntax", () => {
  const t: InterfaceType = {
    kind: "list",
    element: {
      kind: "record",
      fields: [
        { name: "id", type: "u64" },
        { name: "tags", type: { kind: "option", type: { kind: "list", element: "string" } } },
      ],
    },
  };
  assert.deepEqual(
    read(
      `(list.const
         (record.const (field "id" (u64.const 1)) (field "tags" (option.none)))
         (record.const (field "id" (u64.const 2))
                       (field "tags" (option.some (list.const (str.const "x"))))))`,
      t,
    ),
    [{ id: 1n, tags: undefined }, { id: 2n, tags: ["x"] }],
  );
  // an error deep inside names where it is
  assert.throws(
    () => read('(list.const\n  (record.const (field "id" (u32.const 1))))', t),
    /expected `\(u64\.const \.\.\.\)` for a `u64` \(at line 2, column 29\)/,
  );
  rejects("(u32.const 1)", "error-context", /no value syntax for `error-context`/);
  rejects("(stream.const)", { kind: "stream", element: "u8" }, /no value syntax for `stream<u8>`/);
});

Deno.test("matchValue: equal values match, others are described", async (t) => {
  await t.step("scalars", () => {
    assert.equal(match(3, "(u32.const 3)", "u32"), undefined);
    assert.equal(match(3, "(u32.const 4)", "u32"), "expected (u32.const 4), got (u32.const 3)");
    assert.equal(match(255, "(u8.const -1)", "u8"), undefined);
    assert.equal(match(-1n, "(s64.const -1)", "s64"), undefined);
    assert.equal(match(1n, "(s64.const 2)", "s64"), "expected (s64.const 2), got (s64.const 1)");
    assert.equal(match(true, "(bool.const true)", "bool"), undefined);
    assert.equal(
      match(true, "(bool.const false)", "bool"),
      "expected (bool.const false), got (bool.const true)",
    );
    assert.equal(match("x", '(char.const "x")', "char"), undefined);
    assert.equal(match("hi", '(str.const "hi")', "string"), undefined);
    assert.equal(
      match("hi", '(str.const "ho")', "string"),
      'expected (str.const "ho"), got (str.const "hi")',
    );
    assert.equal(match(1.5, "(f64.const 1.5)", "f64"), undefined);
    assert.equal(match(Math.fround(0.1), "(f32.const 0.1)", "f32"), undefined);
    // f32 values compare at single precision
    assert.equal(match(0.1, "(f32.const 0.1)", "f32"), undefined);
    assert.equal(
      match(Math.fround(0.2), "(f32.const 0.1)", "f32"),
      "expected (f32.const 0.10000000149011612), got (f32.const 0.20000000298023224)",
    );
    assert.equal(match(Infinity, "(f64.const inf)", "f64"), undefined);
    assert.equal(
      match(-Infinity, "(f64.const inf)", "f64"),
      "expected (f64.const inf), got (f64.const -inf)",
    );
  });
  await t.step("0 and -0 differ for both float types", () => {
    assert.equal(match(-0, "(f64.const 0)", "f64"), "expected (f64.const 0), got (f64.const -0)");
    assert.equal(match(0, "(f64.const -0)", "f64"), "expected (f64.const -0), got (f64.const 0)");
    assert.equal(match(-0, "(f32.const 0)", "f32"), "expected (f32.const 0), got (f32.const -0)");
    assert.equal(match(0, "(f32.const -0)", "f32"), "expected (f32.const -0), got (f32.const 0)");
    assert.equal(match(-0, "(f64.const -0)", "f64"), undefined);
    assert.equal(match(-0, "(f32.const -0)", "f32"), undefined);
    assert.notEqual(
      match([-0], "(list.const (f64.const 0))", { kind: "list", element: "f64" }),
      undefined,
    );
  });
  await t.step("NaN patterns", () => {
    for (const ty of ["f32", "f64"] as const) {
      for (const p of ["nan:canonical", "nan:arithmetic", "nan", "-nan", "nan:0x1"]) {
        assert.equal(match(NaN, `(${ty}.const ${p})`, ty), undefined, `${ty} ${p}`);
      }
      assert.equal(
        match(1, `(${ty}.const nan:canonical)`, ty),
        `expected nan:canonical, got (${ty}.const 1)`,
      );
      assert.equal(
        match(-Infinity, `(${ty}.const nan:arithmetic)`, ty),
        `expected nan:arithmetic, got (${ty}.const -inf)`,
      );
      assert.equal(
        match(NaN, `(${ty}.const 1)`, ty),
        `expected (${ty}.const 1), got (${ty}.const nan)`,
      );
      assert.equal(
        match(NaN, `(${ty}.const inf)`, ty),
        `expected (${ty}.const inf), got (${ty}.const nan)`,
      );
    }
    // inside a compound value, a NaN matches NaN
    const l: InterfaceType = { kind: "list", element: "f64" };
    assert.equal(
      match([NaN, 1], "(list.const (f64.const nan:canonical) (f64.const 1))", l),
      undefined,
    );
    assert.notEqual(
      match([2, 1], "(list.const (f64.const nan:canonical) (f64.const 1))", l),
      undefined,
    );
  });
  await t.step("compound values", () => {
    assert.equal(
      match(
        { a: 1, bC: "x" },
        '(record.const (field "a" (u32.const 1)) (field "b-c" (str.const "x")))',
        REC,
      ),
      undefined,
    );
    assert.equal(
      match(
        { a: 1, bC: "y" },
        '(record.const (field "a" (u32.const 1)) (field "b-c" (str.const "x")))',
        REC,
      ),
      'expected (record.const (field "a" (u32.const 1)) (field "b-c" (str.const "x"))), ' +
        'got (record.const (field "a" (u32.const 1)) (field "b-c" (str.const "y")))',
    );
    assert.equal(match([1, 2], "(list.const (u8.const 1) (u8.const 2))", LIST), undefined);
    assert.equal(
      match([1], "(list.const (u8.const 1) (u8.const 2))", LIST),
      "expected (list.const (u8.const 1) (u8.const 2)), got (list.const (u8.const 1))",
    );
    assert.notEqual(match([1, 3], "(list.const (u8.const 1) (u8.const 2))", LIST), undefined);
    assert.equal(
      match([1, "x", true], '(tuple.const (u8.const 1) (str.const "x") (bool.const true))', TUPLE),
      undefined,
    );
    assert.notEqual(
      match([1, "x", false], '(tuple.const (u8.const 1) (str.const "x") (bool.const true))', TUPLE),
      undefined,
    );
    assert.equal(
      match({ tag: "a", val: 5 }, '(variant.const "a" (u32.const 5))', VARIANT),
      undefined,
    );
    assert.equal(match({ tag: "b" }, '(variant.const "b")', VARIANT), undefined);
    assert.equal(
      match({ tag: "a", val: 6 }, '(variant.const "a" (u32.const 5))', VARIANT),
      'expected (variant.const "a" (u32.const 5)), got (variant.const "a" (u32.const 6))',
    );
    assert.equal(
      match({ tag: "b" }, '(variant.const "a" (u32.const 5))', VARIANT),
      'expected (variant.const "a" (u32.const 5)), got (variant.const "b")',
    );
    assert.equal(match("nw", '(enum.const "nw")', ENUM), undefined);
    assert.equal(
      match("ne", '(enum.const "nw")', ENUM),
      'expected (enum.const "nw"), got (enum.const "ne")',
    );
    assert.equal(
      match({ read: true, write: false, noExec: true }, '(flags.const "no-exec" "read")', FLAGS),
      undefined,
    );
    assert.equal(
      match({ read: true, write: false, noExec: false }, '(flags.const "no-exec" "read")', FLAGS),
      'expected (flags.const "read" "no-exec"), got (flags.const "read")',
    );
    assert.equal(match({ tag: "ok", val: 1 }, "(result.ok (u32.const 1))", RESULT), undefined);
    assert.equal(
      match({ tag: "err", val: "e" }, '(result.err (str.const "e"))', RESULT),
      undefined,
    );
    assert.equal(
      match({ tag: "err", val: "e" }, "(result.ok (u32.const 1))", RESULT),
      'expected (result.ok (u32.const 1)), got (result.err (str.const "e"))',
    );
    assert.equal(
      match({ tag: "ok", val: 2 }, "(result.ok (u32.const 1))", RESULT),
      "expected (result.ok (u32.const 1)), got (result.ok (u32.const 2))",
    );
    assert.equal(match({ tag: "ok" }, "(result.ok)", RESULT_EMPTY), undefined);
    assert.equal(
      match({ tag: "err" }, "(result.ok)", RESULT_EMPTY),
      "expected (result.ok), got (result.err)",
    );
  });
  await t.step("options: none, some and some(none) differ", () => {
    assert.equal(match(undefined, "(option.none)", OPT), undefined);
    assert.equal(match(0, "(option.some (u32.const 0))", OPT), undefined);
    assert.equal(
      match(undefined, "(option.some (u32.const 0))", OPT),
      "expected (option.some (u32.const 0)), got (option.none)",
    );
    assert.equal(
      match(0, "(option.none)", OPT),
      "expected (option.none), got (option.some (u32.const 0))",
    );
    const someNone = { tag: "some", val: undefined };
    assert.equal(match(someNone, "(option.some (option.none))", OPT2), undefined);
    assert.equal(
      match(undefined, "(option.some (option.none))", OPT2),
      "expected (option.some (option.none)), got (option.none)",
    );
    assert.equal(
      match(someNone, "(option.none)", OPT2),
      "expected (option.none), got (option.some (option.none))",
    );
    assert.equal(
      match({ tag: "some", val: 4 }, "(option.some (option.some (u32.const 4)))", OPT2),
      undefined,
    );
    assert.notEqual(match(someNone, "(option.some (option.some (u32.const 4)))", OPT2), undefined);
  });
  await t.step("an expected value that does not fit the type is the difference", () => {
    assert.equal(
      match(1, "(s32.const 1)", "u32"),
      "expected `(u32.const ...)` for a `u32` (at line 1, column 1)",
    );
    assert.match(match(1, "(f64.const nope)", "f64")!, /invalid float `nope`/);
    assert.match(match(undefined, "(option.some)", OPT)!, /needs a payload/);
  });
  await t.step("an actual value of the wrong shape is described, not thrown", () => {
    const d = match(undefined, '(variant.const "a" (u32.const 5))', VARIANT);
    assert.match(
      d!,
      /^expected \(variant\.const "a" \(u32\.const 5\)\), got <undefined that is not a `variant/,
    );
    assert.notEqual(match("3", "(u32.const 3)", "u32"), undefined);
    assert.notEqual(match(3, "(u64.const 3)", "u64"), undefined, "a 64-bit integer is a bigint");
  });
});

Deno.test("formatValue: the value syntax", () => {
  assert.equal(formatValue(true, "bool"), "(bool.const true)");
  assert.equal(formatValue(255, "u8"), "(u8.const 255)");
  assert.equal(formatValue(-1n, "s64"), "(s64.const -1)");
  assert.equal(formatValue(18446744073709551615n, "u64"), "(u64.const 18446744073709551615)");
  assert.equal(formatValue(1.5, "f64"), "(f64.const 1.5)");
  assert.equal(formatValue(-0, "f32"), "(f32.const -0)");
  assert.equal(formatValue(NaN, "f64"), "(f64.const nan)");
  assert.equal(formatValue(-Infinity, "f64"), "(f64.const -inf)");
  assert.equal(formatValue("a", "char"), '(char.const "a")');
  assert.equal(formatValue('say "hi"\n', "string"), '(str.const "say \\"hi\\"\\n")');
  // control characters in the text format's \u{...} form, not JSON's \u0001 or \b
  assert.equal(formatValue("\x01\b\x7f\\", "string"), '(str.const "\\u{1}\\u{8}\\u{7f}\\\\")');
  assert.equal(formatValue([1, 2], LIST), "(list.const (u8.const 1) (u8.const 2))");
  assert.equal(formatValue([], LIST), "(list.const)");
  assert.equal(
    formatValue({ a: 1, bC: "x" }, REC),
    '(record.const (field "a" (u32.const 1)) (field "b-c" (str.const "x")))',
  );
  assert.equal(formatValue({ tag: "b" }, VARIANT), '(variant.const "b")');
  assert.equal(
    formatValue({ read: false, write: true, noExec: true }, FLAGS),
    '(flags.const "write" "no-exec")',
  );
  assert.equal(formatValue(undefined, OPT), "(option.none)");
  assert.equal(formatValue({ tag: "some", val: undefined }, OPT2), "(option.some (option.none))");
  assert.equal(formatValue({ tag: "err", val: undefined }, RESULT_EMPTY), "(result.err)");
  // a value that is not of the type is named as such
  assert.equal(
    formatValue(undefined, REC),
    "<undefined that is not a `record { a: u32, b-c: string }`>",
  );
  assert.equal(formatValue(5, VARIANT), "<number that is not a `variant { a(u32), b }`>");
});

Deno.test("formatValue then readValue gives the value back, for every type", () => {
  const cases: [InterfaceType, unknown[]][] = [
    ["bool", [true, false]],
    ["u8", [0, 255]],
    ["s8", [-128, 127]],
    ["u16", [0, 65535]],
    ["s16", [-32768, 32767]],
    ["u32", [0, 4294967295]],
    ["s32", [-2147483648, 2147483647]],
    ["u64", [0n, 2n ** 64n - 1n]],
    ["s64", [-(2n ** 63n), 2n ** 63n - 1n]],
    ["f32", [0, -0, 1.5, Math.fround(0.1), -Infinity, Infinity, Math.fround(3.4e38), 2 ** -149]],
    ["f64", [0, -0, 0.1, -1e300, 1e21, 5e-324, Number.MAX_VALUE, Infinity, -Infinity, 1 / 3]],
    ["char", ["a", "\n", '"', "\\", "\x00", "\x7f", "⛳", "🍰"]],
    ["string", ["", "hi", "q\"uo'te\\", "tab\tnl\ncr\r", "\x01\x1f\b\f", "é⛳🍰", "\u2028"]],
    [LIST, [[], [0, 1, 255]]],
    [{ kind: "list", element: { kind: "list", element: "string" } }, [[[], ["a", "b"]]]],
    [TUPLE, [[0, "", false], [255, "x y", true]]],
    [REC, [{ a: 0, bC: "" }, { a: 7, bC: "v=" }]],
    [VARIANT, [{ tag: "a", val: 0 }, { tag: "b" }]],
    [ENUM, ["ne", "nw", "sw-x"]],
    [OPT, [undefined, 0, 42]],
    [OPT2, [undefined, { tag: "some", val: undefined }, { tag: "some", val: 9 }]],
    [RESULT, [{ tag: "ok", val: 1 }, { tag: "err", val: "bad" }]],
    [RESULT_EMPTY, [{ tag: "ok", val: undefined }, { tag: "err", val: undefined }]],
    [FLAGS, [
      { read: false, write: false, noExec: false },
      { read: true, write: false, noExec: true },
      { read: true, write: true, noExec: true },
    ]],
  ];
  for (const [t, values] of cases) {
    for (const v of values) {
      const text = formatValue(v, t);
      const forms = readSexprs(text);
      assert.equal(forms.length, 1, text);
      const back = readValue(forms[0], t);
      assert.deepEqual(back, v, `${text} reads back`);
      if (typeof v === "number") assert.ok(Object.is(back, v), `${text}: the same number`);
      assert.equal(matchValue(v, forms[0], t), undefined, `${text} matches its value`);
    }
  }
  // NaN prints as a pattern that reads back as NaN
  for (const t of ["f32", "f64"] as const) {
    const back = readValue(readSexprs(formatValue(NaN, t))[0], t);
    assert.ok(Number.isNaN(back));
  }
});
