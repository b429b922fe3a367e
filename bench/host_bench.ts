/**
 * The host boundary with jco's conventions: lists of numbers as typed
 * arrays (one `set` in, one `slice` out), next to a plain
 * `Uint8Array.prototype.set` of the same bytes in the same run; a plain
 * array for comparison (element by element, each checked); a WASI-style
 * host write (`list<u8>` to the host, 4 KiB); a host function's top-level
 * `result` returned and thrown; 1,000 calls from core code to an empty host
 * function (each through its guard, see `lib/runtime/guard.ts`).
 *
 * Run: `deno task bench bench/host_bench.ts` (or
 * `deno bench --allow-read --allow-env bench/host_bench.ts`).
 *
 * @module
 */

import { instantiate } from "../mod.ts";
import { wat } from "../tests/_wat.ts";

const MIB = 1 << 20;
const DATA = 0x10000;

const bytes = await wat(`(component
  (import "sink" (func $sink (param "bytes" (list u8))))
  (import "try" (func $try (param "x" u32) (result (result u32 (error string)))))
  (import "tick" (func $tick))
  (core module $libc
    (memory (export "mem") 40)
    (global $next (mut i32) (i32.const ${DATA + MIB}))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "reset") (global.set $next (i32.const ${DATA + MIB}))))
  (core instance $libc (instantiate $libc))
  (core func $sink (canon lower (func $sink) (memory (core memory $libc "mem"))))
  (core func $try (canon lower (func $try)
    (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (core func $tick (canon lower (func $tick)))
  (core module $m
    (import "libc" "mem" (memory 40))
    (import "host" "tick" (func $tick))
    (import "libc" "reset" (func $reset))
    (import "host" "sink" (func $sink (param i32 i32)))
    (import "host" "try" (func $try (param i32 i32)))
    (func (export "take") (param i32 i32) (call $reset))
    (func (export "give") (result i32)
      (i32.store (i32.const 0) (i32.const ${DATA}))
      (i32.store (i32.const 4) (i32.const ${MIB}))
      (i32.const 0))
    (func (export "write") (param i32) (call $sink (i32.const ${DATA}) (local.get 0)))
    (func (export "try") (param i32) (result i32)
      (call $reset)
      (call $try (local.get 0) (i32.const 16))
      (i32.load (i32.const 16)))
    (func (export "ticks") (param $n i32)
      (loop $l
        (call $tick)
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
  (core instance $i (instantiate $m
    (with "libc" (instance $libc))
    (with "host" (instance
      (export "sink" (func $sink)) (export "try" (func $try)) (export "tick" (func $tick))))))
  (func (export "take") (param "v" (list u8))
    (canon lift (core func $i "take")
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (func (export "give") (result (list u8))
    (canon lift (core func $i "give") (memory (core memory $libc "mem"))))
  (func (export "write") (param "n" u32) (canon lift (core func $i "write")))
  (func (export "try") (param "x" u32) (result u32) (canon lift (core func $i "try")))
  (func (export "ticks") (param "n" u32) (canon lift (core func $i "ticks"))))`);

let written = 0;
let ticked = 0;
const { exports } = await instantiate(bytes, {
  sink: (b: Uint8Array) => {
    written += b.length;
  },
  // jco's convention: return the ok value, throw the error
  try: (x: number) => {
    if (x === 0) throw "zero";
    return x;
  },
  tick: () => {
    ticked++;
  },
});
const take = exports.take as (v: unknown) => void;
const give = exports.give as () => Uint8Array;
const write = exports.write as (n: number) => void;
const tryIt = exports.try as (x: number) => number;
const ticks = exports.ticks as (n: number) => void;

const source = Uint8Array.from({ length: MIB }, (_, i) => i & 0xff);
const plain = Array.from(source);
const target = new Uint8Array(MIB);

Deno.bench("Uint8Array.prototype.set, 1 MiB", { group: "1 MiB", baseline: true }, () => {
  target.set(source);
});

Deno.bench("list<u8> in, a Uint8Array (one set)", { group: "1 MiB" }, () => {
  take(source);
});

Deno.bench("list<u8> out, a Uint8Array (one slice)", { group: "1 MiB" }, () => {
  give();
});

Deno.bench("list<u8> in, an Array (element by element)", { group: "1 MiB" }, () => {
  take(plain);
});

Deno.bench("a host write: list<u8> of 4 KiB to the host", { group: "host calls" }, () => {
  write(4096);
});

Deno.bench("a host result<u32, string>: returned", { group: "host calls" }, () => {
  tryIt(7);
});

Deno.bench("a host result<u32, string>: thrown (err)", { group: "host calls" }, () => {
  tryIt(0);
});

Deno.bench("1,000 calls from core code to an empty host function", { group: "host calls" }, () => {
  ticks(1000);
});

if (written < 0 || ticked < 0) throw new Error("unreachable: keeps the sink's work");
