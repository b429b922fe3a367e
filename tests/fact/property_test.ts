/**
 * A property test of the adapter compiler: random function types over every
 * type adapters translate today (scalars, records, tuples, fixed-length
 * lists, flags, enums, variants, options, results; nested up to depth 4; up
 * to 20 parameters), fused between two sets of options (32- and 64-bit
 * memories); every generated module must validate and match its plan.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { InterfaceType, TypeFunc } from "../../mod.ts";
import { buildAdapterModule } from "../../lib/fact/mod.ts";
import { type Adapter, type AdapterOptions, emptyDfg } from "../../lib/inline/mod.ts";
import { validateAdapterModule } from "../../lib/validate/mod.ts";
import { prng } from "../_prng.ts";

const SCALARS: InterfaceType[] = [
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
];

function randomType(rand: () => number, depth: number): InterfaceType {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const n = (max: number) => 1 + Math.floor(rand() * max);
  if (depth >= 4 || rand() < 0.4) return pick(SCALARS);
  const sub = () => randomType(rand, depth + 1);
  const names = (k: number) => Array.from({ length: k }, (_, i) => `n${i}`);
  switch (Math.floor(rand() * 9)) {
    case 0:
      return { kind: "record", fields: names(n(4)).map((name) => ({ name, type: sub() })) };
    case 1:
      return { kind: "tuple", types: Array.from({ length: n(4) }, sub) };
    case 2:
      return { kind: "list", element: sub(), length: n(3) };
    case 3:
      return { kind: "flags", names: names(pick([1, 3, 8, 9, 16, 17, 32, 33, 40])) };
    case 4:
      return { kind: "enum", names: names(pick([1, 2, 3, 256, 257])) };
    case 5:
      return {
        kind: "variant",
        cases: names(n(5)).map((name) => rand() < 0.3 ? { name } : { name, type: sub() }),
      };
    case 6:
      return { kind: "option", type: sub() };
    case 7: {
      const r = rand();
      return r < 0.25
        ? { kind: "result" }
        : r < 0.5
        ? { kind: "result", ok: sub() }
        : r < 0.75
        ? { kind: "result", err: sub() }
        : { kind: "result", ok: sub(), err: sub() };
    }
    default:
      return pick(SCALARS);
  }
}

function randomFunc(rand: () => number): TypeFunc {
  const params = Array.from({ length: Math.floor(rand() * 21) }, (_, i) => ({
    name: `p${i}`,
    type: randomType(rand, 0),
  }));
  return rand() < 0.2
    ? { kind: "func", async: false, params }
    : { kind: "func", async: false, params, result: randomType(rand, 0) };
}

/** A graph with one adapter of type `ft` between two component instances. */
function graphWith(ft: TypeFunc, lift64: boolean, lower64: boolean) {
  const dfg = emptyDfg();
  dfg.componentInstances.push({}, { parent: 0 }, { parent: 0 });
  dfg.memories.push(
    { export: { instance: 0, name: "mem" }, memory64: lift64 },
    { export: { instance: 1, name: "mem" }, memory64: lower64 },
  );
  dfg.reallocs.push({ kind: "export", instance: 0, name: "realloc" });
  dfg.reallocs.push({ kind: "export", instance: 1, name: "realloc" });
  dfg.postReturns.push({ kind: "export", instance: 0, name: "post" });
  const lift: AdapterOptions = {
    instance: 1,
    stringEncoding: "utf8",
    memory: 0,
    memory64: lift64,
    realloc: 0,
    postReturn: 0,
  };
  const lower: AdapterOptions = {
    instance: 2,
    stringEncoding: "utf8",
    memory: 1,
    memory64: lower64,
    realloc: 1,
  };
  const adapter: Adapter = {
    liftType: ft,
    liftOptions: lift,
    lowerType: ft,
    lowerOptions: lower,
    func: { kind: "export", instance: 0, name: "f" },
    alwaysTrap: false,
  };
  dfg.adapters.push(adapter);
  return dfg;
}

Deno.test("every adapter of 1,000 random function types validates", () => {
  for (let seed = 1; seed <= 1000; seed++) {
    const rand = prng(seed);
    const ft = randomFunc(rand);
    const dfg = graphWith(ft, rand() < 0.3, rand() < 0.3);
    const m = buildAdapterModule(dfg, { index: 0, adapters: [0] });
    try {
      validateAdapterModule(m, dfg);
    } catch (e) {
      assert.fail(`seed ${seed}: ${e instanceof Error ? e.message : e}`);
    }
  }
});
