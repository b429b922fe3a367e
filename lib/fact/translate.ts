/**
 * Translating one value from where the source side has it to where the
 * destination side wants it (Wasmtime's `translate_*`, reference §4.7).
 * A location is either a run of flat values in locals ("stack") or a place
 * in a linear memory (a pointer local plus a static offset).
 *
 * Reading normalises as the Canonical ABI lifts: `bool` is any non-zero,
 * 8- and 16-bit integers are masked or sign-extended, `char` must be a
 * Unicode scalar value, discriminants must name a case; flags keep only
 * their defined bits. Floats are copied bit for bit (as Wasmtime does).
 * Inside variants a flat slot may be wider than the case's own flat type:
 * values are coerced between them (CanonicalABI.md, "Flattening").
 *
 * Strings go through a host transcoder (one import per encoding pair and
 * memory pair, which validates, reallocates in the destination and copies
 * with the engine's own coders). Lists go through a helper function per
 * element type and pair of options, shared in the module: it checks the
 * source range (alignment, then bounds, in 64-bit arithmetic so no length
 * overflows), allocates the destination with its `realloc`, checks that
 * block, then copies the bytes with one `memory.copy` when the element's
 * layout needs no checking, or translates element by element in a loop.
 * Handles (`own`, `borrow`) move between the two component instances'
 * handle tables through the runtime's transfer intrinsics, one call per
 * handle (in records, variants and list elements too).
 *
 * @module
 */

import {
  alignment,
  discriminantSize,
  elemSize,
  flagsWords,
  flattenType,
  type FlatType,
  some,
  variantCases,
} from "../types/abi.ts";
import type { AdapterOptions } from "../inline/dfg.ts";
import { UnsupportedError } from "../types/errors.ts";
import { type InterfaceType, type TypeHandle, typeToString } from "../types/model.ts";
import type { FuncRef, FunctionBody } from "../wasm/module.ts";
import type { OpName } from "../wasm/opcodes.ts";
import type { AdapterModuleBuilder, MemoryUse } from "./module.ts";
import { TrapCode } from "./traps.ts";

/** A flat value held in a local. */
export interface Slot {
  /** The local. */
  readonly local: number;
  /** The local's type (a joined type inside variants). */
  readonly type: FlatType;
}

/** Where a value is: flat values in locals, or a place in memory. */
export type Location =
  | { readonly kind: "stack"; readonly slots: readonly Slot[] }
  | {
    readonly kind: "memory";
    readonly mem: MemoryUse;
    readonly addr: number;
    readonly offset: number;
  };

function alignTo(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

const ZERO: Record<FlatType, OpName> = {
  i32: "i32.const",
  i64: "i64.const",
  f32: "f32.const",
  f64: "f64.const",
};

/** The fields of a record-like type, in order. */
function fieldsOf(t: InterfaceType): readonly InterfaceType[] | undefined {
  if (typeof t === "string") return undefined;
  switch (t.kind) {
    case "record":
      return t.fields.map((f) => f.type);
    case "tuple":
      return t.types;
    case "list":
      // a fixed-length list is a record of its elements; long ones are translated in a loop
      return t.length === undefined || t.length > UNROLLED
        ? undefined
        : Array.from({ length: t.length }, () => t.element);
    default:
      return undefined;
  }
}

/**
 * The longest fixed-length list translated element by element in line; a
 * longer one is in memory (its flat form would pass MAX_FLAT_PARAMS) and is
 * copied at once or translated in a loop.
 */
const UNROLLED = 16;

/** Scalars whose bytes in memory are the value: a list of them is copied as is. */
const COPYABLE = new Set(["u8", "s8", "u16", "s16", "u32", "s32", "u64", "s64", "f32", "f64"]);

/** Whether a list of `t` can be copied byte for byte (no value in it needs checking). */
function copyable(t: InterfaceType): boolean {
  if (typeof t === "string") return COPYABLE.has(t);
  if (t.kind === "list" && t.length !== undefined) return copyable(t.element);
  const fields = fieldsOf(t);
  if (fields !== undefined) return fields.every(copyable);
  // flags that fill their bytes have no undefined bits to drop
  return t.kind === "flags" && (t.names.length === 8 || t.names.length === 16 ||
    t.names.length === 32);
}

/** The resource ids of the handles in `t`, in order ("" when it holds none). */
function handleKey(t: InterfaceType, b: AdapterModuleBuilder): string {
  const ids: number[] = [];
  some(t, (u) => {
    if (typeof u !== "string" && (u.kind === "own" || u.kind === "borrow")) {
      ids.push(b.resourceId(u.resource));
    }
    return false;
  });
  return ids.join(",");
}

function optionsKey(o: AdapterOptions): string {
  return `${o.stringEncoding}/${o.memory ?? "-"}/${o.realloc ?? "-"}`;
}

/** Emits the code that moves values between locations, for one function. */
export class Translator {
  #src?: AdapterOptions;
  #dst?: AdapterOptions;

  /**
   * Create a translator for one function body.
   * @param b The module builder (for imports).
   * @param body The function being generated.
   */
  constructor(readonly b: AdapterModuleBuilder, readonly body: FunctionBody) {}

  /**
   * Set the options of the two sides for the translations that follow:
   * strings and lists are read from the source's memory, in its encoding,
   * and written through the destination's realloc.
   * @param src The source side's options.
   * @param dst The destination side's options.
   * @returns This translator.
   */
  sides(src: AdapterOptions, dst: AdapterOptions): this {
    this.#src = src;
    this.#dst = dst;
    return this;
  }

  /**
   * Emit a call to the trap intrinsic (it never returns).
   * @param code The trap code.
   */
  trap(code: number): void {
    this.body.op("i32.const", code).call(this.b.trap()).op("unreachable");
  }

  /** TrapCode with `code` when the i32 on the stack is non-zero. */
  trapIf(code: number): void {
    this.body.open("if");
    this.trap(code);
    this.body.op("end");
  }

  /**
   * Fail the pointer check: trap unless `ptr` is aligned and `[ptr, ptr + size)` is in bounds.
   * @param ptr The local holding the pointer.
   * @param mem The memory.
   * @param align Required alignment.
   * @param size Bytes that must be in bounds.
   * @param unaligned TrapCode code for a misaligned pointer.
   * @param outOfBounds TrapCode code for an out-of-bounds range.
   */
  checkPointer(
    ptr: number,
    mem: MemoryUse,
    align: number,
    size: number,
    unaligned: number = TrapCode.UnalignedPointer,
    outOfBounds: number = TrapCode.PointerOutOfBounds,
  ): void {
    const b = this.body;
    if (align > 1) {
      if (mem.memory64) {
        b.op("local.get", ptr).op("i64.const", BigInt(align - 1)).op("i64.and").op("i64.const", 0n)
          .op("i64.ne");
      } else b.op("local.get", ptr).op("i32.const", align - 1).op("i32.and");
      this.trapIf(unaligned);
    }
    // ptr + size <= memory bytes, computed in 64 bits (no overflow for 32-bit memories)
    if (mem.memory64) {
      const bytes = b.local("i64");
      b.op("memory.size", mem.index).op("i64.const", 16n).op("i64.shl").op("local.set", bytes);
      // size > bytes, or ptr > bytes - size
      b.op("i64.const", BigInt(size)).op("local.get", bytes).op("i64.gt_u");
      b.op("local.get", ptr).op("local.get", bytes).op("i64.const", BigInt(size)).op("i64.sub").op(
        "i64.gt_u",
      );
      b.op("i32.or");
    } else {
      b.op("local.get", ptr).op("i64.extend_i32_u").op("i64.const", BigInt(size)).op("i64.add");
      b.op("memory.size", mem.index).op("i64.extend_i32_u").op("i64.const", 16n).op("i64.shl");
      b.op("i64.gt_u");
    }
    this.trapIf(outOfBounds);
  }

  // -------------------------------------------------------------------------
  // flat values in and out of locations

  /** Push slot `s` as a value of type `want` (coercing from the slot's joined type). */
  #readSlot(s: Slot, want: FlatType): void {
    const b = this.body;
    b.op("local.get", s.local);
    if (s.type === want) return;
    if (s.type === "i32" && want === "f32") b.op("f32.reinterpret_i32");
    else if (s.type === "i64" && want === "i32") b.op("i32.wrap_i64");
    else if (s.type === "i64" && want === "f32") b.op("i32.wrap_i64").op("f32.reinterpret_i32");
    else if (s.type === "i64" && want === "f64") b.op("f64.reinterpret_i64");
    else throw new Error(`cannot read a ${want} from a ${s.type} slot`);
  }

  /** Pop a value of type `have` into slot `s` (coercing to the slot's joined type). */
  #writeSlot(s: Slot, have: FlatType): void {
    const b = this.body;
    if (s.type !== have) {
      if (have === "f32" && s.type === "i32") b.op("i32.reinterpret_f32");
      else if (have === "i32" && s.type === "i64") b.op("i64.extend_i32_u");
      else if (have === "f32" && s.type === "i64") {
        b.op("i32.reinterpret_f32").op("i64.extend_i32_u");
      } else if (have === "f64" && s.type === "i64") b.op("i64.reinterpret_f64");
      else throw new Error(`cannot write a ${have} into a ${s.type} slot`);
    }
    b.op("local.set", s.local);
  }

  #zeroSlot(s: Slot): void {
    this.body.op(ZERO[s.type], s.type === "i64" ? 0n : 0).op("local.set", s.local);
  }

  /** Load from memory location `at` (address pushed first). */
  #load(at: Location & { kind: "memory" }, op: OpName, extra = 0): void {
    this.body.op("local.get", at.addr).mem(op, at.mem.index, at.offset + extra);
  }

  /** A sub-location: `count` slots from `first`, or `delta` bytes further. */
  #sub(at: Location, first: number, count: number, delta: number): Location {
    return at.kind === "stack"
      ? { kind: "stack", slots: at.slots.slice(first, first + count) }
      : { ...at, offset: at.offset + delta };
  }

  /**
   * Produce a scalar at `dst`: `produce` pushes the value (of flat type
   * `flat`); for a memory destination the address is pushed before it.
   */
  #put(dst: Location, flat: FlatType, store: OpName, produce: () => void): void {
    if (dst.kind === "stack") {
      produce();
      this.#writeSlot(dst.slots[0], flat);
    } else {
      this.body.op("local.get", dst.addr);
      produce();
      this.body.mem(store, dst.mem.index, dst.offset);
    }
  }

  // -------------------------------------------------------------------------

  /**
   * Emit the translation of one value of type `t` from `src` to `dst`.
   * @param t The value's type (the same on both sides).
   * @param src Where the source side has it.
   * @param dst Where the destination side wants it.
   */
  translate(t: InterfaceType, src: Location, dst: Location): void {
    if (t === "error-context") return this.#errorContext(src, dst);
    if (typeof t === "string") return this.#primitive(t, src, dst);
    const fields = fieldsOf(t);
    if (fields !== undefined) return this.#record(fields, t, src, dst);
    const cases = variantCases(t);
    if (cases !== undefined) return this.#variant(cases, t, src, dst);
    switch (t.kind) {
      case "flags":
        return this.#flags(t.names.length, src, dst);
      case "enum":
        return this.#variant(t.names.map(() => undefined), t, src, dst);
      case "list":
        if (t.length !== undefined) return this.#fixedList(t.element, t.length, src, dst);
        return this.#list(t.element, src, dst);
      case "map":
        // a list of (key, value) tuples (CanonicalABI.md, `despecialize`)
        return this.#list({ kind: "tuple", types: [t.key, t.value] }, src, dst);
      case "own":
      case "borrow":
        return this.#handle(t, src, dst);
      case "future":
      case "stream":
        throw new UnsupportedError(
          `fused adapters for \`${typeToString(t)}\` values are not implemented yet: a ${t.kind} ` +
            "crosses between components only when the runtime schedules their tasks, which it does not yet",
          `${t.kind}s`,
        );
      default:
        throw new UnsupportedError(
          `fused adapters for \`${
            typeToString(t)
          }\` values are not implemented yet (strings, lists and handles come next)`,
          "strings, lists and handles in fused adapters",
        );
    }
  }

  #primitive(t: InterfaceType & string, src: Location, dst: Location): void {
    const b = this.body;
    let flat: FlatType;
    let load: OpName;
    let store: OpName;
    switch (t) {
      case "bool":
      case "u8":
        [flat, load, store] = ["i32", "i32.load8_u", "i32.store8"];
        break;
      case "s8":
        [flat, load, store] = ["i32", "i32.load8_s", "i32.store8"];
        break;
      case "u16":
        [flat, load, store] = ["i32", "i32.load16_u", "i32.store16"];
        break;
      case "s16":
        [flat, load, store] = ["i32", "i32.load16_s", "i32.store16"];
        break;
      case "s32":
      case "u32":
      case "char":
        [flat, load, store] = ["i32", "i32.load", "i32.store"];
        break;
      case "s64":
      case "u64":
        [flat, load, store] = ["i64", "i64.load", "i64.store"];
        break;
      case "f32":
        [flat, load, store] = ["f32", "f32.load", "f32.store"];
        break;
      case "f64":
        [flat, load, store] = ["f64", "f64.load", "f64.store"];
        break;
      case "string":
        return this.#string(src, dst);
      default:
        throw new UnsupportedError(
          `fused adapters for \`${t}\` values are not implemented yet (strings, lists and handles come next)`,
          "strings, lists and handles in fused adapters",
        );
    }
    this.#put(dst, flat, store, () => {
      if (src.kind === "memory") this.#load(src, load);
      else {
        this.#readSlot(src.slots[0], flat);
        // a flat i32 may carry bits above the type's width: drop them as the ABI lifts
        if (t === "u8") b.op("i32.const", 0xff).op("i32.and");
        else if (t === "s8") b.op("i32.extend8_s");
        else if (t === "u16") b.op("i32.const", 0xffff).op("i32.and");
        else if (t === "s16") b.op("i32.extend16_s");
      }
      if (t === "bool") b.op("i32.eqz").op("i32.eqz"); // any non-zero is true
      if (t === "char") this.#checkChar();
    });
  }

  /**
   * A handle: read the source's index, move (`own`) or lend (`borrow`) it
   * into the destination's table with the runtime's transfer intrinsic
   * (which checks it and its type), write the destination's index.
   */
  #handle(t: TypeHandle, src: Location, dst: Location): void {
    const [s, d] = this.#options();
    const f = this.b.transfer(t.kind);
    const resource = this.b.resourceId(t.resource);
    this.#put(dst, "i32", "i32.store", () => {
      if (src.kind === "memory") this.#load(src, "i32.load");
      else this.#readSlot(src.slots[0], "i32");
      this.body.op("i32.const", s.instance).op("i32.const", d.instance);
      this.body.op("i32.const", resource).call(f);
    });
  }

  /**
   * An error context: read the source's index, share the entry into the
   * destination's table with the runtime's transfer intrinsic (which checks
   * it), write the destination's index.
   */
  #errorContext(src: Location, dst: Location): void {
    const [s, d] = this.#options();
    const f = this.b.transferErrorContext();
    this.#put(dst, "i32", "i32.store", () => {
      if (src.kind === "memory") this.#load(src, "i32.load");
      else this.#readSlot(src.slots[0], "i32");
      this.body.op("i32.const", s.instance).op("i32.const", d.instance).call(f);
    });
  }

  /** The i32 on the stack must be a Unicode scalar value: not above 0x10FFFF, not a surrogate. */
  #checkChar(): void {
    const b = this.body;
    const c = b.local("i32");
    b.op("local.tee", c).op("i32.const", 0x110000).op("i32.ge_u");
    b.op("local.get", c).op("i32.const", 0xd800).op("i32.sub").op("i32.const", 0x800).op(
      "i32.lt_u",
    );
    b.op("i32.or");
    this.trapIf(TrapCode.InvalidChar);
    b.op("local.get", c);
  }

  #record(fields: readonly InterfaceType[], t: InterfaceType, src: Location, dst: Location): void {
    const ptr = (at: Location) => (at.kind === "memory" && at.mem.memory64 ? 8 : 4) as 4 | 8;
    let srcSlot = 0;
    let dstSlot = 0;
    let srcOff = 0;
    let dstOff = 0;
    for (const f of fields) {
      const n = flattenType(f).length;
      srcOff = alignTo(srcOff, alignment(f, ptr(src)));
      dstOff = alignTo(dstOff, alignment(f, ptr(dst)));
      this.translate(f, this.#sub(src, srcSlot, n, srcOff), this.#sub(dst, dstSlot, n, dstOff));
      srcSlot += n;
      dstSlot += n;
      srcOff += elemSize(f, ptr(src));
      dstOff += elemSize(f, ptr(dst));
    }
    void t;
  }

  /**
   * A fixed-length list too long to unroll: it is in memory on both sides
   * (more than MAX_FLAT_PARAMS flat values), so its elements are copied with
   * one `memory.copy` when their bytes need no checking, or translated in a
   * loop, one address per side moving by the element size.
   */
  #fixedList(e: InterfaceType, n: number, src: Location, dst: Location): void {
    if (src.kind !== "memory" || dst.kind !== "memory") {
      throw new Error(`a fixed-length list of ${n} elements held flat`);
    }
    const b = this.body;
    const ptrOf = (at: Location & { kind: "memory" }): FlatType => at.mem.memory64 ? "i64" : "i32";
    const sp = ptrOf(src);
    const dp = ptrOf(dst);
    const sSize = elemSize(e, sp === "i64" ? 8 : 4);
    const dSize = elemSize(e, dp === "i64" ? 8 : 4);
    const address = (at: Location & { kind: "memory" }, ptr: FlatType) => {
      b.op("local.get", at.addr);
      if (at.offset === 0) return;
      if (ptr === "i64") b.op("i64.const", BigInt(at.offset)).op("i64.add");
      else b.op("i32.const", at.offset).op("i32.add");
    };
    if (copyable(e) && sSize === dSize) {
      address(dst, dp);
      address(src, sp);
      // the size is i64 only when both memories are 64-bit (sizes are below 2^32)
      if (sp === "i64" && dp === "i64") b.op("i64.const", BigInt(n * sSize));
      else b.op("i32.const", (n * sSize) | 0);
      b.memoryCopy(dst.mem.index, src.mem.index);
      return;
    }
    const from = b.local(sp);
    const to = b.local(dp);
    const left = b.local("i32");
    address(src, sp);
    b.op("local.set", from);
    address(dst, dp);
    b.op("local.set", to);
    b.op("i32.const", n | 0).op("local.set", left);
    const step = (l: number, ptr: FlatType, by: number) => {
      b.op("local.get", l);
      if (ptr === "i64") b.op("i64.const", BigInt(by)).op("i64.add");
      else b.op("i32.const", by).op("i32.add");
      b.op("local.set", l);
    };
    b.open("block").open("loop");
    b.op("local.get", left).op("i32.eqz").op("br_if", 1);
    this.translate(
      e,
      { kind: "memory", mem: src.mem, addr: from, offset: 0 },
      { kind: "memory", mem: dst.mem, addr: to, offset: 0 },
    );
    step(from, sp, sSize);
    step(to, dp, dSize);
    b.op("local.get", left).op("i32.const", 1).op("i32.sub").op("local.set", left);
    b.op("br", 0).op("end").op("end");
  }

  #flags(n: number, src: Location, dst: Location): void {
    const words = flagsWords(n);
    const [load, store]: [OpName, OpName] = n <= 8
      ? ["i32.load8_u", "i32.store8"]
      : n <= 16
      ? ["i32.load16_u", "i32.store16"]
      : ["i32.load", "i32.store"];
    for (let w = 0; w < words; w++) {
      const bits = Math.min(32, n - 32 * w);
      const word = (at: Location) => this.#sub(at, w, 1, 4 * w);
      this.#put(word(dst), "i32", store, () => {
        const s = word(src);
        if (s.kind === "memory") this.#load(s, load);
        else this.#readSlot(s.slots[0], "i32");
        if (bits < 32) this.body.op("i32.const", (2 ** bits - 1) | 0).op("i32.and"); // undefined bits are dropped
      });
    }
  }

  #variant(
    cases: readonly (InterfaceType | undefined)[],
    t: InterfaceType,
    src: Location,
    dst: Location,
  ): void {
    const b = this.body;
    const size = discriminantSize(cases.length);
    const [load, store]: [OpName, OpName] = size === 1
      ? ["i32.load8_u", "i32.store8"]
      : size === 2
      ? ["i32.load16_u", "i32.store16"]
      : ["i32.load", "i32.store"];
    // the payload's offset, once per pointer size (not once per case: variants may be wide)
    const offsets = new Map<4 | 8, number>();
    const payloadOffset = (at: Location) => {
      const ptr = at.kind === "memory" && at.mem.memory64 ? 8 : 4;
      let off = offsets.get(ptr);
      if (off === undefined) {
        let a = 1;
        for (const c of cases) if (c !== undefined) a = Math.max(a, alignment(c, ptr));
        offsets.set(ptr, off = alignTo(size, a));
      }
      return off;
    };
    // dispatch on the source discriminant: one block per case, innermost first
    const n = cases.length;
    b.open("block"); // $done
    b.open("block"); // $invalid
    for (let i = n - 1; i >= 0; i--) b.open("block");
    if (src.kind === "memory") this.#load(src, load);
    else this.#readSlot(src.slots[0], "i32");
    // targets 0..n-1 (case i's block is at depth i), default n ($invalid)
    b.brTable(Array.from({ length: n }, (_, i) => i), n);
    for (let i = 0; i < n; i++) {
      b.op("end"); // case i starts here
      this.#put(this.#sub(dst, 0, 1, 0), "i32", store, () => b.op("i32.const", i));
      const c = cases[i];
      const flat = c === undefined ? 0 : flattenType(c).length;
      if (c !== undefined) {
        this.translate(
          c,
          this.#sub(src, 1, flat, payloadOffset(src)),
          this.#sub(dst, 1, flat, payloadOffset(dst)),
        );
      }
      if (dst.kind === "stack") { for (const s of dst.slots.slice(1 + flat)) this.#zeroSlot(s); }
      b.op("br", n - 1 - i + 1); // to the end of $done
    }
    b.op("end"); // $invalid
    this.trap(TrapCode.InvalidDiscriminant);
    b.op("end"); // $done
    void t;
  }

  // -------------------------------------------------------------------------
  // strings and lists

  /** Read a (pointer, length) pair of pointer type `ptr` into two new locals. */
  #readPair(at: Location, ptr: FlatType): [number, number] {
    const b = this.body;
    const locals: [number, number] = [b.local(ptr), b.local(ptr)];
    const load: OpName = ptr === "i64" ? "i64.load" : "i32.load";
    const size = ptr === "i64" ? 8 : 4;
    for (let i = 0; i < 2; i++) {
      if (at.kind === "memory") this.#load(at, load, i * size);
      else this.#readSlot(at.slots[i], ptr);
      b.op("local.set", locals[i]);
    }
    return locals;
  }

  /** Write locals `p` and `n` (of pointer type `ptr`) as a (pointer, length) pair. */
  #writePair(at: Location, ptr: FlatType, p: number, n: number): void {
    const store: OpName = ptr === "i64" ? "i64.store" : "i32.store";
    const size = ptr === "i64" ? 8 : 4;
    this.#put(this.#sub(at, 0, 1, 0), ptr, store, () => this.body.op("local.get", p));
    this.#put(this.#sub(at, 1, 1, size), ptr, store, () => this.body.op("local.get", n));
  }

  #options(): [AdapterOptions, AdapterOptions] {
    if (this.#src === undefined || this.#dst === undefined) {
      throw new Error("strings and lists need the options of both sides");
    }
    return [this.#src, this.#dst];
  }

  #string(src: Location, dst: Location): void {
    const [s, d] = this.#options();
    const b = this.body;
    const sp = s.memory64 ? "i64" : "i32";
    const dp = d.memory64 ? "i64" : "i32";
    const [p, n] = this.#readPair(src, sp);
    const f = s.stringEncoding === "utf8" && d.stringEncoding === "utf8"
      ? this.#utf8Helper(s, d)
      : this.b.transcoder(s.stringEncoding, d.stringEncoding, s.memory!, d.memory!, d.realloc!);
    const rp = b.local(dp);
    const rn = b.local(dp);
    b.op("local.get", p).op("local.get", n).call(f).op("local.set", rn).op("local.set", rp);
    this.#writePair(dst, dp, rp, rn);
  }

  /**
   * The helper `(ptr, len) -> (ptr, len)` for UTF-8 to UTF-8: an ASCII
   * string (the common case) whose range is in bounds is checked and copied
   * in wasm, with one `memory.copy`; anything else goes to the host
   * transcoder, which validates and traps as the rules say.
   */
  #utf8Helper(s: AdapterOptions, d: AdapterOptions): FuncRef {
    return this.b.helper(`utf8|${optionsKey(s)}|${optionsKey(d)}`, () => {
      const sp: FlatType = s.memory64 ? "i64" : "i32";
      const dp: FlatType = d.memory64 ? "i64" : "i32";
      const host = this.b.transcoder("utf8", "utf8", s.memory!, d.memory!, d.realloc!);
      const { ref, body: b } = this.b.module.func(
        { params: [sp, sp], results: [dp, dp] },
        `utf8_${this.b.helperCount()}`,
      );
      const t = new Translator(this.b, b);
      const smem = this.b.memory(s.memory!);
      const dmem = this.b.memory(d.memory!);
      const ext = (ptr: FlatType) => {
        if (ptr === "i32") b.op("i64.extend_i32_u");
      };
      const n = b.local("i64");
      const end = b.local("i64");
      const at = b.local("i64");
      const bytes = b.local("i64");
      const dptr = b.local(dp);
      // the source address of byte `at`, in the source memory's address type
      const addr = () => {
        b.op("local.get", at);
        if (sp === "i32") b.op("i32.wrap_i64");
      };
      b.op("local.get", 1);
      ext(sp);
      b.op("local.set", n);
      b.open("block"); // $host: leave it to the host transcoder
      // in bounds and not too long, else the host traps with the rule's words
      b.op("memory.size", smem.index);
      ext(sp);
      b.op("i64.const", 16n).op("i64.shl").op("local.set", bytes);
      b.op("local.get", n).op("local.get", bytes).op("i64.gt_u");
      b.op("local.get", 0);
      ext(sp);
      b.op("local.get", bytes).op("local.get", n).op("i64.sub").op("i64.gt_u").op("i32.or");
      b.op("local.get", n).op("i64.const", 0x7fff_ffffn).op("i64.gt_u").op("i32.or");
      b.op("br_if", 0);
      // ASCII: 8 bytes at a time, then the rest one by one
      b.op("local.get", 0);
      ext(sp);
      b.op("local.tee", at).op("local.get", n).op("i64.add").op("local.set", end);
      b.open("block").open("loop");
      b.op("local.get", at).op("i64.const", 8n).op("i64.add").op("local.get", end).op("i64.gt_u")
        .op("br_if", 1);
      addr();
      b.mem("i64.load", smem.index, 0, 0);
      b.op("i64.const", -0x7f7f_7f7f_7f7f_7f80n).op("i64.and").op("i64.const", 0n).op("i64.ne");
      b.op("br_if", 2);
      b.op("local.get", at).op("i64.const", 8n).op("i64.add").op("local.set", at);
      b.op("br", 0).op("end").op("end");
      b.open("block").open("loop");
      b.op("local.get", at).op("local.get", end).op("i64.ge_u").op("br_if", 1);
      addr();
      b.mem("i32.load8_u", smem.index, 0, 0);
      b.op("i32.const", 0x80).op("i32.and").op("br_if", 2);
      b.op("local.get", at).op("i64.const", 1n).op("i64.add").op("local.set", at);
      b.op("br", 0).op("end").op("end");
      // one block in the destination, checked, then one copy
      const c = (v: number) => dp === "i64" ? b.op("i64.const", BigInt(v)) : b.op("i32.const", v);
      c(0);
      c(0);
      c(1);
      b.op("local.get", n);
      if (dp === "i32") b.op("i32.wrap_i64");
      b.call(this.b.realloc(d.realloc!, dp)).op("local.set", dptr);
      b.op("memory.size", dmem.index);
      ext(dp);
      b.op("i64.const", 16n).op("i64.shl").op("local.set", bytes);
      b.op("local.get", n).op("local.get", bytes).op("i64.gt_u");
      b.op("local.get", dptr);
      ext(dp);
      b.op("local.get", bytes).op("local.get", n).op("i64.sub").op("i64.gt_u").op("i32.or");
      t.trapIf(TrapCode.StringReallocOutOfBounds);
      b.op("local.get", dptr).op("local.get", 0).op("local.get", n);
      if (!(sp === "i64" && dp === "i64")) b.op("i32.wrap_i64");
      b.memoryCopy(dmem.index, smem.index);
      b.op("local.get", dptr).op("local.get", n);
      if (dp === "i32") b.op("i32.wrap_i64");
      b.op("return");
      b.op("end"); // $host
      b.op("local.get", 0).op("local.get", 1).call(host);
      return ref;
    });
  }

  #list(elem: InterfaceType, src: Location, dst: Location): void {
    const [s, d] = this.#options();
    const b = this.body;
    const sp = s.memory64 ? "i64" : "i32";
    const dp = d.memory64 ? "i64" : "i32";
    const [p, n] = this.#readPair(src, sp);
    const helper = this.#listHelper(elem, s, d);
    const rp = b.local(dp);
    b.op("local.get", p).op("local.get", n).call(helper).op("local.set", rp);
    // the helper trapped if the length does not fit the destination
    const rn = b.local(dp);
    b.op("local.get", n);
    if (sp === "i32" && dp === "i64") b.op("i64.extend_i32_u");
    if (sp === "i64" && dp === "i32") b.op("i32.wrap_i64");
    b.op("local.set", rn);
    this.#writePair(dst, dp, rp, rn);
  }

  /**
   * The helper `(ptr, len) -> ptr` that copies a list of `elem` from the
   * source's memory into a block of the destination's.
   */
  #listHelper(elem: InterfaceType, s: AdapterOptions, d: AdapterOptions): FuncRef {
    // handles in the elements are moved between these two instances, as this resource
    const handles = handleKey(elem, this.b);
    const key = `list<${typeToString(elem)}>|${optionsKey(s)}|${optionsKey(d)}${
      handles === "" ? "" : `|${s.instance}>${d.instance}|${handles}`
    }`;
    return this.b.helper(key, () => {
      const sp: FlatType = s.memory64 ? "i64" : "i32";
      const dp: FlatType = d.memory64 ? "i64" : "i32";
      const { ref, body: b } = this.b.module.func(
        { params: [sp, sp], results: [dp] },
        `list_${this.b.helperCount()}`,
      );
      const t = new Translator(this.b, b).sides(s, d);
      const smem = this.b.memory(s.memory!);
      const dmem = this.b.memory(d.memory!);
      const sSize = elemSize(elem, s.memory64 ? 8 : 4);
      const dSize = elemSize(elem, d.memory64 ? 8 : 4);
      const sAlign = alignment(elem, s.memory64 ? 8 : 4);
      const dAlign = alignment(elem, d.memory64 ? 8 : 4);
      const ext = (ptr: FlatType) => {
        if (ptr === "i32") b.op("i64.extend_i32_u");
      };
      const memBytes = (mem: MemoryUse, into: number) => {
        b.op("memory.size", mem.index);
        ext(mem.memory64 ? "i64" : "i32");
        b.op("i64.const", 16n).op("i64.shl").op("local.set", into);
      };
      const len = b.local("i64");
      const bytes = b.local("i64");
      const srcBytes = b.local("i64");
      const dstBytes = b.local("i64");
      b.op("local.get", 1);
      ext(sp);
      b.op("local.set", len);

      // the source range: aligned, then in bounds (CanonicalABI.md, load_list_from_valid_range)
      if (sAlign > 1) {
        b.op("local.get", 0);
        if (sp === "i64") b.op("i32.wrap_i64");
        b.op("i32.const", sAlign - 1).op("i32.and");
        t.trapIf(TrapCode.UnalignedPointer);
      }
      memBytes(smem, bytes);
      if (sSize > 0) {
        b.op("local.get", len).op("local.get", bytes).op("i64.const", BigInt(sSize)).op("i64.div_u")
          .op("i64.gt_u");
        t.trapIf(TrapCode.ListOutOfBounds);
      }
      b.op("local.get", len).op("i64.const", BigInt(sSize)).op("i64.mul").op("local.set", srcBytes);
      b.op("local.get", 0);
      ext(sp);
      b.op("local.get", bytes).op("local.get", srcBytes).op("i64.sub").op("i64.gt_u");
      t.trapIf(TrapCode.ListOutOfBounds);

      // the destination block: its size fits the destination, then realloc, then checks
      b.op("local.get", len).op("i64.const", BigInt(dSize)).op("i64.mul").op("local.set", dstBytes);
      if (dp === "i32") {
        b.op("local.get", dstBytes).op("i64.const", 0xffff_ffffn).op("i64.gt_u");
        t.trapIf(TrapCode.ListOutOfBounds);
      }
      if (dp === "i32" && sp === "i64" && dSize === 0) {
        // a list of empty values: nothing bounds its length but the type
        b.op("local.get", len).op("i64.const", 0xffff_ffffn).op("i64.gt_u");
        t.trapIf(TrapCode.ListOutOfBounds);
      }
      const dptr = b.local(dp);
      const c = (v: number) => dp === "i64" ? b.op("i64.const", BigInt(v)) : b.op("i32.const", v);
      c(0);
      c(0);
      c(dAlign);
      b.op("local.get", dstBytes);
      if (dp === "i32") b.op("i32.wrap_i64");
      b.call(this.b.realloc(d.realloc!, dp)).op("local.set", dptr);
      if (dAlign > 1) {
        b.op("local.get", dptr);
        if (dp === "i64") b.op("i32.wrap_i64");
        b.op("i32.const", dAlign - 1).op("i32.and");
        t.trapIf(TrapCode.ReallocUnaligned);
      }
      memBytes(dmem, bytes);
      b.op("local.get", dstBytes).op("local.get", bytes).op("i64.gt_u");
      b.op("local.get", dptr);
      ext(dp);
      b.op("local.get", bytes).op("local.get", dstBytes).op("i64.sub").op("i64.gt_u");
      b.op("i32.or");
      t.trapIf(TrapCode.ListOutOfBounds);

      if (copyable(elem)) {
        // one copy: the size operand is i64 only when both memories are 64-bit
        b.op("local.get", dptr).op("local.get", 0).op("local.get", srcBytes);
        if (!(sp === "i64" && dp === "i64")) b.op("i32.wrap_i64");
        b.memoryCopy(dmem.index, smem.index);
      } else {
        const from = b.local(sp);
        const to = b.local(dp);
        b.op("local.get", 0).op("local.set", from).op("local.get", dptr).op("local.set", to);
        const add = (l: number, ptr: FlatType, n: number) => {
          b.op("local.get", l);
          if (ptr === "i64") b.op("i64.const", BigInt(n)).op("i64.add");
          else b.op("i32.const", n).op("i32.add");
          b.op("local.set", l);
        };
        b.open("block").open("loop");
        b.op("local.get", len).op("i64.eqz").op("br_if", 1);
        t.translate(
          elem,
          { kind: "memory", mem: smem, addr: from, offset: 0 },
          { kind: "memory", mem: dmem, addr: to, offset: 0 },
        );
        add(from, sp, sSize);
        add(to, dp, dSize);
        b.op("local.get", len).op("i64.const", 1n).op("i64.sub").op("local.set", len);
        b.op("br", 0).op("end").op("end");
      }
      b.op("local.get", dptr);
      return ref;
    });
  }
}
