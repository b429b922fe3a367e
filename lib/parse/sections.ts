/**
 * One decoder per component section: each turns a complete section's bytes
 * into its payload. Nested components (id 4) are not decoded here: the
 * parser descends into them incrementally.
 *
 * @module
 */

import { END_OF_SECTION, Reader } from "../binary/reader.ts";
import { readCanon } from "./canon.ts";
import {
  readComponentValType,
  readCoreTypeDef,
  readExternType,
  readTypeDef,
} from "./component_types.ts";
import type { CoreInstance, Export, Instance, Value } from "./items.ts";
import { type CoreModuleInfo, decodeModule } from "./module.ts";
import { readAlias, readCoreSort, readExternName, readSort, readSortIndex } from "./names.ts";
import type { ModulePayload, Payload, Range } from "./payload.ts";

/** Section ids of the component binary format. */
export const SECTION_NAMES: Record<number, string> = {
  0: "custom",
  1: "core module",
  2: "core instance",
  3: "core type",
  4: "component",
  5: "instance",
  6: "alias",
  7: "type",
  8: "canon",
  9: "start",
  10: "import",
  11: "export",
  12: "value",
};

function readCoreInstance(r: Reader): CoreInstance {
  const b = r.u8();
  if (b === 0x00) {
    const module = r.u32();
    const args = r.vec((r) => {
      const name = r.name();
      const k = r.u8();
      if (k !== 0x12) throw r.invalidByte(k, "instantiation arg kind");
      return { name, instance: r.u32() };
    });
    return { kind: "instantiate", module, args };
  }
  if (b === 0x01) {
    return {
      kind: "from-exports",
      exports: r.vec((r) => ({ name: r.name(), sort: readCoreSort(r), index: r.u32() })),
    };
  }
  throw r.invalidByte(b, "core instance");
}

function readInstance(r: Reader): Instance {
  const b = r.u8();
  if (b === 0x00) {
    const component = r.u32();
    const args = r.vec((r) => ({ name: r.name(), ...readSortIndex(r) }));
    return { kind: "instantiate", component, args };
  }
  if (b === 0x01) {
    return {
      kind: "from-exports",
      exports: r.vec((r) => ({ name: readExternName(r), ...readSortIndex(r) })),
    };
  }
  throw r.invalidByte(b, "instance");
}

function readExport(r: Reader): Export {
  const name = readExternName(r);
  const sort = readSort(r);
  const index = r.u32();
  const at = r.offset;
  const b = r.u8();
  if (b === 0x00) return { name, sort, index };
  if (b === 0x01) return { name, sort, index, type: readExternType(r) };
  throw r.invalidByte(b, "optional component export type", at);
}

function readValue(r: Reader): Value {
  const type = readComponentValType(r);
  const len = r.u32();
  return { type, bytes: r.take(len) };
}

/**
 * Decode one complete component section (any id but 4).
 * @param id The section id.
 * @param content The section's contents (after id and size).
 * @param contentOffset Absolute offset of `content[0]`.
 * @param range The whole section, header included.
 * @param lazyModules Whether a core module is decoded only when its
 *   declarations are first read (bytes read before, whose modules are known).
 * @returns The payload.
 * @throws {ParseError} When the section is malformed.
 */
export function decodeSection(
  id: number,
  content: Uint8Array,
  contentOffset: number,
  range: Range,
  lazyModules = false,
): Payload {
  if (id === 1 && lazyModules) return lazyModule(content, contentOffset, range);
  const r = new Reader(content, contentOffset, END_OF_SECTION);
  let payload: Payload;
  switch (id) {
    case 0: {
      const name = r.name();
      payload = { kind: "custom", range, name, data: r.take(r.remaining) };
      break;
    }
    case 1:
      payload = { kind: "module", range, bytes: content, ...decodeModule(content, contentOffset) };
      r.pos = content.length;
      break;
    case 2:
      payload = { kind: "core-instance", range, items: r.vec(readCoreInstance) };
      break;
    case 3:
      payload = { kind: "core-type", range, items: r.vec((r) => readCoreTypeDef(r)) };
      break;
    case 5:
      payload = { kind: "instance", range, items: r.vec(readInstance) };
      break;
    case 6:
      payload = { kind: "alias", range, items: r.vec(readAlias) };
      break;
    case 7:
      payload = { kind: "type", range, items: r.vec((r) => readTypeDef(r)) };
      break;
    case 8:
      payload = { kind: "canon", range, items: r.vec(readCanon) };
      break;
    case 9: {
      const func = r.u32();
      const args = r.vec((r) => r.u32());
      payload = { kind: "start", range, start: { func, args, results: r.u32() } };
      break;
    }
    case 10:
      payload = {
        kind: "import",
        range,
        items: r.vec((r) => ({ name: readExternName(r), type: readExternType(r) })),
      };
      break;
    case 11:
      payload = { kind: "export", range, items: r.vec(readExport) };
      break;
    case 12:
      payload = { kind: "value", range, items: r.vec(readValue) };
      break;
    default:
      throw r.error("malformed section id", range.start);
  }
  r.expectEnd(SECTION_NAMES[id], contentOffset);
  return payload;
}

/** The declarations of a module payload (every key of CoreModuleInfo, checked by the type). */
const MODULE_DECLARATIONS = Object.keys(
  {
    types: true,
    imports: true,
    exports: true,
    funcs: true,
    tables: true,
    memories: true,
    globals: true,
    tags: true,
    start: true,
  } satisfies Record<keyof CoreModuleInfo, true>,
) as (keyof CoreModuleInfo)[];

/**
 * A module payload whose declarations are decoded when first read: a
 * section read again (see `payloadsInside`) whose module is already known
 * by its offset, so that a large module is not decoded for nothing.
 */
function lazyModule(content: Uint8Array, contentOffset: number, range: Range): ModulePayload {
  let info: CoreModuleInfo | undefined;
  const p = { kind: "module", range, bytes: content };
  for (const key of MODULE_DECLARATIONS) {
    Object.defineProperty(p, key, {
      enumerable: true,
      get: () => (info ??= decodeModule(content, contentOffset))[key],
    });
  }
  return p as ModulePayload;
}
