import assert from "node:assert/strict";
import { Reader } from "../../lib/binary/mod.ts";
import { ModuleBuilder } from "../../lib/wasm/mod.ts";
import { wat } from "../_wat.ts";

/** The module's sections without custom ones (wasm-tools adds a name section). */
function withoutCustomSections(bytes: Uint8Array): Uint8Array {
  const r = new Reader(bytes);
  r.take(8);
  const out = [...bytes.subarray(0, 8)];
  while (!r.done) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    r.take(size);
    if (id !== 0) out.push(...bytes.subarray(start, r.pos));
  }
  return new Uint8Array(out);
}

/** A module using every kind of import and immediate the encoder has. */
function sample(): ModuleBuilder {
  const m = new ModuleBuilder({ text: true });
  const mem0 = m.importMemory("a", "mem");
  const mem1 = m.importMemory("b", "mem", false, 1n, 10n);
  m.importMemory("c", "mem64", true, 1n);
  const flags = m.importGlobal("flags", "instance1", "i32", true);
  const trap = m.importFunc("host", "trap", { params: ["i32"], results: [] });
  const helper = m.func({ params: ["i32"], results: [] }, "helper");
  helper.body.op("local.get", 0).call(trap);
  const { ref, body } = m.func({ params: ["i32", "i32"], results: ["i32"] }, "adapter0");
  const tmp = body.local("i32");
  body.local("i64");
  body.local("i64");
  body.op("i32.const", 0).call(helper.ref);
  body.op("global.get", flags).op("i32.eqz").open("if").op("i32.const", 3).call(trap)
    .op("unreachable").op("end");
  body.op("local.get", 0).op("local.get", 1).op("i32.const", 8).memoryCopy(mem1, mem0);
  body.op("local.get", 0).mem("i32.load", mem0, 4).op("local.set", tmp);
  body.op("local.get", 1).op("local.get", tmp).mem("i32.store16", mem1, 2, 0);
  body.op("i64.const", 0n).mem("i64.load", 2, 8n).op("drop"); // memory 2 is 64-bit: i64 address
  body.open("block", "i32").op("i64.const", -5n).op("i32.wrap_i64").op("end").op("drop");
  body.open("loop").op("local.get", 0).op("br_if", 0).op("end");
  body.op("f64.const", 1.5).op("drop").op("f32.const", -0.25).op("drop");
  body.op("local.get", 0).op("local.get", 1).op("i32.add");
  m.exportFunc("adapter0", ref);
  return m;
}

Deno.test("ModuleBuilder encodes a module the engine validates", () => {
  assert.ok(WebAssembly.validate(sample().encode() as BufferSource));
});

Deno.test("ModuleBuilder.toWat() assembles (with wasm-tools) to the same bytes", async () => {
  const m = sample();
  const bytes = m.encode();
  const text = m.toWat();
  assert.deepEqual(withoutCustomSections(await wat(text)), bytes);
});

Deno.test("ModuleBuilder interns function types and resolves function handles", () => {
  const m = new ModuleBuilder();
  const sig = { params: ["i32"], results: ["i32"] } as const;
  assert.equal(m.type(sig), 0);
  assert.equal(m.type({ params: [], results: [] }), 1);
  assert.equal(m.type({ params: ["i32"], results: ["i32"] }), 0);
  // a function defined before an import is still numbered after every imported function
  const inc = m.func(sig, "inc");
  inc.body.op("local.get", 0).op("i32.const", 1).op("i32.add");
  const twice = m.func(sig, "twice");
  twice.body.op("local.get", 0).call(inc.ref).call(inc.ref);
  const ext = m.importFunc("env", "ext", sig);
  m.exportFunc("twice", twice.ref);
  const bytes = m.encode();
  assert.deepEqual([ext.index, inc.ref.index, twice.ref.index], [0, 1, 2]);
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
    env: { ext: (x: number) => x },
  });
  assert.equal((exports.twice as (x: number) => number)(40), 42);
});

Deno.test("ModuleBuilder runs loads, stores and memory.copy across two memories", () => {
  const m = new ModuleBuilder();
  const src = m.importMemory("src", "mem", false, 1n);
  const dst = m.importMemory("dst", "mem", false, 1n);
  const { ref, body } = m.func({ params: ["i32", "i32", "i32"], results: ["i32"] }, "copy");
  // copy len bytes from src[p] to dst[q], then return dst[q] as a u16 + dst[q + 2] as a u8
  body.op("local.get", 1).op("local.get", 0).op("local.get", 2).memoryCopy(dst, src);
  body.op("local.get", 1).mem("i32.load16_u", dst).op("local.get", 1).mem("i32.load8_u", dst, 2)
    .op("i32.add");
  m.exportFunc("copy", ref);
  const a = new WebAssembly.Memory({ initial: 1 });
  const b = new WebAssembly.Memory({ initial: 1 });
  new Uint8Array(a.buffer).set([1, 2, 3, 4], 100);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.encode() as BufferSource), {
    src: { mem: a },
    dst: { mem: b },
  });
  assert.equal(
    (inst.exports.copy as (p: number, q: number, n: number) => number)(100, 7, 4),
    0x0201 + 3,
  );
  assert.deepEqual([...new Uint8Array(b.buffer, 7, 4)], [1, 2, 3, 4]);
});

Deno.test("ModuleBuilder gives every function a unique text name (built for text)", () => {
  const m = new ModuleBuilder({ text: true });
  const a = m.func({ params: [], results: [] }, "f");
  const b = m.func({ params: [], results: [] }, "f");
  const c = m.importFunc("x", "f", { params: [], results: [] });
  assert.deepEqual([a.ref.name, b.ref.name, c.name], ["f", "f_1", "f_2"]);
});

Deno.test("ModuleBuilder encodes as it goes: the same bytes built for text or not", () => {
  const plain = sample();
  assert.throws(() => new ModuleBuilder().toWat(), /text: true/);
  const build = (text: boolean) => {
    const m = new ModuleBuilder({ text });
    const trap = m.importFunc("host", "trap", { params: ["i32"], results: [] });
    const { ref, body } = m.func({ params: ["i32"], results: ["i32"] }, "f");
    body.open("block", { params: [], results: ["i32", "i64"] }).op("i32.const", -1)
      .op("i64.const", 1n << 40n).op("end").op("drop").op("drop");
    body.op("local.get", 0).call(trap).op("local.get", 0);
    // an import added after the call: the callee's index is patched when encoding
    const late = m.importFunc("host", "late", { params: [], results: [] });
    body.call(late);
    m.exportFunc("f", ref);
    return m.encode();
  };
  assert.deepEqual(build(true), build(false));
  assert.ok(WebAssembly.validate(build(false) as BufferSource));
  assert.ok(plain.encode().length > 0);
});

Deno.test("cloneFunc: a copy calls its own callees, and encodes alike with or without text", () => {
  const build = (text: boolean) => {
    const m = new ModuleBuilder({ text });
    const sig = { params: ["i32"], results: ["i32"] } as const;
    const a = m.importFunc("env", "a", sig);
    const b = m.importFunc("env", "b", sig);
    const c = m.importFunc("env", "c", sig);
    // the template calls `a` twice (a(a(x)) + 1) and `b` once
    const { ref, body } = m.func({ params: ["i32"], results: ["i32"] }, "t");
    body.op("local.get", 0).call(a).call(a).call(b).op("i32.const", 1).op("i32.add");
    m.exportFunc("t", ref);
    m.exportFunc("u", m.cloneFunc(ref, "u", new Map([[a, c]])));
    m.exportFunc("v", m.cloneFunc(ref, "v", new Map([[b, c]])));
    assert.throws(() => m.cloneFunc(a, "w", new Map()), /not a function defined here/);
    return m;
  };
  const bytes = build(false).encode();
  assert.deepEqual(bytes, build(true).encode());
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: {
      a: (x: number) => x * 2,
      b: (x: number) => x + 100,
      c: (x: number) => x * 10,
    },
  });
  const call = (name: string, x: number) => (exports[name] as (x: number) => number)(x);
  assert.equal(call("t", 3), 113); // b(a(a(3))) + 1 = (12 + 100) + 1
  assert.equal(call("u", 3), 401); // b(c(c(3))) + 1 = (300 + 100) + 1
  assert.equal(call("v", 3), 121); // c(a(a(3))) + 1 = 120 + 1
});

Deno.test("ModuleBuilder.type() gives one index per signature, whichever arrays carry it", () => {
  const m = new ModuleBuilder();
  const params = ["i32", "i64"] as const;
  const results = ["f32"] as const;
  const a = m.type({ params, results });
  assert.equal(m.type({ params, results }), a); // the same arrays
  assert.equal(m.type({ params: ["i32", "i64"], results: ["f32"] }), a); // equal ones
  const b = m.type({ params, results: [] });
  assert.notEqual(b, a);
  assert.equal(m.type({ params: [...params], results: [] }), b);
  const c = m.type({ params: [], results });
  assert.deepEqual(new Set([a, b, c]).size, 3);
});
