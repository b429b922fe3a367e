/**
 * `validateAdapterModule` refuses an adapter module that does not match
 * what it was generated for: bytes the engine rejects, an import that is
 * not its binding, an adapter not exported, an export with the wrong
 * signature. (The generated modules never break these: the module is
 * tampered with here.)
 *
 * @module
 */

import assert from "node:assert/strict";
import { fuse } from "../../mod.ts";
import type { AdapterModule } from "../../lib/fact/mod.ts";
import { validateAdapterModule, ValidationError } from "../../lib/validate/mod.ts";

const t = await fuse(
  await Deno.readFile(new URL("../../examples/points.wasm", import.meta.url)),
);
const m = t.adapterModules[0];

function refuses(mod: AdapterModule, dfg: typeof t.dfg, message: RegExp): void {
  assert.throws(() => validateAdapterModule(mod, dfg), (e: unknown) => {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${e}`);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("a generated module passes", () => {
  validateAdapterModule(m, t.dfg);
});

Deno.test("bytes the engine rejects", () => {
  refuses({ ...m, bytes: m.bytes.slice(0, m.bytes.length - 3) }, t.dfg, /the engine rejects it/);
});

Deno.test("an import that is not its binding", () => {
  const imports = m.imports.map((i, k) => k === 0 ? { ...i, name: `${i.name}-other` } : i);
  refuses(
    { ...m, imports },
    t.dfg,
    /^adapter module 0: import 0 is "\w+" "[^"]+" but its binding names/,
  );
  refuses({ ...m, imports: m.imports.slice(1) }, t.dfg, /imports but \d+ bindings/);
});

Deno.test("an adapter that is not exported", () => {
  const exports = new Map([...m.exports].map(([id, name]) => [id, `${name}-gone`]));
  refuses({ ...m, exports }, t.dfg, /, adapter \d+: the adapter is not exported/);
});

Deno.test("an export whose signature is not the lowering side's", () => {
  const id = m.adapters[0];
  const adapters = t.dfg.adapters.map((a, k) =>
    k === id
      ? {
        ...a,
        lowerType: {
          ...a.lowerType,
          params: [...a.lowerType.params, { name: "x", type: "u64" as const }],
        },
      }
      : a
  );
  refuses(
    m,
    { ...t.dfg, adapters },
    /the export has type \(.*\) but the lowering side needs \(.*i64.*\)/,
  );
});

Deno.test("names are compared whole, in place: a prefix, a longer name or a non-ASCII one is not the import", () => {
  const named = (name: string) => m.imports.map((i, k) => k === 0 ? { ...i, name } : i);
  const real = m.imports[0].name;
  for (const name of [real.slice(0, -1), `${real}0`, `${real.slice(0, -1)}é`, ""]) {
    refuses({ ...m, imports: named(name) }, t.dfg, /import 0 is "\w+" "[^"]+" but its binding/);
  }
});

Deno.test("adapters found by name when they are not exported in their order", () => {
  assert.ok(m.adapters.length >= 2, "a module with two adapters");
  validateAdapterModule({ ...m, adapters: [...m.adapters].reverse() }, t.dfg);
});
