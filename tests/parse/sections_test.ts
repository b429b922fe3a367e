/**
 * Decoding of every component section kind, one fixture per section kind
 * (tests/fixtures/section_*.wat): the exact items, indices, names and
 * options the binary holds, as wasm-tools encoded them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseBytes, type Payload } from "../../mod.ts";
import type { PayloadKind } from "../../lib/parse/mod.ts";
import { fixture, fixtureNames } from "../_wat.ts";

type Of<K extends PayloadKind> = Extract<Payload, { kind: K }>;
type ItemsKind = Extract<Payload, { items: unknown }>["kind"];
type ItemOf<K extends ItemsKind> = Of<K>["items"][number];

/** Every payload of kind `kind`, in order. */
function all<K extends PayloadKind>(payloads: readonly Payload[], kind: K): Of<K>[] {
  return payloads.filter((p): p is Of<K> => p.kind === kind);
}

/** The items of every section of kind `kind` at `depth`, concatenated in order. */
function items<K extends ItemsKind>(
  payloads: readonly Payload[],
  kind: K,
  depth = 0,
): ItemOf<K>[] {
  const out: ItemOf<K>[] = [];
  let d = -1;
  for (const p of payloads) {
    if (p.kind === "component-begin") d = p.depth;
    else if (p.kind === "component-end") d = p.depth - 1;
    else if (p.kind === kind && d === depth) {
      out.push(...(p as unknown as { items: readonly ItemOf<K>[] }).items);
    }
  }
  return out;
}

/** The payload kinds, with custom sections shown as `custom:<name>`. */
function kinds(payloads: readonly Payload[]): string[] {
  return payloads.map((p) => p.kind === "custom" ? `custom:${p.name}` : p.kind);
}

async function load(name: string): Promise<{ bytes: Uint8Array; payloads: Payload[] }> {
  const bytes = await fixture(name);
  return { bytes, payloads: parseBytes(bytes) };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("parseBytes() tiles every fixture with contiguous section ranges", async (t) => {
  for (const name of await fixtureNames()) {
    await t.step(name, async () => {
      const { bytes, payloads } = await load(name);
      assert.deepStrictEqual(payloads[0], {
        kind: "component-begin",
        depth: 0,
        offset: 0,
        end: null,
      });
      assert.deepStrictEqual(payloads.at(-1), { kind: "end", offset: bytes.length });
      // The next byte each open component expects; every section starts where the last ended.
      let at = 8;
      const open: { depth: number; end: number | null }[] = [{ depth: 0, end: null }];
      for (const p of payloads.slice(1, -1)) {
        const top = open[open.length - 1];
        if (p.kind === "component-begin") {
          assert.equal(p.depth, top.depth + 1);
          assert.ok(p.offset > at && p.offset <= at + 6, "a section header precedes it");
          assert.ok(p.end !== null && p.end > p.offset);
          open.push({ depth: p.depth, end: p.end });
          at = p.offset + 8;
        } else if (p.kind === "component-end") {
          assert.equal(p.depth, top.depth);
          assert.equal(p.offset, at);
          if (top.end !== null) assert.equal(p.offset, top.end);
          open.pop();
        } else if (p.kind === "end") {
          assert.fail("`end` before the last payload");
        } else {
          assert.equal(p.range.start, at, `${p.kind} starts where the previous one ended`);
          assert.ok(p.range.end > p.range.start);
          at = p.range.end;
        }
      }
      assert.equal(open.length, 0);
      assert.equal(at, bytes.length);
    });
  }
});

Deno.test("parseBytes() decodes custom sections", async () => {
  const { bytes, payloads } = await load("section_custom.wat");
  assert.deepStrictEqual(kinds(payloads), [
    "component-begin",
    "custom:first",
    "type",
    "custom:wasmfuse:empty",
    "custom:bytes",
    "custom:component-name",
    "component-end",
    "end",
  ]);
  const [first, empty, raw, names] = all(payloads, "custom");
  assert.equal(text(first.data), "abc");
  // id 0, size 10, name length 5, "first", "abc"
  assert.deepStrictEqual(first.range, { start: 8, end: 19 });
  assert.equal(empty.data.length, 0);
  assert.deepStrictEqual([...raw.data], [0x00, 0x01, 0xff]);
  assert.equal(names.name, "component-name");
  for (const c of [first, empty, raw, names]) {
    // `data` is a view of the input, and ends with its section
    assert.equal(c.data.buffer, bytes.buffer);
    assert.equal(c.data.byteOffset + c.data.length, c.range.end);
  }
  assert.deepStrictEqual(items(payloads, "type"), [
    { kind: "defined", type: { kind: "primitive", type: "u8" } },
  ]);
});

Deno.test("parseBytes() decodes a core module with imports and exports of every kind", async () => {
  const { bytes, payloads } = await load("section_core_module.wat");
  assert.deepStrictEqual(kinds(payloads), [
    "component-begin",
    "module",
    "module",
    "custom:component-name",
    "component-end",
    "end",
  ]);
  const [m, empty] = all(payloads, "module");
  const fn = (params: string[], results: string[]) => ({
    final: true,
    supertypes: [],
    type: { kind: "func", params, results },
  });
  assert.deepStrictEqual(m.types, [fn([], []), fn(["i32", "i64"], ["i32"]), fn(["f32"], ["f64"])]);
  const funcref = { kind: "ref", nullable: true, heap: "func" } as const;
  const table = {
    kind: "table",
    element: funcref,
    min: 1n,
    max: 10n,
    table64: false,
    shared: false,
  } as const;
  const mem = { kind: "memory", min: 1n, memory64: false, shared: false } as const;
  const mem64 = { kind: "memory", min: 1n, memory64: true, shared: false } as const;
  const global = { kind: "global", type: "i32", mutable: true, shared: false } as const;
  assert.deepStrictEqual(m.imports, [
    { module: "env", name: "f", type: { kind: "func", type: 1 } },
    { module: "env", name: "tab", type: table },
    { module: "env", name: "mem", type: mem },
    { module: "env", name: "mem64", type: mem64 },
    { module: "env", name: "g", type: global },
    { module: "env", name: "tag", type: { kind: "tag", type: 0 } },
  ]);
  assert.deepStrictEqual(m.exports, [
    { name: "f", kind: "func", index: 0 },
    { name: "own", kind: "func", index: 1 },
    { name: "tab", kind: "table", index: 1 },
    { name: "mem", kind: "memory", index: 2 },
    { name: "g", kind: "global", index: 1 },
    { name: "tag", kind: "tag", index: 1 },
  ]);
  // imported first, then defined
  assert.deepStrictEqual(m.funcs, [1, 0, 2]);
  assert.deepStrictEqual(m.tables, [
    table,
    {
      kind: "table",
      element: { kind: "ref", nullable: true, heap: "extern" },
      min: 2n,
      table64: false,
      shared: false,
    },
  ]);
  assert.deepStrictEqual(m.memories, [
    mem,
    mem64,
    { kind: "memory", min: 2n, max: 3n, memory64: false, shared: false },
  ]);
  assert.deepStrictEqual(m.memories.map((x) => x.memory64), [false, true, false]);
  assert.deepStrictEqual(m.globals, [
    global,
    { kind: "global", type: "i64", mutable: false, shared: false },
  ]);
  assert.deepStrictEqual(m.tags, [{ kind: "tag", type: 0 }, { kind: "tag", type: 0 }]);
  assert.equal(m.start, 1);

  // `bytes` is the module itself (preamble on), as a view of the input
  for (const p of [m, empty]) {
    assert.equal(p.bytes.buffer, bytes.buffer);
    assert.equal(p.bytes.byteOffset + p.bytes.length, p.range.end);
    assert.deepStrictEqual([...p.bytes.subarray(0, 8)], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  }
  assert.equal(m.range.start, 8);
  assert.equal(m.bytes.byteOffset, m.range.start + 3, "id + 2-byte LEB128 size");

  assert.deepStrictEqual(
    { ...empty, range: undefined, bytes: undefined },
    {
      kind: "module",
      range: undefined,
      bytes: undefined,
      types: [],
      imports: [],
      exports: [],
      funcs: [],
      tables: [],
      memories: [],
      globals: [],
      tags: [],
    },
  );
  assert.equal("start" in empty, false);
});

Deno.test("parseBytes() decodes core instances: instantiate and from exports", async () => {
  const { payloads } = await load("section_core_instance.wat");
  assert.deepStrictEqual(kinds(payloads), [
    "component-begin",
    "module",
    "module",
    "core-instance",
    "alias",
    "core-instance",
    "custom:component-name",
    "component-end",
    "end",
  ]);
  assert.deepStrictEqual(items(payloads, "core-instance"), [
    { kind: "instantiate", module: 0, args: [] },
    {
      kind: "from-exports",
      exports: [
        { name: "f", sort: "func", index: 0 },
        { name: "t", sort: "table", index: 0 },
        { name: "m", sort: "memory", index: 0 },
        { name: "g", sort: "global", index: 0 },
      ],
    },
    {
      kind: "instantiate",
      module: 1,
      args: [{ name: "lib", instance: 0 }, { name: "other", instance: 1 }],
    },
    { kind: "from-exports", exports: [] },
  ]);
  // The encoder aliases the exports `(export "f" (func $a "f"))` names.
  assert.deepStrictEqual(
    items(payloads, "alias").map((a) => a.kind === "outer" ? a : [a.sort, a.instance, a.name]),
    [["core-func", 0, "f"], ["core-table", 0, "t"], ["core-memory", 0, "m"], [
      "core-global",
      0,
      "g",
    ]],
  );
});

Deno.test("parseBytes() decodes core types: func, rec, sub, struct, array and module", async () => {
  const { payloads } = await load("section_core_type.wat");
  assert.deepStrictEqual(kinds(payloads), [
    "component-begin",
    "core-type",
    "custom:component-name",
    "component-end",
    "end",
  ]);
  const plain = (type: unknown, final = true, supertypes: number[] = []) => ({
    kind: "rec",
    explicit: false,
    types: [{ final, supertypes, type }],
  });
  const func = (params: string[], results: string[]) => ({ kind: "func", params, results });
  assert.deepStrictEqual(items(payloads, "core-type"), [
    plain(func(["i32", "f64"], ["i64"])),
    plain(func([], [])),
    {
      kind: "rec",
      explicit: true,
      types: [
        { final: true, supertypes: [], type: func(["v128"], []) },
        { final: true, supertypes: [], type: func([], ["f32"]) },
        // a non-final sub inside a rec group is a plain 0x50
        { final: false, supertypes: [], type: func([], []) },
        { final: false, supertypes: [4], type: func(["i32"], []) },
      ],
    },
    // `(sub (func))`: non-final, written 0x00 0x50 in a component
    plain(func([], []), false),
    plain(func([], []), true, [6]),
    plain({
      kind: "struct",
      fields: [{ type: "i8", mutable: false }, { type: "i64", mutable: true }],
    }),
    plain({ kind: "array", element: { type: "i16", mutable: true } }),
    {
      kind: "module",
      decls: [
        { kind: "type", type: plain(func(["i32"], [])) },
        { kind: "alias", count: 1, index: 0 },
        { kind: "import", import: { module: "env", name: "f", type: { kind: "func", type: 0 } } },
        { kind: "import", import: { module: "env", name: "g", type: { kind: "func", type: 1 } } },
        {
          kind: "import",
          import: {
            module: "env",
            name: "mem",
            type: { kind: "memory", min: 1n, max: 2n, memory64: false, shared: false },
          },
        },
        { kind: "export", name: "run", type: { kind: "func", type: 0 } },
        {
          kind: "export",
          name: "tab",
          type: {
            kind: "table",
            element: { kind: "ref", nullable: true, heap: "func" },
            min: 3n,
            table64: false,
            shared: false,
          },
        },
        {
          kind: "export",
          name: "glob",
          type: { kind: "global", type: "f32", mutable: true, shared: false },
        },
      ],
    },
  ]);
});

Deno.test("parseBytes() decodes nested components two levels deep", async () => {
  const { payloads } = await load("section_component_nested.wat");
  const shape = payloads.map((p) =>
    p.kind === "component-begin" || p.kind === "component-end"
      ? `${p.kind}@${p.depth}`
      : p.kind === "custom"
      ? `custom:${p.name}`
      : p.kind
  );
  assert.deepStrictEqual(shape, [
    "component-begin@0",
    "type",
    "component-begin@1", // $outer
    "type",
    "component-begin@2", // $inner
    "type",
    "import",
    "custom:component-name",
    "component-end@2",
    "component-begin@2", // $empty
    "custom:component-name",
    "component-end@2",
    "type",
    "custom:component-name",
    "component-end@1",
    "component-begin@1", // $sibling
    "module",
    "custom:component-name",
    "component-end@1",
    "type",
    "custom:component-name",
    "component-end@0",
    "end",
  ]);
  // Each nested begin's `end` is where its end payload sits.
  const begins = all(payloads, "component-begin");
  const ends = all(payloads, "component-end");
  for (const b of begins.slice(1)) {
    assert.ok(ends.some((e) => e.depth === b.depth && e.offset === b.end), `end of ${b.offset}`);
  }
  const prim = (type: string) => ({ kind: "defined", type: { kind: "primitive", type } });
  assert.deepStrictEqual(items(payloads, "type", 0), [prim("u32"), prim("s64")]);
  assert.deepStrictEqual(items(payloads, "type", 1), [prim("string"), prim("char")]);
  assert.deepStrictEqual(items(payloads, "type", 2), [
    prim("bool"),
    { kind: "func", async: false, params: [{ name: "a", type: 0 }] },
  ]);
  assert.deepStrictEqual(items(payloads, "import", 2), [
    { name: { name: "x" }, type: { kind: "func", type: 1 } },
  ]);
  // The nested component's names section names it.
  const names = all(payloads, "custom").map((c) => text(c.data));
  assert.ok(names[0].includes("inner") && names[1].includes("empty"));
});

Deno.test("parseBytes() decodes empty nested components ending together", async () => {
  const { bytes, payloads } = await load("section_component_empty.wat");
  assert.equal(bytes.length, 38);
  assert.deepStrictEqual(payloads, [
    { kind: "component-begin", depth: 0, offset: 0, end: null },
    // section header at 8 (id 4, size 8), preamble at 10
    { kind: "component-begin", depth: 1, offset: 10, end: 18 },
    { kind: "component-end", depth: 1, offset: 18 },
    { kind: "component-begin", depth: 1, offset: 20, end: 38 },
    { kind: "component-begin", depth: 2, offset: 30, end: 38 },
    { kind: "component-end", depth: 2, offset: 38 },
    { kind: "component-end", depth: 1, offset: 38 },
    { kind: "component-end", depth: 0, offset: 38 },
    { kind: "end", offset: 38 },
  ]);
});

Deno.test("parseBytes() decodes component instances: instantiate and from exports", async () => {
  const { payloads } = await load("section_instance.wat");
  assert.deepStrictEqual(items(payloads, "instance"), [
    { kind: "instantiate", component: 0, args: [] },
    {
      kind: "instantiate",
      component: 1,
      args: [
        { name: "f", sort: "func", index: 0 },
        { name: "i", sort: "instance", index: 0 },
        { name: "c", sort: "component", index: 0 },
        { name: "t", sort: "type", index: 2 },
        { name: "m", sort: "core-module", index: 0 },
      ],
    },
    {
      kind: "from-exports",
      exports: [
        { name: { name: "f" }, sort: "func", index: 0 },
        { name: { name: "i" }, sort: "instance", index: 1 },
        { name: { name: "t" }, sort: "type", index: 2 },
      ],
    },
    { kind: "from-exports", exports: [] },
  ]);
  // The imports of $needs, each of one kind.
  assert.deepStrictEqual(items(payloads, "import", 1).map((i) => [i.name.name, i.type]), [
    ["f", { kind: "func", type: 0 }],
    ["i", { kind: "instance", type: 1 }],
    ["c", { kind: "component", type: 2 }],
    ["t", { kind: "type", bound: { kind: "eq", type: 0 } }],
    ["m", { kind: "module", type: 0 }],
  ]);
});

Deno.test("parseBytes() decodes aliases: instance, core instance and outer", async () => {
  const { payloads } = await load("section_alias.wat");
  assert.deepStrictEqual(items(payloads, "alias"), [
    { kind: "instance-export", sort: "func", instance: 0, name: "f" },
    { kind: "instance-export", sort: "component", instance: 0, name: "c" },
    { kind: "instance-export", sort: "instance", instance: 0, name: "inst" },
    { kind: "instance-export", sort: "core-module", instance: 0, name: "mod" },
    { kind: "instance-export", sort: "type", instance: 0, name: "t" },
    { kind: "core-instance-export", sort: "core-func", instance: 0, name: "cf" },
    { kind: "core-instance-export", sort: "core-table", instance: 0, name: "ct" },
    { kind: "core-instance-export", sort: "core-memory", instance: 0, name: "cm" },
    { kind: "core-instance-export", sort: "core-global", instance: 0, name: "cg" },
  ]);
  assert.deepStrictEqual(items(payloads, "alias", 1), [
    // type 2: after the instance type and the aliased "t"
    { kind: "outer", sort: "type", count: 1, index: 2 },
    // module 1: after the aliased "mod"
    { kind: "outer", sort: "core-module", count: 1, index: 1 },
    { kind: "outer", sort: "core-type", count: 1, index: 0 },
    { kind: "outer", sort: "component", count: 1, index: 0 },
  ]);
  assert.deepStrictEqual(items(payloads, "import"), [
    { name: { name: "i" }, type: { kind: "instance", type: 0 } },
  ]);
  assert.deepStrictEqual(items(payloads, "core-instance"), [
    { kind: "instantiate", module: 1, args: [] },
  ]);
});

Deno.test("parseBytes() decodes canon lift, lower and the resource built-ins", async () => {
  const { payloads } = await load("section_canon.wat");
  assert.deepStrictEqual(items(payloads, "canon"), [
    { kind: "lift", coreFunc: 0, options: {}, type: 2 },
    {
      kind: "lift",
      coreFunc: 1,
      options: { memory: 0, realloc: 2, postReturn: 3, stringEncoding: "utf8" },
      type: 3,
    },
    {
      kind: "lift",
      coreFunc: 4,
      options: { stringEncoding: "utf16", memory: 1, realloc: 5 },
      type: 4,
    },
    {
      kind: "lift",
      coreFunc: 6,
      options: { stringEncoding: "latin1+utf16", memory: 2, realloc: 7 },
      type: 5,
    },
    { kind: "lower", func: 0, options: { memory: 3, stringEncoding: "utf16" } },
    { kind: "lower", func: 1, options: {} },
    { kind: "resource.new", type: 1 },
    { kind: "resource.drop", type: 1 },
    { kind: "resource.rep", type: 1 },
  ]);
  // Absent options are absent, not `undefined`.
  const [bare] = items(payloads, "canon");
  assert.equal(bare.kind, "lift");
  if (bare.kind === "lift") assert.deepStrictEqual(Object.keys(bare.options), []);
  assert.deepStrictEqual(items(payloads, "type").slice(0, 3), [
    { kind: "func", async: false, params: [{ name: "msg", type: "string" }] },
    { kind: "resource", rep: "i32" },
    { kind: "func", async: false, params: [] },
  ]);
});

Deno.test("parseBytes() decodes async canon built-ins and options", async () => {
  const { payloads } = await load("section_canon_async.wat");
  assert.deepStrictEqual(items(payloads, "canon"), [
    { kind: "lift", coreFunc: 0, options: { async: true, callback: 1 }, type: 4 },
    { kind: "lower", func: 0, options: { async: true, memory: 0 } },
    { kind: "task.return", result: "u32", options: {} },
    { kind: "task.return", options: { memory: 1, stringEncoding: "utf16" } },
    { kind: "context.get", type: "i32", index: 0 },
    { kind: "context.set", type: "i32", index: 0 },
    { kind: "backpressure.inc" },
    { kind: "backpressure.dec" },
    { kind: "subtask.drop" },
    { kind: "subtask.cancel", async: true },
    { kind: "stream.new", type: 1 },
    { kind: "stream.read", type: 1, options: { async: true, memory: 2 } },
    { kind: "stream.write", type: 1, options: { memory: 3 } },
    { kind: "stream.cancel-read", type: 1, async: true },
    { kind: "stream.cancel-write", type: 1, async: false },
    { kind: "stream.drop-readable", type: 1 },
    { kind: "stream.drop-writable", type: 1 },
    { kind: "future.new", type: 2 },
    // realloc is core func 19: 2 aliases and 17 canon core funcs come before it
    { kind: "future.read", type: 2, options: { memory: 4, realloc: 19 } },
    { kind: "future.drop-readable", type: 2 },
    { kind: "error-context.new", options: { memory: 5 } },
    { kind: "error-context.drop" },
    { kind: "waitable-set.new" },
    { kind: "waitable-set.wait", cancellable: false, memory: 6 },
    { kind: "waitable-set.poll", cancellable: false, memory: 7 },
    { kind: "waitable-set.drop" },
    { kind: "waitable.join" },
    { kind: "thread.yield", cancellable: false },
  ]);
  assert.deepStrictEqual(items(payloads, "type").slice(1), [
    { kind: "defined", type: { kind: "stream", element: "u8" } },
    { kind: "defined", type: { kind: "future", element: "string" } },
    { kind: "defined", type: { kind: "stream" } },
    { kind: "func", async: false, params: [{ name: "x", type: "u32" }], result: "u32" },
  ]);
});

Deno.test("parseBytes() decodes start sections with args and results", async () => {
  const { payloads } = await load("section_start.wat");
  const starts = all(payloads, "start");
  assert.deepStrictEqual(starts.map((s) => s.start), [
    { func: 0, args: [], results: 0 },
    { func: 1, args: [], results: 1 },
    { func: 2, args: [0, 0], results: 1 },
  ]);
  // id, size, func, vec(args), results
  assert.deepStrictEqual(starts.map((s) => s.range.end - s.range.start), [5, 5, 7]);
  assert.deepStrictEqual(items(payloads, "export"), [
    { name: { name: "s" }, sort: "value", index: 1 },
  ]);
});

Deno.test("parseBytes() decodes imports of every kind", async () => {
  const { payloads } = await load("section_import.wat");
  assert.deepStrictEqual(items(payloads, "import"), [
    { name: { name: "point" }, type: { kind: "type", bound: { kind: "eq", type: 0 } } },
    { name: { name: "res" }, type: { kind: "type", bound: { kind: "sub-resource" } } },
    { name: { name: "f" }, type: { kind: "func", type: 4 } },
    { name: { name: "wasi:cli/environment@0.2.0" }, type: { kind: "instance", type: 5 } },
    { name: { name: "by-index" }, type: { kind: "instance", type: 6 } },
    { name: { name: "comp" }, type: { kind: "component", type: 7 } },
    { name: { name: "mod" }, type: { kind: "module", type: 0 } },
  ]);
  // The inline types the encoder hoisted out of the imports (type index
  // space: 0 record, 1 "point", 2 "res", 3 borrow, 4 func, 5-6 instance, 7 component).
  const types = items(payloads, "type");
  assert.equal(types.length, 6);
  assert.deepStrictEqual(types[1], { kind: "defined", type: { kind: "borrow", type: 2 } });
  assert.deepStrictEqual(types[2], {
    kind: "func",
    async: false,
    params: [{ name: "r", type: 3 }],
    result: 1,
  });
  assert.deepStrictEqual(types[5], {
    kind: "component",
    decls: [
      { kind: "type", type: { kind: "func", async: false, params: [] } },
      { kind: "import", name: { name: "x" }, type: { kind: "func", type: 0 } },
      { kind: "type", type: { kind: "func", async: false, params: [] } },
      { kind: "export", name: { name: "y" }, type: { kind: "func", type: 1 } },
    ],
  });
  assert.deepStrictEqual(items(payloads, "core-type"), [
    {
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
              type: { kind: "func", params: ["i32"], results: [] },
            }],
          },
        },
        { kind: "import", import: { module: "a", name: "b", type: { kind: "func", type: 0 } } },
        {
          kind: "export",
          name: "c",
          type: { kind: "memory", min: 1n, memory64: false, shared: false },
        },
      ],
    },
  ]);
});

Deno.test("parseBytes() decodes exports with and without an ascribed type", async () => {
  const { payloads } = await load("section_export.wat");
  assert.deepStrictEqual(items(payloads, "export"), [
    { name: { name: "point" }, sort: "type", index: 0 },
    { name: { name: "f" }, sort: "func", index: 0 },
    { name: { name: "f-typed" }, sort: "func", index: 0, type: { kind: "func", type: 5 } },
    {
      name: { name: "r" },
      sort: "type",
      index: 1,
      type: { kind: "type", bound: { kind: "sub-resource" } },
    },
    {
      name: { name: "point-eq" },
      sort: "type",
      index: 0,
      type: { kind: "type", bound: { kind: "eq", type: 0 } },
    },
    { name: { name: "wasi:example/iface@1.2.3" }, sort: "instance", index: 0 },
    { name: { name: "c" }, sort: "component", index: 0 },
    { name: { name: "m" }, sort: "core-module", index: 0 },
  ]);
  // No `type` key at all when none is ascribed.
  assert.equal("type" in items(payloads, "export")[0], false);
  // The ascribed func type names the exported type (index 4, from the first export).
  assert.deepStrictEqual(items(payloads, "type").at(-1), {
    kind: "func",
    async: false,
    params: [{ name: "p", type: 4 }],
  });
});

Deno.test("parseBytes() decodes extern name attributes", async () => {
  const { payloads } = await load("section_names.wat");
  assert.deepStrictEqual(items(payloads, "import").map((i) => i.name), [
    { name: "a:b/plain" },
    { name: "a:b/versioned@1.0.0", versionSuffix: ".2" },
    { name: "impl", implements: "a:b/iface" },
    { name: "both", implements: "a:b/other", externalId: "ext-1" },
  ]);
  assert.deepStrictEqual(items(payloads, "export"), [
    { name: { name: "out", versionSuffix: ".7" }, sort: "instance", index: 0 },
    { name: { name: "out-impl", implements: "a:b/iface" }, sort: "instance", index: 2 },
  ]);
  assert.deepStrictEqual(items(payloads, "type").at(-1), {
    kind: "instance",
    decls: [
      { kind: "type", type: { kind: "func", async: false, params: [] } },
      {
        kind: "export",
        name: { name: "inner", externalId: "ext-2" },
        type: { kind: "func", type: 0 },
      },
    ],
  });
});
