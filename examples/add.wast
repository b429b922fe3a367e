;; A .wast script of this project's own, for the README's runWast example and
;; `cli.ts wast`: one component, three assertions.
(component
  (core module $m
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "boom") unreachable))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add")))
  (func (export "boom") (canon lift (core func $i "boom"))))
(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3))
(assert_return (invoke "add" (u32.const 0xffffffff) (u32.const 1)) (u32.const 0))
(assert_trap (invoke "boom") "unreachable")
