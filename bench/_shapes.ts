/**
 * Synthetic components of any size, as WAT, for the `fuse()` benchmarks
 * (`fuse_bench.ts`, `tools/fuse_scale.ts`):
 *
 * - `fanout`: a callee exporting 20 functions, and K instances of one
 *   caller component, each lowering all 20: 20 x K adapters;
 * - `chain`: N instances of one component, each calling the previous one's
 *   export: N - 1 adapters (plus one at the end of the chain, N in all);
 * - `wide`: one caller lowering N functions a callee exports: N adapters;
 * - `wide-variant`: `wide` with records and variants as parameters and
 *   results (joined flat slots, discriminants, payload offsets).
 *
 * @module
 */

import { wat } from "../tests/_wat.ts";

/** The shapes. */
export type Shape = "fanout" | "chain" | "wide" | "wide-variant";

/** All of them, in the order the tables list them. */
export const SHAPES: readonly Shape[] = ["fanout", "chain", "wide", "wide-variant"];

const FANOUT_FUNCS = 20;

const CACHE = new URL("../node_modules/.cache/wasmfuse-bench/", import.meta.url);

/**
 * The component of a shape and size: from the cache, else assembled and cached.
 * @param shape The shape.
 * @param adapters How many adapters.
 * @returns The component's bytes.
 */
export async function shapeComponent(shape: Shape, adapters: number): Promise<Uint8Array> {
  const file = new URL(`${shape}-${adapters}.wasm`, CACHE);
  try {
    return await Deno.readFile(file);
  } catch {
    const bytes = await wat(shapeWat(shape, adapters));
    try {
      await Deno.mkdir(CACHE, { recursive: true });
      await Deno.writeFile(file, bytes);
    } catch { /* a read-only checkout: assemble again next time */ }
    return bytes;
  }
}

/**
 * A component of `shape` with about `adapters` fused adapters.
 * @param shape The shape.
 * @param adapters How many adapters (rounded to the shape's unit: 20 for fanout).
 * @returns The component's text.
 */
export function shapeWat(shape: Shape, adapters: number): string {
  switch (shape) {
    case "fanout":
      return fanout(Math.max(1, Math.round(adapters / FANOUT_FUNCS)));
    case "chain":
      return chain(adapters);
    case "wide":
      return wide(adapters, false);
    case "wide-variant":
      return wide(adapters, true);
  }
}

function fanout(callers: number): string {
  const ids = Array.from({ length: FANOUT_FUNCS }, (_, i) => i);
  const sig = `(param "x" u32) (result u32)`;
  const out: string[] = [];
  out.push(`(component
  (component $callee
    (core module $m
      ${
    ids.map((i) => `(func (export "f${i}") (param i32) (result i32) (local.get 0))`).join(
      "\n      ",
    )
  })
    (core instance $i (instantiate $m))
    ${
    ids.map((i) => `(func (export "f${i}") ${sig} (canon lift (core func $i "f${i}")))`).join(
      "\n    ",
    )
  })
  (component $caller
    (import "c" (instance $c
      ${ids.map((i) => `(export "f${i}" (func ${sig}))`).join("\n      ")}))
    ${ids.map((i) => `(core func $f${i} (canon lower (func $c "f${i}")))`).join("\n    ")}
    (core module $m
      ${ids.map((i) => `(import "" "f${i}" (func (param i32) (result i32)))`).join("\n      ")})
    (core instance (instantiate $m (with "" (instance
      ${ids.map((i) => `(export "f${i}" (func $f${i}))`).join("\n      ")})))))
  (instance $c (instantiate $callee))`);
  for (let k = 0; k < callers; k++) {
    out.push(`  (instance (instantiate $caller (with "c" (instance $c))))`);
  }
  out.push(")");
  return out.join("\n");
}

function chain(n: number): string {
  const out: string[] = [];
  out.push(`(component
  (component $base
    (core module $m (func (export "f") (param i32) (result i32) (local.get 0)))
    (core instance $i (instantiate $m))
    (func (export "f") (param "x" u32) (result u32) (canon lift (core func $i "f"))))
  (component $link
    (import "next" (func $next (param "x" u32) (result u32)))
    (core func $next (canon lower (func $next)))
    (core module $m
      (import "" "next" (func $next (param i32) (result i32)))
      (func (export "f") (param i32) (result i32)
        (i32.add (call $next (local.get 0)) (i32.const 1))))
    (core instance $i (instantiate $m (with "" (instance (export "next" (func $next))))))
    (func (export "f") (param "x" u32) (result u32) (canon lift (core func $i "f"))))
  (instance $l0 (instantiate $base))`);
  for (let i = 1; i <= n; i++) {
    out.push(`  (instance $l${i} (instantiate $link (with "next" (func $l${i - 1} "f"))))`);
  }
  out.push(`  (export "f" (func $l${n} "f")))`);
  return out.join("\n");
}

/** A function type of `wide`: number `i` (the variant shape cycles through four). */
function wideSig(i: number, variant: boolean): { wit: string; core: string } {
  if (!variant) return { wit: `(param "x" u32) (result u32)`, core: `(param i32) (result i32)` };
  switch (i % 4) {
    case 0:
      return {
        wit: `(param "v" (variant (case "a" u32) (case "b" f64) (case "c" s64))) (result u32)`,
        core: `(param i32 i64) (result i32)`,
      };
    case 1:
      return {
        wit: `(param "r" (record (field "x" u8) (field "y" s64) (field "z" f32))) (result u64)`,
        core: `(param i32 i64 f32) (result i64)`,
      };
    case 2:
      return {
        wit: `(param "o" (option (tuple u16 f64))) (param "e" (enum "p" "q" "r")) (result bool)`,
        core: `(param i32 i32 f64 i32) (result i32)`,
      };
    default:
      return {
        wit: `(param "r" (result u32 (error (variant (case "x" f32) (case "y" u64))))) (result u8)`,
        core: `(param i32 i32 i64) (result i32)`,
      };
  }
}

function wide(n: number, variant: boolean): string {
  const ids = Array.from({ length: n }, (_, i) => i);
  const sigs = ids.map((i) => wideSig(i, variant));
  const body = (i: number) => {
    if (!variant) return `(local.get 0)`;
    return ["(i32.const 1)", "(i64.const 2)", "(i32.const 1)", "(i32.const 0)"][i % 4];
  };
  const out: string[] = [];
  out.push(`(component
  (component $callee
    (core module $m`);
  for (const i of ids) out.push(`      (func (export "f${i}") ${sigs[i].core} ${body(i)})`);
  out.push(`    )
    (core instance $i (instantiate $m))`);
  for (const i of ids) {
    out.push(`    (func (export "f${i}") ${sigs[i].wit} (canon lift (core func $i "f${i}")))`);
  }
  out.push(`  )
  (component $caller
    (import "c" (instance $c`);
  for (const i of ids) out.push(`      (export "f${i}" (func ${sigs[i].wit}))`);
  out.push(`    ))`);
  for (const i of ids) out.push(`    (core func $f${i} (canon lower (func $c "f${i}")))`);
  out.push(`    (core module $m`);
  for (const i of ids) out.push(`      (import "" "f${i}" (func ${sigs[i].core}))`);
  out.push(`    )
    (core instance (instantiate $m (with "" (instance`);
  for (const i of ids) out.push(`      (export "f${i}" (func $f${i}))`);
  out.push(`    )))))
  (instance $c (instantiate $callee))
  (instance (instantiate $caller (with "c" (instance $c)))))`);
  return out.join("\n");
}
