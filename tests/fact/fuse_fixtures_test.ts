/**
 * `fuse()` over every component fixture in `tests/fixtures/`. Each fixture
 * is classified from its graph (`inlinePayloads(parseBytes(bytes))`):
 *
 * - fuses fully: every adapter that does more than trap uses only types
 *   adapters translate today; `fuse()` must give one valid module per
 *   partition plan, with the plan's adapters and the bytes
 *   `buildAdapterModule` generates for it;
 * - needs an unsupported type (a string, a variable-length list, a handle,
 *   ...): `fuse()` must reject it with the LinkError that names that type,
 *   and nothing else;
 * - has no adapters: `fuse()` gives no modules;
 * - does not link: `fuse()` rejects it with the inliner's own error.
 *
 * Step names say which is which; the classification of the fixtures that
 * have adapters is also pinned below, so a change shows up as a failure.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fuse, type InterfaceType, LinkError, parseBytes, type Translation } from "../../mod.ts";
import { type AdapterModule, buildAdapterModule } from "../../lib/fact/mod.ts";
import { type ComponentDfg, inlinePayloads } from "../../lib/inline/mod.ts";
import { partitionDfg } from "../../lib/partition/mod.ts";
import { typeToString } from "../../lib/types/mod.ts";
import { validateAdapterModule } from "../../lib/validate/mod.ts";
import { fixture, fixtureNames } from "../_wat.ts";

/** The fixtures with adapters: "fuses", or the type the first failing adapter names. */
const PINNED: Record<string, string> = {
  "fact_scalars.wat": "fuses",
  "inline_always_trap.wat": "fuses",
  "inline_outer_alias.wat": "fuses",
  "partition_adapter_callee.wat": "fuses",
  "partition_lowered_callee.wat": "fuses",
  "section_canon.wat": "fuses",
  "inline_chain_three.wat": "fuses",
  "inline_instantiated_twice.wat": "fuses",
  "inline_nested_deep.wat": "fuses",
  "inline_reexport.wat": "fuses",
  "inline_resources.wat": "fuses",
  "inline_two_fused.wat": "fuses",
  "partition_chain_3.wat": "fuses",
  "partition_chain_5.wat": "fuses",
  "partition_independent.wat": "fuses",
  "partition_resource_dtor.wat": "fuses",
  "partition_seed_example.wat": "fuses",
  "partition_worked_example.wat": "fuses",
};

/**
 * The first type inside `t` (pre-order, as the adapter compiler walks it)
 * that adapters do not translate yet.
 */
function firstUnsupported(t: InterfaceType): InterfaceType | undefined {
  if (typeof t === "string") {
    const scalar = [
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
    ];
    return scalar.includes(t) ? undefined : t;
  }
  const first = (ts: readonly (InterfaceType | undefined)[]) => {
    for (const u of ts) {
      const bad = u === undefined ? undefined : firstUnsupported(u);
      if (bad !== undefined) return bad;
    }
    return undefined;
  };
  switch (t.kind) {
    case "record":
      return first(t.fields.map((f) => f.type));
    case "tuple":
      return first(t.types);
    case "list":
      return first([t.element]);
    case "variant":
      return first(t.cases.map((c) => c.type));
    case "option":
      return first([t.type]);
    case "result":
      return first([t.ok, t.err]);
    case "flags":
    case "enum":
    case "own":
    case "borrow":
      return undefined;
    default:
      return t; // streams, futures, maps
  }
}

type Class =
  | {
    readonly kind: "fuses";
    readonly plans: ReturnType<typeof partitionDfg>;
    /** How many of the adapters only trap. */
    readonly alwaysTrap: number;
  }
  | { readonly kind: "needs"; readonly type: string }
  | { readonly kind: "no adapters" }
  | { readonly kind: "does not link"; readonly error: Error };

/** What `fuse()` must do with a component, from its graph. */
function classify(bytes: Uint8Array): Class {
  let dfg: ComponentDfg;
  try {
    dfg = inlinePayloads(parseBytes(bytes));
  } catch (e) {
    assert.ok(e instanceof Error);
    return { kind: "does not link", error: e };
  }
  if (dfg.adapters.length === 0) return { kind: "no adapters" };
  const plans = partitionDfg(dfg);
  // adapters are compiled plan by plan; each one's parameters, then its result
  for (const plan of plans) {
    for (const id of plan.adapters) {
      const a = dfg.adapters[id];
      if (a.alwaysTrap) continue;
      const types = [...a.lowerType.params.map((p) => p.type)];
      if (a.lowerType.result !== undefined) types.push(a.lowerType.result);
      for (const t of types) {
        const bad = firstUnsupported(t);
        if (bad !== undefined) return { kind: "needs", type: typeToString(bad) };
      }
    }
  }
  return { kind: "fuses", plans, alwaysTrap: dfg.adapters.filter((a) => a.alwaysTrap).length };
}

function stepName(name: string, c: Class): string {
  switch (c.kind) {
    case "fuses": {
      const adapters = c.plans.reduce((n, p) => n + p.adapters.length, 0);
      const traps = c.alwaysTrap === 0 ? "" : ` (${c.alwaysTrap} only trap)`;
      return `${name} fuses fully: ${c.plans.length} adapter module(s), ${adapters} adapter(s)${traps}`;
    }
    case "needs":
      return `${name} needs \`${c.type}\` (not supported yet)`;
    case "no adapters":
      return `${name} has no adapters`;
    case "does not link":
      return `${name} does not link: ${c.error.message.slice(0, 60)}…`;
  }
}

/** Assert `p` rejects with a LinkError naming the unsupported type `type`. */
async function rejectsNaming(p: Promise<unknown>, type: string): Promise<void> {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof LinkError, `expected a LinkError, got ${e}`);
    assert.ok(
      e.message.includes(`fused adapters for \`${type}\` values are not implemented yet`),
      e.message,
    );
    return true;
  });
}

/** A stream of `bytes` one byte per chunk (each chunk its own buffer). */
function oneByteChunks(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < bytes.length) controller.enqueue(bytes.slice(i, ++i));
      else controller.close();
    },
  });
}

const NAMES = await fixtureNames();
const FIXTURES = new Map<string, { bytes: Uint8Array; class: Class }>();
for (const name of NAMES) {
  const bytes = await fixture(name);
  FIXTURES.set(name, { bytes, class: classify(bytes) });
}

Deno.test("fuse() over every fixture", async (t) => {
  for (const [name, { bytes, class: c }] of FIXTURES) {
    await t.step(stepName(name, c), async () => {
      switch (c.kind) {
        case "fuses": {
          const seen: AdapterModule[] = [];
          const tr = await fuse(bytes, (m) => void seen.push(m));
          assert.equal(tr.adapterModules.length, c.plans.length);
          assert.deepEqual(seen, tr.adapterModules);
          c.plans.forEach((plan, i) => {
            const m = tr.adapterModules[i];
            assert.equal(m.index, plan.index);
            assert.deepEqual(m.adapters, plan.adapters);
            validateAdapterModule(m, tr.dfg);
            assert.deepEqual(m.bytes, buildAdapterModule(tr.dfg, plan).bytes);
          });
          // the plan instantiates each module at most once (only those in use)
          const instantiated = tr.plan.flatMap((s) =>
            s.kind === "instantiate-adapter-module" ? [s.module] : []
          );
          assert.equal(new Set(instantiated).size, instantiated.length);
          for (const i of instantiated) assert.ok(i < tr.adapterModules.length);
          break;
        }
        case "needs":
          await rejectsNaming(fuse(bytes), c.type);
          break;
        case "no adapters": {
          const tr = await fuse(bytes);
          assert.deepEqual(tr.adapterModules, []);
          assert.deepEqual(tr.dfg.adapters, []);
          break;
        }
        case "does not link":
          await assert.rejects(fuse(bytes), (e) => {
            assert.ok(e instanceof Error && e.constructor === c.error.constructor, `${e}`);
            assert.equal(e.message, c.error.message);
            return true;
          });
          break;
      }
    });
  }
});

Deno.test("the fixtures with adapters are classified as recorded", () => {
  const actual: Record<string, string> = {};
  for (const [name, { class: c }] of FIXTURES) {
    if (c.kind === "fuses") actual[name] = "fuses";
    else if (c.kind === "needs") actual[name] = c.type;
  }
  assert.deepEqual(actual, PINNED);
});

Deno.test("fuse() reads a stream of 1-byte chunks as it reads the whole binary", async (t) => {
  const same = (a: Translation, b: Translation) => {
    assert.equal(a.adapterModules.length, b.adapterModules.length);
    a.adapterModules.forEach((m, i) => {
      const n = b.adapterModules[i];
      assert.equal(m.index, n.index);
      assert.deepEqual(m.adapters, n.adapters);
      assert.deepEqual(m.bytes, n.bytes);
      assert.deepEqual(m.imports, n.imports);
      assert.deepEqual(m.exports, n.exports);
    });
    assert.deepEqual(a.plan, b.plan);
    assert.deepEqual(a.dfg.adapters, b.dfg.adapters);
  };
  for (const [name, { bytes, class: c }] of FIXTURES) {
    if (c.kind === "fuses") {
      await t.step(`${name}: the same adapter modules`, async () => {
        same(await fuse(oneByteChunks(bytes)), await fuse(bytes));
      });
    } else if (c.kind === "needs") {
      await t.step(`${name}: the same LinkError`, async () => {
        await rejectsNaming(fuse(oneByteChunks(bytes)), c.type);
      });
    }
  }
});
