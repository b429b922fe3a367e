import assert from "node:assert/strict";
import { fixture } from "../_wat.ts";
import { AdapterTrap, fuseAndInstantiate } from "./_harness.ts";

const fused = await fuseAndInstantiate(await fixture("fact_scalars.wat"));
// core instances: 0 = callee's module, 1 = caller's memory, 2 = caller's main
const callee = fused.instances[0].exports;
const main = fused.instances[2].exports as Record<
  string,
  (...a: (number | bigint)[]) => number | bigint
>;
const calleeMem = () => new DataView((callee.mem as WebAssembly.Memory).buffer);
const callerMem = () => new DataView((fused.instances[1].exports.mem as WebAssembly.Memory).buffer);

function traps(fn: () => unknown, message: string): void {
  const call = () => {
    try {
      fn();
    } catch (e) {
      throw fused.trapOf(e);
    }
  };
  assert.throws(call, (e) => {
    assert.ok(e instanceof AdapterTrap, `expected an adapter trap, got ${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("fused adapters: one module holds every adapter, and it validates", () => {
  assert.equal(fused.modules.length, 1);
  assert.equal(fused.modules[0].adapters.length, 14);
});

Deno.test("fused adapters mask and sign-extend 8- and 16-bit integers", () => {
  assert.equal(main.u8(0x1ff), 0xff);
  assert.equal(main.u8(0x1234), 0x34);
  assert.equal(main.s8(0xff), -1);
  assert.equal(main.s8(0x17f), 127);
  assert.equal(main.u16(0x12345), 0x2345);
  assert.equal(main.s16(0x8000), -32768);
});

Deno.test("fused adapters read any non-zero bool as true", () => {
  assert.equal(main.bool(0), 0);
  assert.equal(main.bool(1), 1);
  assert.equal(main.bool(0x100), 1);
  assert.equal(main.bool(-1), 1);
});

Deno.test("fused adapters pass 64-bit integers and floats bit for bit", () => {
  assert.equal(main.u64(-1n), -1n);
  assert.equal(main.u64(0x123456789abcdefn), 0x123456789abcdefn);
  assert.equal(main.f64(1.5), 1.5);
  assert.ok(Number.isNaN(main.f64(NaN) as number));
  assert.ok(Object.is(main.f64(-0), -0));
});

Deno.test("fused adapters trap on chars that are not Unicode scalar values", () => {
  assert.equal(main.char(0x41), 0x41);
  assert.equal(main.char(0x10ffff), 0x10ffff);
  assert.equal(main.char(0xe000), 0xe000);
  traps(() => main.char(0xd800), "invalid `char` bit pattern");
  traps(() => main.char(0xdfff), "invalid `char` bit pattern");
  traps(() => main.char(0x110000), "invalid `char` bit pattern");
});

Deno.test("fused adapters check enum discriminants and mask flags", () => {
  assert.equal(main.enum(2), 2);
  traps(() => main.enum(3), "invalid variant discriminant");
  assert.equal(main.flags(0b101), 0b101);
  assert.equal(main.flags(0xff), 0b111); // bits beyond the 3 flags are dropped
});

Deno.test("fused adapters translate options on the stack", () => {
  assert.equal(main.opt(0, 99), 0); // none: the payload slot is zeroed
  assert.equal(main.opt(1, 0x1ff), 1255); // some(u8): the payload is masked to 0xff
  traps(() => main.opt(2, 0), "invalid variant discriminant");
});

Deno.test("fused adapters return variants through memory (a return pointer on the caller's side)", () => {
  // case b(f32): the f32 travels in the joined i32 slot
  const bits = new DataView(new ArrayBuffer(4));
  bits.setFloat32(0, 2.5, true);
  const at = main.var(1, bits.getInt32(0, true)) as number;
  assert.equal(callerMem().getUint8(at), 1);
  assert.equal(callerMem().getFloat32(at + 4, true), 2.5);
  // case a(u32)
  main.var(0, 77);
  assert.equal(callerMem().getUint8(512), 0);
  assert.equal(callerMem().getUint32(516, true), 77);
  traps(() => main.var(3, 0), "invalid variant discriminant");
});

Deno.test("fused adapters spill more than 16 parameters through both memories", () => {
  const mem = callerMem();
  for (let i = 0; i < 17; i++) mem.setUint32(64 + 4 * i, i + 1, true);
  assert.equal(main.sum17(64), (17 * 18) / 2);
  // the callee's copy was allocated with its realloc (its bump pointer starts at 1024)
  assert.equal(calleeMem().getUint32(1024, true), 1);
  assert.equal(calleeMem().getUint32(1024 + 64, true), 17);
  traps(() => main.sum17(66), "unaligned pointer");
  traps(() => main.sum17(65536 - 8), "pointer out of bounds of memory");
});

Deno.test("fused adapters call post-return after the results are read", () => {
  const before = (callee["post-calls"] as WebAssembly.Global).value;
  assert.equal(main.counted(5), 5);
  assert.equal((callee["post-calls"] as WebAssembly.Global).value, before + 1);
});

Deno.test("fused adapters trap when the caller may not leave, and restore the flags", () => {
  // (a trap while the callee's flag is cleared leaves it cleared: a trapped
  // component instance is not to be used again; start clean here)
  for (const g of fused.flags) g.value = 1;
  // component instance 2 is the caller
  fused.flags[2].value = 0;
  traps(() => main.u8(1), "cannot leave component instance");
  fused.flags[2].value = 1;
  assert.equal(main.u8(1), 1);
  assert.deepEqual(fused.flags.map((g) => g.value), [1, 1, 1]);
});
