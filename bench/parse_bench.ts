/**
 * Parse throughput on a large synthetic component, built in memory below
 * with {@link ByteWriter}: one large core module (thousands of functions,
 * with exports and code bodies) and thousands of component sections (types
 * with records, variants, flags, enums, function and instance types; imports
 * and exports with many names; canon, alias and core instance sections; some
 * nested components). A final custom section pads the input to exactly
 * {@link TOTAL_BYTES} bytes, so the bench names state the size and MB/s is
 * `size / time`.
 *
 * Run with `deno bench --allow-read bench/parse_bench.ts`.
 *
 * @module
 */

import { parse, parseBytes } from "../mod.ts";
import { ByteWriter } from "../lib/binary/mod.ts";

/** The input size: exactly 8 MB (8,000,000 bytes). */
const TOTAL_BYTES = 8_000_000;
/** Functions in the core module (each with an export and a code body). */
const CORE_FUNCS = 20_000;
/** Blocks of component sections (each is 6 sections; some add a nested component). */
const BLOCKS = 2_750;
/** One block in this many also holds a nested component. */
const NESTED_EVERY = 50;
/** Stream chunk size. */
const CHUNK = 64 * 1024;

// Component value type opcodes.
const BOOL = 0x7f;
const U8 = 0x7d;
const S32 = 0x7a;
const U32 = 0x79;
const U64 = 0x77;
const F64 = 0x75;
const STRING = 0x73;
const PRIMS = [BOOL, 0x7e, U8, 0x7c, 0x7b, S32, U32, 0x78, U64, 0x76, F64, 0x74, STRING];

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const CORE_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** Append a section: id, LEB128 size, contents. */
function section(w: ByteWriter, id: number, content: ByteWriter): void {
  w.byte(id).u32(content.length).bytes(content.finish());
}

/** A core module with `n` functions of 100 signatures, exported, with ~230-byte bodies. */
function coreModule(n: number): ByteWriter {
  const m = new ByteWriter(1 << 23).bytes(CORE_PREAMBLE);
  const types = new ByteWriter().u32(100);
  for (let t = 0; t < 100; t++) {
    const params = 1 + t % 4;
    types.byte(0x60).u32(params);
    for (let p = 0; p < params; p++) types.byte([0x7f, 0x7e, 0x7d, 0x7c][(t + p) % 4]);
    types.u32(1).byte(0x7f);
  }
  section(m, 1, types);
  const imports = new ByteWriter().u32(2);
  imports.name("env").name("memory").byte(0x02).byte(0x00).u32(1); // memory, min 1
  imports.name("env").name("log").byte(0x00).u32(0); // func, type 0
  section(m, 2, imports);
  const funcs = new ByteWriter().u32(n);
  for (let i = 0; i < n; i++) funcs.u32(i % 100);
  section(m, 3, funcs);
  section(m, 4, new ByteWriter().u32(1).byte(0x70).byte(0x00).u32(n)); // funcref table
  section(m, 6, new ByteWriter().u32(1).byte(0x7f).byte(0x01).byte(0x41).s32(1024).byte(0x0b));
  const exports = new ByteWriter().u32(n + 1);
  exports.name("table").byte(0x01).u32(0);
  for (let i = 0; i < n; i++) exports.name(`func-${i}`).byte(0x00).u32(i + 1);
  section(m, 7, exports);
  const code = new ByteWriter(1 << 23).u32(n);
  for (let i = 0; i < n; i++) {
    const body = new ByteWriter(256);
    body.u32(1).u32(2).byte(0x7f); // locals: 2 x i32
    for (let k = 0; k < 28; k++) {
      // local.get 0; i32.const c; i32.add; local.set 1
      body.byte(0x20).u32(0).byte(0x41).s32(i * 31 + k * 1000).byte(0x6a).byte(0x21).u32(1);
    }
    body.byte(0x20).u32(1).byte(0x0b);
    const bytes = body.finish();
    code.u32(bytes.length).bytes(bytes);
  }
  section(m, 10, code);
  const data = new ByteWriter().u32(1).byte(0x00).byte(0x41).s32(0).byte(0x0b);
  data.u32(4096).bytes(new Uint8Array(4096).fill(0x5a));
  section(m, 11, data);
  return m;
}

/** A type section: records, variants, lists, tuples, flags, enums, options, results, funcs, an instance type, a resource. */
function typeSection(b: number): ByteWriter {
  const w = new ByteWriter(1024).u32(12);
  w.byte(0x72).u32(6); // record
  for (let j = 0; j < 6; j++) w.name(`field-${b}-${j}`).byte(PRIMS[(b + j) % PRIMS.length]);
  w.byte(0x71).u32(4); // variant
  for (let j = 0; j < 4; j++) {
    w.name(`case-${j}`);
    if (j % 2 === 0) w.byte(0x01).byte(PRIMS[(b * 3 + j) % PRIMS.length]);
    else w.byte(0x00);
    w.byte(0x00);
  }
  w.byte(0x70).byte(U8); // list<u8>
  w.byte(0x6f).u32(3).byte(U32).byte(STRING).u32(0); // tuple<u32, string, type 0>
  w.byte(0x6e).u32(5); // flags
  for (let j = 0; j < 5; j++) w.name(`flag-${j}`);
  w.byte(0x6d).u32(5); // enum
  for (let j = 0; j < 5; j++) w.name(`enum-case-${j}`);
  w.byte(0x6b).u32(1); // option<type 1>
  w.byte(0x6a).byte(0x01).u32(0).byte(0x01).byte(STRING); // result<type 0, string>
  w.byte(0x40).u32(3); // func (a: type 0, b: string, c: list) -> result
  w.name("a").u32(0).name("b").byte(STRING).name("c").u32(2).byte(0x00).u32(7);
  w.byte(0x40).u32(1).name("x").byte(U64).byte(0x01).byte(0x00); // func (x: u64)
  w.byte(0x42).u32(4); // instance type
  w.byte(0x01).byte(0x40).u32(1).name("v").byte(F64).byte(0x00).byte(BOOL);
  w.byte(0x04).byte(0x00).name(`get-${b}`).byte(0x01).u32(0);
  w.byte(0x04).byte(0x00).name(`put-${b}`).byte(0x01).u32(0);
  w.byte(0x02).byte(0x03).byte(0x02).u32(1).u32(0); // outer alias: type
  w.byte(0x3f).byte(0x7f).byte(0x00); // resource (rep i32), no dtor
  return w;
}

/** An import section with many names. */
function importSection(b: number): ByteWriter {
  const w = new ByteWriter(1024).u32(8);
  for (let j = 0; j < 8; j++) {
    w.byte(0x00).name(`wasi:pkg-${b}/interface-${j}@0.2.${j}`);
    switch (j % 4) {
      case 0:
        w.byte(0x01).u32(8); // func (type 8)
        break;
      case 1:
        w.byte(0x05).u32(10); // instance (type 10)
        break;
      case 2:
        w.byte(0x03).byte(0x00).u32(0); // type (eq 0)
        break;
      case 3:
        w.byte(0x03).byte(0x01); // type (sub resource)
    }
  }
  return w;
}

function coreInstanceSection(b: number): ByteWriter {
  const w = new ByteWriter(256).u32(2);
  w.byte(0x00).u32(0).u32(1).name("env").byte(0x12).u32(b % 3); // instantiate module 0
  w.byte(0x01).u32(3); // from exports
  for (let j = 0; j < 3; j++) w.name(`export-${j}`).byte(0x00).u32(j);
  return w;
}

function aliasSection(b: number): ByteWriter {
  const w = new ByteWriter(256).u32(6);
  for (let j = 0; j < 2; j++) w.byte(0x01).byte(0x00).u32(b % 5).name(`func-${b}-${j}`);
  for (let j = 0; j < 2; j++) w.byte(0x00).byte(0x00).byte(0x01).u32(j).name(`func-${j}`);
  w.byte(0x00).byte(0x02).byte(0x01).u32(0).name("memory"); // core memory export
  w.byte(0x03).byte(0x02).u32(1).u32(b % 7); // outer type alias
  return w;
}

function canonSection(b: number): ByteWriter {
  const w = new ByteWriter(256).u32(6);
  // lift: core func, options (utf8, memory 0, realloc 1, post-return 2), type 7
  w.byte(0x00).byte(0x00).u32(b).u32(4).byte(0x00).byte(0x03).u32(0).byte(0x04).u32(1)
    .byte(0x05).u32(2).u32(7);
  // lower: func, options (utf16, memory 0, realloc 1)
  w.byte(0x01).byte(0x00).u32(b).u32(3).byte(0x01).byte(0x03).u32(0).byte(0x04).u32(1);
  w.byte(0x02).u32(11); // resource.new
  w.byte(0x03).u32(11); // resource.drop
  w.byte(0x04).u32(11); // resource.rep
  w.byte(0x01).byte(0x00).u32(b + 1).u32(0); // lower, no options
  return w;
}

function exportSection(b: number): ByteWriter {
  const w = new ByteWriter(256).u32(4);
  for (let j = 0; j < 4; j++) {
    w.byte(0x00).name(`export-${b}-${j}-with-a-longer-name`).byte(0x01).u32(j);
    if (j % 2 === 0) w.byte(0x00);
    else w.byte(0x01).byte(0x01).u32(8); // ascribed: func (type 8)
  }
  return w;
}

/** A nested component with types, imports and exports. */
function nestedComponent(b: number): ByteWriter {
  const c = new ByteWriter(4096).bytes(PREAMBLE);
  section(c, 7, typeSection(b));
  section(c, 10, importSection(b));
  section(c, 11, exportSection(b));
  return c;
}

/** The whole component, padded to exactly `total` bytes. */
function buildComponent(total: number): Uint8Array {
  const w = new ByteWriter(total + 1024).bytes(PREAMBLE);
  section(w, 1, coreModule(CORE_FUNCS));
  for (let b = 0; b < BLOCKS; b++) {
    section(w, 7, typeSection(b));
    section(w, 10, importSection(b));
    section(w, 2, coreInstanceSection(b));
    section(w, 6, aliasSection(b));
    section(w, 8, canonSection(b));
    section(w, 11, exportSection(b));
    if (b % NESTED_EVERY === 0) section(w, 4, nestedComponent(b));
  }
  // Pad with one custom section (id, size, name, filler) to exactly `total` bytes.
  const name = "padding";
  const left = total - w.length;
  const lebLength = (n: number) => n < 2 ** 7 ? 1 : n < 2 ** 14 ? 2 : n < 2 ** 21 ? 3 : 4;
  for (let sizeBytes = 1; sizeBytes <= 4; sizeBytes++) {
    const size = left - 1 - sizeBytes;
    if (size < 1 + name.length || lebLength(size) !== sizeBytes) continue;
    w.byte(0).u32(size).name(name).bytes(new Uint8Array(size - 1 - name.length));
    break;
  }
  const bytes = w.finish();
  if (bytes.length !== total) {
    throw new Error(`the component is ${bytes.length} bytes, not ${total}: retune the builder`);
  }
  return bytes;
}

const input = buildComponent(TOTAL_BYTES);
const chunks: Uint8Array[] = [];
for (let at = 0; at < input.length; at += CHUNK) chunks.push(input.subarray(at, at + CHUNK));
const MB = `${input.length / 1e6} MB`;

async function parseStream(): Promise<number> {
  let n = 0;
  for await (const _ of ReadableStream.from(chunks).pipeThrough(parse())) n++;
  return n;
}

// Both ways must see the same payloads (checked once, silently).
const payloads = parseBytes(input).length;
if (await parseStream() !== payloads) throw new Error("parse() and parseBytes() disagree");

Deno.bench({
  name: `parseBytes: whole ${MB} buffer`,
  group: `parse ${MB}`,
  baseline: true,
  fn() {
    parseBytes(input);
  },
});

Deno.bench({
  name: `parse() stream: ${MB} in 64 KiB chunks`,
  group: `parse ${MB}`,
  async fn() {
    await parseStream();
  },
});
