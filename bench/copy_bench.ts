/**
 * Throughput of values copied through a fused adapter, from one
 * component's memory into another's, next to a plain
 * `Uint8Array.prototype.set` of the same bytes in the same run:
 *
 * - a 1 MiB `list<u8>` (one `memory.copy` in the adapter);
 * - a 1 MiB ASCII `string`, utf8 -> utf8 (validated by the engine's
 *   decoder, copied with `set`) and utf8 -> utf16 (transcoded);
 * - a `list<record { a: u32, b: string }>` of 10,000 items with 16-byte
 *   strings (a loop in the adapter, one transcoder call per string).
 *
 * Each call goes host -> caller -> adapter -> callee; the callee only
 * resets its allocator, so the time is the adapter's. MB/s = bytes moved
 * / time per call.
 *
 * Run: `deno task bench bench/copy_bench.ts` (or
 * `deno bench --allow-read --allow-env bench/copy_bench.ts`).
 *
 * @module
 */

import { instantiate } from "../mod.ts";
import { wat } from "../tests/_wat.ts";

const MIB = 1 << 20;
const ITEMS = 10_000;
const ITEM_STRING = 16;
/** Where the caller keeps its 1 MiB of bytes, and its records after them. */
const DATA = 0x10000;
const RECORDS = DATA + MIB;

const CALLEE_FUNCS: [string, string, string][] = [
  ["bytes", `(param "v" (list u8))`, "utf8"],
  ["str8", `(param "v" string)`, "utf8"],
  ["str16", `(param "v" string)`, "utf16"],
  ["records", `(param "v" (list $rec))`, "utf8"],
];

const bytes = await wat(`(component
  (type $rec' (record (field "a" u32) (field "b" string)))
  (component $callee
    (type $rec' (record (field "a" u32) (field "b" string)))
    (export $rec "rec" (type $rec'))
    (core module $m
      (memory (export "mem") 48)
      (global $next (mut i32) (i32.const ${DATA}))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $next) (i32.const 7)) (i32.const -8)))
        (global.set $next (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      (func (export "take") (param i32 i32) (global.set $next (i32.const ${DATA}))))
    (core instance $i (instantiate $m))
    ${
  CALLEE_FUNCS.map(([name, params, enc]) =>
    `(func (export "${name}") ${params} (canon lift (core func $i "take") string-encoding=${enc}
      (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))`
  ).join("\n    ")
}
  )
  (instance $c (instantiate $callee))
  (alias export $c "rec" (type $rec))
  (component $caller
    (import "rec" (type $rec (eq $rec')))
    ${
  CALLEE_FUNCS.map(([name, params]) => `(import "${name}" (func $${name} ${params}))`).join(
    "\n    ",
  )
}
    (core module $libc (memory (export "mem") 24))
    (core instance $libc (instantiate $libc))
    ${
  CALLEE_FUNCS.map(([name]) =>
    `(core func $${name}' (canon lower (func $${name}) (memory (core memory $libc "mem"))))`
  ).join("\n    ")
}
    (core module $main
      (import "" "mem" (memory 24))
      ${
  CALLEE_FUNCS.map(([name]) => `(import "" "${name}" (func $${name} (param i32 i32)))`).join(
    "\n      ",
  )
}
      (func $setup
        (local $i i32)
        (memory.fill (i32.const ${DATA}) (i32.const 0x61) (i32.const ${MIB}))
        (loop $l
          (i32.store (i32.add (i32.const ${RECORDS}) (i32.mul (local.get $i) (i32.const 12))) (local.get $i))
          (i32.store offset=4 (i32.add (i32.const ${RECORDS}) (i32.mul (local.get $i) (i32.const 12)))
            (i32.add (i32.const ${DATA}) (i32.mul (local.get $i) (i32.const ${ITEM_STRING}))))
          (i32.store offset=8 (i32.add (i32.const ${RECORDS}) (i32.mul (local.get $i) (i32.const 12)))
            (i32.const ${ITEM_STRING}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const ${ITEMS})))))
      (start $setup)
      (func (export "bytes") (call $bytes (i32.const ${DATA}) (i32.const ${MIB})))
      (func (export "str8") (call $str8 (i32.const ${DATA}) (i32.const ${MIB})))
      (func (export "str16") (call $str16 (i32.const ${DATA}) (i32.const ${MIB})))
      (func (export "records") (call $records (i32.const ${RECORDS}) (i32.const ${ITEMS}))))
    (core instance $main (instantiate $main (with "" (instance
      (export "mem" (memory $libc "mem"))
      ${CALLEE_FUNCS.map(([name]) => `(export "${name}" (func $${name}'))`).join("\n      ")}))))
    ${
  CALLEE_FUNCS.map(([name]) => `(func (export "${name}") (canon lift (core func $main "${name}")))`)
    .join("\n    ")
}
  )
  (instance $d (instantiate $caller
    (with "rec" (type $rec))
    ${CALLEE_FUNCS.map(([name]) => `(with "${name}" (func $c "${name}"))`).join("\n    ")}))
  ${CALLEE_FUNCS.map(([name]) => `(export "${name}" (func $d "${name}"))`).join("\n  ")}
)`);

const run = (await instantiate(bytes)).exports as Record<string, () => void>;

const src = new Uint8Array(MIB).fill(0x61);
const dst = new Uint8Array(2 * MIB);
const recordBytes = new Uint8Array(ITEMS * (12 + ITEM_STRING)).fill(0x61);

Deno.bench("Uint8Array.prototype.set, 1 MiB", { group: "1 MiB", baseline: true }, () => {
  dst.set(src, 0x100);
});

Deno.bench("list<u8>, 1 MiB", { group: "1 MiB" }, () => {
  run.bytes();
});

Deno.bench("string utf8 -> utf8, 1 MiB ASCII", { group: "1 MiB" }, () => {
  run.str8();
});

Deno.bench("string utf8 -> utf16, 1 MiB ASCII", { group: "1 MiB" }, () => {
  run.str16();
});

Deno.bench(
  "Uint8Array.prototype.set, the records' 280,000 bytes",
  { group: "records", baseline: true },
  () => {
    dst.set(recordBytes, 0x100);
  },
);

Deno.bench("list<record { a: u32, b: string }>, 10,000 items", { group: "records" }, () => {
  run.records();
});
