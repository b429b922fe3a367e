/**
 * Decoder for the canonical section (id 8): lift, lower, the resource
 * built-ins, and every async/thread/stream/future/error-context built-in,
 * decoded by name so that a later stage can refuse them clearly.
 *
 * @module
 */

import type { Reader } from "../binary/reader.ts";
import { readValType } from "./core_types.ts";
import { readComponentValType } from "./component_types.ts";
import type { Canon, CanonOptions } from "./items.ts";

const OPTION_NAMES = [
  "string-encoding",
  "string-encoding",
  "string-encoding",
  "memory",
  "realloc",
  "post-return",
  "async",
  "callback",
];

/** The bit of each option byte's name in the set of names seen. */
const OPTION_BITS = OPTION_NAMES.map((name) => OPTION_NAMES.indexOf(name));

/**
 * A `vec(canonopt)`. An option given twice (or two string encodings) cannot
 * be represented, so it is refused here, as Binary.md's validation requires.
 * @param r The reader.
 * @returns The options.
 */
export function readCanonOptions(r: Reader): CanonOptions {
  const opts: {
    stringEncoding?: CanonOptions["stringEncoding"];
    memory?: number;
    realloc?: number;
    postReturn?: number;
    async?: true;
    callback?: number;
  } = {};
  // one bit per option name (the three string encodings share one)
  let seen = 0;
  for (let n = r.count(); n > 0; n--) {
    const at = r.offset;
    const b = r.u8();
    const name = OPTION_NAMES[b];
    if (name !== undefined) {
      const bit = 1 << OPTION_BITS[b];
      if (seen & bit) {
        throw r.error(`canonical option \`${name}\` is given more than once`, at);
      }
      seen |= bit;
    }
    switch (b) {
      case 0x00:
        opts.stringEncoding = "utf8";
        break;
      case 0x01:
        opts.stringEncoding = "utf16";
        break;
      case 0x02:
        opts.stringEncoding = "latin1+utf16";
        break;
      case 0x03:
        opts.memory = r.u32();
        break;
      case 0x04:
        opts.realloc = r.u32();
        break;
      case 0x05:
        opts.postReturn = r.u32();
        break;
      case 0x06:
        opts.async = true;
        break;
      case 0x07:
        opts.callback = r.u32();
        break;
      default:
        throw r.invalidByte(b, "canonical option", at);
    }
  }
  return opts;
}

const NO_IMMEDIATE: Record<number, Canon["kind"]> = {
  0x24: "backpressure.inc",
  0x25: "backpressure.dec",
  0x05: "task.cancel",
  0x0d: "subtask.drop",
  0x1e: "error-context.drop",
  0x1f: "waitable-set.new",
  0x22: "waitable-set.drop",
  0x23: "waitable.join",
  0x26: "thread.index",
  0x28: "thread.resume-later",
};

const TYPE_ONLY: Record<number, Canon["kind"]> = {
  0x02: "resource.new",
  0x03: "resource.drop",
  0x04: "resource.rep",
  0x0e: "stream.new",
  0x13: "stream.drop-readable",
  0x14: "stream.drop-writable",
  0x15: "future.new",
  0x1a: "future.drop-readable",
  0x1b: "future.drop-writable",
};

const TYPE_OPTS: Record<number, Canon["kind"]> = {
  0x0f: "stream.read",
  0x10: "stream.write",
  0x16: "future.read",
  0x17: "future.write",
};

const TYPE_ASYNC: Record<number, Canon["kind"]> = {
  0x11: "stream.cancel-read",
  0x12: "stream.cancel-write",
  0x18: "future.cancel-read",
  0x19: "future.cancel-write",
};

const CANCELLABLE: Record<number, Canon["kind"]> = {
  0x29: "thread.suspend",
  0x0c: "thread.yield",
  0x2a: "thread.suspend-then-resume",
  0x2b: "thread.yield-then-resume",
  0x2c: "thread.suspend-then-promote",
  0x2d: "thread.yield-then-promote",
};

/**
 * One `canon` definition.
 * @param r The reader.
 * @returns The definition.
 */
export function readCanon(r: Reader): Canon {
  const at = r.offset;
  const b = r.u8();
  let kind = NO_IMMEDIATE[b];
  if (kind) return { kind } as Canon;
  kind = TYPE_ONLY[b];
  if (kind) return { kind, type: r.u32() } as Canon;
  kind = TYPE_OPTS[b];
  if (kind) return { kind, type: r.u32(), options: readCanonOptions(r) } as Canon;
  kind = TYPE_ASYNC[b];
  if (kind) return { kind, type: r.u32(), async: r.bool() } as Canon;
  kind = CANCELLABLE[b];
  if (kind) return { kind, cancellable: r.bool() } as Canon;
  switch (b) {
    case 0x00: {
      const s = r.u8();
      if (s !== 0x00) throw r.invalidByte(s, "canonical function lift");
      const coreFunc = r.u32();
      const options = readCanonOptions(r);
      return { kind: "lift", coreFunc, options, type: r.u32() };
    }
    case 0x01: {
      const s = r.u8();
      if (s !== 0x00) throw r.invalidByte(s, "canonical function lower");
      return { kind: "lower", func: r.u32(), options: readCanonOptions(r) };
    }
    case 0x09: {
      const rb = r.u8();
      let result;
      if (rb === 0x00) result = readComponentValType(r);
      else if (rb === 0x01) {
        const z = r.u8();
        if (z !== 0) throw r.invalidByte(z, "number of results");
      } else throw r.invalidByte(rb, "component function results");
      const options = readCanonOptions(r);
      return result === undefined
        ? { kind: "task.return", options }
        : { kind: "task.return", result, options };
    }
    case 0x0a:
    case 0x0b:
      return {
        kind: b === 0x0a ? "context.get" : "context.set",
        type: readValType(r),
        index: r.u32(),
      };
    case 0x06:
      return { kind: "subtask.cancel", async: r.bool() };
    case 0x1c:
    case 0x1d:
      return {
        kind: b === 0x1c ? "error-context.new" : "error-context.debug-message",
        options: readCanonOptions(r),
      };
    case 0x20:
    case 0x21:
      return {
        kind: b === 0x20 ? "waitable-set.wait" : "waitable-set.poll",
        cancellable: r.bool(),
        memory: r.u32(),
      };
    case 0x27:
      return { kind: "thread.new-indirect", coreType: r.u32(), table: r.u32() };
    case 0x40:
      return { kind: "thread.spawn-ref", shared: r.bool(), coreType: r.u32() };
    case 0x41:
      return {
        kind: "thread.spawn-indirect",
        shared: r.bool(),
        coreType: r.u32(),
        table: r.u32(),
      };
    case 0x42:
      return { kind: "thread.available-parallelism", shared: r.bool() };
    default:
      throw r.invalidByte(b, "canonical function", at);
  }
}
