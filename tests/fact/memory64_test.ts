/**
 * Fused adapters between a 32-bit and a 64-bit memory, in every direction:
 * strings (same and different encodings), lists of scalars, lists of
 * strings and records, echoed host -> caller -> adapter -> callee and back.
 */

import assert from "node:assert/strict";
import { instantiate, Trap } from "../../mod.ts";
import { untyped } from "../_trap.ts";
import { wat } from "../_wat.ts";

type Width = 32 | 64;

const TYPES: Record<string, string> = {
  str: "string",
  u32s: "(list u32)",
  strs: "(list string)",
  recs: `(list (record (field "a" u8) (field "b" string)))`,
  chars: "(list char)",
};

/** A libc for one side: a memory of the width, a bump realloc (a resize moves the block). */
function libc(w: Width): string {
  const t = w === 64 ? "i64" : "i32";
  return `(core module $libc
      (memory (export "mem") ${t} 2)
      (global $heap (mut ${t}) (${t}.const 0x1000))
      (global $force (mut ${t}) (${t}.const 0))
      (func (export "force") (param ${t}) (global.set $force (local.get 0)))
      (func (export "realloc") (param ${t} ${t} ${t} ${t}) (result ${t})
        (local $p ${t})
        (if (${t}.ne (global.get $force) (${t}.const 0)) (then (return (global.get $force))))
        (local.set $p (${t}.and (${t}.add (global.get $heap) (${t}.sub (local.get 2) (${t}.const 1)))
          (${t}.sub (${t}.const 0) (local.get 2))))
        (global.set $heap (${t}.add (local.get $p) (local.get 3)))
        ;; a resize moves the block, its contents with it
        (if (${t}.ne (local.get 0) (${t}.const 0))
          (then (memory.copy (local.get $p) (local.get 0)
            (select (local.get 1) (local.get 3) (${t}.lt_u (local.get 1) (local.get 3))))))
        (local.get $p)))
    (core instance $libc (instantiate $libc))`;
}

async function build(caller: Width, callee: Width, callerEnc = "utf8", calleeEnc = "utf8") {
  const ct = caller === 64 ? "i64" : "i32";
  const et = callee === 64 ? "i64" : "i32";
  const es = callee / 8;
  const names = Object.keys(TYPES);
  return await instantiate(
    await wat(`(component
  (component $callee
    ${libc(callee)}
    (core module $m
      (import "libc" "mem" (memory ${et} 2))
      (func (export "echo") (param ${et} ${et}) (result ${et})
        (${et}.store (${et}.const 0x300) (local.get 0))
        (${et}.store (${et}.const ${0x300 + es}) (local.get 1))
        (${et}.const 0x300)))
    (core instance $m (instantiate $m (with "libc" (instance $libc))))
    (func (export "force") (param "p" u${callee}) (canon lift (core func $libc "force")))
    ${
      names.map((n) =>
        `(func (export "${n}") (param "v" ${TYPES[n]}) (result ${
          TYPES[n]
        }) (canon lift (core func $m "echo")
      string-encoding=${calleeEnc} (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))`
      ).join("\n    ")
    })
  (component $caller
    ${
      names.map((n) => `(import "${n}" (func $${n} (param "v" ${TYPES[n]}) (result ${TYPES[n]})))`)
        .join("\n    ")
    }
    ${libc(caller)}
    ${
      names.map((n) =>
        `(core func $${n}' (canon lower (func $${n}) string-encoding=${callerEnc}
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))`
      ).join("\n    ")
    }
    (core module $m
      (import "libc" "mem" (memory ${ct} 2))
      ${
      names.map((n) => `(import "f" "${n}" (func $${n} (param ${ct} ${ct} ${ct})))`).join(
        "\n      ",
      )
    }
      ${
      names.map((n) =>
        `(func (export "${n}") (param ${ct} ${ct}) (result ${ct})
        (call $${n} (local.get 0) (local.get 1) (${ct}.const 0x310)) (${ct}.const 0x310))`
      ).join("\n      ")
    })
    (core instance $m (instantiate $m (with "libc" (instance $libc))
      (with "f" (instance ${names.map((n) => `(export "${n}" (func $${n}'))`).join(" ")}))))
    ${
      names.map((n) =>
        `(func (export "${n}") (param "v" ${TYPES[n]}) (result ${
          TYPES[n]
        }) (canon lift (core func $m "${n}")
      string-encoding=${callerEnc} (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))`
      ).join("\n    ")
    })
  (instance $c (instantiate $callee))
  (instance $d (instantiate $caller ${
      names.map((n) => `(with "${n}" (func $c "${n}"))`).join(" ")
    }))
  ${names.map((n) => `(export "${n}" (func $d "${n}"))`).join("\n  ")}
  (export "force" (func $c "force")))`),
  ).then((i) => i.exports as Record<string, (...a: unknown[]) => unknown>);
}

const VALUES: Record<string, unknown[]> = {
  str: ["", "ascii", "héllo ☃ 🍰"],
  u32s: [[], [1, 2, 0xffff_ffff]],
  strs: [[], ["a", "", "ünï", "🍰"]],
  recs: [[{ a: 1, b: "x" }, { a: 255, b: "ÿ☃" }]],
  chars: [["a", "☃", "🍰"]],
};

for (const [caller, callee] of [[32, 64], [64, 32], [64, 64]] as [Width, Width][]) {
  Deno.test(`memory64 adapters: a ${caller}-bit caller and a ${callee}-bit callee`, async (t) => {
    for (const [from, to] of [["utf8", "utf8"], ["utf16", "utf8"], ["utf8", "latin1+utf16"]]) {
      await t.step(`${from} -> ${to}: every value echoes back`, async () => {
        const e = await build(caller, callee, from, to);
        for (const [name, values] of Object.entries(VALUES)) {
          for (const v of values) {
            assert.deepEqual(untyped(e[name](v)), v, `${name} ${JSON.stringify(v)}`);
          }
        }
      });
    }
    await t.step("a realloc result beyond the callee's memory traps", async () => {
      const e = await build(caller, callee);
      e.force(callee === 64 ? 0xffff_0000n : 0xffff_0000);
      assert.throws(() => e.u32s([1]), (x: unknown) => {
        assert.ok(x instanceof Trap);
        assert.equal(x.message, "list content out-of-bounds");
        return true;
      });
      const f = await build(caller, callee);
      f.force(callee === 64 ? 0xffff_0000n : 0xffff_0000);
      assert.throws(() => f.str("hi"), (x: unknown) => {
        assert.ok(x instanceof Trap);
        assert.match(x.message, /^string content out-of-bounds/);
        return true;
      });
    });
  });
}
