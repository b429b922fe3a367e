// deno-lint-ignore-file no-console
/**
 * A long fuzzing campaign: the mutants `tests/fuzz/fuzz_test.ts` checks, as
 * many as asked, with any seed.
 *
 * ```sh
 * deno run -A tools/fuzz.ts --seed 7 --count 50000           # a campaign
 * deno run -A tools/fuzz.ts --seed 7 --first 1234 --count 1  # one mutant of it again
 * ```
 *
 * Options: `--seed N` (default: the time in seconds), `--count M` (default
 * 10000), `--first I` (index of the first mutant, default 0), `--out DIR`
 * (where failing mutants are written, default `/tmp/wasmfuse-fuzz-SEED`),
 * `--cap-ms` (a mutant slower than this fails, default 5000), `--hang-ms`
 * (silence that counts as a hang, default 30000), `--no-conformance` (leave
 * `../shared/conformance` out of the corpus).
 *
 * Prints the seed first, progress every 5,000 mutants, then the corpus,
 * the counts of how far the mutants went, the slowest mutant, and each
 * failure with the command that reruns it and the file its bytes were
 * written to. Exits with 1 when a mutant failed.
 *
 * @module
 */

import { describeFailure, runCampaign, writeReproducers } from "../tests/fuzz/_campaign.ts";

const USAGE =
  "usage: deno run -A tools/fuzz.ts [--seed N] [--count M] [--first I] [--out DIR] [--cap-ms MS] [--hang-ms MS] [--no-conformance]";

/** Read the command line. */
function options(args: string[]) {
  const o = {
    seed: Math.floor(Date.now() / 1000) >>> 0,
    count: 10_000,
    first: 0,
    out: "",
    capMs: 5000,
    hangMs: 30_000,
    conformance: true,
  };
  const number = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (v === undefined || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(`${flag} needs a non-negative integer, got ${v ?? "nothing"}`);
    }
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--seed") o.seed = number(a, args[++i]) >>> 0;
    else if (a === "--count") o.count = number(a, args[++i]);
    else if (a === "--first") o.first = number(a, args[++i]);
    else if (a === "--cap-ms") o.capMs = number(a, args[++i]);
    else if (a === "--hang-ms") o.hangMs = number(a, args[++i]);
    else if (a === "--out" && args[i + 1] !== undefined) o.out = args[++i];
    else if (a === "--no-conformance") o.conformance = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return { ...o, out: o.out || `/tmp/wasmfuse-fuzz-${o.seed}` };
}

async function main(): Promise<number> {
  let o;
  try {
    o = options(Deno.args);
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  console.log(`fuzz: seed ${o.seed}, mutants ${o.first} to ${o.first + o.count - 1}`);
  const result = await runCampaign({
    ...o,
    maxFailures: 100,
    onMutant: (i) => {
      const done = i - o.first + 1;
      if (done % 5000 === 0) console.log(`fuzz: ${done} mutants`);
    },
  });
  console.log(`corpus: ${JSON.stringify(result.corpus)}`);
  for (const [outcome, n] of Object.entries(result.outcomes).sort((a, b) => b[1] - a[1])) {
    console.log(`  ${String(n).padStart(7)}  ${outcome}`);
  }
  if (result.slowest) {
    console.log(
      `slowest: mutant ${result.slowest.index} of ${result.slowest.name}, ${
        Math.round(result.slowest.ms)
      } ms`,
    );
  }
  const paths = await writeReproducers(result, o.out);
  result.failures.forEach((f, i) =>
    console.log(`${describeFailure(o.seed, f)}\n  bytes: ${paths[i]}`)
  );
  console.log(
    `fuzz: seed ${o.seed}, ${result.mutants} mutants, ${result.failures.length} failed, ${
      (result.ms / 1000).toFixed(1)
    } s`,
  );
  return result.failures.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
