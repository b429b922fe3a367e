/**
 * Host functions behind guards. A JavaScript error thrown into core wasm is
 * a JavaScript exception there, which a `catch_all` in the component's own
 * code can catch, while a trap (and, as in Wasmtime, a host function's
 * error) must unwind every wasm frame up to the host. So each host function
 * a core module imports (host lowerings, resource and task built-ins, host
 * adapters, string transcoders, handle transfers and call scopes) is called
 * through a small wasm trampoline:
 * the JavaScript side catches what the function throws, records it and
 * returns zeros; the trampoline then sees the recorded flag and executes
 * `unreachable`, an engine trap no wasm code can catch. Where the error
 * comes out at the host, {@link Guards.errorOf} gives back what was thrown.
 *
 * The trampoline is also where a caller waits (JSPI): a host function that
 * returns a Promise (an async host function, a wait that must wait) parks
 * it and returns; the trampoline then calls its wait import, a
 * `WebAssembly.Suspending` that gives JSPI the Promise, and its caller
 * suspends until it settles; resumed, the trampoline first tells the host
 * (`resumed`: which fiber runs now). A host function that returns at once
 * never suspends its caller (JSPI suspends at every call of a suspending
 * import).
 *
 * One trampoline module per compiled component holds a trampoline per
 * (host definition, core signature) the plan wires into wasm; it is built
 * and compiled once, and instantiated once per instantiation.
 *
 * @module
 */

import type { Translation } from "../fuse.ts";
import type { CoreDef } from "../inline/dfg.ts";
import type { CoreSubType, CoreValType } from "../parse/items.ts";
import { decodeModule } from "../parse/module.ts";
import { type FuncRef, type FuncSig, ModuleBuilder, type NumType } from "../wasm/module.ts";
import { hasJspi, isSuspendError, suspending } from "./jspi.ts";
import { TASK_RULES } from "./tasks.ts";
import { Trap } from "./trap.ts";

/** One guarded import: the host definition and the core signature it is imported with. */
export interface GuardEntry {
  /** The host definition (a lowering, a built-in, a host adapter), or a transcoder binding. */
  readonly source: { readonly def: CoreDef } | {
    readonly adapterModule: number;
    readonly import: number;
  };
  /** The signature the importing module declares. */
  readonly sig: FuncSig;
}

/** The guards of a compiled component: the trampoline module and where each trampoline goes. */
export interface GuardPlan {
  /** The trampoline module (undefined when nothing needs a guard). */
  readonly module?: WebAssembly.Module;
  /** The entries, by trampoline index. */
  readonly entries: readonly GuardEntry[];
  /** The trampoline of each static core module's import: `${instance}/${import}` to index. */
  readonly staticImports: ReadonlyMap<string, number>;
  /** The trampoline of each adapter module's import: `${module}/${import}` to index. */
  readonly adapterImports: ReadonlyMap<string, number>;
}

/** Whether a definition is implemented by the host (a JavaScript function). */
export function isHostDef(d: CoreDef): boolean {
  return d.kind !== "export" && d.kind !== "adapter" && d.kind !== "instance-flags";
}

const NUMS = new Set<CoreValType>(["i32", "i64", "f32", "f64"]);

/** A function type's numbers, or undefined when it has other types (left unguarded). */
function numericSig(types: readonly CoreSubType[], index: number): FuncSig | undefined {
  const t = types[index]?.type;
  if (t?.kind !== "func") return undefined;
  if (!t.params.every((p) => NUMS.has(p)) || !t.results.every((r) => NUMS.has(r))) return undefined;
  return { params: t.params as NumType[], results: t.results as NumType[] };
}

/**
 * Find every host function the plan wires into core wasm, and build the
 * trampoline module for them.
 * @param t The translation.
 * @returns The plan of guards.
 */
export function planGuards(t: Translation): GuardPlan {
  const { dfg } = t;
  const entries: GuardEntry[] = [];
  const byKey = new Map<string, number>();
  const staticImports = new Map<string, number>();
  const adapterImports = new Map<string, number>();
  const entry = (key: string, source: GuardEntry["source"], sig: FuncSig): number => {
    const k = `${key}|${sig.params.join(",")}>${sig.results.join(",")}`;
    let i = byKey.get(k);
    if (i === undefined) {
      i = entries.push({ source, sig }) - 1;
      byKey.set(k, i);
    }
    return i;
  };
  // adapter modules of one shape share their bytes (see buildAdapterModule): decoded once
  const decoded = new Map<Uint8Array, ReturnType<typeof decodeModule>>();
  for (const step of t.plan) {
    if (step.kind === "instantiate") {
      const node = dfg.instances[step.instance];
      if (node.module.kind !== "static") continue; // an imported module's types are not known
      const info = dfg.modules[node.module.id];
      const args = node.args as readonly CoreDef[];
      info.imports.forEach((imp, i) => {
        const def = args[i];
        if (imp.type.kind !== "func" || def === undefined || !isHostDef(def)) return;
        const sig = numericSig(info.types, imp.type.type);
        if (sig === undefined) return;
        staticImports.set(`${step.instance}/${i}`, entry(JSON.stringify(def), { def }, sig));
      });
    } else if (step.kind === "instantiate-adapter-module") {
      const m = t.adapterModules[step.module];
      let info = decoded.get(m.bytes);
      m.imports.forEach((imp, i) => {
        const b = imp.binding;
        const def = b.kind === "callee"
          ? b.def
          : b.kind === "realloc"
          ? dfg.reallocs[b.realloc]
          : b.kind === "post-return"
          ? dfg.postReturns[b.postReturn]
          : undefined;
        const intrinsic = b.kind === "transcode" || b.kind === "transfer-own" ||
          b.kind === "transfer-borrow" || b.kind === "transfer-error-context" ||
          b.kind === "call-enter" || b.kind === "call-exit" || b.kind === "call-end";
        if (!intrinsic && (def === undefined || !isHostDef(def))) return;
        if (info === undefined) decoded.set(m.bytes, info = decodeModule(m.bytes, 0));
        const type = info.imports[i].type;
        if (type.kind !== "func") return;
        const sig = numericSig(info.types, type.type);
        if (sig === undefined) return;
        const index = def === undefined
          ? entry(`t${m.index}/${i}`, { adapterModule: m.index, import: i }, sig)
          : entry(JSON.stringify(def), { def }, sig);
        adapterImports.set(`${m.index}/${i}`, index);
      });
    }
  }
  if (entries.length === 0) return { entries, staticImports, adapterImports };
  return { module: trampolines(entries), entries, staticImports, adapterImports };
}

/**
 * The trampoline module: imports `guard`/`trapped` and `guard`/`parked`
 * (mutable i32 globals), `host`/`f{i}` for each entry and `host`/`wait:{results}`
 * for each result signature, and exports `g{i}`, which calls `f{i}`; when
 * `f{i}` parked a Promise (`parked` set), it calls `wait:...` instead for
 * the result (a `WebAssembly.Suspending`: the caller suspends until the
 * Promise settles), then `host`/`resumed`; it executes `unreachable` when
 * `trapped` is set.
 */
function trampolines(entries: readonly GuardEntry[]): WebAssembly.Module {
  const b = new ModuleBuilder();
  const trapped = b.importGlobal("guard", "trapped", "i32", true);
  const parked = b.importGlobal("guard", "parked", "i32", true);
  const resumed = b.importFunc("host", "resumed", { params: [], results: [] });
  const waits = new Map<string, FuncRef>();
  entries.forEach((e, i) => {
    const f = b.importFunc("host", `f${i}`, e.sig);
    const key = waitKey(e.sig);
    let wait = waits.get(key);
    if (wait === undefined) {
      waits.set(key, wait = b.importFunc("host", key, { params: [], results: e.sig.results }));
    }
    const { ref, body } = b.func(e.sig, `g${i}`);
    for (let p = 0; p < e.sig.params.length; p++) body.op("local.get", p);
    body.call(f);
    body.op("global.get", parked);
    body.open("if", { params: e.sig.results, results: e.sig.results });
    for (let r = 0; r < e.sig.results.length; r++) body.op("drop");
    body.op("i32.const", 0).op("global.set", parked).call(wait).call(resumed).op("end");
    body.op("global.get", trapped).open("if").op("unreachable").op("end");
    b.exportFunc(`g${i}`, ref);
  });
  return new WebAssembly.Module(b.encode());
}

/** The name of the wait import for a signature's results. */
function waitKey(sig: FuncSig): string {
  return `wait:${sig.results.join(",")}`;
}

/** The zeros a guarded function returns after recording an error. */
function zeros(sig: FuncSig): unknown {
  const z = sig.results.map((r) => r === "i64" ? 0n : 0);
  return z.length === 0 ? undefined : z.length === 1 ? z[0] : z;
}

/** The guards of one instantiation: the trampolines and what was thrown. */
export class Guards {
  readonly #trapped = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
  /** Set when a host function parked a Promise: the trampoline waits for it. */
  readonly #parkedFlag = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
  /** The Promise the trampoline's wait import gives JSPI to wait for. */
  #parked: Promise<unknown> | undefined;
  #thrown: unknown;
  #exports: WebAssembly.Exports | undefined;
  /** The host function of each entry, once asked for. */
  readonly #fns: (CallableFunction | undefined)[] = [];
  readonly #host: (e: GuardEntry) => CallableFunction;
  /** Told of each suspension: what JSPI waits for (see `Scheduler.suspend`). */
  readonly #suspend: (p: Promise<unknown>) => Promise<unknown>;

  /**
   * Instantiate the trampolines.
   * @param plan The component's guards.
   * @param host The JavaScript function of an entry, asked for when its
   *   trampoline is first wired (so a missing import fails where it did).
   */
  constructor(
    readonly plan: GuardPlan,
    host: (e: GuardEntry) => CallableFunction,
    suspend: (p: Promise<unknown>) => Promise<unknown> = (p) => p,
    resumed: () => void = () => {},
  ) {
    this.#host = host;
    this.#suspend = suspend;
    if (plan.module === undefined) return;
    const imports: Record<string, unknown> = { resumed };
    plan.entries.forEach((e, i) => {
      imports[`f${i}`] = this.#guarded(i, e.sig.params.length, zeros(e.sig));
      imports[waitKey(e.sig)] ??= hasJspi() ? suspending(() => this.#unpark()) : () => {
        throw new Error("a host function returned a Promise in an engine without JSPI");
      };
    });
    this.#exports = new WebAssembly.Instance(plan.module, {
      guard: { trapped: this.#trapped, parked: this.#parkedFlag },
      host: imports as WebAssembly.ModuleImports,
    }).exports;
  }

  /**
   * A host function returned a Promise: its caller is to wait for it (the
   * trampoline calls its wait import, JSPI suspends the caller there). A
   * host function that returns at once does not suspend its caller.
   */
  #park(p: Promise<unknown>, fail: (err: unknown) => unknown): unknown {
    this.#parked = this.#suspend(p.then(undefined, fail));
    this.#parkedFlag.value = 1;
    return undefined;
  }

  /** The parked Promise, for the wait import. */
  #unpark(): Promise<unknown> {
    const p = this.#parked!;
    this.#parked = undefined;
    return p;
  }

  #guarded(i: number, arity: number, zero: unknown): CallableFunction {
    const fns = this.#fns;
    const fail = (err: unknown) => {
      this.raise(err);
      return zero;
    };
    const out = (r: unknown) => r instanceof Promise ? (this.#park(r, fail), zero) : r;
    // fixed arities for the common signatures: no rest array per call
    switch (arity) {
      case 0:
        return () => {
          try {
            return out(fns[i]!());
          } catch (err) {
            return fail(err);
          }
        };
      case 1:
        return (a: unknown) => {
          try {
            return out(fns[i]!(a));
          } catch (err) {
            return fail(err);
          }
        };
      case 2:
        return (a: unknown, b: unknown) => {
          try {
            return out(fns[i]!(a, b));
          } catch (err) {
            return fail(err);
          }
        };
      case 3:
        return (a: unknown, b: unknown, c: unknown) => {
          try {
            return out(fns[i]!(a, b, c));
          } catch (err) {
            return fail(err);
          }
        };
      case 4:
        return (a: unknown, b: unknown, c: unknown, d: unknown) => {
          try {
            return out(fns[i]!(a, b, c, d));
          } catch (err) {
            return fail(err);
          }
        };
      default:
        return (...a: unknown[]) => {
          try {
            return out(fns[i]!(...a));
          } catch (err) {
            return fail(err);
          }
        };
    }
  }

  /**
   * Record an error for the trampoline (or an adapter's `unreachable`) to
   * turn into an engine trap.
   * @param e What was thrown.
   */
  raise(e: unknown): void {
    // the engine trap an error already recorded caused, unwinding through a
    // host function (a realloc called while a host result is lowered): the
    // first error is the one to report
    if (this.#trapped.value === 1 && e instanceof WebAssembly.RuntimeError) return;
    this.#thrown = e;
    this.#trapped.value = 1;
  }

  /**
   * The trampoline of a guarded entry.
   * @param i The entry's index.
   * @returns The function core wasm imports instead of the host's.
   */
  trampoline(i: number): CallableFunction {
    this.#fns[i] ??= this.#host(this.plan.entries[i]);
    return this.#exports![`g${i}`] as CallableFunction;
  }

  /**
   * The error recorded for the engine trap that is unwinding now, taken
   * (before the trap itself is caught: a fiber's, which JSPI reports a
   * microtask later), if one is.
   * @returns The error, or undefined.
   */
  recorded(): unknown {
    if (this.#trapped.value === 0) return undefined;
    const thrown = this.#thrown;
    this.#thrown = undefined;
    this.#trapped.value = 0;
    return thrown;
  }

  /**
   * What a value caught from core wasm stands for: the error recorded
   * before the engine trap it caused, else the value itself.
   * @param e The caught value.
   * @returns The error to report.
   */
  errorOf(e: unknown): unknown {
    // JSPI refuses a suspending import outside `promising` without calling it: a synchronous
    // task (a start function's, say) called what may block
    if (isSuspendError(e)) return new Trap(TASK_RULES.cannotBlockSync);
    if (this.#trapped.value === 0 || !(e instanceof WebAssembly.RuntimeError)) return e;
    const thrown = this.#thrown;
    this.#thrown = undefined;
    this.#trapped.value = 0;
    return thrown;
  }
}
