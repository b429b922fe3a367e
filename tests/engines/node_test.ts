/**
 * The library in Node.js: `mod.ts` bundled (`deno bundle`) and imported by a
 * Node script. Node 20 has no multi-memory: a component of one memory runs,
 * and one whose adapters join two memories is refused with an
 * `UnsupportedError` that says what is missing (never a `ValidationError`
 * calling it a bug). On a Node with multi-memory both run.
 *
 * Skipped, with one line, when `node` is not installed.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

async function nodeVersion(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("node", { args: ["--version"], stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

const version = await nodeVersion();
if (version === undefined) {
  Deno.test({ name: "node: skipped, node not found", ignore: true, fn() {} });
} else {
  Deno.test(`node ${version}: one memory runs; two memories need multi-memory, or say so`, async () => {
    const tmp = await Deno.makeTempDir({ prefix: "wasmfuse-node-" });
    try {
      const built = await new Deno.Command(Deno.execPath(), {
        args: [
          "bundle",
          "--platform",
          "browser",
          "-o",
          `${tmp}/wasmfuse.mjs`,
          new URL("mod.ts", ROOT).pathname,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
      const example = (name: string) => JSON.stringify(new URL(`examples/${name}`, ROOT).pathname);
      await Deno.writeTextFile(
        `${tmp}/run.mjs`,
        `import { instantiate } from "./wasmfuse.mjs";
import { readFileSync } from "node:fs";
const out = { multiMemory: WebAssembly.validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 5, 2, 0, 0, 0, 0])) };
out.values = (await instantiate(readFileSync(${example("values.wasm")}))).exports.add(1, 2);
try {
  out.points = (await instantiate(readFileSync(${example("points.wasm")}))).exports.run();
} catch (e) {
  out.points = { name: e.name, message: e.message, feature: e.feature };
}
console.log(JSON.stringify(out));
`,
      );
      const run = await new Deno.Command("node", {
        args: [`${tmp}/run.mjs`],
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
      const out = JSON.parse(new TextDecoder().decode(run.stdout));
      assert.equal(out.values, 3);
      if (out.multiMemory) assert.equal(out.points, 15);
      else {
        assert.deepEqual(out.points, {
          name: "UnsupportedError",
          message: "this engine does not support multi-memory, which adapters between two " +
            "components' memories need; Deno, Chromium 120+, Firefox 125+ and Node 22+ do",
          feature: "multi-memory",
        });
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}
