/**
 * Test helper: the WASI 0.2 host jco users have, `@bytecodealliance/preview2-shim`
 * (a dev dependency), its import object as it is. The package's type
 * declarations do not resolve through its export map, hence this typed door.
 *
 * @module
 */

/** The part of `WASIShim` the tests use. */
interface Shim {
  getImportObject(opts?: { asVersion?: string }): Record<string, unknown>;
}

// a specifier in a variable: its types (a broken path in the package's export map) are not read
const spec = "@bytecodealliance/preview2-shim/instantiation";
const { WASIShim } = await import(spec);

/**
 * preview2-shim's import object: `new WASIShim().getImportObject(...)`.
 * @param asVersion The version suffix to give every interface name, or none.
 * @returns The import object, unmodified.
 */
export function wasiImports(asVersion?: string): Record<string, unknown> {
  const shim = new (WASIShim as new () => Shim)();
  return asVersion === undefined ? shim.getImportObject() : shim.getImportObject({ asVersion });
}
