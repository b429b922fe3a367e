/// <reference lib="deno.worker" />
/**
 * Fuzz worker: runs one campaign ({@link RunRequest}) and reports each
 * mutant as it starts, each failure, and the counts at the end
 * ({@link WorkerMessage}). It runs in a worker so that the campaign can
 * stop a mutant that hangs (see `_campaign.ts`).
 *
 * Mutant `i` of seed `s` is the same on every run over the same corpus: the
 * `i`th number drawn from `prng(s)` seeds its own generator, which picks
 * the original, the mutations and the chunk sizes.
 *
 * @module
 */

import { fuse } from "../../mod.ts";
import { prng } from "../_prng.ts";
import type { RunRequest, WorkerMessage } from "./_campaign.ts";
import { check, moduleKey } from "./_check.ts";
import { type CorpusGroup, type CorpusItem, loadCorpus } from "./_corpus.ts";
import { mutate } from "./_mutate.ts";

/**
 * How often each group is picked. The examples and fixtures are fused end
 * to end with adapters (the deepest paths), the conformance components are
 * many and varied, the realworld ones are large (slow to check: a few).
 */
const WEIGHTS: Record<CorpusGroup, number> = {
  examples: 0.2,
  fixtures: 0.3,
  realworld: 0.04,
  conformance: 0.46,
};

function post(m: WorkerMessage): void {
  self.postMessage(m);
}

/** The keys of the core modules an original fuses to (none when it does not fuse). */
async function originalModules(item: CorpusItem): Promise<Set<string>> {
  try {
    return new Set((await fuse(item.bytes)).dfg.modules.map((m) => moduleKey(m.bytes)));
  } catch {
    return new Set();
  }
}

async function run(req: RunRequest): Promise<void> {
  const corpus = await loadCorpus(req.conformance);
  const groups = new Map<CorpusGroup, CorpusItem[]>();
  for (const item of corpus) groups.set(item.group, [...groups.get(item.group) ?? [], item]);
  // the share of a missing group (the conformance suite's) goes to the fixtures, as cheap
  const missing = Object.entries(WEIGHTS).filter(([g]) => !groups.has(g as CorpusGroup))
    .reduce((n, [, w]) => n + w, 0);
  const weighted = [...groups.keys()].map((g) =>
    [g, WEIGHTS[g] + (g === "fixtures" ? missing : 0)] as const
  );
  const total = weighted.reduce((n, [, w]) => n + w, 0);
  const pick = (r: () => number): CorpusItem => {
    let x = r() * total;
    let group = weighted[weighted.length - 1][0];
    for (const [g, w] of weighted) {
      if ((x -= w) < 0) {
        group = g;
        break;
      }
    }
    const items = groups.get(group)!;
    return items[Math.floor(r() * items.length)];
  };
  post({
    type: "corpus",
    groups: Object.fromEntries([...groups].map(([g, items]) => [g, items.length])),
  });

  const keys = new Map<CorpusItem, Set<string>>();
  const outcomes: Record<string, number> = {};
  let slowest = { index: -1, name: "", ms: 0 };
  const master = prng(req.seed);
  for (let i = 0; i < req.first; i++) master();
  const started = performance.now();
  for (let index = req.first; index < req.first + req.count; index++) {
    const r = prng(Math.floor(master() * 2 ** 32));
    const item = pick(r);
    const { bytes, ops } = mutate(item.bytes, r);
    post({ type: "begin", index, name: item.name, ops, bytes });
    if (!keys.has(item)) keys.set(item, await originalModules(item));
    const t0 = performance.now();
    const verdict = await check(bytes, r, keys.get(item)!);
    const ms = performance.now() - t0;
    outcomes[verdict.outcome] = (outcomes[verdict.outcome] ?? 0) + 1;
    if (ms > slowest.ms) slowest = { index, name: item.name, ms };
    const problems = [...verdict.problems];
    if (ms > req.capMs) problems.push(`took ${Math.round(ms)} ms, over the cap of ${req.capMs} ms`);
    if (problems.length > 0) {
      post({ type: "failure", index, name: item.name, ops, bytes, problems, ms });
    }
  }
  post({ type: "done", outcomes, slowest, ms: performance.now() - started });
}

self.onmessage = (e: MessageEvent<RunRequest>) => {
  run(e.data).catch((error) => {
    post({ type: "crash", message: error instanceof Error ? String(error.stack) : String(error) });
  });
};
