// Components for the JSPI tests (tests/runtime/jspi_test.ts, scheduler_test.ts, tests/browser/browser_test.ts) and bench/async_bench.ts.

/** Two components and a fused adapter: `run(x)` is sleep-add(x) * 10 + 1, the host call in the inner one. */
export const COMPOSED = `(component
  (import "sleep-add" (func $sa (param "x" u32) (result u32)))
  (component $inner
    (import "sleep-add" (func $sa (param "x" u32) (result u32)))
    (core func $sa (canon lower (func $sa)))
    (core module $m
      (import "h" "sa" (func $sa (param i32) (result i32)))
      (func (export "f") (param i32) (result i32) (i32.mul (call $sa (local.get 0)) (i32.const 10))))
    (core instance $i (instantiate $m (with "h" (instance (export "sa" (func $sa))))))
    (func (export "f") (param "x" u32) (result u32) (canon lift (core func $i "f"))))
  (component $outer
    (import "f" (func $f (param "x" u32) (result u32)))
    (core func $f (canon lower (func $f)))
    (core module $m
      (import "h" "f" (func $f (param i32) (result i32)))
      (func (export "run") (param i32) (result i32) (i32.add (call $f (local.get 0)) (i32.const 1))))
    (core instance $i (instantiate $m (with "h" (instance (export "f" (func $f))))))
    (func (export "run") (param "x" u32) (result u32) (canon lift (core func $i "run"))))
  (instance $in (instantiate $inner (with "sleep-add" (func $sa))))
  (instance $out (instantiate $outer (with "f" (func $in "f"))))
  (export "run" (func $out "run")))`;

/**
 * `add(a, b)`, lifted sync; `squares(n)`, lifted async without a callback
 * (stackful), returns a `stream<u32>` at once (`task.return`), then writes
 * 0, 1, 4, ... one at a time with a synchronous `stream.write` (which waits
 * for the reader), and drops its end; `bytes(total, chunk)` likewise writes
 * `total` bytes into a `stream<u8>`, `chunk` at a time (each chunk's bytes
 * 0, 1, 2, ... mod 256).
 */
export const STREAM_WRITER = `(component
  (type $s (stream u32))
  (type $b (stream u8))
  (core module $Mem (memory (export "mem") 2))
  (core instance $mem (instantiate $Mem))
  (core func $new (canon stream.new $s))
  (core func $write (canon stream.write $s (memory $mem "mem")))
  (core func $dropw (canon stream.drop-writable $s))
  (core func $return (canon task.return (result $s)))
  (core func $bnew (canon stream.new $b))
  (core func $bwrite (canon stream.write $b (memory $mem "mem")))
  (core func $bdropw (canon stream.drop-writable $b))
  (core func $breturn (canon task.return (result $b)))
  (core module $M
    (import "" "mem" (memory 2))
    (import "" "new" (func $new (result i64)))
    (import "" "write" (func $write (param i32 i32 i32) (result i32)))
    (import "" "dropw" (func $dropw (param i32)))
    (import "" "return" (func $return (param i32)))
    (import "" "bnew" (func $bnew (result i64)))
    (import "" "bwrite" (func $bwrite (param i32 i32 i32) (result i32)))
    (import "" "bdropw" (func $bdropw (param i32)))
    (import "" "breturn" (func $breturn (param i32)))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "squares") (param $n i32)
      (local $rw i64) (local $w i32) (local $i i32)
      (local.set $rw (call $new))
      (local.set $w (i32.wrap_i64 (i64.shr_u (local.get $rw) (i64.const 32))))
      (call $return (i32.wrap_i64 (local.get $rw)))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.const 16) (i32.mul (local.get $i) (local.get $i)))
        (drop (call $write (local.get $w) (i32.const 16) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
      (call $dropw (local.get $w)))
    (func (export "bytes") (param $total i32) (param $chunk i32)
      (local $rw i64) (local $w i32) (local $i i32)
      (local.set $rw (call $bnew))
      (local.set $w (i32.wrap_i64 (i64.shr_u (local.get $rw) (i64.const 32))))
      (call $breturn (i32.wrap_i64 (local.get $rw)))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $chunk)))
        (i32.store8 (i32.add (i32.const 64) (local.get $i)) (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
      (block $written (loop $more
        (br_if $written (i32.eqz (local.get $total)))
        (drop (call $bwrite (local.get $w) (i32.const 64) (local.get $chunk)))
        (local.set $total (i32.sub (local.get $total) (local.get $chunk)))
        (br $more)))
      (call $bdropw (local.get $w))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "new" (func $new)) (export "write" (func $write))
    (export "dropw" (func $dropw)) (export "return" (func $return))
    (export "bnew" (func $bnew)) (export "bwrite" (func $bwrite))
    (export "bdropw" (func $bdropw)) (export "breturn" (func $breturn))))))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $m "add")))
  (func (export "squares") async (param "n" u32) (result $s)
    (canon lift (core func $m "squares") async))
  (func (export "bytes") async (param "total" u32) (param "chunk" u32) (result $b)
    (canon lift (core func $m "bytes") async)))`;

const MEM = `(core module $Mem (memory (export "mem") 1))
    (core instance $mem (instantiate $Mem))`;

/**
 * `run()`: `$p`'s `produce()` returns a `stream<u8>` it then writes "hello!"
 * into (synchronous writes, each waiting for the reader); `$c`'s
 * `consume(s)` reads it to its end and returns the sum of its bytes (577);
 * `run` hands one to the other (the stream moves through an adapter).
 */
export const STREAM_PIPE = `(component
  (component $P
    (type $b (stream u8))
    ${MEM}
    (core func $new (canon stream.new $b))
    (core func $write (canon stream.write $b (memory $mem "mem")))
    (core func $dropw (canon stream.drop-writable $b))
    (core func $return (canon task.return (result $b)))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "new" (func $new (result i64)))
      (import "" "write" (func $write (param i32 i32 i32) (result i32)))
      (import "" "dropw" (func $dropw (param i32)))
      (import "" "return" (func $return (param i32)))
      (data (i32.const 8) "hello!")
      (func (export "produce")
        (local $rw i64) (local $w i32)
        (local.set $rw (call $new))
        (local.set $w (i32.wrap_i64 (i64.shr_u (local.get $rw) (i64.const 32))))
        (call $return (i32.wrap_i64 (local.get $rw)))
        (drop (call $write (local.get $w) (i32.const 8) (i32.const 3)))
        (drop (call $write (local.get $w) (i32.const 11) (i32.const 3)))
        (call $dropw (local.get $w))))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $mem "mem")) (export "new" (func $new))
      (export "write" (func $write)) (export "dropw" (func $dropw))
      (export "return" (func $return))))))
    (func (export "produce") async (result $b) (canon lift (core func $m "produce") async)))
  (component $C
    (type $b (stream u8))
    ${MEM}
    (core func $read (canon stream.read $b (memory $mem "mem")))
    (core func $dropr (canon stream.drop-readable $b))
    (core func $return (canon task.return (result u32)))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "read" (func $read (param i32 i32 i32) (result i32)))
      (import "" "dropr" (func $dropr (param i32)))
      (import "" "return" (func $return (param i32)))
      (func (export "consume") (param $r i32)
        (local $ret i32) (local $sum i32) (local $i i32) (local $n i32)
        (block $end (loop $more
          (local.set $ret (call $read (local.get $r) (i32.const 0) (i32.const 64)))
          (local.set $n (i32.shr_u (local.get $ret) (i32.const 4)))
          (local.set $i (i32.const 0))
          (block $added (loop $add
            (br_if $added (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $add)))
          (br_if $end (i32.eq (i32.and (local.get $ret) (i32.const 0xf)) (i32.const 1)))
          (br $more)))
        (call $dropr (local.get $r))
        (call $return (local.get $sum))))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $mem "mem")) (export "read" (func $read))
      (export "dropr" (func $dropr)) (export "return" (func $return))))))
    (func (export "consume") async (param "s" $b) (result u32)
      (canon lift (core func $m "consume") async)))
  (component $D
    (type $b (stream u8))
    (import "produce" (func $produce async (result $b)))
    (import "consume" (func $consume async (param "s" $b) (result u32)))
    (core func $produce (canon lower (func $produce)))
    (core func $consume (canon lower (func $consume)))
    (core module $M
      (import "" "produce" (func $produce (result i32)))
      (import "" "consume" (func $consume (param i32) (result i32)))
      (func (export "run") (result i32) (call $consume (call $produce))))
    (core instance $m (instantiate $M (with "" (instance
      (export "produce" (func $produce)) (export "consume" (func $consume))))))
    (func (export "run") async (result u32) (canon lift (core func $m "run"))))
  (instance $p (instantiate $P))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D
    (with "produce" (func $p "produce")) (with "consume" (func $c "consume"))))
  (export "run" (func $d "run")))`;
