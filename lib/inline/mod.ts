/**
 * The inline stage: the flattened graph, the inliner and its stream.
 *
 * @module
 */
export { DfgCollector, emptyDfg } from "./dfg.ts";
export type * from "./dfg.ts";
export { inlinePayloads } from "./inliner.ts";
export { inline, InlineStream } from "./stream.ts";
export { countDfg, describeDfg, dfgToJson } from "./describe.ts";
export type { DfgCounts } from "./describe.ts";
