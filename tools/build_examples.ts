/**
 * Rebuilds `examples/*.wasm` from `examples/*.wat` with the dev dependency's
 * WAT parser. The binaries are committed so the README's first command needs
 * no set-up; `tests/examples_test.ts` checks they match their sources.
 *
 * Run: `deno run --allow-read --allow-write --allow-env tools/build_examples.ts`
 *
 * @module
 */

import { wat } from "../tests/_wat.ts";

const dir = new URL("../examples/", import.meta.url);
for await (const e of Deno.readDir(dir)) {
  if (!e.isFile || !e.name.endsWith(".wat")) continue;
  const bytes = await wat(await Deno.readTextFile(new URL(e.name, dir)));
  await Deno.writeFile(new URL(e.name.replace(/\.wat$/, ".wasm"), dir), bytes);
}
