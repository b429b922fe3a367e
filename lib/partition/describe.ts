/**
 * The human view of adapter modules and the instantiation plan, for `inspect`.
 *
 * @module
 */

import type { ComponentDfg } from "../inline/dfg.ts";
import type { AdapterModulePlan } from "./partition.ts";
import type { Initializer } from "./plan.ts";

function step(dfg: ComponentDfg, i: Initializer): string {
  switch (i.kind) {
    case "instantiate": {
      const m = dfg.instances[i.instance].module;
      const what = m.kind === "static" ? `module ${m.id}` : `imported module`;
      return `instantiate core instance ${i.instance} (${what}, component instance ${i.componentInstance})`;
    }
    case "instantiate-adapter-module":
      return `instantiate adapter module ${i.module}`;
    case "lower-import":
      return `lower import for lowering ${i.lowering}`;
    case "extract-memory":
      return `extract memory m${i.memory}`;
    case "extract-realloc":
      return `extract realloc r${i.realloc}`;
    case "extract-post-return":
      return `extract post-return p${i.postReturn}`;
    case "resource":
      return `define resource ${i.resource}`;
    case "export":
      return `export "${dfg.exports[i.export].name}"`;
  }
}

/**
 * Describe adapter modules and the plan: one line per module, then the
 * numbered steps.
 *
 * @example Describing an empty plan
 * ```ts
 * import { emptyDfg } from "@wasmfuse/fuse/inline";
 * import { describePlan } from "@wasmfuse/fuse/partition";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describePlan(emptyDfg(), [], []), "adapter modules: 0\nplan: 0 steps");
 * ```
 *
 * @param dfg The graph.
 * @param modules The adapter module plans.
 * @param plan The instantiation plan.
 * @returns The text.
 */
export function describePlan(
  dfg: ComponentDfg,
  modules: readonly AdapterModulePlan[],
  plan: readonly Initializer[],
): string {
  const out = [`adapter modules: ${modules.length}`];
  for (const m of modules) out.push(`adapter module ${m.index}: adapters ${m.adapters.join(", ")}`);
  out.push(`plan: ${plan.length} step${plan.length === 1 ? "" : "s"}`);
  plan.forEach((i, n) => out.push(`  ${n + 1}. ${step(dfg, i)}`));
  return out.join("\n");
}
