(module
  (type (;0;) (func (param i32) (result i32)))
  (type (;1;) (func (param i32)))
  (type (;2;) (func (param i32 i32 i32 i32) (result i32)))
  (import "flags" "f0" (global (;0;) (mut i32)))
  (import "flags" "f1" (global (;1;) (mut i32)))
  (import "memory" "m0" (memory (;0;) 0))
  (import "memory" "m1" (memory (;1;) 0))
  (import "runtime" "trap" (func $runtime_trap (type 1) (param i32)))
  (import "realloc" "r0" (func $realloc_r0 (type 2) (param i32 i32 i32 i32) (result i32)))
  (import "callee" "c0" (func $callee_c0 (type 0) (param i32) (result i32)))
  (import "post_return" "p0" (func $post_return_p0 (type 1) (param i32)))
  (func $adapter0 (type 0) (param i32) (result i32)
    (local i32 i32 i32 i32 i32 i32)
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
    i32.const 7
    i32.and
    if
      i32.const 2
      call $runtime_trap
      unreachable
    end
    local.get 0
    i64.extend_i32_u
    i64.const 80
    i64.add
    memory.size 0
    i64.extend_i32_u
    i64.const 16
    i64.shl
    i64.gt_u
    if
      i32.const 3
      call $runtime_trap
      unreachable
    end
    i32.const 0
    i32.const 0
    i32.const 8
    i32.const 80
    call $realloc_r0
    local.set 3
    local.get 3
    i32.const 7
    i32.and
    if
      i32.const 6
      call $runtime_trap
      unreachable
    end
    local.get 3
    i64.extend_i32_u
    i64.const 80
    i64.add
    memory.size 1
    i64.extend_i32_u
    i64.const 16
    i64.shl
    i64.gt_u
    if
      i32.const 7
      call $runtime_trap
      unreachable
    end
    local.get 3
    local.get 0
    i32.load8_u
    i32.store8 1
    local.get 3
    local.get 0
    f64.load offset=8
    f64.store 1 offset=8
    local.get 3
    local.get 0
    i32.load offset=16
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
    i32.store 1 offset=16
    local.get 3
    local.get 0
    i32.load offset=24
    i32.store 1 offset=24
    local.get 3
    local.get 0
    i32.load offset=28
    i32.store 1 offset=28
    local.get 3
    local.get 0
    i32.load offset=32
    i32.store 1 offset=32
    local.get 3
    local.get 0
    i32.load offset=36
    i32.store 1 offset=36
    local.get 3
    local.get 0
    i32.load offset=40
    i32.store 1 offset=40
    local.get 3
    local.get 0
    i32.load offset=44
    i32.store 1 offset=44
    local.get 3
    local.get 0
    i32.load offset=48
    i32.store 1 offset=48
    local.get 3
    local.get 0
    i32.load offset=52
    i32.store 1 offset=52
    local.get 3
    local.get 0
    i32.load offset=56
    i32.store 1 offset=56
    local.get 3
    local.get 0
    i32.load offset=60
    i32.store 1 offset=60
    local.get 3
    local.get 0
    i32.load offset=64
    i32.store 1 offset=64
    local.get 3
    local.get 0
    i32.load offset=68
    i32.store 1 offset=68
    local.get 3
    local.get 0
    i32.load offset=72
    i32.store 1 offset=72
    local.get 3
    local.get 0
    i32.load offset=76
    i32.store 1 offset=76
    local.get 2
    global.set 1
    local.get 3
    call $callee_c0
    local.set 5
    i32.const 0
    global.set 0
    local.get 5
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
