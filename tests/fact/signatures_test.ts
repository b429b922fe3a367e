/**
 * A table of function signatures over every type adapters translate today
 * (bool, s8..u64, f32, f64, char, record, tuple, flags, enum, variant,
 * option, result, fixed-length lists), alone and nested, with 0, 1, 16 and
 * 17 flat parameters and 0, 1 and 2 flat results, so that parameters and
 * results travel on the stack and through memory on each side, also with
 * 64-bit memories. Each row's adapter module is built from a minimal graph
 * (one adapter between two component instances) and must validate, import
 * exactly what the signature needs and export `adapter0` with the caller's
 * core signature. The expected core signatures are written out by hand.
 *
 * Snapshots: a few rows also compare the module's WAT (`adapterModuleWat`)
 * with `tests/fact/snapshots/<name>.wat`, exactly. After an intended change
 * to the generated code, rewrite them with UPDATE_SNAPSHOTS=1:
 *
 *     UPDATE_SNAPSHOTS=1 deno test --allow-read --allow-write --allow-env --allow-run tests/fact/signatures_test.ts
 *
 * and review the diff.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { InterfaceType, TypeFunc } from "../../mod.ts";
import { adapterModuleWat, buildAdapterModule } from "../../lib/fact/mod.ts";
import {
  type Adapter,
  type AdapterOptions,
  type ComponentDfg,
  emptyDfg,
} from "../../lib/inline/mod.ts";
import { flattenType } from "../../lib/types/mod.ts";
import { validateAdapterModule } from "../../lib/validate/mod.ts";
import { decodeModule } from "../../lib/parse/module.ts";
import type { CoreFuncType, CoreImport } from "../../lib/parse/items.ts";
import type { AdapterImport } from "../../lib/fact/module.ts";

// ---------------------------------------------------------------------------
// types

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const record = (...types: InterfaceType[]): InterfaceType => ({
  kind: "record",
  fields: types.map((type, i) => ({ name: `f${i}`, type })),
});
const tuple = (...types: InterfaceType[]): InterfaceType => ({ kind: "tuple", types });
const flags = (n: number): InterfaceType => ({ kind: "flags", names: names("b", n) });
const enumOf = (n: number): InterfaceType => ({ kind: "enum", names: names("e", n) });
const variant = (...cases: (InterfaceType | undefined)[]): InterfaceType => ({
  kind: "variant",
  cases: cases.map((type, i) => type === undefined ? { name: `c${i}` } : { name: `c${i}`, type }),
});
const option = (type: InterfaceType): InterfaceType => ({ kind: "option", type });
const result = (ok?: InterfaceType, err?: InterfaceType): InterfaceType => ({
  kind: "result",
  ...(ok === undefined ? {} : { ok }),
  ...(err === undefined ? {} : { err }),
});
const list = (element: InterfaceType, length: number): InterfaceType => ({
  kind: "list",
  element,
  length,
});
const times = (n: number, t: InterfaceType): InterfaceType[] => Array.from({ length: n }, () => t);
/** `n` core types, space-separated (for writing signatures). */
const rep = (n: number, t: string) => Array(n).fill(t).join(" ");

// ---------------------------------------------------------------------------
// the table

interface Row {
  /** The test's name. */
  readonly name: string;
  readonly params: readonly InterfaceType[];
  readonly result?: InterfaceType;
  /** Flat parameter and result counts, counted by hand (before spilling). */
  readonly flat: readonly [params: number, results: number];
  /** The caller's core signature: the export `adapter0`. */
  readonly lower: string;
  /** The callee's core signature: the import `callee` `c0`. */
  readonly lift: string;
  /** The caller's memory is 64-bit. */
  readonly lower64?: boolean;
  /** The callee's memory is 64-bit. */
  readonly lift64?: boolean;
  /** The callee has a post-return function (default: yes). */
  readonly postReturn?: boolean;
  /** A lower of a function of the same instance: the body only traps. */
  readonly alwaysTrap?: boolean;
  /** Compare the module's WAT with `snapshots/<snapshot>.wat`. */
  readonly snapshot?: string;
}

const SCALARS: [InterfaceType & string, string][] = [
  ["bool", "i32"],
  ["s8", "i32"],
  ["u8", "i32"],
  ["s16", "i32"],
  ["u16", "i32"],
  ["s32", "i32"],
  ["u32", "i32"],
  ["s64", "i64"],
  ["u64", "i64"],
  ["f32", "f32"],
  ["f64", "f64"],
  ["char", "i32"],
];

const NESTED_RECORD = record(
  tuple("u8", option("char")),
  list("u16", 2),
  flags(9),
  enumOf(3),
);
const NESTED_OPTION = option(result(variant("u64", undefined), enumOf(2)));
const NESTED_VARIANT = variant(record("f32", "f64"), list("s16", 3), option("u64"));
const NESTED_TUPLE = tuple(record("bool", list("char", 2)), result(flags(3), enumOf(2)));
const SPILLED_RECORD = [record("u8", "f64", "char"), ...times(14, "u32")];

const ROWS: Row[] = [
  // every scalar alone, on the stack both ways
  ...SCALARS.map(([t, core]): Row => ({
    name: `(${t}) -> ${t}`,
    params: [t],
    result: t,
    flat: [1, 1],
    lower: `(${core}) -> (${core})`,
    lift: `(${core}) -> (${core})`,
    snapshot: t === "char" ? "scalar_char" : undefined,
  })),

  // 0, 1, 16 and 17 flat parameters by 0, 1 and 2 flat results
  { name: "() -> ()", params: [], flat: [0, 0], lower: "() -> ()", lift: "() -> ()" },
  {
    name: "() -> u32",
    params: [],
    result: "u32",
    flat: [0, 1],
    lower: "() -> (i32)",
    lift: "() -> (i32)",
  },
  {
    name: "() -> tuple<u32, f32>",
    params: [],
    result: tuple("u32", "f32"),
    flat: [0, 2],
    lower: "(i32) -> ()",
    lift: "() -> (i32)",
  },
  {
    name: "(bool) -> ()",
    params: ["bool"],
    flat: [1, 0],
    lower: "(i32) -> ()",
    lift: "(i32) -> ()",
  },
  {
    name: "(u64) -> tuple<u64, u64>",
    params: ["u64"],
    result: tuple("u64", "u64"),
    flat: [1, 2],
    lower: "(i64 i32) -> ()",
    lift: "(i64) -> (i32)",
  },
  {
    name: "(16 × u32) -> ()",
    params: times(16, "u32"),
    flat: [16, 0],
    lower: `(${rep(16, "i32")}) -> ()`,
    lift: `(${rep(16, "i32")}) -> ()`,
  },
  {
    name: "(s64, f32, f64, 13 × u8) -> char",
    params: ["s64", "f32", "f64", ...times(13, "u8")],
    result: "char",
    flat: [16, 1],
    lower: `(i64 f32 f64 ${rep(13, "i32")}) -> (i32)`,
    lift: `(i64 f32 f64 ${rep(13, "i32")}) -> (i32)`,
  },
  {
    // 16 flat parameters stay on the stack: the return pointer comes on top
    name: "(16 × u32) -> tuple<f64, f32>",
    params: times(16, "u32"),
    result: tuple("f64", "f32"),
    flat: [16, 2],
    lower: `(${rep(17, "i32")}) -> ()`,
    lift: `(${rep(16, "i32")}) -> (i32)`,
  },
  {
    name: "(17 × u32) -> ()",
    params: times(17, "u32"),
    flat: [17, 0],
    lower: "(i32) -> ()",
    lift: "(i32) -> ()",
  },
  {
    name: "(17 × f64) -> f64",
    params: times(17, "f64"),
    result: "f64",
    flat: [17, 1],
    lower: "(i32) -> (f64)",
    lift: "(i32) -> (f64)",
  },
  {
    name: "(17 × s8) -> tuple<s8, s8>",
    params: times(17, "s8"),
    result: tuple("s8", "s8"),
    flat: [17, 2],
    lower: "(i32 i32) -> ()",
    lift: "(i32) -> (i32)",
  },
  {
    name: "(u32) -> u32, no post-return",
    params: ["u32"],
    result: "u32",
    flat: [1, 1],
    lower: "(i32) -> (i32)",
    lift: "(i32) -> (i32)",
    postReturn: false,
  },
  {
    name: "(17 × u16) -> tuple<u16, u16>, no post-return",
    params: times(17, "u16"),
    result: tuple("u16", "u16"),
    flat: [17, 2],
    lower: "(i32 i32) -> ()",
    lift: "(i32) -> (i32)",
    postReturn: false,
  },

  // records and tuples
  {
    name: "(record { u8, f64 }) -> record { u8, f64 }",
    params: [record("u8", "f64")],
    result: record("u8", "f64"),
    flat: [2, 2],
    lower: "(i32 f64 i32) -> ()",
    lift: "(i32 f64) -> (i32)",
  },
  {
    name: "(record { s16, char, u64 }) -> ()",
    params: [record("s16", "char", "u64")],
    flat: [3, 0],
    lower: "(i32 i32 i64) -> ()",
    lift: "(i32 i32 i64) -> ()",
  },
  {
    name: "(tuple<s16, u64, f32>) -> tuple<bool>",
    params: [tuple("s16", "u64", "f32")],
    result: tuple("bool"),
    flat: [3, 1],
    lower: "(i32 i64 f32) -> (i32)",
    lift: "(i32 i64 f32) -> (i32)",
  },
  {
    name: "(record { u8, f64, char }, 14 × u32) -> u32 (spilled)",
    params: SPILLED_RECORD,
    result: "u32",
    flat: [17, 1],
    lower: "(i32) -> (i32)",
    lift: "(i32) -> (i32)",
    snapshot: "record_17_params",
  },

  // flags and enums
  {
    name: "(flags 3) -> flags 3",
    params: [flags(3)],
    result: flags(3),
    flat: [1, 1],
    lower: "(i32) -> (i32)",
    lift: "(i32) -> (i32)",
  },
  {
    name: "(flags 32) -> flags 9",
    params: [flags(32)],
    result: flags(9),
    flat: [1, 1],
    lower: "(i32) -> (i32)",
    lift: "(i32) -> (i32)",
  },
  {
    name: "(flags 33) -> flags 33",
    params: [flags(33)],
    result: flags(33),
    flat: [2, 2],
    lower: "(i32 i32 i32) -> ()",
    lift: "(i32 i32) -> (i32)",
  },
  {
    name: "(enum 3) -> enum 3",
    params: [enumOf(3)],
    result: enumOf(3),
    flat: [1, 1],
    lower: "(i32) -> (i32)",
    lift: "(i32) -> (i32)",
  },
  {
    name: "(enum 257) -> enum 257",
    params: [enumOf(257)],
    result: enumOf(257),
    flat: [1, 1],
    lower: "(i32) -> (i32)",
    lift: "(i32) -> (i32)",
  },

  // variants: joined payload slots
  {
    name: "(variant { u32, f32, _ }) -> variant { u32, f32, _ }",
    params: [variant("u32", "f32", undefined)],
    result: variant("u32", "f32", undefined),
    flat: [2, 2],
    lower: "(i32 i32 i32) -> ()",
    lift: "(i32 i32) -> (i32)",
  },
  {
    name: "(variant { s64, f32 }) -> ()",
    params: [variant("s64", "f32")],
    flat: [2, 0],
    lower: "(i32 i64) -> ()",
    lift: "(i32 i64) -> ()",
  },
  {
    name: "(variant { f64, f32 }) -> ()",
    params: [variant("f64", "f32")],
    flat: [2, 0],
    lower: "(i32 i64) -> ()",
    lift: "(i32 i64) -> ()",
  },
  {
    name: "(variant { f32, f32 }) -> ()",
    params: [variant("f32", "f32")],
    flat: [2, 0],
    lower: "(i32 f32) -> ()",
    lift: "(i32 f32) -> ()",
  },
  {
    name: "(variant { tuple<u32, u32>, f64, u8 }) -> ()",
    params: [variant(tuple("u32", "u32"), "f64", "u8")],
    flat: [3, 0],
    lower: "(i32 i64 i32) -> ()",
    lift: "(i32 i64 i32) -> ()",
  },
  {
    name: "(variant { _, _, _ }) -> variant { _, _, _ }",
    params: [variant(undefined, undefined, undefined)],
    result: variant(undefined, undefined, undefined),
    flat: [1, 1],
    lower: "(i32) -> (i32)",
    lift: "(i32) -> (i32)",
  },
  {
    name: "(u8) -> variant { u32, f32, _ } (returned through memory)",
    params: ["u8"],
    result: variant("u32", "f32", undefined),
    flat: [1, 2],
    lower: "(i32 i32) -> ()",
    lift: "(i32) -> (i32)",
    snapshot: "variant_result_memory",
  },

  // options and results
  {
    name: "(option<u8>) -> option<u8>",
    params: [option("u8")],
    result: option("u8"),
    flat: [2, 2],
    lower: "(i32 i32 i32) -> ()",
    lift: "(i32 i32) -> (i32)",
  },
  {
    name: "(option<f64>) -> ()",
    params: [option("f64")],
    flat: [2, 0],
    lower: "(i32 f64) -> ()",
    lift: "(i32 f64) -> ()",
  },
  {
    name: "(option<option<char>>) -> ()",
    params: [option(option("char"))],
    flat: [3, 0],
    lower: "(i32 i32 i32) -> ()",
    lift: "(i32 i32 i32) -> ()",
  },
  {
    name: "(result) -> result",
    params: [result()],
    result: result(),
    flat: [1, 1],
    lower: "(i32) -> (i32)",
    lift: "(i32) -> (i32)",
  },
  {
    name: "(result<u32, f32>) -> ()",
    params: [result("u32", "f32")],
    flat: [2, 0],
    lower: "(i32 i32) -> ()",
    lift: "(i32 i32) -> ()",
  },
  {
    name: "(result<_, char>) -> result<_, char>",
    params: [result(undefined, "char")],
    result: result(undefined, "char"),
    flat: [2, 2],
    lower: "(i32 i32 i32) -> ()",
    lift: "(i32 i32) -> (i32)",
  },
  {
    name: "(result<u64>, result<f64, f32>) -> ()",
    params: [result("u64"), result("f64", "f32")],
    flat: [4, 0],
    lower: "(i32 i64 i32 i64) -> ()",
    lift: "(i32 i64 i32 i64) -> ()",
  },

  // fixed-length lists
  {
    name: "(list<u8, 4>) -> list<u8, 4>",
    params: [list("u8", 4)],
    result: list("u8", 4),
    flat: [4, 4],
    lower: "(i32 i32 i32 i32 i32) -> ()",
    lift: "(i32 i32 i32 i32) -> (i32)",
  },
  {
    name: "(4 × list<u8, 4>) -> u8",
    params: times(4, list("u8", 4)),
    result: "u8",
    flat: [16, 1],
    lower: `(${rep(16, "i32")}) -> (i32)`,
    lift: `(${rep(16, "i32")}) -> (i32)`,
  },
  {
    name: "(4 × list<u8, 4>, bool) -> ()",
    params: [...times(4, list("u8", 4)), "bool"],
    flat: [17, 0],
    lower: "(i32) -> ()",
    lift: "(i32) -> ()",
  },
  {
    name: "(list<record { f32, f32 }, 2>) -> list<f64, 1>",
    params: [list(record("f32", "f32"), 2)],
    result: list("f64", 1),
    flat: [4, 1],
    lower: "(f32 f32 f32 f32) -> (f64)",
    lift: "(f32 f32 f32 f32) -> (f64)",
  },

  // nested
  {
    name: "(record { tuple<u8, option<char>>, list<u16, 2>, flags 9, enum 3 }) -> u8",
    params: [NESTED_RECORD],
    result: "u8",
    flat: [7, 1],
    lower: `(${rep(7, "i32")}) -> (i32)`,
    lift: `(${rep(7, "i32")}) -> (i32)`,
  },
  {
    name: "() -> option<result<variant { u64, _ }, enum 2>>",
    params: [],
    result: NESTED_OPTION,
    flat: [0, 4],
    lower: "(i32) -> ()",
    lift: "() -> (i32)",
  },
  {
    name: "(variant { record { f32, f64 }, list<s16, 3>, option<u64> }) -> ()",
    params: [NESTED_VARIANT],
    flat: [4, 0],
    lower: "(i32 i32 i64 i32) -> ()",
    lift: "(i32 i32 i64 i32) -> ()",
  },
  {
    name: "(tuple<record { bool, list<char, 2> }, result<flags 3, enum 2>>) -> same",
    params: [NESTED_TUPLE],
    result: NESTED_TUPLE,
    flat: [5, 5],
    lower: `(${rep(6, "i32")}) -> ()`,
    lift: `(${rep(5, "i32")}) -> (i32)`,
  },
  {
    name: "(17 × nested variant) -> nested option (spilled both ways)",
    params: [NESTED_VARIANT, NESTED_RECORD, NESTED_TUPLE, "s64"],
    result: NESTED_OPTION,
    flat: [17, 4],
    lower: "(i32 i32) -> ()",
    lift: "(i32) -> (i32)",
  },

  // 64-bit memories
  {
    name: "(17 × u32) -> (), callee memory64",
    params: times(17, "u32"),
    flat: [17, 0],
    lower: "(i32) -> ()",
    lift: "(i64) -> ()",
    lift64: true,
  },
  {
    name: "(17 × u32) -> (), caller memory64",
    params: times(17, "u32"),
    flat: [17, 0],
    lower: "(i64) -> ()",
    lift: "(i32) -> ()",
    lower64: true,
  },
  {
    name: "() -> tuple<u32, u32>, caller memory64",
    params: [],
    result: tuple("u32", "u32"),
    flat: [0, 2],
    lower: "(i64) -> ()",
    lift: "() -> (i32)",
    lower64: true,
  },
  {
    name: "() -> tuple<u32, u32>, callee memory64",
    params: [],
    result: tuple("u32", "u32"),
    flat: [0, 2],
    lower: "(i32) -> ()",
    lift: "() -> (i64)",
    lift64: true,
  },
  {
    name: "(16 × u32) -> option<u8>, callee memory64",
    params: times(16, "u32"),
    result: option("u8"),
    flat: [16, 2],
    lower: `(${rep(17, "i32")}) -> ()`,
    lift: `(${rep(16, "i32")}) -> (i64)`,
    lift64: true,
  },
  {
    name: "(u8) -> variant { u64, f32, _ }, caller memory64",
    params: ["u8"],
    result: variant("u64", "f32", undefined),
    flat: [1, 2],
    lower: "(i32 i64) -> ()",
    lift: "(i32) -> (i32)",
    lower64: true,
  },
  {
    name: "(17 × u64) -> record { u8, f64 }, both memory64",
    params: times(17, "u64"),
    result: record("u8", "f64"),
    flat: [17, 2],
    lower: "(i64 i64) -> ()",
    lift: "(i64) -> (i64)",
    lower64: true,
    lift64: true,
  },
  {
    name: "(17 × nested) -> nested option, caller memory64",
    params: [NESTED_VARIANT, NESTED_RECORD, NESTED_TUPLE, "s64"],
    result: NESTED_OPTION,
    flat: [17, 4],
    lower: "(i64 i64) -> ()",
    lift: "(i32) -> (i32)",
    lower64: true,
  },
  {
    name: "(f32) -> f32, both memory64 (no memory needed)",
    params: ["f32"],
    result: "f32",
    flat: [1, 1],
    lower: "(f32) -> (f32)",
    lift: "(f32) -> (f32)",
    lower64: true,
    lift64: true,
  },

  // adapters that only trap
  {
    name: "(u32) -> u32, always trap",
    params: ["u32"],
    result: "u32",
    flat: [1, 1],
    lower: "(i32) -> (i32)",
    lift: "(i32) -> (i32)",
    alwaysTrap: true,
    snapshot: "always_trap",
  },
  {
    name: "() -> (), always trap",
    params: [],
    flat: [0, 0],
    lower: "() -> ()",
    lift: "() -> ()",
    alwaysTrap: true,
  },
  {
    name: "(17 × u32) -> tuple<u32, u32>, caller memory64, always trap",
    params: times(17, "u32"),
    result: tuple("u32", "u32"),
    flat: [17, 2],
    lower: "(i64 i64) -> ()",
    lift: "(i32) -> (i32)",
    lower64: true,
    alwaysTrap: true,
  },
];

// ---------------------------------------------------------------------------
// graphs and expectations

// Component instances: 0 the root, 1 the callee (lifts), 2 the caller (lowers).
// Memory 0 and realloc 0 are the callee's, memory 1 and realloc 1 the caller's.
const LIFT_INSTANCE = 1;
const LOWER_INSTANCE = 2;
const CALLEE = { kind: "export", instance: 0, name: "f" } as const;

const spillsParams = (row: Row) => row.flat[0] > 16;
const spillsResults = (row: Row) => row.flat[1] > 1;
/** Both sides need a memory when anything travels through memory (same type on both sides). */
const needsMemory = (row: Row) => spillsParams(row) || spillsResults(row);

/**
 * One adapter of the row's type between instances 2 (lowers) and 1 (lifts).
 * `options` "minimal": the canonical options the signature requires (a
 * memory where something travels through memory, the callee's realloc when
 * the parameters do); "every": both memories and reallocs regardless.
 */
function graphFor(row: Row, options: "minimal" | "every"): ComponentDfg {
  const every = options === "every";
  const ft: TypeFunc = {
    kind: "func",
    async: false,
    params: row.params.map((type, i) => ({ name: `p${i}`, type })),
    ...(row.result === undefined ? {} : { result: row.result }),
  };
  const dfg = emptyDfg();
  dfg.componentInstances.push({}, { parent: 0 }, { parent: 0 });
  dfg.memories.push(
    { export: { instance: 0, name: "mem" }, memory64: row.lift64 === true },
    { export: { instance: 1, name: "mem" }, memory64: row.lower64 === true },
  );
  dfg.reallocs.push({ kind: "export", instance: 0, name: "realloc" });
  dfg.reallocs.push({ kind: "export", instance: 1, name: "realloc" });
  dfg.postReturns.push({ kind: "export", instance: 0, name: "post" });
  const memory = every || needsMemory(row);
  const lift: AdapterOptions = {
    instance: LIFT_INSTANCE,
    stringEncoding: "utf8",
    memory64: memory && row.lift64 === true,
    ...(memory ? { memory: 0 } : {}),
    ...(every || spillsParams(row) ? { realloc: 0 } : {}),
    ...(row.postReturn === false ? {} : { postReturn: 0 }),
  };
  const lower: AdapterOptions = {
    instance: LOWER_INSTANCE,
    stringEncoding: "utf8",
    memory64: memory && row.lower64 === true,
    ...(memory ? { memory: 1 } : {}),
    ...(every ? { realloc: 1 } : {}),
  };
  const adapter: Adapter = {
    liftType: ft,
    liftOptions: lift,
    lowerType: ft,
    lowerOptions: lower,
    func: CALLEE,
    alwaysTrap: row.alwaysTrap === true,
  };
  dfg.adapters.push(adapter);
  return dfg;
}

/** An expected import: names, binding, and its type as {@link describeImport} prints it. */
interface Expected extends AdapterImport {
  readonly type: string;
}

function splitSig(sig: string): [params: string, results: string] {
  const m = /^\((.*)\) -> \((.*)\)$/.exec(sig);
  assert.ok(m, `malformed signature ${sig}`);
  return [m[1], m[2]];
}

/** The imports an adapter of `row` needs, in the order of first use (adapter.ts's layout). */
function expectedImports(row: Row): Expected[] {
  const trap: Expected = {
    module: "runtime",
    name: "trap",
    binding: { kind: "trap" },
    type: "func (i32) -> ()",
  };
  if (row.alwaysTrap) return [trap];
  const out: Expected[] = [];
  // import names are numbered in the module, in the order of first use
  const flagsOf = (instance: number, n: number): Expected => ({
    module: "flags",
    name: `f${n}`,
    binding: { kind: "flags", instance },
    type: "global mut i32",
  });
  const memoryOf = (memory: number, memory64: boolean | undefined, n: number): Expected => ({
    module: "memory",
    name: `m${n}`,
    binding: { kind: "memory", memory },
    type: memory64 ? "memory64" : "memory",
  });
  // 1. the caller's flags; 2. the callee's flags, the memories, the trap, the realloc
  out.push(flagsOf(LOWER_INSTANCE, 0), flagsOf(LIFT_INSTANCE, 1));
  if (needsMemory(row)) out.push(memoryOf(1, row.lower64, 0), memoryOf(0, row.lift64, 1));
  out.push(trap);
  if (spillsParams(row)) {
    const p = row.lift64 ? "i64" : "i32";
    out.push({
      module: "realloc",
      name: "r0",
      binding: { kind: "realloc", realloc: 0 },
      type: `func (${rep(4, p)}) -> (${p})`,
    });
  }
  // 3. the callee; 5. post-return, with the callee's raw results
  out.push({
    module: "callee",
    name: "c0",
    binding: { kind: "callee", def: CALLEE },
    type: `func ${row.lift}`,
  });
  if (row.postReturn !== false) {
    out.push({
      module: "post_return",
      name: "p0",
      binding: { kind: "post-return", postReturn: 0 },
      type: `func (${splitSig(row.lift)[1]}) -> ()`,
    });
  }
  return out;
}

function sigToString(t: CoreFuncType): string {
  return `(${t.params.join(" ")}) -> (${t.results.join(" ")})`;
}

function describeImport(info: ReturnType<typeof decodeModule>, imp: CoreImport): string {
  const t = imp.type;
  switch (t.kind) {
    case "func": {
      const ft = info.types[t.type].type;
      assert.equal(ft.kind, "func");
      return `func ${sigToString(ft as CoreFuncType)}`;
    }
    case "memory":
      return t.memory64 ? "memory64" : "memory";
    case "global":
      return `global ${t.mutable ? "mut " : ""}${t.type}`;
    default:
      return t.kind;
  }
}

/** The kind `WebAssembly.Module.imports` reports for an import described as `type`. */
const jsKind = (type: string) =>
  type.startsWith("func") ? "function" : type.startsWith("memory") ? "memory" : "global";

/** Build, validate and check the imports and export of one row's adapter module. */
function check(row: Row, options: "minimal" | "every"): void {
  const dfg = graphFor(row, options);
  const m = buildAdapterModule(dfg, { index: 0, adapters: [0] });
  validateAdapterModule(m, dfg);
  assert.equal(m.index, 0);
  assert.deepEqual(m.adapters, [0]);
  assert.deepEqual([...m.exports], [[0, "adapter0"]]);

  // imports: bindings, then the types the module declares for them. With
  // every option given, a memory the signature does not use may be imported
  // too (as Wasmtime does); nothing else may.
  const info = decodeModule(m.bytes, 0);
  const expected = expectedImports(row);
  const memoryUsed = needsMemory(row) && !row.alwaysTrap;
  const used = (imp: AdapterImport) =>
    options === "minimal" || imp.binding.kind !== "memory" || memoryUsed;
  const actual = m.imports.map((imp, i) => ({
    ...imp,
    type: describeImport(info, info.imports[i]),
  })).filter(used);
  assert.deepEqual(actual, expected);

  const mod = new WebAssembly.Module(m.bytes);
  assert.deepEqual(
    WebAssembly.Module.imports(mod).filter((_, i) => used(m.imports[i])),
    expected.map((e) => ({
      module: e.module,
      name: e.name,
      kind: jsKind(e.type),
    })),
  );

  // the export: the caller's core signature
  assert.deepEqual(WebAssembly.Module.exports(mod), [{ name: "adapter0", kind: "function" }]);
  const exp = info.exports.find((e) => e.name === "adapter0");
  assert.ok(exp !== undefined && exp.kind === "func");
  const type = info.types[info.funcs[exp.index]].type;
  assert.equal(type.kind, "func");
  assert.equal(sigToString(type as CoreFuncType), row.lower);
}

// ---------------------------------------------------------------------------
// the tests

Deno.test("the signature table covers every supported type and each parameter/result count", () => {
  const kinds = new Set<string>();
  const walk = (t: InterfaceType): void => {
    if (typeof t === "string") {
      kinds.add(t);
      return;
    }
    kinds.add(t.kind === "list" ? `list ${t.length}` : t.kind);
    switch (t.kind) {
      case "record":
        return t.fields.forEach((f) => walk(f.type));
      case "tuple":
        return t.types.forEach(walk);
      case "list":
      case "option":
        return walk(t.kind === "list" ? t.element : t.type);
      case "variant":
        return t.cases.forEach((c) => c.type && walk(c.type));
      case "result":
        if (t.ok) walk(t.ok);
        if (t.err) walk(t.err);
    }
  };
  for (const row of ROWS) {
    row.params.forEach(walk);
    if (row.result) walk(row.result);
  }
  for (const k of [...SCALARS.map(([t]) => t), "record", "tuple", "flags", "enum", "variant"]) {
    assert.ok(kinds.has(k), k);
  }
  for (const k of ["option", "result", "list 4"]) assert.ok(kinds.has(k), k);
  for (const p of [0, 1, 16, 17]) {
    for (const r of [0, 1, 2]) {
      assert.ok(ROWS.some((row) => row.flat[0] === p && row.flat[1] === r), `${p} -> ${r}`);
    }
  }
  for (const side of ["lower64", "lift64"] as const) {
    for (const spill of [spillsParams, spillsResults]) {
      assert.ok(ROWS.some((row) => row[side] && spill(row)), `${side} ${spill.name}`);
    }
  }
  // the hand counts agree with the ABI's flattening
  for (const row of ROWS) {
    const params = row.params.flatMap((t) => flattenType(t)).length;
    const results = row.result === undefined ? 0 : flattenType(row.result).length;
    assert.deepEqual([params, results], row.flat, row.name);
  }
  assert.equal(new Set(ROWS.map((r) => r.name)).size, ROWS.length, "row names are unique");
});

for (const row of ROWS) {
  Deno.test(`signature ${row.name}`, () => {
    check(row, "minimal");
    check(row, "every");
  });
}

const UPDATE = Deno.env.get("UPDATE_SNAPSHOTS") === "1";

for (const row of ROWS) {
  if (row.snapshot === undefined) continue;
  Deno.test(`snapshot ${row.snapshot}.wat: ${row.name}`, async () => {
    const dfg = graphFor(row, "minimal");
    const text = adapterModuleWat(dfg, { index: 0, adapters: [0] });
    const file = new URL(`./snapshots/${row.snapshot}.wat`, import.meta.url);
    if (UPDATE) {
      await Deno.mkdir(new URL("./snapshots/", import.meta.url), { recursive: true });
      await Deno.writeTextFile(file, text);
      return;
    }
    let want: string;
    try {
      want = await Deno.readTextFile(file);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        assert.fail(`no snapshot ${file.pathname}: run with UPDATE_SNAPSHOTS=1 to create it`);
      }
      throw e;
    }
    assert.equal(text, want, `${row.snapshot}.wat is out of date (UPDATE_SNAPSHOTS=1 rewrites it)`);
  });
}
