/**
 * Test helper: the same component run by jco (`@bytecodealliance/jco-transpile`,
 * a dev dependency: Wasmtime's translator compiled to wasm, and jco's
 * JavaScript bindings), as the reference wasmfuse's values are compared
 * with; and {@link outcome}, what a call did, to compare the two.
 *
 * @module
 */

// jco's bindings generator itself: the package's `transpile` also loads a native minifier
import { $init, generate } from "@bytecodealliance/jco-transpile/component";

/** A component transpiled by jco, ready to be instantiated any number of times. */
export interface JcoComponent {
  /** A fresh instance with `imports` (jco's conventions): its exports. */
  instantiate(imports: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/**
 * Transpile `component` with jco.
 * @param component The component's bytes.
 * @returns What instantiates it.
 */
export async function jco(component: Uint8Array): Promise<JcoComponent> {
  await $init;
  const files = Object.fromEntries(
    generate(component, {
      name: "component",
      instantiation: { tag: "async" },
      // jco's CLI default: a top-level err is thrown as a ComponentError with a payload
      noComponentErrorWrapping: false,
      noTypescript: true,
    }).files,
  );
  const dir = await Deno.makeTempDir({ prefix: "wasmfuse-jco-" });
  let mod: { instantiate: (...a: unknown[]) => Promise<Record<string, unknown>> };
  try {
    await Deno.writeFile(`${dir}/component.js`, files["component.js"]);
    mod = await import(new URL(`file://${dir}/component.js`).href);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const modules = new Map<string, Promise<WebAssembly.Module>>();
  const core = (path: string) => {
    let m = modules.get(path);
    if (m === undefined) modules.set(path, m = WebAssembly.compile(files[path] as BufferSource));
    return m;
  };
  return { instantiate: (imports) => mod.instantiate(core, imports) };
}

/**
 * Transpile `component` with jco and instantiate it once.
 * @param component The component's bytes.
 * @param imports The import object (jco's conventions).
 * @returns jco's exports.
 */
export async function jcoInstantiate(
  component: Uint8Array,
  imports: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return await (await jco(component)).instantiate(imports);
}

/** A function of a component's exports. */
export type Fn = (...args: unknown[]) => unknown;
/** An exported instance's functions. */
export type Api = Record<string, Fn>;

/**
 * What a call did: returned a value (`{ ok }`), threw an error with a
 * `payload` (`{ err }`, jco's `ComponentError`), or failed (`{ threw }`).
 * @param f The call.
 * @returns Its outcome.
 */
export function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (e) {
    if (e instanceof Error && Object.hasOwn(e, "payload")) {
      return { err: (e as unknown as { payload: unknown }).payload };
    }
    return { threw: String(e) };
  }
}
