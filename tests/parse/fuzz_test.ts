import assert from "node:assert/strict";
import { parseBytes, ParseError } from "../../mod.ts";
import { fixture, fixtureNames } from "../_wat.ts";
import { prng } from "../_prng.ts";

const MUTATIONS_PER_FIXTURE = 1500;

Deno.test("parseBytes() on mutated fixtures either succeeds or throws ParseError", async (t) => {
  for (const name of await fixtureNames()) {
    const original = await fixture(name);
    await t.step(name, () => {
      for (let seed = 1; seed <= MUTATIONS_PER_FIXTURE; seed++) {
        const rand = prng(seed);
        const bytes = original.slice();
        // flip 1-4 bytes after the preamble, sometimes to "interesting" values
        const flips = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < flips; i++) {
          const at = 8 + Math.floor(rand() * (bytes.length - 8));
          const pick = rand();
          bytes[at] = pick < 0.3
            ? 0xff
            : pick < 0.5
            ? 0x80
            : pick < 0.6
            ? 0
            : Math.floor(rand() * 256);
        }
        try {
          parseBytes(bytes);
        } catch (e) {
          if (!(e instanceof ParseError)) {
            assert.fail(`${name}, seed ${seed}: ${e instanceof Error ? e.stack : e}`);
          }
          assert.ok(
            e.offset >= 0 && e.offset <= bytes.length,
            `${name}, seed ${seed}: offset ${e.offset}`,
          );
        }
      }
    });
  }
});
