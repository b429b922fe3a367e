/**
 * The incremental component parser, in wasmparser's shape: the caller hands
 * it the bytes it has (starting at the first unconsumed byte) and whether
 * the input ends there; it answers "need N more bytes" or "parsed a payload,
 * consumed N bytes". The caller drops consumed bytes and calls again.
 *
 * A nested component does not need to be buffered: its section header opens
 * a frame bounded by the section's end, and its sections are parsed one by
 * one like the root's. Every other section is decoded once it is complete,
 * so the caller never needs to buffer more than the section in progress.
 *
 * @module
 */

import { ParseError } from "../binary/errors.ts";
import { END_OF_FILE, END_OF_SECTION, Reader } from "../binary/reader.ts";
import {
  COMPONENT_VERSION,
  MAX_LEB_U32_BYTES,
  MAX_NESTING_DEPTH,
  PREAMBLE_SIZE,
} from "../binary/limits.ts";
import type { ModulePayload, Payload } from "./payload.ts";
import { readPreamble } from "./preamble.ts";
import { decodeSection } from "./sections.ts";

/** The answer of {@link Parser.parse}. */
export type ParseStep =
  | {
    /** More input is needed before anything can be parsed. */
    readonly type: "need-more";
    /** At least this many more bytes are needed. */
    readonly hint: number;
  }
  | {
    /** A payload was parsed. */
    readonly type: "parsed";
    /** How many bytes of the given data it used. */
    readonly consumed: number;
    /** The payload. */
    readonly payload: Payload;
  };

interface Frame {
  /** Depth of the component (root = 0). */
  readonly depth: number;
  /** Absolute offset where the component ends; `null` for the root. */
  readonly end: number | null;
}

const LAST_SECTION_ID = 12;
const COMPONENT_SECTION_ID = 4;

/** Whether `data` holds a complete section id + LEB128 size (or enough to fail). */
function headerAvailable(data: Uint8Array): boolean {
  const n = Math.min(data.length, 1 + MAX_LEB_U32_BYTES);
  for (let i = 1; i < n; i++) if (data[i] < 0x80) return true;
  return data.length > MAX_LEB_U32_BYTES;
}

/**
 * Check a component preamble and explain what is wrong with it.
 * @param r A reader at the preamble.
 * @param nested Whether this is a nested component.
 */
function checkComponentPreamble(r: Reader): void {
  const at = r.offset + 4;
  const { version, layer } = readPreamble(r);
  if (layer === 0) {
    throw r.error(
      version === 1
        ? "expected a version header for a component, found a core module"
        : "unknown binary version",
      at,
    );
  }
  if (layer !== 1) throw r.error("unknown binary version and layer", at);
  if (version !== COMPONENT_VERSION) {
    throw r.error(`unknown binary version 0x${version.toString(16)}`, at);
  }
}

/**
 * Parses a component binary incrementally. Give it the bytes you have from
 * the first byte it has not consumed; it returns one payload at a time.
 * Chunking never changes the payloads: any split of the input gives the
 * same sequence as the whole input at once.
 *
 * @example Driving the parser by hand
 * ```ts
 * import { Parser } from "@wasmfuse/fuse/parse";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const parser = new Parser();
 * const kinds = [];
 * let data = bytes;
 * for (;;) {
 *   const step = parser.parse(data, true);
 *   assert.equal(step.type, "parsed");
 *   if (step.type !== "parsed") break;
 *   kinds.push(step.payload.kind);
 *   data = data.subarray(step.consumed);
 *   if (step.payload.kind === "end") break;
 * }
 * assert.deepEqual(kinds, ["component-begin", "component-end", "end"]);
 * ```
 */
export class Parser {
  #offset = 0;
  #frames: Frame[] = [];
  #state: "preamble" | "sections" | "end" | "done" = "preamble";

  /** Absolute offset of the next byte the parser expects. */
  get offset(): number {
    return this.#offset;
  }

  /**
   * Start inside a nested component whose preamble was read (for
   * {@link payloadsInside}): the next payloads are its sections, then its
   * `component-end`. Read `"again"` (its bytes were read once already), a
   * core module's payload decodes its declarations only when they are
   * first read; read `"whole"`, everything is decoded; read
   * `"modules-only"`, the sections other than modules and components are
   * not decoded (their payloads are placeholders).
   * @param depth Its depth.
   * @param offset The absolute offset of its first section.
   * @param end The absolute offset of its end.
   * @param read How its sections are read.
   */
  enterNested(
    depth: number,
    offset: number,
    end: number,
    read: "again" | "whole" | "modules-only" = "again",
  ): void {
    this.#offset = offset;
    this.#frames = [{ depth, end }];
    this.#state = "sections";
    // read again, the bytes' modules are known: decoded only if asked for; read for the
    // modules only, the other sections are not decoded
    this.#lazyModules = read === "again";
    this.#modulesOnly = read === "modules-only";
  }

  #lazyModules = false;
  /** Whether the nested component just entered is to be skipped (see skipComponent). */
  #skipping = false;
  /** Whether sections other than modules and components go undecoded (see modulesInside). */
  #modulesOnly = false;

  /**
   * Skip the rest of the nested component whose `component-begin` was just
   * returned: the next payload is its `component-end`, its bytes consumed
   * undecoded (all of them must be at hand by then). For a caller that has
   * the whole input and reads the component from it later (the inliner,
   * in `fuse()`), and checks its bytes then.
   * @throws {Error} When no nested component was just entered.
   */
  skipComponent(): void {
    const frame = this.#frames[this.#frames.length - 1];
    if (this.#state !== "sections" || frame === undefined || frame.end === null) {
      throw new Error("skipComponent() is for a nested component just entered");
    }
    this.#skipping = true;
  }

  /** Whether the final `end` payload has been returned. */
  get done(): boolean {
    return this.#state === "done";
  }

  /**
   * Parse the next payload.
   * @param data The input from the first unconsumed byte on (it may hold more).
   * @param eof Whether the input ends after `data`.
   * @returns What was parsed, or how many more bytes are needed.
   * @throws {ParseError} When the input is malformed.
   */
  parse(data: Uint8Array, eof: boolean): ParseStep {
    return this.parseAt(data, 0, eof);
  }

  /**
   * {@link Parser.parse} of `data` from index `at` on (`data.subarray(at)`,
   * without making that view): what a caller holding the whole input uses.
   * @param data The input; its unconsumed bytes start at `at`.
   * @param at Where the first unconsumed byte is in `data`.
   * @param eof Whether the input ends after `data`.
   * @returns What was parsed (`consumed` counts from `at`), or how many more bytes are needed.
   * @throws {ParseError} When the input is malformed.
   */
  parseAt(data: Uint8Array, at: number, eof: boolean): ParseStep {
    switch (this.#state) {
      case "preamble":
        return this.#preamble(at === 0 ? data : data.subarray(at), eof);
      case "sections":
        return this.#section(data, at, eof);
      case "end":
        if (data.length !== at) {
          throw new ParseError("unexpected data after the end of the component", this.#offset);
        }
        this.#state = "done";
        return { type: "parsed", consumed: 0, payload: { kind: "end", offset: this.#offset } };
      case "done":
        throw new ParseError("the parser has already reached the end of the input", this.#offset);
    }
  }

  #parsed(consumed: number, payload: Payload): ParseStep {
    this.#offset += consumed;
    return { type: "parsed", consumed, payload };
  }

  #preamble(data: Uint8Array, eof: boolean): ParseStep {
    if (data.length < PREAMBLE_SIZE && !eof) {
      return { type: "need-more", hint: PREAMBLE_SIZE - data.length };
    }
    checkComponentPreamble(new Reader(data.subarray(0, PREAMBLE_SIZE), this.#offset));
    this.#frames.push({ depth: 0, end: null });
    this.#state = "sections";
    return this.#parsed(PREAMBLE_SIZE, {
      kind: "component-begin",
      depth: 0,
      offset: this.#offset,
      end: null,
    });
  }

  #section(data: Uint8Array, at: number, eof: boolean): ParseStep {
    const frame = this.#frames[this.#frames.length - 1];
    if (this.#skipping) {
      const left = frame.end! - this.#offset;
      if (data.length - at < left) {
        if (eof) throw new ParseError(END_OF_FILE, this.#offset + data.length - at);
        return { type: "need-more", hint: left - (data.length - at) };
      }
      this.#skipping = false;
      this.#frames.pop();
      return this.#parsed(left, { kind: "component-end", depth: frame.depth, offset: frame.end! });
    }
    const bounded = frame.end !== null;
    const left = bounded ? frame.end! - this.#offset : Infinity;
    const avail = data.length - at;
    if (left === 0 || (!bounded && eof && avail === 0)) {
      this.#frames.pop();
      if (this.#frames.length === 0) this.#state = "end";
      return this.#parsed(0, { kind: "component-end", depth: frame.depth, offset: this.#offset });
    }
    // Bytes of this frame we can see, and whether more of the frame can still arrive.
    const seen = bounded && avail > left ? left : avail;
    const final = eof || seen === left;
    // Running past a nested component's end while its bytes are all here is
    // an overlong section; otherwise it is the input that ended too soon.
    const endReason = bounded && seen === left ? END_OF_SECTION : END_OF_FILE;
    const start = this.#offset;

    // the header read in place when it is whole and well-formed (a section
    // is then decoded with one view, of its content); anything else goes
    // through a reader, which says what is wrong
    let id = seen > 0 ? data[at] : 0xff;
    let size = 0;
    let header = 0;
    for (let i = 1, shift = 0; i <= MAX_LEB_U32_BYTES && i < seen; i++, shift += 7) {
      const byte = data[at + i];
      if (i === MAX_LEB_U32_BYTES && byte & 0xf0) break;
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        header = i + 1;
        break;
      }
    }
    if (header === 0 || id > LAST_SECTION_ID || size > left - header) {
      const window = data.subarray(at, at + seen);
      if (!headerAvailable(window) && !final) return { type: "need-more", hint: 1 };
      const r = new Reader(window, start, endReason);
      id = r.u8();
      if (id > LAST_SECTION_ID) throw r.error("malformed section id", start);
      size = r.u32();
      header = r.pos;
      if (size > left - header) {
        throw r.error(
          `${END_OF_SECTION}: section of ${size} bytes runs past the end of the enclosing component`,
          start,
        );
      }
    }
    const total = header + size;

    if (id === COMPONENT_SECTION_ID) {
      if (seen < header + Math.min(size, PREAMBLE_SIZE) && !final) {
        return { type: "need-more", hint: header + PREAMBLE_SIZE - seen };
      }
      // (by depth, not by frames: a component read again starts at its own depth)
      if (frame.depth >= MAX_NESTING_DEPTH) {
        throw new ParseError(`components nested deeper than ${MAX_NESTING_DEPTH} levels`, start);
      }
      // The nested preamble must lie within the section.
      const pre = new Reader(
        data.subarray(
          at + header,
          Math.min(at + seen, at + header + Math.min(size, PREAMBLE_SIZE)),
        ),
        start + header,
        size < PREAMBLE_SIZE ? END_OF_SECTION : endReason,
      );
      checkComponentPreamble(pre);
      const depth = frame.depth + 1;
      this.#frames.push({ depth, end: start + total });
      return this.#parsed(header + PREAMBLE_SIZE, {
        kind: "component-begin",
        depth,
        offset: start + header,
        end: start + total,
      });
    }

    if (seen < total) {
      if (final) throw new ParseError(endReason, start + seen);
      return { type: "need-more", hint: total - seen };
    }
    if (this.#modulesOnly && id !== 1) return this.#parsed(total, NOT_DECODED);
    const payload = decodeSection(
      id,
      data.subarray(at + header, at + total),
      start + header,
      { start, end: start + total },
      this.#lazyModules,
    );
    return this.#parsed(total, payload);
  }
}

/**
 * The payloads strictly inside a nested component of `input` (between its
 * `component-begin` and `component-end`), decoded again from its bytes, one
 * at a time: the inliner reads a large nested component this way when it
 * instantiates it, rather than keeping its payloads from the first read.
 * Offsets are the input's. Read `"again"`, its core modules (known from
 * the first read) are not decoded unless their declarations are read;
 * read `"whole"`, everything is, as on a first read.
 * @param input The whole component binary.
 * @param begin The nested component's `component-begin` payload.
 * @param read How: `"again"` (the default) or `"whole"`.
 * @returns The payloads, in order.
 * @throws {ParseError} When the bytes are malformed (they were read once already).
 */
export function* payloadsInside(
  input: Uint8Array,
  begin: { readonly depth: number; readonly offset: number; readonly end: number | null },
  read: "again" | "whole" = "again",
): Generator<Payload> {
  yield* inside(input, begin, read);
}

/** The payloads inside a nested component, read one way (see {@link Parser.enterNested}). */
function* inside(
  input: Uint8Array,
  begin: { readonly depth: number; readonly offset: number; readonly end: number | null },
  read: "again" | "whole" | "modules-only",
): Generator<Payload> {
  const parser = new Parser();
  const end = begin.end ?? input.length;
  parser.enterNested(begin.depth, begin.offset + PREAMBLE_SIZE, end, read);
  const bytes = end === input.length ? input : input.subarray(0, end);
  let pos = begin.offset + PREAMBLE_SIZE;
  for (;;) {
    const step = parser.parseAt(bytes, pos, true);
    if (step.type === "need-more") throw new ParseError(END_OF_FILE, parser.offset);
    if (step.payload.kind === "component-end" && step.payload.depth === begin.depth) return;
    pos += step.consumed;
    yield step.payload;
  }
}

/** What a modules-only parser gives for any other section (see {@link modulesInside}). */
const NOT_DECODED: Payload = Object.freeze({
  kind: "custom",
  range: Object.freeze({ start: 0, end: 0 }),
  name: "",
  data: new Uint8Array(0),
});

/**
 * The core modules inside a nested component of `input`, nested components
 * included, decoded, in order: its sections' headers and nested preambles
 * are read as {@link payloadsInside} reads them (the same errors), other
 * sections are not decoded. The inliner registers a component's modules
 * this way when it skips the component's bytes on their first read.
 * @param input The whole component binary.
 * @param begin The nested component's `component-begin` payload.
 * @returns The module payloads, in order.
 * @throws {ParseError} When a header, a preamble or a module is malformed.
 */
export function* modulesInside(
  input: Uint8Array,
  begin: { readonly depth: number; readonly offset: number; readonly end: number | null },
): Generator<ModulePayload> {
  for (const p of inside(input, begin, "modules-only")) if (p.kind === "module") yield p;
}

/**
 * Parse a whole component binary at once.
 *
 * @example Listing the payloads of a component
 * ```ts
 * import { parseBytes } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const payloads = parseBytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
 * assert.deepEqual(payloads.map((p) => p.kind), ["component-begin", "component-end", "end"]);
 * ```
 *
 * @param bytes The component binary.
 * @returns Every payload, in order; the last is `end`.
 * @throws {ParseError} When the binary is malformed.
 */
export function parseBytes(bytes: Uint8Array): Payload[] {
  const parser = new Parser();
  const out: Payload[] = [];
  let pos = 0;
  while (!parser.done) {
    const step = parser.parseAt(bytes, pos, true);
    if (step.type === "need-more") {
      // Unreachable with eof = true; kept as a guard against a parser bug looping.
      throw new ParseError(END_OF_FILE, parser.offset);
    }
    out.push(step.payload);
    pos += step.consumed;
  }
  return out;
}
