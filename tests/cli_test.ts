import assert from "node:assert/strict";
import { wat } from "./_wat.ts";

import { EXAMPLE, run } from "./_cli.ts";

Deno.test("cli parse prints one line per payload of the example", async () => {
  const { code, stdout, stderr } = await run(["parse", EXAMPLE]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  assert.match(lines[0], /^0x000000\.\.\s+component-begin depth 0$/);
  assert.match(lines.at(-1)!, /^0x0003fb\s+end$/);
  assert.equal(lines.filter((l) => /component-begin depth 1/.test(l)).length, 2);
  assert.ok(
    lines.some((l) => /^\s*0x[0-9a-f]+\.\.0x[0-9a-f]+\s+canon 1 item: lift core-func 0$/.test(l)),
  );
  assert.ok(
    lines.some((l) =>
      /module 300 bytes: .* exports memory "mem", func "realloc", func "shout"/.test(l)
    ),
  );
  assert.ok(lines.some((l) => /export 1 item: "run"/.test(l)));
});

Deno.test("cli parse - reads standard input", async () => {
  const bytes = await Deno.readFile(EXAMPLE);
  const fromFile = await run(["parse", EXAMPLE]);
  const fromStdin = await run(["parse", "-"], bytes);
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(fromStdin.stdout, fromFile.stdout);
});

Deno.test("cli parse reports malformed input with its offset and exits 1", async () => {
  const bytes = await wat(`(component (import "f" (func)))`);
  const { code, stdout, stderr } = await run(["parse", "-"], bytes.subarray(0, bytes.length - 3));
  assert.equal(code, 1);
  assert.match(stderr, /^error: unexpected end-of-file at offset \d+\n$/);
  // payloads decoded before the error were printed; nothing after it
  assert.match(stdout, /component-begin depth 0/);
  assert.doesNotMatch(stdout, /\bend$/m);
});

Deno.test("cli: missing files exit 1, usage mistakes exit 2 (clap's convention)", async () => {
  const missing = await run(["parse", "/nonexistent/file.wasm"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: .*No such file/);
  const unknown = await run(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^error: unknown command "frobnicate"/);
  const badFlag = await run(["parse", "--nope", EXAMPLE]);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /^error: .*--nope/);
  assert.match(badFlag.stderr, /usage: wasmfuse parse FILE\|-/, "the command's usage follows");
  const nothing = await run([]);
  assert.equal(nothing.code, 2);
  assert.equal(nothing.stdout, "");
  assert.match(nothing.stderr, /^wasmfuse: compile and inspect/);
  const help = await run(["help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /wasmfuse parse FILE\|-/);
});
