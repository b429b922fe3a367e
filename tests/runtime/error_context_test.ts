// `error-context.new`, `.debug-message` and `.drop`: error contexts as handles in the
// instance's table, their message read from and written into linear memory.
import assert from "node:assert/strict";
import { instantiate, LinkError } from "../../mod.ts";
import { wat } from "../_wat.ts";
import { LIBC } from "../_libc.ts";
import { assertTrap, fns } from "../_trap.ts";

/** A component making error contexts; `encoding` is the string encoding of all its options. */
function component(encoding: "utf8" | "utf16") {
  const enc = `string-encoding=${encoding}`;
  return `(component
  ${LIBC}
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

/**
 * `$maker` makes error contexts; `$reader` gets them through a fused adapter and
 * reads their message (`relay`) or hands them on (`pass`); `keep`/`again`: one
 * handed to the host stays readable by its maker (shared, not moved); `read`
 * takes one from the host, `fail` gets one from the host's import.
 */
const SHARING = `(component
  (import "fail" (func $fail (param "why" string) (result error-context)))
  (component $maker
    (import "fail" (func $fail (param "why" string) (result error-context)))
    ${LIBC}
    (core func $new (canon error-context.new (memory $libc "mem")))
    (core func $msg (canon error-context.debug-message (memory $libc "mem") (realloc (func $libc "realloc"))))
    (core func $fail (canon lower (func $fail) (memory $libc "mem")))
    (core module $m
      (import "" "new" (func $new (param i32 i32) (result i32)))
      (import "" "msg" (func $msg (param i32 i32)))
      (import "" "fail" (func $fail (param i32 i32) (result i32)))
      (global $kept (mut i32) (i32.const 0))
      (func (export "make") (param i32 i32) (result i32) (call $new (local.get 0) (local.get 1)))
      (func (export "keep") (param i32 i32) (result i32)
        (global.set $kept (call $new (local.get 0) (local.get 1)))
        (global.get $kept))
      (func (export "again") (result i32) (call $msg (global.get $kept) (i32.const 64)) (i32.const 64))
      (func (export "read") (param i32) (result i32) (call $msg (local.get 0) (i32.const 64)) (i32.const 64))
      (func (export "from-host") (param i32 i32) (result i32)
        (call $msg (call $fail (local.get 0) (local.get 1)) (i32.const 64))
        (i32.const 64)))
    (core instance $i (instantiate $m (with "" (instance
      (export "new" (func $new)) (export "msg" (func $msg)) (export "fail" (func $fail))))))
    (func (export "make") (param "msg" string) (result error-context)
      (canon lift (core func $i "make") (memory $libc "mem") (realloc (func $libc "realloc"))))
    (func (export "keep") (param "msg" string) (result error-context)
      (canon lift (core func $i "keep") (memory $libc "mem") (realloc (func $libc "realloc"))))
    (func (export "again") (result string) (canon lift (core func $i "again") (memory $libc "mem")))
    (func (export "read") (param "e" error-context) (result string)
      (canon lift (core func $i "read") (memory $libc "mem")))
    (func (export "from-host") (param "why" string) (result string)
      (canon lift (core func $i "from-host") (memory $libc "mem") (realloc (func $libc "realloc")))))
  (component $reader
    (import "make" (func $make (param "msg" string) (result error-context)))
    ${LIBC}
    (core func $make (canon lower (func $make) (memory $libc "mem")))
    (core func $msg (canon error-context.debug-message (memory $libc "mem") (realloc (func $libc "realloc"))))
    (core func $drop (canon error-context.drop))
    (core module $m
      (import "" "make" (func $make (param i32 i32) (result i32)))
      (import "" "msg" (func $msg (param i32 i32)))
      (import "" "drop" (func $drop (param i32)))
      (func (export "relay") (param i32 i32) (result i32)
        (local $h i32)
        (local.set $h (call $make (local.get 0) (local.get 1)))
        (call $msg (local.get $h) (i32.const 64))
        (call $drop (local.get $h))
        (i32.const 64))
      (func (export "pass") (param i32 i32) (result i32) (call $make (local.get 0) (local.get 1))))
    (core instance $i (instantiate $m (with "" (instance
      (export "make" (func $make)) (export "msg" (func $msg)) (export "drop" (func $drop))))))
    (func (export "relay") (param "msg" string) (result string)
      (canon lift (core func $i "relay") (memory $libc "mem") (realloc (func $libc "realloc"))))
    (func (export "pass") (param "msg" string) (result error-context)
      (canon lift (core func $i "pass") (memory $libc "mem") (realloc (func $libc "realloc")))))
  (instance $mk (instantiate $maker (with "fail" (func $fail))))
  (instance $rd (instantiate $reader (with "make" (func $mk "make"))))
  (export "relay" (func $rd "relay"))
  (export "pass" (func $rd "pass"))
  (export "keep" (func $mk "keep"))
  (export "again" (func $mk "again"))
  (export "read" (func $mk "read"))
  (export "from-host" (func $mk "from-host")))`;

Deno.test("error contexts cross fused adapters and reach the host as ErrorContext objects", async () => {
  const { compile, ErrorContext } = await import("../../mod.ts");
  const c = await compile(await wat(SHARING));
  assert.equal(c.translation.adapterModules.length, 1, "maker -> reader is a fused adapter");
  const why: string[] = [];
  const e = fns(c.instantiate({
    fail: (s: string) => {
      why.push(s);
      return new ErrorContext(`host says: ${s}`);
    },
  }));
  // made in $maker, shared into $reader's table through the adapter, read there
  assert.equal(e.relay("through the adapter ✓"), "through the adapter ✓");
  // handed on to the host: an ErrorContext with the message
  const passed = e.pass("passed on") as InstanceType<typeof ErrorContext>;
  assert.ok(passed instanceof ErrorContext);
  assert.equal(passed.debugMessage, "passed on");
  // shared, not moved: the maker still reads the one it handed to the host
  const kept = e.keep("still mine") as InstanceType<typeof ErrorContext>;
  assert.equal(kept.debugMessage, "still mine");
  assert.equal(e.again(), "still mine");
  // from the host into a component: as an argument, and as an import's result
  assert.equal(e.read(new ErrorContext("from the host")), "from the host");
  assert.equal(e.read(kept), "still mine");
  assert.equal(e["from-host"]("no disk"), "host says: no disk");
  assert.deepEqual(why, ["no disk"]);
  // anything else is refused before it enters
  assert.throws(() => e.read("not one"), /expected an `ErrorContext`, got/);
});
