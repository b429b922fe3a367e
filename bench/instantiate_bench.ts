/**
 * Instantiating real components: `tests/realworld/notes.wasm` (two C
 * components composed, fused adapters between them, WASI imported from
 * preview2-shim) and `hello.wasm` (a C command), each compiled once and
 * instantiated per iteration (import checks, core instantiation, export
 * objects).
 *
 * Run: `deno task bench bench/instantiate_bench.ts`.
 *
 * @module
 */

import { compile } from "../mod.ts";
import { wasiImports } from "../tests/_wasi.ts";

const dir = new URL("../tests/realworld/", import.meta.url);
const notes = await compile(await Deno.readFile(new URL("notes.wasm", dir)));
const hello = await compile(await Deno.readFile(new URL("hello.wasm", dir)));
const imports = wasiImports("0.2.3");

Deno.bench("instantiate notes.wasm (composed, WASI)", { group: "instantiate" }, () => {
  notes.instantiate(imports);
});

Deno.bench("instantiate hello.wasm (a C command, WASI)", { group: "instantiate" }, () => {
  hello.instantiate(imports);
});
