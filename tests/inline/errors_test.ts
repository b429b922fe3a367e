/**
 * Link errors of the inliner: each type-check failure is a `LinkError` whose
 * `reason` says what is wrong (without the location) and whose `location`
 * names the section kind, its offset and the item's index in it. And each
 * feature of the async component model (and threads) is refused with one
 * error naming the feature and the item.
 *
 * Every case is a small WAT component turned into a binary with `wat()`;
 * the location is checked against the parsed payloads: the offset must be
 * that of a section of the stated kind, at the stated component depth
 * (0 = the root; 1 = a nested component). An instantiation argument that does
 * not match is reported at the `instance` item that instantiates.
 *
 * @module
 */

import assert from "node:assert/strict";
import { LinkError, parseBytes } from "../../mod.ts";
import { inlinePayloads } from "../../lib/inline/mod.ts";
import { wat } from "../_wat.ts";

/** Where a link error points, resolved against the component's payloads. */
interface Where {
  /** Section kind. */
  readonly section: string;
  /** Item index in the section. */
  readonly item: number;
  /** Depth of the component holding the section (0 = root). */
  readonly depth?: number;
}

/** Inline a component, expecting a LinkError. */
async function linkError(text: string): Promise<{ error: LinkError; bytes: Uint8Array }> {
  const bytes = await wat(text);
  const payloads = parseBytes(bytes);
  try {
    inlinePayloads(payloads);
  } catch (error) {
    if (error instanceof LinkError) return { error, bytes };
    throw error;
  }
  throw new assert.AssertionError({ message: "expected a LinkError, the component linked" });
}

/** The depth of the section starting at `offset`, if a payload of that kind starts there. */
function sectionDepth(bytes: Uint8Array, section: string, offset: number): number | undefined {
  let depth = -1;
  for (const p of parseBytes(bytes)) {
    if (p.kind === "component-begin") depth = p.depth;
    else if (p.kind === "component-end") depth = p.depth - 1;
    else if (p.kind === section && "range" in p && p.range.start === offset) return depth;
  }
  return undefined;
}

/**
 * Assert a component fails to link with a reason matching `reason` at `where`.
 * @returns The error.
 */
async function rejects(text: string, reason: RegExp, where: Where): Promise<LinkError> {
  const { error, bytes } = await linkError(text);
  assert.match(error.reason, reason);
  assert.ok(error.location, `no location: ${error.message}`);
  const { section, item, offset } = error.location;
  assert.deepStrictEqual({ section, item }, { section: where.section, item: where.item });
  assert.equal(
    sectionDepth(bytes, section, offset),
    where.depth ?? 0,
    `offset 0x${offset.toString(16)} is not a ${section} section at depth ${where.depth ?? 0}`,
  );
  // The message is the reason followed by the location.
  assert.ok(error.message.startsWith(error.reason), error.message);
  assert.match(
    error.message,
    new RegExp(`\\(${section} section at offset 0x[0-9a-f]+, item ${item}\\)$`),
  );
  return error;
}

/** Inline a component, expecting success. */
async function links(text: string): Promise<void> {
  inlinePayloads(parseBytes(await wat(text)));
}

/** A core module with a memory, a realloc and helpers, instantiated as `$libc`. */
const LIBC = `
  (core module $Libc
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable)
    (func (export "realloc-bad") (param i32) (result i32) unreachable)
    (func (export "take2") (param i32 i32))
    (func (export "take1") (param i32))
    (func (export "ret1") (result i32) unreachable)
    (func (export "none"))
    (func (export "pr-i32") (param i32))
    (func (export "pr-i64") (param i64)))
  (core instance $libc (instantiate $Libc))`;

/** 17 `u32` parameters: 17 flat values. */
const PARAMS17 = Array.from({ length: 17 }, (_, i) => `(param "p${i}" u32)`).join(" ");

// ---------------------------------------------------------------------------
// Instantiation of components

Deno.test("component instantiation arguments", async (t) => {
  await t.step("an argument of the wrong kind (a func where a component is imported)", async () => {
    await rejects(
      `(component
        (import "f" (func $f))
        (component $C (import "x" (component)))
        (instance (instantiate $C (with "x" (func $f)))))`,
      /^type mismatch for instantiation argument `x`: expected a component, found a func$/,
      { section: "instance", item: 0 },
    );
  });
  await t.step("an argument of the wrong kind (a component where a func is imported)", async () => {
    await rejects(
      `(component
        (component $D)
        (component $C (import "x" (func)))
        (instance (instantiate $C (with "x" (component $D)))))`,
      /^type mismatch for instantiation argument `x`: expected a func, found a component$/,
      { section: "instance", item: 0 },
    );
  });
  await t.step("a func whose parameter name differs", async () => {
    await rejects(
      `(component
        (import "f" (func $f (param "y" u32) (result u32)))
        (component $C (import "f" (func (param "x" u32) (result u32))))
        (instance (instantiate $C (with "f" (func $f)))))`,
      /^type mismatch for instantiation argument `f`: parameter 0 is named `y`, expected `x`$/,
      { section: "instance", item: 0 },
    );
  });
  await t.step("a func whose parameter type differs", async () => {
    await rejects(
      `(component
        (import "f" (func $f (param "x" s32) (result u32)))
        (component $C (import "f" (func (param "x" u32) (result u32))))
        (instance (instantiate $C (with "f" (func $f)))))`,
      /^type mismatch for instantiation argument `f`: parameter `x`: expected `u32`, found `s32`$/,
      { section: "instance", item: 0 },
    );
  });
  await t.step("a func without the result", async () => {
    await rejects(
      `(component
        (import "f" (func $f (param "x" u32)))
        (component $C (import "f" (func (param "x" u32) (result u32))))
        (instance (instantiate $C (with "f" (func $f)))))`,
      /^type mismatch for instantiation argument `f`: expected `func\(x: u32\) -> u32`, found `func\(x: u32\)`$/,
      { section: "instance", item: 0 },
    );
  });
  await t.step("a missing argument (the second import)", async () => {
    await rejects(
      `(component
        (import "f" (func $f))
        (component $C
          (type $t (func))
          (import "f" (func (type $t)))
          (import "g" (func (type $t))))
        (instance (instantiate $C (with "f" (func $f)))))`,
      /^missing instantiation argument `g`$/,
      { section: "instance", item: 0 },
    );
  });
  await t.step("an instance missing an export the import declares", async () => {
    await rejects(
      `(component
        (import "i" (instance $i (export "f" (func))))
        (component $C (import "i" (instance (export "f" (func)) (export "g" (func)))))
        (instance (instantiate $C (with "i" (instance $i)))))`,
      /^type mismatch for instantiation argument `i`: missing export `g`$/,
      { section: "instance", item: 0 },
    );
  });
  await t.step("the second instantiation of the same component fails on its own", async () => {
    await rejects(
      `(component
        (import "f" (func $f))
        (import "g" (func $g (param "a" u8)))
        (component $C (import "f" (func)))
        (instance (instantiate $C (with "f" (func $f))))
        (instance (instantiate $C (with "f" (func $g)))))`,
      /^type mismatch for instantiation argument `f`: expected `func\(\)`, found `func\(a: u8\)`$/,
      // both instantiations are items of one instance section: the second one fails
      { section: "instance", item: 1 },
    );
  });
  await t.step("an instance exporting a component, passed where one is declared", async () => {
    // the component export used to be dropped from the instance's type: `missing export `c``
    await links(
      `(component
        (component $c (import "x" (func)))
        (import "f" (func $f))
        (component $D
          (import "i" (instance $i (export "c" (component (import "x" (func))))))
          (import "f" (func $f))
          (alias export $i "c" (component $c))
          (instance (instantiate $c (with "x" (func $f)))))
        (instance $i (export "c" (component $c)))
        (instance (instantiate $D (with "i" (instance $i)) (with "f" (func $f)))))`,
    );
  });
  await t.step("an instance exporting a component where a func is declared", async () => {
    await rejects(
      `(component
        (component $c)
        (component $D (import "i" (instance (export "c" (func)))))
        (instance $i (export "c" (component $c)))
        (instance (instantiate $D (with "i" (instance $i)))))`,
      /^type mismatch for instantiation argument `i`: export `c`: expected a func, found a component$/,
      { section: "instance", item: 1 },
    );
  });
  await t.step("a component exported by an instance is checked when instantiated", async () => {
    // its own type is not computed: its imports are matched against the arguments
    await rejects(
      `(component
        (component $c (import "x" (func)))
        (component $D
          (import "i" (instance $i (export "c" (component))))
          (alias export $i "c" (component $c))
          (instance (instantiate $c)))
        (instance $i (export "c" (component $c)))
        (instance (instantiate $D (with "i" (instance $i)))))`,
      /^missing instantiation argument `x`$/,
      { section: "instance", item: 0, depth: 1 },
    );
  });
  await t.step("an instance exporting a core module, passed where one is declared", async () => {
    await links(
      `(component
        (core module $m (func (export "f")))
        (component $D
          (import "i" (instance $i (export "m" (core module (export "f" (func))))))
          (alias export $i "m" (core module $m))
          (core instance (instantiate $m)))
        (instance $i (export "m" (core module $m)))
        (instance (instantiate $D (with "i" (instance $i)))))`,
    );
  });
  await t.step("an instance exporting a core module that lacks a declared export", async () => {
    await rejects(
      `(component
        (core module $m (func (export "f")))
        (component $D (import "i" (instance (export "m" (core module (export "g" (func)))))))
        (instance $i (export "m" (core module $m)))
        (instance (instantiate $D (with "i" (instance $i)))))`,
      /^type mismatch for instantiation argument `i`: export `m`: missing export `g`$/,
      { section: "instance", item: 1 },
    );
  });
  await t.step("an instance exporting a core module where a component is declared", async () => {
    await rejects(
      `(component
        (core module $m)
        (component $D (import "i" (instance (export "m" (component)))))
        (instance $i (export "m" (core module $m)))
        (instance (instantiate $D (with "i" (instance $i)))))`,
      /^type mismatch for instantiation argument `i`: export `m`: expected a component, found a module$/,
      { section: "instance", item: 1 },
    );
  });
  await t.step("the matching arguments link", async () => {
    await links(
      `(component
        (import "f" (func $f (param "x" u32) (result u32)))
        (import "i" (instance $i (export "f" (func)) (export "g" (func)) (export "h" (func))))
        (component $C
          (import "f" (func (param "x" u32) (result u32)))
          (import "i" (instance (export "g" (func)) (export "f" (func)))))
        (instance (instantiate $C (with "f" (func $f)) (with "i" (instance $i)))))`,
    );
  });
});

// ---------------------------------------------------------------------------
// canon lift / canon lower

Deno.test("canon lift and canon lower: signatures and options", async (t) => {
  await t.step("a lifted core function whose signature is not the flattened type", async () => {
    await rejects(
      `(component ${LIBC}
        (func (param "a" u64) (canon lift (core func $libc "take1"))))`,
      /^lifted core function has type \(i32\) -> \(\), but `func\(a: u64\)` lifts from \(i64\) -> \(\)$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("a lifted core function with a result where the type has none", async () => {
    await rejects(
      `(component ${LIBC}
        (func (canon lift (core func $libc "ret1"))))`,
      /^lifted core function has type \(\) -> \(i32\), but `func\(\)` lifts from \(\) -> \(\)$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("a string parameter lifted without realloc", async () => {
    await rejects(
      `(component ${LIBC}
        (func (param "s" string)
          (canon lift (core func $libc "take2") (memory (core memory $libc "mem")))))`,
      /^canon lift needs a `realloc` option: its parameters contain strings or lists$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("a string result lowered without realloc", async () => {
    await rejects(
      `(component ${LIBC}
        (import "f" (func $f (result string)))
        (core func (canon lower (func $f) (memory (core memory $libc "mem")))))`,
      /^canon lower needs a `realloc` option: its result contains strings or lists$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("a string parameter lowered without memory", async () => {
    await rejects(
      `(component
        (import "f" (func $f (param "s" string)))
        (core func (canon lower (func $f))))`,
      /^canon lower needs a `memory` option: its parameters contain strings or lists$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("a string result lifted without memory", async () => {
    await rejects(
      `(component ${LIBC}
        (func (result string) (canon lift (core func $libc "ret1"))))`,
      /^canon lift needs a `memory` option: its result contains strings or lists$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("more than 16 flat parameters lifted without realloc", async () => {
    await rejects(
      `(component ${LIBC}
        (func ${PARAMS17}
          (canon lift (core func $libc "take1") (memory (core memory $libc "mem")))))`,
      /^canon lift needs a `realloc` option: its parameters take more than 16 core values$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("more than 16 flat parameters lowered without memory", async () => {
    await rejects(
      `(component
        (import "f" (func $f ${PARAMS17}))
        (core func (canon lower (func $f))))`,
      /^canon lower needs a `memory` option: its parameters take more than 16 core values$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("realloc with the wrong signature", async () => {
    await rejects(
      `(component ${LIBC}
        (func (param "s" string)
          (canon lift (core func $libc "take2")
            (memory (core memory $libc "mem")) (realloc (core func $libc "realloc-bad")))))`,
      /^canonical option `realloc` must have type \(i32, i32, i32, i32\) -> \(i32\), found \(i32\) -> \(i32\)$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("realloc without memory", async () => {
    await rejects(
      `(component ${LIBC}
        (import "f" (func $f))
        (core func (canon lower (func $f) (realloc (core func $libc "realloc")))))`,
      /^canonical option `realloc` requires a `memory` option$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("post-return with the wrong signature", async () => {
    await rejects(
      `(component ${LIBC}
        (func (result u32)
          (canon lift (core func $libc "ret1") (post-return (core func $libc "pr-i64")))))`,
      /^canonical option `post-return` must have type \(i32\) -> \(\), found \(i64\) -> \(\)$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("post-return on a lower", async () => {
    await rejects(
      `(component ${LIBC}
        (import "f" (func $f))
        (core func (canon lower (func $f) (post-return (core func $libc "none")))))`,
      /^canonical option `post-return` is only allowed on canon lift$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("the item index counts within the canon section", async () => {
    await rejects(
      `(component ${LIBC}
        (import "f" (func $f (param "s" string)))
        (core func (canon lower (func $f) (memory (core memory $libc "mem"))))
        (core func (canon lower (func $f))))`,
      /^canon lower needs a `memory` option/,
      { section: "canon", item: 1 },
    );
  });
  await t.step("the right options link", async () => {
    await links(
      `(component ${LIBC}
        (import "f" (func $f (param "s" string) (result string)))
        (core func (canon lower (func $f)
          (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
        (func (param "s" string) (canon lift (core func $libc "take2")
          (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
        (func (result u32)
          (canon lift (core func $libc "ret1") (post-return (core func $libc "pr-i32")))))`,
    );
  });
});

// ---------------------------------------------------------------------------
// Core module instantiation

Deno.test("core module instantiation", async (t) => {
  await t.step("a missing argument", async () => {
    await rejects(
      `(component
        (core module $M (import "env" "f" (func)))
        (core instance (instantiate $M)))`,
      /^missing module instantiation argument named `env`$/,
      { section: "core-instance", item: 0 },
    );
  });
  await t.step("an argument missing the export the module imports", async () => {
    await rejects(
      `(component
        (core module $M (import "env" "f" (func)))
        (core module $E (func (export "g")))
        (core instance $e (instantiate $E))
        (core instance (instantiate $M (with "env" (instance $e)))))`,
      /^core instance 0 has no export named `f`$/,
      { section: "core-instance", item: 1 },
    );
  });
  await t.step("an export of the wrong kind", async () => {
    await rejects(
      `(component
        (core module $M (import "env" "f" (func)))
        (core module $E (memory (export "f") 1))
        (core instance $e (instantiate $E))
        (core instance (instantiate $M (with "env" (instance $e)))))`,
      /^type mismatch for export `f` of module instantiation argument `env`: expected a func, found a memory$/,
      { section: "core-instance", item: 1 },
    );
  });
  await t.step("an export of the wrong signature", async () => {
    await rejects(
      `(component
        (core module $M (import "env" "f" (func (param i32))))
        (core module $E (func (export "f")))
        (core instance $e (instantiate $E))
        (core instance (instantiate $M (with "env" (instance $e)))))`,
      /^type mismatch for export `f` of module instantiation argument `env`: expected \(i32\) -> \(\), found \(\) -> \(\)$/,
      { section: "core-instance", item: 1 },
    );
  });
  await t.step("a table imported with i64 indices, given one with i32 indices", async () => {
    await rejects(
      `(component
        (core module $E (table (export "t") 1 funcref))
        (core module $M (import "env" "t" (table i64 1 funcref)))
        (core instance $e (instantiate $E))
        (core instance (instantiate $M (with "env" (instance $e)))))`,
      /^type mismatch for export `t` of module instantiation argument `env`: expected a table with i64 indices, found one with i32 indices$/,
      { section: "core-instance", item: 1 },
    );
  });
  await t.step("a table imported with i32 indices, given a table64", async () => {
    await rejects(
      `(component
        (core module $E (table (export "t") i64 1 funcref))
        (core module $M (import "env" "t" (table 1 funcref)))
        (core instance $e (instantiate $E))
        (core instance (instantiate $M (with "env" (instance $e)))))`,
      /^type mismatch for export `t` of module instantiation argument `env`: expected a table with i32 indices, found one with i64 indices$/,
      { section: "core-instance", item: 1 },
    );
  });
  await t.step("a memory imported as 64-bit, given a 32-bit one", async () => {
    await rejects(
      `(component
        (core module $E (memory (export "m") 1))
        (core module $M (import "env" "m" (memory i64 1)))
        (core instance $e (instantiate $E))
        (core instance (instantiate $M (with "env" (instance $e)))))`,
      /^type mismatch for export `m` of module instantiation argument `env`: expected a 64-bit memory, found a 32-bit one$/,
      { section: "core-instance", item: 1 },
    );
  });
  await t.step("a synthetic instance (from exports) is checked the same way", async () => {
    await rejects(
      `(component ${LIBC}
        (core module $M (import "env" "f" (func (param i32 i32))))
        (core instance $e (export "f" (func $libc "take1")))
        (core instance (instantiate $M (with "env" (instance $e)))))`,
      /^type mismatch for export `f` of module instantiation argument `env`: expected \(i32, i32\) -> \(\), found \(i32\) -> \(\)$/,
      // The alias of `take1` comes first, in its own section: $e is item 0 of the next one.
      { section: "core-instance", item: 1 },
    );
  });
  await t.step("a module argument of a component that does not match its import", async () => {
    await rejects(
      `(component
        (core module $M (func (export "f")))
        (component $C (import "m" (core module (export "g" (func)))))
        (instance (instantiate $C (with "m" (core module $M)))))`,
      /^type mismatch for instantiation argument `m`: missing export `g`$/,
      { section: "instance", item: 0 },
    );
  });
});

// ---------------------------------------------------------------------------
// Aliases and resources

Deno.test("aliases of missing exports", async (t) => {
  await t.step("a component instance export", async () => {
    await rejects(
      `(component
        (component $C)
        (instance $c (instantiate $C))
        (alias export $c "g" (func)))`,
      /^instance 0 has no export named `g`$/,
      { section: "alias", item: 0 },
    );
  });
  await t.step("an imported instance's export", async () => {
    await rejects(
      `(component
        (import "i" (instance $i (export "f" (func))))
        (alias export $i "g" (func)))`,
      /^instance 0 has no export named `g`$/,
      { section: "alias", item: 0 },
    );
  });
  await t.step("a core instance export", async () => {
    await rejects(
      `(component
        (core module $M)
        (core instance $i (instantiate $M))
        (alias core export $i "g" (core func)))`,
      /^core instance 0 has no export named `g`$/,
      { section: "alias", item: 0 },
    );
  });
  await t.step("an export of another sort", async () => {
    await rejects(
      `(component
        (import "i" (instance $i (export "f" (func))))
        (alias export $i "f" (component)))`,
      /^export `f` of instance 0 is a func, not a component$/,
      { section: "alias", item: 0 },
    );
  });
});

Deno.test("resource built-ins need a resource defined by this component", async (t) => {
  await t.step("resource.new of an imported resource", async () => {
    await rejects(
      `(component
        (import "r" (type $r (sub resource)))
        (core func (canon resource.new $r)))`,
      /^canon resource.new needs a resource type defined by this component$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("resource.new of a resource defined by a child component", async () => {
    await rejects(
      `(component
        (component $C (type $r (resource (rep i32))) (export "r" (type $r)))
        (instance $c (instantiate $C))
        (alias export $c "r" (type $r))
        (core func (canon resource.new $r)))`,
      /^canon resource.new needs a resource type defined by this component$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("resource.rep of an imported resource", async () => {
    await rejects(
      `(component
        (import "r" (type $r (sub resource)))
        (core func (canon resource.rep $r)))`,
      /^canon resource.rep needs a resource type defined by this component$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("resource.new of a type that is not a resource", async () => {
    await rejects(
      `(component
        (type $t u32)
        (core func (canon resource.new $t)))`,
      /^type index 0 is not a resource type$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step(
    "resource.drop of an imported resource, and new/rep of a local one, link",
    async () => {
      await links(
        `(component
        (import "r" (type $r (sub resource)))
        (type $l (resource (rep i32)))
        (core func (canon resource.drop $r))
        (core func (canon resource.new $l))
        (core func (canon resource.rep $l)))`,
      );
    },
  );
});

// ---------------------------------------------------------------------------
// The async component model: lifts, lowers and task built-ins link; threads,
// error contexts, and types with streams or futures are refused

const REFUSED = /is not supported: wasmfuse does not implement /;

Deno.test("async lifts and lowers link, with their own core signatures", async (t) => {
  const M = `
    (core module $M
      (memory (export "mem") 1)
      (func (export "none"))
      (func (export "take1") (param i32))
      (func (export "ret1") (result i32) unreachable)
      (func (export "take1-ret1") (param i32) (result i32) unreachable)
      (func (export "take2") (param i32 i32))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable)
      (func (export "cb-bad") (param i32) (result i32) unreachable)
      (func (export "pr") (param i32)))
    (core instance $i (instantiate $M))`;
  await t.step("an async lift with a callback returns the callback code", async () => {
    await links(`(component ${M}
      (func async (param "x" u32) (result u32)
        (canon lift (core func $i "take1-ret1") async (callback (core func $i "cb")))))`);
  });
  await t.step(
    "a stackful async lift returns nothing (its result goes to task.return)",
    async () => {
      await links(`(component ${M}
      (func async (param "x" u32) (result u32) (canon lift (core func $i "take1") async)))`);
    },
  );
  await t.step("a sync lift of a `func async` type keeps the sync signature", async () => {
    await links(`(component ${M}
      (func async (result u32) (canon lift (core func $i "ret1"))))`);
  });
  await t.step("an async lower passes a return pointer and returns the status", async () => {
    await links(`(component ${M}
      (import "f" (func $f async (param "x" u32) (result u32)))
      (core func (canon lower (func $f) async (memory (core memory $i "mem")))))`);
  });
  await t.step("the async option on a function type that is not async is refused", async () => {
    await rejects(
      `(component
        (import "f" (func $f (param "x" u32) (result u32)))
        (core func (canon lower (func $f) async)))`,
      /^the `async` canonical option requires an async function type$/,
      { section: "canon", item: 0 },
    );
    await rejects(
      `(component ${M}
        (func (param "x" u32) (result u32) (canon lift (core func $i "take1") async)))`,
      /^the `async` canonical option requires an async function type$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("an async lift with the sync signature is refused", async () => {
    await rejects(
      `(component ${M}
        (func async (result u32) (canon lift (core func $i "ret1") async)))`,
      /^lifted core function has type \(\) -> \(i32\), but `async func\(\) -> u32` lifts from \(\) -> \(\)$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("an async lower with a result needs a memory", async () => {
    await rejects(
      `(component
        (import "f" (func $f async (result u32)))
        (core func (canon lower (func $f) async)))`,
      /^canon lower needs a `memory` option: an async lower returns its result through memory$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("a callback without async", async () => {
    await rejects(
      `(component ${M} (func (canon lift (core func $i "none") (callback (core func $i "cb")))))`,
      /^canonical option `callback` requires the `async` option$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("a callback of the wrong type", async () => {
    await rejects(
      `(component ${M}
        (func async (canon lift (core func $i "ret1") async (callback (core func $i "cb-bad")))))`,
      /^canonical option `callback` must have type \(i32, i32, i32\) -> \(i32\), found \(i32\) -> \(i32\)$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("post-return with async", async () => {
    await rejects(
      `(component ${M}
        (func async (result u32) (canon lift (core func $i "none") async (post-return (core func $i "pr")))))`,
      /^canonical option `post-return` cannot be used with `async`$/,
      { section: "canon", item: 0 },
    );
  });
});

Deno.test("lifts and lowers of types using streams, futures and error-context link", async (t) => {
  const M = `
    (core module $M (func (export "take1") (param i32)) (func (export "ret1") (result i32) unreachable))
    (core instance $i (instantiate $M))`;
  await t.step("lift: a stream parameter links (streams from the host)", async () => {
    await links(
      `(component ${M}
        (type $s (stream u8))
        (func (param "s" $s) (canon lift (core func $i "take1"))))`,
    );
  });
  await t.step("lift: a future result links (futures to the host)", async () => {
    await links(
      `(component ${M}
        (type $f (future u32))
        (func (result $f) (canon lift (core func $i "ret1"))))`,
    );
  });
  await t.step("lift: an error-context result links (an i32 handle)", async () => {
    await links(
      `(component ${M}
        (func (result error-context) (canon lift (core func $i "ret1"))))`,
    );
  });
  await t.step("lower: a stream inside an option parameter links", async () => {
    await links(
      `(component
        (type $s (stream))
        (import "f" (func $f (param "x" (option $s))))
        (core func (canon lower (func $f))))`,
    );
  });
  await t.step("lower: a future parameter links", async () => {
    await links(
      `(component
        (type $f (future))
        (import "f" (func $g (param "x" $f)))
        (core func (canon lower (func $g))))`,
    );
  });
  await t.step("lower: an error-context in a result links", async () => {
    await links(
      `(component
        (core module $Mem (memory (export "mem") 1))
        (core instance $mem (instantiate $Mem))
        (import "f" (func $f (result (result u32 (error error-context)))))
        (core func (canon lower (func $f) (memory $mem "mem"))))`,
    );
  });
  await t.step("the types alone (not lifted or lowered) are accepted", async () => {
    await links(
      `(component
        (type $s (stream u8))
        (type $f (future))
        (type $e error-context)
        (import "f" (func $f (param "x" $s) (result $e))))`,
    );
  });
});

Deno.test("task, async, thread and error-context built-ins link", async (t) => {
  const PRE = `
    (core module $M (memory (export "mem") 1) (table (export "tbl") 1 funcref))
    (core instance $i (instantiate $M))
    (alias core export $i "tbl" (core table $tbl))
    (type $s (stream u8))
    (type $fu (future u32))
    (core type $ft (func (param i32)))`;
  const MEM = `(memory (core memory $i "mem"))`;
  const accepted = [
    "task.return",
    "task.return (result u32)",
    "task.cancel",
    "context.get i32 0",
    "context.set i32 1",
    "backpressure.inc",
    "backpressure.dec",
    "subtask.drop",
    "subtask.cancel",
    "waitable-set.new",
    `waitable-set.wait ${MEM}`,
    `waitable-set.poll ${MEM}`,
    "waitable-set.drop",
    "waitable.join",
    "thread.yield",
    "thread.index",
    "thread.new-indirect $ft $tbl",
    "thread.suspend",
    "thread.resume-later",
    "thread.suspend-then-resume",
    "thread.yield-then-resume",
    "thread.suspend-then-promote",
    "thread.yield-then-promote",
    "stream.new $s",
    `stream.read $s ${MEM}`,
    `stream.write $s ${MEM}`,
    "stream.cancel-read $s",
    "stream.drop-writable $s",
    "future.new $fu",
    `future.read $fu ${MEM}`,
    "future.drop-readable $fu",
    `error-context.new ${MEM}`,
    "error-context.drop",
  ];
  for (const builtin of accepted) {
    await t.step(`canon ${builtin} links`, async () => {
      await links(`(component ${PRE} (core func (canon ${builtin})))`);
    });
  }
  await t.step("context slots are 0 and 1", async () => {
    await rejects(
      `(component ${PRE} (core func (canon context.get i32 2)))`,
      /^canon context\.get index 2 is out of bounds: there are 2 slots$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("stream built-ins need a stream type", async () => {
    await rejects(
      `(component ${PRE} (core func (canon stream.new $fu)))`,
      /^canon stream\.new: type index 1 is not a stream type$/,
      { section: "canon", item: 0 },
    );
  });
  await t.step("what is refused is named with its section and item", async () => {
    const e = await rejects(
      `(component ${PRE}
        (import "f" (func))
        (import "v" (value u32)))`,
      /^component values is not supported: /,
      { section: "import", item: 1 },
    );
    assert.match(e.reason, REFUSED);
  });
});

// ---------------------------------------------------------------------------
// Resource identity across imports

Deno.test({
  name: "an eq-bound type import refuses another imported resource",
  async fn() {
    await rejects(
      `(component
        (import "T1" (type $T1 (sub resource)))
        (import "T2" (type $T2 (sub resource)))
        (component $C
          (import "a" (type $a (sub resource)))
          (import "b" (type (eq $a))))
        (instance (instantiate $C (with "a" (type $T1)) (with "b" (type $T2)))))`,
      /resource/,
      { section: "instance", item: 0 },
    );
  },
});

Deno.test({
  name: "two imports of one instance type do not share its abstract resources",
  async fn() {
    await rejects(
      `(component
        (type $I (instance
          (export "r" (type $r (sub resource)))
          (export "f" (func (result (own $r))))))
        (import "i1" (instance $i1 (type $I)))
        (import "i2" (instance $i2 (type $I)))
        (component $C
          (import "r" (type $r (sub resource)))
          (import "f" (func (result (own $r)))))
        (instance (instantiate $C (with "r" (type $i1 "r")) (with "f" (func $i2 "f")))))`,
      /^type mismatch for instantiation argument `f`: result: /,
      { section: "instance", item: 0 },
    );
  },
});

// Not checked yet: the inliner keeps an exported item's identity under a type
// ascription (as Wasmtime's inliner does; its validator rejects this case).
Deno.test({
  name: "not checked yet (validation): an export ascribed `(sub resource)` is a new type",
  ignore: true,
  async fn() {
    await rejects(
      `(component
        (component $C
          (type $r (resource (rep i32)))
          (export "r1" (type $r))
          (export "r2" (type $r) (type (sub resource))))
        (instance $c (instantiate $C))
        (alias export $c "r1" (type $r1))
        (alias export $c "r2" (type $r2))
        (component $eq (import "a" (type $a (sub resource))) (import "b" (type (eq $a))))
        (instance (instantiate $eq (with "a" (type $r1)) (with "b" (type $r2)))))`,
      /resource/,
      { section: "instance", item: 0 },
    );
  },
});

Deno.test("a function type naming a parameter twice", async (t) => {
  for (const n of [2, 12]) {
    await t.step(`among ${n} parameters`, async () => {
      const params = Array.from({ length: n }, (_, i) => `(param "p${i === n - 1 ? 0 : i}" u32)`);
      await rejects(
        `(component (type (func ${params.join(" ")})))`,
        /^duplicate parameter name `p0`$/,
        { section: "type", item: 0 },
      );
    });
  }
});
