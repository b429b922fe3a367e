/**
 * Running components: {@link compile} a component once, then
 * {@link Component.instantiate} it any number of times with host imports;
 * its exports become JavaScript functions taking and returning JavaScript
 * values (see `js_values.ts` for the values, `host.ts` for the names).
 *
 * @module
 */

import { fuse, type Translation } from "../fuse.ts";
import type { StringEncoding } from "../parse/items.ts";
import type { ComponentInstanceId, CoreDef } from "../inline/dfg.ts";
import { LinkError, UnsupportedError } from "../types/errors.ts";
import type { ExternDesc } from "../types/model.ts";
import {
  type CompiledModules,
  compileModules,
  type CoreInstances,
  type CoreValue,
  instantiateCore,
} from "./core.ts";
import { checkImports, noteExports, noteModules } from "./check_imports.ts";
import { addJsNames } from "./host.ts";
import { requireJspi } from "./jspi.ts";
import { Runtime } from "./runtime.ts";
import { taskBuiltin } from "./builtins.ts";
import { transcoder } from "./transcode.ts";

/**
 * What a component imports, by import name: a function for a function
 * import, an object (of the instance's exports, by name) for an instance
 * import, a `WebAssembly.Module` for a core module import. An import is
 * found by its full name (`wasi:cli/stdout@0.2.12`), else by its name
 * without the version (`wasi:cli/stdout`), else by the highest
 * semver-compatible version given (`wasi:cli/stdout@0.2.3`); a function in
 * an instance by its name as written or in lowerCamelCase (`get-stdout` or
 * `getStdout`), and an imported resource's functions by a class named after
 * it in PascalCase (`OutputStream`), as jco's import objects have them.
 */
export type ComponentImports = Record<string, unknown>;

/** A function exported by a component: JavaScript values in and out. */
export type ComponentFunction = (...args: unknown[]) => unknown;

/** An exported type: its description (resources come with handles, later). */
export interface ExportedType {
  /** Discriminant. */
  readonly kind: "type";
  /** The type. */
  readonly type: ExternDesc;
}

/** How a component is instantiated. */
export interface InstantiateOptions {
  /**
   * Link each function import the host does not give as a function that
   * traps when called, naming itself (`wasmtime run --trap-unknown-imports`),
   * instead of refusing to instantiate.
   * @default false
   */
  readonly trapUnknownImports?: boolean;
  /**
   * How exported functions return a top-level `result<T, E>`: `"throw"`
   * (jco's convention) returns `T` and throws a {@link ComponentError}
   * carrying `E`; `"tagged"` returns `{ tag: "ok" | "err", val }`.
   * @default "throw"
   */
  readonly results?: "throw" | "tagged";
  /**
   * Let host imports be `async` functions (JSPI, as jco's `--async-mode jspi`):
   * an `async function` given for a function import (or an `async` method or
   * static function of a host resource class) suspends the component that
   * calls it until its Promise settles, and every exported function
   * (resource methods and static functions included, constructors not)
   * returns a Promise. Calls from the host start one at a time: one made
   * while another has not returned its result waits for it (an async task
   * may go on after it returned). Inside the instance, the tasks of its
   * components interleave as the Canonical ABI lets them: a call that
   * suspends leaves its instance, an async caller gets a subtask, a wait
   * lets other tasks run. A trap anywhere fails the pending calls, and so
   * does a deadlock (every task waits, and no host Promise is pending).
   * Other host functions run to completion as without this option. Needs an engine with JSPI (Deno 2.9+,
   * Chromium 137+): elsewhere {@link instantiate} throws an `UnsupportedError`
   * with feature `jspi`.
   * @default false
   */
  readonly async?: boolean;
}

/** A running component instance. */
export interface ComponentInstance {
  /**
   * Its exports, by export name (as written, `"get-point"`): functions,
   * objects for exported instances (nested the same way), `WebAssembly.Module`s
   * for exported core modules, {@link ExportedType}s for exported types, and a
   * class per exported resource (`Counter`). Each is also reachable, but not
   * enumerated, by jco's name: functions in lowerCamelCase (`getPoint`),
   * interfaces by their short name (`demo:kv/api@0.1.0` is also `api`).
   */
  readonly exports: Record<string, unknown>;
}

function componentInstanceOf(d: CoreDef): ComponentInstanceId | undefined {
  return "instance" in d && d.kind !== "export" ? d.instance : undefined;
}

/**
 * A compiled component: its translation and compiled core modules, ready
 * to be instantiated any number of times.
 */
export class Component {
  /** The translation (graph, adapter modules, plan). */
  readonly translation: Translation;
  /** The compiled core modules. */
  readonly modules: CompiledModules;

  /**
   * Wrap a translation, compiling its core modules.
   * @param translation The translation.
   */
  constructor(translation: Translation) {
    this.translation = translation;
    this.modules = compileModules(translation);
    noteModules(this.modules.modules, translation.dfg.modules);
  }

  /**
   * Instantiate the component.
   * @param imports The host imports, by import name.
   * @returns The instance.
   * @throws {LinkError} When an import is missing or does not match its declared type.
   * @throws {Trap} When a start function or an adapter traps during instantiation.
   */
  instantiate(
    imports: ComponentImports = {},
    options: InstantiateOptions = {},
  ): ComponentInstance {
    const t = this.translation;
    if (options.async === true) requireJspi();
    const rt = new Runtime(t, imports, options);
    checkImports(t.dfg, rt, options);
    rt.instantiating = true;
    let core;
    try {
      core = this.#instantiateCore(t, rt);
    } finally {
      rt.instantiating = false;
    }
    rt.flags = core.flags;
    rt.resolve = core.resolve;
    const exports: Record<string, unknown> = {};
    for (const e of t.dfg.exports) exports[e.name] = rt.export(e, this.modules);
    rt.exportClasses(exports, t.dfg.exports);
    addJsNames(exports, t.dfg.exports.map((e) => e.name));
    noteExports(t.dfg, exports, rt);
    return { exports };
  }

  /** The core instances of one instantiation, host functions from `rt`. */
  #instantiateCore(t: Translation, rt: Runtime): CoreInstances {
    return instantiateCore(t, this.modules, {
      coreDef: (d, resolve) => {
        rt.resolve = resolve;
        if (d.kind === "lowered") return rt.lower(t.dfg.lowerings[d.id]);
        if (d.kind === "resource.new" || d.kind === "resource.rep" || d.kind === "resource.drop") {
          return rt.resourceBuiltin(d.kind, d.resource, d.instance);
        }
        if (d.kind === "builtin") return taskBuiltin(rt, d.builtin, d.instance);
        if (d.kind === "host-adapter") return rt.hostAdapter(t.dfg.adapters[d.id]);
        const inst = componentInstanceOf(d);
        throw new UnsupportedError(
          `\`${d.kind}\`${
            inst === undefined ? "" : ` of component instance ${inst}`
          } is not supported yet`,
          "resources",
        );
      },
      suspend: (p) => rt.sched.suspend(p),
      resumed: () => rt.sched.resumed(),
      intrinsic: (kind) => rt.intrinsic(kind) as CoreValue,
      transcoder: (b) => {
        const side = (memory: number, stringEncoding: StringEncoding, realloc?: number) =>
          rt.context({
            instance: 0,
            stringEncoding,
            memory,
            memory64: t.dfg.memories[memory].memory64,
            ...(realloc === undefined ? {} : { realloc }),
          }, "none");
        return transcoder(side(b.src, b.from), side(b.dst, b.to, b.realloc));
      },
      importedModule: (i) => {
        const node = t.dfg.instances[i];
        if (node.module.kind !== "import") throw new Error(`core instance ${i} is not imported`);
        const m = rt.lookup(node.module.path);
        if (!(m instanceof WebAssembly.Module)) {
          throw new LinkError(
            `import \`${t.dfg.imports[node.module.path.import].name}\` is not a WebAssembly.Module`,
          );
        }
        return m;
      },
      flags: (flags) => {
        rt.flags = flags;
      },
      traps: (trapOf, recorded) => {
        rt.trapOf = trapOf;
        rt.recordedTrap = recorded;
      },
    });
  }
}

/**
 * Compile a component: parse, inline, fuse its adapters, compile every core
 * module.
 *
 * @example Compiling once, instantiating twice
 * ```ts
 * import { compile } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const c = await compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
 * assert.deepEqual(c.instantiate().exports, {});
 * assert.deepEqual(c.instantiate().exports, {});
 * ```
 *
 * @param input The component's bytes, a stream of them, or a translation from {@link fuse}.
 * @returns The compiled component.
 * @throws {ParseError} When the binary is malformed.
 * @throws {LinkError} When it does not link, or a core module is not valid core wasm.
 * @throws {UnsupportedError} When it needs what wasmfuse or the engine lacks.
 */
export async function compile(
  input: Uint8Array | ReadableStream<Uint8Array> | Translation,
): Promise<Component> {
  const t = input instanceof Uint8Array || input instanceof ReadableStream
    ? await fuse(input)
    : input;
  return new Component(t);
}

/**
 * Compile and instantiate a component.
 *
 * @example Instantiating a component
 * ```ts
 * import { instantiate } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * // an empty component: no imports, no exports
 * const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const { exports } = await instantiate(bytes, {});
 * assert.deepEqual(Object.keys(exports), []);
 * ```
 *
 * @param input The component's bytes, a stream of them, or a translation from {@link fuse}.
 * @param imports The host imports, by import name (see {@link ComponentImports}).
 * @param options How to instantiate.
 * @returns The instance.
 * @throws {ParseError} When the binary is malformed.
 * @throws {LinkError} When it does not link, an import is missing, or a core module is not valid core wasm.
 * @throws {Trap} When instantiation traps.
 */
export async function instantiate(
  input: Uint8Array | ReadableStream<Uint8Array> | Translation,
  imports: ComponentImports = {},
  options: InstantiateOptions = {},
): Promise<ComponentInstance> {
  return (await compile(input)).instantiate(imports, options);
}
