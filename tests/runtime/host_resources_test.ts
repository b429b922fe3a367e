/**
 * Resources at the host boundary: exported resources as classes, imported
 * resources implemented by host classes, and the ownership rules on the
 * JavaScript side.
 *
 * @module
 */

import assert from "node:assert/strict";
import { instantiate } from "../../mod.ts";
import { wat } from "../_wat.ts";

const bytes = await wat(`(component
  (import "host" (instance $host
    (export "blob" (type $blob (sub resource)))
    (export "[constructor]blob" (func (param "n" u32) (result (own $blob))))
    (export "[method]blob.size" (func (param "self" (borrow $blob)) (result u32)))
    (export "[static]blob.zero" (func (result u32)))))
  (alias export $host "blob" (type $blob))
  (core func $blob-new (canon lower (func $host "[constructor]blob")))
  (core func $blob-size (canon lower (func $host "[method]blob.size")))
  (core func $blob-zero (canon lower (func $host "[static]blob.zero")))
  (core func $blob-drop (canon resource.drop $blob))
  (type $r (resource (rep i32)))
  (core func $new (canon resource.new $r))
  (core func $rep (canon resource.rep $r))
  (core module $M
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "rep" (func $rep (param i32) (result i32)))
    (import "" "blob-new" (func $blob-new (param i32) (result i32)))
    (import "" "blob-size" (func $blob-size (param i32) (result i32)))
    (import "" "blob-zero" (func $blob-zero (result i32)))
    (import "" "blob-drop" (func $blob-drop (param i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "value") (param i32) (result i32) (local.get 0))
    (func (export "take") (param i32) (result i32) (call $rep (local.get 0)))
    (func (export "blob") (param i32) (result i32) (call $blob-new (local.get 0)))
    ;; a borrow of a host resource: a borrow handle, dropped before returning
    (func (export "measure") (param i32) (result i32)
      (local $n i32)
      (local.set $n (i32.add (call $blob-size (local.get 0)) (call $blob-zero)))
      (call $blob-drop (local.get 0))
      (local.get $n))
    (func (export "hold") (param i32) (result i32) (local.get 0)))
  (core instance $m (instantiate $M (with "" (instance
    (export "new" (func $new)) (export "rep" (func $rep))
    (export "blob-new" (func $blob-new)) (export "blob-size" (func $blob-size))
    (export "blob-zero" (func $blob-zero)) (export "blob-drop" (func $blob-drop))))))
  (export $r' "thing" (type $r))
  (export $b' "blob-t" (type $blob))
  (func (export "[constructor]thing") (param "v" u32) (result (own $r'))
    (canon lift (core func $m "make")))
  (func (export "[method]thing.value") (param "self" (borrow $r')) (result u32)
    (canon lift (core func $m "value")))
  (func (export "take") (param "t" (own $r')) (result u32) (canon lift (core func $m "take")))
  (func (export "new-blob") (param "n" u32) (result (own $b')) (canon lift (core func $m "blob")))
  (func (export "measure") (param "b" (borrow $b')) (result u32)
    (canon lift (core func $m "measure")))
  (func (export "hold") (param "b" (borrow $b')) (result u32) (canon lift (core func $m "hold"))))`);

class Blob {
  constructor(readonly n: number) {}
  size() {
    return this.n;
  }
  static zero() {
    return 1000;
  }
}

type Thing = { value(): number };

Deno.test("an exported resource is a class; own moves it, the wrong object is refused", async () => {
  const { exports } = await instantiate(bytes, { host: { Blob } });
  const Thing = exports.Thing as new (v: number) => Thing;
  const take = exports.take as (t: unknown) => number;
  const t = new Thing(42);
  assert.ok(t instanceof Thing);
  assert.equal(t.value(), 42);
  assert.equal(take(t), 42);
  assert.throws(
    () => t.value(),
    (e: unknown) => e instanceof TypeError && /was moved/.test(e.message),
  );
  assert.throws(() => take({}), TypeError);
  assert.throws(() => (Thing as unknown as () => unknown)(), TypeError);
});

Deno.test("an imported resource is the host's class; its objects come back as themselves", async () => {
  const { exports } = await instantiate(bytes, { host: { Blob } });
  const b = (exports["new-blob"] as (n: number) => unknown)(7);
  assert.ok(b instanceof Blob);
  assert.equal((b as Blob).n, 7);
  // a borrow of the host's own object: [method]blob.size and [static]blob.zero
  assert.equal((exports.measure as (b: unknown) => number)(new Blob(5)), 1005);
  // keeping the borrow past the call breaks the rule
  assert.throws(
    () => (exports.hold as (b: unknown) => number)(new Blob(5)),
    (e: unknown) =>
      e instanceof Error && e.message === "borrow handles still remain at the end of the call",
  );
});

Deno.test("a function under the annotated name wins over the class", async () => {
  const { exports } = await instantiate(bytes, {
    host: { Blob, "[method]blob.size": (self: Blob) => self.n * 2 },
  });
  assert.equal((exports.measure as (b: unknown) => number)(new Blob(5)), 1010);
});

Deno.test("the same host object given twice as own is two handles (jco: WASI's preopens)", async () => {
  // `get` returns the same object each time; the component drops the first handle (the
  // object is disposed, as jco does), then uses the second
  const shared = await wat(`(component
    (import "host" (instance $host
      (export "dir" (type $dir (sub resource)))
      (export "get" (func (result (own $dir))))
      (export "[method]dir.id" (func (param "self" (borrow $dir)) (result u32)))))
    (alias export $host "dir" (type $dir))
    (core func $get (canon lower (func $host "get")))
    (core func $id (canon lower (func $host "[method]dir.id")))
    (core func $drop (canon resource.drop $dir))
    (core module $M
      (import "" "get" (func $get (result i32)))
      (import "" "id" (func $id (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (func (export "twice") (result i32)
        (local $a i32) (local $b i32)
        (local.set $a (call $get))
        (local.set $b (call $get))
        (call $drop (local.get $a))
        (call $id (local.get $b))))
    (core instance $m (instantiate $M (with "" (instance
      (export "get" (func $get)) (export "id" (func $id)) (export "drop" (func $drop))))))
    (func (export "twice") (result u32) (canon lift (core func $m "twice"))))`);
  let disposed = 0;
  class Dir {
    id() {
      return 7;
    }
    [Symbol.dispose]() {
      disposed++;
    }
  }
  const dir = new Dir();
  const { exports } = await instantiate(shared, { host: { get: () => dir, Dir } });
  assert.equal((exports.twice as () => number)(), 7);
  assert.equal(disposed, 1);
});

Deno.test("a host function that throws has the owned resources it received disposed", async () => {
  // `give` moves a host object back to the host: when `give` throws, the object is disposed (the
  // failed call dropped what it took); when it returns, or fails with a `result` error, the host
  // keeps it
  const c = await wat(`(component
    (import "host" (instance $host
      (export "res" (type $res (sub resource)))
      (export "make" (func (result (own $res))))
      (export "give" (func (param "r" (own $res))))
      (export "give-or-fail" (func (param "r" (own $res)) (result (result (error string)))))))
    (alias export $host "res" (type $res))
    (core module $libc
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64)))
    (core instance $libc (instantiate $libc))
    (core func $make (canon lower (func $host "make")))
    (core func $give (canon lower (func $host "give")))
    (core func $give-or-fail (canon lower (func $host "give-or-fail")
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
    (core module $M
      (import "" "make" (func $make (result i32)))
      (import "" "give" (func $give (param i32)))
      (import "" "give-or-fail" (func $give-or-fail (param i32 i32)))
      (func (export "run") (call $give (call $make)))
      (func (export "run-result") (call $give-or-fail (call $make) (i32.const 0))))
    (core instance $m (instantiate $M (with "" (instance
      (export "make" (func $make)) (export "give" (func $give))
      (export "give-or-fail" (func $give-or-fail))))))
    (func (export "run") (canon lift (core func $m "run")))
    (func (export "run-result") (canon lift (core func $m "run-result"))))`);
  let disposed = 0;
  class Res {
    [Symbol.dispose]() {
      disposed++;
    }
  }
  let fail = true;
  const kept: Res[] = [];
  const { exports } = await instantiate(c, {
    host: {
      Res,
      make: () => new Res(),
      give: (r: Res) => {
        kept.push(r);
        if (fail) throw new Error("no");
      },
      giveOrFail: (r: Res) => {
        kept.push(r);
        throw { payload: "declined" };
      },
    },
  });
  const run = exports.run as () => void;
  assert.throws(run, /in host#give: no/);
  assert.equal(disposed, 1, "the object the failed call took is disposed");
  fail = false;
  run();
  assert.equal(disposed, 1, "a call that returned keeps its object");
  (exports["run-result"] as () => void)();
  assert.equal(disposed, 1, "a result error is a return: the host keeps its object");
  assert.equal(kept.length, 3);
});
