/**
 * Decoding of the type section: every defined value type, function,
 * resource, component and instance type (tests/fixtures/types_*.wat).
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseBytes, type Payload } from "../../mod.ts";
import type { TypeDef } from "../../lib/parse/mod.ts";
import { fixture, wat } from "../_wat.ts";

/** The type section items of the root component, in order. */
async function types(name: string): Promise<TypeDef[]> {
  const payloads: Payload[] = parseBytes(await fixture(name));
  const out: TypeDef[] = [];
  let depth = -1;
  for (const p of payloads) {
    if (p.kind === "component-begin") depth = p.depth;
    else if (p.kind === "component-end") depth = p.depth - 1;
    else if (p.kind === "type" && depth === 0) out.push(...p.items);
  }
  return out;
}

const defined = (type: unknown) => ({ kind: "defined", type });
const prim = (type: string) => defined({ kind: "primitive", type });

Deno.test("parseBytes() decodes every primitive value type", async () => {
  assert.deepStrictEqual(
    await types("types_primitives.wat"),
    [
      "bool",
      "s8",
      "u8",
      "s16",
      "u16",
      "s32",
      "u32",
      "s64",
      "u64",
      "f32",
      "f64",
      "char",
      "string",
    ].map(prim),
  );
});

Deno.test("parseBytes() decodes records, variants, lists, tuples, flags and enums", async (t) => {
  const ts = await types("types_records.wat");
  // Index space: the encoder hoists the inline `(list string)` of $named to index 1.
  assert.equal(ts.length, 11);
  await t.step("record", () => {
    assert.deepStrictEqual(
      ts[0],
      defined({ kind: "record", fields: [{ name: "x", type: "s32" }, { name: "y", type: "s32" }] }),
    );
    assert.deepStrictEqual(
      ts[2],
      defined({
        kind: "record",
        fields: [
          { name: "name", type: "string" },
          { name: "at", type: 0 },
          { name: "tags", type: 1 },
        ],
      }),
    );
  });
  await t.step("variant: cases with and without a payload", () => {
    assert.deepStrictEqual(
      ts[3],
      defined({
        kind: "variant",
        cases: [{ name: "none" }, { name: "circle", type: "f64" }, { name: "at", type: 0 }],
      }),
    );
    const v = ts[3];
    assert.ok(v.kind === "defined" && v.type.kind === "variant");
    assert.equal("type" in v.type.cases[0], false, "no `type` key for a case without payload");
  });
  await t.step("list: of a primitive, of a defined type, fixed-length", () => {
    assert.deepStrictEqual(ts[1], defined({ kind: "list", element: "string" }));
    assert.deepStrictEqual(ts[4], defined({ kind: "list", element: "u8" }));
    assert.deepStrictEqual(ts[5], defined({ kind: "list", element: 0 }));
    assert.deepStrictEqual(ts[6], defined({ kind: "list", element: "u8", length: 4 }));
    const plain = ts[4];
    assert.ok(plain.kind === "defined" && plain.type.kind === "list");
    assert.equal("length" in plain.type, false);
  });
  await t.step("tuple, flags, enum", () => {
    assert.deepStrictEqual(ts[7], defined({ kind: "tuple", types: ["u32", "string"] }));
    assert.deepStrictEqual(ts[8], defined({ kind: "tuple", types: [] }));
    assert.deepStrictEqual(ts[9], defined({ kind: "flags", names: ["read", "write", "exec"] }));
    assert.deepStrictEqual(ts[10], defined({ kind: "enum", names: ["red", "green", "blue"] }));
  });
});

Deno.test("parseBytes() decodes option and the four forms of result", async () => {
  const ts = await types("types_option_result.wat");
  assert.deepStrictEqual(ts, [
    defined({ kind: "option", type: "u32" }),
    defined({ kind: "option", type: 0 }),
    defined({ kind: "result", ok: "string", err: "u8" }),
    defined({ kind: "result", ok: "s64" }),
    defined({ kind: "result", err: "char" }),
    defined({ kind: "result" }),
  ]);
  // Absent halves are absent keys, not `undefined` values.
  const none = ts[5];
  assert.ok(none.kind === "defined");
  assert.deepStrictEqual(Object.keys(none.type), ["kind"]);
});

Deno.test("parseBytes() decodes resource types and own/borrow handles", async () => {
  const ts = await types("types_resources.wat");
  assert.deepStrictEqual(ts, [
    { kind: "resource", rep: "i32" },
    // the destructor is core func 0: the alias of the core instance's "dtor"
    { kind: "resource", rep: "i32", dtor: 0 },
    defined({ kind: "own", type: 0 }),
    defined({ kind: "borrow", type: 0 }),
    defined({ kind: "own", type: 1 }),
    defined({ kind: "borrow", type: 1 }),
  ]);
  assert.equal("dtor" in ts[0], false);
});

Deno.test("parseBytes() decodes function types with and without results", async () => {
  const ts = await types("types_funcs.wat");
  assert.deepStrictEqual(ts, [
    defined({ kind: "record", fields: [{ name: "x", type: "u32" }, { name: "y", type: "u32" }] }),
    { kind: "func", async: false, params: [] },
    {
      kind: "func",
      async: false,
      params: [{ name: "a", type: "u32" }, { name: "b", type: "u32" }],
      result: "u32",
    },
    { kind: "func", async: false, params: [{ name: "name", type: "string" }], result: 0 },
    {
      kind: "func",
      async: false,
      params: [{ name: "p", type: 0 }, { name: "flag", type: "bool" }],
    },
    // `(result (list u8))`: the list is hoisted before the function
    defined({ kind: "list", element: "u8" }),
    { kind: "func", async: false, params: [], result: 5 },
    { kind: "func", async: true, params: [{ name: "x", type: "u32" }], result: "string" },
  ]);
  assert.equal("result" in ts[1], false);
});

Deno.test("parseBytes() decodes instance and component types with every declarator", async (t) => {
  const ts = await types("types_component_instance.wat");
  assert.equal(ts.length, 5);
  await t.step("the outer type and the empty types", () => {
    assert.deepStrictEqual(ts[0], prim("u32"));
    assert.deepStrictEqual(ts[1], { kind: "instance", decls: [] });
    assert.deepStrictEqual(ts[2], { kind: "component", decls: [] });
  });
  await t.step("instance type: core type, type, alias and export declarators", () => {
    assert.deepStrictEqual(ts[3], {
      kind: "instance",
      decls: [
        {
          kind: "core-type",
          type: {
            kind: "module",
            decls: [
              {
                kind: "type",
                type: {
                  kind: "rec",
                  explicit: false,
                  types: [{
                    final: true,
                    supertypes: [],
                    type: { kind: "func", params: [], results: [] },
                  }],
                },
              },
              { kind: "export", name: "run", type: { kind: "func", type: 0 } },
            ],
          },
        },
        { kind: "type", type: defined({ kind: "record", fields: [{ name: "x", type: "s32" }] }) },
        { kind: "alias", alias: { kind: "outer", sort: "type", count: 1, index: 0 } },
        {
          kind: "export",
          name: { name: "point" },
          type: { kind: "type", bound: { kind: "eq", type: 0 } },
        },
        {
          kind: "export",
          name: { name: "res" },
          type: { kind: "type", bound: { kind: "sub-resource" } },
        },
        { kind: "type", type: defined({ kind: "borrow", type: 3 }) },
        {
          kind: "type",
          type: { kind: "func", async: false, params: [{ name: "r", type: 4 }], result: 1 },
        },
        { kind: "export", name: { name: "get" }, type: { kind: "func", type: 5 } },
        { kind: "export", name: { name: "m" }, type: { kind: "module", type: 0 } },
        { kind: "type", type: { kind: "component", decls: [] } },
        { kind: "export", name: { name: "c" }, type: { kind: "component", type: 6 } },
        {
          kind: "type",
          type: {
            kind: "instance",
            decls: [
              { kind: "type", type: { kind: "func", async: false, params: [] } },
              { kind: "export", name: { name: "f" }, type: { kind: "func", type: 0 } },
            ],
          },
        },
        { kind: "export", name: { name: "i" }, type: { kind: "instance", type: 7 } },
      ],
    });
  });
  await t.step("component type: import declarators and an instance-export alias", () => {
    assert.deepStrictEqual(ts[4], {
      kind: "component",
      decls: [
        {
          kind: "type",
          type: {
            kind: "instance",
            decls: [{
              kind: "export",
              name: { name: "t" },
              type: { kind: "type", bound: { kind: "sub-resource" } },
            }],
          },
        },
        { kind: "import", name: { name: "host" }, type: { kind: "instance", type: 0 } },
        { kind: "alias", alias: { kind: "instance-export", sort: "type", instance: 0, name: "t" } },
        { kind: "type", type: defined({ kind: "own", type: 1 }) },
        {
          kind: "core-type",
          type: {
            kind: "rec",
            explicit: false,
            types: [{
              final: true,
              supertypes: [],
              type: { kind: "func", params: ["i32"], results: [] },
            }],
          },
        },
        { kind: "type", type: { kind: "func", async: false, params: [], result: 2 } },
        { kind: "import", name: { name: "make" }, type: { kind: "func", type: 3 } },
        // `(instance (type $iface))` inside the type: an outer alias of $iface (index 3)
        { kind: "alias", alias: { kind: "outer", sort: "type", count: 1, index: 3 } },
        { kind: "import", name: { name: "iface" }, type: { kind: "instance", type: 4 } },
        { kind: "type", type: { kind: "func", async: false, params: [] } },
        { kind: "export", name: { name: "run" }, type: { kind: "func", type: 5 } },
        {
          kind: "export",
          name: { name: "t2" },
          type: { kind: "type", bound: { kind: "eq", type: 1 } },
        },
      ],
    });
  });
});

Deno.test("parseBytes() decodes stream, future, error-context and map types", async () => {
  assert.deepStrictEqual(await types("types_async.wat"), [
    defined({ kind: "stream", element: "u8" }),
    defined({ kind: "stream" }),
    defined({ kind: "future", element: "string" }),
    defined({ kind: "future" }),
    prim("error-context"),
    defined({ kind: "list", element: "error-context" }),
    defined({ kind: "map", key: "string", value: "u32" }),
  ]);
});

Deno.test("parseBytes() reads value imports as wasm-tools writes them (no bound byte)", async () => {
  const [imports] = parseBytes(await wat(`(component (import "a" (value u32)))`))
    .filter((p) => p.kind === "import");
  assert.equal(imports.kind, "import");
  assert.deepStrictEqual(imports.items, [
    { name: { name: "a" }, type: { kind: "value", type: "u32" } },
  ]);
});

Deno.test("parseBytes() reads a non-final sub type inside a module type", async () => {
  const [types] = parseBytes(await wat(`(component (core type (module (type (sub (func))))))`))
    .filter((p) => p.kind === "core-type");
  assert.equal(types.kind, "core-type");
  assert.deepStrictEqual(types.items, [{
    kind: "module",
    decls: [{
      kind: "type",
      type: {
        kind: "rec",
        explicit: false,
        types: [{
          final: false,
          supertypes: [],
          type: { kind: "func", params: [], results: [] },
        }],
      },
    }],
  }]);
});
