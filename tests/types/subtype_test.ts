/**
 * Type matching (lib/types/subtype.ts): value and function types must be
 * equal, names included; instance, component and module types may export
 * more and import less (Explainer.md, "Type Checking"); resources are
 * compared by identity, with the abstract `(sub resource)` types of an
 * expected type bound to the argument's resources as matching proceeds.
 * Each check returns `undefined` or a reason, which must say what differs.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { CoreValType } from "../../lib/parse/items.ts";
import type {
  CoreEntityType,
  ExternDesc,
  InterfaceType,
  TypeComponent,
  TypeFunc,
  TypeInstance,
  TypeModule,
  TypeResource,
} from "../../lib/types/model.ts";
import {
  type Bindings,
  matchComponentType,
  matchCoreEntity,
  matchExtern,
  matchFuncType,
  matchInstanceType,
  matchModuleType,
  matchType,
  matchValType,
  sameCoreSignature,
} from "../../lib/types/subtype.ts";
import { typeToString } from "../../lib/types/model.ts";
import { LinkError, parseBytes } from "../../mod.ts";
import { inlinePayloads } from "../../lib/inline/mod.ts";
import { wat } from "../_wat.ts";

// ---------------------------------------------------------------------------
// Builders

const record = (...fields: [string, InterfaceType][]): InterfaceType => ({
  kind: "record",
  fields: fields.map(([name, type]) => ({ name, type })),
});
const variant = (...cases: [string, InterfaceType?][]): InterfaceType => ({
  kind: "variant",
  cases: cases.map(([name, type]) => type === undefined ? { name } : { name, type }),
});
const list = (element: InterfaceType, length?: number): InterfaceType =>
  length === undefined ? { kind: "list", element } : { kind: "list", element, length };
const tuple = (...types: InterfaceType[]): InterfaceType => ({ kind: "tuple", types });
const option = (type: InterfaceType): InterfaceType => ({ kind: "option", type });
const result = (ok?: InterfaceType, err?: InterfaceType): InterfaceType => ({
  kind: "result",
  ...(ok === undefined ? {} : { ok }),
  ...(err === undefined ? {} : { err }),
});
const own = (resource: TypeResource): InterfaceType => ({ kind: "own", resource });
const borrow = (resource: TypeResource): InterfaceType => ({ kind: "borrow", resource });

let nextId = 0;
const defined = (name: string): TypeResource => ({
  kind: "resource",
  id: nextId++,
  origin: "defined",
  name,
});
const abstract = (name: string): TypeResource => ({
  kind: "resource",
  id: nextId++,
  origin: "abstract",
  name,
});

function func(
  params: readonly [string, InterfaceType][],
  res?: InterfaceType,
  async = false,
): TypeFunc {
  const ps = params.map(([name, type]) => ({ name, type }));
  return res === undefined
    ? { kind: "func", async, params: ps }
    : { kind: "func", async, params: ps, result: res };
}

const fn = (type: TypeFunc): ExternDesc => ({ kind: "func", type });
const ty = (type: InterfaceType | TypeResource): ExternDesc => ({ kind: "type", type });
const instance = (...exports: [string, ExternDesc][]): TypeInstance => ({
  kind: "instance",
  exports: new Map(exports),
});
const component = (
  imports: [string, ExternDesc][],
  exports: [string, ExternDesc][],
): TypeComponent => ({ kind: "component", imports: new Map(imports), exports: new Map(exports) });

const coreFunc = (params: CoreValType[], results: CoreValType[]): CoreEntityType => ({
  kind: "func",
  type: { final: true, supertypes: [], type: { kind: "func", params, results } },
});
const memory = (memory64 = false, shared = false, min = 1n, max?: bigint): CoreEntityType => ({
  kind: "memory",
  memory64,
  shared,
  min,
  ...(max === undefined ? {} : { max }),
});
const global = (type: CoreValType, mutable = false, shared = false): CoreEntityType => ({
  kind: "global",
  type,
  mutable,
  shared,
});
const table = (
  element: CoreValType,
  { table64 = false, shared = false, min = 0n }: {
    table64?: boolean;
    shared?: boolean;
    min?: bigint;
  } = {},
): CoreEntityType => ({ kind: "table", element, table64, shared, min });
const module = (
  imports: [string, string, CoreEntityType][],
  exports: [string, CoreEntityType][],
): TypeModule => ({
  kind: "module",
  imports: imports.map(([module, name, type]) => ({ module, name, type })),
  exports: new Map(exports),
});

/** Assert a match succeeds. */
function ok(reason: string | undefined): void {
  assert.equal(reason, undefined, `expected a match, got: ${reason}`);
}

/** Assert a match fails with a reason matching `pattern`. */
function fails(reason: string | undefined, pattern: RegExp): void {
  assert.equal(typeof reason, "string", "expected a mismatch");
  assert.match(reason!, pattern);
  assert.ok(reason!.length < 400, `reason too long: ${reason}`);
  assert.doesNotMatch(reason!, /undefined|\[object Object\]/, `reason leaks internals: ${reason}`);
}

// ---------------------------------------------------------------------------
// Value types

Deno.test("matchValType: primitives are equal only to themselves", () => {
  ok(matchValType("u32", "u32"));
  fails(matchValType("s32", "u32"), /^expected `u32`, found `s32`$/);
  fails(
    matchValType("string", record(["a", "u8"])),
    /expected `record \{ a: u8 \}`, found `string`/,
  );
  fails(matchValType(record(["a", "u8"]), "u8"), /expected `u8`, found `record \{ a: u8 \}`/);
});

Deno.test("matchValType: records", async (t) => {
  const r = record(["a", "u8"], ["b", "string"]);
  await t.step("structurally equal records match (distinct objects)", () => {
    ok(matchValType(record(["a", "u8"], ["b", "string"]), r));
  });
  await t.step("a field name differs", () => {
    fails(
      matchValType(record(["a", "u8"], ["c", "string"]), r),
      /expected `record \{ a: u8, b: string \}`, found `record \{ a: u8, c: string \}`/,
    );
  });
  await t.step("the same fields in another order", () => {
    fails(
      matchValType(record(["b", "string"], ["a", "u8"]), r),
      /expected `record \{ a: u8, b: string \}`, found `record \{ b: string, a: u8 \}`/,
    );
  });
  await t.step("one field more", () => {
    fails(matchValType(record(["a", "u8"], ["b", "string"], ["c", "u8"]), r), /found `record/);
  });
  await t.step("a field type differs: the reason names the field", () => {
    fails(
      matchValType(record(["a", "u16"], ["b", "string"]), r),
      /^field `a`: expected `u8`, found `u16`$/,
    );
  });
  await t.step("nested: the reason gives the path", () => {
    fails(
      matchValType(record(["x", record(["y", "u8"])]), record(["x", record(["y", "s8"])])),
      /^field `x`: field `y`: expected `s8`, found `u8`$/,
    );
  });
});

Deno.test("matchValType: variants", async (t) => {
  const v = variant(["a"], ["b", "u32"]);
  await t.step("equal", () => ok(matchValType(variant(["a"], ["b", "u32"]), v)));
  await t.step("a case name differs", () => {
    fails(matchValType(variant(["a"], ["c", "u32"]), v), /expected `variant \{ a, b\(u32\) \}`/);
  });
  await t.step("cases in another order", () => {
    fails(matchValType(variant(["b", "u32"], ["a"]), v), /found `variant \{ b\(u32\), a \}`/);
  });
  await t.step("a case count differs", () => {
    fails(matchValType(variant(["a"]), v), /found `variant \{ a \}`/);
  });
  await t.step("a payload where none is expected", () => {
    fails(matchValType(variant(["a", "u8"], ["b", "u32"]), v), /^case `a`: /);
  });
  await t.step("no payload where one is expected", () => {
    fails(matchValType(variant(["a"], ["b"]), v), /^case `b`: /);
  });
  await t.step("a payload type differs", () => {
    fails(
      matchValType(variant(["a"], ["b", "s32"]), v),
      /^case `b`: expected `u32`, found `s32`$/,
    );
  });
});

Deno.test("matchValType: lists, tuples, flags and enums", async (t) => {
  await t.step("list<u8> = list<u8>", () => ok(matchValType(list("u8"), list("u8"))));
  await t.step("element types differ", () => {
    fails(matchValType(list("u16"), list("u8")), /^list element: expected `u8`, found `u16`$/);
  });
  await t.step("fixed and variable length differ", () => {
    fails(matchValType(list("u8", 4), list("u8")), /expected `list<u8>`, found `list<u8, 4>`/);
  });
  await t.step("fixed lengths differ", () => {
    fails(
      matchValType(list("u8", 4), list("u8", 5)),
      /expected `list<u8, 5>`, found `list<u8, 4>`/,
    );
  });
  await t.step("fixed lengths equal", () => ok(matchValType(list("u8", 4), list("u8", 4))));
  await t.step("tuples", () => {
    ok(matchValType(tuple("u8", "string"), tuple("u8", "string")));
    fails(matchValType(tuple("u8", "u8"), tuple("u8", "string")), /^tuple element 1: /);
    fails(matchValType(tuple("u8"), tuple("u8", "u8")), /expected `tuple<u8, u8>`/);
  });
  await t.step("flags: same names in the same order", () => {
    ok(matchValType({ kind: "flags", names: ["a", "b"] }, { kind: "flags", names: ["a", "b"] }));
    fails(
      matchValType({ kind: "flags", names: ["b", "a"] }, { kind: "flags", names: ["a", "b"] }),
      /expected `flags \{ a, b \}`, found `flags \{ b, a \}`/,
    );
  });
  await t.step("enums", () => {
    ok(matchValType({ kind: "enum", names: ["x"] }, { kind: "enum", names: ["x"] }));
    fails(
      matchValType({ kind: "enum", names: ["x", "y"] }, { kind: "enum", names: ["x"] }),
      /expected `enum \{ x \}`/,
    );
  });
  await t.step("an enum is not a variant of the same case names", () => {
    fails(matchValType({ kind: "enum", names: ["a"] }, variant(["a"])), /expected `variant/);
  });
});

Deno.test("matchValType: options and results", async (t) => {
  await t.step("option<u8> = option<u8>", () => ok(matchValType(option("u8"), option("u8"))));
  await t.step("option payloads differ", () => {
    fails(
      matchValType(option("u16"), option("u8")),
      /^option payload: expected `u8`, found `u16`$/,
    );
  });
  await t.step("option<u8> is not result<u8>", () => {
    fails(matchValType(option("u8"), result("u8")), /expected `result<u8>`, found `option<u8>`/);
  });
  await t.step("result<u8, string> = result<u8, string>", () => {
    ok(matchValType(result("u8", "string"), result("u8", "string")));
  });
  await t.step("result ok types differ", () => {
    fails(matchValType(result("u32"), result("s32")), /^result ok: expected `s32`, found `u32`$/);
  });
  await t.step("result err types differ", () => {
    fails(
      matchValType(result(undefined, "u32"), result(undefined, "s32")),
      /^result err: expected `s32`, found `u32`$/,
    );
  });
  await t.step("an ok payload where none is expected", () => {
    fails(
      matchValType(result("u8"), result()),
      /^result ok: expected `result`, found `result<u8>`$/,
    );
  });
  await t.step("no err payload where one is expected", () => {
    fails(
      matchValType(result("u8"), result("u8", "u8")),
      /^result err: expected `result<u8, u8>`, found `result<u8>`$/,
    );
  });
  await t.step("result<u8> is not result<_, u8>", () => {
    fails(matchValType(result("u8"), result(undefined, "u8")), /^result ok: /);
  });
});

// ---------------------------------------------------------------------------
// Function types

Deno.test("matchFuncType: names, types, result presence and async-ness", async (t) => {
  const f = func([["x", "u32"], ["y", "string"]], "u8");
  await t.step("equal", () => ok(matchFuncType(func([["x", "u32"], ["y", "string"]], "u8"), f)));
  await t.step("a parameter name differs", () => {
    fails(
      matchFuncType(func([["x", "u32"], ["z", "string"]], "u8"), f),
      /^parameter 1 is named `z`, expected `y`$/,
    );
  });
  await t.step("a parameter type differs", () => {
    fails(
      matchFuncType(func([["x", "s32"], ["y", "string"]], "u8"), f),
      /^parameter `x`: expected `u32`, found `s32`$/,
    );
  });
  await t.step("a parameter is missing", () => {
    fails(
      matchFuncType(func([["x", "u32"]], "u8"), f),
      /expected `func\(x: u32, y: string\) -> u8`, found `func\(x: u32\) -> u8`/,
    );
  });
  await t.step("the result is missing", () => {
    fails(
      matchFuncType(func([["x", "u32"], ["y", "string"]]), f),
      /found `func\(x: u32, y: string\)`$/,
    );
  });
  await t.step("a result where none is expected", () => {
    fails(
      matchFuncType(f, func([["x", "u32"], ["y", "string"]])),
      /found `func\(x: u32, y: string\) -> u8`/,
    );
  });
  await t.step("the result type differs", () => {
    fails(
      matchFuncType(func([["x", "u32"], ["y", "string"]], "s8"), f),
      /^result: expected `u8`, found `s8`$/,
    );
  });
  await t.step("async and sync differ", () => {
    fails(
      matchFuncType(func([["x", "u32"], ["y", "string"]], "u8", true), f),
      /found `async func\(/,
    );
  });
});

// ---------------------------------------------------------------------------
// Resources

Deno.test("resources are compared by identity", async (t) => {
  const r = defined("r");
  const s = defined("s");
  await t.step("own<r> = own<r>", () => ok(matchValType(own(r), own(r))));
  await t.step("own<r> != own<s>, though both are `(resource (rep i32))`", () => {
    fails(matchValType(own(s), own(r)), /^expected `own<r#\d+>`, found `own<s#\d+>`$/);
  });
  await t.step("own<r> != borrow<r>", () => {
    fails(matchValType(borrow(r), own(r)), /expected `own<r#\d+>`, found `borrow<r#\d+>`/);
  });
  await t.step("deep inside a list of options", () => {
    fails(
      matchValType(list(option(own(s))), list(option(own(r)))),
      /^list element: option payload: expected `own<r#\d+>`, found `own<s#\d+>`$/,
    );
  });
  await t.step("a defined resource type matches only itself", () => {
    ok(matchType(r, r));
    fails(matchType(s, r), /^expected resource `r#\d+`, found `s#\d+`$/);
  });
  await t.step("a (sub resource) accepts any resource, not another kind of type", () => {
    ok(matchType(r, abstract("t")));
    fails(matchType("u32", abstract("t")), /^expected a resource type, found `u32`$/);
    fails(matchType(record(["a", "u8"]), abstract("t")), /expected a resource type/);
  });
  await t.step("a resource is not a value type", () => {
    fails(matchType(r, "u32"), /expected `u32`, found `r#\d+`/);
  });
});

Deno.test("abstract resources of an instance type are bound in declaration order", async (t) => {
  // (instance (export "r" (type $r (sub resource))) (export "f" (func (param "x" (own $r)))))
  const rAbs = abstract("r");
  const expected = instance(["r", ty(rAbs)], ["f", fn(func([["x", own(rAbs)]]))]);
  const x = defined("x");
  const y = defined("y");

  await t.step("r := x, then f(own<x>) matches", () => {
    const b: Bindings = new Map();
    ok(matchInstanceType(instance(["r", ty(x)], ["f", fn(func([["x", own(x)]]))]), expected, b));
    assert.equal(b.get(rAbs), x, "the abstract `r` is bound to `x`");
  });
  await t.step("r := x, then f(own<y>) fails, naming the export and the parameter", () => {
    fails(
      matchInstanceType(instance(["r", ty(x)], ["f", fn(func([["x", own(y)]]))]), expected),
      /^export `f`: parameter `x`: expected `own<r#\d+>`, found `own<y#\d+>`$/,
    );
  });
  await t.step("the binding also holds for borrow<r> and deep uses", () => {
    const e = instance(["r", ty(rAbs)], [
      "g",
      fn(func([["a", borrow(rAbs)]], list(option(own(rAbs))))),
    ]);
    ok(
      matchInstanceType(
        instance(["r", ty(x)], ["g", fn(func([["a", borrow(x)]], list(option(own(x)))))]),
        e,
      ),
    );
    fails(
      matchInstanceType(
        instance(["r", ty(x)], ["g", fn(func([["a", borrow(x)]], list(option(own(y)))))]),
        e,
      ),
      /^export `g`: result: list element: option payload: /,
    );
  });
  await t.step("an abstract resource once bound cannot be rebound", () => {
    const b: Bindings = new Map([[rAbs, x]]);
    fails(matchType(y, rAbs, b), /resource types differ/);
    ok(matchType(x, rAbs, b));
  });
  await t.step("a type export that is not a resource", () => {
    fails(
      matchInstanceType(instance(["r", ty("u32")], ["f", fn(func([["x", "u32"]]))]), expected),
      /^export `r`: expected a resource type, found `u32`$/,
    );
  });
  await t.step("two abstract resources may be bound to the same one", () => {
    const a1 = abstract("a1");
    const a2 = abstract("a2");
    ok(
      matchInstanceType(
        instance(["a1", ty(x)], ["a2", ty(x)]),
        instance(["a1", ty(a1)], ["a2", ty(a2)]),
      ),
    );
  });
});

Deno.test("abstract resource binding through inlinePayloads (own<r> of an instance import)", async (t) => {
  const body = (r: "$R1" | "$R2") => `
    (component
      (type $R1 (resource (rep i32)))
      (type $R2 (resource (rep i32)))
      (core module $m (func (export "f") (param i32)))
      (core instance $i (instantiate $m))
      (func $f (param "x" (own $R1)) (canon lift (core func $i "f")))
      (instance $arg (export "r" (type ${r})) (export "f" (func $f)))
      (component $C
        (import "i" (instance
          (export "r" (type $r (sub resource)))
          (export "f" (func (param "x" (own $r)))))))
      (instance (instantiate $C (with "i" (instance $arg)))))`;
  await t.step("r is the resource f uses: accepted", async () => {
    inlinePayloads(parseBytes(await wat(body("$R1"))));
  });
  await t.step("r is another resource: a LinkError naming the export", async () => {
    const bytes = await wat(body("$R2"));
    let e: unknown;
    try {
      inlinePayloads(parseBytes(bytes));
    } catch (error) {
      e = error;
    }
    assert.ok(e instanceof LinkError, `expected a LinkError, got ${e}`);
    assert.match(
      e.reason,
      /^type mismatch for instantiation argument `i`: export `f`: parameter `x`: expected `own<.*>`, found `own<.*>`$/,
    );
  });
});

// ---------------------------------------------------------------------------
// Instance, component and module subtyping

Deno.test("matchInstanceType: width subtyping", async (t) => {
  const f = fn(func([]));
  const g = fn(func([["x", "u8"]]));
  await t.step(
    "the same exports",
    () => ok(matchInstanceType(instance(["f", f]), instance(["f", f]))),
  );
  await t.step("more exports are fine", () => {
    ok(matchInstanceType(instance(["f", f], ["g", g], ["h", f]), instance(["g", g], ["f", f])));
  });
  await t.step("an empty instance type accepts any instance", () => {
    ok(matchInstanceType(instance(["f", f]), instance()));
  });
  await t.step("a missing export fails, naming it", () => {
    fails(
      matchInstanceType(instance(["f", f]), instance(["f", f], ["g", g])),
      /^missing export `g`$/,
    );
  });
  await t.step("an export of another type fails, naming it", () => {
    fails(
      matchInstanceType(instance(["f", f], ["g", f]), instance(["g", g])),
      /^export `g`: expected `func\(x: u8\)`, found `func\(\)`$/,
    );
  });
  await t.step("an export of another kind fails, naming both kinds", () => {
    fails(
      matchInstanceType(instance(["g", ty("u8")]), instance(["g", g])),
      /^export `g`: expected a func, found a type$/,
    );
  });
  await t.step("nested instances are matched by width too", () => {
    ok(
      matchInstanceType(
        instance(["i", { kind: "instance", type: instance(["f", f], ["g", g]) }]),
        instance(["i", { kind: "instance", type: instance(["g", g]) }]),
      ),
    );
    fails(
      matchInstanceType(
        instance(["i", { kind: "instance", type: instance(["f", f]) }]),
        instance(["i", { kind: "instance", type: instance(["g", g]) }]),
      ),
      /^export `i`: missing export `g`$/,
    );
  });
});

Deno.test("matchComponentType: imports less, exports more", async (t) => {
  const f = fn(func([]));
  const g = fn(func([["x", "u8"]]));
  const declared = component([["a", f], ["b", f]], [["x", f]]);
  await t.step("the same type", () => {
    ok(matchComponentType(component([["a", f], ["b", f]], [["x", f]]), declared));
  });
  await t.step("fewer imports and more exports (the Explainer's $C1 <: $C2)", () => {
    ok(matchComponentType(component([["a", f]], [["x", f], ["y", f]]), declared));
  });
  await t.step("an import that is not declared", () => {
    fails(
      matchComponentType(component([["a", f], ["c", f]], [["x", f]]), declared),
      /^imports `c`, which is not declared$/,
    );
  });
  await t.step("a missing export", () => {
    fails(matchComponentType(component([], []), declared), /^missing export `x`$/);
  });
  await t.step("an import of another type", () => {
    fails(
      matchComponentType(component([["a", g]], [["x", f]]), declared),
      /^import `a`: /,
    );
  });
  await t.step("a component defined in the binary (untyped) matches any component type", () => {
    const untyped: TypeComponent = { ...component([], []), untyped: true };
    ok(matchComponentType(untyped, declared));
    ok(matchExtern({ kind: "component", type: untyped }, { kind: "component", type: declared }));
    fails(
      matchExtern({ kind: "component", type: untyped }, f),
      /^expected a func, found a component$/,
    );
    assert.equal(typeToString(untyped), "component");
  });
});

Deno.test("matchModuleType: imports less, exports more", async (t) => {
  const fii = coreFunc(["i32"], ["i32"]);
  const declared = module(
    [["env", "f", fii], ["env", "mem", memory()]],
    [["run", coreFunc([], [])], ["g", global("i32")]],
  );
  await t.step("the same type", () => {
    ok(
      matchModuleType(
        module(
          [["env", "f", fii], ["env", "mem", memory()]],
          [["run", coreFunc([], [])], ["g", global("i32")]],
        ),
        declared,
      ),
    );
  });
  await t.step("fewer imports and more exports", () => {
    ok(
      matchModuleType(
        module(
          [["env", "mem", memory()]],
          [["run", coreFunc([], [])], ["g", global("i32")], ["extra", memory()]],
        ),
        declared,
      ),
    );
  });
  await t.step("an import that is not declared", () => {
    fails(
      matchModuleType(
        module([["env", "h", fii]], [["run", coreFunc([], [])], ["g", global("i32")]]),
        declared,
      ),
      /^imports `env` `h`, which is not declared$/,
    );
  });
  await t.step("an import of another signature", () => {
    fails(
      matchModuleType(
        module([["env", "f", coreFunc(["i64"], ["i32"])]], [["run", coreFunc([], [])], [
          "g",
          global("i32"),
        ]]),
        declared,
      ),
      /^import `env` `f`: expected \(i64\) -> \(i32\), found \(i32\) -> \(i32\)$/,
    );
  });
  await t.step("an import of another kind", () => {
    fails(
      matchModuleType(
        module([["env", "mem", global("i32")]], [["run", coreFunc([], [])], ["g", global("i32")]]),
        declared,
      ),
      /^import `env` `mem`: declared a memory, the module imports a global$/,
    );
  });
  await t.step("a missing export", () => {
    fails(
      matchModuleType(module([], [["run", coreFunc([], [])]]), declared),
      /^missing export `g`$/,
    );
  });
  await t.step("an export of the wrong kind", () => {
    fails(
      matchModuleType(module([], [["run", coreFunc([], [])], ["g", memory()]]), declared),
      /^export `g`: expected a global, found a memory$/,
    );
  });
  await t.step("an export of the wrong signature", () => {
    fails(
      matchModuleType(module([], [["run", coreFunc(["i32"], [])], ["g", global("i32")]]), declared),
      /^export `run`: expected \(\) -> \(\), found \(i32\) -> \(\)$/,
    );
  });
  await t.step("an export global of another type or mutability", () => {
    fails(
      matchModuleType(module([], [["run", coreFunc([], [])], ["g", global("i64")]]), declared),
      /^export `g`: global types differ$/,
    );
    fails(
      matchModuleType(
        module([], [["run", coreFunc([], [])], ["g", global("i32", true)]]),
        declared,
      ),
      /^export `g`: global types differ$/,
    );
  });
});

Deno.test("matchCoreEntity and sameCoreSignature", async (t) => {
  await t.step("signatures", () => {
    assert.ok(
      sameCoreSignature({ params: ["i32"], results: [] }, { params: ["i32"], results: [] }),
    );
    assert.ok(
      !sameCoreSignature({ params: ["i32"], results: [] }, { params: ["i64"], results: [] }),
    );
    assert.ok(!sameCoreSignature({ params: [], results: ["i32"] }, { params: [], results: [] }));
    assert.ok(
      sameCoreSignature(
        { params: [{ kind: "ref", nullable: true, heap: "func" }], results: [] },
        { params: [{ kind: "ref", nullable: true, heap: "func" }], results: [] },
      ),
    );
    assert.ok(
      !sameCoreSignature(
        { params: [{ kind: "ref", nullable: true, heap: "func" }], results: [] },
        { params: [{ kind: "ref", nullable: false, heap: "func" }], results: [] },
      ),
    );
  });
  await t.step("memories: 32 and 64 bits", () => {
    ok(matchCoreEntity(memory(), memory()));
    fails(
      matchCoreEntity(memory(true), memory(false)),
      /^expected a 32-bit memory, found a 64-bit one$/,
    );
  });
  await t.step("tables: element types", () => {
    ok(matchCoreEntity(table("v128"), table("v128")));
    fails(
      matchCoreEntity(
        table({ kind: "ref", nullable: true, heap: "extern" }),
        table({ kind: "ref", nullable: true, heap: "func" }),
      ),
      /^table element types differ$/,
    );
  });
  await t.step("tables: the index type (table64) must be the same, either way", () => {
    const funcref: CoreValType = { kind: "ref", nullable: true, heap: "func" };
    ok(matchCoreEntity(table(funcref, { table64: true }), table(funcref, { table64: true })));
    fails(
      matchCoreEntity(table(funcref), table(funcref, { table64: true })),
      /^expected a table with i64 indices, found one with i32 indices$/,
    );
    fails(
      matchCoreEntity(table(funcref, { table64: true }), table(funcref)),
      /^expected a table with i32 indices, found one with i64 indices$/,
    );
  });
  await t.step("tables and globals: the shared flag", () => {
    const funcref: CoreValType = { kind: "ref", nullable: true, heap: "func" };
    fails(
      matchCoreEntity(table(funcref, { shared: true }), table(funcref)),
      /^expected an unshared table, found a shared one$/,
    );
    fails(
      matchCoreEntity(global("i32"), global("i32", false, true)),
      /^expected a shared global, found an unshared one$/,
    );
    ok(matchCoreEntity(global("i32", true, true), global("i32", true, true)));
  });
  await t.step("memories: the page size (custom-page-sizes) must be the same", () => {
    const paged = (log2?: number): CoreEntityType => ({
      kind: "memory",
      memory64: false,
      shared: false,
      min: 1n,
      ...(log2 === undefined ? {} : { pageSizeLog2: log2 }),
    });
    ok(matchCoreEntity(paged(16), paged()));
    ok(matchCoreEntity(paged(0), paged(0)));
    fails(
      matchCoreEntity(paged(0), paged()),
      /^expected a page size of 65536 bytes, found 1$/,
    );
  });
  await t.step("memories: shared flag and limits", () => {
    fails(
      matchCoreEntity(memory(false, true), memory(false, false)),
      /^expected an unshared memory, found a shared one$/,
    );
    ok(matchCoreEntity(memory(false, false, 2n, 3n), memory(false, false, 1n, 4n)));
    fails(
      matchCoreEntity(memory(false, false, 1n), memory(false, false, 2n)),
      /^minimum size 1 is below the required 2$/,
    );
    fails(
      matchCoreEntity(memory(false, false, 1n), memory(false, false, 1n, 4n)),
      /^maximum size \(none\) exceeds the required 4$/,
    );
    fails(
      matchCoreEntity(memory(false, false, 1n, 5n), memory(false, false, 1n, 4n)),
      /^maximum size 5 exceeds the required 4$/,
    );
  });
  await t.step("kinds", () => {
    fails(matchCoreEntity(memory(), coreFunc([], [])), /^expected a func, found a memory$/);
  });
});

Deno.test("matchExtern: kinds, then the kind's own rule", async (t) => {
  await t.step("different kinds", () => {
    fails(
      matchExtern(fn(func([])), { kind: "component", type: component([], []) }),
      /^expected a component, found a func$/,
    );
  });
  await t.step("values", () => {
    ok(matchExtern({ kind: "value", type: "u8" }, { kind: "value", type: "u8" }));
    fails(
      matchExtern({ kind: "value", type: "u8" }, { kind: "value", type: "s8" }),
      /^expected `s8`, found `u8`$/,
    );
  });
  await t.step("modules", () => {
    ok(matchExtern({ kind: "module", type: module([], [["m", memory()]]) }, {
      kind: "module",
      type: module([], []),
    }));
    fails(
      matchExtern({ kind: "module", type: module([], []) }, {
        kind: "module",
        type: module([], [["m", memory()]]),
      }),
      /^missing export `m`$/,
    );
  });
  await t.step("types: eq-bound value types are compared structurally", () => {
    ok(matchExtern(ty(list("u8")), ty(list("u8"))));
    fails(matchExtern(ty(list("u8")), ty(list("s8"))), /^list element: /);
  });
  await t.step("types: a func type is not a value type", () => {
    fails(
      matchType(func([]), "u8"),
      /expected `u8`, found `func\(\)`/,
    );
  });
});
