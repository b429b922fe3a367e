/**
 * Executing the instantiation plan with the engine's own `WebAssembly` API:
 * every core module (static and adapter) compiled once, then instantiated
 * in plan order with its imports bound to graph nodes, the flags globals
 * and the trap intrinsic supplied by the host. Host lowerings and host
 * liftings (JS values to and from the Canonical ABI) come on top of this.
 *
 * @module
 */

import type { AdapterModule, ImportBinding } from "../fact/module.ts";
import type { CoreDef, InstanceId } from "../inline/dfg.ts";
import type { Translation } from "../fuse.ts";
import { LinkError } from "../types/errors.ts";
import { TrapCode } from "../fact/traps.ts";
import { type GuardPlan, Guards, planGuards } from "./guard.ts";
import { isWasmException, jsTag, Trap } from "./trap.ts";

/** A value that can satisfy a core import. */
export type CoreValue = WebAssembly.ExportValue | WebAssembly.Global;

/** The runtime intrinsics adapter modules import (see `ImportBinding`). */
export type IntrinsicKind =
  | "transfer-own"
  | "transfer-borrow"
  | "transfer-error-context"
  | "call-enter"
  | "call-exit"
  | "call-end";

/** What the host supplies for the nodes wasmfuse cannot make itself. */
export interface CoreHost {
  /**
   * The core function for a host lowering (by lowering id), or for a
   * resource built-in; called the first time the plan needs it.
   */
  coreDef?(def: CoreDef, resolve: (def: CoreDef) => CoreValue): CoreValue;

  /**
   * Told when a host function returned a Promise (an async host function,
   * a wait, with JSPI): its wasm caller suspends until what this returns
   * settles.
   */
  suspend?(p: Promise<unknown>): Promise<unknown>;
  /** Told when a suspended caller runs again, before anything else it does. */
  resumed?(): void;

  /** The string transcoder an adapter module imports. */
  transcoder?(binding: ImportBinding & { kind: "transcode" }): CoreValue;

  /** Called with the may-leave flags of every component instance, before anything runs. */
  flags?(flags: readonly WebAssembly.Global[]): void;

  /** Called with {@link CoreInstances.trapOf}, before anything runs. */
  traps?(trapOf: (e: unknown) => unknown, recorded: () => unknown): void;

  /** A runtime intrinsic adapters call: handle transfers and call scopes. */
  intrinsic?(kind: IntrinsicKind): CoreValue;

  /** The core module bound to an imported module (`module.kind === "import"`). */
  importedModule?(instance: InstanceId): WebAssembly.Module;
}

/** A component instantiated at the core level. */
export interface CoreInstances {
  /** Core instances, by graph id. */
  readonly instances: readonly WebAssembly.Instance[];
  /** Adapter module instances, by module index. */
  readonly adapterInstances: readonly WebAssembly.Instance[];
  /** The may-leave flag of each component instance. */
  readonly flags: readonly WebAssembly.Global[];
  /** Resolve a graph node to its runtime value (after instantiation). */
  resolve(def: CoreDef): CoreValue;
  /**
   * What a value caught from core code stands for: an adapter raises a
   * trap by naming its rule to the trap intrinsic and then executing
   * `unreachable`, so that no `catch_all` in core code can catch it; the
   * resulting `WebAssembly.RuntimeError` is this {@link Trap}. Any other
   * value is returned as it is.
   */
  trapOf(e: unknown): unknown;
}

/** Compiled core modules of a translation: compile once, instantiate many times. */
export interface CompiledModules {
  /** Static modules, by graph id. */
  readonly modules: readonly WebAssembly.Module[];
  /** Adapter modules, by index. */
  readonly adapters: readonly WebAssembly.Module[];
  /** The trampolines host functions are called through from core wasm. */
  readonly guards: GuardPlan;
}

/**
 * Compile every core module of a translation.
 * @param t The translation.
 * @returns The compiled modules.
 * @throws {LinkError} When one of the component's core modules is not valid core wasm.
 */
export function compileModules(t: Translation): CompiledModules {
  const byBytes = new Map<Uint8Array, WebAssembly.Module>();
  return {
    modules: t.dfg.modules.map((m, i) => {
      try {
        return new WebAssembly.Module(m.bytes as BufferSource);
      } catch (e) {
        // the component's own core module: bad input, not a bug (wasmparser validates it there)
        if (!(e instanceof WebAssembly.CompileError)) throw e;
        throw new LinkError(`core module ${i} is not valid core wasm: ${e.message}`);
      }
    }),
    // modules of one shape share their bytes (see buildAdapterModule): compiled once
    adapters: t.adapterModules.map((m) => {
      let mod = byBytes.get(m.bytes);
      if (mod === undefined) byBytes.set(m.bytes, mod = new WebAssembly.Module(m.bytes));
      return mod;
    }),
    guards: planGuards(t),
  };
}

function importObject(entries: readonly [string, string, CoreValue][]): WebAssembly.Imports {
  const o: Record<string, Record<string, CoreValue>> = {};
  for (const [m, n, v] of entries) (o[m] ??= {})[n] = v;
  return o as WebAssembly.Imports;
}

/**
 * Instantiate a translation's core modules in plan order.
 * @param t The translation.
 * @param compiled Its compiled modules (from {@link compileModules}).
 * @param host What the host supplies (lowerings, resource built-ins).
 * @returns The instances.
 * @throws {Trap} When a start function or an adapter traps.
 */
export function instantiateCore(
  t: Translation,
  compiled: CompiledModules = compileModules(t),
  host: CoreHost = {},
): CoreInstances {
  const { dfg } = t;
  const moduleOf: number[] = [];
  for (const m of t.adapterModules) for (const a of m.adapters) moduleOf[a] = m.index;
  const flags = dfg.componentInstances.map(() =>
    new WebAssembly.Global({ value: "i32", mutable: true }, 1)
  );
  host.flags?.(flags);
  const instances: WebAssembly.Instance[] = [];
  const adapterInstances: WebAssembly.Instance[] = [];
  // host functions are called from wasm through trampolines, and an adapter
  // names its trap before its `unreachable`: an engine trap, unlike a thrown
  // JS error, unwinds every wasm frame, `catch_all` or not
  const guards = new Guards(
    compiled.guards,
    (e) => {
      if ("def" in e.source) return resolve(e.source.def) as CallableFunction;
      return adapterImport(
        t.adapterModules[e.source.adapterModule],
        e.source.import,
      ) as CallableFunction;
    },
    host.suspend,
    host.resumed,
  );
  const trap = (code: number) => guards.raise(Trap.fromCode(code));
  const trapOf = (e: unknown): unknown => guards.errorOf(e);
  host.traps?.(trapOf, () => guards.recorded());
  const instantiateModule = (
    mod: WebAssembly.Module,
    imports: WebAssembly.Imports,
  ): WebAssembly.Instance => {
    try {
      return new WebAssembly.Instance(mod, imports);
    } catch (e) {
      // a start function's exception is a trap too (`call_and_trap_on_throw`)
      if (isWasmException(e)) throw Trap.fromCode(TrapCode.UncaughtException);
      throw trapOf(e);
    }
  };
  const exportOf = (instance: InstanceId, name: string): CoreValue => {
    const inst = instances[instance];
    if (inst === undefined) throw new Error(`core instance ${instance} is used before it exists`);
    return inst.exports[name];
  };
  const resolve = (d: CoreDef): CoreValue => {
    switch (d.kind) {
      case "export":
        return exportOf(d.instance, d.name);
      case "adapter": {
        const inst = adapterInstances[moduleOf[d.id]];
        if (inst === undefined) throw new Error(`adapter ${d.id} is used before its module exists`);
        return inst.exports[t.adapterModules[moduleOf[d.id]].exports.get(d.id)!];
      }
      case "instance-flags":
        return flags[d.instance];
      default: {
        const v = host.coreDef?.(d, resolve);
        if (v === undefined) throw new Error(`the host supplies no ${d.kind}`);
        return v;
      }
    }
  };
  const adapterImport = (m: AdapterModule, i: number): CoreValue => {
    const b = m.imports[i].binding;
    switch (b.kind) {
      case "memory": {
        const e = dfg.memories[b.memory].export;
        return exportOf(e.instance, e.name);
      }
      case "realloc":
        return resolve(dfg.reallocs[b.realloc]);
      case "post-return":
        return resolve(dfg.postReturns[b.postReturn]);
      case "callee":
        return resolve(b.def);
      case "flags":
        return flags[b.instance];
      case "trap":
        return trap;
      case "js-tag":
        return jsTag() as CoreValue; // a WebAssembly.Tag (not in the ExportValue type)
      case "transcode": {
        const f = host.transcoder?.(b);
        if (f === undefined) throw new Error("the host supplies no string transcoder");
        return f;
      }
      case "transfer-own":
      case "transfer-borrow":
      case "transfer-error-context":
      case "call-enter":
      case "call-exit":
      case "call-end": {
        const f = host.intrinsic?.(b.kind);
        if (f === undefined) throw new Error(`the host supplies no ${b.kind} intrinsic`);
        return f;
      }
    }
  };
  for (const step of t.plan) {
    if (step.kind === "instantiate") {
      const node = dfg.instances[step.instance];
      if (node.module.kind === "static") {
        const mod = compiled.modules[node.module.id];
        const args = node.args as readonly CoreDef[];
        const entries = WebAssembly.Module.imports(mod).map((
          imp,
          i,
        ): [string, string, CoreValue] => {
          const g = compiled.guards.staticImports.get(`${step.instance}/${i}`);
          return [
            imp.module,
            imp.name,
            g === undefined ? resolve(args[i]) : guards.trampoline(g) as CoreValue,
          ];
        });
        instances[step.instance] = instantiateModule(mod, importObject(entries));
      } else {
        const mod = host.importedModule?.(step.instance);
        if (mod === undefined) throw new Error("the host supplies no imported core module");
        const args = node.args as ReadonlyMap<string, ReadonlyMap<string, CoreDef>>;
        const entries: [string, string, CoreValue][] = [];
        for (const [m, names] of args) for (const [n, d] of names) entries.push([m, n, resolve(d)]);
        instances[step.instance] = instantiateModule(mod, importObject(entries));
      }
    } else if (step.kind === "instantiate-adapter-module") {
      const m = t.adapterModules[step.module];
      const entries = m.imports.map((imp, i): [string, string, CoreValue] => {
        const g = compiled.guards.adapterImports.get(`${m.index}/${i}`);
        return [
          imp.module,
          imp.name,
          g === undefined ? adapterImport(m, i) : guards.trampoline(g) as CoreValue,
        ];
      });
      adapterInstances[step.module] = instantiateModule(
        compiled.adapters[step.module],
        importObject(entries),
      );
    }
  }
  return { instances, adapterInstances, flags, resolve, trapOf };
}
