/**
 * Type matching for instantiation: is the argument's type a subtype of what
 * the component imports? Value and function types must be equal (with equal
 * names); instance, component and module types may export more and import
 * less (Explainer.md, "Type Checking"). Resource types are compared by
 * identity, after binding the abstract `(sub resource)` types an expected
 * type declares to the argument's actual resources, in declaration order.
 *
 * Each check returns `undefined` when the types match, or the reason they do not.
 *
 * @module
 */

import type { CoreSubType, CoreValType } from "../parse/items.ts";
import {
  type AnyType,
  type CoreEntityType,
  type ExternDesc,
  type InterfaceType,
  type TypeComponent,
  type TypeFunc,
  type TypeInstance,
  type TypeModule,
  type TypeResource,
  typeToString,
} from "./model.ts";

/**
 * A noun with its indefinite article.
 * @param noun The noun.
 * @returns `a func`, `an instance`, ...
 */
export function an(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** Abstract resources of an expected type, bound to the actual ones as matching proceeds. */
export type Bindings = Map<TypeResource, TypeResource>;

function resourceMatches(actual: TypeResource, expected: TypeResource, b: Bindings): boolean {
  return actual === (b.get(expected) ?? expected);
}

/**
 * Whether two value types are equal.
 * @param actual The argument's type.
 * @param expected The declared type.
 * @param b Bindings of abstract resources.
 * @returns `undefined` when equal, else the reason.
 */
export function matchValType(
  actual: InterfaceType,
  expected: InterfaceType,
  b: Bindings = new Map(),
): string | undefined {
  if (actual === expected) return undefined;
  const fail = () => `expected \`${typeToString(expected)}\`, found \`${typeToString(actual)}\``;
  if (typeof actual === "string" || typeof expected === "string") return fail();
  if (actual.kind !== expected.kind) return fail();
  const sub = (x: InterfaceType | undefined, y: InterfaceType | undefined, what: string) => {
    if (x === undefined || y === undefined) return x === y ? undefined : `${what}: ${fail()}`;
    const r = matchValType(x, y, b);
    return r === undefined ? undefined : `${what}: ${r}`;
  };
  switch (expected.kind) {
    case "record": {
      const a = actual as typeof expected;
      if (a.fields.length !== expected.fields.length) return fail();
      for (let i = 0; i < a.fields.length; i++) {
        if (a.fields[i].name !== expected.fields[i].name) return fail();
        const r = sub(a.fields[i].type, expected.fields[i].type, `field \`${a.fields[i].name}\``);
        if (r) return r;
      }
      return undefined;
    }
    case "variant": {
      const a = actual as typeof expected;
      if (a.cases.length !== expected.cases.length) return fail();
      for (let i = 0; i < a.cases.length; i++) {
        if (a.cases[i].name !== expected.cases[i].name) return fail();
        const r = sub(a.cases[i].type, expected.cases[i].type, `case \`${a.cases[i].name}\``);
        if (r) return r;
      }
      return undefined;
    }
    case "list": {
      const a = actual as typeof expected;
      if (a.length !== expected.length) return fail();
      return sub(a.element, expected.element, "list element");
    }
    case "tuple": {
      const a = actual as typeof expected;
      if (a.types.length !== expected.types.length) return fail();
      for (let i = 0; i < a.types.length; i++) {
        const r = sub(a.types[i], expected.types[i], `tuple element ${i}`);
        if (r) return r;
      }
      return undefined;
    }
    case "flags":
    case "enum": {
      const a = actual as typeof expected;
      return a.names.length === expected.names.length &&
          a.names.every((n, i) => n === expected.names[i])
        ? undefined
        : fail();
    }
    case "option":
      return sub((actual as typeof expected).type, expected.type, "option payload");
    case "result": {
      const a = actual as typeof expected;
      return sub(a.ok, expected.ok, "result ok") ?? sub(a.err, expected.err, "result err");
    }
    case "own":
    case "borrow":
      return resourceMatches((actual as typeof expected).resource, expected.resource, b)
        ? undefined
        : fail();
    case "stream":
    case "future":
      return sub((actual as typeof expected).element, expected.element, `${expected.kind} element`);
    case "map": {
      const a = actual as typeof expected;
      return sub(a.key, expected.key, "map key") ?? sub(a.value, expected.value, "map value");
    }
  }
}

/**
 * Whether two function types are equal (names, types, async-ness).
 * @param actual The argument's type.
 * @param expected The declared type.
 * @param b Bindings of abstract resources.
 * @returns `undefined` when equal, else the reason.
 */
export function matchFuncType(
  actual: TypeFunc,
  expected: TypeFunc,
  b: Bindings = new Map(),
): string | undefined {
  if (actual === expected) return undefined;
  const both = () => `expected \`${typeToString(expected)}\`, found \`${typeToString(actual)}\``;
  if (actual.async !== expected.async) return both();
  if (actual.params.length !== expected.params.length) return both();
  for (let i = 0; i < actual.params.length; i++) {
    const a = actual.params[i];
    const e = expected.params[i];
    if (a.name !== e.name) return `parameter ${i} is named \`${a.name}\`, expected \`${e.name}\``;
    const r = matchValType(a.type, e.type, b);
    if (r) return `parameter \`${e.name}\`: ${r}`;
  }
  if ((actual.result === undefined) !== (expected.result === undefined)) return both();
  if (actual.result !== undefined) {
    const r = matchValType(actual.result, expected.result!, b);
    if (r) return `result: ${r}`;
  }
  return undefined;
}

/**
 * Whether a type (of a `type` import/export) matches the declared one: an
 * abstract `(sub resource)` accepts any resource (and is bound to it);
 * anything else must be equal.
 * @param actual The argument's type.
 * @param expected The declared type.
 * @param b Bindings of abstract resources.
 * @returns `undefined` when it matches, else the reason.
 */
export function matchType(
  actual: AnyType,
  expected: AnyType,
  b: Bindings = new Map(),
): string | undefined {
  if (typeof expected !== "string" && expected.kind === "resource") {
    if (typeof actual === "string" || actual.kind !== "resource") {
      return `expected a resource type, found \`${typeToString(actual)}\``;
    }
    const bound = b.get(expected);
    if (bound !== undefined) return bound === actual ? undefined : `resource types differ`;
    if (expected.origin === "abstract") {
      b.set(expected, actual);
      return undefined;
    }
    return actual === expected
      ? undefined
      : `expected resource \`${typeToString(expected)}\`, found \`${typeToString(actual)}\``;
  }
  if (typeof actual !== "string" && typeof expected !== "string") {
    if (actual.kind === "func" && expected.kind === "func") {
      return matchFuncType(actual, expected, b);
    }
    if (actual.kind === "instance" && expected.kind === "instance") {
      return matchInstanceType(actual, expected, b);
    }
    if (actual.kind === "component" && expected.kind === "component") {
      return matchComponentType(actual, expected, b);
    }
    if (["func", "instance", "component", "resource"].includes(actual.kind)) {
      return `expected \`${typeToString(expected)}\`, found \`${typeToString(actual)}\``;
    }
  }
  return matchValType(actual as InterfaceType, expected as InterfaceType, b);
}

/**
 * Whether an extern (import/export) type matches the declared one.
 * @param actual The argument's described type.
 * @param expected The declared type.
 * @param b Bindings of abstract resources.
 * @returns `undefined` when it matches, else the reason.
 */
export function matchExtern(
  actual: ExternDesc,
  expected: ExternDesc,
  b: Bindings = new Map(),
): string | undefined {
  if (actual.kind !== expected.kind) {
    return `expected ${an(expected.kind)}, found ${an(actual.kind)}`;
  }
  switch (expected.kind) {
    case "func":
      return matchFuncType((actual as typeof expected).type, expected.type, b);
    case "instance":
      return matchInstanceType((actual as typeof expected).type, expected.type, b);
    case "component":
      return matchComponentType((actual as typeof expected).type, expected.type, b);
    case "module":
      return matchModuleType((actual as typeof expected).type, expected.type);
    case "type":
      return matchType((actual as typeof expected).type, expected.type, b);
    case "value":
      return matchValType((actual as typeof expected).type, expected.type, b);
  }
}

/**
 * Instance subtyping: every declared export must exist and match; more is fine.
 * @param actual The argument's instance type.
 * @param expected The declared instance type.
 * @param b Bindings of abstract resources.
 * @returns `undefined` when it matches, else the reason.
 */
export function matchInstanceType(
  actual: TypeInstance,
  expected: TypeInstance,
  b: Bindings = new Map(),
): string | undefined {
  for (const [name, e] of expected.exports) {
    const a = actual.exports.get(name);
    if (a === undefined) return `missing export \`${name}\``;
    const r = matchExtern(a, e, b);
    if (r) return `export \`${name}\`: ${r}`;
  }
  return undefined;
}

/**
 * Component subtyping: it may import less (each of its imports must be
 * declared, contravariantly) and export more. A component defined in the
 * binary has no computed type (`untyped`): it matches, and is checked when
 * it is instantiated.
 * @param actual The argument's component type.
 * @param expected The declared component type.
 * @param b Bindings of abstract resources.
 * @returns `undefined` when it matches, else the reason.
 */
export function matchComponentType(
  actual: TypeComponent,
  expected: TypeComponent,
  b: Bindings = new Map(),
): string | undefined {
  if (actual.untyped || expected.untyped) return undefined;
  for (const [name, a] of actual.imports) {
    const e = expected.imports.get(name);
    if (e === undefined) return `imports \`${name}\`, which is not declared`;
    const r = matchExtern(e, a, b);
    if (r) return `import \`${name}\`: ${r}`;
  }
  // exports: the same width subtyping as instances
  return matchInstanceType(
    { kind: "instance", exports: actual.exports },
    { kind: "instance", exports: expected.exports },
    b,
  );
}

function sameCoreVal(a: CoreValType, b: CoreValType): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  return a.nullable === b.nullable && a.heap === b.heap;
}

/**
 * Whether two core function signatures are equal.
 * @param a One signature.
 * @param b The other.
 * @returns `true` when the parameter and result types are the same.
 */
export function sameCoreSignature(
  a: { readonly params: readonly CoreValType[]; readonly results: readonly CoreValType[] },
  b: { readonly params: readonly CoreValType[]; readonly results: readonly CoreValType[] },
): boolean {
  if (a === b) return true;
  const { params, results } = a;
  if (params.length !== b.params.length || results.length !== b.results.length) return false;
  for (let i = 0; i < params.length; i++) if (!sameCoreVal(params[i], b.params[i])) return false;
  for (let i = 0; i < results.length; i++) if (!sameCoreVal(results[i], b.results[i])) return false;
  return true;
}

/**
 * Print a core signature, e.g. `(i32, i32) -> (i32)`.
 * @param s The signature.
 * @returns The text.
 */
export function coreSignatureToString(
  s: { readonly params: readonly CoreValType[]; readonly results: readonly CoreValType[] },
): string {
  const t = (v: CoreValType) =>
    typeof v === "string" ? v : `(ref ${v.nullable ? "null " : ""}${v.heap})`;
  return `(${s.params.map(t).join(", ")}) -> (${s.results.map(t).join(", ")})`;
}

/**
 * Whether a core entity (what a module import receives) matches the declared one.
 * @param actual What is supplied.
 * @param expected What is declared.
 * @returns `undefined` when it matches, else the reason.
 */
export function matchCoreEntity(
  actual: CoreEntityType,
  expected: CoreEntityType,
): string | undefined {
  if (actual.kind !== expected.kind) {
    return `expected ${an(expected.kind)}, found ${an(actual.kind)}`;
  }
  switch (expected.kind) {
    case "func":
    case "tag": {
      const a = (actual as typeof expected).type.type;
      const e = expected.type.type;
      if (a.kind !== "func" || e.kind !== "func") return undefined; // GC types: left to the engine
      return sameCoreSignature(a, e)
        ? undefined
        : `expected ${coreSignatureToString(e)}, found ${coreSignatureToString(a)}`;
    }
    case "memory": {
      const a = actual as typeof expected;
      if (a.memory64 !== expected.memory64) {
        return `expected a ${expected.memory64 ? "64" : "32"}-bit memory, found a ${
          a.memory64 ? "64" : "32"
        }-bit one`;
      }
      const shared = matchShared("memory", a.shared, expected.shared);
      if (shared !== undefined) return shared;
      const aPage = a.pageSizeLog2 ?? 16;
      const ePage = expected.pageSizeLog2 ?? 16;
      if (aPage !== ePage) {
        return `expected a page size of ${2 ** ePage} bytes, found ${2 ** aPage}`;
      }
      return matchLimits(a, expected);
    }
    case "global": {
      const a = actual as typeof expected;
      if (a.shared !== expected.shared) return matchShared("global", a.shared, expected.shared);
      return a.mutable === expected.mutable && sameCoreVal(a.type, expected.type)
        ? undefined
        : "global types differ";
    }
    case "table": {
      const a = actual as typeof expected;
      // the index type must be the same: a table64 is addressed with i64 (memory64 proposal)
      if (a.table64 !== expected.table64) {
        return `expected a table with ${expected.table64 ? "i64" : "i32"} indices, found one with ${
          a.table64 ? "i64" : "i32"
        } indices`;
      }
      const shared = matchShared("table", a.shared, expected.shared);
      if (shared !== undefined) return shared;
      return sameCoreVal(a.element, expected.element)
        ? matchLimits(a, expected)
        : "table element types differ";
    }
  }
}

/** Sharedness (the threads proposal) must be the same on both sides. */
function matchShared(what: string, actual: boolean, expected: boolean): string | undefined {
  if (actual === expected) return undefined;
  return `expected ${expected ? "a shared" : "an unshared"} ${what}, found ${
    actual ? "a shared" : "an unshared"
  } one`;
}

/** Limits subtyping: at least the minimum, at most the maximum. */
function matchLimits(
  a: { readonly min: bigint; readonly max?: bigint },
  e: { readonly min: bigint; readonly max?: bigint },
): string | undefined {
  if (a.min < e.min) return `minimum size ${a.min} is below the required ${e.min}`;
  if (e.max !== undefined && (a.max === undefined || a.max > e.max)) {
    return `maximum size ${a.max ?? "(none)"} exceeds the required ${e.max}`;
  }
  return undefined;
}

/**
 * Module subtyping: it may import less and export more.
 * @param actual The supplied module's type.
 * @param expected The declared module type.
 * @returns `undefined` when it matches, else the reason.
 */
export function matchModuleType(actual: TypeModule, expected: TypeModule): string | undefined {
  for (const imp of actual.imports) {
    const e = expected.imports.find((d) => d.module === imp.module && d.name === imp.name);
    if (e === undefined) return `imports \`${imp.module}\` \`${imp.name}\`, which is not declared`;
    if (e.type.kind !== imp.type.kind) {
      return `import \`${imp.module}\` \`${imp.name}\`: declared ${
        an(e.type.kind)
      }, the module imports ${an(imp.type.kind)}`;
    }
    // what is declared is given to the module: it must match what the module imports
    const r = matchCoreEntity(e.type, imp.type);
    if (r) return `import \`${imp.module}\` \`${imp.name}\`: ${r}`;
  }
  for (const [name, e] of expected.exports) {
    const a = actual.exports.get(name);
    if (a === undefined) return `missing export \`${name}\``;
    const r = matchCoreEntity(a, e);
    if (r) return `export \`${name}\`: ${r}`;
  }
  return undefined;
}

/**
 * The signature of a core function type entry, if it is a function.
 * @param t A core subtype.
 * @returns Its function type, or `undefined` for struct/array types.
 */
export function funcOf(
  t: CoreSubType,
): { params: readonly CoreValType[]; results: readonly CoreValType[] } | undefined {
  return t.type.kind === "func" ? t.type : undefined;
}
