/**
 * The component model's binary conformance script, `binary/binary.wast`:
 * every `assert_malformed` component must be rejected by `parseBytes` with a
 * `ParseError` whose `reason` contains the script's expected message, and
 * every well-formed `(component binary ...)` must parse.
 *
 * The suite is test data read in place from `../shared/conformance/`
 * (relative to the project root); without it the tests are ignored.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseBytes, ParseError } from "../../mod.ts";
import {
  concatStrings,
  isAtom,
  isList,
  readSexprs,
  type SList,
  type SNode,
  type SString,
  stringText,
} from "../../lib/wast/sexpr.ts";

const SUITE = new URL("../../../shared/conformance/component-model/", import.meta.url);
const WAST = new URL("binary/binary.wast", SUITE);

function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

/** A `(component ...)` form of the script, as it encodes its component. */
type ComponentForm =
  | { readonly encoding: "binary"; readonly strings: readonly SString[] }
  | { readonly encoding: "quote"; readonly strings: readonly SString[] }
  | { readonly encoding: "text" };

/**
 * Read `(component definition? $id? binary "..."*)`, `(component ... quote "..."*)`
 * or a text component.
 */
function componentForm(node: SList): ComponentForm {
  let i = 1;
  if (isAtom(node.items[i], "definition")) i++;
  const id = node.items[i];
  if (id?.kind === "atom" && id.value.startsWith("$")) i++;
  const mode = node.items[i];
  if (isAtom(mode, "binary") || isAtom(mode, "quote")) {
    const strings = node.items.slice(i + 1);
    for (const s of strings) {
      assert.equal(s.kind, "string", `line ${s.line}: only strings may follow '${mode.value}'`);
    }
    return { encoding: mode.value, strings: strings as SString[] };
  }
  return { encoding: "text" };
}

/** What became of one `assert_malformed` case. */
type Outcome =
  | { readonly kind: "parse-error"; readonly error: ParseError }
  | { readonly kind: "rejected-by-text"; readonly error: unknown }
  | { readonly kind: "accepted" }
  | { readonly kind: "other-error"; readonly error: unknown };

/**
 * The bytes a component form stands for: its binary strings, or its quoted
 * text turned into a binary with `wat()` (or the error when it refuses the text).
 */
async function bytesOf(
  form: ComponentForm & { encoding: "binary" | "quote" },
): Promise<{ bytes: Uint8Array } | { textError: unknown }> {
  if (form.encoding === "binary") return { bytes: concatStrings(form.strings) };
  // Loaded only when needed: the WAT tool reads the environment when imported
  // (it needs --allow-env), and binary.wast has no quote forms today.
  const { wat } = await import("../_wat.ts");
  try {
    // As the wast tools do: the quoted strings, space-separated, are the component's body.
    const body = form.strings.map(stringText).join(" ");
    return { bytes: await wat(`(component ${body})`) };
  } catch (error) {
    return { textError: error };
  }
}

function outcomeOf(bytes: Uint8Array): Outcome {
  try {
    parseBytes(bytes);
    return { kind: "accepted" };
  } catch (error) {
    return error instanceof ParseError
      ? { kind: "parse-error", error }
      : { kind: "other-error", error };
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
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

if (!exists(WAST)) {
  const why =
    `not found: ${WAST.pathname} (the conformance suite is read from ../shared/conformance)`;
  Deno.test({ name: `binary.wast assert_malformed: skipped, ${why}`, ignore: true, fn() {} });
  Deno.test({ name: `binary.wast well-formed components: skipped, ${why}`, ignore: true, fn() {} });
} else {
  const forms: SNode[] = readSexprs(await Deno.readTextFile(WAST));

  Deno.test("binary.wast assert_malformed: parseBytes rejects each with the expected message", async (t) => {
    const cases = forms.filter((f) => isList(f, "assert_malformed")) as SList[];
    let rejected = 0;
    let textRejected = 0;
    const mismatches: string[][] = [];
    for (const c of cases) {
      const [, component, message] = c.items;
      const expected = message?.kind === "string" ? stringText(message) : undefined;
      await t.step(`line ${c.line}: ${JSON.stringify(expected ?? "?")}`, async () => {
        assert.ok(
          isList(component, "component"),
          `line ${c.line}: expected (assert_malformed (component ...) "message")`,
        );
        assert.ok(expected !== undefined, `line ${c.line}: the expected message is missing`);
        const form = componentForm(component);
        assert.notEqual(
          form.encoding,
          "text",
          `line ${c.line}: a malformed component must be given as binary or quote`,
        );
        if (form.encoding === "text") return;
        const input = await bytesOf(form);
        if ("textError" in input) {
          textRejected++; // rejected before the binary: reported separately below
          return;
        }
        const outcome = outcomeOf(input.bytes);
        if (outcome.kind === "accepted") {
          assert.fail(`line ${c.line}: accepted, expected a ParseError: ${expected}`);
        }
        if (outcome.kind !== "parse-error") {
          assert.fail(
            `line ${c.line}: threw ${describe(outcome.error)}, expected a ParseError: ${expected}`,
          );
        }
        if (outcome.kind !== "parse-error") return;
        rejected++;
        if (!outcome.error.reason.includes(expected)) {
          mismatches.push([String(c.line), expected, outcome.error.reason]);
        }
      });
    }
    const binary = cases.length - textRejected;
    await t.step(`${rejected} assert_malformed cases rejected`, () => {
      assert.ok(cases.length > 0, "binary.wast has no assert_malformed case");
      assert.equal(rejected, binary, "every case must be rejected with a ParseError");
    });
    await t.step(
      `${textRejected} quote cases rejected by the text parser (not by parseBytes)`,
      () => {
        // Reported, not a failure: such text never reaches the binary parser.
      },
    );
    const matched = rejected - mismatches.length;
    await t.step(`${matched} of ${rejected} expected messages found in ParseError.reason`, () => {
      if (mismatches.length > 0) {
        assert.fail(
          `${mismatches.length} ParseError reasons do not contain the expected message:\n` +
            table(["line", "expected", "got"], mismatches),
        );
      }
    });
  });

  Deno.test("binary.wast well-formed components: parseBytes accepts each", async (t) => {
    // Top-level module forms only: those inside assert_malformed/assert_invalid are not here.
    const components = forms.filter((f) => isList(f, "component")) as SList[];
    let parsed = 0;
    let notBinary = 0;
    for (const c of components) {
      const form = componentForm(c);
      if (form.encoding !== "binary") {
        notBinary++;
        continue;
      }
      const name = isAtom(c.items[1], "definition")
        ? "(component definition binary ...)"
        : "(component binary ...)";
      await t.step(`line ${c.line}: ${name} parses`, () => {
        const payloads = parseBytes(concatStrings(form.strings));
        assert.equal(payloads.at(-1)?.kind, "end");
        parsed++;
      });
    }
    await t.step(`${parsed} well-formed binary components parsed without error`, () => {
      assert.ok(parsed > 0, "binary.wast has no well-formed (component binary ...) form");
      assert.equal(parsed, components.length - notBinary);
    });
    if (notBinary > 0) {
      await t.step(`${notBinary} text or quote components not checked (not binary)`, () => {});
    }
  });
}
