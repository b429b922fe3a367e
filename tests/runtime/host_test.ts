/**
 * jco's host conventions (`lib/runtime/host.ts`): imports found by full
 * name, by name without version and by a semver-compatible version;
 * functions by their names as written or in lowerCamelCase; top-level
 * results returned or thrown; lists of numbers as typed arrays; exports by
 * jco's names; errors naming the host function; unknown imports that trap.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, ComponentError, LinkError, Trap } from "../../mod.ts";
import { ImportResolver, jsExportName } from "../../lib/runtime/host.ts";
import { assertTrap, fns } from "../_trap.ts";
import { fixture } from "../_wat.ts";

Deno.test("ImportResolver: full name, then without version, then the highest compatible", async (t) => {
  await t.step("the full name wins", () => {
    const r = new ImportResolver({ "a:b/c@0.2.3": 1, "a:b/c": 2, "a:b/c@0.2.9": 3 });
    assert.equal(r.get("a:b/c@0.2.3"), 1);
  });
  await t.step("then the name without its version", () => {
    const r = new ImportResolver({ "a:b/c": 2, "a:b/c@0.2.9": 3 });
    assert.equal(r.get("a:b/c@0.2.3"), 2);
  });
  await t.step("then the highest version with the same 0.minor", () => {
    const r = new ImportResolver({
      "a:b/c@0.2.1": 1,
      "a:b/c@0.2.10": 2,
      "a:b/c@0.2.9": 3,
      "a:b/c@0.3.0": 4,
      "a:b/c@0.1.99": 5,
      "a:b/other@0.2.50": 6,
    });
    assert.equal(r.get("a:b/c@0.2.12"), 2); // a higher patch than any given: still 0.2.x
    assert.equal(r.get("a:b/c@0.2.0"), 2);
    assert.equal(r.get("a:b/c@0.3.7"), 4);
    assert.equal(r.get("a:b/c@0.4.0"), undefined);
    assert.equal(r.key("a:b/c@0.1.0"), "a:b/c@0.1.99");
  });
  await t.step("from 1.0 on, the same major", () => {
    const r = new ImportResolver({ "a:b/c@1.2.0": 1, "a:b/c@1.10.3": 2, "a:b/c@2.0.0": 3 });
    assert.equal(r.get("a:b/c@1.0.0"), 2);
    assert.equal(r.get("a:b/c@2.5.1"), 3);
    assert.equal(r.get("a:b/c@3.0.0"), undefined);
  });
  await t.step("0.0.x and pre-releases match only themselves", () => {
    const r = new ImportResolver({ "a:b/c@0.0.1": 1, "a:b/d@1.0.0-rc1": 2, "a:b/d@1.0.1": 3 });
    assert.equal(r.get("a:b/c@0.0.2"), undefined);
    assert.equal(r.get("a:b/c@0.0.1"), 1);
    assert.equal(r.get("a:b/d@1.0.0-rc2"), undefined);
    assert.equal(r.get("a:b/d@1.0.0"), 3);
  });
  await t.step("an unversioned import needs its exact name; undefined values do not count", () => {
    const r = new ImportResolver({ "a:b/c@1.0.0": 1, "a:b/d@1.0.0": undefined });
    assert.equal(r.get("a:b/c"), undefined);
    assert.equal(r.get("a:b/d@1.0.0"), undefined);
  });
});

Deno.test("jsExportName: interfaces by their short name, the rest in lowerCamelCase", () => {
  assert.equal(jsExportName("demo:kv/api@0.1.0"), "api");
  assert.equal(jsExportName("wasi:http/incoming-handler@0.2.0"), "incomingHandler");
  assert.equal(jsExportName("wasi:cli/run"), "run");
  assert.equal(jsExportName("get-point"), "getPoint");
  assert.equal(jsExportName("add"), "add");
});

const component = compile(await fixture("host_conventions.wat"));

/** The fixture's imports as jco's hosts write them: lowerCamelCase, another patch version. */
function jcoImports(log: unknown[] = [], store: Record<string, unknown> = {}) {
  return {
    "test:kv/store@0.2.1": {
      getValue: (key: string) => {
        if (key === "") throw new ComponentError("empty key");
        if (key === "throw") throw "thrown string";
        if (key === "bug") throw new RangeError("a bug in the host");
        if (key === "tagged") return { tag: "err", val: "tagged err" };
        return key.length;
      },
      getBytes: () => new Uint8Array([1, 2, 255]),
      sum: (xs: Uint32Array) => {
        log.push(xs);
        return xs.reduce((a, b) => a + BigInt(b), 0n);
      },
      maybeMissing: () => 7,
      ...store,
    },
    "test:log/sink": { write: (bytes: Uint8Array) => log.push(bytes) },
  };
}

Deno.test("imports as jco's import objects have them", async (t) => {
  const c = await component;
  await t.step("a compatible version and lowerCamelCase functions", () => {
    const e = fns(c.instantiate(jcoImports()));
    assert.equal(e["look-up"]("four"), 4);
    assert.equal(e["call-missing"](), 7);
  });
  await t.step("names as written still work, and win over lowerCamelCase", () => {
    const e = fns(c.instantiate(jcoImports([], { "maybe-missing": () => 8 })));
    assert.equal(e["call-missing"](), 8);
  });
  await t.step("an unversioned key for a versioned import", () => {
    const imports = jcoImports();
    const e = fns(c.instantiate({
      "test:kv/store": imports["test:kv/store@0.2.1"],
      "test:log/sink": imports["test:log/sink"],
    }));
    assert.equal(e["look-up"]("ab"), 2);
  });
  await t.step("an incompatible version is missing", () => {
    const imports = jcoImports();
    assert.throws(
      () =>
        c.instantiate({
          "test:kv/store@0.3.0": imports["test:kv/store@0.2.1"],
          "test:log/sink": imports["test:log/sink"],
        }),
      (e) => e instanceof LinkError && e.message === "missing import `test:kv/store@0.2.3`",
    );
  });
  await t.step("a missing function names the import and the function", () => {
    assert.throws(
      () => c.instantiate(jcoImports([], { maybeMissing: undefined })),
      (e) =>
        e instanceof LinkError &&
        e.message === "missing import `test:kv/store@0.2.3#maybe-missing`",
    );
  });
});

Deno.test("a host function's top-level result: returned, thrown, or tagged", async (t) => {
  const e = fns((await component).instantiate(jcoImports(), { results: "tagged" }));
  const lookUp = e["look-up"];
  await t.step("a returned value is ok", () => {
    assert.deepEqual(lookUp("abc"), { tag: "ok", val: 3 });
  });
  await t.step("a thrown value with a payload is err with the payload", () => {
    assert.deepEqual(lookUp(""), { tag: "err", val: "empty key" });
  });
  await t.step("any other thrown non-Error is err with the value itself", () => {
    assert.deepEqual(lookUp("throw"), { tag: "err", val: "thrown string" });
  });
  await t.step("a returned { tag, val } is taken as it is", () => {
    assert.deepEqual(lookUp("tagged"), { tag: "err", val: "tagged err" });
  });
  await t.step("a thrown Error without a payload is a failure, naming the function", () => {
    assert.throws(
      () => lookUp("bug"),
      (x) =>
        x instanceof RangeError &&
        x.message === "in test:kv/store@0.2.3#get-value: a bug in the host",
    );
  });
});

Deno.test("a host function's top-level result: a returned Promise is refused", async () => {
  const imports = jcoImports([], { getValue: () => Promise.resolve(1) });
  const e = fns((await component).instantiate(imports, { results: "tagged" }));
  assert.throws(() => e["look-up"]("k"), (x) => {
    assert.ok(x instanceof TypeError);
    assert.equal(
      x.message,
      "in test:kv/store@0.2.3#get-value: a host import returned a Promise: instantiate with `{ async: true }` (JSPI) and " +
        "give an `async function` for it to suspend the component",
    );
    return true;
  });
});

Deno.test("an exported function's top-level result: returned, or thrown as a ComponentError", async () => {
  const e = fns((await component).instantiate(jcoImports()));
  assert.equal(e["look-up"]("abcd"), 4);
  assert.throws(() => e["look-up"](""), (x) => {
    assert.ok(x instanceof ComponentError);
    assert.equal(x.payload, "empty key");
    assert.equal(x.message, "empty key");
    return true;
  });
});

Deno.test("lists of numbers are typed arrays both ways, plain arrays accepted", async (t) => {
  const log: unknown[] = [];
  const e = fns((await component).instantiate(jcoImports(log)));
  await t.step("a host's list<u8> result, and an export's", () => {
    const b = e.bytes();
    assert.ok(b instanceof Uint8Array);
    assert.deepEqual(b, new Uint8Array([1, 2, 255]));
  });
  await t.step("a host receives a Uint32Array and a Uint8Array", () => {
    const api = e["test:kv/api@1.0.0"] as unknown as Record<string, (...a: unknown[]) => unknown>;
    assert.equal(api["sum-all"]([1, 2, 0xffff_ffff]), 0x1_0000_0002n);
    assert.equal(api["sum-all"](new Uint32Array([5, 6])), 11n);
    e["write-bytes"](new Uint8Array([9, 8]));
    e["write-bytes"]([7]);
    assert.deepEqual(log, [
      new Uint32Array([1, 2, 0xffff_ffff]),
      new Uint32Array([5, 6]),
      new Uint8Array([9, 8]),
      new Uint8Array([7]),
    ]);
  });
  await t.step(
    "an ArrayBuffer for list<u8>; typed arrays of another kind element by element",
    () => {
      log.length = 0;
      e["write-bytes"](new Uint8Array([3, 4]).buffer);
      e["write-bytes"](new Uint16Array([5, 255]));
      assert.deepEqual(log, [new Uint8Array([3, 4]), new Uint8Array([5, 255])]);
      assert.throws(() => e["write-bytes"](new Uint16Array([256])), TypeError);
      // each element of an array is checked, holes too, before anything is written
      assert.throws(() => e["write-bytes"]([1, 256]), {
        message: "expected a `u8` (an integer in 0..255), got 256",
      });
      assert.throws(() => e["write-bytes"]([1, , 3]), {
        message: "expected a `u8` (an integer in 0..255), got undefined",
      });
      assert.throws(() => e["echo-f64"](["1"]), { message: 'expected a `f64`, got "1"' });
      assert.throws(() => e["echo-s64"]([2n ** 63n]), {
        message: "expected a `s64` in range, got 9223372036854775808n",
      });
      assert.deepEqual(e["echo-s64"]([-1, 5n]), new BigInt64Array([-1n, 5n]));
    },
  );
  await t.step("list<f64> and list<s64> round-trip as Float64Array and BigInt64Array", () => {
    const f = new Float64Array([1.5, -0, NaN, Infinity]);
    assert.deepEqual(e["echo-f64"](f), f);
    const s = new BigInt64Array([-1n, 2n ** 63n - 1n]);
    const back = e["echo-s64"](s);
    assert.ok(back instanceof BigInt64Array);
    assert.deepEqual(back, s);
    // the result is a copy, not a view of the component's memory
    assert.notEqual((back as BigInt64Array).buffer.byteLength, 65536);
  });
});

Deno.test("exports are reachable by jco's names too", async () => {
  const { exports } = (await component).instantiate(jcoImports());
  const api = exports.api as Record<string, (...a: unknown[]) => unknown>;
  assert.equal(api, exports["test:kv/api@1.0.0"]);
  assert.equal(api.lookUp, api["look-up"]);
  assert.equal(api.sumAll([1, 2]), 3n);
  assert.equal(exports.lookUp, exports["look-up"]);
  assert.equal(exports.echoF64, exports["echo-f64"]);
  // the aliases are not enumerated: each export is listed once, by its name
  assert.deepEqual(Object.keys(exports), [
    "test:kv/api@1.0.0",
    "look-up",
    "bytes",
    "call-missing",
    "write-bytes",
    "echo-f64",
    "echo-s64",
  ]);
  assert.deepEqual(Object.keys(api), ["look-up", "sum-all"]);
});

Deno.test("trapUnknownImports: a missing function import traps when called, naming itself", async () => {
  const c = await component;
  const imports = jcoImports([], { maybeMissing: undefined });
  const e = fns(c.instantiate(imports, { trapUnknownImports: true }));
  assert.equal(e["look-up"]("xy"), 2);
  assertTrap(
    () => e["call-missing"](),
    "unknown import: `test:kv/store@0.2.3#maybe-missing` has not been defined",
  );
  // a whole instance missing: every function of it traps, the rest runs
  const f = fns(c.instantiate({ "test:log/sink": imports["test:log/sink"] }, {
    trapUnknownImports: true,
  }));
  f["write-bytes"]([1]);
  assert.throws(() => f.bytes(), (x) => x instanceof Trap && /get-bytes` has not/.test(x.message));
});
