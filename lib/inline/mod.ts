/**
 * The inline stage: the flattened graph ({@link ComponentDfg}: core
 * instances, fused adapters, host lowerings, resources, imports and
 * exports), the inliner and its stream {@link inline}, and the views
 * `inspect` prints ({@link describeDfg}, {@link dfgToJson}).
 *
 * @example The fused adapters of a composed component
 * ```ts
 * import { parseBytes } from "@wasmfuse/fuse";
 * import { countDfg, inlinePayloads } from "@wasmfuse/fuse/inline";
 * import assert from "node:assert/strict";
 *
 * const dfg = inlinePayloads(parseBytes(await Deno.readFile("examples/points.wasm")));
 * assert.equal(dfg.adapters.length, 2);
 * assert.equal(countDfg(dfg).adapters, 2);
 * ```
 *
 * @module
 */
export { DfgCollector, emptyDfg } from "./dfg.ts";
export type * from "./dfg.ts";
export { inlinePayloads } from "./inliner.ts";
export { inline, InlineStream } from "./stream.ts";
export { countDfg, describeDfg, dfgToJson } from "./describe.ts";
export type { DfgCounts } from "./describe.ts";
