/**
 * Test helper: what the pipeline gives for bytes and for the same bytes as
 * a stream in chunks, in forms that compare with `assert.deepEqual`:
 * the payloads the parser decodes ({@link decoded}) against those `parse()`
 * emits ({@link streamed}), and what `fuse()` gives ({@link fused}).
 *
 * @module
 */

import { fuse, parse, type Payload, type Translation } from "../mod.ts";
import { Parser } from "../lib/parse/mod.ts";

/**
 * The bytes as a stream of chunks: `sizes` bytes each, or the sizes of an
 * array in turn (cycling).
 * @param bytes The bytes.
 * @param sizes The chunk size, or sizes.
 * @returns The stream.
 */
export function chunked(
  bytes: Uint8Array,
  sizes: number | readonly number[],
): ReadableStream<Uint8Array> {
  const list = typeof sizes === "number" ? [sizes] : sizes;
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      const size = list[i++ % list.length];
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** A payload in a line: its kind, its place in the input, its item count. */
function payloadText(p: Payload): string {
  const where = "range" in p
    ? `${p.range.start}-${p.range.end}`
    : p.kind === "component-begin"
    ? `${p.offset}-${p.end}`
    : `${p.offset}`;
  return "items" in p ? `${p.kind} ${where} (${p.items.length})` : `${p.kind} ${where}`;
}

/** A payload sequence: one line per payload, then the error's when there is one. */
export interface Decoded {
  /** The payloads (see `payloadText`), then `error <name>: <message>`. */
  readonly lines: string[];
  /** The error, if any. */
  readonly error?: unknown;
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : `non-error ${String(e)}`;
}

/**
 * What the parser itself decodes from the whole input: the payloads, then the error (if any).
 * @param bytes The input.
 * @returns The payloads and error.
 */
export function decoded(bytes: Uint8Array): Decoded {
  const lines: string[] = [];
  const p = new Parser();
  let pos = 0;
  try {
    while (!p.done) {
      const step = p.parse(bytes.subarray(pos), true);
      if (step.type !== "parsed") break;
      pos += step.consumed;
      lines.push(payloadText(step.payload));
    }
  } catch (error) {
    lines.push(`error ${errorText(error)}`);
    return { lines, error };
  }
  return { lines };
}

/**
 * What `parse()` emits for the bytes in chunks: the payloads, then the error (if any).
 * @param bytes The input.
 * @param sizes The chunk size or sizes (see {@link chunked}).
 * @returns The payloads and error.
 */
export async function streamed(
  bytes: Uint8Array,
  sizes: number | readonly number[],
): Promise<Decoded> {
  const lines: string[] = [];
  const reader = chunked(bytes, sizes).pipeThrough(parse()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      lines.push(payloadText(value));
    }
  } catch (error) {
    lines.push(`error ${errorText(error)}`);
    return { lines, error };
  }
  return { lines };
}

/** What `fuse()` gave. */
export interface Fused {
  /** A summary of the translation, or `<name>: <message>` of the error. */
  readonly text: string;
  /** The translation, when there is one. */
  readonly translation?: Translation;
  /** The error, when there is one. */
  readonly error?: unknown;
}

/** FNV-1a of some byte arrays, in hex. */
function hash(parts: readonly Uint8Array[]): string {
  let h = 0x811c9dc5;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p[i], 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * What `fuse()` gives: a summary of the translation (graph sizes, the
 * adapter modules' bytes hashed, the plan, the imports and exports), or the
 * error's class and message.
 * @param input The bytes or a stream of them.
 * @returns The summary, with the translation or the error.
 */
export async function fused(input: Uint8Array | ReadableStream<Uint8Array>): Promise<Fused> {
  let translation: Translation;
  try {
    translation = await fuse(input);
  } catch (error) {
    return { text: errorText(error), error };
  }
  const { dfg, adapterModules, plan } = translation;
  const text = `ok: ${dfg.modules.length} core modules (${
    hash(dfg.modules.map((m) => m.bytes))
  }), ${dfg.instances.length} core instances, ${dfg.adapters.length} adapters, ${adapterModules.length} adapter modules (${
    hash(adapterModules.map((m) => m.bytes))
  }), plan of ${plan.length}, imports ${dfg.imports.map((i) => i.name).join(",")}, exports ${
    dfg.exports.map((e) => e.name).join(",")
  }`;
  return { text, translation };
}
