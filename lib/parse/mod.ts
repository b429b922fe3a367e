/**
 * The parse stage: the incremental parser, its stream, and the decoded items.
 *
 * @module
 */
export { parseBytes, Parser } from "./parser.ts";
export type { ParseStep } from "./parser.ts";
export { parse, ParseStream } from "./stream.ts";
export type * from "./payload.ts";
export type * from "./items.ts";
export type { CoreModuleInfo } from "./module.ts";
export { describePayload } from "./describe.ts";
