/**
 * The partition pass and the instantiation plan on real component graphs:
 * the partition_*.wat fixtures go through parse, inline, partition and plan,
 * and each test checks the exact adapter modules and the exact order of the
 * plan's steps. The stream tests check that `partition()` emits each plan
 * the moment its module closes, passes the graph events through unchanged,
 * and does not depend on how the input bytes are chunked.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parse, parseBytes } from "../../mod.ts";
import {
  type ComponentDfg,
  DfgCollector,
  type DfgEvent,
  emptyDfg,
  inline,
  inlinePayloads,
} from "../../lib/inline/mod.ts";
import {
  type AdapterModulePlan,
  type Initializer,
  MAX_ADAPTERS_PER_MODULE,
  partition,
  partitionDfg,
  type PartitionEvent,
  planInstantiation,
} from "../../lib/partition/mod.ts";
import { fixture } from "../_wat.ts";

// ---------------------------------------------------------------------------
// Helpers

interface Loaded {
  readonly bytes: Uint8Array;
  readonly dfg: ComponentDfg;
  readonly plans: AdapterModulePlan[];
  readonly plan: Initializer[];
}

/** A fixture through parse, inline (synchronous), partition and plan. */
async function load(name: string): Promise<Loaded> {
  const bytes = await fixture(name);
  const dfg = inlinePayloads(parseBytes(bytes));
  const plans = partitionDfg(dfg);
  return { bytes, dfg, plans, plan: planInstantiation(dfg, plans) };
}

/** The adapters of each module, in module order. */
function modules(plans: readonly AdapterModulePlan[]): number[][] {
  plans.forEach((p, i) => assert.equal(p.index, i, "plans come in index order"));
  return plans.map((p) => [...p.adapters]);
}

/**
 * A plan step in short: `I3` core instance 3, `M1` adapter module 1, `L0`
 * lowering 0, `mem2` / `realloc2` / `post2` extractions, `R0` resource 0,
 * `E0` root export 0.
 */
function step(i: Initializer): string {
  switch (i.kind) {
    case "instantiate":
      return `I${i.instance}`;
    case "instantiate-adapter-module":
      return `M${i.module}`;
    case "lower-import":
      return `L${i.lowering}`;
    case "extract-memory":
      return `mem${i.memory}`;
    case "extract-realloc":
      return `realloc${i.realloc}`;
    case "extract-post-return":
      return `post${i.postReturn}`;
    case "resource":
      return `R${i.resource}`;
    case "export":
      return `E${i.export}`;
  }
}

function steps(plan: readonly Initializer[]): string[] {
  return plan.map(step);
}

/** The position of a step, which must occur exactly once. */
function at(plan: readonly string[], s: string): number {
  const i = plan.indexOf(s);
  assert.ok(i >= 0, `${s} is in the plan ${plan.join(" ")}`);
  assert.equal(plan.lastIndexOf(s), i, `${s} occurs once`);
  return i;
}

/** Split bytes into chunks of `size` bytes. */
function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

async function inlineEvents(input: Uint8Array[]): Promise<DfgEvent[]> {
  return await Array.fromAsync(
    ReadableStream.from(input).pipeThrough(parse()).pipeThrough(inline()),
  );
}

async function partitionEvents(input: Uint8Array[]): Promise<PartitionEvent[]> {
  return await Array.fromAsync(
    ReadableStream.from(input).pipeThrough(parse()).pipeThrough(inline()).pipeThrough(partition()),
  );
}

/** The module index of each adapter. */
function moduleOf(plans: readonly AdapterModulePlan[]): number[] {
  const out: number[] = [];
  for (const p of plans) for (const a of p.adapters) out[a] = p.index;
  return out;
}

// ---------------------------------------------------------------------------
// Partitions and plans of real components

Deno.test("adapter A feeds core instance M and adapter B uses M's memory: split, plan A's module, M, B's module", async () => {
  const { dfg, plans, plan } = await load("partition_seed_example.wat");
  // The graph is what the fixture says: I0 provider, I1 = M (takes adapter 0), I2 main (takes adapter 1).
  assert.equal(dfg.instances.length, 3);
  assert.deepEqual(dfg.instances[1].args, [{ kind: "adapter", id: 0 }]);
  assert.deepEqual(dfg.instances[2].args, [{ kind: "adapter", id: 1 }]);
  assert.equal(dfg.adapters.length, 2);
  assert.deepEqual(dfg.adapters[0].func, { kind: "export", instance: 0, name: "id" });
  const bMemory = dfg.adapters[1].lowerOptions.memory;
  assert.ok(bMemory !== undefined);
  assert.deepEqual(dfg.memories[bMemory].export, { instance: 1, name: "mem" });

  assert.deepEqual(modules(plans), [[0], [1]]);
  assert.deepEqual(steps(plan), ["I0", "M0", "I1", "M1", "I2", "E0"]);
  // A's module, then M, then B's module, with nothing in between.
  const s = steps(plan);
  assert.deepEqual(s.slice(at(s, "M0"), at(s, "M1") + 1), ["M0", "I1", "M1"]);
});

Deno.test("independent adapters of sibling components share one module", async () => {
  const { dfg, plans, plan } = await load("partition_independent.wat");
  assert.equal(dfg.adapters.length, 3);
  // three different lowering component instances, one lifting one
  assert.deepEqual(dfg.adapters.map((a) => a.lowerOptions.instance), [2, 3, 4]);
  assert.deepEqual(dfg.adapters.map((a) => a.liftOptions.instance), [1, 1, 1]);
  assert.ok(dfg.adapters.every((a) => !a.alwaysTrap));
  assert.deepEqual(dfg.instances.map((i) => i.args), [
    [],
    [],
    [{ kind: "adapter", id: 0 }],
    [{ kind: "adapter", id: 1 }],
    [{ kind: "adapter", id: 2 }],
  ]);

  assert.deepEqual(modules(plans), [[0, 1, 2]]);
  // the module comes right before the first instance that takes one of its adapters
  assert.deepEqual(steps(plan), ["I0", "I1", "M0", "I2", "I3", "I4"]);
});

// Chains. $head is one core instance I0; link k (k = 2..N) creates its memory
// instance I(2k-3), lowers the previous link's `f` (adapter k-2: lift options
// = the previous link's memory, lower options = its own memory, callee = the
// previous link's main `f`, or I0's for k = 2) and creates its main instance
// I(2k-2) taking that adapter.
//
// Adapter 0 depends on I0 and I1 only: no adapter, it opens module 0. Every
// later adapter k-2 (k >= 3) calls the main instance I(2k-4) of link k-1,
// whose argument is adapter k-3, which is still in the module being built:
// that closes the module, so adapter k-2 opens a new one. (Its own memory
// instance I(2k-3) would close it too, through its prior I(2k-4).) Hence
// N - 1 adapters in N - 1 modules of one adapter each, and the plan
// interleaves them: I0, then per link k: its memory instance, the module of
// its adapter, its main instance; then the root export, which extracts the
// last link's memory and realloc for the host.
for (const n of [3, 5]) {
  Deno.test(`a chain of ${n} components where each adapter uses the previous one's memory: ${n - 1} modules`, async () => {
    const { dfg, plans, plan } = await load(`partition_chain_${n}.wat`);
    assert.equal(dfg.instances.length, 2 * n - 1);
    assert.equal(dfg.adapters.length, n - 1);
    dfg.adapters.forEach((a, i) => {
      const k = i + 2; // the link that lowers it
      const liftMemory = dfg.memories[a.liftOptions.memory!].export.instance;
      const lowerMemory = dfg.memories[a.lowerOptions.memory!].export.instance;
      assert.equal(liftMemory, k === 2 ? 0 : 2 * k - 5, "the previous component's memory");
      assert.equal(lowerMemory, 2 * k - 3, "its own memory");
      assert.deepEqual(a.func, { kind: "export", instance: k === 2 ? 0 : 2 * k - 4, name: "f" });
      assert.deepEqual(dfg.instances[2 * k - 2].args, [{ kind: "adapter", id: i }]);
    });

    assert.equal(plans.length, n - 1);
    assert.deepEqual(modules(plans), Array.from({ length: n - 1 }, (_, i) => [i]));
    const expected = ["I0"];
    for (let k = 2; k <= n; k++) expected.push(`I${2 * k - 3}`, `M${k - 2}`, `I${2 * k - 2}`);
    // memories: m0 = I0's, then one per link (its lower and lift options share it); reallocs likewise
    expected.push(`mem${n - 1}`, `realloc${n - 1}`, "E0");
    assert.deepEqual(steps(plan), expected);
  });
}

Deno.test("an adapter whose callee is another adapter forces a split", async () => {
  const { dfg, plans, plan } = await load("partition_adapter_callee.wat");
  assert.equal(dfg.adapters.length, 2);
  assert.deepEqual(dfg.adapters[0].func, { kind: "export", instance: 0, name: "double" });
  assert.deepEqual(dfg.adapters[1].func, { kind: "adapter", id: 0 });
  assert.ok(dfg.adapters.every((a) => !a.alwaysTrap));
  // no core instance between the two adapters: only the callee forces the split
  assert.deepEqual(dfg.instances.map((i) => i.args), [[], [{ kind: "adapter", id: 1 }]]);

  assert.deepEqual(modules(plans), [[0], [1]]);
  // module 1 imports adapter 0, so module 0 comes first, right before it
  assert.deepEqual(steps(plan), ["I0", "M0", "M1", "I1", "E0"]);
});

Deno.test("the worked example of reference §1.5: modules [0], [1], [2]; M0 before I3, M1 before I4, M2 after I5", async () => {
  const { dfg, plans, plan } = await load("partition_worked_example.wat");
  // The graph of the reference's table.
  assert.deepEqual(dfg.instances.map((i) => i.componentInstance), [1, 1, 2, 2, 3, 3, 3]);
  assert.deepEqual(dfg.instances.map((i) => i.args), [
    [],
    [{ kind: "export", instance: 0, name: "m" }],
    [],
    [{ kind: "adapter", id: 0 }],
    [{ kind: "adapter", id: 1 }],
    [],
    [{ kind: "adapter", id: 2 }],
  ]);
  const mem = (m: number | undefined) => m === undefined ? undefined : dfg.memories[m].export;
  const shape = dfg.adapters.map((a) => ({
    func: a.func,
    lift: mem(a.liftOptions.memory),
    lower: mem(a.lowerOptions.memory),
    postReturn: a.liftOptions.postReturn === undefined
      ? undefined
      : dfg.postReturns[a.liftOptions.postReturn],
  }));
  assert.deepEqual(shape, [
    {
      func: { kind: "export", instance: 1, name: "f" },
      lift: { instance: 0, name: "m" },
      lower: { instance: 2, name: "m" },
      postReturn: { kind: "export", instance: 1, name: "pr" },
    },
    {
      func: { kind: "export", instance: 3, name: "g" },
      lift: undefined,
      lower: undefined,
      postReturn: undefined,
    },
    {
      func: { kind: "export", instance: 1, name: "f" },
      lift: { instance: 0, name: "m" },
      lower: { instance: 5, name: "m" },
      postReturn: { kind: "export", instance: 1, name: "pr" },
    },
  ]);

  assert.deepEqual(modules(plans), [[0], [1], [2]]);
  const s = steps(plan);
  assert.deepEqual(s, ["I0", "I1", "I2", "M0", "I3", "M1", "I4", "I5", "M2", "I6"]);
  assert.ok(at(s, "M0") < at(s, "I3"));
  assert.ok(at(s, "M1") < at(s, "I4"));
  assert.ok(at(s, "M2") > at(s, "I5"));
});

// ---------------------------------------------------------------------------
// The stream

const STREAM_FIXTURES = [
  "partition_seed_example.wat",
  "partition_independent.wat",
  "partition_chain_3.wat",
  "partition_chain_5.wat",
  "partition_adapter_callee.wat",
  "partition_worked_example.wat",
];

for (const name of STREAM_FIXTURES) {
  Deno.test(`partition() on ${name}: the plans of partitionDfg, in place, events unchanged, any chunking`, async () => {
    const { bytes, dfg, plans } = await load(name);
    const out = await partitionEvents([bytes]);

    // The plans are those of the synchronous pass on the whole graph.
    const streamed = out.filter((e): e is AdapterModulePlan => e.kind === "adapter-module-plan");
    assert.deepEqual(streamed, plans);
    assert.ok(plans.length > 0);

    // The graph events pass through unchanged and in order.
    const events = out.filter((e): e is DfgEvent => e.kind !== "adapter-module-plan");
    assert.deepEqual(events, await inlineEvents([bytes]));

    // Each plan but the last comes right before the adapter event that closed
    // its module (the first adapter of the next module); the last one ends the stream.
    for (let i = 0; i < plans.length; i++) {
      const p = out.indexOf(streamed[i]);
      if (i === plans.length - 1) {
        assert.equal(p, out.length - 1, "the last plan ends the stream");
      } else {
        const next = out[p + 1];
        assert.equal(next.kind, "adapter", `plan ${i} is followed by the adapter that closed it`);
        assert.equal((next as DfgEvent & { kind: "adapter" }).id, plans[i + 1].adapters[0]);
      }
    }

    // 1-byte chunks (and a few other sizes) change nothing.
    for (const size of [1, 7, 64]) {
      assert.deepEqual(await partitionEvents(chunks(bytes, size)), out);
    }

    // The graph the stream carries is the synchronous inliner's.
    const collector = new DfgCollector();
    for (const e of events) collector.add(e);
    assert.deepEqual(collector.dfg, dfg);
  });
}

Deno.test("partition() emits a plan as soon as its module closes, not later", async () => {
  const { bytes, plans } = await load("partition_worked_example.wat");
  const events = await inlineEvents([bytes]);
  const stream = partition();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();

  // Write one event, then read until that event comes back: whatever came
  // before it was emitted while the event was processed.
  const emittedAt: AdapterModulePlan[][] = [];
  for (const e of events) {
    const write = writer.write(e);
    const before: AdapterModulePlan[] = [];
    for (;;) {
      const r = await reader.read();
      assert.ok(!r.done);
      if (r.value === e) break;
      assert.equal(r.value.kind, "adapter-module-plan");
      before.push(r.value as AdapterModulePlan);
    }
    await write;
    emittedAt.push(before);
  }
  const close = writer.close();
  const rest: PartitionEvent[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(r.value);
  await close;

  const adapterAt = (id: number) => events.findIndex((e) => e.kind === "adapter" && e.id === id);
  const expected: AdapterModulePlan[][] = events.map(() => []);
  expected[adapterAt(1)] = [plans[0]]; // adapter 1's callee I3 takes adapter 0
  expected[adapterAt(2)] = [plans[1]]; // adapter 2's memory instance I5 has the prior I4, which takes adapter 1
  assert.deepEqual(emittedAt, expected);
  assert.deepEqual(rest, [plans[2]]);
  assert.deepEqual(plans.map((p) => p.adapters), [[0], [1], [2]]);
});

// ---------------------------------------------------------------------------
// Two gaps of the seed algorithm, closed here (see lib/partition/partition.ts):
// without these rules the plan would use an instance before it exists.

Deno.test({
  name:
    "a resource destructor that is an adapter gets its module before the resource, and the next adapter a new one",
  fn: async () => {
    // Core instance I0 ($p), adapter 0 ($x lowers f, used as the destructor of
    // resource 0), resource 0, I1 ($x's memory instance), adapter 1 ($x lowers
    // g with I1's memory), I2 (takes adapter 1). Both adapters land in one
    // module, which the plan instantiates for the resource, before I1.
    const { dfg, plans, plan } = await load("partition_resource_dtor.wat");
    assert.deepEqual(dfg.sideEffects, [
      { kind: "instance", id: 0 },
      { kind: "resource", id: 0 },
      { kind: "instance", id: 1 },
      { kind: "instance", id: 2 },
    ]);
    assert.deepEqual(dfg.resources[0].dtor, { kind: "adapter", id: 0 });
    assert.deepEqual(dfg.memories[dfg.adapters[1].lowerOptions.memory!].export.instance, 1);
    const s = steps(plan);
    const m = moduleOf(plans);
    assert.ok(at(s, `M${m[0]}`) < at(s, "R0"), "adapter 0's module exists before the resource");
    assert.ok(at(s, `M${m[1]}`) > at(s, "I1"), "adapter 1's module comes after I1, its memory");
  },
});

Deno.test({
  name: "an adapter whose callee is a host lowering depends on the lowering's memory",
  fn: async () => {
    // I0 ($p), adapter 0 ($x lowers $p's f), I1 (takes adapter 0), I2 (a
    // memory), lowering 0 ($x lowers the host's h with I2's memory; $x lifts
    // it as h2), adapter 1 ($z lowers h2: its callee is lowering 0), I3
    // (takes adapter 1). The partition ignores the lowering's options, so
    // both adapters share a module, which I1 needs; the module imports
    // lowering 0, whose memory (of I2) the plan extracts before I2 exists.
    const { dfg, plans, plan } = await load("partition_lowered_callee.wat");
    assert.deepEqual(dfg.adapters[1].func, { kind: "lowered", id: 0 });
    assert.equal(dfg.memories[dfg.lowerings[0].options.memory!].export.instance, 2);
    assert.deepEqual(dfg.instances[1].args, [{ kind: "adapter", id: 0 }]);
    const s = steps(plan);
    const m = moduleOf(plans);
    assert.ok(at(s, "mem0") > at(s, "I2"), "the memory is extracted after its instance");
    assert.ok(at(s, `M${m[0]}`) < at(s, "I1"), "adapter 0's module comes before I1");
    assert.ok(at(s, `M${m[1]}`) > at(s, "L0"), "adapter 1's module comes after its callee");
  },
});

Deno.test("partitionDfg() walks a chain of 20,000 instances without exhausting the stack", () => {
  // instance i imports instance i-1's export; one adapter uses the last one's memory
  const dfg = emptyDfg();
  dfg.componentInstances.push({}, { parent: 0 }, { parent: 0 });
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    dfg.instances.push({
      componentInstance: 1,
      module: { kind: "static", id: 0 },
      args: i === 0 ? [] : [{ kind: "export", instance: i - 1, name: "f" }],
    });
    dfg.sideEffects.push({ kind: "instance", id: i });
  }
  dfg.memories.push({ export: { instance: n - 1, name: "mem" }, memory64: false });
  const options = (instance: number) => ({
    instance,
    stringEncoding: "utf8" as const,
    memory64: false,
  });
  dfg.adapters.push({
    liftType: { kind: "func", async: false, params: [] },
    liftOptions: { ...options(1), memory: 0 },
    lowerType: { kind: "func", async: false, params: [] },
    lowerOptions: options(2),
    func: { kind: "export", instance: n - 1, name: "f" },
    alwaysTrap: false,
  });
  assert.deepEqual(partitionDfg(dfg).map((p) => p.adapters), [[0]]);
});

// ---------------------------------------------------------------------------
// The bound on a module's adapters (MAX_ADAPTERS_PER_MODULE)

/** A callee lifting `f`, `g`, `h` (x + 1, x + 2, x + 3); a caller lowering all three, exporting their sum. */
const THREE_ADAPTERS = `(component
  (component $callee
    (core module $m
      (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func (export "g") (param i32) (result i32) (i32.add (local.get 0) (i32.const 2)))
      (func (export "h") (param i32) (result i32) (i32.add (local.get 0) (i32.const 3))))
    (core instance $i (instantiate $m))
    (func (export "f") (param "x" u32) (result u32) (canon lift (core func $i "f")))
    (func (export "g") (param "x" u32) (result u32) (canon lift (core func $i "g")))
    (func (export "h") (param "x" u32) (result u32) (canon lift (core func $i "h"))))
  (component $caller
    (import "c" (instance $c
      (export "f" (func (param "x" u32) (result u32)))
      (export "g" (func (param "x" u32) (result u32)))
      (export "h" (func (param "x" u32) (result u32)))))
    (core func $f (canon lower (func $c "f")))
    (core func $g (canon lower (func $c "g")))
    (core func $h (canon lower (func $c "h")))
    (core module $m
      (import "" "f" (func $f (param i32) (result i32)))
      (import "" "g" (func $g (param i32) (result i32)))
      (import "" "h" (func $h (param i32) (result i32)))
      (func (export "run") (param i32) (result i32)
        (i32.add (call $f (local.get 0))
          (i32.add (call $g (local.get 0)) (call $h (local.get 0))))))
    (core instance $i (instantiate $m (with "" (instance
      (export "f" (func $f)) (export "g" (func $g)) (export "h" (func $h))))))
    (func (export "run") (param "x" u32) (result u32) (canon lift (core func $i "run"))))
  (instance $c (instantiate $callee))
  (instance $k (instantiate $caller (with "c" (instance $c))))
  (export "run" (func $k "run")))`;

Deno.test("a module closes when it holds maxAdapters adapters; the plan instantiates each before its first user", async () => {
  const { wat } = await import("../_wat.ts");
  const dfg = inlinePayloads(parseBytes(await wat(THREE_ADAPTERS)));
  assert.equal(dfg.adapters.length, 3);
  assert.equal(MAX_ADAPTERS_PER_MODULE, 4096);
  assert.deepEqual(modules(partitionDfg(dfg)), [[0, 1, 2]]);
  assert.deepEqual(modules(partitionDfg(dfg, { maxAdapters: Infinity })), [[0, 1, 2]]);
  assert.deepEqual(modules(partitionDfg(dfg, { maxAdapters: 3 })), [[0, 1, 2]]);
  assert.deepEqual(modules(partitionDfg(dfg, { maxAdapters: 2 })), [[0, 1], [2]]);
  const plans = partitionDfg(dfg, { maxAdapters: 1 });
  assert.deepEqual(modules(plans), [[0], [1], [2]]);
  // I0 is the callee's instance, I1 the caller's, which takes all three
  assert.deepEqual(steps(planInstantiation(dfg, plans)).slice(0, 5), [
    "I0",
    "M0",
    "M1",
    "M2",
    "I1",
  ]);
  // the stream closes modules at the same bound, as the adapters arrive
  const events = await Array.fromAsync(
    new Blob([new Uint8Array(await wat(THREE_ADAPTERS))]).stream().pipeThrough(parse()).pipeThrough(
      inline(),
    )
      .pipeThrough(partition({ maxAdapters: 2 })),
  );
  assert.deepEqual(
    events.flatMap((e) => e.kind === "adapter-module-plan" ? [[...e.adapters]] : []),
    [[0, 1], [2]],
  );
});

Deno.test("adapters split over modules by the bound run as in one module", async () => {
  const { wat } = await import("../_wat.ts");
  const { buildAdapterModule } = await import("../../lib/fact/mod.ts");
  const { instantiate } = await import("../../mod.ts");
  const dfg = inlinePayloads(parseBytes(await wat(THREE_ADAPTERS)));
  for (const maxAdapters of [1, 2, Infinity]) {
    const plans = partitionDfg(dfg, { maxAdapters });
    const adapterModules = plans.map((p) => buildAdapterModule(dfg, p));
    const instance = await instantiate({
      dfg,
      adapterModules,
      plan: planInstantiation(dfg, plans),
    });
    const run = instance.exports.run as (x: number) => number;
    // (x + 1) + (x + 2) + (x + 3)
    assert.equal(run(10), 36, `maxAdapters ${maxAdapters}`);
  }
});

Deno.test("maxAdapters is a positive integer or Infinity", () => {
  for (const maxAdapters of [0, -1, 1.5, NaN]) {
    assert.throws(
      () => partitionDfg(emptyDfg(), { maxAdapters }),
      (e) => e instanceof RangeError && e.message.includes(`not ${maxAdapters}`),
    );
  }
});

Deno.test("fuse() puts at most MAX_ADAPTERS_PER_MODULE adapters in a module, and the result instantiates", async () => {
  const { shapeWat } = await import("../../bench/_shapes.ts");
  const { wat } = await import("../_wat.ts");
  const { fuse } = await import("../../mod.ts");
  const { instantiateCore } = await import("../../lib/runtime/mod.ts");
  // 206 callers lowering the callee's 20 functions: 4,120 adapters with nothing to split them
  const t = await fuse(await wat(shapeWat("fanout", 4120)));
  assert.deepEqual(t.adapterModules.map((m) => m.adapters.length), [4096, 24]);
  assert.deepEqual(t.adapterModules[1].adapters, Array.from({ length: 24 }, (_, i) => 4096 + i));
  // every module compiles and links: 206 caller instances take adapters from both
  const core = instantiateCore(t);
  assert.equal(core.adapterInstances.length, 2);
  assert.equal(core.instances.length, t.dfg.instances.length);
});
