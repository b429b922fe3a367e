/**
 * The command line's help texts, options and usage errors.
 *
 * @module
 */

/** A command-line mistake: printed with the command's usage, exit status 2 (clap's convention). */
export class UsageError extends Error {
  /** The command whose usage to print, if one was named. */
  readonly command?: string;

  /**
   * Create the error.
   * @param message What is wrong.
   * @param command The command it concerns.
   */
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    if (command !== undefined) this.command = command;
  }
}

/** Every option, and the commands it applies to. */
export const OPTIONS = {
  help: { type: "boolean", short: "h", commands: ["*"] },
  version: { type: "boolean", short: "V", commands: ["*"] },
  json: { type: "boolean", commands: ["inspect", "fuse"] },
  wat: { type: "boolean", commands: ["fuse"] },
  out: { type: "string", short: "o", commands: ["fuse"] },
  invoke: { type: "string", commands: ["run"] },
  wasi: { type: "boolean", commands: ["run"] },
  dir: { type: "string", multiple: true, commands: ["run"] },
  env: { type: "string", multiple: true, commands: ["run"] },
  "trap-unknown-imports": { type: "boolean", commands: ["run"] },
  async: { type: "boolean", commands: ["run"] },
  timeout: { type: "string", commands: ["wast"] },
} as const;

const INPUT = `FILE is a component binary, a component in the text format (.wat), or - for
standard input.`;

/** Each command's help: its usage line, what it does, its options. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  parse: `usage: wasmfuse parse FILE|-

Stream the component through the parser and print one line per payload as it
is decoded, like an objdump: the byte range, the payload kind, its item count
and names, indented by component depth. What was decoded before an error is
printed, then the error.

${INPUT}`,
  inspect: `usage: wasmfuse inspect FILE|- [--json]

Flatten the component as Wasmtime's translator does and print the counts, one
line per adapter (which component instance lifts it, which lowers it, with
their options), per host lowering, import and export, the adapter modules and
the instantiation plan.

options:
  --json    print the same as one JSON object, one array per arena

${INPUT}`,
  fuse: `usage: wasmfuse fuse FILE|- [-o DIR] [--wat | --json]

Run the whole pipeline and print a summary of the adapter modules it made.

options:
  -o, --out DIR  write a self-contained translation to DIR: adapter-N.wasm as
                 each adapter module is made (modules of one shape share
                 one file), module-N.wasm for the
                 component's core modules, and plan.json naming every file;
                 \`wasmfuse run DIR\` (or loadTranslation in the library)
                 runs it without the pipeline
  --wat          print each adapter module as WAT
  --json         print the summary as JSON: every module, its adapters,
                 size and imports

${INPUT}`,
  run: `usage: wasmfuse run FILE|-|DIR [--invoke 'NAME(ARGS)'] [--wasi]
                    [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]...
                    [--trap-unknown-imports] [--async] [-- ARGS...]

Instantiate the component and call one function, printing the result in WAVE
as \`wasmtime run --invoke\` does; without --invoke, run a command's
wasi:cli/run, its status the exit status. DIR is what \`fuse -o\` wrote.

options:
  --invoke 'NAME(ARGS)'   NAME: a root function (greet) or an interface's
                          function (demo:kv/api@0.1.0#get, api#get, api.get);
                          ARGS: WAVE values ("text", 1, {x: 3, y: 4}, some(1),
                          [1, 2], ok("x")) or .wast values ((u32.const 1))
  --wasi                  WASI 0.2 from @bytecodealliance/preview2-shim
                          (fetched from npm), with no directories, no
                          environment and the file as argv[0] unless given:
  --dir HOST[::GUEST]     a host directory, seen by the component at GUEST
  --env NAME[=VALUE]      an environment variable (NAME alone: the host's)
  -- ARGS...              the program's arguments
  --trap-unknown-imports  link imports nobody gives as functions that trap
  --async                 instantiate async (JSPI: tasks may wait, streams and
                          futures run); an \`async\` function invoked always is

${INPUT}`,
  wast: `usage: wasmfuse wast [--timeout SECONDS] FILE...

Run .wast scripts (the specification's conformance suites): per file
"P passed, F failed, S skipped" with the first failures, then the totals.
Each file runs in a worker: one that takes longer than the limit is stopped,
and the directive it was stopped in counts as a failure ("did not finish").

options:
  --timeout SECONDS   the limit per file (default 60)

Component text is turned into binary by @bytecodealliance/jco-transpile's
wasm-tools (from node_modules in a clone, else fetched from npm).`,
};

/** The global help. */
export const USAGE = `wasmfuse: compile and inspect the fused adapters of WebAssembly components

usage:
  wasmfuse parse FILE|-             print one line per payload (byte range, kind, items)
  wasmfuse inspect FILE|- [--json]  flatten the component: adapters, lowerings, imports,
                                    exports, the adapter modules and the plan
  wasmfuse fuse FILE|- [-o DIR] [--wat | --json]
                                    generate the adapter modules; -o writes a
                                    self-contained translation that run loads
  wasmfuse run FILE|-|DIR [--invoke 'NAME(ARGS)'] [--wasi] [...]
                                    run a command, or call one function (WAVE values)
  wasmfuse wast [--timeout S] FILE...
                                    run .wast scripts (each stopped after S s, 60)
  wasmfuse help [COMMAND]           this text, or a command's
  wasmfuse --version                the version

\`wasmfuse COMMAND --help\` tells more. ${INPUT.replace("\n", " ")}

Exit status: 0 on success, 1 for bad input or a trap, 2 for a usage mistake.`;
