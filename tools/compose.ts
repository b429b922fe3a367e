// deno-lint-ignore-file no-console
/**
 * A small composition tool (no `wac` or `wasm-tools compose` on npm): nests
 * two components in an outer one that instantiates the first (the
 * provider), then the second (the user) with the provider's exported
 * instance and the outer imports, and exports what the user exports.
 *
 * ```sh
 * deno run -A tools/compose.ts PROVIDER.wasm USER.wasm -o OUT.wasm
 * ```
 *
 * The outer component's imports are the provider's: its leading type,
 * import and alias sections are copied as they are, so the index spaces
 * they define are the provider's own. Every import of the user must
 * therefore be an import of the provider (by name: the WASI interfaces both
 * were made with) or an instance the provider exports; anything else is an
 * error naming it.
 *
 * @module
 */

import { parseBytes } from "../mod.ts";
import { ByteWriter, Reader } from "../lib/binary/mod.ts";

const SECTION = { custom: 0, alias: 6, type: 7, component: 4, instance: 5, import: 10, export: 11 };
const SORT_INSTANCE = 0x05;

interface Section {
  readonly id: number;
  /** The whole section: id, size and contents. */
  readonly bytes: Uint8Array;
}

/** The root-level sections of a component binary. */
function sections(component: Uint8Array): Section[] {
  const r = new Reader(component);
  r.take(8); // preamble: magic, version, layer
  const out: Section[] = [];
  while (!r.done) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    r.take(size);
    out.push({ id, bytes: component.subarray(start, r.pos) });
  }
  return out;
}

/** The root-level imports and exports of a component, with their kinds. */
function externs(component: Uint8Array): {
  imports: { name: string; kind: string }[];
  exports: { name: string; sort: string }[];
} {
  const imports: { name: string; kind: string }[] = [];
  const exports: { name: string; sort: string }[] = [];
  let depth = -1;
  for (const p of parseBytes(component)) {
    if (p.kind === "component-begin") depth++;
    else if (p.kind === "component-end") depth--;
    else if (depth === 0 && p.kind === "import") {
      for (const i of p.items) imports.push({ name: i.name.name, kind: i.type.kind });
    } else if (depth === 0 && p.kind === "export") {
      for (const e of p.items) exports.push({ name: e.name.name, sort: e.sort });
    }
  }
  return { imports, exports };
}

function section(out: ByteWriter, id: number, content: Uint8Array): void {
  out.byte(id).u32(content.length).bytes(content);
}

/**
 * Compose `provider` and `user`: the outer component imports what the
 * provider imports and exports what the user exports.
 * @param provider The component whose exported instances the user imports.
 * @param user The component importing them.
 * @returns The composed component.
 */
export function compose(provider: Uint8Array, user: Uint8Array): Uint8Array {
  const p = externs(provider);
  const u = externs(user);
  const prologue: Section[] = [];
  for (const s of sections(provider)) {
    if (![SECTION.type, SECTION.import, SECTION.alias, SECTION.custom].includes(s.id)) break;
    if (s.id !== SECTION.custom) prologue.push(s);
  }
  // the provider's imports, each at its index in the instance index space
  const instanceOf = new Map<string, number>();
  for (const i of p.imports) {
    if (i.kind !== "instance") {
      throw new Error(`the provider imports \`${i.name}\`, a ${i.kind}: only instances are passed`);
    }
    instanceOf.set(i.name, instanceOf.size);
  }
  const n = instanceOf.size;
  const provided = new Map(
    p.exports.filter((e) => e.sort === "instance").map((e, k) => [e.name, n + 1 + k]),
  );
  // instance n: the provider; n + 1 ...: its exported instances; then the user, its exports
  const userIndex = n + 1 + provided.size;
  const args = u.imports.map((i) => {
    const index = provided.get(i.name) ?? instanceOf.get(i.name);
    if (index === undefined || i.kind !== "instance") {
      throw new Error(
        `the user imports \`${i.name}\` (a ${i.kind}), which the provider neither imports nor exports`,
      );
    }
    return { name: i.name, index };
  });
  const userExports = u.exports.filter((e) => e.sort === "instance");
  if (userExports.length !== u.exports.length) {
    throw new Error("the user exports something other than instances: only instances are passed");
  }

  const out = new ByteWriter(provider.length + user.length + 4096);
  out.bytes(provider.subarray(0, 8));
  for (const s of prologue) out.bytes(s.bytes);
  section(out, SECTION.component, provider);
  section(out, SECTION.component, user);
  const instances = new ByteWriter();
  instances.u32(1).byte(0x00).u32(0).u32(p.imports.length);
  for (const [name, index] of instanceOf) instances.name(name).byte(SORT_INSTANCE).u32(index);
  section(out, SECTION.instance, instances.finish());
  const aliases = new ByteWriter();
  aliases.u32(provided.size);
  for (const name of provided.keys()) aliases.byte(SORT_INSTANCE).byte(0x00).u32(n).name(name);
  section(out, SECTION.alias, aliases.finish());
  const second = new ByteWriter();
  second.u32(1).byte(0x00).u32(1).u32(args.length);
  for (const a of args) second.name(a.name).byte(SORT_INSTANCE).u32(a.index);
  section(out, SECTION.instance, second.finish());
  const userAliases = new ByteWriter();
  userAliases.u32(userExports.length);
  for (const e of userExports) {
    userAliases.byte(SORT_INSTANCE).byte(0x00).u32(userIndex).name(e.name);
  }
  section(out, SECTION.alias, userAliases.finish());
  const exports = new ByteWriter();
  exports.u32(userExports.length);
  userExports.forEach((e, k) => {
    // a plain extern name (0x00), the instance, no type ascription
    exports.byte(0x00).name(e.name).byte(SORT_INSTANCE).u32(userIndex + 1 + k).byte(0x00);
  });
  section(out, SECTION.export, exports.finish());
  return out.finish();
}

if (import.meta.main) {
  const [a, b, flag, file] = Deno.args;
  if (a === undefined || b === undefined || flag !== "-o" || file === undefined) {
    console.error("usage: deno run -A tools/compose.ts PROVIDER.wasm USER.wasm -o OUT.wasm");
    Deno.exit(2);
  }
  try {
    const bytes = compose(await Deno.readFile(a), await Deno.readFile(b));
    await Deno.writeFile(file, bytes);
    console.log(`${file}: ${bytes.length} bytes`);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
