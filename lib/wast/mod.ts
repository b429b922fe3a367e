/**
 * `.wast` scripts: the S-expression reader, the component value syntax and
 * the runner.
 *
 * @module
 */
export { concatStrings, isAtom, isList, readSexprs, SexprError, stringText } from "./sexpr.ts";
export type { SAtom, SHeadedList, SList, SNode, SPosition, SString } from "./sexpr.ts";
export { formatValue, matchValue, readValue, ValueSyntaxError } from "./values.ts";
export { runWast } from "./runner.ts";
export type { WastAssertion, WastOptions, WastResult, WastStatus } from "./runner.ts";
