/**
 * Fuzz helper: the components the fuzzer mutates, in four groups:
 *
 * - `examples`: `examples/*.wasm`;
 * - `fixtures`: `tests/fixtures/*.wat`, made binaries by `wat()`;
 * - `realworld`: `tests/realworld/*.wasm` (components of 57-119 KB made by
 *   real toolchains; the 12 MB componentize-js one is left out: mutating it
 *   costs seconds per mutant);
 * - `conformance`: every `(component ...)` form of the specification's
 *   `.wast` scripts that assembles (top-level ones and those under an
 *   assertion), when `../shared/conformance` is beside the project.
 *
 * Identical binaries are kept once.
 *
 * @module
 */

import { isAtom, isList, readSexprs, type SList } from "../../lib/wast/mod.ts";
import { fixture, fixtureNames } from "../_wat.ts";
import { componentBytes, SUITE } from "../conformance/_components.ts";

/** A component to mutate. */
export interface CorpusItem {
  /** Where it comes from: a file, or a script and line. */
  readonly name: string;
  /** Its group. */
  readonly group: CorpusGroup;
  /** The binary. */
  readonly bytes: Uint8Array;
}

/** The groups of the corpus. */
export type CorpusGroup = "examples" | "fixtures" | "realworld" | "conformance";

const ROOT = new URL("../../", import.meta.url);
const REALWORLD = ["app.wasm", "hello.wasm", "library.wasm", "notes.wasm"];
/** The suites whose scripts give components (all of them). */
const SUITES = ["values", "resources", "linking", "binary", "validation", "async"];

async function filesIn(dir: URL, suffix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(suffix)) names.push(e.name);
  }
  return names.sort();
}

/**
 * Whether the conformance suite is beside the project.
 * @returns `true` when `../shared/conformance/component-model/` exists.
 */
export async function hasConformance(): Promise<boolean> {
  try {
    return (await Deno.stat(SUITE)).isDirectory;
  } catch {
    return false;
  }
}

/** The `(component ...)` forms of a script: top-level ones, and those directly under an assertion. */
function componentForms(source: string): SList[] {
  const out: SList[] = [];
  for (const f of readSexprs(source)) {
    if (isList(f, "component")) {
      if (!isAtom(f.items[1], "instance")) out.push(f);
    } else if (isList(f) && isAtom(f.items[0]) && f.items[0].value.startsWith("assert_")) {
      const c = f.items[1];
      if (isList(c, "component")) out.push(c);
    }
  }
  return out;
}

/**
 * Load the corpus.
 * @param conformance Whether to read the conformance suite (when it exists).
 * @returns The components, in a fixed order: examples, fixtures, realworld, conformance.
 */
export async function loadCorpus(conformance = true): Promise<CorpusItem[]> {
  const items: CorpusItem[] = [];
  const seen = new Set<string>();
  const add = (name: string, group: CorpusGroup, bytes: Uint8Array) => {
    const key = bytes.join(",");
    if (seen.has(key)) return;
    seen.add(key);
    items.push({ name, group, bytes });
  };
  const examples = new URL("examples/", ROOT);
  for (const f of await filesIn(examples, ".wasm")) {
    add(`examples/${f}`, "examples", await Deno.readFile(new URL(f, examples)));
  }
  for (const f of await fixtureNames()) add(`tests/fixtures/${f}`, "fixtures", await fixture(f));
  for (const f of REALWORLD) {
    add(
      `tests/realworld/${f}`,
      "realworld",
      await Deno.readFile(new URL(`tests/realworld/${f}`, ROOT)),
    );
  }
  if (conformance && await hasConformance()) {
    for (const suite of SUITES) {
      const dir = new URL(`${suite}/`, SUITE);
      for (const f of await filesIn(dir, ".wast")) {
        const source = await Deno.readTextFile(new URL(f, dir));
        for (const form of componentForms(source)) {
          const made = await componentBytes(source, form);
          if ("bytes" in made) {
            add(`conformance/${suite}/${f}:${form.line}`, "conformance", made.bytes);
          }
        }
      }
    }
  }
  return items;
}
