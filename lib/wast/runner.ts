/**
 * The `.wast` runner: executes the component-model specification's scripts
 * (components, instances, invocations and assertions) against wasmfuse.
 *
 * wasmfuse has no text parser: component and module text is turned into
 * binary by the function the caller supplies ({@link WastOptions.wat}; the
 * CLI uses the `wasm-tools` of the dev dependency `@bytecodealliance/jco-transpile`).
 * Everything else (parsing, linking, fusing, running, checking) is wasmfuse.
 *
 * Every assertion is `passed`, `failed` or `skipped`; it is skipped (with a
 * reason) only when it cannot be evaluated: it needs a feature wasmfuse
 * does not implement ({@link UnsupportedError}), checks text-format
 * malformation, which belongs to the text parser, or checks a core module,
 * which belongs to the engine.
 *
 * @module
 */

import { ParseError } from "../binary/errors.ts";
import type { ExportNode } from "../inline/dfg.ts";
import { compile, type Component, type ComponentInstance } from "../runtime/instance.ts";
import { Trap } from "../runtime/trap.ts";
import { hasJspi } from "../runtime/jspi.ts";
import { LinkError, UnsupportedError } from "../types/errors.ts";
import type { TypeFunc } from "../types/model.ts";
import {
  concatStrings,
  isAtom,
  isList,
  readSexprs,
  type SList,
  type SNode,
  stringText,
} from "./sexpr.ts";
import { formatValue, matchValue, readValue } from "./values.ts";

/** How the runner turns text into binaries. */
export interface WastOptions {
  /**
   * Turn component (or core module) text into its binary.
   * @param text The text, `(component ...)` or `(module ...)`.
   * @returns The binary.
   */
  wat(text: string): Promise<Uint8Array>;
  /**
   * Called as each directive starts (a runner that stops a script taking
   * too long can say which directive it stopped in).
   * @param line The directive's line (1-based).
   * @param directive The directive (`assert_return`, ...).
   */
  onDirective?(line: number, directive: string): void;
  /**
   * Called with each outcome as it is known.
   * @param a The outcome.
   */
  onAssertion?(a: WastAssertion): void;
}

/** The outcome of one assertion. */
export type WastStatus = "passed" | "failed" | "skipped";

/** One assertion (or a directive that failed on its own). */
export interface WastAssertion {
  /** Line of the directive (1-based). */
  readonly line: number;
  /** The directive (`assert_return`, `assert_trap`, `component`, ...). */
  readonly directive: string;
  /** The outcome. */
  readonly status: WastStatus;
  /** Why it failed or was skipped. */
  readonly message?: string;
}

/** The outcome of a script. */
export interface WastResult {
  /** Assertions that passed. */
  readonly passed: number;
  /** Assertions (and directives) that failed. */
  readonly failed: number;
  /** Assertions that could not be evaluated. */
  readonly skipped: number;
  /** Every outcome, in script order. */
  readonly assertions: readonly WastAssertion[];
}

/** A component or instance that could not be made, and why. */
interface Broken {
  readonly broken: true;
  readonly line: number;
  readonly error: unknown;
}

interface Live {
  readonly broken: false;
  readonly component: Component;
  readonly instance: ComponentInstance;
  /**
   * Why a call on it was skipped, if one was: what the script calls on it
   * afterwards expects the state that call would have left, so it is skipped too.
   */
  skipped?: string;
}

type Slot = Live | Broken;
type Made = Component | Broken;

/** The outcome of evaluating one thing: an error means skip or fail. */
class Skip extends Error {}
class Fail extends Error {}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Core wasm traps as Wasmtime words them (what the suites expect), from the
 * messages of JavaScript engines (V8, SpiderMonkey, JavaScriptCore).
 */
const CORE_TRAPS: readonly [RegExp, string][] = [
  [/unreachable/i, "wasm `unreachable` instruction executed"],
  [/memory access out of bounds|out of bounds memory access/i, "out of bounds memory access"],
  [/divide by zero|division by zero/i, "integer divide by zero"],
  [/integer overflow|integer result unrepresentable/i, "integer overflow"],
  [/float unrepresentable|invalid conversion to integer/i, "invalid conversion to integer"],
  [
    /table index is out of bounds|index out of bounds/i,
    "undefined element: out of bounds table access",
  ],
  [/signature mismatch|indirect call type mismatch/i, "indirect call type mismatch"],
];

/** A trap's message, and for a core wasm trap also Wasmtime's words for it. */
function trapTexts(e: unknown): string[] {
  const text = errorText(e);
  if (!(e instanceof WebAssembly.RuntimeError)) return [text];
  return [text, ...CORE_TRAPS.filter(([re]) => re.test(text)).map(([, words]) => words)];
}

function isTrap(e: unknown): boolean {
  return e instanceof Trap || e instanceof WebAssembly.RuntimeError;
}

/** The error of a broken component as a skip (unsupported) or a failure. */
function brokenError(b: Broken, what: string): Error {
  const msg = `${what} at line ${b.line}: ${errorText(b.error)}`;
  return b.error instanceof UnsupportedError ? new Skip(`unsupported: ${msg}`) : new Fail(msg);
}

/** The function type of an export, when it is a function. */
function exportType(c: Component, name: string): TypeFunc | undefined {
  const e: ExportNode | undefined = c.translation.dfg.exports.find((x) => x.name === name);
  if (e === undefined) return undefined;
  const item = e.item;
  return item.kind === "lifted" || item.kind === "func-import" ? item.type : undefined;
}

/**
 * Run a `.wast` script.
 *
 * @example Running a one-assertion script
 * ```ts
 * import { runWast } from "@wasmfuse/fuse/wast";
 * import assert from "node:assert/strict";
 *
 * const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const r = await runWast('(assert_malformed (component binary "\\00asm\\0d\\00\\01") "unexpected end")', {
 *   wat: () => Promise.resolve(empty),
 * });
 * assert.equal(r.passed, 1);
 * ```
 *
 * @param source The script.
 * @param options How to turn text into binaries.
 * @returns The outcome of every assertion.
 * @throws {SexprError} When the script itself is malformed.
 */
export async function runWast(source: string, options: WastOptions): Promise<WastResult> {
  return await new WastRunner(source, options).run();
}

class WastRunner {
  readonly #source: string;
  readonly #opts: WastOptions;
  readonly #definitions = new Map<string, Made>();
  readonly #instances = new Map<string, Slot>();
  readonly #registered: Record<string, unknown> = {};
  #current?: Slot;
  readonly #out: WastAssertion[] = [];

  constructor(source: string, opts: WastOptions) {
    this.#source = source;
    this.#opts = opts;
  }

  async run(): Promise<WastResult> {
    for (const form of readSexprs(this.#source)) {
      if (!isList(form) || !isAtom(form.items[0])) {
        this.#record(form, "?", "failed", "expected a directive");
        continue;
      }
      const kind = form.items[0].value;
      this.#opts.onDirective?.(form.line, kind);
      try {
        await this.#directive(kind, form);
      } catch (e) {
        if (e instanceof Skip) this.#record(form, kind, "skipped", e.message);
        else this.#record(form, kind, "failed", errorText(e));
      }
    }
    let passed = 0, failed = 0, skipped = 0;
    for (const a of this.#out) {
      if (a.status === "passed") passed++;
      else if (a.status === "failed") failed++;
      else skipped++;
    }
    return { passed, failed, skipped, assertions: this.#out };
  }

  #record(form: SNode, directive: string, status: WastStatus, message?: string): void {
    const a: WastAssertion = message === undefined
      ? { line: form.line, directive, status }
      : { line: form.line, directive, status, message };
    this.#out.push(a);
    this.#opts.onAssertion?.(a);
  }

  async #directive(kind: string, form: SList): Promise<void> {
    switch (kind) {
      case "component": {
        const second = form.items[1];
        if (isAtom(second, "instance")) return this.#instanceDirective(form);
        if (isAtom(second, "definition")) {
          const name = isAtom(form.items[2]) && form.items[2].value.startsWith("$")
            ? form.items[2].value
            : undefined;
          const made = await this.#make(form);
          if (name !== undefined) this.#definitions.set(name, made);
          if (
            "broken" in made && !(made.error instanceof UnsupportedError)
          ) {
            throw new Fail(`component definition failed: ${errorText(made.error)}`);
          }
          return;
        }
        const slot = this.#instantiate(await this.#make(form), form.line);
        const name = isAtom(second) && second.value.startsWith("$") ? second.value : undefined;
        if (name !== undefined) this.#name(name, slot);
        this.#current = slot;
        if (slot.broken && !(slot.error instanceof UnsupportedError)) {
          throw new Fail(`component failed: ${errorText(slot.error)}`);
        }
        return;
      }
      case "module":
        // a core module at the top of a script: compile it, nothing runs it
        await this.#opts.wat(this.#text(form));
        return;
      case "register": {
        const name = form.items[1];
        if (name?.kind !== "string") throw new Fail("`register` needs a name");
        const slot = this.#slot(form.items[2]);
        if (slot.broken) throw brokenError(slot, "the registered component");
        this.#registered[stringText(name)] = slot.instance.exports;
        return;
      }
      case "invoke":
        await this.#invoke(form);
        return;
      case "assert_return":
        return await this.#assertReturn(form);
      case "assert_trap":
        return await this.#assertTrap(form);
      case "assert_invalid":
      case "assert_malformed":
      case "assert_unlinkable":
        return await this.#assertRejected(kind, form);
      default:
        throw new Skip(`the runner does not evaluate \`${kind}\``);
    }
  }

  #text(form: SList): string {
    return this.#source.slice(form.start, form.end);
  }

  /** Compile a `(component ...)` form: text, `binary` or `quote`. */
  async #make(form: SList): Promise<Made> {
    let bytes: Uint8Array;
    try {
      bytes = await this.#bytes(form);
    } catch (e) {
      if (e instanceof Skip || e instanceof Fail) throw e;
      throw new Fail(`the text does not assemble: ${errorText(e)}`);
    }
    try {
      return await compile(bytes);
    } catch (e) {
      return { broken: true, line: form.line, error: e };
    }
  }

  async #bytes(form: SList): Promise<Uint8Array> {
    let i = 1;
    if (isAtom(form.items[i], "definition")) i++;
    if (isAtom(form.items[i]) && (form.items[i] as { value: string }).value.startsWith("$")) i++;
    const mode = form.items[i];
    const strings = () => {
      const rest = form.items.slice(i + 1);
      if (rest.some((s) => s.kind !== "string")) throw new Fail("expected strings");
      return concatStrings(rest as Extract<SNode, { kind: "string" }>[]);
    };
    if (isAtom(mode, "binary")) return strings();
    if (isAtom(mode, "quote")) {
      return await this.#opts.wat(`(component ${new TextDecoder().decode(strings())})`);
    }
    if (isAtom(form.items[1], "definition")) {
      return await this.#opts.wat(
        "(component" + this.#source.slice(form.items[1].end, form.end),
      );
    }
    return await this.#opts.wat(this.#text(form));
  }

  #instantiate(made: Made, line: number): Slot {
    if ("broken" in made) return made;
    try {
      // results as `{ tag, val }`: `assert_return` compares them as values; async (JSPI)
      // where the engine has it, as the async suite needs, every call returning a Promise
      const instance = made.instantiate(this.#registered, {
        results: "tagged",
        ...(hasJspi() ? { async: true } : {}),
      });
      return { broken: false, component: made, instance };
    } catch (e) {
      return { broken: true, line, error: e };
    }
  }

  #instanceDirective(form: SList): void {
    const [, , nameNode, defNode] = form.items;
    if (!isAtom(nameNode) || !isAtom(defNode)) {
      throw new Fail("expected `(component instance $name $definition)`");
    }
    const def = this.#definitions.get(defNode.value);
    if (def === undefined) throw new Fail(`unknown component definition \`${defNode.value}\``);
    const slot = this.#instantiate(def, form.line);
    this.#name(nameNode.value, slot);
    this.#current = slot;
    if (slot.broken) {
      const e = slot.error;
      if (e instanceof UnsupportedError) return;
      if (!("broken" in def)) throw new Fail(`instantiation failed: ${errorText(e)}`);
    }
  }

  /**
   * Name an instance. As in Wasmtime's harness (the one the suites are
   * written for), a named instance is also registered under its name
   * without the `$`: `(component $foo ...)` is importable as `foo`.
   */
  #name(name: string, slot: Slot): void {
    this.#instances.set(name, slot);
    if (!slot.broken) this.#registered[name.slice(1)] = slot.instance.exports;
  }

  #slot(name: SNode | undefined): Slot {
    if (isAtom(name)) {
      const s = this.#instances.get(name.value);
      if (s === undefined) throw new Fail(`unknown component instance \`${name.value}\``);
      return s;
    }
    if (this.#current === undefined) throw new Fail("no component instance to invoke");
    return this.#current;
  }

  /** Run an `(invoke $i? "name" args...)`: its result and its type. */
  async #invoke(form: SNode | undefined): Promise<{ value: unknown; type: TypeFunc }> {
    if (!isList(form, "invoke")) throw new Fail("expected `(invoke ...)`");
    let i = 1;
    const named = isAtom(form.items[1]) ? form.items[i++] : undefined;
    const slot = this.#slot(named);
    if (slot.broken) throw brokenError(slot, "the component");
    const nameNode = form.items[i++];
    if (nameNode?.kind !== "string") throw new Fail("`invoke` needs an export name");
    const name = stringText(nameNode);
    const type = exportType(slot.component, name);
    const fn = slot.instance.exports[name];
    if (type === undefined || typeof fn !== "function") {
      throw new Fail(`no exported function \`${name}\``);
    }
    const argNodes = form.items.slice(i);
    if (argNodes.length !== type.params.length) {
      throw new Fail(`\`${name}\` takes ${type.params.length} arguments, got ${argNodes.length}`);
    }
    const args = argNodes.map((n, k) => readValue(n, type.params[k].type));
    if (slot.skipped !== undefined) {
      throw new Skip(`an earlier call on this instance was skipped (${slot.skipped})`);
    }
    try {
      return { value: await fn(...args), type };
    } catch (e) {
      if (e instanceof UnsupportedError) {
        slot.skipped = `unsupported: ${e.message}`;
        throw new Skip(slot.skipped);
      }
      throw e;
    }
  }

  async #assertReturn(form: SList): Promise<void> {
    let r: { value: unknown; type: TypeFunc };
    try {
      r = await this.#invoke(form.items[1]);
    } catch (e) {
      if (e instanceof Skip || e instanceof Fail) throw e;
      throw new Fail(`${isTrap(e) ? "trapped" : "threw"}: ${errorText(e)}`);
    }
    const expected = form.items.slice(2);
    const result = r.type.result;
    if (result === undefined) {
      if (expected.length !== 0) throw new Fail("the function has no result");
    } else {
      if (expected.length !== 1) {
        throw new Fail(`expected 1 result, the script gives ${expected.length}`);
      }
      const diff = matchValue(r.value, expected[0], result);
      if (diff !== undefined) throw new Fail(diff);
    }
    this.#record(form, "assert_return", "passed");
  }

  async #assertTrap(form: SList): Promise<void> {
    const target = form.items[1];
    const msgNode = form.items[2];
    if (msgNode?.kind !== "string") throw new Fail("`assert_trap` needs a message");
    // Wasmtime prints traps as `wasm trap: <rule>`; the rule is what is compared
    const expected = stringText(msgNode).replace(/^wasm trap: /, "");
    let error: unknown;
    if (isList(target, "invoke")) {
      try {
        const r = await this.#invoke(target);
        throw new Fail(
          `returned ${r.type.result ? formatValue(r.value, r.type.result) : "normally"}`,
        );
      } catch (e) {
        if (e instanceof Skip || e instanceof Fail) throw e;
        error = e;
      }
    } else if (isList(target, "component")) {
      const made = await this.#make(target);
      if ("broken" in made) throw brokenError(made, "the component");
      const slot = this.#instantiate(made, target.line);
      if (!slot.broken) throw new Fail("instantiation did not trap");
      error = slot.error;
    } else {
      throw new Skip("`assert_trap` on something other than an invocation or a component");
    }
    if (error instanceof UnsupportedError) throw new Skip(`unsupported: ${errorText(error)}`);
    if (!isTrap(error)) throw new Fail(`expected a trap, got ${errorText(error)}`);
    if (!trapTexts(error).some((t) => t.includes(expected))) {
      throw new Fail(`trap \`${errorText(error)}\` does not mention \`${expected}\``);
    }
    this.#record(form, "assert_trap", "passed");
  }

  async #assertRejected(kind: string, form: SList): Promise<void> {
    const target = form.items[1];
    const msgNode = form.items[2];
    const expected = msgNode?.kind === "string" ? stringText(msgNode) : "";
    if (isList(target, "module")) {
      // compiled as a component, any core module would be "rejected"
      throw new Skip(`\`${kind}\` on a core module: checking core wasm is the engine's`);
    }
    if (!isList(target, "component")) {
      throw new Skip(`\`${kind}\` on something other than a component`);
    }
    const isBinary = target.items.some((n) => isAtom(n, "binary"));
    if (kind === "assert_malformed" && !isBinary) {
      throw new Skip("text-format malformation is the text parser's to detect");
    }
    let bytes: Uint8Array;
    try {
      bytes = await this.#bytes(target);
    } catch (e) {
      if (e instanceof Skip || e instanceof Fail) throw e;
      throw new Skip(`the text parser rejects it before wasmfuse sees it: ${errorText(e)}`);
    }
    let error: unknown;
    try {
      const c = await compile(bytes);
      if (kind === "assert_unlinkable") c.instantiate(this.#registered);
    } catch (e) {
      error = e;
    }
    if (error === undefined) throw new Fail(`accepted; expected \`${expected}\``);
    if (error instanceof UnsupportedError) throw new Skip(`unsupported: ${errorText(error)}`);
    const ok = kind === "assert_malformed"
      ? error instanceof ParseError && errorText(error).includes(expected)
      : error instanceof ParseError || error instanceof LinkError;
    if (!ok) throw new Fail(`rejected with \`${errorText(error)}\`; expected \`${expected}\``);
    this.#record(form, kind, "passed");
  }
}
