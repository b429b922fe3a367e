// deno-lint-ignore-file no-console
/**
 * The component model's validation conformance scripts
 * (`validation/*.wast` and `binary/binary.wast`) run through the whole
 * front end: `inlinePayloads(parseBytes(bytes))`.
 *
 * - Every `assert_invalid` component should be rejected with a `ParseError`
 *   or a `LinkError`. Not every one is yet (wasmfuse checks what linking
 *   needs, not all of validation), so unrejected cases do not fail: the
 *   per-file counts are in the step names, a summary table is printed, and
 *   the total must not fall below {@link BASELINE_REJECTED}. Any other
 *   exception is a failure.
 * - Every top-level component (not under an assertion) is valid and must
 *   parse and inline without error.
 *
 * Text components are turned into binaries with `wat()`; those that
 * wasm-tools itself refuses to encode are counted apart ("rejected by
 * text"). Scripts listed in the suite's `nyi.txt` are skipped.
 *
 * The suite is test data read in place from `../shared/conformance/`
 * (relative to the project root); without it the tests are ignored.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LinkError, parseBytes, ParseError } from "../../mod.ts";
import { inlinePayloads } from "../../lib/inline/mod.ts";
import { isList, readSexprs, type SList, stringText } from "../../lib/wast/sexpr.ts";
import { componentBytes, SUITE } from "./_components.ts";

/**
 * How many `assert_invalid` components wasmfuse rejected when this test was
 * written (ParseError or LinkError, not counting those wasm-tools refuses to
 * encode). Raise it as validation grows; a lower count is a regression.
 */
const BASELINE_REJECTED = 210;

/**
 * The reason of a LinkError refusing a feature the synchronous component
 * model does not cover (async, streams, futures, ...): a deliberate refusal,
 * not a validation verdict.
 */
const UNSUPPORTED = /is not supported/;

function isUnsupported(e: unknown): boolean {
  return e instanceof LinkError && UNSUPPORTED.test(e.reason);
}

function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

/** The scripts to run, relative to the suite: `validation/*.wast` and `binary/binary.wast`. */
function scripts(): string[] {
  const names: string[] = [];
  for (const e of Deno.readDirSync(new URL("validation/", SUITE))) {
    if (e.isFile && e.name.endsWith(".wast")) names.push(`validation/${e.name}`);
  }
  names.sort();
  names.push("binary/binary.wast");
  return names;
}

/** The scripts `nyi.txt` lists as not yet implemented (paths relative to the suite). */
function notYetImplemented(): Set<string> {
  const url = new URL("nyi.txt", SUITE);
  if (!exists(url)) return new Set();
  return new Set(
    Deno.readTextFileSync(url).split("\n").map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"))
      .map((l) => l.replace(/^\.\//, "")),
  );
}

/** What became of one component. */
type Outcome =
  | { readonly kind: "accepted" }
  | { readonly kind: "rejected"; readonly error: ParseError | LinkError }
  | { readonly kind: "rejected-by-text"; readonly error: unknown }
  | { readonly kind: "other-error"; readonly error: unknown };

async function outcomeOf(source: string, node: SList): Promise<Outcome> {
  const input = await componentBytes(source, node);
  if ("textError" in input) return { kind: "rejected-by-text", error: input.textError };
  try {
    inlinePayloads(parseBytes(input.bytes));
    return { kind: "accepted" };
  } catch (error) {
    return error instanceof ParseError || error instanceof LinkError
      ? { kind: "rejected", error }
      : { kind: "other-error", error };
  }
}

function describe(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.replace(/\s+/g, " ").slice(0, 300);
}

/** A plain-text table, one row per line. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => cell.padEnd(widths[c])).join(" | ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("-+-"), ...rows.map(line)].join(
    "\n",
  );
}

/** The first string of an assertion: its expected message. */
function expectedMessage(form: SList): string {
  const s = form.items.find((n, i) => i > 1 && n.kind === "string");
  return s?.kind === "string" ? stringText(s) : "?";
}

if (!exists(new URL("validation/", SUITE))) {
  const why = `not found: ${
    new URL("validation/", SUITE).pathname
  } (the conformance suite is read from ../shared/conformance)`;
  Deno.test({ name: `validation assert_invalid: skipped, ${why}`, ignore: true, fn() {} });
  Deno.test({ name: `validation valid components: skipped, ${why}`, ignore: true, fn() {} });
} else {
  const nyi = notYetImplemented();
  const files = scripts().filter((f) => exists(new URL(f, SUITE)));
  const skipped = files.filter((f) => nyi.has(f));
  const run = files.filter((f) => !nyi.has(f));
  const sources = new Map<string, string>();
  for (const f of run) sources.set(f, await Deno.readTextFile(new URL(f, SUITE)));

  Deno.test("validation assert_invalid: inlinePayloads(parseBytes()) rejects them", async (t) => {
    const summary: string[][] = [];
    const others: string[][] = [];
    const unrejected: string[][] = [];
    const refused: string[][] = [];
    let total = 0;
    let rejected = 0;
    let byText = 0;
    let accepted = 0;
    for (const file of run) {
      const source = sources.get(file)!;
      const cases = readSexprs(source).filter((f): f is SList =>
        isList(f, "assert_invalid") && isList(f.items[1], "component")
      );
      let r = 0;
      let x = 0;
      let u = 0;
      let a = 0;
      const fileOthers: string[][] = [];
      for (const c of cases) {
        const where = `${file}:${c.line}`;
        const outcome = await outcomeOf(source, c.items[1] as SList);
        switch (outcome.kind) {
          case "rejected":
            r++;
            if (isUnsupported(outcome.error)) {
              u++;
              refused.push([where, expectedMessage(c), outcome.error.reason]);
            }
            break;
          case "rejected-by-text":
            x++;
            break;
          case "accepted":
            a++;
            unrejected.push([where, expectedMessage(c)]);
            break;
          case "other-error":
            fileOthers.push([where, expectedMessage(c), describe(outcome.error)]);
        }
      }
      total += cases.length;
      rejected += r;
      byText += x;
      accepted += a;
      others.push(...fileOthers);
      summary.push([
        file,
        `${r}/${cases.length}`,
        String(u),
        String(x),
        String(a),
        String(fileOthers.length),
      ]);
      await t.step(
        `${file}: ${r}/${cases.length} rejected` + (x > 0 ? ` (+${x} rejected by text)` : ""),
        () => {
          if (fileOthers.length > 0) {
            assert.fail(
              `${fileOthers.length} cases threw something other than ParseError/LinkError:\n` +
                table(["case", "expected", "thrown"], fileOthers),
            );
          }
        },
      );
    }
    summary.push([
      "total",
      `${rejected}/${total}`,
      String(refused.length),
      String(byText),
      String(accepted),
      String(others.length),
    ]);
    console.log(
      `\nassert_invalid components (skipped, nyi.txt: ${skipped.join(", ") || "none"})\n` +
        table(
          ["script", "rejected", "of which as unsupported", "by text", "accepted", "other error"],
          summary,
        ),
    );
    if (refused.length > 0) {
      console.log(
        `\n${refused.length} rejected for an unsupported feature, not for what the case tests:\n` +
          table(["case", "expected message", "reason"], refused),
      );
    }
    if (unrejected.length > 0) {
      console.log(
        `\n${unrejected.length} assert_invalid components accepted:\n` +
          table(["case", "expected message"], unrejected),
      );
    }
    await t.step(`${rejected}/${total} rejected (baseline ${BASELINE_REJECTED})`, () => {
      assert.ok(total > 0, "no assert_invalid component found");
      assert.ok(
        rejected >= BASELINE_REJECTED,
        `only ${rejected} assert_invalid components rejected, baseline is ${BASELINE_REJECTED}`,
      );
    });
    await t.step(`${byText} rejected by the text parser (not by wasmfuse)`, () => {
      // Reported, not a failure: such text never reaches parseBytes.
    });
  });

  Deno.test("validation valid components: inlinePayloads(parseBytes()) accepts each", async (t) => {
    const failures: string[][] = [];
    const refused: string[][] = [];
    const notEncoded: string[][] = [];
    let checked = 0;
    for (const file of run) {
      const source = sources.get(file)!;
      const components = readSexprs(source).filter((f): f is SList => isList(f, "component"));
      let ok = 0;
      for (const c of components) {
        const where = `${file}:${c.line}`;
        const outcome = await outcomeOf(source, c);
        if (outcome.kind === "accepted") ok++;
        else if (outcome.kind === "rejected-by-text") {
          notEncoded.push([where, describe(outcome.error)]);
        } else if (outcome.kind === "rejected" && isUnsupported(outcome.error)) {
          refused.push([where, outcome.error.reason]);
        } else failures.push([where, describe(outcome.error)]);
      }
      checked += ok;
      await t.step(`${file}: ${ok}/${components.length} valid components accepted`, () => {});
    }
    if (notEncoded.length > 0) {
      console.log(
        `\n${notEncoded.length} valid components wasm-tools could not encode:\n` +
          table(["component", "error"], notEncoded),
      );
    }
    await t.step(
      `${refused.length} valid components refused for a feature wasmfuse does not implement`,
      () => {
        // Deliberate: features wasmfuse does not implement (component values, say).
        if (refused.length > 0) {
          console.log(
            `\n${refused.length} valid components refused as unsupported:\n` +
              table(["component", "reason"], refused),
          );
        }
      },
    );
    await t.step(`${checked} valid components parsed and inlined without error`, () => {
      if (failures.length > 0) {
        assert.fail(
          `${failures.length} valid components were rejected:\n` +
            table(["component", "error"], failures),
        );
      }
    });
  });
}
