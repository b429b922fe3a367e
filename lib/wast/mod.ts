/**
 * `.wast` scripts: the S-expression reader, the component value syntax
 * (`(u32.const 1)`, `(record.const ...)`) and the runner
 * ({@link runWast}) that checks wasmfuse against the specification's
 * conformance suites.
 *
 * @example Reading and printing a value
 * ```ts
 * import { formatValue, readSexprs, readValue } from "@wasmfuse/fuse/wast";
 * import assert from "node:assert/strict";
 *
 * const v = readValue(readSexprs('(list.const (str.const "a") (str.const "b"))')[0], {
 *   kind: "list",
 *   element: "string",
 * });
 * assert.deepEqual(v, ["a", "b"]);
 * assert.equal(formatValue(7, "u32"), "(u32.const 7)");
 * ```
 *
 * @module
 */
export { concatStrings, isAtom, isList, readSexprs, SexprError, stringText } from "./sexpr.ts";
export type { SAtom, SHeadedList, SList, SNode, SPosition, SString } from "./sexpr.ts";
export { formatValue, matchValue, readValue, ValueSyntaxError } from "./values.ts";
export { runWast } from "./runner.ts";
export type { WastAssertion, WastOptions, WastResult, WastStatus } from "./runner.ts";
