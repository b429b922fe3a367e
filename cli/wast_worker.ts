/**
 * The worker behind {@link WastFiles}: runs one `.wast` file per message
 * and posts each directive as it starts, each outcome as it is known, and
 * the result (or the error that stopped the script).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { runWast } from "../lib/wast/mod.ts";
import { loadWat } from "./input.ts";

self.onmessage = async (e: MessageEvent<{ file: string }>) => {
  try {
    const wat = await loadWat();
    const result = await runWast(await Deno.readTextFile(e.data.file), {
      wat,
      onDirective: (line, directive) => self.postMessage({ kind: "directive", line, directive }),
      onAssertion: (assertion) => self.postMessage({ kind: "assertion", assertion }),
    });
    self.postMessage({ kind: "result", result });
  } catch (err) {
    self.postMessage({ kind: "error", message: (err as Error).message ?? String(err) });
  }
};
