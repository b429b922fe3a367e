/**
 * Decodes what the inliner needs from a core module nested in a component:
 * its types, imports, exports and the entity types of every index space.
 * Function bodies, element and data segments are bounds-checked, not decoded.
 *
 * @module
 */

import { END_OF_SECTION, Reader } from "../binary/reader.ts";
import { MODULE_VERSION } from "../binary/limits.ts";
import {
  readCoreImport,
  readGlobalType,
  readMemoryType,
  readRecGroup,
  readTableType,
} from "./core_types.ts";
import type {
  CoreExport,
  CoreExternKind,
  CoreGlobalType,
  CoreImport,
  CoreMemoryType,
  CoreSubType,
  CoreTableType,
  CoreTagType,
} from "./items.ts";
import { readPreamble } from "./preamble.ts";

/** What a core module declares, decoded. */
export interface CoreModuleInfo {
  /** The core type index space (recursion groups expanded). */
  readonly types: readonly CoreSubType[];
  /** Imports, in order. */
  readonly imports: readonly CoreImport[];
  /** Exports, in order. */
  readonly exports: readonly CoreExport[];
  /** Type index of every function, imported ones first. */
  readonly funcs: readonly number[];
  /** Every table, imported ones first. */
  readonly tables: readonly CoreTableType[];
  /** Every memory, imported ones first. */
  readonly memories: readonly CoreMemoryType[];
  /** Every global, imported ones first. */
  readonly globals: readonly CoreGlobalType[];
  /** Every tag, imported ones first. */
  readonly tags: readonly CoreTagType[];
  /** The start function, if any. */
  readonly start?: number;
}

const EXPORT_KINDS: CoreExternKind[] = ["func", "table", "memory", "global", "tag"];

// Position of each known section id in the order the core spec requires.
const SECTION_ORDER: Record<number, number> = {
  1: 1, // type
  2: 2, // import
  3: 3, // function
  4: 4, // table
  5: 5, // memory
  13: 6, // tag
  6: 7, // global
  7: 8, // export
  8: 9, // start
  9: 10, // element
  12: 11, // data count
  10: 12, // code
  11: 13, // data
};

/**
 * Skip a constant expression (global initialisers, table initialisers),
 * checking that it is one of the instructions constant expressions allow.
 */
function skipConstExpr(r: Reader): void {
  for (;;) {
    const at = r.offset;
    const op = r.u8();
    switch (op) {
      case 0x0b:
        return;
      case 0x41:
        r.s32();
        break;
      case 0x42:
        r.s64();
        break;
      case 0x43:
        r.take(4);
        break;
      case 0x44:
        r.take(8);
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        r.u32();
        break;
      case 0xd0: // ref.null
        if (r.peek() >= 0x69 && r.peek() <= 0x74) r.pos++;
        else r.s33();
        break;
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e: // extended-const arithmetic
        break;
      case 0xfb: { // GC constant instructions
        const sub = r.u32();
        if (sub === 0 || sub === 6) r.u32(); // struct.new, array.new
        else if (sub === 1 || sub === 7) r.u32(); // *_default
        else if (sub === 8) (r.u32(), r.u32()); // array.new_fixed
        else if (sub !== 0x1c && sub !== 0x1a && sub !== 0x1b) {
          throw r.error(`unsupported GC instruction 0xfb ${sub} in constant expression`, at);
        }
        break;
      }
      case 0xfd: { // v128.const
        const sub = r.u32();
        if (sub !== 12) throw r.error("unsupported SIMD instruction in constant expression", at);
        r.take(16);
        break;
      }
      default:
        throw r.error(
          `invalid instruction (0x${op.toString(16)}) in constant expression`,
          at,
        );
    }
  }
}

/**
 * Decode a core module.
 * @param bytes The module's bytes, from its preamble to its last section.
 * @param base Absolute offset of `bytes[0]` in the whole input.
 * @returns What the module declares.
 * @throws {ParseError} When the module is malformed.
 */
export function decodeModule(bytes: Uint8Array, base: number): CoreModuleInfo {
  const top = new Reader(bytes, base, END_OF_SECTION);
  const kind = readPreamble(top);
  if (kind.layer !== 0) {
    throw top.error("expected a version header for a module", base + 4);
  }
  if (kind.version !== MODULE_VERSION) {
    throw top.error("unknown binary version", base + 4);
  }
  const types: CoreSubType[] = [];
  const imports: CoreImport[] = [];
  const exports: CoreExport[] = [];
  const funcs: number[] = [];
  const tables: CoreTableType[] = [];
  const memories: CoreMemoryType[] = [];
  const globals: CoreGlobalType[] = [];
  const tags: CoreTagType[] = [];
  let start: number | undefined;
  let lastOrder = 0;

  while (!top.done) {
    const sectionAt = top.offset;
    const id = top.u8();
    const size = top.u32();
    const contentAt = top.offset;
    if (size > top.remaining) {
      throw top.error(
        `${END_OF_SECTION}: section of ${size} bytes runs past the end of the module`,
        sectionAt,
      );
    }
    const r = new Reader(top.take(size), contentAt, END_OF_SECTION);
    if (id === 0) {
      r.name(); // custom section: the name must be valid; the payload is opaque
      continue;
    }
    const order = SECTION_ORDER[id];
    if (order === undefined) throw top.error("malformed section id", sectionAt);
    if (order <= lastOrder) throw top.error("section out of order", sectionAt);
    lastOrder = order;
    switch (id) {
      case 1:
        for (let n = r.count(); n > 0; n--) for (const x of readRecGroup(r).types) types.push(x);
        break;
      case 2:
        for (let n = r.count(); n > 0; n--) {
          const imp = readCoreImport(r);
          imports.push(imp);
          const t = imp.type;
          if (t.kind === "func") funcs.push(t.type);
          else if (t.kind === "table") tables.push(t);
          else if (t.kind === "memory") memories.push(t);
          else if (t.kind === "global") globals.push(t);
          else tags.push(t);
        }
        break;
      case 3:
        for (let n = r.count(); n > 0; n--) funcs.push(r.u32());
        break;
      case 4:
        for (let n = r.count(); n > 0; n--) {
          if (r.peek() === 0x40) {
            r.pos++;
            const z = r.u8();
            if (z !== 0) throw r.invalidByte(z, "table definition");
            tables.push(readTableType(r));
            skipConstExpr(r);
          } else {
            tables.push(readTableType(r));
          }
        }
        break;
      case 5:
        for (let n = r.count(); n > 0; n--) memories.push(readMemoryType(r));
        break;
      case 13:
        for (let n = r.count(); n > 0; n--) {
          const attr = r.u8();
          if (attr !== 0) throw r.invalidByte(attr, "tag attribute");
          tags.push({ kind: "tag", type: r.u32() });
        }
        break;
      case 6:
        for (let n = r.count(); n > 0; n--) {
          globals.push(readGlobalType(r));
          skipConstExpr(r);
        }
        break;
      case 7:
        for (let n = r.count(); n > 0; n--) {
          const name = r.name();
          const k = r.u8();
          const kind = EXPORT_KINDS[k];
          if (kind === undefined) throw r.invalidByte(k, "external kind");
          exports.push({ name, kind, index: r.u32() });
        }
        break;
      case 8:
        start = r.u32();
        break;
      default:
        // element, data count, code, data: bounds-checked above, not decoded
        r.pos = r.bytes.length;
    }
    r.expectEnd(SECTION_NAMES[id], contentAt);
  }
  const info: CoreModuleInfo = { types, imports, exports, funcs, tables, memories, globals, tags };
  return start === undefined ? info : { ...info, start };
}

const SECTION_NAMES: Record<number, string> = {
  1: "type",
  2: "import",
  3: "function",
  4: "table",
  5: "memory",
  6: "global",
  7: "export",
  8: "start",
  9: "element",
  10: "code",
  11: "data",
  12: "data count",
  13: "tag",
};
