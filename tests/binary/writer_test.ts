import assert from "node:assert/strict";
import { ByteWriter, Reader } from "../../lib/binary/mod.ts";

Deno.test("ByteWriter encodes LEB128 as the reader decodes it", () => {
  const values = [0, 1, 63, 64, 127, 128, 300, 16383, 16384, 2 ** 21, 2 ** 28, 2 ** 32 - 1];
  const w = new ByteWriter(1);
  for (const v of values) w.u32(v).s32(v | 0);
  const r = new Reader(w.finish());
  for (const v of values) {
    assert.equal(r.u32(), v);
    assert.equal(r.s32(), v | 0);
  }
  assert.ok(r.done);
});

Deno.test("ByteWriter writes the shortest LEB128 forms", () => {
  assert.deepEqual([...new ByteWriter().u32(624485).finish()], [0xe5, 0x8e, 0x26]);
  assert.deepEqual([...new ByteWriter().s32(-1).finish()], [0x7f]);
  assert.deepEqual([...new ByteWriter().s32(64).finish()], [0xc0, 0x00]);
  assert.deepEqual([...new ByteWriter().s64(-(2n ** 63n)).finish()].length, 10);
  assert.deepEqual([...new ByteWriter().u64(2n ** 64n - 1n).finish()].length, 10);
});

Deno.test("ByteWriter grows past its capacity and keeps every byte", () => {
  const w = new ByteWriter(8);
  const n = 100_000;
  for (let i = 0; i < n; i++) w.byte(i & 0xff);
  w.bytes(new Uint8Array([1, 2, 3])).name("héllo");
  const out = w.finish();
  assert.equal(out.length, n + 3 + 1 + 6);
  assert.equal(w.length, out.length);
  for (let i = 0; i < n; i += 997) assert.equal(out[i], i & 0xff);
  assert.equal(new Reader(out.subarray(n + 3)).name(), "héllo");
});

Deno.test("ByteWriter.u32() refuses values outside u32", () => {
  assert.throws(() => new ByteWriter().u32(-1), RangeError);
  assert.throws(() => new ByteWriter().u32(2 ** 32), RangeError);
  assert.throws(() => new ByteWriter().u32(1.5), RangeError);
});

Deno.test("ByteWriter.copyTo() copies short and long runs of what was written", () => {
  const w = new ByteWriter(8);
  for (let i = 0; i < 300; i++) w.byte(i & 0xff);
  const target = new Uint8Array(400).fill(0xee);
  // a short run (byte by byte) and a long one (with set), side by side
  let at = w.copyTo(target, 0, 10, 20);
  assert.equal(at, 10);
  at = w.copyTo(target, at, 100, 300);
  assert.equal(at, 210);
  assert.deepEqual([...target.subarray(0, 10)], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  for (let i = 0; i < 200; i++) assert.equal(target[10 + i], (100 + i) & 0xff);
  assert.equal(target[210], 0xee);
  assert.equal(w.copyTo(target, 5, 7, 7), 5);
  // nothing past what was written, however large the capacity
  assert.throws(() => w.copyTo(target, 0, 290, 301), RangeError);
  assert.throws(() => w.copyTo(target, 0, 20, 10), RangeError);
});
