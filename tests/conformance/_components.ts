/**
 * Test helper: the component binaries of the specification's `.wast`
 * scripts, read in place from `../shared/conformance/component-model/`
 * beside the project (never copied into it).
 *
 * @module
 */

import { concatStrings, isAtom, type SList, type SString, stringText } from "../../lib/wast/mod.ts";
import { wat } from "../_wat.ts";

/** The suite's directory: `../shared/conformance/component-model/` beside the project. */
export const SUITE = new URL("../../../shared/conformance/component-model/", import.meta.url);

/**
 * The bytes of a `(component ...)` form: its binary strings, its quoted text,
 * or its own text (with the script-only `definition` keyword blanked out),
 * through `wat()`; or the error `wat()` gave.
 * @param source The script.
 * @param node The form, read from `source`.
 * @returns The bytes, or why the text does not assemble.
 */
export async function componentBytes(
  source: string,
  node: SList,
): Promise<{ bytes: Uint8Array } | { textError: unknown }> {
  let i = 1;
  const definition = isAtom(node.items[i], "definition") ? node.items[i++] : undefined;
  const id = node.items[i];
  if (id?.kind === "atom" && id.value.startsWith("$")) i++;
  const mode = node.items[i];
  if (isAtom(mode, "binary")) {
    return { bytes: concatStrings(node.items.slice(i + 1) as SString[]) };
  }
  let text: string;
  if (isAtom(mode, "quote")) {
    text = `(component ${(node.items.slice(i + 1) as SString[]).map(stringText).join(" ")})`;
  } else {
    text = source.slice(node.start, node.end);
    if (definition !== undefined) {
      const at = definition.start - node.start;
      text = text.slice(0, at) + " ".repeat(definition.end - definition.start) +
        text.slice(at + definition.end - definition.start);
    }
  }
  try {
    return { bytes: await wat(text) };
  } catch (textError) {
    return { textError };
  }
}
