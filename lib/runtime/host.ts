/**
 * Names and conventions at the host, as jco has them, so that an import
 * object written for jco (the WASI host `@bytecodealliance/preview2-shim`
 * above all) plugs in unchanged:
 *
 * - a root import is found by its full name, else by its name without the
 *   `@version`, else by a semver-compatible version of it (Wasmtime's linker
 *   rule: the same major version, and for `0.x` the same minor; the highest
 *   such version wins);
 * - a function in an instance is found by its name as written, else in
 *   lowerCamelCase (`get-stderr`, then `getStderr`);
 * - a function whose result type is `result<T, E>` returns `T` and throws
 *   for `E`: exports throw a {@link ComponentError} carrying `E` as its
 *   `payload`; host functions may throw a value with a `payload` (its
 *   payload is `E`) or any other non-`Error` value (which is `E` itself), or
 *   return `{ tag: "ok" | "err", val }`;
 * - exports are reachable by their names as written and by jco's names:
 *   lowerCamelCase functions, and exported interfaces by their short name
 *   (`demo:kv/api@0.1.0` is also `api`).
 *
 * @module
 */

import type { InterfaceType } from "../types/model.ts";
import { camelCase } from "./js_values.ts";
import { asyncAs } from "./jspi.ts";

/**
 * The error an exported function throws when it returns the `err` case of
 * its top-level `result<T, E>` (jco's `ComponentError`): `payload` is the
 * `E` value.
 *
 * @example Catching the error case of a result
 * ```ts
 * import { ComponentError } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const e = new ComponentError({ tag: "not-found", val: "k" });
 * assert.deepEqual(e.payload, { tag: "not-found", val: "k" });
 * assert.equal(new ComponentError("missing: k").message, "missing: k");
 * ```
 */
export class ComponentError extends Error {
  /** The `E` value of the `err` case. */
  declare readonly payload: unknown;

  /**
   * Create the error.
   * @param payload The `E` value: a string is also the message.
   */
  constructor(payload: unknown) {
    const text = typeof payload === "string";
    super(text ? payload : `${describePayload(payload)} (see error.payload)`);
    this.name = "ComponentError";
    // as jco: an own property, enumerable unless the message already says it
    Object.defineProperty(this, "payload", { value: payload, enumerable: !text });
  }
}

function describePayload(v: unknown): string {
  if (typeof v !== "object" || v === null) return String(v);
  try {
    return JSON.stringify(v, (_, x) => typeof x === "bigint" ? `${x}n` : x);
  } catch {
    return String(v);
  }
}

/** A semantic version, as import names carry them. */
interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The pre-release part (after `-`), empty for a release. */
  readonly pre: string;
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parseVersion(text: string): Version | undefined {
  const m = SEMVER.exec(text);
  if (m === null) return undefined;
  return { major: +m[1], minor: +m[2], patch: +m[3], pre: m[4] ?? "" };
}

/**
 * An interface name and its version: `wasi:cli/stdout@0.2.12` is
 * `wasi:cli/stdout` and `0.2.12`.
 * @param name A name, with or without `@version`.
 * @returns The name without the version, and the version text.
 */
export function splitVersion(name: string): { base: string; version?: string } {
  const at = name.lastIndexOf("@");
  if (at <= 0) return { base: name };
  return { base: name.slice(0, at), version: name.slice(at + 1) };
}

/**
 * The versions a version is compatible with, as one key (Wasmtime's
 * `alternate_lookup_key`): `1` for every `1.x.y`, `0.2` for every `0.2.x`;
 * none for `0.0.x` and pre-releases, which match only themselves.
 */
function compatibilityKey(v: Version): string | undefined {
  if (v.pre !== "") return undefined;
  if (v.major !== 0) return `${v.major}`;
  if (v.minor !== 0) return `0.${v.minor}`;
  return undefined;
}

function newer(a: Version, b: Version): boolean {
  return a.major !== b.major
    ? a.major > b.major
    : a.minor !== b.minor
    ? a.minor > b.minor
    : a.patch > b.patch;
}

/**
 * Finds the host value for each root import in an import object: by its
 * full name, else its name without the version, else the highest
 * semver-compatible version the object has.
 */
export class ImportResolver {
  readonly #imports: Readonly<Record<string, unknown>>;
  /** The object's versioned keys, by name without version and compatibility key. */
  #compatible?: Map<string, { key: string; version: Version }>;

  /**
   * Index an import object.
   * @param imports The host's imports, by name.
   */
  constructor(imports: Readonly<Record<string, unknown>>) {
    this.#imports = imports;
  }

  /**
   * The key of the import object that provides root import `name`.
   * @param name The import name (`wasi:cli/stdout@0.2.12`).
   * @returns The key, or `undefined` when nothing provides it.
   */
  key(name: string): string | undefined {
    const imports = this.#imports;
    if (imports[name] !== undefined) return name;
    const { base, version } = splitVersion(name);
    if (version === undefined) return undefined;
    if (imports[base] !== undefined) return base;
    const v = parseVersion(version);
    const k = v === undefined ? undefined : compatibilityKey(v);
    if (k === undefined) return undefined;
    return this.#index().get(`${base}@${k}`)?.key;
  }

  /**
   * The host value for root import `name`.
   * @param name The import name.
   * @returns The value, or `undefined`.
   */
  get(name: string): unknown {
    const key = this.key(name);
    return key === undefined ? undefined : this.#imports[key];
  }

  #index(): Map<string, { key: string; version: Version }> {
    if (this.#compatible !== undefined) return this.#compatible;
    const index = new Map<string, { key: string; version: Version }>();
    for (const key of Object.keys(this.#imports)) {
      const { base, version } = splitVersion(key);
      const v = version === undefined ? undefined : parseVersion(version);
      const k = v === undefined ? undefined : compatibilityKey(v);
      if (k === undefined || this.#imports[key] === undefined) continue;
      const slot = `${base}@${k}`;
      const have = index.get(slot);
      if (have === undefined || newer(v!, have.version)) index.set(slot, { key, version: v! });
    }
    return this.#compatible = index;
  }
}

/**
 * A member of a host object by a component name: as written, else in
 * lowerCamelCase (`get-stderr`, then `getStderr`).
 * @param container The host object (an instance's functions).
 * @param name The name in the component.
 * @returns The member, or `undefined`.
 */
export function hostMember(container: unknown, name: string): unknown {
  if ((typeof container !== "object" && typeof container !== "function") || container === null) {
    return undefined;
  }
  const o = container as Record<string, unknown>;
  const v = o[name];
  if (v !== undefined || name.startsWith("[")) return v;
  const c = camelCase(name);
  return c === name ? undefined : o[c];
}

/**
 * `[constructor]r`, `[method]r.m`, `[static]r.s`: the resource and member.
 * @param name A function name.
 * @returns Its parts, or `undefined` for a plain name.
 */
export function parseAnnotated(
  name: string,
): { kind: "constructor" | "method" | "static"; resource: string; member: string } | undefined {
  const m = /^\[(constructor|method|static)\]([a-z0-9-]+)(?:\.([a-z0-9-]+))?$/i.exec(name);
  if (m === null) return undefined;
  if (m[1] === "constructor") {
    return m[3] === undefined ? { kind: "constructor", resource: m[2], member: "" } : undefined;
  }
  if (m[3] === undefined) return undefined;
  return { kind: m[1] as "method" | "static", resource: m[2], member: m[3] };
}

/**
 * A resource name as a class name, as jco writes it: `my-res` becomes `MyRes`.
 * @param name A kebab-case name.
 * @returns The PascalCase name.
 */
export function pascalCase(name: string): string {
  const c = camelCase(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/**
 * An imported `[constructor]r`, `[method]r.m` or `[static]r.s` the host
 * gives as a class `R` beside it (jco's convention): `new R(...)`,
 * `self.m(...)`, `R.s(...)`.
 * @param container The host object the class is in (an instance's functions).
 * @param name The annotated function name.
 * @returns The function, or `undefined` when there is no such class.
 */
export function fromClass(
  container: unknown,
  name: string,
): ((...args: unknown[]) => unknown) | undefined {
  const a = parseAnnotated(name);
  if (a === undefined) return undefined;
  const C = (container as Record<string, unknown> | undefined)?.[pascalCase(a.resource)];
  if (typeof C !== "function") return undefined;
  const member = camelCase(a.member);
  switch (a.kind) {
    case "constructor":
      return (...args) => new (C as new (...a: unknown[]) => unknown)(...args);
    case "method":
      // (an async method makes an async wrapper: it may suspend the caller, see InstantiateOptions.async)
      return asyncAs(
        (self: unknown, ...args: unknown[]) =>
          (self as Record<string, (...a: unknown[]) => unknown>)[member](...args),
        (C as { prototype?: Record<string, unknown> }).prototype?.[member],
      );
    case "static":
      return asyncAs(
        (...args: unknown[]) =>
          (C as unknown as Record<string, (...a: unknown[]) => unknown>)[member](...args),
        (C as unknown as Record<string, unknown>)[member],
      );
  }
}

/**
 * jco's name for an export: an interface's short name in lowerCamelCase
 * (`demo:kv/api@0.1.0` is `api`, `wasi:http/incoming-handler@0.2.0` is
 * `incomingHandler`), any other name in lowerCamelCase (`get-point` is
 * `getPoint`).
 * @param name The export name.
 * @returns The short name.
 */
export function jsExportName(name: string): string {
  const { base } = splitVersion(name);
  const slash = base.lastIndexOf("/");
  return camelCase(slash >= 0 ? base.slice(slash + 1) : base);
}

/**
 * Make each export reachable by its jco name too (a non-enumerable alias,
 * so iterating the object shows each export once). A jco name that two
 * exports share, or that is already a name, gets no alias.
 * @param o The exports, by name.
 * @param names The export names.
 */
export function addJsNames(o: Record<string, unknown>, names: readonly string[]): void {
  const count = new Map<string, number>();
  for (const n of names) {
    if (n.startsWith("[")) continue; // resource members become classes instead
    const js = jsExportName(n);
    if (js !== n) count.set(js, (count.get(js) ?? 0) + 1);
  }
  for (const n of names) {
    if (n.startsWith("[")) continue;
    const js = jsExportName(n);
    if (js === n || count.get(js) !== 1 || js in o) continue;
    Object.defineProperty(o, js, { value: o[n], enumerable: false, configurable: true });
  }
}

/** Functions whose top-level `result` comes back tagged (`{ tag, val }`), not thrown. */
export const taggedResults: WeakSet<object> = new WeakSet();

/**
 * Whether the JavaScript value of `t` could itself be a plain object
 * `{ tag: "ok" | "err", val }`: then a host function's returned object is
 * read as that value, not as a tagged result.
 */
function mayLookTagged(t: InterfaceType | undefined): boolean {
  if (t === undefined || typeof t === "string") return false;
  switch (t.kind) {
    case "result":
      return true;
    case "variant":
      return t.cases.some((c) => c.name === "ok" || c.name === "err");
    case "option":
      return mayLookTagged(t.type);
    case "record":
      return t.fields.some((f) => camelCase(f.name) === "tag");
    default:
      return false;
  }
}

/** Whether `v` is a plain `{ tag: "ok" | "err", val? }` object. */
function isTaggedResult(v: unknown): v is { tag: "ok" | "err"; val?: unknown } {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const o = v as { tag?: unknown };
  if (o.tag !== "ok" && o.tag !== "err") return false;
  return Object.keys(v).every((k) => k === "tag" || k === "val");
}

/**
 * Call a host function whose result type is `result<T, E>` and give its
 * outcome as `{ tag, val }`: a returned value is `ok` (unless it is already
 * tagged); a thrown value with an own `payload` is `err` with that payload,
 * a thrown `Error` without one is rethrown (a failure, not an `E`), and any
 * other thrown value is `err` with the value itself (jco's
 * `getErrorPayload`).
 * @param fn The host function.
 * @param args Its arguments.
 * @param ok The result's `T`.
 * @returns The tagged outcome.
 */
export function callForResult(
  fn: (...args: unknown[]) => unknown,
  args: unknown[],
  ok: InterfaceType | undefined,
): unknown {
  let r: unknown;
  try {
    r = fn(...args);
  } catch (e) {
    return resultOfThrown(e);
  }
  // a Promise goes back as it is: the caller waits for it (JSPI) or refuses it
  if (r instanceof Promise) return r;
  return resultOfValue(fn, r, ok);
}

/**
 * The `result` a host function's returned value stands for (see {@link callForResult}).
 * @param fn The host function.
 * @param r What it returned (or its Promise resolved to).
 * @param ok The `ok` type, if any.
 * @returns The result value.
 */
export function resultOfValue(
  fn: (...args: unknown[]) => unknown,
  r: unknown,
  ok: InterfaceType | undefined,
): unknown {
  if (taggedResults.has(fn) || (isTaggedResult(r) && !mayLookTagged(ok))) return r;
  return { tag: "ok", val: r };
}

/**
 * The `err` a host function's thrown value stands for (see {@link callForResult}).
 * @param e What it threw (or its Promise rejected with).
 * @returns The result value.
 * @throws {Error} `e` itself, when it is an `Error` without a `payload`.
 */
export function resultOfThrown(e: unknown): unknown {
  if (
    (typeof e === "object" || typeof e === "function") && e !== null &&
    Object.hasOwn(e, "payload")
  ) {
    return { tag: "err", val: (e as { payload: unknown }).payload };
  }
  if (e instanceof Error) throw e;
  return { tag: "err", val: e };
}

/**
 * Say which host call an error came from: its message gets the prefix
 * `in IMPORT#FUNCTION: ` (once per call it crosses).
 * @param e What was thrown.
 * @param where The import and function, as Wasmtime names them.
 */
export function inHostCall(e: unknown, where: string): void {
  if (!(e instanceof Error)) return;
  try {
    e.message = `in ${where}: ${e.message}`;
  } catch {
    // a frozen error keeps its message
  }
}
