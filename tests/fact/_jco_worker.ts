/// <reference lib="deno.worker" />
/**
 * Test helper: jco's bindings generator in a worker, so a panic in it (a
 * wasm trap, after which its instance cannot be used) ends only the worker.
 * Receives a component's bytes; answers the number of core wasm files jco
 * writes for it, or why it cannot (`dead` when it panicked).
 *
 * @module
 */

// first: it sets the WAT parser's environment before jco's shared WASI shim starts
import "../_wat.ts";
import { $init, generate } from "@bytecodealliance/jco-transpile/component";

/** What the worker answers. */
export type JcoAnswer = { files: number } | { error: string; dead: boolean };

// set at once: a message that arrives before the handler is set is lost
self.onmessage = async (e: MessageEvent<Uint8Array>) => {
  await $init;
  let answer: JcoAnswer;
  try {
    const files = generate(e.data, {
      name: "component",
      instantiation: { tag: "async" },
      noTypescript: true,
    }).files as [string, Uint8Array][];
    answer = { files: files.filter(([name]) => name.endsWith(".wasm")).length };
  } catch (err) {
    answer = {
      error: String(err).split("\n")[0],
      dead: err instanceof WebAssembly.RuntimeError,
    };
  }
  self.postMessage(answer);
};
