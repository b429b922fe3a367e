/**
 * Fuzz helper: a campaign of mutants run in a worker (`_worker.ts`) under a
 * watchdog. Each mutant is checked by `_check.ts`; one that takes longer
 * than the cap is a failure, and one after which the worker says nothing
 * for `hangMs` is a hang: the worker is terminated and the campaign ends
 * with that mutant as its last failure. Used by `fuzz_test.ts` and
 * `tools/fuzz.ts`.
 *
 * @module
 */

import type { CorpusGroup } from "./_corpus.ts";

/** What the worker is asked to run. */
export interface RunRequest {
  /** The campaign's seed. */
  readonly seed: number;
  /** Index of the first mutant. */
  readonly first: number;
  /** How many mutants. */
  readonly count: number;
  /** A mutant checked in more than this many milliseconds is a failure. */
  readonly capMs: number;
  /** Whether to read the conformance suite into the corpus (when it exists). */
  readonly conformance: boolean;
}

/** A mutant that broke a property. */
export interface Failure {
  /** Its index in the campaign. */
  readonly index: number;
  /** The original it was made from. */
  readonly name: string;
  /** The mutations applied. */
  readonly ops: readonly string[];
  /** The mutant. */
  readonly bytes: Uint8Array;
  /** What is wrong. */
  readonly problems: readonly string[];
}

/** What the worker says. */
export type WorkerMessage =
  | { readonly type: "corpus"; readonly groups: Partial<Record<CorpusGroup, number>> }
  | {
    readonly type: "begin";
    readonly index: number;
    readonly name: string;
    readonly ops: readonly string[];
    readonly bytes: Uint8Array;
  }
  | Failure & { readonly type: "failure"; readonly ms: number }
  | {
    readonly type: "done";
    readonly outcomes: Record<string, number>;
    readonly slowest: { readonly index: number; readonly name: string; readonly ms: number };
    readonly ms: number;
  }
  | { readonly type: "crash"; readonly message: string };

/** How to run a campaign. */
export interface CampaignOptions {
  /** The seed. */
  readonly seed: number;
  /** How many mutants. */
  readonly count: number;
  /** Index of the first mutant (to rerun one: its index and a count of 1). @default 0 */
  readonly first?: number;
  /** A mutant checked in more than this many milliseconds is a failure. @default 5000 */
  readonly capMs?: number;
  /** Silence from the worker for this long is a hang. @default 30000 */
  readonly hangMs?: number;
  /** Whether to mutate the conformance suite's components too (when present). @default true */
  readonly conformance?: boolean;
  /** The campaign stops after this many failures. @default 20 */
  readonly maxFailures?: number;
  /** Called as mutants start (every one). */
  readonly onMutant?: (index: number) => void;
}

/** What a campaign found. */
export interface CampaignResult {
  /** The seed. */
  readonly seed: number;
  /** Index of the first mutant. */
  readonly first: number;
  /** How many mutants were started. */
  readonly mutants: number;
  /** How many originals per group. */
  readonly corpus: Partial<Record<CorpusGroup, number>>;
  /** How far the mutants went, with counts. */
  readonly outcomes: Record<string, number>;
  /** The slowest mutant. */
  readonly slowest?: { readonly index: number; readonly name: string; readonly ms: number };
  /** The mutants that broke a property (a hang is the last one). */
  readonly failures: readonly Failure[];
  /** Wall time, milliseconds. */
  readonly ms: number;
}

/**
 * Run a campaign in a worker.
 * @param options What to run.
 * @returns What it found.
 */
export function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const first = options.first ?? 0;
  const hangMs = options.hangMs ?? 30_000;
  const maxFailures = options.maxFailures ?? 20;
  const started = performance.now();
  const worker = new Worker(new URL("./_worker.ts", import.meta.url), { type: "module" });
  const failures: Failure[] = [];
  let corpus: Partial<Record<CorpusGroup, number>> = {};
  let current: Extract<WorkerMessage, { type: "begin" }> | undefined;
  let mutants = 0;
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (rest: Partial<CampaignResult> = {}) => {
      clearTimeout(timer);
      worker.terminate();
      resolve({
        seed: options.seed,
        first,
        mutants,
        corpus,
        outcomes: {},
        failures,
        ms: performance.now() - started,
        ...rest,
      });
    };
    const stuck = (problem: string) => {
      if (current) failures.push({ ...current, problems: [problem] });
      else {failures.push({
          index: -1,
          name: "",
          ops: [],
          bytes: new Uint8Array(),
          problems: [problem],
        });}
      finish();
    };
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => stuck(`hang: no progress for ${hangMs} ms (the worker was terminated)`),
        hangMs,
      );
    };
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      watch();
      switch (m.type) {
        case "corpus":
          corpus = m.groups;
          break;
        case "begin":
          current = m;
          mutants++;
          options.onMutant?.(m.index);
          break;
        case "failure":
          failures.push(m);
          if (failures.length >= maxFailures) finish();
          break;
        case "done":
          finish({ outcomes: m.outcomes, slowest: m.slowest });
          break;
        case "crash":
          stuck(`the fuzzer crashed: ${m.message}`);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      stuck(`uncaught in the worker: ${e.message}`);
    };
    worker.postMessage(
      {
        seed: options.seed,
        first,
        count: options.count,
        capMs: options.capMs ?? 5000,
        conformance: options.conformance ?? true,
      } satisfies RunRequest,
    );
    watch();
  });
}

/**
 * Write each failure's mutant to `DIR/seed-S-mutant-I.wasm`, and what is
 * wrong with it beside it (`.txt`).
 * @param result A campaign's result.
 * @param dir The directory (created when missing).
 * @returns The paths of the `.wasm` files written.
 */
export async function writeReproducers(result: CampaignResult, dir: string): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const f of result.failures) {
    const base = `${dir}/seed-${result.seed}-mutant-${f.index}`;
    await Deno.writeFile(`${base}.wasm`, f.bytes);
    await Deno.writeTextFile(`${base}.txt`, describeFailure(result.seed, f) + "\n");
    paths.push(`${base}.wasm`);
  }
  return paths;
}

/**
 * A failure in words: the seed and index that reproduce it, the original,
 * the mutations and the problems.
 * @param seed The campaign's seed.
 * @param f The failure.
 * @returns The text.
 */
export function describeFailure(seed: number, f: Failure): string {
  return [
    `seed ${seed}, mutant ${f.index} (rerun: deno run -A tools/fuzz.ts --seed ${seed} --first ${f.index} --count 1)`,
    `  original: ${f.name}`,
    `  mutations: ${f.ops.join("; ")}`,
    ...f.problems.map((p) => `  problem: ${p}`),
  ].join("\n");
}
