import assert from "node:assert/strict";
import { parseBytes, ParseError } from "../../mod.ts";
import { prng } from "../_prng.ts";
import { fixture, fixtureNames } from "../_wat.ts";
import { mutate, rewrite } from "./_mutate.ts";

const fixtures = await Promise.all((await fixtureNames()).map(fixture));

Deno.test("mutate() gives the same mutant for the same seed, and different ones for others", () => {
  const original = fixtures[0];
  const seen = new Set<string>();
  for (let seed = 1; seed <= 200; seed++) {
    const a = mutate(original, prng(seed));
    const b = mutate(original, prng(seed));
    assert.deepEqual(a, b, `seed ${seed}`);
    assert.ok(a.ops.length >= 1 && a.ops.length <= 3, `seed ${seed}: ${a.ops}`);
    seen.add(a.bytes.join(","));
  }
  assert.ok(seen.size > 180, `${seen.size} distinct mutants of 200`);
});

Deno.test("rewrite() reads the sections of every fixture, nested ones too, and writes them back", () => {
  for (const bytes of fixtures) assert.deepEqual(rewrite(bytes), bytes);
});

Deno.test("section mutations re-encode the enclosing sizes: their mutants never break the framing", () => {
  // a section duplicated, deleted or swapped, at any depth, leaves every
  // size right: the parser reads to the end, unless a core module's
  // sections are now out of order
  let sectionMutants = 0;
  for (let seed = 1; seed <= 4000; seed++) {
    const r = prng(seed);
    const original = fixtures[Math.floor(r() * fixtures.length)];
    const { bytes, ops } = mutate(original, r);
    if (ops.length !== 1 || !/^(duplicate|delete|swap) section/.test(ops[0])) continue;
    sectionMutants++;
    try {
      parseBytes(bytes);
    } catch (e) {
      assert.ok(e instanceof ParseError, String(e));
      assert.equal(e.reason, "section out of order", `seed ${seed}: ${ops[0]}`);
    }
  }
  assert.ok(sectionMutants > 500, `${sectionMutants} section mutants`);
});
