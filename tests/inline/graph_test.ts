/**
 * The inliner against the inline_*.wat fixtures: the exact graph each one
 * flattens to (component instances and their parents, static modules and
 * their core instances, adapters with both sides' options, lowerings with
 * their import paths, resources, exports), that `inline()` emits the same
 * events however its input is chunked, and the ordering guarantees of the
 * event stream: consecutive ids, references only to what came before, and
 * adapters in the order of the `canon lower` items that create them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type InterfaceType, parse, parseBytes, type Payload, type TypeFunc } from "../../mod.ts";
import {
  type AdapterOptions,
  type ComponentDfg,
  type CoreDef,
  countDfg,
  DfgCollector,
  type DfgEvent,
  type ExportItem,
  type ExportNode,
  type ImportPath,
  inline,
  inlinePayloads,
} from "../../lib/inline/mod.ts";
import {
  type AnyType,
  type ExternDesc,
  type TypeResource,
  typeToString,
} from "../../lib/types/mod.ts";
import { fixture, fixtureNames, wat } from "../_wat.ts";

// ---------------------------------------------------------------------------
// Helpers: compact, exact views of the graph's nodes

/** Flatten a fixture with the synchronous inliner. */
async function load(name: string): Promise<ComponentDfg> {
  return inlinePayloads(parseBytes(await fixture(name)));
}

/** `{kind: "export", instance, name}`: a core instance's export. */
function ex(instance: number, name: string): CoreDef {
  return { kind: "export", instance, name };
}

/** Canonical options as the inliner resolves them: absent options are absent keys. */
function opts(
  instance: number,
  more: Partial<Omit<AdapterOptions, "instance">> = {},
): AdapterOptions {
  return { instance, stringEncoding: "utf8", memory64: false, ...more };
}

function path(imp: number, ...names: string[]): ImportPath {
  return { import: imp, names };
}

/** Each component instance's parent (`undefined` for the root). */
function parents(dfg: ComponentDfg): (number | undefined)[] {
  return dfg.componentInstances.map((c) => c.parent);
}

/** Export names of every static module: which module is which. */
function moduleExports(dfg: ComponentDfg): string[][] {
  return dfg.modules.map((m) => m.exports.map((e) => e.name));
}

type InstanceShape = {
  ci: number;
  module: number | ImportPath;
  args: readonly CoreDef[] | ReadonlyMap<string, ReadonlyMap<string, CoreDef>>;
};

/** A core instance: its component instance, static module id (or import path), arguments. */
function instances(dfg: ComponentDfg): InstanceShape[] {
  return dfg.instances.map((i) => ({
    ci: i.componentInstance,
    module: i.module.kind === "static" ? i.module.id : i.module.path,
    args: i.args,
  }));
}

/** An adapter with its types printed. */
function adapters(dfg: ComponentDfg) {
  return dfg.adapters.map((a) => ({
    liftType: typeToString(a.liftType),
    liftOptions: a.liftOptions,
    lowerType: typeToString(a.lowerType),
    lowerOptions: a.lowerOptions,
    func: a.func,
    alwaysTrap: a.alwaysTrap,
  }));
}

/** A lowering with its type printed. */
function lowerings(dfg: ComponentDfg) {
  return dfg.lowerings.map((l) => ({
    import: l.import,
    type: typeToString(l.type),
    options: l.options,
  }));
}

/** A described type, printed (`core module` for modules). */
function describedType(d: ExternDesc): string {
  return d.kind === "module" ? "core module" : `${d.kind} ${typeToString(d.type as AnyType)}`;
}

type ExportShape = { name: string; kind: ExportItem["kind"]; [k: string]: unknown };

/** An export, recursively, with types printed. */
function exportShape(e: ExportNode): ExportShape {
  const i = e.item;
  switch (i.kind) {
    case "lifted":
      return {
        name: e.name,
        kind: i.kind,
        type: typeToString(i.type),
        func: i.func,
        options: i.options,
      };
    case "func-import":
      return { name: e.name, kind: i.kind, path: i.path, type: typeToString(i.type) };
    case "instance":
      return { name: e.name, kind: i.kind, exports: i.exports.map(exportShape) };
    case "instance-import":
      return { name: e.name, kind: i.kind, path: i.path, type: describedType(i.type) };
    case "module":
      return { name: e.name, kind: i.kind, module: i.module };
    case "module-import":
      return { name: e.name, kind: i.kind, path: i.path };
    case "type":
      return { name: e.name, kind: i.kind, type: describedType(i.type) };
    case "component":
      return { name: e.name, kind: i.kind };
  }
}

function exports(dfg: ComponentDfg): ExportShape[] {
  return dfg.exports.map(exportShape);
}

/** Each memory node as [core instance, export name] (all 32-bit here). */
function memories(dfg: ComponentDfg): [number, string][] {
  return dfg.memories.map((m) => {
    assert.equal(m.memory64, false);
    return [m.export.instance, m.export.name];
  });
}

/** Every static module's bytes are valid core wasm. */
function assertValidModules(dfg: ComponentDfg): void {
  for (const m of dfg.modules) {
    assert.ok(WebAssembly.validate(m.bytes as BufferSource), "a module is not valid wasm");
  }
}

/** The lift and lower types of an adapter are the same function type, printed. */
function funcOf(dfg: ComponentDfg, adapter: number): TypeFunc {
  const a = dfg.adapters[adapter];
  assert.equal(typeToString(a.liftType), typeToString(a.lowerType));
  return a.lowerType;
}

// ---------------------------------------------------------------------------
// The fixtures, one by one

Deno.test("inline_two_fused: two siblings, one adapter with options on both sides", async () => {
  const dfg = await load("inline_two_fused.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 3,
    modules: 3,
    instances: 3,
    adapters: 1,
    alwaysTraps: 0,
    lowerings: 0,
    resources: 0,
    imports: 0,
    exports: 1,
  });
  // root, $greeter, $visitor: both children of the root
  assert.deepStrictEqual(parents(dfg), [undefined, 0, 0]);
  assert.deepStrictEqual(moduleExports(dfg), [
    ["mem", "cabi_realloc", "greet", "cabi_post_greet"],
    ["memory", "realloc"],
    ["visit"],
  ]);
  assert.deepStrictEqual(
    dfg.modules[2].imports.map((i) => [i.module, i.name, i.type.kind]),
    [["libc", "memory", "memory"], ["env", "greet", "func"]],
  );
  assert.deepStrictEqual(instances(dfg), [
    { ci: 1, module: 0, args: [] },
    { ci: 2, module: 1, args: [] },
    // positional: one per import of $main, in its import order
    { ci: 2, module: 2, args: [ex(1, "memory"), { kind: "adapter", id: 0 }] },
  ]);
  assert.deepStrictEqual(memories(dfg), [[0, "mem"], [1, "memory"]]);
  assert.deepStrictEqual(dfg.reallocs, [ex(0, "cabi_realloc"), ex(1, "realloc")]);
  assert.deepStrictEqual(dfg.postReturns, [ex(0, "cabi_post_greet")]);
  assert.deepStrictEqual(adapters(dfg), [{
    liftType: "func(name: string) -> string",
    liftOptions: opts(1, { memory: 0, realloc: 0, postReturn: 0 }),
    lowerType: "func(name: string) -> string",
    lowerOptions: opts(2, { stringEncoding: "utf16", memory: 1, realloc: 1 }),
    func: ex(0, "greet"),
    alwaysTrap: false,
  }]);
  assert.deepStrictEqual(dfg.lowerings, []);
  assert.deepStrictEqual(dfg.imports, []);
  assert.deepStrictEqual(exports(dfg), [{
    name: "visit",
    kind: "lifted",
    type: "func() -> string",
    func: ex(2, "visit"),
    options: opts(2, { stringEncoding: "utf16", memory: 1, realloc: 1 }),
  }]);
});

Deno.test("inline_chain_three: A <- B <- C gives two adapters, B on both ends", async () => {
  const dfg = await load("inline_chain_three.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 4,
    modules: 5,
    instances: 5,
    adapters: 2,
    alwaysTraps: 0,
    lowerings: 0,
    resources: 0,
    imports: 0,
    exports: 1,
  });
  assert.deepStrictEqual(parents(dfg), [undefined, 0, 0, 0]);
  assert.deepStrictEqual(moduleExports(dfg), [
    ["mem", "realloc", "len"], // $a
    ["mem", "realloc"], // $b-mem
    ["twice"], // $b
    ["mem"], // $c-mem
    ["run"], // $c
  ]);
  assert.deepStrictEqual(instances(dfg), [
    { ci: 1, module: 0, args: [] },
    { ci: 2, module: 1, args: [] },
    { ci: 2, module: 2, args: [{ kind: "adapter", id: 0 }] },
    { ci: 3, module: 3, args: [] },
    { ci: 3, module: 4, args: [{ kind: "adapter", id: 1 }] },
  ]);
  // B's lower and B's lift name the same memory: one memory node
  assert.deepStrictEqual(memories(dfg), [[0, "mem"], [1, "mem"], [3, "mem"]]);
  assert.deepStrictEqual(dfg.reallocs, [ex(0, "realloc"), ex(1, "realloc")]);
  assert.deepStrictEqual(adapters(dfg), [
    {
      liftType: "func(s: string) -> u32",
      liftOptions: opts(1, { memory: 0, realloc: 0 }), // lifted in A
      lowerType: "func(s: string) -> u32",
      lowerOptions: opts(2, { memory: 1 }), // lowered in B
      func: ex(0, "len"),
      alwaysTrap: false,
    },
    {
      liftType: "func(s: string) -> u32",
      liftOptions: opts(2, { memory: 1, realloc: 1 }), // lifted in B
      lowerType: "func(s: string) -> u32",
      lowerOptions: opts(3, { stringEncoding: "latin1+utf16", memory: 2 }), // lowered in C
      func: ex(2, "twice"),
      alwaysTrap: false,
    },
  ]);
  assert.deepStrictEqual(exports(dfg), [
    { name: "run", kind: "lifted", type: "func() -> u32", func: ex(4, "run"), options: opts(3) },
  ]);
});

Deno.test("inline_nested_deep: a grandchild's export, re-exported, lowered by a cousin", async () => {
  const dfg = await load("inline_nested_deep.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 4,
    modules: 3,
    instances: 3,
    adapters: 1,
    alwaysTraps: 0,
    lowerings: 0,
    resources: 0,
    imports: 0,
    exports: 1,
  });
  // root, $outer (child of root), $inner (child of $outer), $user (child of root)
  assert.deepStrictEqual(parents(dfg), [undefined, 0, 1, 0]);
  assert.deepStrictEqual(moduleExports(dfg), [["memory", "realloc", "hash"], ["mem"], [
    "check",
  ]]);
  assert.deepStrictEqual(instances(dfg), [
    { ci: 2, module: 0, args: [] },
    { ci: 3, module: 1, args: [] },
    { ci: 3, module: 2, args: [{ kind: "adapter", id: 0 }] },
  ]);
  assert.deepStrictEqual(memories(dfg), [[0, "memory"], [1, "mem"]]);
  assert.deepStrictEqual(dfg.reallocs, [ex(0, "realloc")]);
  assert.deepStrictEqual(adapters(dfg), [{
    liftType: "func(data: list<u8>) -> u64",
    liftOptions: opts(2, { memory: 0, realloc: 0 }),
    lowerType: "func(data: list<u8>) -> u64",
    lowerOptions: opts(3, { memory: 1 }),
    func: ex(0, "hash"),
    alwaysTrap: false,
  }]);
  assert.deepStrictEqual(exports(dfg), [
    {
      name: "check",
      kind: "lifted",
      type: "func() -> u64",
      func: ex(2, "check"),
      options: opts(3),
    },
  ]);
});

Deno.test("inline_instantiated_twice: one definition, two instances, modules compiled once", async () => {
  const dfg = await load("inline_instantiated_twice.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 4,
    modules: 4,
    instances: 6,
    adapters: 2,
    alwaysTraps: 0,
    lowerings: 2,
    resources: 0,
    imports: 1,
    exports: 1,
  });
  assert.deepStrictEqual(parents(dfg), [undefined, 0, 0, 0]);
  // $counter's two modules once each, though $counter is instantiated twice
  assert.deepStrictEqual(moduleExports(dfg), [["mem", "realloc"], ["next"], ["mem"], ["sum"]]);
  assert.deepStrictEqual(instances(dfg), [
    { ci: 1, module: 0, args: [] },
    { ci: 1, module: 1, args: [ex(0, "mem"), { kind: "lowered", id: 0 }] },
    { ci: 2, module: 0, args: [] },
    { ci: 2, module: 1, args: [ex(2, "mem"), { kind: "lowered", id: 1 }] },
    { ci: 3, module: 2, args: [] },
    { ci: 3, module: 3, args: [{ kind: "adapter", id: 0 }, { kind: "adapter", id: 1 }] },
  ]);
  // the modules' bytes are shared by both instantiations: one static module each
  assert.equal(
    new Set(dfg.instances.map((i) => i.module.kind === "static" && i.module.id)).size,
    4,
  );
  assert.deepStrictEqual(memories(dfg), [[0, "mem"], [2, "mem"], [4, "mem"]]);
  assert.deepStrictEqual(dfg.reallocs, [ex(0, "realloc"), ex(2, "realloc")]);
  assert.deepStrictEqual(adapters(dfg), [
    {
      liftType: "func(label: string) -> u32",
      liftOptions: opts(1, { memory: 0, realloc: 0 }),
      lowerType: "func(label: string) -> u32",
      lowerOptions: opts(3, { memory: 2 }),
      func: ex(1, "next"),
      alwaysTrap: false,
    },
    {
      liftType: "func(label: string) -> u32",
      liftOptions: opts(2, { memory: 1, realloc: 1 }),
      lowerType: "func(label: string) -> u32",
      lowerOptions: opts(3, { memory: 2 }),
      func: ex(3, "next"),
      alwaysTrap: false,
    },
  ]);
  // one `canon lower` item of the host's `start`, inlined twice: two lowerings
  assert.deepStrictEqual(lowerings(dfg), [
    { import: path(0), type: "func() -> u32", options: opts(1) },
    { import: path(0), type: "func() -> u32", options: opts(2) },
  ]);
  assert.deepStrictEqual(dfg.imports.map((i) => [i.name, i.type.kind]), [["start", "func"]]);
  assert.deepStrictEqual(exports(dfg), [
    { name: "sum", kind: "lifted", type: "func() -> u32", func: ex(5, "sum"), options: opts(3) },
  ]);
});

Deno.test("inline_reexport: instance bags and aliases; identical lowers share one adapter", async () => {
  const dfg = await load("inline_reexport.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 3,
    modules: 3,
    instances: 3,
    adapters: 3,
    alwaysTraps: 0,
    lowerings: 0,
    resources: 0,
    imports: 0,
    exports: 1,
  });
  assert.deepStrictEqual(parents(dfg), [undefined, 0, 0]);
  assert.deepStrictEqual(moduleExports(dfg), [["mem", "realloc", "put", "size"], ["mem"], [
    "fill",
  ]]);
  const put = { kind: "adapter", id: 0 } as const;
  assert.deepStrictEqual(instances(dfg), [
    { ci: 1, module: 0, args: [] },
    { ci: 2, module: 1, args: [] },
    // store-a, store-b and nested.put: one adapter; store-16: another; size: a third
    {
      ci: 2,
      module: 2,
      args: [put, put, { kind: "adapter", id: 1 }, put, { kind: "adapter", id: 2 }],
    },
  ]);
  assert.deepStrictEqual(memories(dfg), [[0, "mem"], [1, "mem"]]);
  assert.deepStrictEqual(dfg.reallocs, [ex(0, "realloc")]);
  assert.deepStrictEqual(adapters(dfg), [
    {
      liftType: "func(value: string)",
      liftOptions: opts(1, { memory: 0, realloc: 0 }),
      lowerType: "func(value: string)",
      lowerOptions: opts(2, { memory: 1 }),
      func: ex(0, "put"),
      alwaysTrap: false,
    },
    {
      liftType: "func(value: string)",
      liftOptions: opts(1, { memory: 0, realloc: 0 }),
      lowerType: "func(value: string)",
      lowerOptions: opts(2, { stringEncoding: "utf16", memory: 1 }),
      func: ex(0, "put"),
      alwaysTrap: false,
    },
    {
      liftType: "func() -> u32",
      liftOptions: opts(1),
      lowerType: "func() -> u32",
      lowerOptions: opts(2),
      func: ex(0, "size"),
      alwaysTrap: false,
    },
  ]);
  assert.deepStrictEqual(exports(dfg), [
    { name: "fill", kind: "lifted", type: "func() -> u32", func: ex(2, "fill"), options: opts(2) },
  ]);
});

Deno.test("inline_host_lowering: host imports are lowerings, with their import paths", async () => {
  const dfg = await load("inline_host_lowering.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 4,
    modules: 6,
    instances: 6,
    adapters: 0,
    alwaysTraps: 0,
    lowerings: 4,
    resources: 0,
    imports: 3,
    exports: 1,
  });
  // root, $app, $relay (no core instances), $app2
  assert.deepStrictEqual(parents(dfg), [undefined, 0, 0, 0]);
  // static modules in the order they appear in the binary, nested ones included
  assert.deepStrictEqual(moduleExports(dfg), [["mem"], ["start"], ["mem"], [], ["mem"], []]);
  assert.deepStrictEqual(instances(dfg), [
    { ci: 1, module: 0, args: [] },
    {
      ci: 1,
      module: 1,
      args: [ex(0, "mem"), { kind: "lowered", id: 0 }, { kind: "lowered", id: 1 }],
    },
    { ci: 0, module: 4, args: [] },
    { ci: 0, module: 5, args: [{ kind: "lowered", id: 2 }] },
    { ci: 3, module: 2, args: [] },
    { ci: 3, module: 3, args: [{ kind: "lowered", id: 3 }] },
  ]);
  assert.deepStrictEqual(memories(dfg), [[0, "mem"], [2, "mem"], [4, "mem"]]);
  assert.deepStrictEqual(dfg.reallocs, []);
  assert.deepStrictEqual(dfg.adapters, []);
  assert.deepStrictEqual(lowerings(dfg), [
    { import: path(0), type: "func(msg: string)", options: opts(1, { memory: 0 }) },
    { import: path(1, "now"), type: "func() -> u64", options: opts(1) },
    {
      import: path(2, "dir", "open"),
      type: "func(path: string) -> u32",
      options: opts(0, { stringEncoding: "utf16", memory: 1 }),
    },
    // $relay's re-export of `log` is still the host's `log`
    { import: path(0), type: "func(msg: string)", options: opts(3, { memory: 2 }) },
  ]);
  assert.deepStrictEqual(dfg.imports.map((i) => [i.name, i.type.kind]), [
    ["log", "func"],
    ["host:io/clock", "instance"],
    ["host:io/fs", "instance"],
  ]);
  assert.deepStrictEqual(exports(dfg), [
    {
      name: "start",
      kind: "lifted",
      type: "func() -> u64",
      func: ex(1, "start"),
      options: opts(1),
    },
  ]);
});

Deno.test("inline_always_trap: lowers into the same, an ancestor or a descendant instance", async () => {
  const dfg = await load("inline_always_trap.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 4,
    modules: 5,
    instances: 5,
    adapters: 1,
    alwaysTraps: 4,
    lowerings: 0,
    resources: 0,
    imports: 0,
    exports: 1,
  });
  // root, $child, $grandchild (child of $child), $cousin
  assert.deepStrictEqual(parents(dfg), [undefined, 0, 1, 0]);
  assert.deepStrictEqual(moduleExports(dfg), [["ping"], ["deep"], ["pong"], [], []]);
  assert.deepStrictEqual(instances(dfg), [
    { ci: 0, module: 0, args: [] },
    { ci: 2, module: 1, args: [] },
    { ci: 1, module: 2, args: [{ kind: "adapter", id: 0 }] },
    {
      ci: 0,
      module: 4,
      args: [{ kind: "adapter", id: 1 }, { kind: "adapter", id: 2 }, { kind: "adapter", id: 3 }],
    },
    { ci: 3, module: 3, args: [{ kind: "adapter", id: 4 }] },
  ]);
  const u32 = "func() -> u32";
  const deep = "func(x: u32) -> u32";
  assert.deepStrictEqual(adapters(dfg), [
    // $child lowers the root's `ping`: child lowers parent
    {
      liftType: u32,
      liftOptions: opts(0),
      lowerType: u32,
      lowerOptions: opts(1),
      func: ex(0, "ping"),
      alwaysTrap: true,
    },
    // the root lowers its own `ping`: same instance (not interned with the
    // previous one: the lowering instance differs)
    {
      liftType: u32,
      liftOptions: opts(0),
      lowerType: u32,
      lowerOptions: opts(0),
      func: ex(0, "ping"),
      alwaysTrap: true,
    },
    // the root lowers $child's `pong`: parent lowers child
    {
      liftType: u32,
      liftOptions: opts(1),
      lowerType: u32,
      lowerOptions: opts(0),
      func: ex(2, "pong"),
      alwaysTrap: true,
    },
    // the root lowers $grandchild's `deep`: grandparent lowers grandchild
    {
      liftType: deep,
      liftOptions: opts(2),
      lowerType: deep,
      lowerOptions: opts(0),
      func: ex(1, "deep"),
      alwaysTrap: true,
    },
    // $cousin lowers `deep`: neither is an ancestor of the other
    {
      liftType: deep,
      liftOptions: opts(2),
      lowerType: deep,
      lowerOptions: opts(3),
      func: ex(1, "deep"),
      alwaysTrap: false,
    },
  ]);
  assert.deepStrictEqual(exports(dfg), [
    { name: "ping", kind: "lifted", type: u32, func: ex(0, "ping"), options: opts(0) },
  ]);
});

Deno.test("inline_outer_alias: outer aliases of types and of a core module", async () => {
  const dfg = await load("inline_outer_alias.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 4,
    modules: 4,
    instances: 6,
    adapters: 1,
    alwaysTraps: 0,
    lowerings: 0,
    resources: 0,
    imports: 0,
    exports: 1,
  });
  // root, $mirror, $deeper (child of $mirror), $user
  assert.deepStrictEqual(parents(dfg), [undefined, 0, 1, 0]);
  assert.deepStrictEqual(moduleExports(dfg), [["mem", "realloc"], ["flip"], ["origin"], []]);
  // the root's $shared, aliased one and two levels down: one static module, three instances
  assert.deepStrictEqual(instances(dfg), [
    { ci: 1, module: 0, args: [] },
    { ci: 1, module: 1, args: [ex(0, "mem")] },
    { ci: 2, module: 0, args: [] },
    { ci: 2, module: 2, args: [ex(2, "mem")] },
    { ci: 3, module: 0, args: [] },
    { ci: 3, module: 3, args: [{ kind: "adapter", id: 0 }] },
  ]);
  assert.deepStrictEqual(memories(dfg), [[0, "mem"], [2, "mem"], [4, "mem"]]);
  assert.deepStrictEqual(dfg.reallocs, [ex(4, "realloc")]);
  const point = "record { x: s32, y: s32 }";
  assert.deepStrictEqual(adapters(dfg), [{
    liftType: `func(p: ${point}) -> ${point}`,
    liftOptions: opts(1, { memory: 0 }),
    lowerType: `func(p: ${point}) -> ${point}`,
    lowerOptions: opts(3, { memory: 2, realloc: 0 }),
    func: ex(1, "flip"),
    alwaysTrap: false,
  }]);
  assert.deepStrictEqual(exports(dfg), [{
    name: "origin",
    kind: "lifted",
    type: `func() -> ${point}`,
    func: ex(3, "origin"),
    options: opts(2, { memory: 1 }),
  }]);
  // `flip` (outer 1) and `origin` (outer 2) name the root's record itself
  const origin = dfg.exports[0].item;
  assert.ok(origin.kind === "lifted");
  assert.equal(funcOf(dfg, 0).params[0].type, origin.type.result);
});

Deno.test("inline_resources: a defined resource with a destructor, own and borrow", async () => {
  const dfg = await load("inline_resources.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 4,
    modules: 3,
    instances: 5,
    adapters: 2,
    alwaysTraps: 0,
    lowerings: 0,
    resources: 3,
    imports: 1,
    exports: 1,
  });
  // root, $owner, $client, $owner2
  assert.deepStrictEqual(parents(dfg), [undefined, 0, 0, 0]);
  assert.deepStrictEqual(moduleExports(dfg), [
    ["dropped", "dtor"],
    ["new", "get", "reset", "discard"],
    ["run"],
  ]);
  const res = (kind: "resource.new" | "resource.rep" | "resource.drop", resource: number) => ({
    kind,
    resource,
    instance: 1,
  });
  assert.deepStrictEqual(instances(dfg), [
    { ci: 1, module: 0, args: [] },
    {
      ci: 1,
      module: 1,
      args: [res("resource.new", 1), res("resource.rep", 1), res("resource.drop", 1)],
    },
    {
      ci: 2,
      module: 2,
      args: [
        // calls passing handles are fused adapters too (handles cross through the
        // runtime's transfer intrinsics)
        { kind: "adapter", id: 0 },
        { kind: "adapter", id: 1 },
        // $client drops $owner's counter and the root's imported blob
        { kind: "resource.drop", resource: 1, instance: 2 },
        { kind: "resource.drop", resource: 0, instance: 2 },
      ],
    },
    { ci: 3, module: 0, args: [] },
    {
      ci: 3,
      module: 1,
      args: [
        { kind: "resource.new", resource: 2, instance: 3 },
        { kind: "resource.rep", resource: 2, instance: 3 },
        { kind: "resource.drop", resource: 2, instance: 3 },
      ],
    },
  ]);
  // the imported `blob`, then one `counter` per instance of $owner
  const [blob, counter, counter2] = dfg.resources;
  assert.deepStrictEqual({ ...blob, type: blob.type.kind }, {
    type: "resource",
    import: path(0),
  });
  assert.notEqual(blob.type.origin, "defined");
  assert.deepStrictEqual({ ...counter, type: counter.type.kind }, {
    type: "resource",
    instance: 1,
    rep: "i32",
    dtor: ex(0, "dtor"),
  });
  assert.deepStrictEqual({ ...counter2, type: counter2.type.kind }, {
    type: "resource",
    instance: 3,
    rep: "i32",
    dtor: ex(3, "dtor"),
  });
  assert.equal(counter.type.origin, "defined");
  assert.notEqual(counter.type, counter2.type, "resource types are generative");
  assert.deepStrictEqual(adapters(dfg).map((a) => ({ ...a, liftType: "", lowerType: "" })), [
    {
      liftType: "",
      liftOptions: opts(1),
      lowerType: "",
      lowerOptions: opts(2),
      func: ex(1, "new"),
      alwaysTrap: false,
    },
    {
      liftType: "",
      liftOptions: opts(1),
      lowerType: "",
      lowerOptions: opts(2),
      func: ex(1, "get"),
      alwaysTrap: false,
    },
  ]);
  // own<counter> and borrow<counter> name the counter's resource node by identity
  const ctor = dfg.adapters[0];
  assert.deepStrictEqual(ctor.lowerType.params.map((p) => [p.name, p.type]), [["start", "u32"]]);
  assert.deepStrictEqual(ctor.liftType.result, { kind: "own", resource: counter.type });
  assert.equal((ctor.lowerType.result as { resource: TypeResource }).resource, counter.type);
  const get = dfg.adapters[1];
  assert.deepStrictEqual(get.lowerType.params, [{
    name: "self",
    type: { kind: "borrow", resource: counter.type },
  }]);
  assert.equal(get.lowerType.result, "u32");
  assert.deepStrictEqual(dfg.imports.map((i) => [i.name, i.type.kind]), [["blob", "type"]]);
  assert.deepStrictEqual(exports(dfg), [
    { name: "run", kind: "lifted", type: "func() -> u32", func: ex(2, "run"), options: opts(2) },
  ]);
});

Deno.test("inline_root_exports: every kind of root export", async () => {
  const dfg = await load("inline_root_exports.wat");
  assertValidModules(dfg);
  assert.deepStrictEqual(countDfg(dfg), {
    componentInstances: 2,
    modules: 2,
    instances: 3,
    adapters: 0,
    alwaysTraps: 0,
    lowerings: 0,
    resources: 0,
    imports: 3,
    exports: 8,
  });
  // root and $tools; $empty is never instantiated
  assert.deepStrictEqual(parents(dfg), [undefined, 0]);
  assert.deepStrictEqual(moduleExports(dfg), [["answer", "cleanup"], ["measure"]]);
  assert.deepStrictEqual(instances(dfg), [
    { ci: 0, module: 0, args: [] },
    // the imported module: arguments by module and name
    { ci: 0, module: path(2), args: new Map([["host", new Map([["answer", ex(0, "answer")]])]]) },
    { ci: 1, module: 1, args: [] },
  ]);
  assert.deepStrictEqual(dfg.postReturns, [ex(0, "cleanup")]);
  assert.deepStrictEqual(dfg.imports.map((i) => [i.name, i.type.kind]), [
    ["log", "func"],
    ["env", "instance"],
    ["plugin", "module"],
  ]);
  const answer = {
    name: "answer",
    kind: "lifted",
    type: "func() -> u32",
    func: ex(0, "answer"),
    options: opts(0, { postReturn: 0 }),
  };
  const log = { name: "log", kind: "func-import", path: path(0), type: "func(msg: string)" };
  assert.deepStrictEqual(exports(dfg), [
    { name: "size", kind: "type", type: "type enum { small, large }" },
    answer,
    {
      name: "tools",
      kind: "instance",
      exports: [
        {
          name: "measure",
          kind: "lifted",
          type: "func(big: bool) -> enum { small, large }",
          func: ex(2, "measure"),
          options: opts(1),
        },
        answer,
        { name: "logging", kind: "instance", exports: [log] },
      ],
    },
    { name: "code", kind: "module", module: 0 },
    log,
    {
      name: "env",
      kind: "instance-import",
      path: path(1),
      type: "instance instance { get }",
    },
    { name: "plugin", kind: "module-import", path: path(2) },
    { name: "empty", kind: "component" },
  ]);
});

// ---------------------------------------------------------------------------
// Every inline_* fixture: streaming and ordering

const names = (await fixtureNames()).filter((n) => n.startsWith("inline_"));

Deno.test("the ten inline_* fixtures above are all there", () => {
  for (
    const name of [
      "always_trap",
      "chain_three",
      "host_lowering",
      "instantiated_twice",
      "nested_deep",
      "outer_alias",
      "reexport",
      "resources",
      "root_exports",
      "two_fused",
    ]
  ) {
    assert.ok(names.includes(`inline_${name}.wat`), name);
  }
});

function oneByteChunks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(bytes.slice(i, i + 1));
  return out;
}

async function events(chunks: Uint8Array[]): Promise<DfgEvent[]> {
  return await Array.fromAsync(
    ReadableStream.from(chunks).pipeThrough(parse()).pipeThrough(inline()),
  );
}

Deno.test("inline() emits the same events for whole input and 1-byte chunks", async (t) => {
  for (const name of names) {
    await t.step(name, async () => {
      const bytes = await fixture(name);
      const whole = await events([bytes]);
      const bytewise = await events(oneByteChunks(bytes));
      assert.deepStrictEqual(bytewise, whole);
      // and the events rebuild the graph inlinePayloads() gives
      const collector = new DfgCollector();
      for (const e of bytewise) collector.add(e);
      assert.deepStrictEqual(collector.dfg, inlinePayloads(parseBytes(bytes)));
    });
  }
});

/** The event kinds, as `DfgEvent["kind"]`. */
type Kind = DfgEvent["kind"];

/** Checks that everything an event names was emitted before it. */
class Seen {
  readonly count = new Map<Kind, number>();
  /** Resource type objects already emitted as resource nodes. */
  readonly resourceTypes = new Set<TypeResource>();
  /** How many imports each static module has. */
  readonly moduleImports: number[] = [];

  has(kind: Kind, id: number, what: string): void {
    assert.ok(Number.isInteger(id) && id >= 0, `${what}: bad id ${id}`);
    assert.ok(id < (this.count.get(kind) ?? 0), `${what} names ${kind} ${id}, not emitted yet`);
  }

  def(d: CoreDef, what: string): void {
    switch (d.kind) {
      case "export":
        return this.has("instance", d.instance, what);
      case "adapter":
        return this.has("adapter", d.id, what);
      case "lowered":
        return this.has("lowering", d.id, what);
      case "instance-flags":
        return this.has("component-instance", d.instance, what);
      case "host-adapter":
        return this.has("adapter", d.id, what);
      case "builtin":
        return this.has("component-instance", d.instance, what);
      default:
        this.has("resource", d.resource, what);
        return this.has("component-instance", d.instance, what);
    }
  }

  options(o: AdapterOptions, what: string): void {
    this.has("component-instance", o.instance, `${what} options`);
    if (o.memory !== undefined) this.has("memory", o.memory, `${what} memory`);
    if (o.realloc !== undefined) this.has("realloc", o.realloc, `${what} realloc`);
    if (o.postReturn !== undefined) this.has("post-return", o.postReturn, `${what} post-return`);
  }

  path(p: ImportPath, what: string): void {
    this.has("import", p.import, what);
  }

  /** Resource types named by a function type were emitted as resource nodes. */
  func(t: TypeFunc, what: string): void {
    const visit = (u: InterfaceType): void => {
      if (typeof u === "string") return;
      switch (u.kind) {
        case "own":
        case "borrow":
          assert.ok(this.resourceTypes.has(u.resource), `${what} names an unknown resource`);
          return;
        case "record":
          return u.fields.forEach((f) => visit(f.type));
        case "variant":
          return u.cases.forEach((c) => c.type && visit(c.type));
        case "list":
          return visit(u.element);
        case "tuple":
          return u.types.forEach(visit);
        case "option":
          return visit(u.type);
        case "result":
          if (u.ok) visit(u.ok);
          if (u.err) visit(u.err);
          return;
      }
    };
    t.params.forEach((p) => visit(p.type));
    if (t.result !== undefined) visit(t.result);
  }

  exportItem(i: ExportItem, what: string): void {
    switch (i.kind) {
      case "lifted":
        this.def(i.func, what);
        this.options(i.options, what);
        return this.func(i.type, what);
      case "func-import":
        this.path(i.path, what);
        return this.func(i.type, what);
      case "instance":
        return i.exports.forEach((e) => this.exportItem(e.item, `${what}.${e.name}`));
      case "instance-import":
      case "module-import":
        return this.path(i.path, what);
      case "module":
        return this.has("module", i.module, what);
    }
  }

  /** Check one event's references, then record it. */
  add(e: DfgEvent): void {
    const what = `${e.kind} ${e.id}`;
    assert.equal(e.id, this.count.get(e.kind) ?? 0, `${what}: ids are consecutive per kind`);
    switch (e.kind) {
      case "component-instance":
        if (e.id === 0) assert.equal(e.node.parent, undefined, "the root has no parent");
        else this.has("component-instance", e.node.parent!, what);
        break;
      case "instance": {
        const n = e.node;
        this.has("component-instance", n.componentInstance, what);
        if (n.module.kind === "static") {
          this.has("module", n.module.id, what);
          assert.ok(Array.isArray(n.args), `${what}: a static module's arguments are positional`);
          assert.equal(n.args.length, this.moduleImports[n.module.id], `${what}: one per import`);
        } else {
          this.path(n.module.path, what);
          assert.ok(n.args instanceof Map, `${what}: an imported module's arguments are named`);
        }
        if (Array.isArray(n.args)) {
          (n.args as readonly CoreDef[]).forEach((d, i) => this.def(d, `${what} arg ${i}`));
        } else {
          const named = n.args as ReadonlyMap<string, ReadonlyMap<string, CoreDef>>;
          for (const [m, inner] of named) {
            for (const [name, d] of inner) this.def(d, `${what} arg ${m}.${name}`);
          }
        }
        break;
      }
      case "module":
        this.moduleImports.push(e.node.imports.length);
        break;
      case "memory":
        this.has("instance", e.node.export.instance, what);
        break;
      case "realloc":
      case "post-return":
        this.def(e.node, what);
        break;
      case "lowering":
        this.path(e.node.import, what);
        this.options(e.node.options, what);
        this.func(e.node.type, what);
        break;
      case "adapter":
        this.def(e.node.func, what);
        this.options(e.node.liftOptions, `${what} lift`);
        this.options(e.node.lowerOptions, `${what} lower`);
        this.func(e.node.liftType, what);
        this.func(e.node.lowerType, what);
        break;
      case "resource":
        if (e.node.instance !== undefined) this.has("component-instance", e.node.instance, what);
        if (e.node.dtor !== undefined) this.def(e.node.dtor, `${what} dtor`);
        if (e.node.import !== undefined) this.path(e.node.import, what);
        assert.ok(
          e.node.import === undefined || e.node.instance === undefined,
          `${what}: defined or imported, not both`,
        );
        this.resourceTypes.add(e.node.type);
        break;
      case "export":
        this.exportItem(e.node.item, `${what} "${e.node.name}"`);
        break;
    }
    this.count.set(e.kind, e.id + 1);
  }
}

/** One step of inlining that makes an event: what an independent walk of the payloads predicts. */
type Step =
  | { readonly kind: "component-instance"; readonly parent: number | undefined }
  | { readonly kind: "instance"; readonly componentInstance: number }
  | { readonly kind: "lower"; readonly componentInstance: number };

/**
 * Walk the payloads as the inliner instantiates them (nested components run
 * when an `instance` item instantiates them, once per instantiation), and list
 * the component instances, core instantiations and `canon lower` items in
 * that order. Only nested component definitions can be instantiated here,
 * which is all the fixtures do.
 */
function inliningSteps(payloads: readonly Payload[]): Step[] {
  const steps: Step[] = [{ kind: "component-instance", parent: undefined }];
  let next = 1;
  const run = (body: readonly Payload[], rci: number): void => {
    const components: (readonly Payload[] | undefined)[] = [];
    for (let i = 0; i < body.length; i++) {
      const p = body[i];
      switch (p.kind) {
        case "component-begin": {
          let depth = 1;
          let j = i + 1;
          for (;; j++) {
            const q = body[j];
            if (q.kind === "component-begin") depth++;
            else if (q.kind === "component-end" && --depth === 0) break;
          }
          components.push(body.slice(i + 1, j));
          i = j;
          break;
        }
        case "import":
          for (const it of p.items) if (it.type.kind === "component") components.push(undefined);
          break;
        case "alias":
          for (const a of p.items) if (a.sort === "component") components.push(undefined);
          break;
        case "export":
          for (const e of p.items) if (e.sort === "component") components.push(components[e.index]);
          break;
        case "instance":
          for (const it of p.items) {
            if (it.kind !== "instantiate") continue;
            const def = components[it.component];
            assert.ok(def, "the walk instantiates nested definitions only");
            const id = next++;
            steps.push({ kind: "component-instance", parent: rci });
            run(def, id);
          }
          break;
        case "core-instance":
          for (const it of p.items) {
            if (it.kind === "instantiate") steps.push({ kind: "instance", componentInstance: rci });
          }
          break;
        case "canon":
          for (const c of p.items) {
            if (c.kind === "lower") steps.push({ kind: "lower", componentInstance: rci });
          }
          break;
      }
    }
  };
  assert.equal(payloads[0].kind, "component-begin");
  assert.deepStrictEqual(payloads.slice(-2).map((p) => p.kind), ["component-end", "end"]);
  run(payloads.slice(1, -2), 0);
  return steps;
}

/**
 * Match the events against the predicted steps: component instances and core
 * instances one to one, adapters and lowerings each at a `canon lower` of
 * their lowering instance; the `canon lower` items skipped are those that
 * reused an adapter already made in that instance (interning).
 */
function assertInliningOrder(events: readonly DfgEvent[], steps: readonly Step[]): void {
  let s = 0;
  const lowerers = new Set<number>(); // instances that have made an adapter
  const skipLower = (what: string) => {
    const step = steps[s] as Step & { kind: "lower" };
    assert.ok(
      lowerers.has(step.componentInstance),
      `${what}: canon lower #${s} in instance ${step.componentInstance} made no event`,
    );
    s++;
  };
  for (const e of events) {
    const what = `${e.kind} ${e.id}`;
    switch (e.kind) {
      case "component-instance":
      case "instance": {
        while (steps[s]?.kind === "lower") skipLower(what);
        const step = steps[s++];
        assert.ok(step, `${what}: no more steps`);
        if (e.kind === "component-instance") {
          assert.deepStrictEqual(step, { kind: e.kind, parent: e.node.parent }, what);
        } else {
          assert.deepStrictEqual(
            step,
            { kind: e.kind, componentInstance: e.node.componentInstance },
            what,
          );
        }
        break;
      }
      case "adapter":
      case "lowering": {
        const rci = e.kind === "adapter" ? e.node.lowerOptions.instance : e.node.options.instance;
        while (
          steps[s]?.kind === "lower" &&
          (steps[s] as Step & { kind: "lower" }).componentInstance !== rci
        ) {
          skipLower(what);
        }
        assert.deepStrictEqual(steps[s], { kind: "lower", componentInstance: rci }, what);
        s++;
        if (e.kind === "adapter") lowerers.add(rci);
        break;
      }
    }
  }
  while (s < steps.length) {
    assert.equal(steps[s].kind, "lower", "every predicted instance was emitted");
    skipLower("end");
  }
}

Deno.test("inline() events: consecutive ids, references only to earlier events", async (t) => {
  for (const name of names) {
    await t.step(name, async () => {
      const seen = new Seen();
      const evs = await events([await fixture(name)]);
      assert.deepStrictEqual(evs[0], { kind: "component-instance", id: 0, node: {} });
      for (const e of evs) seen.add(e);
    });
  }
});

Deno.test("inline() events come in inlining order, adapters at their canon lower", async (t) => {
  for (const name of names) {
    await t.step(name, async () => {
      const bytes = await fixture(name);
      const evs = await events([bytes]);
      assertInliningOrder(evs, inliningSteps(parseBytes(bytes)));
    });
  }
});

Deno.test("inline_reexport: five canon lower items, three adapters, two interned", async () => {
  const bytes = await fixture("inline_reexport.wat");
  const steps = inliningSteps(parseBytes(bytes));
  assert.deepStrictEqual(
    steps.filter((s) => s.kind === "lower"),
    Array(5).fill({ kind: "lower", componentInstance: 2 }),
  );
  const evs = await events([bytes]);
  assert.deepStrictEqual(evs.filter((e) => e.kind === "adapter").map((e) => e.id), [0, 1, 2]);
});

Deno.test("inline_always_trap: adapters follow inlining order, not file order", async () => {
  // In the file $child's `canon lower` comes first, then $cousin's, then the
  // root's three; $cousin is instantiated last, so its adapter is last.
  const evs = await events([await fixture("inline_always_trap.wat")]);
  assert.deepStrictEqual(
    evs.filter((e) => e.kind === "adapter" || e.kind === "component-instance").map((e) =>
      e.kind === "adapter"
        ? `adapter ${e.id} lowered in ${e.node.lowerOptions.instance}`
        : `component instance ${e.id}`
    ),
    [
      "component instance 0",
      "component instance 1",
      "component instance 2",
      "adapter 0 lowered in 1",
      "adapter 1 lowered in 0",
      "adapter 2 lowered in 0",
      "adapter 3 lowered in 0",
      "component instance 3",
      "adapter 4 lowered in 3",
    ],
  );
});

Deno.test({
  name: "resources of a root instance import get nodes at the import, before any use",
  fn: async () => {
    const bytes = await wat(`(component
      (import "host" (instance $h
        (export "r" (type $r (sub resource)))
        (export "make" (func (result (own $r))))))
      (alias export $h "make" (func $make))
      (core func (canon lower (func $make))))`);
    const seen = new Seen();
    for (const e of await events([bytes])) seen.add(e);
    const dfg = inlinePayloads(parseBytes(bytes));
    assert.deepStrictEqual(dfg.resources.map((r) => r.import), [path(0, "r")]);
  },
});

Deno.test("lowerings with the same options share an adapter, past the options interned per instance too", async () => {
  // 3 encodings x 3 memories: 9 distinct sets in one instance (one more than are interned),
  // each lowered twice, and the first set once more at the end
  const encodings = ["utf8", "utf16", "latin1+utf16"];
  const sets = encodings.flatMap((e) =>
    [0, 1, 2].map((m) => `(memory $mi "m${m}") string-encoding=${e}`)
  );
  const lowers = [...sets, ...sets, sets[0]].map((o) =>
    `(core func (canon lower (func $c "f") ${o}))`
  );
  const dfg = inlinePayloads(parseBytes(
    await wat(`(component
      (component $callee
        (core module $m
          (memory (export "mem") 1)
          (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
          (func (export "f") (param i32 i32)))
        (core instance $i (instantiate $m))
        (func (export "f") (param "s" string)
          (canon lift (core func $i "f") (memory $i "mem") (realloc (func $i "realloc")))))
      (component $caller
        (import "c" (instance $c (export "f" (func (param "s" string)))))
        (core module $mems (memory (export "m0") 1) (memory (export "m1") 1) (memory (export "m2") 1))
        (core instance $mi (instantiate $mems))
        ${lowers.join("\n        ")})
      (instance $c (instantiate $callee))
      (instance (instantiate $caller (with "c" (instance $c)))))`),
  ));
  assert.equal(dfg.adapters.length, 9);
  const seen = new Set(
    dfg.adapters.map((a) => `${a.lowerOptions.stringEncoding}/${a.lowerOptions.memory}`),
  );
  assert.equal(seen.size, 9);
});

Deno.test("equal types declared apart are one object, unequal ones are not", async () => {
  // each import declares its own record, variant, tuple, option and result types (and function
  // types holding them): the equal ones are found by their structure before one is made
  const shapes = [
    `(record (field "x" u8) (field "y" string))`,
    `(variant (case "a" u32) (case "b"))`,
    `(tuple u8 s64)`,
    `(option (list u8))`,
    `(result u32 (error string))`,
  ];
  const other = [
    `(record (field "x" u16) (field "y" string))`,
    `(variant (case "a" u32) (case "c"))`,
    `(tuple s64 u8)`,
    `(option (list u16))`,
    `(result u32)`,
  ];
  const imports = [...shapes, ...shapes, ...other].map((t, i) =>
    `(import "f${i}" (func (param "p" ${t})))`
  );
  const dfg = inlinePayloads(parseBytes(await wat(`(component ${imports.join(" ")})`)));
  const param = (i: number) => {
    const d = dfg.imports[i].type;
    assert.ok(d.kind === "func");
    return d.type.params[0].type;
  };
  const n = shapes.length;
  for (let i = 0; i < n; i++) {
    assert.equal(param(i), param(n + i), `${shapes[i]} twice: one object`);
    assert.equal(dfg.imports[i].type.type, dfg.imports[n + i].type.type, "and one function type");
    assert.notEqual(param(i), param(2 * n + i), `${shapes[i]} and ${other[i]}`);
    assert.deepEqual(typeToString(param(2 * n + i)), typeToString(param(2 * n + i)));
  }
});
