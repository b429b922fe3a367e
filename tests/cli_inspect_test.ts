/**
 * `cli.ts inspect`: the counts line, one line per adapter and lowering, the
 * `--json` object, standard input, and errors with their offsets, on the
 * example and on inline_* fixtures built into a temporary directory.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fixture, wat } from "./_wat.ts";

import { EXAMPLE, run } from "./_cli.ts";

/** Write `bytes` to `name` in the temporary directory; its path. */
async function writeTemp(name: string, bytes: Uint8Array): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeFile(path, bytes);
  return path;
}

/** Fixtures are built into a temporary directory, removed when the tests end. */
const dir = await Deno.makeTempDir({ prefix: "wasmfuse-inspect-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const built = new Map<string, string>();
for (const name of ["inline_two_fused", "inline_host_lowering", "inline_always_trap"]) {
  built.set(name, await writeTemp(`${name}.wasm`, await fixture(`${name}.wat`)));
}
const file = (name: string) => built.get(name)!;

// Each row: a component, then what inspect must print: the counts line, the
// adapter and lowering lines (in order), and the lengths of the --json arrays.
const CASES: {
  name: string;
  path: () => string;
  counts: string;
  lines: string[];
  json: Record<"instances" | "adapters" | "lowerings" | "imports" | "exports", number>;
}[] = [
  {
    name: "examples/composed.wasm",
    path: () => EXAMPLE,
    counts: "adapters: 1, always-traps: 0, lowerings: 0, component instances: 3, " +
      "core instances: 3, modules: 3, resources: 0, imports: 0, exports: 1",
    lines: [
      "adapter 0: lift in instance 1 (utf8, memory m0, realloc r0) -> " +
      "lower in instance 2 (utf8, memory m1, realloc r1): " +
      'func(text: string) -> string, calls core instance 0 "shout"',
    ],
    json: { instances: 3, adapters: 1, lowerings: 0, imports: 0, exports: 1 },
  },
  {
    name: "inline_two_fused",
    path: () => file("inline_two_fused"),
    counts: "adapters: 1, always-traps: 0, lowerings: 0, component instances: 3, " +
      "core instances: 3, modules: 3, resources: 0, imports: 0, exports: 1",
    lines: [
      "adapter 0: lift in instance 1 (utf8, memory m0, realloc r0, post-return p0) -> " +
      "lower in instance 2 (utf16, memory m1, realloc r1): " +
      'func(name: string) -> string, calls core instance 0 "greet"',
    ],
    json: { instances: 3, adapters: 1, lowerings: 0, imports: 0, exports: 1 },
  },
  {
    name: "inline_host_lowering",
    path: () => file("inline_host_lowering"),
    counts: "adapters: 0, always-traps: 0, lowerings: 4, component instances: 4, " +
      "core instances: 6, modules: 6, resources: 0, imports: 3, exports: 1",
    lines: [
      'lowering 0: import "log" -> lower in instance 1 (utf8, memory m0): func(msg: string)',
      'lowering 1: import "host:io/clock" / "now" -> lower in instance 1 (utf8): func() -> u64',
      'lowering 2: import "host:io/fs" / "dir" / "open" -> lower in instance 0 ' +
      "(utf16, memory m1): func(path: string) -> u32",
      'lowering 3: import "log" -> lower in instance 3 (utf8, memory m2): func(msg: string)',
    ],
    json: { instances: 6, adapters: 0, lowerings: 4, imports: 3, exports: 1 },
  },
  {
    name: "inline_always_trap",
    path: () => file("inline_always_trap"),
    counts: "adapters: 1, always-traps: 4, lowerings: 0, component instances: 4, " +
      "core instances: 5, modules: 5, resources: 0, imports: 0, exports: 1",
    lines: [
      "adapter (always traps: cannot enter component instance) 0: lift in instance 0 (utf8) -> " +
      'lower in instance 1 (utf8): func() -> u32, calls core instance 0 "ping"',
      "adapter (always traps: cannot enter component instance) 1: lift in instance 0 (utf8) -> " +
      'lower in instance 0 (utf8): func() -> u32, calls core instance 0 "ping"',
      "adapter (always traps: cannot enter component instance) 2: lift in instance 1 (utf8) -> " +
      'lower in instance 0 (utf8): func() -> u32, calls core instance 2 "pong"',
      "adapter (always traps: cannot enter component instance) 3: lift in instance 2 (utf8) -> " +
      'lower in instance 0 (utf8): func(x: u32) -> u32, calls core instance 1 "deep"',
      "adapter 4: lift in instance 2 (utf8) -> " +
      'lower in instance 3 (utf8): func(x: u32) -> u32, calls core instance 1 "deep"',
    ],
    json: { instances: 5, adapters: 5, lowerings: 0, imports: 0, exports: 1 },
  },
];

Deno.test("cli inspect prints the counts, then one line per adapter and lowering", async (t) => {
  for (const c of CASES) {
    await t.step(c.name, async () => {
      const { code, stdout, stderr } = await run(["inspect", c.path()]);
      assert.equal(code, 0, stderr);
      assert.equal(stderr, "");
      const lines = stdout.trimEnd().split("\n");
      assert.equal(lines[0], c.counts);
      assert.deepStrictEqual(
        lines.filter((l) => /^(adapter|lowering)( \(always traps[^)]*\))? \d+:/.test(l)),
        c.lines,
      );
      // the adapter and lowering lines come right after the counts
      assert.deepStrictEqual(lines.slice(1, 1 + c.lines.length), c.lines);
      assert.ok(stdout.endsWith("\n"));
    });
  }
});

Deno.test("cli inspect prints imports and exports after the adapters", async () => {
  const { code, stdout } = await run(["inspect", file("inline_host_lowering")]);
  assert.equal(code, 0);
  const lines = stdout.trimEnd().split("\n");
  const modulesAt = lines.findIndex((l) => l.startsWith("adapter modules:"));
  assert.deepStrictEqual(lines.slice(5, modulesAt), [
    'import 0 "log": func(msg: string)',
    'import 1 "host:io/clock": instance { now }',
    'import 2 "host:io/fs": instance { dir }',
    'export "start": func() -> u64, lifted from core instance 1 "start" in component instance 1 (utf8)',
  ]);
});

Deno.test("cli inspect --json prints one object with an array per arena", async (t) => {
  for (const c of CASES) {
    await t.step(c.name, async () => {
      const { code, stdout, stderr } = await run(["inspect", "--json", c.path()]);
      assert.equal(code, 0, stderr);
      const json = JSON.parse(stdout);
      for (const [key, length] of Object.entries(c.json)) {
        assert.ok(Array.isArray(json[key]), `${key} is an array`);
        assert.equal(json[key].length, length, key);
      }
      assert.equal(json.counts.adapters + json.counts.alwaysTraps, c.json.adapters);
      assert.equal(json.counts.instances, c.json.instances);
    });
  }
});

Deno.test("cli inspect --json: adapters and lowerings with their options", async () => {
  const fused = JSON.parse((await run(["inspect", "--json", file("inline_two_fused")])).stdout);
  assert.deepStrictEqual(fused.adapters, [{
    liftType: "func(name: string) -> string",
    liftOptions: {
      instance: 1,
      stringEncoding: "utf8",
      memory: 0,
      memory64: false,
      realloc: 0,
      postReturn: 0,
    },
    lowerType: "func(name: string) -> string",
    lowerOptions: { instance: 2, stringEncoding: "utf16", memory: 1, memory64: false, realloc: 1 },
    func: { kind: "export", instance: 0, name: "greet" },
    alwaysTrap: false,
  }]);
  assert.deepStrictEqual(fused.componentInstances, [{}, { parent: 0 }, { parent: 0 }]);
  assert.deepStrictEqual(fused.instances[2], {
    componentInstance: 2,
    module: { kind: "static", id: 2 },
    args: [{ kind: "export", instance: 1, name: "memory" }, { kind: "adapter", id: 0 }],
  });
  assert.deepStrictEqual(fused.exports.map((e: { name: string; kind: string }) => e.kind), [
    "lifted",
  ]);

  const host = JSON.parse((await run(["inspect", "--json", file("inline_host_lowering")])).stdout);
  assert.deepStrictEqual(
    host.lowerings.map((l: { import: unknown }) => l.import),
    [
      { import: 0, names: [] },
      { import: 1, names: ["now"] },
      { import: 2, names: ["dir", "open"] },
      { import: 0, names: [] },
    ],
  );
  assert.deepStrictEqual(host.imports, [
    { name: "log", kind: "func", type: "func(msg: string)" },
    { name: "host:io/clock", kind: "instance", type: "instance { now }" },
    { name: "host:io/fs", kind: "instance", type: "instance { dir }" },
  ]);
});

Deno.test("cli inspect - reads standard input", async () => {
  for (const path of [EXAMPLE, file("inline_two_fused")]) {
    const bytes = await Deno.readFile(path);
    for (const flags of [[], ["--json"]]) {
      const fromFile = await run(["inspect", ...flags, path]);
      const fromStdin = await run(["inspect", ...flags, "-"], bytes);
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      assert.equal(fromStdin.stdout, fromFile.stdout);
    }
  }
});

Deno.test("cli inspect reports malformed input with its offset and exits 1", async () => {
  const bytes = await Deno.readFile(EXAMPLE);
  const truncated = await run(["inspect", "-"], bytes.subarray(0, 100));
  assert.equal(truncated.code, 1);
  assert.equal(truncated.stdout, "");
  assert.match(truncated.stderr, /^error: unexpected end-of-file at offset \d+\n$/);

  const garbage = await run(["inspect", "-"], new TextEncoder().encode("not wasm at all"));
  assert.equal(garbage.code, 1);
  assert.match(garbage.stderr, /^error: .+ at offset 0\n$/);

  // well-formed, but it does not link: a LinkError with its item's offset
  const unlinkable = await writeTemp(
    "link.wasm",
    await wat(`(component (import "c" (component $c)) (instance (instantiate $c)))`),
  );
  const link = await run(["inspect", unlinkable]);
  assert.equal(link.code, 1);
  assert.equal(link.stdout, "");
  assert.match(
    link.stderr,
    /^error: instantiating an imported component is not supported .* at offset \d+ \(instance section, item 0\)\n$/,
  );

  const missing = await run(["inspect", `${dir}/nonexistent.wasm`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: .*No such file/);
});

Deno.test("cli inspect takes exactly one FILE (a usage mistake: status 2)", async () => {
  const none = await run(["inspect"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^error: inspect takes exactly one FILE \(or -\)/);
  const two = await run(["inspect", EXAMPLE, EXAMPLE]);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /^error: inspect takes exactly one FILE \(or -\)/);
});

Deno.test("cli inspect prints the adapter modules and the instantiation plan", async () => {
  const { code, stdout } = await run(["inspect", EXAMPLE]);
  assert.equal(code, 0);
  const lines = stdout.trimEnd().split("\n");
  assert.deepStrictEqual(lines.slice(lines.findIndex((l) => l.startsWith("adapter modules:"))), [
    "adapter modules: 1",
    "adapter module 0: adapters 0",
    "plan: 6 steps",
    "  1. instantiate core instance 0 (module 0, component instance 1)",
    "  2. instantiate core instance 1 (module 1, component instance 2)",
    // right before the first instance that imports its adapter
    "  3. instantiate adapter module 0",
    "  4. instantiate core instance 2 (module 2, component instance 2)",
    "  5. extract memory m1",
    '  6. export "run"',
  ]);
  const json = JSON.parse((await run(["inspect", "--json", EXAMPLE])).stdout);
  assert.deepStrictEqual(json.adapterModules, [[0]]);
  assert.deepStrictEqual(json.plan, [
    { kind: "instantiate", instance: 0, componentInstance: 1 },
    { kind: "instantiate", instance: 1, componentInstance: 2 },
    { kind: "instantiate-adapter-module", module: 0 },
    { kind: "instantiate", instance: 2, componentInstance: 2 },
    { kind: "extract-memory", memory: 1 },
    { kind: "export", export: 0 },
  ]);
});
