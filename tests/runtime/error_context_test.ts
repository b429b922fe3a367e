// `error-context.new`, `.debug-message` and `.drop`: error contexts as handles in the
// instance's table, their message read from and written into linear memory.
import assert from "node:assert/strict";
import { instantiate, LinkError } from "../../mod.ts";
import { wat } from "../_wat.ts";
import { assertTrap, fns } from "../_trap.ts";

/** A component making error contexts; `encoding` is the string encoding of all its options. */
function component(encoding: "utf8" | "utf16") {
  const enc = `string-encoding=${encoding}`;
  return `(component
  (core module $libc
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (i32.add (local.get 3) (i32.const 8))))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (core func $new (canon error-context.new (memory $libc "mem") ${enc}))
  (core func $msg (canon error-context.debug-message (memory $libc "mem")
    (realloc (func $libc "realloc")) ${enc}))
  (core func $drop (canon error-context.drop))
  (core func $set (canon waitable-set.new))
  (core module $m
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "msg" (func $msg (param i32 i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "set" (func $set (result i32)))
    ;; the message given back by debug-message, at 64 (pointer, length)
    (func (export "round-trip") (param i32 i32) (result i32)
      (local $h i32)
      (local.set $h (call $new (local.get 0) (local.get 1)))
      (call $msg (local.get $h) (i32.const 64))
      (call $drop (local.get $h))
      (i32.const 64))
    (func (export "handles") (result i32)
      (drop (call $new (i32.const 0) (i32.const 0)))
      (call $new (i32.const 0) (i32.const 0)))
    (func (export "drop-twice") (local $h i32)
      (local.set $h (call $new (i32.const 0) (i32.const 0)))
      (call $drop (local.get $h))
      (call $drop (local.get $h)))
    (func (export "message-of-a-set") (call $msg (call $set) (i32.const 64)))
    (func (export "message-unaligned") (call $msg (call $new (i32.const 0) (i32.const 0)) (i32.const 66)))
    (func (export "new-out-of-bounds") (drop (call $new (i32.const 65530) (i32.const 100))))
    (func (export "f"))
    (func (export "new-in-post-return") (drop (call $new (i32.const 0) (i32.const 0)))))
  (core instance $i (instantiate $m (with "" (instance
    (export "new" (func $new)) (export "msg" (func $msg)) (export "drop" (func $drop))
    (export "set" (func $set))))))
  (func (export "round-trip") (param "s" string) (result string)
    (canon lift (core func $i "round-trip") (memory $libc "mem") (realloc (func $libc "realloc")) ${enc}))
  (func (export "handles") (result u32) (canon lift (core func $i "handles")))
  (func (export "drop-twice") (canon lift (core func $i "drop-twice")))
  (func (export "message-of-a-set") (canon lift (core func $i "message-of-a-set")))
  (func (export "message-unaligned") (canon lift (core func $i "message-unaligned")))
  (func (export "new-out-of-bounds") (canon lift (core func $i "new-out-of-bounds")))
  (func (export "post-return-makes-one")
    (canon lift (core func $i "f") (post-return (func $i "new-in-post-return")))))`;
}

Deno.test("error-context.new keeps a message that error-context.debug-message gives back, in each encoding", async () => {
  for (const encoding of ["utf8", "utf16"] as const) {
    const e = fns(await instantiate(await wat(component(encoding))));
    for (const s of ["", "disk full", "ünïcödé 😀", "x".repeat(5000)]) {
      assert.equal(e["round-trip"](s), s, `${encoding}: ${s.slice(0, 20)}`);
    }
    // handles share the instance's table: two live error contexts, indices 1 and 2
    assert.equal(e.handles(), 2);
  }
});

Deno.test("error contexts: the rules their built-ins enforce", async () => {
  const bytes = await wat(component("utf8"));
  // (a trap poisons its instance: a fresh one for each rule)
  const fresh = async () => fns(await instantiate(bytes));
  assertTrap((await fresh())["drop-twice"], "unknown handle index 1");
  assertTrap(
    (await fresh())["message-of-a-set"],
    "handle index 1 used with the wrong type, expected error context but found waitable set",
  );
  assertTrap((await fresh())["message-unaligned"], "unaligned pointer");
  assertTrap(
    (await fresh())["new-out-of-bounds"],
    "string pointer/length out of bounds of memory",
  );
  // a post-return may not leave its instance: error-context.new there traps
  assertTrap((await fresh())["post-return-makes-one"], "cannot leave component instance");
});

Deno.test("error-context.new needs a memory, error-context.debug-message a memory and a realloc", async () => {
  const needs = async (canon: string, message: RegExp) => {
    await assert.rejects(
      instantiate(
        await wat(`(component
        (core module $libc (memory (export "mem") 1)
          (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
        (core instance $libc (instantiate $libc))
        (core func ${canon}))`),
      ),
      (e) => e instanceof LinkError && message.test(e.message),
    );
  };
  await needs("(canon error-context.new)", /^canon error-context.new needs a `memory` option/);
  await needs(
    `(canon error-context.debug-message (memory $libc "mem"))`,
    /^canon error-context.debug-message needs a `realloc` option/,
  );
});
