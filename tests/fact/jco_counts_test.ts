/**
 * The same adapter modules as Wasmtime: for each component, the core
 * modules wasmfuse produces (the component's own plus its adapter modules)
 * are as many as the core wasm files `jco transpile` writes (Wasmtime's
 * translator, compiled to wasm, in the `@bytecodealliance/jco-transpile`
 * dev dependency). Over the real components of `tests/realworld/`, the
 * examples and the WAT fixtures, and, when `../shared` is beside the project, the components of
 * the specification's `resources/`, `linking/` and `values/` suites.
 * Components jco cannot translate are left out (it refuses some test
 * components, and panics on a few: its bindings generator has no Latin-1
 * to UTF-8 transcoder, and one fixture's lowered callee trips Wasmtime's
 * translator).
 *
 * @module
 */

import assert from "node:assert/strict";
import { fuse } from "../../mod.ts";
import { loadCorpus } from "../fuzz/_corpus.ts";
import type { JcoAnswer } from "./_jco_worker.ts";

/** jco in a worker, restarted after a panic. */
class Jco {
  #worker?: Worker;

  /**
   * How many core wasm files jco writes for a component, or why it cannot.
   * @param bytes The component.
   * @returns The count, or jco's error.
   */
  async coreFiles(bytes: Uint8Array): Promise<number | string> {
    this.#worker ??= new Worker(new URL("./_jco_worker.ts", import.meta.url), { type: "module" });
    const w = this.#worker;
    const answer = await new Promise<JcoAnswer>((resolve) => {
      w.onmessage = (e: MessageEvent<JcoAnswer>) => resolve(e.data);
      w.postMessage(bytes);
    });
    if ("files" in answer) return answer.files;
    if (answer.dead) this.close();
    return answer.error;
  }

  /** Stop the worker. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}

const SUITES = ["conformance/resources/", "conformance/linking/", "conformance/values/"];
const corpus = (await loadCorpus(true)).filter((c) =>
  c.group !== "conformance" || SUITES.some((s) => c.name.startsWith(s))
);

Deno.test("as many adapter modules as Wasmtime's translator makes (jco transpile)", async (t) => {
  const jco = new Jco();
  let compared = 0;
  for (const c of corpus) {
    let ours;
    try {
      ours = await fuse(c.bytes);
    } catch {
      continue; // a component that does not link: nothing to compare
    }
    // async adapters are still run by the host, in no adapter module: not comparable yet
    if (ours.dfg.adapters.some((a) => a.host === true)) continue;
    const theirs = await jco.coreFiles(c.bytes);
    if (typeof theirs === "string") continue;
    compared++;
    await t.step(c.name, () => {
      assert.equal(
        ours.dfg.modules.length + ours.adapterModules.length,
        theirs,
        `${ours.dfg.modules.length} core modules + ${ours.adapterModules.length} adapter modules`,
      );
    });
  }
  jco.close();
  assert.ok(compared >= 5, `only ${compared} components compared`);
});
