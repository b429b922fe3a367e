// deno-lint-ignore-file no-console
/**
 * The wasmfuse command line: a thin shell over the library.
 *
 * ```sh
 * deno run -A cli.ts parse FILE|-     # one line per payload, like an objdump
 * deno run -A cli.ts inspect FILE|-   # the flattened graph: adapters, lowerings, ...
 * deno run -A cli.ts fuse FILE|- [-o DIR] [--wat] [--json]   # generate the adapter modules
 * deno run -A cli.ts run FILE|- [--invoke 'name(args)'] [--wasi] # instantiate and call an export
 * deno run -A cli.ts wast FILE...                             # run .wast scripts
 * ```
 *
 * Bad input prints `error: <message> at offset <n>` to stderr and exits 1.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  compile,
  fuse,
  LinkError,
  parse,
  ParseError,
  type Payload,
  Trap,
  ValidationError,
} from "./mod.ts";
import { type AdapterModule, adapterModuleWat } from "./lib/fact/mod.ts";
import { describeDfg, DfgCollector, dfgToJson, inline } from "./lib/inline/mod.ts";
import { describePayload } from "./lib/parse/mod.ts";
import {
  type AdapterModulePlan,
  describePlan,
  partition,
  planInstantiation,
} from "./lib/partition/mod.ts";
import { runWast, SexprError, ValueSyntaxError, type WastResult } from "./lib/wast/mod.ts";
import {
  formatWave,
  type Invocation,
  InvokeError,
  parseInvoke,
  WaveSyntaxError,
} from "./lib/wave/mod.ts";

const USAGE = `wasmfuse: compile and inspect the fused adapters of WebAssembly components

usage:
  wasmfuse parse FILE|-             print one line per payload (byte range, kind, items)
  wasmfuse inspect FILE|- [--json]  flatten the component: counts, one line per adapter,
                                    lowering, import and export, the adapter modules and
                                    the instantiation plan (--json: one object)
  wasmfuse fuse FILE|- [-o DIR] [--wat] [--json]
                                    generate the adapter modules: with -o, write
                                    DIR/adapter-N.wasm as each is made, and DIR/plan.json;
                                    --wat prints each module; --json prints a summary
  wasmfuse run FILE|- [--invoke 'NAME(ARGS)'] [--wasi] [--dir HOST[::GUEST]]...
                [--env NAME[=VALUE]]... [--trap-unknown-imports] [-- ARGS...]
                                    instantiate the component and call NAME, printing the
                                    result in WAVE, as wasmtime run --invoke does; NAME is
                                    a root function (greet) or an interface's function
                                    (demo:kv/api@0.1.0#get, api#get, api.get); ARGS are
                                    WAVE values ("text", 1, {x: 3, y: 4}, some(1), [1, 2],
                                    ok("x")) or .wast values ((u32.const 1)). Without
                                    --invoke, a command's wasi:cli/run runs and its status
                                    is the exit status. --wasi gives WASI 0.2 from
                                    @bytecodealliance/preview2-shim (fetched from npm),
                                    with the directories, environment and program
                                    arguments given (none by default)
  wasmfuse wast FILE...             run .wast scripts: per file "P passed, F failed,
                                    S skipped" with the first failures, then the totals
                                    (needs the dev dependencies: npm install)
  wasmfuse help                     this text

FILE may be - to read standard input.`;

/** Open FILE (or stdin for `-`) as a byte stream. */
async function open(file: string): Promise<ReadableStream<Uint8Array>> {
  if (file === "-") return Deno.stdin.readable;
  return (await Deno.open(file, { read: true })).readable;
}

/** Run `parse`: stream the file through the parser, printing as payloads arrive. */
async function parseCommand(file: string): Promise<void> {
  const out = new TextEncoder();
  let depth = 0;
  let lines = "";
  const flush = async () => {
    if (lines) await Deno.stdout.write(out.encode(lines));
    lines = "";
  };
  const stream = (await open(file)).pipeThrough(parse());
  try {
    for await (const p of stream as AsyncIterable<Payload>) {
      if (p.kind === "component-end") depth--;
      lines += describePayload(p, Math.max(depth, 0)) + "\n";
      if (p.kind === "component-begin") depth++;
      if (lines.length > 1 << 16) await flush();
    }
  } finally {
    // What was decoded before an error is still shown, then the error.
    await flush();
  }
}

/** Run `inspect`: parse and inline, then describe the graph. */
async function inspectCommand(file: string, json: boolean): Promise<void> {
  const collector = new DfgCollector();
  const modules: AdapterModulePlan[] = [];
  const events = (await open(file)).pipeThrough(parse()).pipeThrough(inline())
    .pipeThrough(partition());
  for await (const e of events) {
    if (e.kind === "adapter-module-plan") modules.push(e);
    else collector.add(e);
  }
  const plan = planInstantiation(collector.dfg, modules);
  const text = json
    ? JSON.stringify(
      {
        ...dfgToJson(collector.dfg),
        adapterModules: modules.map((m) => m.adapters),
        plan,
      },
      null,
      2,
    )
    : [describeDfg(collector.dfg), describePlan(collector.dfg, modules, plan)].join("\n");
  await Deno.stdout.write(new TextEncoder().encode(text + "\n"));
}

/** Run `fuse`: the whole pipeline; write, print or summarise the adapter modules. */
async function fuseCommand(
  file: string,
  opts: { out?: string; wat: boolean; json: boolean },
): Promise<void> {
  const written: string[] = [];
  const enc = new TextEncoder();
  try {
    if (opts.out !== undefined) await Deno.mkdir(opts.out, { recursive: true });
    const t = await fuse(await open(file), async (m: AdapterModule) => {
      if (opts.out === undefined) return;
      const path = `${opts.out}/adapter-${m.index}.wasm`;
      written.push(path);
      await Deno.writeFile(path, m.bytes);
    });
    if (opts.out !== undefined) {
      const path = `${opts.out}/plan.json`;
      written.push(path);
      const plan = {
        adapterModules: t.adapterModules.map((m) => ({
          file: `adapter-${m.index}.wasm`,
          adapters: m.adapters,
          imports: m.imports,
        })),
        plan: t.plan,
      };
      await Deno.writeTextFile(path, JSON.stringify(plan, null, 2) + "\n");
    }
    let text = "";
    if (opts.wat) {
      for (const m of t.adapterModules) {
        text += `;; adapter module ${m.index}: adapters ${m.adapters.join(", ")}\n`;
        text += adapterModuleWat(t.dfg, m);
      }
    }
    if (opts.json) {
      text += JSON.stringify(
        {
          adapterModules: t.adapterModules.map((m) => ({
            index: m.index,
            adapters: m.adapters,
            size: m.bytes.length,
            imports: m.imports,
          })),
          plan: t.plan.length,
        },
        null,
        2,
      ) + "\n";
    }
    if (!opts.wat && !opts.json) {
      const bytes = t.adapterModules.reduce((n, m) => n + m.bytes.length, 0);
      text +=
        `${t.dfg.adapters.length} adapter${
          t.dfg.adapters.length === 1 ? "" : "s"
        } in ${t.adapterModules.length} adapter module${
          t.adapterModules.length === 1 ? "" : "s"
        } (${bytes} bytes); ` +
        `plan: ${t.plan.length} steps; ${t.dfg.modules.length} static core modules\n`;
      for (const m of t.adapterModules) {
        text += `adapter module ${m.index}: adapters ${
          m.adapters.join(", ")
        }, ${m.bytes.length} bytes, ${m.imports.length} imports\n`;
      }
      if (opts.out !== undefined) text += `wrote ${written.length} files to ${opts.out}\n`;
    }
    await Deno.stdout.write(enc.encode(text));
  } catch (e) {
    // nothing half-written is left behind
    for (const path of written) await Deno.remove(path).catch(() => {});
    throw e;
  }
}

/** The WASI 0.2 host the CLI gives with `--wasi`: jco's, loaded only when asked for. */
const PREVIEW2_SHIM = "npm:@bytecodealliance/preview2-shim@0.26.1/instantiation";

/** What `run` was asked to do. */
interface RunOptions {
  invoke?: string;
  wasi: boolean;
  dirs: string[];
  envs: string[];
  trapUnknownImports: boolean;
  /** The program's arguments (after `--`). */
  args: string[];
}

/** WASI 0.2 imports from preview2-shim: preopens, environment and arguments as asked. */
async function wasiImports(file: string, opts: RunOptions): Promise<Record<string, unknown>> {
  const preopens: Record<string, string> = {};
  for (const d of opts.dirs) {
    const at = d.indexOf("::");
    const [host, guest] = at < 0 ? [d, d] : [d.slice(0, at), d.slice(at + 2)];
    if (host === "" || guest === "") {
      throw new UsageError(`--dir expects HOST[::GUEST], got \`${d}\``);
    }
    preopens[guest] = host;
  }
  const env: Record<string, string> = {};
  for (const e of opts.envs) {
    const at = e.indexOf("=");
    if (at === 0) throw new UsageError(`--env expects NAME=VALUE or NAME, got \`${e}\``);
    // `--env NAME` passes the host's value on, as wasmtime does
    if (at < 0) env[e] = Deno.env.get(e) ?? "";
    else env[e.slice(0, at)] = e.slice(at + 1);
  }
  const spec = PREVIEW2_SHIM; // not a literal: fetched only when --wasi is given
  let shim: {
    WASIShim: new (config: unknown) => { getImportObject(): Record<string, unknown> };
  };
  try {
    shim = await import(spec);
  } catch (e) {
    throw new NeedsError(
      `--wasi needs ${spec} (in a clone of wasmfuse, \`npm install\` first): ${
        (e as Error).message.split("\n")[0]
      }`,
    );
  }
  // as wasmtime: no directories, no environment and argv[0] the file, unless given
  return new shim.WASIShim({ sandbox: { preopens, env, args: [file, ...opts.args] } })
    .getImportObject();
}

/** Run `run`: instantiate a component, call one export (or `wasi:cli/run`), print the result. */
async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const bytes = file === "-"
    ? new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer())
    : await Deno.readFile(file);
  const component = await compile(bytes);
  const exports = component.translation.dfg.exports;
  let call: Invocation;
  if (opts.invoke !== undefined) call = parseInvoke(opts.invoke, exports);
  else {
    // a command: `wasi:cli/run`'s `run`, as `wasmtime run FILE` calls it
    const run = exports.find((e) => /^wasi:cli\/run(@|$)/.test(e.name));
    if (run === undefined) {
      throw new InvokeError(
        `the component exports no \`wasi:cli/run\`: name a function with --invoke 'NAME(ARGS)' (exports: ${
          exports.map((e) => e.name).join(", ") || "none"
        })`,
      );
    }
    call = parseInvoke(`${run.name}#run()`, exports);
  }
  const imports = opts.wasi ? await wasiImports(file, opts) : {};
  let instance;
  try {
    instance = component.instantiate(imports, {
      trapUnknownImports: opts.trapUnknownImports,
      results: "tagged",
    });
  } catch (e) {
    if (e instanceof LinkError && /^missing import/.test(e.message)) {
      const hint = !opts.wasi && /`wasi:/.test(e.message)
        ? "run with --wasi for WASI 0.2, or --trap-unknown-imports"
        : "run with --trap-unknown-imports to link it as a function that traps";
      throw new InvokeError(`${e.message} (${hint})`);
    }
    throw e;
  }
  let fn: unknown = instance.exports;
  for (const name of call.path) fn = (fn as Record<string, unknown>)[name];
  const result = (fn as (...a: unknown[]) => unknown)(...call.args);
  if (opts.invoke === undefined) {
    // `run: func() -> result`: the exit status is the component's
    return (result as { tag: string }).tag === "ok" ? 0 : 1;
  }
  if (call.type.result !== undefined) console.log(formatWave(result, call.type.result));
  return 0;
}

/** Load the text-to-binary function of the dev dependency (for `wast`). */
async function loadWat(): Promise<(text: string) => Promise<Uint8Array>> {
  // the suites write `(memory $i "mem")`, accepted with strict component indices off
  Deno.env.set("WAST_STRICT_COMPONENT_INDICES", "0");
  const spec = "@bytecodealliance/jco-transpile/wasm-tools";
  let mod: { parse(text: string): Promise<Uint8Array> | Uint8Array };
  try {
    mod = await import(spec);
  } catch (e) {
    throw new UsageError(
      `wast needs the dev dependency ${spec} (run \`npm install\`): ${(e as Error).message}`,
    );
  }
  return async (text) => new Uint8Array(await mod.parse(text));
}

/** Run `wast`: every script, a summary line per file and the totals. */
async function wastCommand(files: string[]): Promise<number> {
  const wat = await loadWat();
  let passed = 0, failed = 0, skipped = 0;
  for (const file of files) {
    let r: WastResult;
    try {
      r = await runWast(await Deno.readTextFile(file), { wat });
    } catch (e) {
      console.log(`${file}: error: ${(e as Error).message}`);
      failed++;
      continue;
    }
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
    console.log(`${file}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
    for (const a of r.assertions.filter((a) => a.status === "failed").slice(0, 5)) {
      console.log(`  line ${a.line}: ${a.directive}: ${a.message}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed === 0 ? 0 : 1;
}

/**
 * Run the CLI with the given arguments.
 * @param args Command-line arguments (without the program name).
 * @returns The exit status.
 */
export async function main(args: string[]): Promise<number> {
  // what follows `--` is the program's (for `run`)
  const dashes = args.indexOf("--");
  const programArgs = dashes < 0 ? [] : args.slice(dashes + 1);
  const { positionals, values } = parseArgs({
    args: dashes < 0 ? args : args.slice(0, dashes),
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      json: { type: "boolean" },
      wat: { type: "boolean" },
      out: { type: "string", short: "o" },
      invoke: { type: "string" },
      wasi: { type: "boolean" },
      dir: { type: "string", multiple: true },
      env: { type: "string", multiple: true },
      "trap-unknown-imports": { type: "boolean" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(USAGE);
    return command === undefined && !values.help ? 1 : 0;
  }
  try {
    switch (command) {
      case "parse":
        if (rest.length !== 1) throw new UsageError("parse takes exactly one FILE (or -)");
        await parseCommand(rest[0]);
        return 0;
      case "fuse":
        if (rest.length !== 1) throw new UsageError("fuse takes exactly one FILE (or -)");
        await fuseCommand(rest[0], {
          ...(values.out === undefined ? {} : { out: values.out }),
          wat: values.wat === true,
          json: values.json === true,
        });
        return 0;
      case "run":
        if (rest.length !== 1) throw new UsageError("run takes exactly one FILE (or -)");
        return await runCommand(rest[0], {
          ...(values.invoke === undefined ? {} : { invoke: values.invoke }),
          wasi: values.wasi === true,
          dirs: values.dir ?? [],
          envs: values.env ?? [],
          trapUnknownImports: values["trap-unknown-imports"] === true,
          args: programArgs,
        });
      case "wast":
        if (rest.length === 0) throw new UsageError("wast takes one or more FILEs");
        return await wastCommand(rest);
      case "inspect":
        if (rest.length !== 1) throw new UsageError("inspect takes exactly one FILE (or -)");
        await inspectCommand(rest[0], values.json === true);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
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
      e instanceof WaveSyntaxError
    ) {
      console.error(`error: ${e.message}`);
    } else if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${USAGE}`);
    } else if (
      e instanceof Deno.errors.NotFound || e instanceof InvokeError || e instanceof NeedsError
    ) {
      console.error(`error: ${e.message}`);
    } else {
      throw e;
    }
    return 1;
  }
}

class UsageError extends Error {}

/** Something the command needs could not be loaded (an npm package). */
class NeedsError extends Error {}

if (import.meta.main) {
  let status: number;
  try {
    status = await main(Deno.args);
  } catch (e) {
    // parseArgs reports unknown options with a TypeError carrying a code.
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    status = 1;
  }
  Deno.exit(status);
}
