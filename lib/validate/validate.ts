/**
 * `validate()`: the fifth pipeline stage. Every generated adapter module
 * must be valid core wasm and match its plan; a failure is a bug in
 * wasmfuse, reported as a {@link ValidationError} that stops the pipeline.
 *
 * @module
 */

import type { AdapterModule } from "../fact/module.ts";
import type { EncodeEvent } from "../fact/stream.ts";
import { type ComponentDfg, DfgCollector } from "../inline/dfg.ts";
import { flattenFuncType } from "../types/abi.ts";
import { Reader } from "../binary/reader.ts";
import { UnsupportedError } from "../types/errors.ts";

/**
 * A generated adapter module is invalid: a bug in wasmfuse, never the
 * input's fault. It names the module and, where it can, the adapter.
 */
export class ValidationError extends Error {
  /** The adapter module's index. */
  readonly module: number;
  /** The adapter concerned, when known. */
  readonly adapter?: number;

  /**
   * Create a validation error.
   * @param message What is wrong.
   * @param module The adapter module's index.
   * @param adapter The adapter concerned, when known.
   */
  constructor(message: string, module: number, adapter?: number) {
    super(
      `adapter module ${module}${adapter === undefined ? "" : `, adapter ${adapter}`}: ${message}`,
    );
    this.name = "ValidationError";
    this.module = module;
    if (adapter !== undefined) this.adapter = adapter;
  }
}

let multiMemory: boolean | undefined;

/**
 * Whether this engine validates a module with two memories (the
 * multi-memory proposal, in Wasm 3.0), checked once.
 * @returns Whether it does.
 */
export function engineHasMultiMemory(): boolean {
  // (module (memory 0) (memory 0))
  multiMemory ??= WebAssembly.validate(
    new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 5, 2, 0, 0, 0, 0]),
  );
  return multiMemory;
}

/**
 * Check one adapter module: the engine validates it, every import is bound
 * (and the module imports nothing else), and each adapter is exported with
 * the lowering side's flat signature.
 * @param m The module.
 * @param dfg The graph it was generated from.
 * @throws {ValidationError} When it is not.
 * @throws {UnsupportedError} When it needs multi-memory and the engine has none.
 */
export function validateAdapterModule(m: AdapterModule, dfg: ComponentDfg): void {
  const memories = m.imports.filter((i) => i.binding.kind === "memory").length;
  if (memories > 1 && !engineHasMultiMemory()) {
    throw new UnsupportedError(
      "this engine does not support multi-memory, which adapters between two components' " +
        "memories need; Deno, Chromium 120+, Firefox 125+ and Node 22+ do",
      "multi-memory",
    );
  }
  // modules of one shape share their bytes (see buildAdapterModule): the engine checks them once
  if (!engineValid.has(m.bytes) && !WebAssembly.validate(m.bytes)) {
    let why = "the engine rejects it";
    try {
      new WebAssembly.Module(m.bytes);
    } catch (e) {
      why = `the engine rejects it: ${e instanceof Error ? e.message : String(e)}`;
    }
    throw new ValidationError(why, m.index);
  }
  engineValid.add(m.bytes);
  checkOwnModule(m, dfg);
}

/** Bytes the engine has validated. */
const engineValid = new WeakSet<Uint8Array>();

function same(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const VAL_TYPES: Record<number, string> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x6f: "externref",
  0x69: "exnref",
};

/**
 * What the own checks read of a module's bytes: where each name is (its
 * bytes are compared where they lie, no string made for them) and each
 * exported function's signature.
 */
interface ModuleFacts {
  /** Per import: the start and length of its first-level name, then of its name. */
  readonly imports: Uint32Array;
  /** Per function export, in order: the start and length of its name, and its signature's index. */
  readonly exports: Uint32Array;
  /** The function types, by index. */
  readonly sigs: readonly { params: string[]; results: string[] }[];
  /** A defect found while reading, if any. */
  readonly defect?: string;
}

/**
 * The facts of small modules' bytes read before: modules of one shape share
 * their bytes (see buildAdapterModule), and a small module is likely to
 * have others of its shape; a large one's facts are not kept.
 */
const factsOf = new WeakMap<Uint8Array, ModuleFacts>();
const KEEP_FACTS_BELOW = 16 * 1024;
const NO_SIG = 0xffff_ffff;

/** Read the type, import, function and export sections of a module. */
function readFacts(bytes: Uint8Array): ModuleFacts {
  const known = factsOf.get(bytes);
  if (known !== undefined) return known;
  const r = new Reader(bytes);
  r.take(8);
  const sigs: { params: string[]; results: string[] }[] = [];
  const funcTypes: number[] = [];
  let imports = new Uint32Array(0);
  let exports = new Uint32Array(0);
  let defect: string | undefined;
  // a name's start and length, skipped over
  const name = (into: Uint32Array, at: number) => {
    const len = r.u32();
    into[at] = r.pos;
    into[at + 1] = len;
    r.need(len);
    r.pos += len;
  };
  read: while (!r.done) {
    const id = r.u8();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        if (r.u8() !== 0x60) {
          defect = "a type that is not a function type";
          break read;
        }
        const params: string[] = [];
        for (let k = r.u32(); k > 0; k--) params.push(VAL_TYPES[r.u8()] ?? "?");
        const results: string[] = [];
        for (let k = r.u32(); k > 0; k--) results.push(VAL_TYPES[r.u8()] ?? "?");
        sigs.push({ params, results });
      }
    } else if (id === 2) {
      const n = r.u32();
      imports = new Uint32Array(4 * n);
      for (let i = 0; i < n; i++) {
        name(imports, 4 * i);
        name(imports, 4 * i + 2);
        const kind = r.u8();
        if (kind === 0x00) {
          funcTypes.push(r.u32());
        } else if (kind === 0x02) {
          const flags = r.u8();
          r.u64();
          if (flags & 1) r.u64();
        } else if (kind === 0x03) r.take(2);
        else if (kind === 0x04) {
          r.u8();
          r.u32();
        } else {
          defect = `import ${i} has the unknown kind ${kind}`;
          break read;
        }
      }
    } else if (id === 3) {
      for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
    } else if (id === 7) {
      const n = r.u32();
      const found = new Uint32Array(3 * n);
      let funcs = 0;
      for (let i = 0; i < n; i++) {
        const at = 3 * funcs;
        name(found, at);
        const kind = r.u8();
        const index = r.u32();
        // the type and function sections come before the export section
        if (kind !== 0x00) continue;
        found[at + 2] = funcTypes[index] ?? NO_SIG;
        funcs++;
      }
      exports = found.subarray(0, 3 * funcs);
    }
    r.pos = end;
  }
  const facts: ModuleFacts = defect === undefined
    ? { imports, exports, sigs }
    : { imports, exports, sigs, defect };
  if (bytes.length < KEEP_FACTS_BELOW) factsOf.set(bytes, facts);
  return facts;
}

const utf8 = new TextDecoder();

/** Whether the name at `bytes[start, start + len)` is `text` (compared in place when ASCII). */
function nameIs(bytes: Uint8Array, start: number, len: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return nameAt(bytes, start, len) === text;
    if (i >= len || bytes[start + i] !== c) return false;
  }
  return len === text.length;
}

/** The name at `bytes[start, start + len)`, as a string (for messages and the rare lookup). */
function nameAt(bytes: Uint8Array, start: number, len: number): string {
  return utf8.decode(bytes.subarray(start, start + len));
}

/**
 * The checks the engine cannot make: the module imports what its bindings
 * say, in their order (names), and exports each adapter with the lowering
 * side's flat signature. It reads only the type, import, function and
 * export sections (once per bytes), compares names where they lie in the
 * bytes, and builds nothing but the signatures it compares.
 */
function checkOwnModule(m: AdapterModule, dfg: ComponentDfg): void {
  const fail = (why: string, adapter?: number): never => {
    throw new ValidationError(why, m.index, adapter);
  };
  const bytes = m.bytes;
  const facts = readFacts(bytes);
  if (facts.defect !== undefined) fail(facts.defect);
  const { imports, exports, sigs } = facts;
  const count = imports.length / 4;
  if (count !== m.imports.length) {
    fail(`it has ${count} imports but ${m.imports.length} bindings`);
  }
  for (let i = 0; i < count; i++) {
    const bound = m.imports[i];
    const at = 4 * i;
    if (
      !nameIs(bytes, imports[at], imports[at + 1], bound.module) ||
      !nameIs(bytes, imports[at + 2], imports[at + 3], bound.name)
    ) {
      fail(
        `import ${i} is "${nameAt(bytes, imports[at], imports[at + 1])}" "${
          nameAt(bytes, imports[at + 2], imports[at + 3])
        }" but its binding names "${bound.module}" "${bound.name}"`,
      );
    }
  }
  // the adapters are exported in their order: the kth export is looked for first
  let byName: Map<string, number> | undefined;
  const exportNamed = (name: string, k: number): number | undefined => {
    if (3 * k < exports.length && nameIs(bytes, exports[3 * k], exports[3 * k + 1], name)) {
      return k;
    }
    if (byName === undefined) {
      byName = new Map();
      for (let j = 0; j < exports.length; j += 3) {
        byName.set(nameAt(bytes, exports[j], exports[j + 1]), j / 3);
      }
    }
    return byName.get(name);
  };
  for (let k = 0; k < m.adapters.length; k++) {
    const id = m.adapters[k];
    const name = m.exports.get(id);
    const e = name === undefined ? undefined : exportNamed(name, k);
    if (e === undefined) fail("the adapter is not exported", id);
    const a = dfg.adapters[id];
    const want = flattenFuncType(a.lowerType, "lower", a.lowerOptions.memory64 ? "i64" : "i32");
    const sig = sigs[exports[3 * e! + 2]];
    if (sig === undefined || !same(sig.params, want.params) || !same(sig.results, want.results)) {
      fail(
        `the export has type (${sig?.params.join(", ") ?? "?"}) but the lowering side needs (${
          want.params.join(", ")
        }) -> (${want.results.join(", ")})`,
        id,
      );
    }
  }
}

/**
 * Passes everything through, checking each adapter module on the way.
 * The stream errors with a {@link ValidationError} on an invalid module.
 */
export class ValidateStream extends TransformStream<EncodeEvent, EncodeEvent> {
  /** Creates the stream. */
  constructor() {
    const collector = new DfgCollector();
    super({
      transform: (e, controller) => {
        if (e.kind === "adapter-module") validateAdapterModule(e, collector.dfg);
        else collector.add(e);
        controller.enqueue(e);
      },
    });
  }
}

/**
 * The fifth pipeline stage: checks every generated adapter module.
 * @returns A new {@link ValidateStream}.
 */
export function validate(): ValidateStream {
  return new ValidateStream();
}
