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
import { prng } from "../_prng.ts";
import { chunked, decoded, fused, streamed } from "../_streams.ts";

const EXAMPLES = ["composed", "points", "values", "counter"];
const read = (name: string) =>
  Deno.readFile(new URL(`../../examples/${name}.wasm`, import.meta.url));

Deno.test("parse(): every payload decoded before an error comes out, then the error", async (t) => {
  for (const name of EXAMPLES) {
    await t.step(name, async () => {
      const bytes = await read(name);
      for (let cut = 0; cut < bytes.length; cut++) {
        const truncated = bytes.subarray(0, cut);
        const want = decoded(truncated).lines;
        for (const size of cut % 17 === 0 ? [cut || 1, 1, 7, 46] : [cut || 1, 46]) {
          assert.deepEqual(
            (await streamed(truncated, size)).lines,
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
        const want = (await fused(b)).text;
        for (const size of [1, 46, 4096]) {
          assert.equal(
            (await fused(chunked(b, size))).text,
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
        const want = (await fused(b)).text;
        for (const size of [1, 46]) {
          assert.equal(
            (await fused(chunked(b, size))).text,
            want,
            `${name} mutant ${i}, chunks of ${size}`,
          );
        }
      }
    });
  }
});
