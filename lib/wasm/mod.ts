/**
 * The core wasm encoder and WAT printer for the modules wasmfuse generates.
 *
 * @module
 */
export { FuncRef, FunctionBody, ModuleBuilder } from "./module.ts";
export type { BlockType, FuncSig, Instr, MemArg, NumType } from "./module.ts";
export { OPCODES } from "./opcodes.ts";
export type { Immediate, Opcode, OpName } from "./opcodes.ts";
