/**
 * Fuzz helper: the properties every input must have, checked on one
 * (mutated) component.
 *
 * 1. The parser, fed the whole input, gives payloads then at most a
 *    `ParseError`; `parse()` fed it in chunks emits the same payloads then
 *    the same error, for every chunking tried.
 * 2. `fuse()` of the bytes succeeds or throws a typed error (`ParseError`,
 *    `LinkError` and its `UnsupportedError`, `ValidationError`); `fuse()` of
 *    a stream of the same bytes gives the same translation or the same
 *    error, for every chunking tried.
 * 3. When it fused, `compile()` succeeds or throws a typed error; then,
 *    when its core modules are all the original's (so no mutated core code
 *    runs, which could loop), so does `instantiate()` with every unknown
 *    import trapping. Typed: the above, `Trap`, or the engine's
 *    `WebAssembly.RuntimeError` for a trap in core code (documented as
 *    such).
 *
 * @module
 */

import { LinkError, ParseError, Trap, UnsupportedError, ValidationError } from "../../mod.ts";
import { compile, type Component } from "../../mod.ts";
import { chunked, decoded, fused, streamed } from "../_streams.ts";

/** What became of one input, for the campaign's counts, and what is wrong with it. */
export interface Verdict {
  /** How far it went: `parse error`, `link error`, `unsupported`, `instantiated`, ... */
  readonly outcome: string;
  /** Broken properties, in words; empty when all hold. */
  readonly problems: readonly string[];
}

/** Inputs up to this size are also fed one byte at a time. */
const SMALL = 4096;

/** The chunkings to try: fixed sizes, and a random list of sizes. */
function chunkings(length: number, r: () => number): (number | number[])[] {
  const random = Array.from({ length: 8 }, () => 1 + Math.floor(r() * (length > SMALL ? 32 : 64)));
  return length > SMALL ? [random, 46, 1009] : [1, 7, 46, random];
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : `non-error ${String(e)}`;
}

function untyped(stage: string, e: unknown): string {
  const stack = e instanceof Error && e.stack ? `\n${e.stack}` : "";
  return `${stage} threw an untyped error: ${describe(e)}${stack}`;
}

/** Errors the front end (parse, inline, fuse) may throw. */
function isFuseError(e: unknown): boolean {
  return e instanceof ParseError || e instanceof LinkError || e instanceof ValidationError;
}

/** Errors compile and instantiate may also throw. */
function isRunError(e: unknown): boolean {
  return isFuseError(e) || e instanceof Trap || e instanceof WebAssembly.RuntimeError;
}

/**
 * A key for a core module's bytes: its length and a hash.
 * @param bytes The module.
 * @returns The key.
 */
export function moduleKey(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `${bytes.length}:${(h >>> 0).toString(16)}`;
}

/** The first line where two line lists differ. */
function firstDifference(want: readonly string[], got: readonly string[]): string {
  let i = 0;
  while (i < want.length && want[i] === got[i]) i++;
  return `payload ${i}: want ${want[i] ?? "(nothing)"}, got ${got[i] ?? "(nothing)"}`;
}

/** An error's kind, in words. */
function kindOf(e: unknown): string {
  return e instanceof ParseError
    ? "a parse error"
    : e instanceof UnsupportedError
    ? "unsupported"
    : e instanceof LinkError
    ? "a link error"
    : e instanceof ValidationError
    ? "a validation error"
    : e instanceof Trap
    ? "a trap"
    : e instanceof WebAssembly.RuntimeError
    ? "a core trap"
    : "an untyped error";
}

const sizesText = (s: number | number[]) => typeof s === "number" ? `${s}` : `[${s.join(",")}]`;

/**
 * Check one input.
 * @param bytes The component binary.
 * @param r Random source (for chunk sizes).
 * @param originalModules Keys ({@link moduleKey}) of the core modules it may run:
 *   it is instantiated only when all its core modules are among them.
 * @returns How far it went, and the properties it breaks.
 */
export async function check(
  bytes: Uint8Array,
  r: () => number,
  originalModules: ReadonlySet<string>,
): Promise<Verdict> {
  const problems: string[] = [];
  const sizes = chunkings(bytes.length, r);

  // 1. parse(): the same payloads, then the same error, whatever the chunking
  const want = decoded(bytes);
  if (want.error !== undefined && !(want.error instanceof ParseError)) {
    problems.push(untyped("the parser", want.error));
  }
  for (const s of sizes) {
    const got = await streamed(bytes, s);
    if (got.lines.join("\n") !== want.lines.join("\n")) {
      problems.push(
        `parse() in chunks of ${sizesText(s)} differs: ${firstDifference(want.lines, got.lines)}`,
      );
    }
  }

  // 2. fuse(): a typed error, and the same result from a stream
  const whole = await fused(bytes);
  if (whole.error !== undefined && !isFuseError(whole.error)) {
    problems.push(untyped("fuse(bytes)", whole.error));
  }
  for (const s of sizes) {
    const got = await fused(chunked(bytes, s));
    if (got.text !== whole.text) {
      problems.push(
        `fuse(stream) in chunks of ${sizesText(s)} differs: want ${whole.text}, got ${got.text}`,
      );
    }
  }
  if (whole.translation === undefined) return { outcome: kindOf(whole.error), problems };

  // 3. compile (no code runs), then instantiate when no mutated core code would run
  let c: Component;
  try {
    c = await compile(whole.translation);
  } catch (e) {
    if (!isRunError(e)) problems.push(untyped("compile()", e));
    return { outcome: `fused, then ${kindOf(e)} at compile`, problems };
  }
  if (!whole.translation.dfg.modules.every((m) => originalModules.has(moduleKey(m.bytes)))) {
    return { outcome: "compiled (core code mutated: not run)", problems };
  }
  try {
    c.instantiate({}, { trapUnknownImports: true });
  } catch (e) {
    if (!isRunError(e)) problems.push(untyped("instantiate()", e));
    return { outcome: `compiled, then ${kindOf(e)} at instantiation`, problems };
  }
  return { outcome: "instantiated", problems };
}
