// deno-lint-ignore-file no-console
/**
 * The conformance task: runs the specification's `.wast` suites
 * (`../shared/conformance/component-model/{values,resources,linking,binary,async}`)
 * with the wasmfuse runner, each file in a worker stopped after
 * {@link FILE_TIMEOUT_S} seconds (a file that hangs is a failure, never a
 * hung task), writes the per-file results to
 * `tests/conformance/results.json`, and fails when an assertion that passed
 * in the recorded results no longer passes.
 *
 * ```sh
 * deno task conformance            # run, compare, record
 * ```
 *
 * Prints one line per file, the first failures, and last
 * `conformance: N passed, M failed, K skipped, R regressions`.
 *
 * @module
 */

import type { WastResult } from "../lib/wast/mod.ts";
import { WastFiles } from "../cli/wast_files.ts";
import { exists } from "./_fs.ts";

const ROOT = new URL("../../shared/conformance/component-model/", import.meta.url);
const SUITES = ["values", "resources", "linking", "binary", "async"];
/** The time limit of one file, in seconds. */
const FILE_TIMEOUT_S = 60;
const RESULTS = new URL("../tests/conformance/results.json", import.meta.url);

/** One file's record: counts and the lines of the assertions that passed. */
interface FileRecord {
  passed: number;
  failed: number;
  skipped: number;
  /** Lines of the passing assertions (what must keep passing). */
  passing: number[];
  /** Why assertions were skipped, with how many. */
  skips: Record<string, number>;
  /** The failures, `line: message`. */
  failures: string[];
}

interface Results {
  suite: string;
  totals: { passed: number; failed: number; skipped: number };
  files: Record<string, FileRecord>;
}

/** The reason of a skip without its details (line numbers, offsets). */
function skipReason(message: string): string {
  const m = /^unsupported: .*?: (.*?)(?: \(.* section at offset.*)?$/.exec(message);
  const reason = m ? m[1] : message;
  return reason.replace(/`[^`]*` of component instance \d+/, "`resource.*` built-ins")
    .replace(/for `(own|borrow)[^`]*` values/, "for handle values")
    .replace(/for `(stream|future)[^`]*` values/, "for $1 values")
    .replace(/for `[^`]*` values/, "for string/list values").slice(0, 160);
}

async function main(): Promise<number> {
  if (!(await exists(ROOT))) {
    console.log("conformance: ../shared/conformance not found, nothing to run");
    return 0;
  }
  const runner = new WastFiles();

  let before: Results | undefined;
  if (await exists(RESULTS)) before = JSON.parse(await Deno.readTextFile(RESULTS));

  const files: Record<string, FileRecord> = {};
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const regressions: string[] = [];
  for (const suite of SUITES) {
    const dir = new URL(`${suite}/`, ROOT);
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".wast")) names.push(e.name);
    for (const name of names.sort()) {
      const key = `${suite}/${name}`;
      let r: WastResult;
      try {
        r = await runner.run(new URL(name, dir).pathname, FILE_TIMEOUT_S * 1000);
      } catch (e) {
        r = {
          passed: 0,
          failed: 1,
          skipped: 0,
          assertions: [{
            line: 0,
            directive: "script",
            status: "failed",
            message: (e as Error).message,
          }],
        };
      }
      const rec: FileRecord = {
        passed: r.passed,
        failed: r.failed,
        skipped: r.skipped,
        passing: r.assertions.filter((a) => a.status === "passed").map((a) => a.line),
        skips: {},
        failures: r.assertions.filter((a) => a.status === "failed").map((a) =>
          `${a.line}: ${a.directive}: ${a.message}`
        ),
      };
      for (const a of r.assertions) {
        if (a.status !== "skipped") continue;
        const reason = skipReason(a.message ?? "");
        rec.skips[reason] = (rec.skips[reason] ?? 0) + 1;
      }
      files[key] = rec;
      totals.passed += r.passed;
      totals.failed += r.failed;
      totals.skipped += r.skipped;
      const now = new Set(rec.passing);
      for (const line of before?.files[key]?.passing ?? []) {
        if (!now.has(line)) regressions.push(`${key}:${line}`);
      }
      console.log(`${key}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
      for (const f of rec.failures.slice(0, 3)) console.log(`  line ${f}`);
    }
  }
  runner.close();
  const results: Results = {
    suite: "WebAssembly/component-model test/ (see ../shared/conformance/README.md)",
    totals,
    files,
  };
  await Deno.writeTextFile(RESULTS, JSON.stringify(results, null, 2) + "\n");
  for (const r of regressions) console.log(`regression: ${r} passed before and does not now`);
  console.log(
    `conformance: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped, ${regressions.length} regressions`,
  );
  return regressions.length === 0 ? 0 : 1;
}

Deno.exit(await main());
