/**
 * A core wasm module encoder in wasm-encoder's shape, for the modules we
 * generate: interned function types, imports (functions, memories with
 * memory64 and limits, globals, tags), defined functions with locals and an
 * instruction list, exports. Functions are referred to by {@link FuncRef}
 * handles (temporary ids) that are resolved to indices when encoding, so
 * imports and functions can be added in any order.
 *
 * The instruction list is kept (not just bytes) so that the same module can
 * be printed as WAT ({@link ModuleBuilder.toWat}).
 *
 * @module
 */

import { ByteWriter } from "../binary/writer.ts";
import { type Opcode, OPCODES, type OpName } from "./opcodes.ts";

/** A core number type. */
export type NumType = "i32" | "i64" | "f32" | "f64";

/** A value type: a number, or one of the two references the exception barrier uses. */
export type ValType = NumType | "externref" | "exnref";

/** A function signature. */
export interface FuncSig {
  /** Parameter types. */
  readonly params: readonly ValType[];
  /** Result types. */
  readonly results: readonly ValType[];
}

/** A block's type: nothing, one result, or a signature. */
export type BlockType = "empty" | ValType | FuncSig;

/**
 * A catch clause of `try_table`: `catch`/`catch_ref` a tag's exceptions, or
 * `catch_all`/`catch_all_ref` every exception, branching to `label` (a depth
 * counted from outside the `try_table`).
 */
export type Catch =
  | { readonly kind: "catch" | "catch_ref"; readonly tag: number; readonly label: number }
  | { readonly kind: "catch_all" | "catch_all_ref"; readonly label: number };

const CATCH_BYTES = { catch: 0, catch_ref: 1, catch_all: 2, catch_all_ref: 3 } as const;

/** A handle on a function (imported or defined), resolved to its index when encoding. */
export class FuncRef {
  /** Its index, once the module is encoded. */
  index: number = -1;
  /**
   * Create a handle.
   * @param name A name for the text format (`$name`), unique in the module.
   */
  constructor(readonly name: string) {}
}

/** A memory access's immediate: memory index, offset, alignment (log2). */
export interface MemArg {
  /** Which memory. */
  readonly memory: number;
  /** Constant offset added to the address. */
  readonly offset: number | bigint;
  /** log2 of the alignment hint. */
  readonly align: number;
}

/** One instruction and its immediate. */
export type Instr =
  | { readonly op: OpName; readonly imm?: undefined }
  | { readonly op: OpName; readonly imm: number | bigint }
  | { readonly op: "call"; readonly imm: FuncRef }
  | { readonly op: "block" | "loop" | "if"; readonly imm: BlockType }
  | {
    readonly op: "try_table";
    readonly imm: { readonly type: BlockType; readonly catches: readonly Catch[] };
  }
  | { readonly op: OpName; readonly imm: MemArg }
  | { readonly op: "memory.copy"; readonly imm: readonly [number, number] }
  | {
    readonly op: "br_table";
    readonly imm: { readonly targets: readonly number[]; readonly default: number };
  };

const VAL_BYTES: Record<ValType, number> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  externref: 0x6f,
  exnref: 0x69,
};

/** Where a `call` immediate is in a body's code: patched with the callee's index when encoding. */
export interface CallSite {
  /** The offset of the immediate's 5 reserved bytes. */
  readonly at: number;
  /** The callee. */
  readonly ref: FuncRef;
}

/**
 * The body of a defined function: its locals, and its instructions encoded
 * as they are appended (no object per instruction). A `call`'s callee index
 * is known only when the module is encoded (imports may still be added): 5
 * bytes are reserved and the index written there, in its shortest form,
 * when encoding. A module built for text also keeps the instructions
 * ({@link FunctionBody.instrs}) for {@link ModuleBuilder.toWat}.
 */
export class FunctionBody {
  #locals: NumType[] = [];
  /** The instructions, kept only when the module is built for text. */
  readonly instrs: Instr[] | undefined;
  #code: ByteWriter | undefined;
  #calls: CallSite[] = [];
  readonly #typeIndex: (sig: FuncSig) => number;

  /**
   * Create a body.
   * @param params The function's parameter types (locals 0..n-1).
   * @param typeIndex Interns a signature used as a block type (the module's).
   * @param text Whether to keep the instructions for the text format.
   */
  constructor(
    readonly params: readonly ValType[],
    typeIndex: (sig: FuncSig) => number = () => {
      throw new Error("a signature block type needs the module's type section");
    },
    text = false,
  ) {
    this.#typeIndex = typeIndex;
    this.instrs = text ? [] : undefined;
  }

  /** Locals beyond the parameters, in order. */
  get locals(): readonly NumType[] {
    return this.#locals;
  }

  /** The encoded instructions (without the final `end`). */
  get code(): ByteWriter {
    return this.#code ??= new ByteWriter(64);
  }

  /** The `call` immediates to patch. */
  get calls(): readonly CallSite[] {
    return this.#calls;
  }

  /**
   * A copy of this body, calling `replace`'s functions instead of its keys.
   * The copy shares this body's code and locals: it is made of a complete
   * body, and neither is written to again.
   * @param replace The callees to replace.
   * @returns The copy.
   */
  copy(replace: ReadonlyMap<FuncRef, FuncRef>): FunctionBody {
    const b = new FunctionBody(this.params, this.#typeIndex, this.instrs !== undefined);
    b.#locals = this.#locals;
    b.#code = this.code;
    b.#calls = this.#calls.map((c) => ({ at: c.at, ref: replace.get(c.ref) ?? c.ref }));
    if (this.instrs !== undefined) {
      for (const ins of this.instrs) {
        b.instrs!.push(
          ins.op === "call" ? { op: "call", imm: replace.get(ins.imm as FuncRef) ?? ins.imm } : ins,
        );
      }
    }
    return b;
  }

  /**
   * Add a local.
   * @param type Its type.
   * @returns Its index.
   */
  local(type: NumType): number {
    this.#locals.push(type);
    return this.params.length + this.#locals.length - 1;
  }

  #opcode(code: Opcode): void {
    const w = this.code;
    const bytes = code.bytes;
    if (bytes.length === 1) w.byte(bytes[0]);
    else w.byte(bytes[0]).u32(bytes[1]);
  }

  /**
   * Append an instruction without immediate, or with a numeric one.
   * @param name The instruction.
   * @param imm Its immediate (local/global index, label depth, constant, memory index).
   * @returns This body.
   */
  op(name: OpName, imm?: number | bigint): this {
    this.instrs?.push(imm === undefined ? { op: name } : { op: name, imm });
    const code = OPCODES[name];
    this.#opcode(code);
    const w = this.code;
    switch (code.imm) {
      case "none":
        return this;
      case "local":
      case "global":
      case "label":
      case "memory":
        w.u32(Number(imm));
        return this;
      case "i32":
        w.s32(Number(imm));
        return this;
      case "i64":
        w.s64(BigInt(imm as number | bigint));
        return this;
      case "f32":
        w.f32(Number(imm));
        return this;
      case "f64":
        w.f64(Number(imm));
        return this;
      default:
        throw new Error(`\`${name}\` takes another kind of immediate`);
    }
  }

  /**
   * Append a `call`.
   * @param f The callee.
   * @returns This body.
   */
  call(f: FuncRef): this {
    this.instrs?.push({ op: "call", imm: f });
    this.code.byte(0x10);
    this.#calls.push({ at: this.code.length, ref: f });
    this.code.byte(0x80).byte(0x80).byte(0x80).byte(0x80).byte(0);
    return this;
  }

  #blockType(t: BlockType): void {
    const w = this.code;
    if (t === "empty") w.byte(0x40);
    else if (typeof t === "string") w.byte(VAL_BYTES[t]);
    else w.s64(BigInt(this.#typeIndex(t)));
  }

  /**
   * Open a `block`, `loop` or `if`.
   * @param kind Which.
   * @param type Its block type.
   * @returns This body.
   */
  open(kind: "block" | "loop" | "if", type: BlockType = "empty"): this {
    this.instrs?.push({ op: kind, imm: type });
    this.#opcode(OPCODES[kind]);
    this.#blockType(type);
    return this;
  }

  /**
   * Open a `try_table` (closed by `end` like a block).
   * @param type Its block type.
   * @param catches Its catch clauses, tried in order.
   * @returns This body.
   */
  tryTable(type: BlockType, catches: readonly Catch[]): this {
    this.instrs?.push({ op: "try_table", imm: { type, catches } });
    this.#opcode(OPCODES.try_table);
    this.#blockType(type);
    const w = this.code.u32(catches.length);
    for (const c of catches) {
      w.byte(CATCH_BYTES[c.kind]);
      if (c.kind === "catch" || c.kind === "catch_ref") w.u32(c.tag);
      w.u32(c.label);
    }
    return this;
  }

  /**
   * Append a `br_table`.
   * @param targets Branch depths for indices 0, 1, ...
   * @param fallback Branch depth for any other index.
   * @returns This body.
   */
  brTable(targets: readonly number[], fallback: number): this {
    this.instrs?.push({ op: "br_table", imm: { targets, default: fallback } });
    this.#opcode(OPCODES.br_table);
    const w = this.code.u32(targets.length);
    for (const d of targets) w.u32(d);
    w.u32(fallback);
    return this;
  }

  /**
   * Append a load or store.
   * @param name The instruction.
   * @param memory The memory index.
   * @param offset The constant offset.
   * @param align log2 alignment (default: the natural alignment).
   * @returns This body.
   */
  mem(name: OpName, memory: number, offset: number | bigint = 0, align?: number): this {
    const code = OPCODES[name];
    const a = align ?? (code as { align?: number }).align ?? 0;
    this.instrs?.push({ op: name, imm: { memory, offset, align: a } });
    this.#opcode(code);
    const w = this.code;
    if (memory === 0) w.u32(a);
    else w.u32(a | 0x40).u32(memory);
    w.uleb(offset);
    return this;
  }

  /**
   * Append `memory.copy` from one memory to another.
   * @param dst Destination memory index.
   * @param src Source memory index.
   * @returns This body.
   */
  memoryCopy(dst: number, src: number): this {
    this.instrs?.push({ op: "memory.copy", imm: [dst, src] });
    this.#opcode(OPCODES["memory.copy"]);
    this.code.u32(dst).u32(src);
    return this;
  }
}

type ImportDesc =
  | { readonly kind: "func"; readonly sig: FuncSig; readonly type: number; readonly ref: FuncRef }
  | {
    readonly kind: "memory";
    readonly memory64: boolean;
    readonly min: bigint;
    readonly max?: bigint;
  }
  | { readonly kind: "global"; readonly type: NumType; readonly mutable: boolean }
  | { readonly kind: "tag"; readonly sig: FuncSig; readonly type: number };

interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ImportDesc;
}

/** A function defined in the module: its handle is its record (one object per function). */
class DefinedFunc extends FuncRef {
  /**
   * @param name Its text name.
   * @param type Its type's index (its signature is the type section's).
   * @param body Its body; a copy's is its original's, shared (see `calleesAt`).
   * @param calleesAt Where a copy's callees start in the module's callee
   *   pool: one per call of `body` (which calls the original's), in order.
   */
  constructor(
    name: string,
    readonly type: number,
    readonly body: FunctionBody,
    readonly calleesAt: number | undefined,
  ) {
    super(name);
  }
}

function sigKey(s: FuncSig): string {
  return `${s.params.join(",")}>${s.results.join(",")}`;
}

/**
 * Builds a core module: add imports, functions and exports, then
 * {@link ModuleBuilder.encode} it (or print it with {@link ModuleBuilder.toWat}).
 *
 * @example A module exporting an adder
 * ```ts
 * import { ModuleBuilder } from "@wasmfuse/fuse/wasm";
 * import assert from "node:assert/strict";
 *
 * const m = new ModuleBuilder();
 * const { ref, body } = m.func({ params: ["i32", "i32"], results: ["i32"] }, "add");
 * body.op("local.get", 0).op("local.get", 1).op("i32.add");
 * m.exportFunc("add", ref);
 * const { exports } = new WebAssembly.Instance(new WebAssembly.Module(m.encode()));
 * assert.equal((exports.add as (a: number, b: number) => number)(2, 3), 5);
 * ```
 */
export class ModuleBuilder {
  readonly #types: FuncSig[] = [];
  readonly #typeIndex = new Map<string, number>();
  /** Type indices by the identity of a signature's arrays (read-only: `FuncSig`'s are). */
  readonly #typeBySlices = new WeakMap<readonly ValType[], WeakMap<readonly ValType[], number>>();
  readonly #imports: Import[] = [];
  readonly #funcs: DefinedFunc[] = [];
  /** The exports' names and functions (two arrays: a large module has one per adapter). */
  readonly #exportNames: string[] = [];
  readonly #exportRefs: FuncRef[] = [];
  /** The copies' callees, each copy's in a run (see DefinedFunc.calleesAt). */
  readonly #calleePool: FuncRef[] = [];
  readonly #names = new Set<string>();
  #memories = 0;
  #globals = 0;
  #tags = 0;
  readonly #text: boolean;
  /** The functions defined with `func()` (not the copies). */
  readonly #defined = new Set<FuncRef>();
  readonly #typeOf = (sig: FuncSig) => this.type(sig);

  /**
   * Start an empty module.
   * @param options `text`: keep each function's instructions, for {@link ModuleBuilder.toWat}
   *   (otherwise they are only encoded).
   */
  constructor(options: { readonly text?: boolean } = {}) {
    this.#text = options.text === true;
  }

  /**
   * The index of a function type, added if new.
   * @param sig The signature.
   * @returns Its index in the type section.
   */
  type(sig: FuncSig): number {
    // callers mostly pass the same (memoized) arrays again: those are looked up without a key
    let byResults = this.#typeBySlices.get(sig.params);
    let i = byResults?.get(sig.results);
    if (i !== undefined) return i;
    const key = sigKey(sig);
    i = this.#typeIndex.get(key);
    if (i === undefined) {
      i = this.#types.length;
      this.#types.push({ params: [...sig.params], results: [...sig.results] });
      this.#typeIndex.set(key, i);
    }
    if (byResults === undefined) this.#typeBySlices.set(sig.params, byResults = new WeakMap());
    byResults.set(sig.results, i);
    return i;
  }

  /** Whether the module is built for the text format (names matter only then). */
  get text(): boolean {
    return this.#text;
  }

  #name(name: string): string {
    // names are for the text format only: unique there, as given otherwise
    if (!this.#text) return name;
    let n = name;
    for (let i = 1; this.#names.has(n); i++) n = `${name}_${i}`;
    this.#names.add(n);
    return n;
  }

  /**
   * Import a function.
   * @param module First-level name.
   * @param name Second-level name.
   * @param sig Its signature.
   * @param textName A name for the text format.
   * @returns Its handle.
   */
  importFunc(module: string, name: string, sig: FuncSig, textName = name): FuncRef {
    const type = this.type(sig);
    const ref = new FuncRef(this.#name(textName));
    // the signature kept is the type section's: one object per distinct type
    this.#imports.push({ module, name, desc: { kind: "func", sig: this.#types[type], type, ref } });
    return ref;
  }

  /**
   * Import a memory.
   * @param module First-level name.
   * @param name Second-level name.
   * @param memory64 Whether it is 64-bit.
   * @param min Minimum pages.
   * @param max Maximum pages, if any.
   * @returns Its memory index.
   */
  importMemory(module: string, name: string, memory64 = false, min = 0n, max?: bigint): number {
    const desc: ImportDesc = max === undefined
      ? { kind: "memory", memory64, min }
      : { kind: "memory", memory64, min, max };
    this.#imports.push({ module, name, desc });
    return this.#memories++;
  }

  /**
   * Import a global.
   * @param module First-level name.
   * @param name Second-level name.
   * @param type Its type.
   * @param mutable Whether it is mutable.
   * @returns Its global index.
   */
  importGlobal(module: string, name: string, type: NumType, mutable: boolean): number {
    this.#imports.push({ module, name, desc: { kind: "global", type, mutable } });
    return this.#globals++;
  }

  /**
   * Import a tag (exception handling).
   * @param module First-level name.
   * @param name Second-level name.
   * @param sig Its signature (parameters only; no results).
   * @returns Its tag index.
   */
  importTag(module: string, name: string, sig: FuncSig): number {
    const type = this.type(sig);
    this.#imports.push({ module, name, desc: { kind: "tag", sig, type } });
    return this.#tags++;
  }

  /**
   * Define a function.
   * @param sig Its signature.
   * @param textName A name for the text format.
   * @returns Its handle and its body to fill.
   */
  func(sig: FuncSig, textName = "f"): { ref: FuncRef; body: FunctionBody } {
    const type = this.type(sig);
    const body = new FunctionBody(this.#types[type].params, this.#typeOf, this.#text);
    const ref = new DefinedFunc(this.#name(textName), type, body, undefined);
    this.#funcs.push(ref);
    this.#defined.add(ref);
    return { ref, body };
  }

  /**
   * Define a function as a copy of one already defined, with some callees
   * replaced (an adapter whose body is another's but for its callee).
   * @param of The function to copy: one defined with {@link ModuleBuilder.func}
   *   (a copy is not copied again).
   * @param textName A name for the text format.
   * @param replace Callees to replace, by the one the original calls (read
   *   during the call, not kept: the caller may reuse the map).
   * @returns The new function's handle.
   */
  cloneFunc(of: FuncRef, textName: string, replace: ReadonlyMap<FuncRef, FuncRef>): FuncRef {
    if (!this.#defined.has(of)) {
      throw new Error(`\`${of.name}\` is not a function defined here with func()`);
    }
    const f = of as DefinedFunc;
    const name = this.#name(textName);
    let ref: DefinedFunc;
    if (this.#text) {
      // the text format prints each body's instructions: a copy has its own
      ref = new DefinedFunc(name, f.type, f.body.copy(replace), undefined);
    } else {
      // otherwise the body is shared and only the callees are the copy's own
      const calleesAt = this.#calleePool.length;
      for (const c of f.body.calls) this.#calleePool.push(replace.get(c.ref) ?? c.ref);
      ref = new DefinedFunc(name, f.type, f.body, calleesAt);
    }
    this.#funcs.push(ref);
    return ref;
  }

  /**
   * Export a function.
   * @param name The export name.
   * @param ref The function.
   */
  exportFunc(name: string, ref: FuncRef): void {
    this.#exportNames.push(name);
    this.#exportRefs.push(ref);
  }

  #resolve(): void {
    let i = 0;
    for (const imp of this.#imports) if (imp.desc.kind === "func") imp.desc.ref.index = i++;
    for (const f of this.#funcs) f.index = i++;
  }

  /**
   * Encode the module.
   * @returns The module's bytes.
   */
  encode(): Uint8Array<ArrayBuffer> {
    this.#resolve();
    // scratch writers, shared by every encoding (one module at a time): the only
    // allocation is the result's
    const { out, body: sec } = SCRATCH;
    out.reset();
    out.bytes(PREAMBLE);
    const section = (id: number, body: ByteWriter) => {
      out.byte(id).u32(body.length).append(body);
    };
    sec.reset();
    const types = sec.u32(this.#types.length);
    for (const t of this.#types) {
      types.byte(0x60).u32(t.params.length);
      for (const p of t.params) types.byte(VAL_BYTES[p]);
      types.u32(t.results.length);
      for (const r of t.results) types.byte(VAL_BYTES[r]);
    }
    section(1, types);
    if (this.#imports.length > 0) {
      sec.reset();
      const imports = sec.u32(this.#imports.length);
      for (const { module, name, desc } of this.#imports) {
        imports.name(module).name(name);
        switch (desc.kind) {
          case "func":
            imports.byte(0x00).u32(desc.type);
            break;
          case "memory": {
            const flags = (desc.max === undefined ? 0 : 1) | (desc.memory64 ? 4 : 0);
            imports.byte(0x02).byte(flags).u64(desc.min);
            if (desc.max !== undefined) imports.u64(desc.max);
            break;
          }
          case "global":
            imports.byte(0x03).byte(VAL_BYTES[desc.type]).byte(desc.mutable ? 1 : 0);
            break;
          case "tag":
            imports.byte(0x04).byte(0x00).u32(desc.type);
            break;
        }
      }
      section(2, imports);
    }
    if (this.#funcs.length > 0) {
      sec.reset();
      const funcs = sec.u32(this.#funcs.length);
      for (const f of this.#funcs) funcs.u32(f.type);
      section(3, funcs);
    }
    if (this.#exportNames.length > 0) {
      sec.reset();
      const names = this.#exportNames;
      const refs = this.#exportRefs;
      const exports = sec.u32(names.length);
      for (let i = 0; i < names.length; i++) exports.name(names[i]).byte(0x00).u32(refs[i].index);
      section(7, exports);
    }
    let result: Uint8Array<ArrayBuffer>;
    if (this.#funcs.length > 0) result = this.#withCode(out);
    else result = out.finish();
    // a large module's capacity is not kept past its encoding
    out.reset(SCRATCH_KEEP);
    sec.reset(SCRATCH_KEEP);
    return result;
  }

  /**
   * The module's bytes: what `out` holds, then the code section, written
   * straight into a buffer of the module's exact size (its size worked out
   * first), so that a large module is not copied or grown on the way.
   */
  #withCode(out: ByteWriter): Uint8Array<ArrayBuffer> {
    const funcs = this.#funcs;
    const pool = this.#calleePool;
    // each body's size in bytes (copies share their original's body), before
    // its calls take their callees' indices
    const bodySizes = new Map<FunctionBody, number>();
    const sizes = new Uint32Array(funcs.length);
    let content = leb32Size(funcs.length);
    for (let j = 0; j < funcs.length; j++) {
      const f = funcs[j];
      const b = f.body;
      let size = bodySizes.get(b);
      if (size === undefined) {
        size = localsSize(b.locals) + b.code.length + 1;
        bodySizes.set(b, size);
      }
      // the calls' reserved 5 bytes become the callee's index in its shortest form
      const calls = b.calls;
      const at = f.calleesAt;
      for (let k = 0; k < calls.length; k++) {
        size += leb32Size((at === undefined ? calls[k].ref : pool[at + k]).index) - 5;
      }
      sizes[j] = size;
      content += leb32Size(size) + size;
    }
    const result = new Uint8Array(out.length + 1 + leb32Size(content) + content);
    result.set(out.view());
    let p = out.length;
    result[p++] = 10;
    p = putU32(result, p, content);
    p = putU32(result, p, funcs.length);
    for (let j = 0; j < funcs.length; j++) {
      const f = funcs[j];
      const b = f.body;
      p = putU32(result, p, sizes[j]);
      p = putLocals(result, p, b.locals);
      const code = b.code;
      const calls = b.calls;
      const calleesAt = f.calleesAt;
      let from = 0;
      for (let k = 0; k < calls.length; k++) {
        const at = calls[k].at;
        p = code.copyTo(result, p, from, at);
        const callee = calleesAt === undefined ? calls[k].ref : pool[calleesAt + k];
        p = putU32(result, p, callee.index);
        from = at + 5;
      }
      p = code.copyTo(result, p, from, code.length);
      result[p++] = 0x0b;
    }
    if (p !== result.length) {
      throw new Error(`encoded ${p} bytes of a ${result.length}-byte module`);
    }
    return result;
  }

  /**
   * Print the module in the WebAssembly text format.
   * @returns The WAT text.
   */
  toWat(): string {
    if (!this.#text) throw new Error("toWat() needs a module built with `{ text: true }`");
    this.#resolve();
    const lines: string[] = ["(module"];
    this.#types.forEach((t, i) => lines.push(`  (type (;${i};) (func${sigText(t)}))`));
    let memory = 0;
    let global = 0;
    let tag = 0;
    for (const { module, name, desc } of this.#imports) {
      const head = `  (import ${str(module)} ${str(name)}`;
      switch (desc.kind) {
        case "func":
          lines.push(
            `${head} (func $${desc.ref.name} (type ${this.type(desc.sig)})${sigText(desc.sig)}))`,
          );
          break;
        case "memory":
          lines.push(
            `${head} (memory (;${memory++};)${desc.memory64 ? " i64" : ""} ${desc.min}${
              desc.max === undefined ? "" : ` ${desc.max}`
            }))`,
          );
          break;
        case "global":
          lines.push(
            `${head} (global (;${global++};) ${desc.mutable ? `(mut ${desc.type})` : desc.type}))`,
          );
          break;
        case "tag":
          lines.push(
            `${head} (tag (;${tag++};) (type ${this.type(desc.sig)})${sigText(desc.sig)}))`,
          );
          break;
      }
    }
    for (const f of this.#funcs) {
      lines.push(`  (func $${f.name} (type ${f.type})${sigText(this.#types[f.type])}`);
      if (f.body.locals.length > 0) lines.push(`    (local ${f.body.locals.join(" ")})`);
      let depth = 2;
      for (const ins of f.body.instrs!) {
        if (ins.op === "end" || ins.op === "else") depth--;
        lines.push(`${"  ".repeat(depth)}${this.#instrText(ins)}`);
        if (
          ins.op === "block" || ins.op === "loop" || ins.op === "if" || ins.op === "else" ||
          ins.op === "try_table"
        ) {
          depth++;
        }
      }
      lines[lines.length - 1] += ")";
    }
    this.#exportNames.forEach((name, i) =>
      lines.push(`  (export ${str(name)} (func $${this.#exportRefs[i].name}))`)
    );
    lines[lines.length - 1] += ")";
    return lines.join("\n") + "\n";
  }

  #blockText(t: BlockType): string {
    if (t === "empty") return "";
    if (typeof t === "string") return ` (result ${t})`;
    return ` (type ${this.type(t)})${sigText(t)}`;
  }

  #instrText(ins: Instr): string {
    const code = OPCODES[ins.op];
    const imm = ins.imm;
    switch (code.imm) {
      case "none":
        return ins.op;
      case "func":
        return `call $${(imm as FuncRef).name}`;
      case "block":
        return `${ins.op}${this.#blockText(imm as BlockType)}`;
      case "try_table": {
        const t = imm as { readonly type: BlockType; readonly catches: readonly Catch[] };
        const catches = t.catches.map((c) =>
          c.kind === "catch" || c.kind === "catch_ref"
            ? ` (${c.kind} ${c.tag} ${c.label})`
            : ` (${c.kind} ${c.label})`
        );
        return `${ins.op}${this.#blockText(t.type)}${catches.join("")}`;
      }
      case "memarg": {
        const m = imm as MemArg;
        const natural = code.align ?? 0;
        return `${ins.op}${m.memory === 0 ? "" : ` ${m.memory}`}${
          BigInt(m.offset) === 0n ? "" : ` offset=${m.offset}`
        }${m.align === natural ? "" : ` align=${1 << m.align}`}`;
      }
      case "memory2": {
        const [dst, src] = imm as readonly [number, number];
        return `${ins.op} ${dst} ${src}`;
      }
      case "f32":
      case "f64":
        return `${ins.op} ${floatText(Number(imm))}`;
      case "labels": {
        const t = imm as { readonly targets: readonly number[]; readonly default: number };
        return `${ins.op} ${[...t.targets, t.default].join(" ")}`;
      }
      default:
        return `${ins.op} ${imm}`;
    }
  }
}

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** The most capacity each scratch writer keeps between encodings. */
const SCRATCH_KEEP = 1 << 20;

/** The writers {@link ModuleBuilder.encode} reuses (it is not reentrant). */
const SCRATCH = {
  out: new ByteWriter(4096),
  body: new ByteWriter(4096),
};

/** The size of a body's locals, run-length encoded (a count, then a count and a type per run). */
function localsSize(locals: readonly ValType[]): number {
  let runs = 0;
  let size = 0;
  for (let i = 0; i < locals.length;) {
    let n = 1;
    while (i + n < locals.length && locals[i + n] === locals[i]) n++;
    runs++;
    size += leb32Size(n) + 1;
    i += n;
  }
  return leb32Size(runs) + size;
}

/** Write a body's locals, run-length encoded, at `p`; returns the position after them. */
function putLocals(buf: Uint8Array, p: number, locals: readonly ValType[]): number {
  let runs = 0;
  for (let i = 0; i < locals.length; i++) {
    if (i === 0 || locals[i] !== locals[i - 1]) runs++;
  }
  p = putU32(buf, p, runs);
  for (let i = 0; i < locals.length;) {
    let n = 1;
    while (i + n < locals.length && locals[i + n] === locals[i]) n++;
    p = putU32(buf, p, n);
    buf[p++] = VAL_BYTES[locals[i]];
    i += n;
  }
  return p;
}

/** Write `n` (below 2^32) as an unsigned LEB128 at `p`; returns the position after it. */
function putU32(buf: Uint8Array, p: number, n: number): number {
  while (n >= 0x80) {
    buf[p++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[p++] = n;
  return p;
}

/** The size of an unsigned LEB128 encoding of `n` (below 2^32). */
function leb32Size(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x20_0000 ? 3 : n < 0x1000_0000 ? 4 : 5;
}

function sigText(t: FuncSig): string {
  return `${t.params.length ? ` (param ${t.params.join(" ")})` : ""}${
    t.results.length ? ` (result ${t.results.join(" ")})` : ""
  }`;
}

function str(s: string): string {
  return JSON.stringify(s);
}

function floatText(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (Object.is(n, -0)) return "-0";
  return String(n);
}
