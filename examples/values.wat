;; A component with one function per kind of value, for `cli.ts run`:
;; add(u32, u32) -> u32, norm(point) -> f64, greet(string) -> string,
;; quadrant(point) -> option<enum>.
(component
  (core module $m
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      ;; a bump allocator that starts over when the page is nearly used up:
      ;; every value it holds is copied out by the caller before the next call
      (if (i32.gt_u (i32.add (global.get $bump) (local.get 3)) (i32.const 60000))
        (then (global.set $bump (i32.const 1024))))
      ;; align the bump pointer up to the requested alignment
      (local.set $p
        (i32.and
          (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "norm") (param f64 f64) (result f64)
      (f64.sqrt (f64.add (f64.mul (local.get 0) (local.get 0)) (f64.mul (local.get 1) (local.get 1)))))
    ;; greet(s) = "hello, " ++ s, returned through a (ptr, len) pair at 16
    (data (i32.const 0) "hello, ")
    (func (export "greet") (param $s i32) (param $n i32) (result i32)
      (local $out i32)
      (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.add (local.get $n) (i32.const 7))))
      (memory.copy (local.get $out) (i32.const 0) (i32.const 7))
      (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $s) (local.get $n))
      (i32.store (i32.const 16) (local.get $out))
      (i32.store (i32.const 20) (i32.add (local.get $n) (i32.const 7)))
      (i32.const 16))
    ;; quadrant(x, y): none at an axis, else some(ne | nw | sw | se), through a pair at 24
    (func (export "quadrant") (param $x f64) (param $y f64) (result i32)
      (if (i32.or (f64.eq (local.get $x) (f64.const 0)) (f64.eq (local.get $y) (f64.const 0)))
        (then (i32.store8 (i32.const 24) (i32.const 0)) (return (i32.const 24))))
      (i32.store8 (i32.const 24) (i32.const 1))
      (i32.store8 (i32.const 25)
        (if (result i32) (f64.gt (local.get $y) (f64.const 0))
          (then (if (result i32) (f64.gt (local.get $x) (f64.const 0))
            (then (i32.const 0)) (else (i32.const 1))))
          (else (if (result i32) (f64.lt (local.get $x) (f64.const 0))
            (then (i32.const 2)) (else (i32.const 3))))))
      (i32.const 24)))
  (core instance $i (instantiate $m))
  (type $point (record (field "x" f64) (field "y" f64)))
  (type $compass (enum "ne" "nw" "sw" "se"))
  (export $p "point" (type $point))
  (export $c "compass" (type $compass))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add")))
  (func (export "norm") (param "p" $p) (result f64) (canon lift (core func $i "norm")))
  (func (export "greet") (param "name" string) (result string)
    (canon lift (core func $i "greet") (memory (core memory $i "mem"))
      (realloc (core func $i "realloc"))))
  (func (export "quadrant") (param "p" $p) (result (option $c))
    (canon lift (core func $i "quadrant") (memory (core memory $i "mem"))))
)
