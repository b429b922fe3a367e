/**
 * The core wasm encoder the adapters are written with
 * ({@link ModuleBuilder}: interned types, deduplicated imports, functions
 * with locals, instructions by name) and its WAT printer.
 *
 * @example A module with one function
 * ```ts
 * import { ModuleBuilder } from "@wasmfuse/fuse/wasm";
 * import assert from "node:assert/strict";
 *
 * const b = new ModuleBuilder({ text: true });
 * const { ref, body } = b.func({ params: ["i32"], results: ["i32"] }, "inc");
 * body.op("local.get", 0).op("i32.const", 1).op("i32.add");
 * b.exportFunc("inc", ref);
 * const m = new WebAssembly.Instance(new WebAssembly.Module(b.encode()));
 * assert.equal((m.exports.inc as (x: number) => number)(41), 42);
 * assert.match(b.toWat(), /i32.add/);
 * ```
 *
 * @module
 */
export { FuncRef, FunctionBody, ModuleBuilder } from "./module.ts";
export type {
  BlockType,
  CallSite,
  Catch,
  FuncSig,
  Instr,
  MemArg,
  NumType,
  ValType,
} from "./module.ts";
export { OPCODES } from "./opcodes.ts";
export type { Immediate, Opcode, OpName } from "./opcodes.ts";
