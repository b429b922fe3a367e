/**
 * Decoders for core wasm types, shared by core modules and by the core type
 * sections and declarations of components.
 *
 * @module
 */

import type { Reader } from "../binary/reader.ts";
import type {
  AbstractHeapType,
  CoreCompositeType,
  CoreExternType,
  CoreFieldType,
  CoreGlobalType,
  CoreImport,
  CoreMemoryType,
  CoreRecGroup,
  CoreRefType,
  CoreSubType,
  CoreTableType,
  CoreValType,
} from "./items.ts";

const ABSTRACT_HEAP: Record<number, AbstractHeapType> = {
  0x70: "func",
  0x6f: "extern",
  0x6e: "any",
  0x6d: "eq",
  0x6c: "i31",
  0x6b: "struct",
  0x6a: "array",
  0x71: "none",
  0x73: "nofunc",
  0x72: "noextern",
  0x69: "exn",
  0x74: "noexn",
};

const NUM_TYPES: Record<number, CoreValType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
};

// Shorthand reference types are shared: they are immutable.
const SHORTHAND_REFS: Record<number, CoreRefType> = Object.fromEntries(
  Object.entries(ABSTRACT_HEAP).map((
    [b, heap],
  ) => [b, Object.freeze({ kind: "ref", nullable: true, heap })]),
);

/**
 * A heap type: an abstract one (one byte) or a type index (s33).
 * @param r The reader.
 * @returns The heap type.
 */
export function readHeapType(r: Reader): AbstractHeapType | number {
  const b = r.peek();
  const abs = ABSTRACT_HEAP[b];
  if (abs !== undefined) {
    r.pos++;
    return abs;
  }
  const at = r.offset;
  const idx = r.s33();
  if (idx < 0) throw r.invalidByte(b, "heap type", at);
  return idx;
}

/**
 * A reference type (`funcref`, `(ref null? ht)`, ...).
 * @param r The reader.
 * @returns The reference type.
 */
export function readRefType(r: Reader): CoreRefType {
  const b = r.u8();
  const short = SHORTHAND_REFS[b];
  if (short) return short;
  if (b === 0x63 || b === 0x64) {
    return { kind: "ref", nullable: b === 0x63, heap: readHeapType(r) };
  }
  throw r.invalidByte(b, "reference type");
}

/**
 * A value type.
 * @param r The reader.
 * @returns The value type.
 */
export function readValType(r: Reader): CoreValType {
  const b = r.peek();
  const num = NUM_TYPES[b];
  if (num) {
    r.pos++;
    return num;
  }
  if (SHORTHAND_REFS[b] || b === 0x63 || b === 0x64) return readRefType(r);
  throw r.invalidByte(b, "value type", r.offset);
}

function readFieldType(r: Reader): CoreFieldType {
  const b = r.peek();
  let type: CoreFieldType["type"];
  if (b === 0x78) {
    r.pos++;
    type = "i8";
  } else if (b === 0x77) {
    r.pos++;
    type = "i16";
  } else {
    type = readValType(r);
  }
  const m = r.u8();
  if (m > 1) throw r.invalidByte(m, "mutability");
  return { type, mutable: m === 1 };
}

/**
 * A composite type: `func`, `struct` or `array`.
 * @param r The reader.
 * @returns The composite type.
 */
export function readCompositeType(r: Reader): CoreCompositeType {
  const b = r.u8();
  switch (b) {
    case 0x60:
      return {
        kind: "func",
        params: r.vec(readValType),
        results: r.vec(readValType),
      };
    case 0x5f:
      return { kind: "struct", fields: r.vec(readFieldType) };
    case 0x5e:
      return { kind: "array", element: readFieldType(r) };
    default:
      throw r.invalidByte(b, "type definition");
  }
}

/**
 * A subtype: a composite type, optionally with `sub`/`sub final` and supertypes.
 * @param r The reader.
 * @param nonFinalPrefixed In a component's core type space a non-final `sub`
 *   is written `0x00 0x50` (a bare `0x50` is a module type there).
 * @returns The subtype.
 */
export function readSubType(r: Reader, nonFinalPrefixed = false): CoreSubType {
  const b = r.peek();
  if (nonFinalPrefixed && b === 0x00) {
    r.pos++;
    const p = r.u8();
    if (p !== 0x50) throw r.invalidByte(p, "non-final sub type");
    return {
      final: false,
      supertypes: r.vec((r) => r.u32()),
      type: readCompositeType(r),
    };
  }
  if (b === 0x4f || (b === 0x50 && !nonFinalPrefixed)) {
    r.pos++;
    return {
      final: b === 0x4f,
      supertypes: r.vec((r) => r.u32()),
      type: readCompositeType(r),
    };
  }
  return { final: true, supertypes: [], type: readCompositeType(r) };
}

/**
 * A recursion group: `0x4e vec(subtype)` or a single subtype.
 * @param r The reader.
 * @param nonFinalPrefixed See {@link readSubType}.
 * @returns The group.
 */
export function readRecGroup(r: Reader, nonFinalPrefixed = false): CoreRecGroup {
  if (r.peek() === 0x4e) {
    r.pos++;
    return {
      kind: "rec",
      explicit: true,
      types: r.vec((r) => readSubType(r)), // members use the core encoding: plain 0x50
    };
  }
  return { kind: "rec", explicit: false, types: [readSubType(r, nonFinalPrefixed)] };
}

interface Limits {
  min: bigint;
  max?: bigint;
  is64: boolean;
  shared: boolean;
  pageSizeLog2?: number;
}

function readLimits(r: Reader, what: "memory" | "table"): Limits {
  const at = r.offset;
  const flags = r.u8();
  const allowed = what === "memory" ? 0x0f : 0x07;
  if (flags & ~allowed) throw r.invalidByte(flags, `${what} limits flags`, at);
  const is64 = (flags & 0x04) !== 0;
  const read = () => is64 ? r.u64() : BigInt(r.u32());
  const min = read();
  const max = flags & 0x01 ? read() : undefined;
  const limits: Limits = { min, is64, shared: (flags & 0x02) !== 0 };
  if (max !== undefined) limits.max = max;
  if (flags & 0x08) limits.pageSizeLog2 = r.u32();
  return limits;
}

/**
 * A memory type.
 * @param r The reader.
 * @returns The memory type.
 */
export function readMemoryType(r: Reader): CoreMemoryType {
  const l = readLimits(r, "memory");
  const t: {
    kind: "memory";
    min: bigint;
    max?: bigint;
    memory64: boolean;
    shared: boolean;
    pageSizeLog2?: number;
  } = { kind: "memory", min: l.min, memory64: l.is64, shared: l.shared };
  if (l.max !== undefined) t.max = l.max;
  if (l.pageSizeLog2 !== undefined) t.pageSizeLog2 = l.pageSizeLog2;
  return t;
}

/**
 * A table type.
 * @param r The reader.
 * @returns The table type.
 */
export function readTableType(r: Reader): CoreTableType {
  const element = readRefType(r);
  const l = readLimits(r, "table");
  const t: {
    kind: "table";
    element: CoreRefType;
    min: bigint;
    max?: bigint;
    table64: boolean;
    shared: boolean;
  } = { kind: "table", element, min: l.min, table64: l.is64, shared: l.shared };
  if (l.max !== undefined) t.max = l.max;
  return t;
}

/**
 * A global type.
 * @param r The reader.
 * @returns The global type.
 */
export function readGlobalType(r: Reader): CoreGlobalType {
  const type = readValType(r);
  const at = r.offset;
  const flags = r.u8();
  if (flags > 3) throw r.invalidByte(flags, "global type", at);
  return { kind: "global", type, mutable: (flags & 1) !== 0, shared: (flags & 2) !== 0 };
}

/**
 * One frozen object per small type index for function imports, which a
 * large module has by the thousand (the types are read-only anyway).
 */
const FUNC_EXTERNS: CoreExternType[] = [];
const SHARED_FUNC_EXTERNS = 4096;

function funcExtern(type: number): CoreExternType {
  if (type >= SHARED_FUNC_EXTERNS) return { kind: "func", type };
  return FUNC_EXTERNS[type] ??= Object.freeze({ kind: "func", type });
}

/**
 * The type of a core import or export.
 * @param r The reader.
 * @returns The extern type.
 */
export function readCoreExternType(r: Reader): CoreExternType {
  const b = r.u8();
  switch (b) {
    case 0x00:
      return funcExtern(r.u32());
    case 0x01:
      return readTableType(r);
    case 0x02:
      return readMemoryType(r);
    case 0x03:
      return readGlobalType(r);
    case 0x04: {
      const attr = r.u8();
      if (attr !== 0) throw r.invalidByte(attr, "tag attribute");
      return { kind: "tag", type: r.u32() };
    }
    default:
      throw r.invalidByte(b, "external kind");
  }
}

/**
 * A core import.
 * @param r The reader.
 * @returns The import.
 */
export function readCoreImport(r: Reader): CoreImport {
  return { module: r.name(), name: r.name(), type: readCoreExternType(r) };
}
