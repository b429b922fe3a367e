;; A resource at the host boundary, both ways. The component exports a
;; `counter` resource (constructor, methods, a static function, a destructor
;; that counts) and imports a `blob` resource the host implements with a class.
(component
  (import "host" (instance $host
    (export "blob" (type $blob (sub resource)))
    (export "[constructor]blob" (func (param "bytes" u32) (result (own $blob))))
    (export "[method]blob.size" (func (param "self" (borrow $blob)) (result u32)))))
  (alias export $host "blob" (type $blob))
  (core func $blob-new (canon lower (func $host "[constructor]blob")))
  (core func $blob-size (canon lower (func $host "[method]blob.size")))
  (canon resource.drop $blob (core func $blob-drop))

  (core module $Dtor
    (global $dropped (mut i32) (i32.const 0))
    (func (export "dtor") (param i32) (global.set $dropped (i32.add (global.get $dropped) (i32.const 1))))
    (func (export "dropped") (result i32) (global.get $dropped)))
  (core instance $dtor (instantiate $Dtor))
  (type $counter (resource (rep i32) (dtor (func $dtor "dtor"))))
  (canon resource.new $counter (core func $new))
  (canon resource.rep $counter (core func $rep))

  (core module $Main
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "rep" (func $rep (param i32) (result i32)))
    (import "" "blob-new" (func $blob-new (param i32) (result i32)))
    (import "" "blob-size" (func $blob-size (param i32) (result i32)))
    (import "" "blob-drop" (func $blob-drop (param i32)))
    (memory 1)
    ;; a counter's representation is the address of its value
    (global $next (mut i32) (i32.const 16))
    (func $make (export "make") (param $start i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (local.get $p) (i32.const 4)))
      (i32.store (local.get $p) (local.get $start))
      (call $new (local.get $p)))
    ;; a borrowed counter arrives as its representation: this component defines it
    (func (export "get") (param $self i32) (result i32) (i32.load (local.get $self)))
    (func (export "add") (param $self i32) (param $n i32)
      (i32.store (local.get $self) (i32.add (i32.load (local.get $self)) (local.get $n))))
    (func (export "zero") (result i32) (call $make (i32.const 0)))
    ;; makes a host blob, asks its size, drops it (the host's [Symbol.dispose] runs)
    (func (export "blob-size") (param $bytes i32) (result i32)
      (local $h i32) (local $n i32)
      (local.set $h (call $blob-new (local.get $bytes)))
      (local.set $n (call $blob-size (local.get $h)))
      (call $blob-drop (local.get $h))
      (local.get $n)))
  (core instance $main (instantiate $Main (with "" (instance
    (export "new" (func $new)) (export "rep" (func $rep))
    (export "blob-new" (func $blob-new)) (export "blob-size" (func $blob-size))
    (export "blob-drop" (func $blob-drop))))))

  (export $c "counter" (type $counter))
  (func (export "[constructor]counter") (param "start" u32) (result (own $c))
    (canon lift (core func $main "make")))
  (func (export "[method]counter.get") (param "self" (borrow $c)) (result u32)
    (canon lift (core func $main "get")))
  (func (export "[method]counter.add") (param "self" (borrow $c)) (param "n" u32)
    (canon lift (core func $main "add")))
  (func (export "[static]counter.zero") (result (own $c)) (canon lift (core func $main "zero")))
  (func (export "dropped") (result u32) (canon lift (core func $dtor "dropped")))
  (func (export "blob-size") (param "bytes" u32) (result u32) (canon lift (core func $main "blob-size"))))
