import assert from "node:assert/strict";
import { parse, parseBytes, type Payload } from "../../mod.ts";
import { wat } from "../_wat.ts";

/** The input offset by which a payload can be emitted at the earliest. */
function completesAt(p: Payload): number {
  switch (p.kind) {
    case "component-begin":
      return p.offset + 8;
    case "component-end":
    case "end":
      return p.offset;
    default:
      return p.range.end;
  }
}

/** A parse() stream whose output is collected into an array as it comes. */
function collecting(): {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  seen: Payload[];
  done: Promise<void>;
} {
  const seen: Payload[] = [];
  const stream = parse();
  const done = stream.readable.pipeTo(new WritableStream({ write: (p) => void seen.push(p) }));
  return { writer: stream.writable.getWriter(), seen, done };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("parse() emits every payload as soon as its last byte arrives", async () => {
  const bytes = await wat(`(component
    (type $f (func (param "x" u32)))
    (component $inner
      (import "f" (func (type 0)))
      (type (record (field "a" u8))))
    (import "g" (func (type $f)))
    (export "h" (func 0)))`);
  const whole = parseBytes(bytes);
  const { writer, seen, done } = collecting();
  for (let i = 0; i < bytes.length; i++) {
    await writer.write(bytes.subarray(i, i + 1));
    await tick();
    const due = whole.filter((p) =>
      completesAt(p) <= i + 1 && !(p.kind === "component-end" && p.depth === 0) && p.kind !== "end"
    );
    assert.deepEqual(seen, due, `after byte ${i}`);
  }
  await writer.close();
  await done;
  assert.deepEqual(seen, whole);
});

Deno.test("parse() enters a large nested component without waiting for it", async () => {
  const big = "(func (result i32) i32.const 7)".repeat(2000);
  const bytes = await wat(`(component
    (component $inner (type (func)) (core module $m ${big}))
    (export "t" (component $inner)))`);
  const whole = parseBytes(bytes);
  const inner = whole.find((p) => p.kind === "component-begin" && p.depth === 1)!;
  assert.equal(inner.kind, "component-begin");
  const module = whole.find((p) => p.kind === "module")!;
  assert.equal(module.kind, "module");
  assert.ok(module.range.end - module.range.start > 10_000);

  const { writer, seen, done } = collecting();
  // up to the nested preamble: begin depth 1 is out, the inner sections are not needed
  await writer.write(bytes.subarray(0, inner.offset + 8));
  await tick();
  assert.deepEqual(seen.map((p) => p.kind), ["component-begin", "component-begin"]);
  // all but the module's last byte: the module is still pending
  await writer.write(bytes.subarray(inner.offset + 8, module.range.end - 1));
  await tick();
  assert.equal(seen.at(-1)?.kind, "type");
  // its last byte: out it comes, and the nested component ends with it if nothing follows
  await writer.write(bytes.subarray(module.range.end - 1, module.range.end));
  await tick();
  assert.equal(seen.some((p) => p.kind === "module"), true);
  await writer.write(bytes.subarray(module.range.end));
  await writer.close();
  await done;
  assert.deepEqual(seen, whole);
});

Deno.test("Parser.parseAt() from an index gives what parse() gives from a view there", async () => {
  const { Parser } = await import("../../lib/parse/mod.ts");
  const bytes = await wat(`(component
    (type $f (func (param "x" u32)))
    (component $inner (import "f" (func (type 0))))
    (import "g" (func (type $f)))
    (export "h" (func 0)))`);
  // the input behind a prefix that parseAt() must not read
  const padded = new Uint8Array(bytes.length + 5);
  padded.set(bytes, 5);
  const a = new Parser();
  const b = new Parser();
  let pos = 0;
  while (!a.done) {
    const sa = a.parseAt(padded, 5 + pos, true);
    const sb = b.parse(bytes.subarray(pos), true);
    assert.deepEqual(sa, sb);
    if (sa.type !== "parsed") break;
    pos += sa.consumed;
  }
  assert.equal(pos, bytes.length);
  // with only part of a section at hand, both ask for the same bytes more
  const part = new Parser();
  const whole = new Parser();
  for (const p of [part, whole]) p.parse(bytes, false); // the preamble
  const cut = padded.subarray(0, 5 + 8 + 3);
  assert.deepEqual(part.parseAt(cut, 5 + 8, false), whole.parse(bytes.subarray(8, 11), false));
});

Deno.test("Parser.skipComponent() passes over a nested component's bytes, whole or in chunks", async () => {
  const { ChunkFeeder } = await import("../../lib/parse/stream.ts");
  const { Parser } = await import("../../lib/parse/mod.ts");
  const bytes = await wat(`(component
    (type $f (func (param "x" u32)))
    (component $inner
      (import "f" (func (type 0)))
      (component $deeper (type (record (field "a" u8))))
      (type (record (field "a" u8))))
    (import "g" (func (type $f)))
    (export "h" (func 0)))`);
  const all = parseBytes(bytes);
  const inner = all.find((p) => p.kind === "component-begin" && p.depth === 1);
  assert.ok(inner?.kind === "component-begin" && inner.end !== null);
  const end = inner.end;
  // what a skipping reader sees: the nested component's begin and end, nothing inside
  const at = (p: Payload) => "range" in p ? p.range.start : p.offset;
  const want = all.filter((p) =>
    !(at(p) > inner.offset && at(p) < end) &&
    !((p.kind === "component-begin" || p.kind === "component-end") && p.depth > 1)
  );
  const text = (ps: Payload[]) => ps.map((p) => `${p.kind}@${at(p)}`);
  for (const size of [bytes.length, 1, 3, 16]) {
    const feeder = new ChunkFeeder();
    const seen: Payload[] = [];
    const emit = (p: Payload) => {
      seen.push(p);
      if (p.kind === "component-begin" && p.depth === 1) feeder.skipComponent();
    };
    for (let i = 0; i < bytes.length; i += size) {
      feeder.push(bytes.subarray(i, i + size), i + size >= bytes.length, emit);
    }
    assert.deepEqual(text(seen), text(want), `chunks of ${size}`);
  }
  assert.ok(want.length < all.length);
  // only right after a nested component-begin
  assert.throws(() => new Parser().skipComponent(), /nested component just entered/);
});
