/**
 * A {@link Translation} saved and loaded again, as `cli.ts fuse -o DIR`
 * writes it: fuse once at build time, instantiate at run time without
 * running the pipeline (as `jco transpile` users do). What is saved is one
 * JSON document (`plan.json`: the graph, the plan, the adapter modules'
 * bindings, the name of every file) and the core modules beside it, each in
 * a file of its own (`module-N.wasm` for the component's static modules,
 * `adapter-N.wasm` for the adapter modules: one file for all the modules of
 * one shape, which share their bytes).
 *
 * Loading reads files through a function the caller gives, so it works
 * wherever the bytes come from: `Deno.readFile`, `fetch`, a bundler's asset.
 *
 * @module
 */

import type { Translation } from "./fuse.ts";
import type { AdapterModule } from "./fact/module.ts";
import type { ComponentDfg } from "./inline/dfg.ts";
import type { TypeResource } from "./types/model.ts";

/** The `format` a saved translation's JSON carries. */
const FORMAT = "wasmfuse-translation";
/** Its version: a loader refuses any other. */
const VERSION = 1;

/** A saved translation: its JSON (`plan.json`) and the files it names. */
export interface SavedTranslation {
  /** The JSON document (`JSON.stringify` it as it is). */
  readonly json: SavedTranslationJson;
  /** Every file the document names, by name: the core modules. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** The JSON document of a saved translation (opaque but for its file names). */
export interface SavedTranslationJson {
  /** `"wasmfuse-translation"`. */
  readonly format: string;
  /** The format's version. */
  readonly version: number;
  /** The static core modules' files, in module order. */
  readonly modules: readonly string[];
  /** The adapter modules: each one's file, adapters, import bindings and export names. */
  readonly adapterModules: readonly {
    readonly file: string;
    readonly index: number;
    readonly adapters: readonly number[];
    readonly imports: unknown;
    readonly exports: readonly [number, string][];
  }[];
  /** The instantiation plan. */
  readonly plan: unknown;
  /** The graph, without the modules' bytes. */
  readonly dfg: unknown;
  /** The resource types the graph names (by `{ "$resource": i }`). */
  readonly resources: readonly {
    readonly id: number;
    readonly origin: string;
    readonly name?: string;
  }[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isResource(v: object): v is TypeResource {
  const r = v as Partial<TypeResource>;
  return r.kind === "resource" && typeof r.id === "number" && typeof r.origin === "string";
}

/** Plain data as JSON: Maps, bigints and special numbers tagged, resource types by reference. */
function encode(v: unknown, resources: Map<TypeResource, number>): Json {
  switch (typeof v) {
    case "boolean":
    case "string":
      return v;
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0) ? v : { $number: String(v) };
    case "bigint":
      return { $bigint: v.toString() };
    case "undefined":
      return { $undefined: true };
    case "object": {
      if (v === null) return null;
      if (Array.isArray(v)) return v.map((x) => encode(x, resources));
      if (v instanceof Map) {
        return { $map: [...v].map(([k, x]) => [encode(k, resources), encode(x, resources)]) };
      }
      if (ArrayBuffer.isView(v)) {
        throw new Error("bytes inside a graph node: they belong in a file");
      }
      if (isResource(v)) {
        let i = resources.get(v);
        if (i === undefined) resources.set(v, i = resources.size);
        return { $resource: i };
      }
      const out: { [k: string]: Json } = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encode(x, resources);
      return out;
    }
    default:
      throw new Error(`a ${typeof v} inside a graph node`);
  }
}

function decode(v: Json, resources: readonly TypeResource[]): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => decode(x, resources));
  if ("$number" in v) return Number(v.$number);
  if ("$bigint" in v) return BigInt(v.$bigint as string);
  if ("$undefined" in v) return undefined;
  if ("$map" in v) {
    return new Map(
      (v.$map as [Json, Json][]).map(([k, x]) => [decode(k, resources), decode(x, resources)]),
    );
  }
  if ("$resource" in v) {
    const r = resources[v.$resource as number];
    if (r === undefined) {
      throw new TypeError(`a saved translation names resource ${v.$resource}, not saved`);
    }
    return r;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = decode(x, resources);
  return out;
}

/**
 * Save a translation: its JSON document and the core modules as files.
 *
 * @example Saving and loading again
 * ```ts
 * import { compile, fuse, loadTranslation, saveTranslation } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const saved = saveTranslation(await fuse(await Deno.readFile("examples/points.wasm")));
 * const text = JSON.stringify(saved.json); // plan.json
 * const t = await loadTranslation(JSON.parse(text), (name) => saved.files.get(name)!);
 * const { exports } = (await compile(t)).instantiate();
 * assert.equal((exports.run as () => number)(), 15);
 * ```
 *
 * @param t The translation (from {@link fuse}).
 * @returns The JSON document and its files.
 */
export function saveTranslation(t: Translation): SavedTranslation {
  const files = new Map<string, Uint8Array>();
  const resources = new Map<TypeResource, number>();
  const modules = t.dfg.modules.map((m, i) => {
    const file = `module-${i}.wasm`;
    files.set(file, m.bytes);
    return file;
  });
  const dfg = encode(
    { ...t.dfg, modules: t.dfg.modules.map(({ bytes: _, ...info }) => info) },
    resources,
  );
  // adapter modules of one shape share their bytes (see buildAdapterModule): one file for them all
  const fileOf = new Map<Uint8Array, string>();
  const adapterModules = t.adapterModules.map((m) => {
    let file = fileOf.get(m.bytes);
    if (file === undefined) {
      file = `adapter-${m.index}.wasm`;
      fileOf.set(m.bytes, file);
      files.set(file, m.bytes);
    }
    return {
      file,
      index: m.index,
      adapters: [...m.adapters],
      imports: encode(m.imports, resources),
      exports: [...m.exports] as [number, string][],
    };
  });
  const plan = encode(t.plan, resources);
  const json: SavedTranslationJson = {
    format: FORMAT,
    version: VERSION,
    modules,
    adapterModules,
    plan,
    dfg,
    resources: [...resources.keys()].map((r) => ({
      id: r.id,
      origin: r.origin,
      ...(r.name === undefined ? {} : { name: r.name }),
    })),
  };
  return { json, files };
}

/**
 * Load a saved translation, reading its files with `read`; the result goes
 * to {@link compile} or {@link instantiate} as a fused component does.
 * @param json The JSON document (`plan.json`, parsed).
 * @param read Reads a file the document names (`module-0.wasm`, ...).
 * @returns The translation.
 * @throws {TypeError} When the document is not a saved translation of this version.
 */
export async function loadTranslation(
  json: unknown,
  read: (file: string) => Uint8Array | Promise<Uint8Array>,
): Promise<Translation> {
  const doc = json as Partial<SavedTranslationJson> | null;
  if (doc === null || typeof doc !== "object" || doc.format !== FORMAT) {
    throw new TypeError(`not a saved wasmfuse translation (no "format": "${FORMAT}")`);
  }
  if (doc.version !== VERSION) {
    throw new TypeError(
      `a saved translation of format version ${doc.version}; this wasmfuse reads version ${VERSION}`,
    );
  }
  const resources: TypeResource[] = (doc.resources ?? []).map((r) => ({
    kind: "resource",
    id: r.id,
    origin: r.origin as TypeResource["origin"],
    ...(r.name === undefined ? {} : { name: r.name }),
  }));
  const bytes = async (file: string) => {
    const b = await read(file);
    if (!(b instanceof Uint8Array)) throw new TypeError(`reading ${file} gave no bytes`);
    return b;
  };
  const graph = decode(doc.dfg as Json, resources) as ComponentDfg;
  const moduleBytes = await Promise.all((doc.modules ?? []).map(bytes));
  const dfg: ComponentDfg = {
    ...graph,
    modules: graph.modules.map((info, i) => ({ ...info, bytes: moduleBytes[i] })),
  };
  // a file named by several adapter modules is read once, and its bytes shared (compiled once)
  const adapterFiles = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  const adapterBytes = (file: string) => {
    let b = adapterFiles.get(file);
    if (b === undefined) adapterFiles.set(file, b = bytes(file).then((b) => new Uint8Array(b)));
    return b;
  };
  const adapterModules: AdapterModule[] = await Promise.all(
    (doc.adapterModules ?? []).map(async (m) => ({
      kind: "adapter-module" as const,
      index: m.index,
      adapters: m.adapters,
      bytes: await adapterBytes(m.file),
      imports: decode(m.imports as Json, resources) as AdapterModule["imports"],
      exports: new Map(m.exports),
    })),
  );
  return { dfg, adapterModules, plan: decode(doc.plan as Json, resources) as Translation["plan"] };
}
