/**
 * The exception barrier (CanonicalABI.md, `call_and_trap_on_throw`): a core
 * wasm exception must not unwind from one component instance into another;
 * at the boundary it becomes the trap "uncaught exception propagated out of
 * component". Adapters get the barrier when some core module of the
 * component could throw one, so components that never use exception
 * handling keep adapters that any engine with multi-memory runs.
 *
 * @module
 */

import type { ComponentDfg } from "../inline/dfg.ts";

interface Scan {
  modules: number;
  instances: number;
  found: boolean;
}

const scans = new WeakMap<ComponentDfg, Scan>();

/**
 * Whether a core wasm exception could be thrown in the component so far: a
 * static core module that defines or imports a tag, or an instance of an
 * imported core module (whose code is not known here). The graph only grows,
 * so the scan resumes where it stopped: over a whole translation it costs
 * one pass, however many adapter modules ask.
 *
 * A module instantiated after an adapter is compiled is not seen by that
 * adapter: only a later instance writing a throwing function into an
 * earlier instance's table could make the adapter's callee throw, and that
 * exception then crosses the adapter as it would without the barrier (the
 * host still traps it when it gets out of the component).
 * @param dfg The graph.
 * @returns Whether the adapters need the barrier.
 */
export function mayThrow(dfg: ComponentDfg): boolean {
  let s = scans.get(dfg);
  if (s === undefined) scans.set(dfg, s = { modules: 0, instances: 0, found: false });
  if (s.found) return true;
  for (; s.modules < dfg.modules.length; s.modules++) {
    if (dfg.modules[s.modules].tags.length > 0) return s.found = true;
  }
  for (; s.instances < dfg.instances.length; s.instances++) {
    if (dfg.instances[s.instances].module.kind === "import") return s.found = true;
  }
  return false;
}
