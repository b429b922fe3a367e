import assert from "node:assert/strict";
import { ParseError } from "../../mod.ts";
import { ByteWriter, Reader } from "../../lib/binary/mod.ts";

function reader(bytes: number[], base = 0): Reader {
  return new Reader(new Uint8Array(bytes), base);
}

function throwsAt(fn: () => unknown, reason: RegExp, offset: number): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof ParseError, `expected ParseError, got ${e}`);
    assert.match(e.reason, reason);
    assert.equal(e.offset, offset);
    assert.equal(e.message, `${e.reason} (at offset 0x${offset.toString(16)})`);
    return true;
  });
}

Deno.test("Reader.u32() decodes LEB128 of every length", () => {
  const table: [number[], number][] = [
    [[0x00], 0],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0xe5, 0x8e, 0x26], 624485],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 0xffffffff],
    [[0x81, 0x80, 0x80, 0x80, 0x00], 1], // overlong but zero-padded: valid
    [[0x80, 0x80, 0x80, 0x80, 0x08], 0x80000000],
  ];
  for (const [bytes, want] of table) {
    const r = reader(bytes);
    assert.equal(r.u32(), want, `bytes ${bytes}`);
    assert.ok(r.done);
  }
});

Deno.test("Reader.u32() refuses bits past the 32nd and runaway continuations", () => {
  throwsAt(() => reader([0x81, 0x80, 0x80, 0x80, 0x70], 10).u32(), /integer too large/, 10);
  throwsAt(() => reader([0xff, 0xff, 0xff, 0xff, 0x1f]).u32(), /LEB128 integer too large/, 0);
  throwsAt(
    () => reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).u32(),
    /representation too long/,
    0,
  );
  throwsAt(() => reader([0x80, 0x80], 100).u32(), /unexpected end-of-file/, 102);
});

Deno.test("Reader.u64() and s64() cover the full 64-bit range", () => {
  const w = new ByteWriter();
  const u = [0n, 1n, 127n, 128n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n];
  const s = [0n, -1n, 63n, -64n, 64n, -65n, 2n ** 63n - 1n, -(2n ** 63n)];
  for (const v of u) w.u64(v);
  for (const v of s) w.s64(v);
  const r = new Reader(w.finish());
  for (const v of u) assert.equal(r.u64(), v);
  for (const v of s) assert.equal(r.s64(), v);
  assert.ok(r.done);
  throwsAt(
    () => reader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]).u64(),
    /integer too large/,
    0,
  );
});

Deno.test("Reader.s32() and s33() sign-extend and check unused bits", () => {
  const table: [number[], number][] = [
    [[0x7f], -1],
    [[0x40], -64],
    [[0x3f], 63],
    [[0x80, 0x7f], -128],
    [[0xff, 0xff, 0xff, 0xff, 0x07], 0x7fffffff],
    [[0x80, 0x80, 0x80, 0x80, 0x78], -0x80000000],
  ];
  for (const [bytes, want] of table) assert.equal(reader(bytes).s32(), want, `bytes ${bytes}`);
  // bits above the 32nd must equal the sign bit
  throwsAt(() => reader([0xff, 0xff, 0xff, 0xff, 0x4f]).s32(), /integer too large/, 0);
  throwsAt(() => reader([0x80, 0x80, 0x80, 0x80, 0x38]).s32(), /integer too large/, 0);
  assert.equal(reader([0xff, 0xff, 0xff, 0xff, 0x0f]).s33(), 0xffffffff);
  assert.equal(reader([0x80, 0x80, 0x80, 0x80, 0x70]).s33(), -(2 ** 32));
});

Deno.test("Reader.s33() reads every length as the BigInt decoder does", () => {
  // the values around each byte count's boundary, positive and negative (type indices
  // take 2-4 bytes past 63), each with a byte after it that must stay unread
  const values: number[] = [];
  for (const k of [6, 13, 20, 27, 32]) {
    for (const v of [2 ** k - 1, 2 ** k, 2 ** k + 1, -(2 ** k), -(2 ** k) - 1, -(2 ** k) + 1]) {
      if (v >= -(2 ** 32) && v < 2 ** 32) values.push(v);
    }
  }
  for (const v of values) {
    const w = new ByteWriter().s64(BigInt(v)).byte(0x2a);
    const r = new Reader(w.finish());
    assert.equal(r.s33(), v, `value ${v}`);
    assert.equal(r.u8(), 0x2a, `value ${v}: the next byte`);
  }
  // running out within the first 4 bytes is the reader's end error, at the window's end
  throwsAt(() => reader([0x80, 0x80]).s33(), /unexpected end/, 2);
});

Deno.test("Reader.f32() and f64() read little-endian IEEE 754", () => {
  const w = new ByteWriter().f32(1.5).f64(-0.1).f32(Infinity);
  const r = new Reader(w.finish());
  assert.equal(r.f32(), 1.5);
  assert.equal(r.f64(), -0.1);
  assert.equal(r.f32(), Infinity);
});

Deno.test("Reader.name() reads ASCII names of every length, and non-ASCII ones, exactly", () => {
  const enc = new TextEncoder();
  for (let len = 0; len <= 70; len++) {
    const text = Array.from({ length: len }, (_, i) => String.fromCharCode(33 + (i * 7) % 94))
      .join("");
    for (const name of [text, text + "é", "é" + text]) {
      const bytes = enc.encode(name);
      const r = reader([bytes.length, ...bytes, 0x2a]);
      assert.equal(r.name(), name);
      assert.equal(r.u8(), 0x2a); // the reader stops right after the name
    }
  }
});

Deno.test("Reader.name() validates UTF-8 and reports the name's offset", () => {
  assert.equal(reader([3, 0xe2, 0x82, 0xac]).name(), "€");
  throwsAt(
    () => reader([2, 0xff, 0xfe], 40).name(),
    /invalid UTF-8 in name.*malformed UTF-8 encoding/,
    41,
  );
  throwsAt(() => reader([2, 0xc0, 0x80]).name(), /malformed UTF-8/, 1); // overlong NUL
  throwsAt(() => reader([3, 0xed, 0xa0, 0x80]).name(), /malformed UTF-8/, 1); // surrogate
  throwsAt(() => reader([5, 0x61, 0x62], 7).name(), /unexpected end-of-file/, 10);
});

Deno.test("Reader.count() refuses a count larger than the bytes left", () => {
  // 999999 items declared with 1 byte left: refused before any allocation
  throwsAt(
    () => reader([0xbf, 0x84, 0x3d, 0x73]).count(),
    /unexpected end-of-file: 999999 items/,
    0,
  );
  assert.deepEqual(reader([2, 5, 6]).vec((r) => r.u8()), [5, 6]);
});

Deno.test("Reader.optional() and bool() name the bad byte", () => {
  assert.equal(reader([0]).optional("thing", (r) => r.u8()), undefined);
  assert.equal(reader([1, 9]).optional("thing", (r) => r.u8()), 9);
  throwsAt(
    () => reader([2]).optional("thing", (r) => r.u8()),
    /invalid leading byte \(0x2\) for thing/,
    0,
  );
  assert.equal(reader([1]).bool(), true);
  throwsAt(() => reader([1, 2]).vec((r) => r.bool()), /invalid boolean value/, 1);
});

Deno.test("Reader.take() is a zero-copy view", () => {
  const bytes = new Uint8Array([1, 2, 3, 4]);
  const r = new Reader(bytes, 0);
  r.u8();
  const view = r.take(2);
  assert.equal(view.buffer, bytes.buffer);
  assert.deepEqual([...view], [2, 3]);
  throwsAt(() => r.take(2), /unexpected end-of-file/, 4);
});

Deno.test("Reader.expectEnd() reports a section size mismatch", () => {
  const r = reader([1, 2, 3], 20);
  r.u8();
  throwsAt(() => r.expectEnd("type", 20), /section size mismatch: declared 3, used 1/, 21);
});
