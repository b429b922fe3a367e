/**
 * Decoders for sorts, sort indices, extern names and aliases, shared by
 * several component sections and by type declarators.
 *
 * @module
 */

import type { Reader } from "../binary/reader.ts";
import type { Alias, CoreSort, ExternName, Sort, SortIndex } from "./items.ts";

const CORE_SORTS: Record<number, CoreSort> = {
  0x00: "func",
  0x01: "table",
  0x02: "memory",
  0x03: "global",
  0x04: "tag",
  0x10: "type",
  0x11: "module",
  0x12: "instance",
};

const SORTS: Record<number, Sort> = {
  0x01: "func",
  0x02: "value",
  0x03: "type",
  0x04: "component",
  0x05: "instance",
};

/**
 * A `core:sort` byte.
 * @param r The reader.
 * @returns The core sort.
 */
export function readCoreSort(r: Reader): CoreSort {
  const b = r.u8();
  const sort = CORE_SORTS[b];
  if (sort === undefined) throw r.invalidByte(b, "core external kind");
  return sort;
}

function sortOf(r: Reader, b: number, core: number | undefined, at: number): Sort {
  if (core !== undefined) {
    const s = CORE_SORTS[core];
    if (s === undefined) throw r.invalidByte(core, "core external kind", at + 1);
    return `core-${s}`;
  }
  const s = SORTS[b];
  if (s === undefined) throw r.invalidByte(b, "component external kind", at);
  return s;
}

/**
 * A component `sort` (`0x00 core:sort` or one byte).
 * @param r The reader.
 * @returns The sort.
 */
export function readSort(r: Reader): Sort {
  const at = r.offset;
  const b = r.u8();
  return sortOf(r, b, b === 0 ? r.u8() : undefined, at);
}

/**
 * A `sortidx`.
 * @param r The reader.
 * @returns The sort and index.
 */
export function readSortIndex(r: Reader): SortIndex {
  const sort = readSort(r);
  return { sort, index: r.u32() };
}

/**
 * A `nameattributes`: an extern name with optional attributes.
 * @param r The reader.
 * @returns The name.
 */
export function readExternName(r: Reader): ExternName {
  const b = r.u8();
  if (b === 0x00 || b === 0x01) return { name: r.name() };
  if (b !== 0x02) throw r.invalidByte(b, "component name");
  const out: {
    name: string;
    implements?: string;
    versionSuffix?: string;
    externalId?: string;
  } = { name: r.name() };
  for (let n = r.count(); n > 0; n--) {
    const at = r.offset;
    const a = r.u8();
    const key = a === 0
      ? "implements"
      : a === 1
      ? "versionSuffix"
      : a === 2
      ? "externalId"
      : undefined;
    if (key === undefined) throw r.invalidByte(a, "name option", at);
    if (out[key] !== undefined) {
      const text = ["implements", "versionsuffix", "external-id"][a];
      throw r.error(`duplicate '${text}' option in name`, at);
    }
    out[key] = r.name();
  }
  return out;
}

const OUTER_SORTS = new Set<Sort>(["core-module", "core-type", "type", "component"]);

/**
 * An `alias`: of an instance export, a core instance export, or an outer item.
 * @param r The reader.
 * @returns The alias.
 */
export function readAlias(r: Reader): Alias {
  const at = r.offset;
  const b = r.u8();
  const core = b === 0 ? r.u8() : undefined;
  const target = r.u8();
  switch (target) {
    case 0x00:
      return {
        kind: "instance-export",
        sort: sortOf(r, b, core, at),
        instance: r.u32(),
        name: r.name(),
      };
    case 0x01: {
      if (core === undefined) throw r.invalidByte(b, "core instance export alias kind", at);
      return {
        kind: "core-instance-export",
        sort: sortOf(r, b, core, at),
        instance: r.u32(),
        name: r.name(),
      };
    }
    case 0x02: {
      const raw = core ?? b;
      const sort = core !== undefined
        ? (CORE_SORTS[core] !== undefined ? `core-${CORE_SORTS[core]}` as Sort : undefined)
        : SORTS[b];
      if (sort === undefined || !OUTER_SORTS.has(sort)) {
        throw r.invalidByte(raw, "component outer alias kind", core !== undefined ? at + 1 : at);
      }
      return { kind: "outer", sort, count: r.u32(), index: r.u32() };
    }
    default:
      throw r.invalidByte(target, "alias");
  }
}
