/**
 * Test helper: component WAT text to binary, with the dev dependency
 * `@bytecodealliance/jco-transpile` (its `./wasm-tools` entry). Tests only:
 * the library never imports it.
 *
 * @module
 */

// The specification's .wast suites write `(memory $i "mem")`, which this
// wasm-tools accepts only with strict component indices off; the strict
// syntax our fixtures use is accepted either way. The variable is read when
// the package loads, hence the dynamic import after setting it.
Deno.env.set("WAST_STRICT_COMPONENT_INDICES", "0");
const { parse: watToBinary } = await import("@bytecodealliance/jco-transpile/wasm-tools");

/**
 * Turn WAT (a component or a core module) into its binary.
 * @param text The WAT source.
 * @returns The binary.
 */
export async function wat(text: string): Promise<Uint8Array> {
  return new Uint8Array(await watToBinary(text));
}

/**
 * Read a fixture from `tests/fixtures/` and turn it into its binary.
 * @param name File name inside `tests/fixtures/`, e.g. `"records.wat"`.
 * @returns The binary.
 */
export async function fixture(name: string): Promise<Uint8Array> {
  return await wat(await Deno.readTextFile(new URL(`./fixtures/${name}`, import.meta.url)));
}

/**
 * Every fixture name in `tests/fixtures/` (sorted).
 * @returns The names.
 */
export async function fixtureNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(new URL("./fixtures/", import.meta.url))) {
    if (e.isFile && e.name.endsWith(".wat")) names.push(e.name);
  }
  return names.sort();
}
