import assert from "node:assert/strict";
import { parseBytes, ParseError } from "../../mod.ts";

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const MODULE_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function component(...sections: number[][]): Uint8Array {
  return new Uint8Array([...PREAMBLE, ...sections.flat()]);
}

function section(id: number, content: number[]): number[] {
  return [id, content.length, ...content];
}

// Each row: what is corrupted, the bytes, the expected reason and offset.
const CASES: [string, Uint8Array, RegExp, number][] = [
  [
    "bad magic",
    new Uint8Array([0x00, 0x41, 0x53, 0x4d, 0x0d, 0, 1, 0]),
    /magic header not detected/,
    0,
  ],
  ["core module at the root", new Uint8Array(MODULE_PREAMBLE), /found a core module/, 4],
  [
    "unknown version",
    new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0e, 0, 1, 0]),
    /unknown binary version/,
    4,
  ],
  ["truncated preamble", new Uint8Array(PREAMBLE.slice(0, 5)), /unexpected end-of-file/, 5],
  ["section id 13", component([0x0d, 0x00]), /malformed section id/, 8],
  ["section id 0xff", component([0xff]), /malformed section id/, 8],
  // type section size LEB with bits past the 32nd
  [
    "bad LEB in a section size",
    component([0x07, 0x81, 0x80, 0x80, 0x80, 0x70, 0x00]),
    /LEB128 integer too large/,
    9,
  ],
  // 1 type (string) declared in 3 bytes: the third byte is unused
  [
    "section size mismatch",
    component(section(7, [0x01, 0x73, 0x00])),
    /section size mismatch: declared 3, used 2/,
    12,
  ],
  // import name "\xff\xfe"
  [
    "bad UTF-8 in an import name",
    component(section(10, [0x01, 0x00, 0x02, 0xff, 0xfe, 0x01, 0x00])),
    /invalid UTF-8 in name/,
    13,
  ],
  // a type section claims 5 bytes, 1 follows
  ["section past the end of input", component([0x07, 0x05, 0x00]), /unexpected end-of-file/, 11],
  // a nested component of 12 bytes holds a type section claiming 5 bytes, only 2 left
  [
    "section past the end of a nested component",
    component(section(4, [...PREAMBLE, 0x07, 0x05, 0x01, 0x73])),
    /runs past the end of the enclosing component/,
    18,
  ],
  [
    "nested core module preamble",
    component(section(4, MODULE_PREAMBLE)),
    /expected a version header for a component/,
    14,
  ],
  [
    "nested component too short",
    component(section(4, PREAMBLE.slice(0, 4))),
    /unexpected end of section/,
    14,
  ],
  [
    "module section holding a component",
    component(section(1, PREAMBLE)),
    /expected a version header for a module/,
    14,
  ],
  [
    "core sections out of order",
    component(
      section(1, [...MODULE_PREAMBLE, 0x01, 0x01, 0x00, 0x0b, 0x01, 0x00, 0x01, 0x01, 0x00]),
    ),
    /section out of order/,
    24,
  ],
  [
    "core section id 14",
    component(section(1, [...MODULE_PREAMBLE, 0x0e, 0x00])),
    /malformed section id/,
    18,
  ],
  [
    "unallocated type opcode",
    component(section(7, [0x01, 0x62])),
    /invalid leading byte \(0x62\) for component defined type/,
    11,
  ],
  [
    "nonzero variant case byte",
    component(section(7, [0x01, 0x71, 0x01, 0x01, 0x63, 0x00, 0x01])),
    /zero byte required/,
    16,
  ],
  [
    "unallocated canon opcode",
    component(section(8, [0x01, 0x07])),
    /invalid leading byte \(0x7\) for canonical function/,
    11,
  ],
  [
    "repeated canon option",
    component(section(8, [0x01, 0x01, 0x00, 0x00, 0x02, 0x03, 0x00, 0x03, 0x00])),
    /`memory` is given more than once/,
    17,
  ],
  [
    "bad core instance kind",
    component(section(2, [0x01, 0x02, 0x00, 0x00])),
    /invalid leading byte \(0x2\) for core instance/,
    11,
  ],
  [
    "bad alias target",
    component(section(6, [0x01, 0x03, 0x03, 0x00, 0x00])),
    /invalid leading byte \(0x3\) for alias/,
    12,
  ],
  [
    "bad extern kind",
    component(section(10, [0x01, 0x00, 0x01, 0x78, 0x06, 0x00])),
    /invalid leading byte \(0x6\) for component external kind/,
    14,
  ],
  [
    "bad export type option",
    component(section(11, [0x01, 0x00, 0x01, 0x65, 0x01, 0x00, 0x02])),
    /optional component export type/,
    16,
  ],
  [
    "huge vector count",
    component(section(7, [0xbf, 0x84, 0x3d, 0x73])),
    /999999 items declared/,
    10,
  ],
];

Deno.test("parseBytes() reports each corruption with its rule and offset", async (t) => {
  for (const [what, bytes, reason, offset] of CASES) {
    await t.step(what, () => {
      assert.throws(() => parseBytes(bytes), (e) => {
        assert.ok(e instanceof ParseError, `${what}: expected ParseError, got ${e}`);
        assert.match(e.reason, reason);
        assert.equal(e.offset, offset, `${what}: ${e.message}`);
        return true;
      });
    });
  }
});

Deno.test("parseBytes() refuses deep nesting without exhausting the stack", () => {
  // 200 nested components, each a component section around the next.
  let inner = [...PREAMBLE];
  for (let i = 0; i < 200; i++) {
    const size = inner.length;
    const leb = [];
    let v = size;
    do {
      leb.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>>= 7;
    } while (v);
    inner = [...PREAMBLE, 0x04, ...leb, ...inner];
  }
  assert.throws(() => parseBytes(new Uint8Array(inner)), (e) => {
    assert.ok(e instanceof ParseError);
    assert.match(e.reason, /nested deeper than 100 levels/);
    return true;
  });
});

Deno.test("parseBytes() refuses deeply nested types without exhausting the stack", () => {
  // instance type 0x42 with one decl 0x01 (type) containing another instance type, 500 deep
  const depth = 500;
  const body: number[] = [];
  for (let i = 0; i < depth; i++) body.push(0x42, 0x01, 0x01);
  body.push(0x42, 0x00);
  const content = [0x01, ...body];
  const size = content.length;
  const bytes = new Uint8Array([...PREAMBLE, 0x07, (size & 0x7f) | 0x80, size >> 7, ...content]);
  assert.throws(() => parseBytes(bytes), (e) => {
    assert.ok(e instanceof ParseError);
    assert.match(e.reason, /type nesting deeper than 100 levels/);
    return true;
  });
});
