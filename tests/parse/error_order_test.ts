/**
 * Streaming must not change results: on malformed input, `parse()` emits
 * every payload the parser decoded before the error, then the error,
 * whatever the chunking; `fuse()` of a stream gives what `fuse()` of the
 * bytes gives, the error of the earliest offset, for every truncation and
 * for mutants of the examples.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fuse, parse, type Payload } from "../../mod.ts";
import { Parser } from "../../lib/parse/mod.ts";
import { prng } from "../_prng.ts";

/** The bytes as a stream of `size`-byte chunks. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** What the parser itself decodes: the payload kinds, then the error (if any). */
function decoded(bytes: Uint8Array): string[] {
  const out: string[] = [];
  const p = new Parser();
  let pos = 0;
  try {
    while (!p.done) {
      const step = p.parse(bytes.subarray(pos), true);
      if (step.type !== "parsed") break;
      pos += step.consumed;
      out.push(step.payload.kind);
    }
  } catch (e) {
    out.push(`error: ${(e as Error).message}`);
  }
  return out;
}

/** What parse() gives for the bytes in chunks of `size`. */
async function streamed(bytes: Uint8Array, size: number): Promise<string[]> {
  const out: string[] = [];
  const reader = chunked(bytes, size).pipeThrough(parse()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out.push((value as Payload).kind);
    }
  } catch (e) {
    out.push(`error: ${(e as Error).message}`);
  }
  return out;
}

/** What fuse() gives: the counts, or the error's class and message. */
async function fused(input: Uint8Array | ReadableStream<Uint8Array>): Promise<string> {
  try {
    const t = await fuse(input);
    return `ok ${t.dfg.adapters.length} adapters, ${t.adapterModules.length} modules`;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

const EXAMPLES = ["composed", "points", "values", "counter"];
const read = (name: string) =>
  Deno.readFile(new URL(`../../examples/${name}.wasm`, import.meta.url));

Deno.test("parse(): every payload decoded before an error comes out, then the error", async (t) => {
  for (const name of EXAMPLES) {
    await t.step(name, async () => {
      const bytes = await read(name);
      for (let cut = 0; cut < bytes.length; cut++) {
        const truncated = bytes.subarray(0, cut);
        const want = decoded(truncated);
        for (const size of cut % 17 === 0 ? [cut || 1, 1, 7, 46] : [cut || 1, 46]) {
          assert.deepEqual(
            await streamed(truncated, size),
            want,
            `${name} cut at ${cut}, chunks of ${size}`,
          );
        }
      }
    });
  }
});

Deno.test("fuse(stream) gives fuse(bytes)'s result whatever the chunking: truncations and mutants", async (t) => {
  for (const name of EXAMPLES) {
    await t.step(name, async () => {
      const bytes = await read(name);
      // every 11th truncation
      for (let cut = 0; cut < bytes.length; cut += 11) {
        const b = bytes.slice(0, cut);
        const want = await fused(b);
        for (const size of [1, 46, 4096]) {
          assert.equal(
            await fused(chunked(b, size)),
            want,
            `${name} cut at ${cut}, chunks of ${size}`,
          );
        }
      }
      // mutants: a few bytes changed
      const r = prng(name.length * 7919);
      for (let i = 0; i < 150; i++) {
        const b = bytes.slice();
        for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
          b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        }
        const want = await fused(b);
        for (const size of [1, 46]) {
          assert.equal(
            await fused(chunked(b, size)),
            want,
            `${name} mutant ${i}, chunks of ${size}`,
          );
        }
      }
    });
  }
});
