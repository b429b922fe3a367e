(module
  (type (;0;) (func (param i32 i32)))
  (type (;1;) (func (param i32)))
  (type (;2;) (func (param i32) (result i32)))
  (import "flags" "f0" (global (;0;) (mut i32)))
  (import "flags" "f1" (global (;1;) (mut i32)))
  (import "memory" "m0" (memory (;0;) 0))
  (import "memory" "m1" (memory (;1;) 0))
  (import "runtime" "trap" (func $runtime_trap (type 1) (param i32)))
  (import "callee" "c0" (func $callee_c0 (type 2) (param i32) (result i32)))
  (import "post_return" "p0" (func $post_return_p0 (type 1) (param i32)))
  (func $adapter0 (type 0) (param i32 i32)
    (local i32 i32 i32 i32)
    global.get 0
    local.tee 2
    i32.eqz
    if
      i32.const 0
      call $runtime_trap
      unreachable
    end
    global.get 1
    local.set 3
    i32.const 0
    global.set 1
    local.get 0
    i32.const 255
    i32.and
    local.set 4
    local.get 3
    global.set 1
    local.get 4
    call $callee_c0
    local.set 5
    i32.const 0
    global.set 0
    local.get 5
    i32.const 3
    i32.and
    if
      i32.const 2
      call $runtime_trap
      unreachable
    end
    local.get 5
    i64.extend_i32_u
    i64.const 8
    i64.add
    memory.size 1
    i64.extend_i32_u
    i64.const 16
    i64.shl
    i64.gt_u
    if
      i32.const 3
      call $runtime_trap
      unreachable
    end
    local.get 1
    i32.const 3
    i32.and
    if
      i32.const 2
      call $runtime_trap
      unreachable
    end
    local.get 1
    i64.extend_i32_u
    i64.const 8
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
    block
      block
        block
          block
            block
              local.get 5
              i32.load8_u 1
              br_table 0 1 2 3
            end
            local.get 1
            i32.const 0
            i32.store8
            local.get 1
            local.get 5
            i32.load 1 offset=4
            i32.store offset=4
            br 3
          end
          local.get 1
          i32.const 1
          i32.store8
          local.get 1
          local.get 5
          f32.load 1 offset=4
          f32.store offset=4
          br 2
        end
        local.get 1
        i32.const 2
        i32.store8
        br 1
      end
      i32.const 5
      call $runtime_trap
      unreachable
    end
    local.get 2
    global.set 0
    i32.const 0
    global.set 1
    local.get 5
    call $post_return_p0
    local.get 3
    global.set 1)
  (export "adapter0" (func $adapter0)))
