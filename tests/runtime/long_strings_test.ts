/**
 * A valid string longer than the JavaScript engine's longest string is its
 * own error (`UnsupportedError`, feature `string-length`), never reported
 * as invalid UTF-8 or UTF-16 and never an engine `RangeError`. The strings
 * are 2^29 code units of NUL (V8 holds at most 2^29 - 24).
 *
 * @module
 */

import assert from "node:assert/strict";
import { instantiate, UnsupportedError } from "../../mod.ts";
import { fns } from "../_trap.ts";
import { wat } from "../_wat.ts";

const UNITS = 2 ** 29;

/** Exports returning a string at address 0 of `units` code units (tagged for UTF-16). */
const bytes = await wat(`(component
  (core module $m
    (memory (export "mem") 16385)
    (func $at (param $len i32) (result i32)
      (i32.store (i32.const 8) (i32.const 0))
      (i32.store (i32.const 12) (local.get $len))
      (i32.const 8))
    (func (export "utf8") (result i32) (call $at (i32.const ${UNITS})))
    (func (export "latin1") (result i32) (call $at (i32.const ${UNITS})))
    (func (export "utf16") (result i32) (call $at (i32.const ${UNITS})))
    (func (export "tagged") (result i32) (call $at (i32.or (i32.const 0x80000000) (i32.const ${UNITS}))))
    (func (export "short") (result i32) (call $at (i32.const 3))))
  (core instance $i (instantiate $m))
  (func (export "utf8") (result string)
    (canon lift (core func $i "utf8") (memory (core memory $i "mem"))))
  (func (export "latin1") (result string)
    (canon lift (core func $i "latin1") (memory (core memory $i "mem")) string-encoding=latin1+utf16))
  (func (export "utf16") (result string)
    (canon lift (core func $i "utf16") (memory (core memory $i "mem")) string-encoding=utf16))
  (func (export "tagged") (result string)
    (canon lift (core func $i "tagged") (memory (core memory $i "mem")) string-encoding=latin1+utf16))
  (func (export "short") (result string)
    (canon lift (core func $i "short") (memory (core memory $i "mem")))))`);

function tooLong(what: string) {
  return (e: unknown) => {
    assert.ok(e instanceof UnsupportedError, `expected an UnsupportedError, got ${e}`);
    assert.equal(e.feature, "string-length");
    assert.equal(
      e.message,
      `a string of ${what} is valid but longer than this JavaScript engine's longest string`,
    );
    return true;
  };
}

Deno.test("a valid string the engine cannot hold has its own error, in every encoding", async () => {
  const e = fns(await instantiate(bytes));
  assert.equal(e.short(), "\0\0\0");
  assert.throws(() => e.latin1(), tooLong(`${UNITS} code units`));
  assert.throws(() => e.utf16(), tooLong(`${UNITS} code units`));
  assert.throws(() => e.tagged(), tooLong(`${UNITS} code units`));
  assert.throws(() => e.utf8(), tooLong(`${UNITS} bytes of UTF-8`));
  // not a trap: the instance goes on
  assert.equal(e.short(), "\0\0\0");
});
