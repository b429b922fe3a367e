/**
 * What the commands read: a component binary, its text format (turned into
 * a binary by jco's wasm-tools, loaded when first needed), or a saved
 * translation (`fuse -o DIR`); and the progress line long work prints on a
 * terminal.
 *
 * @module
 */

import { loadTranslation, type Translation } from "../mod.ts";

/** A dependency the command needs could not be loaded (an npm package). */
export class NeedsError extends Error {}

/** jco's wasm-tools text parser: from node_modules in a clone, else from npm (a pinned version). */
const WASM_TOOLS = [
  "@bytecodealliance/jco-transpile/wasm-tools",
  "npm:@bytecodealliance/jco-transpile@0.15.0/wasm-tools",
];

let watParser: Promise<(text: string) => Promise<Uint8Array>> | undefined;

/**
 * The text-to-binary function (components and core modules in the text
 * format), loaded once, when first asked for.
 * @returns It.
 */
export function loadWat(): Promise<(text: string) => Promise<Uint8Array>> {
  watParser ??= (async () => {
    // the spec's suites write `(memory $i "mem")`, accepted with strict component indices off
    Deno.env.set("WAST_STRICT_COMPONENT_INDICES", "0");
    const failures: string[] = [];
    for (const spec of WASM_TOOLS) {
      try {
        // a specifier in a variable: nothing is fetched until the text format is met
        const mod: { parse(text: string): Promise<Uint8Array> | Uint8Array } = await import(spec);
        return async (text: string) => new Uint8Array(await mod.parse(text));
      } catch (e) {
        failures.push(`${spec}: ${(e as Error).message.split("\n")[0]}`);
      }
    }
    throw new NeedsError(
      `the text format needs @bytecodealliance/jco-transpile (in a clone of wasmfuse, \`npm install\` first): ${
        failures.join("; ")
      }`,
    );
  })();
  return watParser;
}

/** A component in the text format that does not parse. */
export class TextFormatError extends Error {}

/** wasm-tools' error (a Rust debug string in a ComponentError) as a sentence with its place. */
function textError(e: unknown): string {
  const raw = String((e as { payload?: unknown })?.payload ?? (e as Error)?.message ?? e);
  const kind = /kind: Custom\("((?:[^"\\]|\\.)*)"\)/.exec(raw)?.[1] ?? /kind: (\w+)/.exec(raw)?.[1];
  const at = /line: (\d+), col: (\d+)/.exec(raw);
  if (kind === undefined) return `the text format does not parse: ${raw}`;
  const where = at === null ? "" : ` at line ${+at[1] + 1}, column ${+at[2] + 1}`;
  return `the text format does not parse: ${kind}${where}`;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Whether bytes start like a component or module in the text format (after blanks and comments). */
function looksLikeText(head: Uint8Array): boolean {
  const text = new TextDecoder().decode(head.subarray(0, 4096));
  return /^(?:\s|;;[^\n]*\n|\(;[\s\S]*?;\))*\((?:component|module)\b/.test(text);
}

/** The whole of a stream. */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Open FILE (`-` for standard input) as a stream of component bytes: a
 * binary streams as it is read; the text format is read whole and turned
 * into a binary first.
 * @param file The path, or `-`.
 * @returns The bytes, as a stream.
 */
export async function openComponent(file: string): Promise<ReadableStream<Uint8Array>> {
  const source = file === "-"
    ? Deno.stdin.readable
    : (await Deno.open(file, { read: true })).readable;
  const reader = source.getReader();
  let head = new Uint8Array();
  let ended = false;
  const readUntil = async (n: number) => {
    while (head.length < n && !ended) {
      const { done, value } = await reader.read();
      if (done) ended = true;
      else {
        const joined = new Uint8Array(head.length + value.length);
        joined.set(head);
        joined.set(value, head.length);
        head = joined;
      }
    }
  };
  // enough bytes to tell a binary from text
  await readUntil(4);
  const binary = MAGIC.every((b, i) => head[i] === b);
  if (!binary) await readUntil(4096);
  const rest = new ReadableStream<Uint8Array>({
    start(c) {
      if (head.length > 0) c.enqueue(head);
      if (ended) c.close();
    },
    async pull(c) {
      const { done, value } = await reader.read();
      if (done) c.close();
      else c.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  if (binary || !looksLikeText(head)) return rest;
  const text = new TextDecoder().decode(await readAll(rest));
  let bytes: Uint8Array;
  try {
    bytes = await (await loadWat())(text);
  } catch (e) {
    if (e instanceof NeedsError) throw e;
    throw new TextFormatError(textError(e));
  }
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

/**
 * A component to run: a saved translation when FILE is a directory `fuse -o`
 * wrote, else its bytes (binary or text).
 * @param file The path, or `-`.
 * @returns The translation, or the bytes as a stream.
 */
export async function openRunnable(
  file: string,
): Promise<Translation | ReadableStream<Uint8Array>> {
  if (file !== "-" && (await Deno.stat(file)).isDirectory) {
    const plan = `${file}/plan.json`;
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(plan));
    } catch (e) {
      throw new NeedsError(
        `${file} is a directory without a readable plan.json (what \`fuse -o\` writes): ${
          (e as Error).message
        }`,
      );
    }
    return await loadTranslation(json, (name) => Deno.readFile(`${file}/${name}`));
  }
  return await openComponent(file);
}

/** A line of progress on standard error, on a terminal only, at most ten times a second. */
export class Progress {
  readonly #on = Deno.stderr.isTerminal();
  #last = 0;
  #shown = false;

  /**
   * Show `text` (if a tenth of a second passed since the last).
   * @param text The line.
   */
  show(text: string): void {
    if (!this.#on) return;
    const now = performance.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    this.#shown = true;
    Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${text}`));
  }

  /** Clear the line. */
  done(): void {
    if (this.#shown) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[2K"));
    this.#shown = false;
  }
}
