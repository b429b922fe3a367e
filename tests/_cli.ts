/**
 * Test helper: run `cli.ts` as a user would, with read access only.
 *
 * @module
 */

/** Path of the CLI. */
export const CLI: string = new URL("../cli.ts", import.meta.url).pathname;
/** Path of the example component. */
export const EXAMPLE: string = new URL("../examples/composed.wasm", import.meta.url).pathname;

/** What a CLI run printed and returned. */
export interface CliResult {
  /** Exit status. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Run `deno run --allow-read cli.ts ARGS` (`deno run -A` when `all`), feeding
 * it `stdin` if given.
 * @param args The CLI arguments.
 * @param stdin Bytes for standard input.
 * @param all Whether to grant every permission (WASI needs more than reading).
 * @returns Status and output.
 */
export async function run(args: string[], stdin?: Uint8Array, all = false): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", all ? "-A" : "--allow-read", CLI, ...args],
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
