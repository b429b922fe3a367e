/**
 * Hostile nesting is refused with a LinkError, never a stack overflow:
 * chains of thousands of types or instances each wrapping the previous.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LinkError, parseBytes } from "../../mod.ts";
import { ByteWriter } from "../../lib/binary/mod.ts";
import { inlinePayloads } from "../../lib/inline/mod.ts";

const PREAMBLE = [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0];

function component(...sections: [number, Uint8Array][]): Uint8Array {
  const w = new ByteWriter().bytes(PREAMBLE);
  for (const [id, body] of sections) w.byte(id).u32(body.length).bytes(body);
  return w.finish();
}

function refused(bytes: Uint8Array, reason: RegExp): void {
  assert.throws(() => inlinePayloads(parseBytes(bytes)), (e) => {
    assert.ok(e instanceof LinkError, `expected a LinkError, got ${e}`);
    assert.match(e.reason, reason);
    return true;
  });
}

Deno.test("a chain of 20,000 nested option types is refused past 100 levels", () => {
  const n = 20_000;
  const types = new ByteWriter().u32(n + 1).byte(0x79); // type 0: u32
  for (let i = 1; i <= n; i++) types.byte(0x6b).s32(i - 1); // type i: option<type i-1>
  const func = new ByteWriter().u32(1).byte(0x40).u32(1).name("x").s32(n).byte(0x01).byte(0x00);
  const imports = new ByteWriter().u32(1).byte(0x00).name("f").byte(0x01).u32(n + 1);
  refused(
    component([7, types.finish()], [7, func.finish()], [10, imports.finish()]),
    /type nesting is deeper than 100 levels/,
  );
});

Deno.test("a chain of 20,000 instances each exporting the previous is refused past 100 levels", () => {
  const n = 20_000;
  const instances = new ByteWriter().u32(n);
  instances.byte(0x01).u32(0); // instance 0: no exports
  for (let i = 1; i < n; i++) {
    // instance i: (export "x" (instance i-1))
    instances.byte(0x01).u32(1).byte(0x00).name("x").byte(0x05).u32(i - 1);
  }
  refused(component([5, instances.finish()]), /instances nest deeper than 100 levels/);
});

Deno.test("nesting up to 100 levels links, 101 does not (wasmparser's count: u32 is 1)", () => {
  const types = new ByteWriter().u32(100).byte(0x79);
  for (let i = 1; i < 100; i++) types.byte(0x6b).s32(i - 1);
  inlinePayloads(parseBytes(component([7, types.finish()])));
  const deeper = new ByteWriter().u32(101).byte(0x79);
  for (let i = 1; i < 101; i++) deeper.byte(0x6b).s32(i - 1); // option^100<u32>: depth 101
  refused(component([7, deeper.finish()]), /type nesting is deeper than 100 levels/);
});
