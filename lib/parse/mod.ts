/**
 * The parse stage: the incremental {@link Parser} (in wasmparser's shape),
 * its stream {@link parse} (a `TransformStream<Uint8Array, Payload>` that
 * takes chunks of any size), {@link parseBytes}, the decoded items of every
 * section, and {@link describePayload}, the CLI's one-line view.
 *
 * @example Payloads as they are decoded
 * ```ts
 * import { describePayload, parseBytes } from "@wasmfuse/fuse/parse";
 * import assert from "node:assert/strict";
 *
 * const payloads = parseBytes(await Deno.readFile("examples/composed.wasm"));
 * assert.equal(payloads[0].kind, "component-begin");
 * assert.match(describePayload(payloads.at(-1)!, 0), /end/);
 * ```
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
