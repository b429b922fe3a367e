;; Two components composed in one: $upper exports `shout`, which upper-cases
;; ASCII letters of a string; $app imports it and exports `run`, which calls
;; `shout` through a fused adapter (a lift in $upper, a lower in $app).
(component
  (component $upper
    (core module $m
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 1024))
      ;; A bump allocator: realloc(old-ptr, old-size, align, new-size).
      (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p
          (i32.and
            (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
            (i32.sub (i32.const 0) (local.get 2))))
        (global.set $next (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      ;; shout(ptr, len) -> ptr to (ptr, len) of the upper-cased copy
      (func (export "shout") (param $ptr i32) (param $len i32) (result i32)
        (local $out i32) (local $i i32) (local $c i32) (local $ret i32)
        (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $len)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $c (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
            (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))
              (then (local.set $c (i32.sub (local.get $c) (i32.const 32)))))
            (i32.store8 (i32.add (local.get $out) (local.get $i)) (local.get $c))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
        (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
        (i32.store (local.get $ret) (local.get $out))
        (i32.store offset=4 (local.get $ret) (local.get $len))
        (local.get $ret)))
    (core instance $i (instantiate $m))
    (func (export "shout") (param "text" string) (result string)
      (canon lift (core func $i "shout")
        (memory (core memory $i "mem"))
        (realloc (core func $i "realloc")))))

  (component $app
    (import "shout" (func $shout (param "text" string) (result string)))
    (core module $libc
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 2048))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $next))
        (global.set $next (i32.add (local.get $p) (local.get 3)))
        (local.get $p)))
    (core instance $libc (instantiate $libc))
    (core func $shout-lowered
      (canon lower (func $shout)
        (memory (core memory $libc "mem"))
        (realloc (core func $libc "realloc"))))
    (core module $main
      (import "libc" "mem" (memory 1))
      (import "host" "shout" (func $shout (param i32 i32 i32)))
      (data (i32.const 16) "hello, world")
      ;; run() -> ptr to (ptr, len) of shout("hello, world")
      (func (export "run") (result i32)
        (call $shout (i32.const 16) (i32.const 12) (i32.const 64))
        (i32.const 64)))
    (core instance $main
      (instantiate $main
        (with "libc" (instance $libc))
        (with "host" (instance (export "shout" (func $shout-lowered))))))
    (func (export "run") (result string)
      (canon lift (core func $main "run") (memory (core memory $libc "mem")))))

  (instance $upper (instantiate $upper))
  (instance $app (instantiate $app (with "shout" (func $upper "shout"))))
  (export "run" (func $app "run")))
