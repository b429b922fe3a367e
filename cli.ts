// deno-lint-ignore-file no-console
/**
 * The wasmfuse command line: a thin shell over the library, shaped as
 * `wasm-tools` and `wasmtime` users expect it.
 *
 * ```sh
 * deno run -A cli.ts parse FILE|-                        # one line per payload, like an objdump
 * deno run -A cli.ts inspect FILE|- [--json]             # the flattened graph
 * deno run -A cli.ts fuse FILE|- [-o DIR] [--wat | --json]   # the adapter modules
 * deno run -A cli.ts run FILE|-|DIR [--invoke 'NAME(ARGS)'] [--wasi]   # run a component
 * deno run -A cli.ts wast [--timeout S] FILE...           # run .wast scripts (60 s per file)
 * deno run -A cli.ts COMMAND --help                      # a command's help
 * ```
 *
 * FILE is a component binary or its text format. Bad input prints
 * `error: <message> at offset <n>` to stderr and exits 1, a trap
 * `trap: <rule>` and exits 1; a usage mistake exits 2.
 *
 * @example From a script
 * ```ts
 * import { main } from "@wasmfuse/fuse/cli";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await main(["run", "examples/values.wasm", "--invoke", "add(1, 2)"]), 0); // prints 3
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { LinkError, ParseError, Trap, ValidationError } from "./mod.ts";
import { SexprError, ValueSyntaxError } from "./lib/wast/mod.ts";
import { InvokeError, WaveSyntaxError } from "./lib/wave/mod.ts";
import {
  fuseCommand,
  inspectCommand,
  parseCommand,
  runCommand,
  wastCommand,
} from "./cli/commands.ts";
import { NeedsError, TextFormatError } from "./cli/input.ts";
import { DEFAULT_WAST_TIMEOUT } from "./cli/wast_files.ts";
import { COMMAND_HELP, OPTIONS, USAGE, UsageError } from "./cli/usage.ts";
import denoJson from "./deno.json" with { type: "json" };

/** The package's version, as `--version` prints it. */
export const VERSION: string = denoJson.version;

/** The arguments, checked: the command, its operands, its options. */
function read(args: string[]) {
  // what follows `--` is the program's (for `run`)
  const dashes = args.indexOf("--");
  let parsed;
  try {
    parsed = parseArgs({
      args: dashes < 0 ? args : args.slice(0, dashes),
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(OPTIONS).map(([k, { commands: _, ...o }]) => [k, o]),
      ) as Record<
        keyof typeof OPTIONS,
        { type: "string" | "boolean"; multiple?: boolean; short?: string }
      >,
    });
  } catch (e) {
    // parseArgs words its own mistakes: an unknown option, a missing value
    throw new UsageError((e as Error).message, args.find((a) => a in COMMAND_HELP));
  }
  const [command, ...operands] = parsed.positionals;
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (command !== undefined && command !== "help") {
    if (!(command in COMMAND_HELP)) throw new UsageError(`unknown command "${command}"`);
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const applies = OPTIONS[name as keyof typeof OPTIONS].commands as readonly string[];
      if (!applies.includes("*") && !applies.includes(command)) {
        throw new UsageError(`--${name} does not apply to \`${command}\``, command);
      }
    }
    if (values.wat && values.json) {
      throw new UsageError("--wat and --json both print to standard output: choose one", command);
    }
    if (dashes >= 0 && command !== "run") {
      throw new UsageError(`\`${command}\` takes no program arguments after --`, command);
    }
  }
  return { command, operands, values, programArgs: dashes < 0 ? [] : args.slice(dashes + 1) };
}

/** `--timeout SECONDS`: a positive number, else a usage mistake. */
function timeoutOf(value: unknown): number {
  if (value === undefined) return DEFAULT_WAST_TIMEOUT;
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !(n > 0) || !Number.isFinite(n)) {
    throw new UsageError(`--timeout takes a number of seconds above 0, not "${value}"`, "wast");
  }
  return n;
}

function oneFile(command: string, operands: string[], what = "FILE (or -)"): string {
  if (operands.length !== 1) throw new UsageError(`${command} takes exactly one ${what}`, command);
  return operands[0];
}

/**
 * Run the CLI with the given arguments.
 * @param args Command-line arguments (without the program name).
 * @returns The exit status: 0, 1 for bad input or a trap, 2 for a usage mistake.
 */
export async function main(args: string[]): Promise<number> {
  try {
    const { command, operands, values, programArgs } = read(args);
    if (values.version) {
      console.log(`wasmfuse ${VERSION}`);
      return 0;
    }
    if (command === undefined || command === "help") {
      const about = command === "help" ? operands[0] : undefined;
      if (about !== undefined && !(about in COMMAND_HELP)) {
        throw new UsageError(`unknown command "${about}"`);
      }
      if (command === undefined && !values.help) {
        // no command at all: a usage mistake (the text goes to stderr, as clap does)
        console.error(USAGE);
        return 2;
      }
      console.log(about === undefined ? USAGE : COMMAND_HELP[about]);
      return 0;
    }
    if (values.help) {
      console.log(COMMAND_HELP[command]);
      return 0;
    }
    switch (command) {
      case "parse":
        await parseCommand(oneFile(command, operands));
        return 0;
      case "inspect":
        await inspectCommand(oneFile(command, operands), values.json === true);
        return 0;
      case "fuse":
        await fuseCommand(oneFile(command, operands), {
          ...(typeof values.out === "string" ? { out: values.out } : {}),
          wat: values.wat === true,
          json: values.json === true,
        });
        return 0;
      case "run":
        return await runCommand(oneFile(command, operands, "FILE (or - or DIR)"), {
          ...(typeof values.invoke === "string" ? { invoke: values.invoke } : {}),
          wasi: values.wasi === true,
          dirs: (values.dir as string[] | undefined) ?? [],
          envs: (values.env as string[] | undefined) ?? [],
          trapUnknownImports: values["trap-unknown-imports"] === true,
          async: values.async === true,
          args: programArgs,
        });
      default: // wast
        if (operands.length === 0) throw new UsageError("wast takes one or more FILEs", command);
        return await wastCommand(operands, timeoutOf(values.timeout));
    }
  } catch (e) {
    return report(e);
  }
}

/** Print an error in one line (a usage mistake with its usage); the exit status. */
function report(e: unknown): number {
  if (e instanceof UsageError) {
    const usage = e.command === undefined ? USAGE : COMMAND_HELP[e.command].split("\n\n")[0];
    console.error(`error: ${e.message}\n\n${usage}\n\n(--help tells more)`);
    return 2;
  }
  if (e instanceof ParseError) {
    console.error(`error: ${e.reason} at offset ${e.offset}`);
  } else if (e instanceof LinkError) {
    const where = e.location
      ? ` at offset ${e.location.offset} (${e.location.section} section, item ${e.location.item})`
      : "";
    console.error(`error: ${e.reason}${where}`);
  } else if (e instanceof ValidationError) {
    console.error(`error: internal error, please report it: ${e.message}`);
  } else if (e instanceof Trap || e instanceof WebAssembly.RuntimeError) {
    console.error(`trap: ${e.message}`);
  } else if (
    e instanceof SexprError || e instanceof ValueSyntaxError || e instanceof TypeError ||
    e instanceof WaveSyntaxError || e instanceof Deno.errors.NotFound ||
    e instanceof Deno.errors.PermissionDenied || e instanceof InvokeError ||
    e instanceof NeedsError || e instanceof TextFormatError
  ) {
    console.error(`error: ${e.message}`);
  } else {
    throw e;
  }
  return 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
