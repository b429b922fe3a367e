/**
 * Test harness: fuse a component and instantiate it core-module by
 * core-module following the instantiation plan, with the generated adapter
 * modules wired to their bindings. The real runtime (host lifting and
 * lowering, `instantiate()`) is a later stage; this is just enough to call
 * a component's core exports and so run real adapters on real values.
 *
 * @module
 */

import { type AdapterModule, buildAdapterModule, trapMessage } from "../../lib/fact/mod.ts";
import {
  type ComponentDfg,
  type CoreDef,
  inlinePayloads,
  parseBytes,
  partitionDfg,
  planInstantiation,
} from "../../mod.ts";

/** An error thrown by the trap intrinsic, carrying the rule's message. */
export class AdapterTrap extends Error {
  /** The trap code. */
  readonly code: number;
  constructor(code: number) {
    super(trapMessage(code));
    this.code = code;
  }
}

/** A fused component, instantiated core module by core module. */
export interface Fused {
  /** The graph. */
  readonly dfg: ComponentDfg;
  /** The generated adapter modules. */
  readonly modules: readonly AdapterModule[];
  /** Core instances by graph id. */
  readonly instances: WebAssembly.Instance[];
  /** Flags globals by component instance. */
  readonly flags: WebAssembly.Global[];
}

type Value = WebAssembly.ExportValue | WebAssembly.Global;

/**
 * Fuse and instantiate a component binary.
 * @param bytes The component.
 * @returns The instances.
 */
export function fuseAndInstantiate(bytes: Uint8Array): Fused {
  const dfg = inlinePayloads(parseBytes(bytes));
  const plans = partitionDfg(dfg);
  const modules = plans.map((p) => buildAdapterModule(dfg, p));
  for (const m of modules) {
    if (!WebAssembly.validate(m.bytes as BufferSource)) {
      throw new Error(`adapter module ${m.index} is invalid`);
    }
  }
  const moduleOf: number[] = [];
  for (const m of modules) for (const a of m.adapters) moduleOf[a] = m.index;
  const flags = dfg.componentInstances.map(() =>
    new WebAssembly.Global({ value: "i32", mutable: true }, 1)
  );
  const compiled = dfg.modules.map((m) => new WebAssembly.Module(m.bytes as BufferSource));
  const instances: WebAssembly.Instance[] = [];
  const adapterInstances: WebAssembly.Instance[] = [];
  const resolve = (d: CoreDef): Value => {
    switch (d.kind) {
      case "export":
        return instances[d.instance].exports[d.name];
      case "adapter":
        return adapterInstances[moduleOf[d.id]].exports[`adapter${d.id}`];
      case "instance-flags":
        return flags[d.instance];
      default:
        throw new Error(`the harness has no ${d.kind}`);
    }
  };
  const importObject = (entries: [string, string, Value][]) => {
    const o: Record<string, Record<string, Value>> = {};
    for (const [m, n, v] of entries) (o[m] ??= {})[n] = v;
    return o as WebAssembly.Imports;
  };
  for (const step of planInstantiation(dfg, plans)) {
    if (step.kind === "instantiate") {
      const node = dfg.instances[step.instance];
      if (node.module.kind !== "static") throw new Error("the harness has no imported modules");
      const mod = compiled[node.module.id];
      const args = node.args as readonly CoreDef[];
      const entries = WebAssembly.Module.imports(mod).map((imp, i): [string, string, Value] => [
        imp.module,
        imp.name,
        resolve(args[i]),
      ]);
      instances[step.instance] = new WebAssembly.Instance(mod, importObject(entries));
    } else if (step.kind === "instantiate-adapter-module") {
      const m = modules[step.module];
      const entries = m.imports.map((imp): [string, string, Value] => {
        const b = imp.binding;
        switch (b.kind) {
          case "memory": {
            const e = dfg.memories[b.memory].export;
            return [imp.module, imp.name, instances[e.instance].exports[e.name]];
          }
          case "realloc":
            return [imp.module, imp.name, resolve(dfg.reallocs[b.realloc])];
          case "post-return":
            return [imp.module, imp.name, resolve(dfg.postReturns[b.postReturn])];
          case "callee":
            return [imp.module, imp.name, resolve(b.def)];
          case "flags":
            return [imp.module, imp.name, flags[b.instance]];
          case "trap":
            return [imp.module, imp.name, (code: number) => {
              throw new AdapterTrap(code);
            }];
        }
      });
      adapterInstances[step.module] = new WebAssembly.Instance(
        new WebAssembly.Module(m.bytes as BufferSource),
        importObject(entries),
      );
    }
  }
  return { dfg, modules, instances, flags };
}
