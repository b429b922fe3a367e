/**
 * What the host gives for a component's imports, checked at instantiation
 * against the declared types (`lib/runtime/check_imports.ts`): kinds of
 * everything given, used or not; instances' exports; imported core modules
 * (kinds through the JavaScript API, full types for modules wasmfuse
 * compiled); resource types (classes, identity across `(eq ...)` imports);
 * functions and types exported by wasmfuse instances, known in full. And
 * what jco lets through stays accepted: functions the component does not
 * use, resource classes not given, instances that hold only types.
 *
 * @module
 */

import assert from "node:assert/strict";
import { compile, type Component, LinkError } from "../../mod.ts";
import { fns } from "../_trap.ts";
import { wat } from "../_wat.ts";

/** Compile component text. */
async function component(text: string): Promise<Component> {
  return await compile(await wat(text));
}

/** A core module's text, compiled by the engine (wasmfuse knows nothing of it). */
async function coreModule(text: string): Promise<WebAssembly.Module> {
  return new WebAssembly.Module(await wat(text) as BufferSource);
}

/** Assert instantiating fails with exactly this LinkError message. */
function refuses(
  c: Component,
  imports: Record<string, unknown>,
  message: string,
  options: { trapUnknownImports?: boolean } = {},
): void {
  assert.throws(() => c.instantiate(imports, options), (e: unknown) => {
    assert.ok(e instanceof LinkError, `expected a LinkError, got ${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("imports of the wrong kind are LinkErrors, used or not", async (t) => {
  // nothing here is used: no canon lower, no export
  const c = await component(`(component
    (import "log" (func (param "m" string)))
    (import "host" (instance
      (export "f" (func (result u32)))
      (export "nested" (instance (export "g" (func))))
      (export "m" (core module))))
    (import "m" (core module)))`);
  const m = await coreModule(`(module)`);
  const good = () => ({ log: () => {}, host: { f: () => 1, nested: { g: () => {} }, m }, m });
  await t.step("everything of the right kind links", () => {
    c.instantiate(good());
  });
  await t.step("a function where an instance is declared", () => {
    refuses(c, { ...good(), host: () => {} }, "import `host` is not an instance: it is a function");
  });
  await t.step("an instance where a function is declared", () => {
    refuses(c, { ...good(), log: {} }, "import `log` is not a function: it is an object");
  });
  await t.step("an export of an instance, not a function", () => {
    refuses(
      c,
      { ...good(), host: { ...good().host, f: 1 } },
      "import `host#f` is not a function: it is a number",
    );
  });
  await t.step("a nested instance, not an object", () => {
    refuses(
      c,
      { ...good(), host: { ...good().host, nested: "x" } },
      "import `host#nested` is not an instance: it is a string",
    );
  });
  await t.step("an instance where a core module is declared", () => {
    refuses(c, { ...good(), m: {} }, "import `m` is not a WebAssembly.Module: it is an object");
    refuses(
      c,
      { ...good(), host: { ...good().host, m: () => {} } },
      "import `host#m` is not a WebAssembly.Module: it is a function",
    );
  });
  await t.step("a core module missing from an instance", () => {
    const host: Record<string, unknown> = { ...good().host };
    delete host.m;
    refuses(c, { ...good(), host }, "missing import `host#m`");
  });
  await t.step("trapUnknownImports lets missing imports through, not wrong kinds", () => {
    c.instantiate({}, { trapUnknownImports: true });
    refuses(c, { log: 5 }, "import `log` is not a function: it is a number", {
      trapUnknownImports: true,
    });
  });
});

Deno.test("what the host need not give, as with jco", async (t) => {
  const c = await component(`(component
    (import "host" (instance $h
      (export "used" (func (result u32)))
      (export "unused" (func (result u32)))
      (export "r" (type (sub resource)))))
    (import "empty" (instance))
    (import "types" (instance
      (type $t (record (field "a" u8)))
      (export "t" (type (eq $t)))
      (export "inner" (instance (export "r" (type (sub resource)))))))
    (alias export $h "used" (func $used))
    (core func $used' (canon lower (func $used)))
    (core module $m
      (import "h" "used" (func $used (result i32)))
      (func (export "get") (result i32) (call $used)))
    (core instance $i (instantiate $m (with "h" (instance (export "used" (func $used'))))))
    (func (export "get") (result u32) (canon lift (core func $i "get"))))`);
  await t.step("a function of an instance the component does not use", () => {
    assert.equal(fns(c.instantiate({ host: { used: () => 7 } })).get(), 7);
  });
  await t.step("one it uses is missing", () => {
    refuses(c, { host: { unused: () => 7 } }, "missing import `host#used`");
  });
  await t.step("the instance itself is needed: it holds functions", () => {
    refuses(c, {}, "missing import `host`");
  });
});

Deno.test("an imported core module is checked against its declared module type", async (t) => {
  const c = await component(`(component
    (import "m" (core module
      (import "env" "f" (func))
      (import "env" "g" (global i32))
      (export "run" (func))
      (export "mem" (memory 1)))))`);
  await t.step("the same imports and exports", async () => {
    const m = await coreModule(`(module
      (import "env" "f" (func)) (import "env" "g" (global i32))
      (func (export "run")) (memory (export "mem") 1))`);
    c.instantiate({ m });
  });
  await t.step("fewer imports and more exports", async () => {
    const m = await coreModule(`(module
      (func (export "run")) (memory (export "mem") 1) (func (export "more")))`);
    c.instantiate({ m });
  });
  await t.step("an import the type does not declare", async () => {
    const m = await coreModule(`(module
      (import "env" "h" (func)) (func (export "run")) (memory (export "mem") 1))`);
    refuses(
      c,
      { m },
      "import `m` does not match its module type: imports `env` `h`, which is not declared",
    );
  });
  await t.step("an import of another kind", async () => {
    const m = await coreModule(`(module
      (import "env" "g" (func)) (func (export "run")) (memory (export "mem") 1))`);
    refuses(
      c,
      { m },
      "import `m` does not match its module type: import `env` `g`: declared a global, the module imports a func",
    );
  });
  await t.step("a missing export", async () => {
    const m = await coreModule(`(module (func (export "run")))`);
    refuses(c, { m }, "import `m` does not match its module type: missing export `mem`");
  });
  await t.step("an export of another kind", async () => {
    const m = await coreModule(`(module (func (export "run")) (func (export "mem")))`);
    refuses(
      c,
      { m },
      "import `m` does not match its module type: export `mem`: expected a memory, found a func",
    );
  });
  await t.step("signatures and limits are not visible to the JavaScript API", async () => {
    // not checked here: the engine's own LinkError comes when it is instantiated
    const m = await coreModule(
      `(module (func (export "run") (param i32)) (memory (export "mem") 0))`,
    );
    c.instantiate({ m });
  });
});

Deno.test("a core module wasmfuse compiled is checked with its full type", async (t) => {
  const provider = await component(`(component
    (core module $m (func (export "run") (param i32)) (memory (export "mem") 1))
    (export "m" (core module $m)))`);
  const { m } = provider.instantiate().exports;
  await t.step("a signature that differs", async () => {
    const c = await component(`(component (import "m" (core module (export "run" (func)))))`);
    refuses(
      c,
      { m },
      "import `m` does not match its module type: export `run`: expected () -> (), found (i32) -> ()",
    );
  });
  await t.step("limits that differ", async () => {
    const c = await component(`(component (import "m" (core module (export "mem" (memory 2)))))`);
    refuses(
      c,
      { m },
      "import `m` does not match its module type: export `mem`: minimum size 1 is below the required 2",
    );
  });
  await t.step(
    "an import of another kind: the same words as through the JavaScript API",
    async () => {
      const imports = await component(`(component
      (core module $m (import "env" "g" (func)))
      (export "m" (core module $m)))`);
      const c = await component(`(component
      (import "m" (core module (import "env" "g" (global i32)))))`);
      refuses(
        c,
        imports.instantiate().exports,
        "import `m` does not match its module type: import `env` `g`: declared a global, the module imports a func",
      );
    },
  );
  await t.step("the same type links", async () => {
    const c = await component(`(component
      (import "m" (core module (export "run" (func (param i32))) (export "mem" (memory 1)))))`);
    c.instantiate({ m });
  });
});

Deno.test("functions and types a wasmfuse instance exports are known in full", async (t) => {
  const provider = await component(`(component
    (core module $m (func (export "f") (param i32) (result i32) (local.get 0)))
    (core instance $i (instantiate $m))
    (type $t (record (field "a" u8)))
    (export $t' "t" (type $t))
    (func (export "f") (param "x" u32) (result u32) (canon lift (core func $i "f"))))`);
  const p = provider.instantiate().exports;
  await t.step("a function of the declared type links", async () => {
    const c = await component(`(component
      (import "p" (instance (export "f" (func (param "x" u32) (result u32))))))`);
    c.instantiate({ p });
  });
  await t.step("a function of another type", async () => {
    const c = await component(`(component
      (import "p" (instance (export "f" (func (param "y" u32) (result u32))))))`);
    refuses(
      c,
      { p },
      "import `p#f` does not match its type: parameter 0 is named `x`, expected `y`",
    );
  });
  await t.step("a type of another shape", async () => {
    const c = await component(`(component
      (type $u (record (field "a" u16)))
      (import "p" (instance (export "t" (type (eq $u))))))`);
    refuses(
      c,
      { p },
      "import `p#t` does not match its type: field `a`: expected `u16`, found `u8`",
    );
  });
  await t.step("a function where a resource type is declared", async () => {
    const c = await component(
      `(component (import "p" (instance (export "f" (type (sub resource))))))`,
    );
    refuses(
      c,
      { p },
      "import `p#f` is not a resource type (a class): it is a component function",
    );
  });
  await t.step("a value type where a resource type is declared", async () => {
    const c = await component(
      `(component (import "p" (instance (export "t" (type (sub resource))))))`,
    );
    refuses(c, { p }, "import `p#t` is not a resource type: it is a value type");
  });
});

Deno.test("resource types: classes, and one identity for each resource", async (t) => {
  const c = await component(`(component
    (import "a" (instance $a (export "r" (type (sub resource)))))
    (alias export $a "r" (type $r))
    (import "b" (instance (export "r" (type (eq $r))) (export "s" (type (sub resource))))))`);
  class R {}
  class S {}
  await t.step("nothing given: the component does not need the classes (jco)", () => {
    c.instantiate({ a: {}, b: {} });
  });
  await t.step("a class by its name as written, or jco's class name", () => {
    c.instantiate({ a: { r: R }, b: { R, S } });
  });
  await t.step("the same resource given as two classes", () => {
    refuses(
      c,
      { a: { R }, b: { R: class R2 {} } },
      "import `b#r` is declared the same resource type as `a#r`, but the host gives another (mismatched resource types)",
    );
  });
  await t.step("not a class", () => {
    refuses(
      c,
      { a: { r: {} }, b: {} },
      "import `a#r` is not a resource type (a class): it is an object",
    );
  });
  await t.step("resources exported by wasmfuse instances: each instantiation its own", async () => {
    const provider = await component(`(component
      (type $r (resource (rep i32)))
      (export "r" (type $r)))`);
    const one = provider.instantiate().exports;
    const two = provider.instantiate().exports;
    c.instantiate({ a: one, b: one });
    refuses(
      c,
      { a: one, b: two },
      "import `b#r` is declared the same resource type as `a#r`, but the host gives another (mismatched resource types)",
    );
  });
  await t.step("an imported resource re-exported is the one the host gave", async () => {
    const relay = await component(`(component
      (import "in" (instance $in (export "r" (type (sub resource)))))
      (alias export $in "r" (type $r))
      (export "r" (type $r)))`);
    const relayed = relay.instantiate({ in: { R } }).exports;
    c.instantiate({ a: { R }, b: relayed });
    refuses(
      c,
      { a: { R: class Other {} }, b: relayed },
      "import `b#r` is declared the same resource type as `a#r`, but the host gives another (mismatched resource types)",
    );
  });
});
