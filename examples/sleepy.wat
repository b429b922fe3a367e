;; An async host function through a fused adapter: `run(x)` is `sleep-add(x) * 10 + 1`, where
;; `sleep-add` is imported by the root and called by the inner component, which `outer` calls
;; through a fused adapter. With `instantiate(bytes, { "sleep-add": async (x) => ... },
;; { async: true })` the host's Promise suspends both components (JSPI); see README, "Run".
(component
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
  (export "run" (func $out "run")))
