/**
 * Canonical ABI layout of value types: flattening to core types, size and
 * alignment in linear memory, discriminant widths (CanonicalABI.md,
 * "Flattening", "Element Size", "Alignment").
 *
 * Flags are laid out in as many 32-bit words as they need, as Wasmtime did;
 * the type resolver refuses more than 32 flags, the spec's rule now, so
 * every flags type takes 1, 2 or 4 bytes.
 *
 * @module
 */

import type { PrimitiveValType } from "../parse/items.ts";
import type { InterfaceType, TypeFunc } from "./model.ts";

/** The flat core types that component values travel as. */
export type FlatType = "i32" | "i64" | "f32" | "f64";

/** Most flat parameters passed directly; more go through memory. */
export const MAX_FLAT_PARAMS = 16;
/** Most flat results returned directly; more go through memory. */
export const MAX_FLAT_RESULTS = 1;
/** Most flat parameters an `async` lower passes directly; more go through memory. */
export const MAX_FLAT_ASYNC_PARAMS = 4;

/** The two ways a function type is flattened. */
export type FlattenContext = "lift" | "lower";

/** A flattened core function signature. */
export interface FlatSignature {
  /** Core parameter types. */
  readonly params: readonly FlatType[];
  /** Core result types. */
  readonly results: readonly FlatType[];
  /** Whether the parameters were spilled into memory (one pointer). */
  readonly paramsInMemory: boolean;
  /** Whether the results were spilled into memory (a returned or passed pointer). */
  readonly resultsInMemory: boolean;
}

function join(a: FlatType, b: FlatType): FlatType {
  if (a === b) return a;
  if ((a === "i32" && b === "f32") || (a === "f32" && b === "i32")) return "i32";
  return "i64";
}

/**
 * The core type of a variant's discriminant, from its case count.
 * @param cases Number of cases.
 * @returns `u8`, `u16` or `u32` as a byte size (1, 2 or 4).
 */
export function discriminantSize(cases: number): 1 | 2 | 4 {
  return cases <= 0x100 ? 1 : cases <= 0x10000 ? 2 : 4;
}

/**
 * Number of 32-bit words a flags type occupies when flattened.
 * @param n Number of flags.
 * @returns The word count (at least 1 for n > 0).
 */
export function flagsWords(n: number): number {
  return Math.ceil(n / 32);
}

/**
 * The case payloads of a variant-like type (variant, option, result), in
 * case order; `undefined` for any other type.
 * @param t The type.
 * @returns The payload types (`undefined` for a case without one).
 */
export function variantCases(t: InterfaceType): (InterfaceType | undefined)[] | undefined {
  if (typeof t === "string") return undefined;
  switch (t.kind) {
    case "variant":
      return t.cases.map((c) => c.type);
    case "option":
      return [undefined, t.type];
    case "result":
      return [t.ok, t.err];
    default:
      return undefined;
  }
}

/**
 * How many flat values {@link flattenType} computes at most: one more than
 * any use needs (more than {@link MAX_FLAT_PARAMS} go through memory), so a
 * fixed-length list of 2^30 elements costs 17 steps, not 2^30.
 */
export const FLAT_CAP = MAX_FLAT_PARAMS + 1;

/**
 * Flatten a value type into core types, stopping once there are more than
 * {@link MAX_FLAT_PARAMS} of them (a value that large travels through
 * memory; its flat types are never used).
 * @param t The type.
 * @param ptr The pointer type of the memory used (`i64` for memory64).
 * @param out Where to append.
 * @returns `out` (at most {@link FLAT_CAP} long).
 */
export function flattenType(
  t: InterfaceType,
  ptr: "i32" | "i64" = "i32",
  out: FlatType[] = [],
): FlatType[] {
  if (out.length >= FLAT_CAP) return out;
  if (typeof t === "string") {
    switch (t) {
      case "s64":
      case "u64":
        out.push("i64");
        break;
      case "f32":
        out.push("f32");
        break;
      case "f64":
        out.push("f64");
        break;
      case "string":
        out.push(ptr, ptr);
        break;
      default:
        out.push("i32");
    }
    return out;
  }
  switch (t.kind) {
    case "list":
      if (t.length === undefined) out.push(ptr, ptr);
      else {for (let i = 0; i < t.length && out.length < FLAT_CAP; i++) {
          flattenType(t.element, ptr, out);
        }}
      return out;
    case "record":
      for (const f of t.fields) if (flattenType(f.type, ptr, out).length >= FLAT_CAP) break;
      return out;
    case "tuple":
      for (const e of t.types) if (flattenType(e, ptr, out).length >= FLAT_CAP) break;
      return out;
    case "flags":
      for (let i = flagsWords(t.names.length); i > 0 && out.length < FLAT_CAP; i--) out.push("i32");
      return out;
    case "enum":
    case "own":
    case "borrow":
    case "stream":
    case "future":
      out.push("i32");
      return out;
    case "map":
      out.push(ptr, ptr);
      return out;
    case "variant":
    case "option":
    case "result": {
      const joined: FlatType[] = [];
      for (const c of variantCases(t)!) {
        if (c === undefined) continue;
        const flat = flattenType(c, ptr);
        for (let i = 0; i < flat.length; i++) {
          joined[i] = i < joined.length ? join(joined[i], flat[i]) : flat[i];
        }
      }
      out.push("i32");
      for (const j of joined) if (out.length < FLAT_CAP) out.push(j);
      return out;
    }
  }
}

/**
 * Flatten a function type into its core signature (sync ABI).
 * @param ft The function type.
 * @param context `lift` (the callee's signature) or `lower` (the caller's).
 * @param ptr The pointer type of the memory option.
 * @returns The signature.
 */
export function flattenFuncType(
  ft: TypeFunc,
  context: FlattenContext,
  ptr: "i32" | "i64" = "i32",
): FlatSignature {
  // worked out once per type and context (types are shared and immutable; so is the result)
  let memo = funcSignatures.get(ft);
  if (memo === undefined) funcSignatures.set(ft, memo = []);
  const slot = (context === "lift" ? 0 : 2) + (ptr === "i64" ? 1 : 0);
  return memo[slot] ??= flattenFuncTypeNow(ft, context, ptr);
}

const funcSignatures = new WeakMap<TypeFunc, FlatSignature[]>();

function flattenFuncTypeNow(
  ft: TypeFunc,
  context: FlattenContext,
  ptr: "i32" | "i64",
): FlatSignature {
  let params: FlatType[] = [];
  for (const p of ft.params) flattenType(p.type, ptr, params);
  let results: FlatType[] = ft.result === undefined ? [] : flattenType(ft.result, ptr);
  const paramsInMemory = params.length > MAX_FLAT_PARAMS;
  if (paramsInMemory) params = [ptr];
  const resultsInMemory = results.length > MAX_FLAT_RESULTS;
  if (resultsInMemory) {
    if (context === "lift") results = [ptr];
    else {
      params.push(ptr);
      results = [];
    }
  }
  return { params, results, paramsInMemory, resultsInMemory };
}

/**
 * Flatten a function type for an `async` lift or lower
 * (CanonicalABI.md, `flatten_functype` with `async`). An async lift takes
 * its parameters as a sync lift does and returns nothing (its result goes
 * through `task.return`), or the callback code when it has a `callback`.
 * An async lower passes up to 4 flat parameters, else a pointer, then a
 * return pointer when there is a result, and returns the subtask status.
 * @param ft The function type.
 * @param context `lift` (the callee's signature) or `lower` (the caller's).
 * @param ptr The pointer type of the memory option.
 * @param callback Whether the lift has a `callback` option.
 * @returns The signature; `resultsInMemory` means "through the return pointer".
 */
export function flattenAsyncFuncType(
  ft: TypeFunc,
  context: FlattenContext,
  ptr: "i32" | "i64" = "i32",
  callback = false,
): FlatSignature {
  let params: FlatType[] = [];
  for (const p of ft.params) flattenType(p.type, ptr, params);
  const max = context === "lift" ? MAX_FLAT_PARAMS : MAX_FLAT_ASYNC_PARAMS;
  const paramsInMemory = params.length > max;
  if (paramsInMemory) params = [ptr];
  if (context === "lift") {
    return { params, results: callback ? ["i32"] : [], paramsInMemory, resultsInMemory: false };
  }
  const resultsInMemory = ft.result !== undefined;
  if (resultsInMemory) params.push(ptr);
  return { params, results: ["i32"], paramsInMemory, resultsInMemory };
}

/** Size (and alignment) of a scalar primitive: everything but `string`. */
function primitiveSize(t: PrimitiveValType): 1 | 2 | 4 | 8 {
  switch (t) {
    case "bool":
    case "s8":
    case "u8":
      return 1;
    case "s16":
    case "u16":
      return 2;
    case "s64":
    case "u64":
    case "f64":
      return 8;
    default:
      return 4; // s32, u32, f32, char, error-context
  }
}

/** The largest alignment of some types (1 for none): a loop, so any number of members is fine. */
function maxAlignment(types: readonly InterfaceType[], ptrSize: 4 | 8): number {
  let a = 1;
  for (const m of types) a = Math.max(a, alignment(m, ptrSize));
  return a;
}

/**
 * Alignment in linear memory.
 * @param t The type.
 * @param ptrSize Pointer size in bytes (4, or 8 for memory64).
 * @returns The alignment in bytes.
 */
export function alignment(t: InterfaceType, ptrSize: 4 | 8 = 4): number {
  if (typeof t === "string") return t === "string" ? ptrSize : primitiveSize(t);
  const cache = alignments[ptrSize];
  let a = cache.get(t);
  if (a === undefined) cache.set(t, a = computeAlignment(t, ptrSize));
  return a;
}

// computed once per type object: types share their parts, so a tree walk would repeat itself
const alignments = { 4: new WeakMap<object, number>(), 8: new WeakMap<object, number>() };
const sizes = { 4: new WeakMap<object, number>(), 8: new WeakMap<object, number>() };

function computeAlignment(t: Exclude<InterfaceType, string>, ptrSize: 4 | 8): number {
  switch (t.kind) {
    case "list":
      return t.length === undefined ? ptrSize : alignment(t.element, ptrSize);
    case "map":
      return ptrSize;
    case "record":
      return maxAlignment(t.fields.map((f) => f.type), ptrSize);
    case "tuple":
      return maxAlignment(t.types, ptrSize);
    case "flags": {
      const n = t.names.length;
      return n <= 8 ? 1 : n <= 16 ? 2 : 4;
    }
    case "enum":
      return discriminantSize(t.names.length);
    case "variant":
    case "option":
    case "result": {
      const cases = variantCases(t)!;
      let a: number = discriminantSize(cases.length);
      for (const c of cases) if (c !== undefined) a = Math.max(a, alignment(c, ptrSize));
      return a;
    }
    default:
      return 4;
  }
}

function alignTo(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * Size in linear memory.
 * @param t The type.
 * @param ptrSize Pointer size in bytes (4, or 8 for memory64).
 * @returns The size in bytes.
 */
export function elemSize(t: InterfaceType, ptrSize: 4 | 8 = 4): number {
  if (typeof t === "string") return t === "string" ? 2 * ptrSize : primitiveSize(t);
  const cache = sizes[ptrSize];
  let n = cache.get(t);
  if (n === undefined) cache.set(t, n = computeSize(t, ptrSize));
  return n;
}

function computeSize(t: Exclude<InterfaceType, string>, ptrSize: 4 | 8): number {
  switch (t.kind) {
    case "list":
      return t.length === undefined ? 2 * ptrSize : t.length * elemSize(t.element, ptrSize);
    case "map":
      return 2 * ptrSize;
    case "record":
    case "tuple": {
      const members = t.kind === "record" ? t.fields.map((f) => f.type) : t.types;
      let s = 0;
      for (const m of members) s = alignTo(s, alignment(m, ptrSize)) + elemSize(m, ptrSize);
      return alignTo(s, alignment(t, ptrSize));
    }
    case "flags": {
      const n = t.names.length;
      return n <= 8 ? 1 : n <= 16 ? 2 : 4 * flagsWords(n);
    }
    case "enum":
      return discriminantSize(t.names.length);
    case "variant":
    case "option":
    case "result": {
      const cases = variantCases(t)!;
      let s: number = discriminantSize(cases.length);
      let maxCase = 0;
      let maxAlign = 1;
      for (const c of cases) {
        if (c === undefined) continue;
        maxCase = Math.max(maxCase, elemSize(c, ptrSize));
        maxAlign = Math.max(maxAlign, alignment(c, ptrSize));
      }
      s = alignTo(s, maxAlign) + maxCase;
      return alignTo(s, alignment(t, ptrSize));
    }
    default:
      return 4;
  }
}

/**
 * Whether a type transitively contains a `string` or a (variable-length) `list`:
 * the values that live in linear memory and need `memory` (and `realloc`).
 * @param t The type.
 * @returns `true` when it does.
 */
export function containsMemoryValues(t: InterfaceType | undefined): boolean {
  return t !== undefined && some(t, (u) =>
    u === "string" || (typeof u !== "string" &&
      ((u.kind === "list" && u.length === undefined) || u.kind === "map")));
}

/**
 * Whether `pred` holds for `t` or any type inside it (depth-first).
 * @param t The type.
 * @param pred The test.
 * @returns Whether any part of `t` satisfies `pred`.
 */
export function some(t: InterfaceType, pred: (t: InterfaceType) => boolean): boolean {
  if (pred(t)) return true;
  if (typeof t === "string") return false;
  switch (t.kind) {
    case "record":
      return t.fields.some((f) => some(f.type, pred));
    case "variant":
      return t.cases.some((c) => c.type !== undefined && some(c.type, pred));
    case "list":
      return some(t.element, pred);
    case "tuple":
      return t.types.some((e) => some(e, pred));
    case "option":
      return some(t.type, pred);
    case "result":
      return (t.ok !== undefined && some(t.ok, pred)) || (t.err !== undefined && some(t.err, pred));
    case "stream":
    case "future":
      return t.element !== undefined && some(t.element, pred);
    case "map":
      return some(t.key, pred) || some(t.value, pred);
    default:
      return false;
  }
}
