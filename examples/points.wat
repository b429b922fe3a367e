;; Two components composed in one, exchanging records, enums and options:
;; $geometry exports `distance` and `quadrant`; $app imports them and exports
;; `run`, which calls both through fused adapters.
(component
  (component $geometry
    (core module $m
      (memory (export "mem") 1)
      ;; distance((x1, y1), (x2, y2)) = sqrt((x1 - x2)^2 + (y1 - y2)^2)
      (func (export "distance") (param f64 f64 f64 f64) (result f64)
        (f64.sqrt (f64.add
          (f64.mul (f64.sub (local.get 0) (local.get 2)) (f64.sub (local.get 0) (local.get 2)))
          (f64.mul (f64.sub (local.get 1) (local.get 3)) (f64.sub (local.get 1) (local.get 3))))))
      ;; quadrant(x, y) -> option<quadrant>, returned through memory at 16
      (func (export "quadrant") (param f64 f64) (result i32)
        (if (i32.or (f64.eq (local.get 0) (f64.const 0)) (f64.eq (local.get 1) (f64.const 0)))
          (then (i32.store8 (i32.const 16) (i32.const 0)) (return (i32.const 16))))
        (i32.store8 (i32.const 16) (i32.const 1))
        (i32.store8 offset=1 (i32.const 16)
          (select
            (select (i32.const 0) (i32.const 3) (f64.gt (local.get 1) (f64.const 0)))
            (select (i32.const 1) (i32.const 2) (f64.gt (local.get 1) (f64.const 0)))
            (f64.gt (local.get 0) (f64.const 0))))
        (i32.const 16)))
    (core instance $i (instantiate $m))
    (type $point (record (field "x" f64) (field "y" f64)))
    (type $quadrant (enum "ne" "nw" "sw" "se"))
    (export $p "point" (type $point))
    (export $q "compass" (type $quadrant))
    (func (export "distance") (param "a" $p) (param "b" $p) (result f64)
      (canon lift (core func $i "distance")))
    (func (export "quadrant") (param "p" $p) (result (option $q))
      (canon lift (core func $i "quadrant") (memory (core memory $i "mem")))))

  (component $app
    (type $point (record (field "x" f64) (field "y" f64)))
    (type $quadrant (enum "ne" "nw" "sw" "se"))
    (import "distance" (func $distance (param "a" $point) (param "b" $point) (result f64)))
    (import "quadrant" (func $quadrant (param "p" $point) (result (option $quadrant))))
    (core module $libc (memory (export "mem") 1))
    (core instance $libc (instantiate $libc))
    (core func $distance' (canon lower (func $distance)))
    (core func $quadrant' (canon lower (func $quadrant) (memory (core memory $libc "mem"))))
    (core module $main
      (import "libc" "mem" (memory 1))
      (import "geometry" "distance" (func $distance (param f64 f64 f64 f64) (result f64)))
      (import "geometry" "quadrant" (func $quadrant (param f64 f64 i32)))
      ;; run() = distance((0, 0), (3, 4)) + 10 * quadrant(-1, 2) case (nw = 1) = 15
      (func (export "run") (result f64)
        (call $quadrant (f64.const -1) (f64.const 2) (i32.const 32))
        (f64.add
          (call $distance (f64.const 0) (f64.const 0) (f64.const 3) (f64.const 4))
          (f64.mul (f64.const 10) (f64.convert_i32_u (i32.load8_u offset=1 (i32.const 32)))))))
    (core instance $main (instantiate $main
      (with "libc" (instance $libc))
      (with "geometry" (instance
        (export "distance" (func $distance'))
        (export "quadrant" (func $quadrant'))))))
    (func (export "run") (result f64) (canon lift (core func $main "run"))))

  (instance $geometry (instantiate $geometry))
  (instance $app (instantiate $app
    (with "distance" (func $geometry "distance"))
    (with "quadrant" (func $geometry "quadrant"))))
  (export "run" (func $app "run")))
