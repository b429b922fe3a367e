/**
 * Test harness: fuse a component and instantiate it at the core level with
 * the runtime's plan executor (`instantiateCore`), so tests can call a
 * component's core exports and run real adapters on real values. Host
 * lifting and lowering (JS values) are not involved.
 *
 * @module
 */

import { fuse, Trap } from "../../mod.ts";
import type { AdapterModule } from "../../lib/fact/mod.ts";
import type { ComponentDfg } from "../../lib/inline/mod.ts";
import { instantiateCore } from "../../lib/runtime/mod.ts";

/** The error adapters raise through the trap intrinsic. */
export { Trap as AdapterTrap };

/** A fused component, instantiated core module by core module. */
export interface Fused {
  /** The graph. */
  readonly dfg: ComponentDfg;
  /** The generated adapter modules. */
  readonly modules: readonly AdapterModule[];
  /** Core instances by graph id. */
  readonly instances: readonly WebAssembly.Instance[];
  /** Flags globals by component instance. */
  readonly flags: readonly WebAssembly.Global[];
  /** The adapter trap a caught engine trap stands for (see `CoreInstances.trapOf`). */
  trapOf(e: unknown): unknown;
}

/**
 * Fuse and instantiate a component binary.
 * @param bytes The component.
 * @returns The instances.
 */
export async function fuseAndInstantiate(bytes: Uint8Array): Promise<Fused> {
  const t = await fuse(bytes);
  const core = instantiateCore(t);
  return {
    dfg: t.dfg,
    modules: t.adapterModules,
    instances: core.instances,
    flags: core.flags,
    trapOf: core.trapOf,
  };
}
