/**
 * Core wasm exceptions at component boundaries (CanonicalABI.md,
 * `call_and_trap_on_throw`): an exception thrown by a callee, its realloc,
 * its post-return or a destructor never unwinds into another component; it
 * traps "uncaught exception propagated out of component", in fused adapters
 * and at the host, and poisons the instance. JavaScript errors thrown through
 * an adapter go on unchanged.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, instantiate, Trap } from "../../mod.ts";
import { assertTrap, fns } from "../_trap.ts";
import { wat } from "../_wat.ts";

const UNCAUGHT = "uncaught exception propagated out of component";

/**
 * Component `$B` calls `$A`'s `f` from inside a `try_table` whose
 * `catch_all` sets a global: `run` returns 1 when an exception leaked across
 * the boundary, 0 when the call returned. `a` is `$A`'s body: a component
 * exporting `f` of type `sig`; `args` are the core arguments `$B` passes.
 */
function crossing(a: string, sig: string, coreParams: string, args: string, libc = ""): string {
  return `(component
    (component $A ${a})
    (component $B
      (import "f" (func $f ${sig}))
      (core module $libc
        (memory (export "memory") 1)
        (data (i32.const 16) "hello"))
      (core instance $libc (instantiate $libc))
      (core func $f-core (canon lower (func $f) (memory (core memory $libc "memory")) ${libc}))
      (core module $m
        (import "" "f" (func $f ${coreParams}))
        (func (export "run") (result i32)
          (block $caught
            (try_table (catch_all $caught) (call $f ${args}))
            (return (i32.const 0)))
          (i32.const 1)))
      (core instance $i (instantiate $m (with "" (instance (export "f" (func $f-core))))))
      (func (export "run") (result u32) (canon lift (core func $i "run"))))
    (instance $a (instantiate $A))
    (instance $b (instantiate $B (with "f" (func $a "f"))))
    (export "run" (func $b "run")))`;
}

Deno.test("an exception thrown by the callee traps in the adapter, never reaches the caller", async () => {
  const e = fns(
    await instantiate(
      await wat(crossing(
        `(core module $m (tag $t) (func (export "f") (throw $t)))
         (core instance $i (instantiate $m))
         (func (export "f") (canon lift (core func $i "f")))`,
        "",
        "",
        "",
      )),
    ),
  );
  assertTrap(() => e.run(), UNCAUGHT);
  assertTrap(() => e.run(), "cannot enter component instance");
});

Deno.test("an exception caught inside the callee's component crosses nothing", async () => {
  const e = fns(
    await instantiate(
      await wat(crossing(
        `(core module $m
           (tag $t)
           (func $throw (throw $t))
           (func (export "f") (block $c (try_table (catch_all $c) (call $throw)))))
         (core instance $i (instantiate $m))
         (func (export "f") (canon lift (core func $i "f")))`,
        "",
        "",
        "",
      )),
    ),
  );
  assert.equal(e.run(), 0);
  assert.equal(e.run(), 0);
});

Deno.test("an exception thrown by the callee's realloc traps in the adapter", async () => {
  const e = fns(
    await instantiate(
      await wat(crossing(
        `(core module $m
           (tag $t)
           (memory (export "memory") 1)
           (func (export "realloc") (param i32 i32 i32 i32) (result i32) (throw $t))
           (func (export "f") (param i32 i32)))
         (core instance $i (instantiate $m))
         (func (export "f") (param "s" string)
           (canon lift (core func $i "f")
             (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))`,
        `(param "s" string)`,
        "(param i32 i32)",
        "(i32.const 16) (i32.const 5)",
      )),
    ),
  );
  assertTrap(() => e.run(), UNCAUGHT);
});

Deno.test("an exception thrown by the callee's post-return traps in the adapter", async () => {
  const e = fns(
    await instantiate(
      await wat(
        crossing(
          `(core module $m
           (tag $t)
           (func (export "f") (result i32) (i32.const 7))
           (func (export "post-f") (param i32) (throw $t)))
         (core instance $i (instantiate $m))
         (func (export "f") (result u32)
           (canon lift (core func $i "f") (post-return (core func $i "post-f"))))`,
          "(result u32)",
          "(result i32)",
          "",
        ).replace("(call $f )", "(drop (call $f))"),
      ),
    ),
  );
  assertTrap(() => e.run(), UNCAUGHT);
});

Deno.test("at the host: an export whose core function throws traps and poisons its instance", async () => {
  const e = fns(
    await instantiate(
      await wat(`(component
        (core module $m
          (tag $t (param i32))
          (func (export "f") (param i32) (result i32)
            (if (local.get 0) (then (throw $t (local.get 0))))
            (i32.const 5)))
        (core instance $i (instantiate $m))
        (func (export "f") (param "x" u32) (result u32) (canon lift (core func $i "f"))))`),
    ),
  );
  assert.equal(e.f(0), 5);
  assert.throws(() => e.f(3), (err: unknown) => {
    assert.ok(err instanceof Trap);
    assert.equal(err.message, UNCAUGHT);
    return true;
  });
  assertTrap(() => e.f(0), "cannot enter component instance");
});

Deno.test("a JavaScript error thrown by a host function goes through the adapter unchanged", async () => {
  // $A calls the host's `g` inside `f`; $B calls `f` through an adapter with the barrier
  const c = await compile(
    await wat(`(component
      (import "g" (func $g))
      (component $A
        (import "g" (func $g))
        (core func $g-core (canon lower (func $g)))
        (core module $m
          (tag $t)
          (import "" "g" (func $g))
          (func (export "f") (call $g)))
        (core instance $i (instantiate $m (with "" (instance (export "g" (func $g-core))))))
        (func (export "f") (canon lift (core func $i "f"))))
      (component $B
        (import "f" (func $f))
        (core func $f-core (canon lower (func $f)))
        (core module $m
          (import "" "f" (func $f))
          (func (export "run") (call $f)))
        (core instance $i (instantiate $m (with "" (instance (export "f" (func $f-core))))))
        (func (export "run") (canon lift (core func $i "run"))))
      (instance $a (instantiate $A (with "g" (func $g))))
      (instance $b (instantiate $B (with "f" (func $a "f"))))
      (export "run" (func $b "run")))`),
  );
  assert.ok(c.translation.adapterModules.length > 0, "the call crosses a fused adapter");
  const boom = new RangeError("boom");
  const e = fns(c.instantiate({
    g: () => {
      throw boom;
    },
  }));
  assert.throws(() => e.run(), (err: unknown) => {
    assert.ok(err instanceof RangeError);
    assert.equal(err.message, "in g: boom");
    return true;
  });
});

Deno.test("adapters of components that never use exceptions have no barrier", async () => {
  const c = await compile(
    await wat(crossing(
      `(core module $m (func (export "f")))
       (core instance $i (instantiate $m))
       (func (export "f") (canon lift (core func $i "f")))`,
      "",
      "",
      "",
    )),
  );
  for (const m of c.translation.adapterModules) {
    assert.ok(!m.imports.some((i) => i.binding.kind === "js-tag"));
  }
  assert.equal(fns(c.instantiate()).run(), 0);
});

Deno.test("a destructor that throws traps when its handle is dropped", async () => {
  const e = fns(
    await instantiate(
      await wat(`(component
        (core module $d (tag $t) (func (export "dtor") (param i32) (throw $t)))
        (core instance $d (instantiate $d))
        (type $R (resource (rep i32) (dtor (func $d "dtor"))))
        (core func $new (canon resource.new $R))
        (core module $m
          (import "" "new" (func $new (param i32) (result i32)))
          (func (export "make") (result i32) (call $new (i32.const 1))))
        (core instance $m (instantiate $m (with "" (instance (export "new" (func $new))))))
        (export $R' "r" (type $R))
        (func (export "make") (result (own $R')) (canon lift (core func $m "make"))))`),
    ),
  );
  const r = e.make() as { [Symbol.dispose](): void };
  assertTrap(() => r[Symbol.dispose](), UNCAUGHT);
});

Deno.test("a start function that throws traps at instantiation", async () => {
  const bytes = await wat(`(component
    (core module $m (tag $t) (func $s (throw $t)) (start $s))
    (core instance $i (instantiate $m)))`);
  await assert.rejects(() => instantiate(bytes), (err: unknown) => {
    assert.ok(err instanceof Trap);
    assert.equal(err.message, UNCAUGHT);
    return true;
  });
});

Deno.test("an adapter's trap unwinds through core code's catch_all: it cannot be caught", async () => {
  const e = fns(
    await instantiate(
      await wat(
        crossing(
          `(core module $m (func (export "f") (result i32) (i32.const 0xd800)))
         (core instance $i (instantiate $m))
         (func (export "f") (result char) (canon lift (core func $i "f")))`,
          "(result char)",
          "(result i32)",
          "",
        ).replace("(call $f )", "(drop (call $f))"),
      ),
    ),
  );
  assertTrap(() => e.run(), "invalid `char` bit pattern");
});

Deno.test("a host function's error unwinds through core code's catch_all, as it was thrown", async () => {
  const c = await compile(
    await wat(`(component
      (import "g" (func $g (param "x" u32)))
      (core func $g-core (canon lower (func $g)))
      (core module $m
        (import "" "g" (func $g (param i32)))
        (func (export "run") (result i32)
          (block $caught
            (try_table (catch_all $caught) (call $g (i32.const 1)))
            (return (i32.const 0)))
          (i32.const 1)))
      (core instance $i (instantiate $m (with "" (instance (export "g" (func $g-core))))))
      (func (export "run") (result u32) (canon lift (core func $i "run"))))`),
  );
  const boom = new Error("boom");
  let calls = 0;
  const e = fns(c.instantiate({
    g: () => {
      if (++calls === 1) throw boom;
    },
  }));
  assert.throws(() => e.run(), (err: unknown) => err === boom && boom.message === "in g: boom");
  // not a trap: the instance is not poisoned, and the next call goes through
  assert.equal(e.run(), 0);
});
