// deno-lint-ignore-file no-console
/**
 * Fuzzing in CI: mutants of the corpus (`_corpus.ts`: the examples, the
 * WAT fixtures, the realworld components, and the conformance suite's
 * components when `../shared/conformance` is beside the project), made by
 * `_mutate.ts`, each checked by `_check.ts`: parse, fuse, compile and
 * instantiate throw only typed errors; `parse()` and `fuse()` give the same
 * payloads, translation or error for a stream in chunks of 1, 7, 46 and
 * random sizes as for the bytes; no mutant takes more than 5 s, and none
 * hangs (the campaign runs in a worker it terminates after 30 s of
 * silence).
 *
 * Two campaigns per run: seed 1, the same every run, and a seed that
 * changes (the time in seconds, or `WASMFUSE_FUZZ_SEED` when set). Both
 * are in the test names. A failure lists each failing mutant with the
 * command that reruns it (`tools/fuzz.ts`, which runs long campaigns too)
 * and the file its bytes were written to.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type CampaignResult,
  describeFailure,
  runCampaign,
  writeReproducers,
} from "./_campaign.ts";

/** Mutants per campaign: the two take about 45 s on a 2-core machine (60 s without ../shared). */
const COUNT = 5000;

/** The seed that changes: `WASMFUSE_FUZZ_SEED`, else the time in seconds. */
function changingSeed(): { seed: number; from: string } {
  const env = Deno.env.get("WASMFUSE_FUZZ_SEED");
  if (env === undefined || env === "") {
    return { seed: Math.floor(Date.now() / 1000) >>> 0, from: "the time" };
  }
  const seed = Number(env);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`WASMFUSE_FUZZ_SEED must be a non-negative integer, got "${env}"`);
  }
  return { seed: seed >>> 0, from: "WASMFUSE_FUZZ_SEED" };
}

function summary(r: CampaignResult): string {
  const outcomes = Object.entries(r.outcomes).sort((a, b) => b[1] - a[1])
    .map(([o, n]) => `${n} ${o}`).join(", ");
  return `fuzz seed ${r.seed}: ${r.mutants} mutants of ${JSON.stringify(r.corpus)} in ${
    (r.ms / 1000).toFixed(1)
  } s, slowest ${Math.round(r.slowest?.ms ?? 0)} ms: ${outcomes}`;
}

const changing = changingSeed();

for (const { seed, from } of [{ seed: 1, from: "fixed" }, changing]) {
  Deno.test(
    `fuzz: ${COUNT} mutants, seed ${seed} (${from}): typed errors only, streams in any chunks give what bytes give, no hang`,
    async () => {
      const result = await runCampaign({ seed, count: COUNT });
      console.log(summary(result));
      if (result.failures.length > 0) {
        const dir = await Deno.makeTempDir({ prefix: `wasmfuse-fuzz-${seed}-` });
        const paths = await writeReproducers(result, dir);
        assert.fail(
          `${result.failures.length} mutants failed (bytes in ${dir}):\n` +
            result.failures.map((f, i) => `${describeFailure(seed, f)}\n  bytes: ${paths[i]}`)
              .join("\n"),
        );
      }
      assert.equal(result.mutants, COUNT);
      // the mutants reach every stage: refused by the parser, by the linker, and run
      const count = (o: string) => result.outcomes[o] ?? 0;
      assert.ok(count("a parse error") > COUNT / 10, summary(result));
      assert.ok(count("a link error") > COUNT / 100, summary(result));
      assert.ok(count("instantiated") > COUNT / 100, summary(result));
    },
  );
}
