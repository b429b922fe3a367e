(module
  (type (;0;) (func (param i32) (result i32)))
  (type (;1;) (func (param i32)))
  (import "flags" "f0" (global (;0;) (mut i32)))
  (import "flags" "f1" (global (;1;) (mut i32)))
  (import "runtime" "trap" (func $runtime_trap (type 1) (param i32)))
  (import "callee" "c0" (func $callee_c0 (type 0) (param i32) (result i32)))
  (import "post_return" "p0" (func $post_return_p0 (type 1) (param i32)))
  (func $adapter0 (type 0) (param i32) (result i32)
    (local i32 i32 i32 i32 i32 i32 i32)
    global.get 0
    local.tee 1
    i32.eqz
    if
      i32.const 0
      call $runtime_trap
      unreachable
    end
    global.get 1
    local.set 2
    i32.const 0
    global.set 1
    local.get 0
    local.tee 4
    i32.const 1114112
    i32.ge_u
    local.get 4
    i32.const 55296
    i32.sub
    i32.const 2048
    i32.lt_u
    i32.or
    if
      i32.const 4
      call $runtime_trap
      unreachable
    end
    local.get 4
    local.set 3
    local.get 2
    global.set 1
    local.get 3
    call $callee_c0
    local.set 5
    i32.const 0
    global.set 0
    local.get 5
    local.tee 7
    i32.const 1114112
    i32.ge_u
    local.get 7
    i32.const 55296
    i32.sub
    i32.const 2048
    i32.lt_u
    i32.or
    if
      i32.const 4
      call $runtime_trap
      unreachable
    end
    local.get 7
    local.set 6
    local.get 1
    global.set 0
    i32.const 0
    global.set 1
    local.get 5
    call $post_return_p0
    local.get 2
    global.set 1
    local.get 6)
  (export "adapter0" (func $adapter0)))
