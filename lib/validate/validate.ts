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
import { decodeModule } from "../parse/module.ts";
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
  if (!WebAssembly.validate(m.bytes)) {
    let why = "the engine rejects it";
    try {
      new WebAssembly.Module(m.bytes);
    } catch (e) {
      why = `the engine rejects it: ${e instanceof Error ? e.message : String(e)}`;
    }
    throw new ValidationError(why, m.index);
  }
  const info = decodeModule(m.bytes, 0);
  if (info.imports.length !== m.imports.length) {
    throw new ValidationError(
      `it has ${info.imports.length} imports but ${m.imports.length} bindings`,
      m.index,
    );
  }
  info.imports.forEach((imp, i) => {
    const bound = m.imports[i];
    if (bound.module !== imp.module || bound.name !== imp.name) {
      throw new ValidationError(
        `import ${i} is "${imp.module}" "${imp.name}" but its binding names "${bound.module}" "${bound.name}"`,
        m.index,
      );
    }
  });
  const funcExports = new Map<string, number>();
  for (const e of info.exports) if (e.kind === "func") funcExports.set(e.name, e.index);
  for (const id of m.adapters) {
    const name = m.exports.get(id);
    const index = name === undefined ? undefined : funcExports.get(name);
    const exp = index === undefined ? undefined : { index };
    if (name === undefined || exp === undefined) {
      throw new ValidationError("the adapter is not exported", m.index, id);
    }
    const a = dfg.adapters[id];
    const want = flattenFuncType(a.lowerType, "lower", a.lowerOptions.memory64 ? "i64" : "i32");
    const sig = info.types[info.funcs[exp.index]]?.type;
    if (
      sig?.kind !== "func" || sig.params.join() !== want.params.join() ||
      sig.results.join() !== want.results.join()
    ) {
      throw new ValidationError(
        `the export has type (${
          sig?.kind === "func" ? sig.params.join(", ") : "?"
        }) but the lowering side needs (${want.params.join(", ")}) -> (${want.results.join(", ")})`,
        m.index,
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
