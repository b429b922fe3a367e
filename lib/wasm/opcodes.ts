/**
 * The core instructions the adapters use, by text-format name: opcode bytes
 * and the kind of immediate each takes. One table serves the encoder and
 * the WAT printer.
 *
 * @module
 */

/** The immediates an instruction takes. */
export type Immediate =
  | "none"
  | "local" // local index
  | "global" // global index
  | "func" // function reference
  | "label" // relative branch depth
  | "labels" // br_table: target depths and a default
  | "block" // block type
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "memarg" // alignment + offset (+ memory index)
  | "memory" // memory index (memory.size, memory.grow)
  | "memory2" // two memory indices (memory.copy)
  | "try_table"; // block type and catch clauses

/** An opcode: its bytes and immediate kind. */
export interface Opcode {
  /** Encoded opcode bytes (prefix + LEB sub-opcode for 0xfc ops). */
  readonly bytes: readonly number[];
  /** Immediate kind. */
  readonly imm: Immediate;
  /** Natural alignment (log2) of a load/store, for the text format's default. */
  readonly align?: number;
}

function op(bytes: number | number[], imm: Immediate = "none", align?: number): Opcode {
  return {
    bytes: typeof bytes === "number" ? [bytes] : bytes,
    imm,
    ...(align === undefined ? {} : { align }),
  };
}

/** The name of an instruction the encoder knows. */
export type OpName =
  | "unreachable"
  | "nop"
  | "block"
  | "loop"
  | "if"
  | "else"
  | "end"
  | "br"
  | "br_if"
  | "br_table"
  | "return"
  | "try_table"
  | "throw_ref"
  | "call"
  | "drop"
  | "select"
  | "local.get"
  | "local.set"
  | "local.tee"
  | "global.get"
  | "global.set"
  | "i32.load"
  | "i64.load"
  | "f32.load"
  | "f64.load"
  | "i32.load8_s"
  | "i32.load8_u"
  | "i32.load16_s"
  | "i32.load16_u"
  | "i64.load8_s"
  | "i64.load8_u"
  | "i64.load16_s"
  | "i64.load16_u"
  | "i64.load32_s"
  | "i64.load32_u"
  | "i32.store"
  | "i64.store"
  | "f32.store"
  | "f64.store"
  | "i32.store8"
  | "i32.store16"
  | "i64.store8"
  | "i64.store16"
  | "i64.store32"
  | "memory.size"
  | "memory.grow"
  | "i32.const"
  | "i64.const"
  | "f32.const"
  | "f64.const"
  | "i32.eqz"
  | "i32.eq"
  | "i32.ne"
  | "i32.lt_s"
  | "i32.lt_u"
  | "i32.gt_s"
  | "i32.gt_u"
  | "i32.le_s"
  | "i32.le_u"
  | "i32.ge_s"
  | "i32.ge_u"
  | "i64.eqz"
  | "i64.eq"
  | "i64.ne"
  | "i64.lt_s"
  | "i64.lt_u"
  | "i64.gt_s"
  | "i64.gt_u"
  | "i64.le_s"
  | "i64.le_u"
  | "i64.ge_s"
  | "i64.ge_u"
  | "f32.eq"
  | "f32.ne"
  | "f64.eq"
  | "f64.ne"
  | "i32.clz"
  | "i32.ctz"
  | "i32.popcnt"
  | "i32.add"
  | "i32.sub"
  | "i32.mul"
  | "i32.div_s"
  | "i32.div_u"
  | "i32.rem_s"
  | "i32.rem_u"
  | "i32.and"
  | "i32.or"
  | "i32.xor"
  | "i32.shl"
  | "i32.shr_s"
  | "i32.shr_u"
  | "i32.rotl"
  | "i32.rotr"
  | "i64.clz"
  | "i64.ctz"
  | "i64.popcnt"
  | "i64.add"
  | "i64.sub"
  | "i64.mul"
  | "i64.div_s"
  | "i64.div_u"
  | "i64.rem_s"
  | "i64.rem_u"
  | "i64.and"
  | "i64.or"
  | "i64.xor"
  | "i64.shl"
  | "i64.shr_s"
  | "i64.shr_u"
  | "i64.rotl"
  | "i64.rotr"
  | "i32.wrap_i64"
  | "i64.extend_i32_s"
  | "i64.extend_i32_u"
  | "i32.reinterpret_f32"
  | "i64.reinterpret_f64"
  | "f32.reinterpret_i32"
  | "f64.reinterpret_i64"
  | "f32.demote_f64"
  | "f64.promote_f32"
  | "i32.extend8_s"
  | "i32.extend16_s"
  | "i64.extend8_s"
  | "i64.extend16_s"
  | "i64.extend32_s"
  | "memory.copy"
  | "memory.fill";

/** Every instruction the encoder knows, by text-format name. */
export const OPCODES: Readonly<Record<OpName, Opcode>> = {
  unreachable: op(0x00),
  nop: op(0x01),
  block: op(0x02, "block"),
  loop: op(0x03, "block"),
  if: op(0x04, "block"),
  else: op(0x05),
  end: op(0x0b),
  br: op(0x0c, "label"),
  br_if: op(0x0d, "label"),
  br_table: op(0x0e, "labels"),
  return: op(0x0f),
  try_table: op(0x1f, "try_table"),
  throw_ref: op(0x0a),
  call: op(0x10, "func"),
  drop: op(0x1a),
  select: op(0x1b),
  "local.get": op(0x20, "local"),
  "local.set": op(0x21, "local"),
  "local.tee": op(0x22, "local"),
  "global.get": op(0x23, "global"),
  "global.set": op(0x24, "global"),
  "i32.load": op(0x28, "memarg", 2),
  "i64.load": op(0x29, "memarg", 3),
  "f32.load": op(0x2a, "memarg", 2),
  "f64.load": op(0x2b, "memarg", 3),
  "i32.load8_s": op(0x2c, "memarg", 0),
  "i32.load8_u": op(0x2d, "memarg", 0),
  "i32.load16_s": op(0x2e, "memarg", 1),
  "i32.load16_u": op(0x2f, "memarg", 1),
  "i64.load8_s": op(0x30, "memarg", 0),
  "i64.load8_u": op(0x31, "memarg", 0),
  "i64.load16_s": op(0x32, "memarg", 1),
  "i64.load16_u": op(0x33, "memarg", 1),
  "i64.load32_s": op(0x34, "memarg", 2),
  "i64.load32_u": op(0x35, "memarg", 2),
  "i32.store": op(0x36, "memarg", 2),
  "i64.store": op(0x37, "memarg", 3),
  "f32.store": op(0x38, "memarg", 2),
  "f64.store": op(0x39, "memarg", 3),
  "i32.store8": op(0x3a, "memarg", 0),
  "i32.store16": op(0x3b, "memarg", 1),
  "i64.store8": op(0x3c, "memarg", 0),
  "i64.store16": op(0x3d, "memarg", 1),
  "i64.store32": op(0x3e, "memarg", 2),
  "memory.size": op(0x3f, "memory"),
  "memory.grow": op(0x40, "memory"),
  "i32.const": op(0x41, "i32"),
  "i64.const": op(0x42, "i64"),
  "f32.const": op(0x43, "f32"),
  "f64.const": op(0x44, "f64"),
  "i32.eqz": op(0x45),
  "i32.eq": op(0x46),
  "i32.ne": op(0x47),
  "i32.lt_s": op(0x48),
  "i32.lt_u": op(0x49),
  "i32.gt_s": op(0x4a),
  "i32.gt_u": op(0x4b),
  "i32.le_s": op(0x4c),
  "i32.le_u": op(0x4d),
  "i32.ge_s": op(0x4e),
  "i32.ge_u": op(0x4f),
  "i64.eqz": op(0x50),
  "i64.eq": op(0x51),
  "i64.ne": op(0x52),
  "i64.lt_s": op(0x53),
  "i64.lt_u": op(0x54),
  "i64.gt_s": op(0x55),
  "i64.gt_u": op(0x56),
  "i64.le_s": op(0x57),
  "i64.le_u": op(0x58),
  "i64.ge_s": op(0x59),
  "i64.ge_u": op(0x5a),
  "f32.eq": op(0x5b),
  "f32.ne": op(0x5c),
  "f64.eq": op(0x61),
  "f64.ne": op(0x62),
  "i32.clz": op(0x67),
  "i32.ctz": op(0x68),
  "i32.popcnt": op(0x69),
  "i32.add": op(0x6a),
  "i32.sub": op(0x6b),
  "i32.mul": op(0x6c),
  "i32.div_s": op(0x6d),
  "i32.div_u": op(0x6e),
  "i32.rem_s": op(0x6f),
  "i32.rem_u": op(0x70),
  "i32.and": op(0x71),
  "i32.or": op(0x72),
  "i32.xor": op(0x73),
  "i32.shl": op(0x74),
  "i32.shr_s": op(0x75),
  "i32.shr_u": op(0x76),
  "i32.rotl": op(0x77),
  "i32.rotr": op(0x78),
  "i64.clz": op(0x79),
  "i64.ctz": op(0x7a),
  "i64.popcnt": op(0x7b),
  "i64.add": op(0x7c),
  "i64.sub": op(0x7d),
  "i64.mul": op(0x7e),
  "i64.div_s": op(0x7f),
  "i64.div_u": op(0x80),
  "i64.rem_s": op(0x81),
  "i64.rem_u": op(0x82),
  "i64.and": op(0x83),
  "i64.or": op(0x84),
  "i64.xor": op(0x85),
  "i64.shl": op(0x86),
  "i64.shr_s": op(0x87),
  "i64.shr_u": op(0x88),
  "i64.rotl": op(0x89),
  "i64.rotr": op(0x8a),
  "i32.wrap_i64": op(0xa7),
  "i64.extend_i32_s": op(0xac),
  "i64.extend_i32_u": op(0xad),
  "i32.reinterpret_f32": op(0xbc),
  "i64.reinterpret_f64": op(0xbd),
  "f32.reinterpret_i32": op(0xbe),
  "f64.reinterpret_i64": op(0xbf),
  "f32.demote_f64": op(0xb6),
  "f64.promote_f32": op(0xbb),
  "i32.extend8_s": op(0xc0),
  "i32.extend16_s": op(0xc1),
  "i64.extend8_s": op(0xc2),
  "i64.extend16_s": op(0xc3),
  "i64.extend32_s": op(0xc4),
  "memory.copy": op([0xfc, 10], "memory2"),
  "memory.fill": op([0xfc, 11], "memory"),
};
