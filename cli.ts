// deno-lint-ignore-file no-console
/**
 * The wasmfuse command line: a thin shell over the library.
 *
 * ```sh
 * deno run -A cli.ts parse FILE|-     # one line per payload, like an objdump
 * deno run -A cli.ts inspect FILE|-   # the flattened graph: adapters, lowerings, ...
 * deno run -A cli.ts fuse FILE|- [-o DIR] [--wat] [--json]   # generate the adapter modules
 * deno run -A cli.ts run FILE|- --invoke 'name(args)'         # instantiate and call an export
 * deno run -A cli.ts wast FILE...                             # run .wast scripts
 * ```
 *
 * Bad input prints `error: <message> at offset <n>` to stderr and exits 1.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type AdapterModule,
  type AdapterModulePlan,
  adapterModuleWat,
  compile,
  describeDfg,
  describePayload,
  describePlan,
  DfgCollector,
  dfgToJson,
  formatValue,
  fuse,
  inline,
  LinkError,
  parse,
  ParseError,
  partition,
  type Payload,
  planInstantiation,
  readSexprs,
  readValue,
  runWast,
  SexprError,
  Trap,
  type TypeFunc,
  ValidationError,
  ValueSyntaxError,
  type WastResult,
} from "./mod.ts";

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
  wasmfuse run FILE|- --invoke 'NAME(ARGS)'
                                    instantiate the component (no imports), call export
                                    NAME and print the result in the .wast value syntax;
                                    ARGS are comma-separated values: literals typed by the
                                    parameters (1, -2.5, true, "text", 'c') or value
                                    expressions ((u32.const 1), (list.const ...))
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

/** Split `NAME(ARGS)` into the name and the argument texts (commas outside parentheses and quotes). */
function splitInvoke(text: string): { name: string; args: string[] } {
  const m = /^\s*([^\s(]+)\s*(?:\((.*)\))?\s*$/s.exec(text);
  if (m === null) throw new UsageError(`--invoke expects NAME(ARGS), got \`${text}\``);
  const args: string[] = [];
  const body = m[2] ?? "";
  let depth = 0, quote = "", start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      args.push(body.slice(start, i));
      start = i + 1;
    }
  }
  if (body.trim() !== "") args.push(body.slice(start));
  return { name: m[1], args: args.map((a) => a.trim()) };
}

/** One `--invoke` argument as a value expression of the parameter's type. */
function argumentValue(text: string, type: TypeFunc["params"][number]["type"]): unknown {
  if (text.startsWith("(")) {
    const nodes = readSexprs(text);
    if (nodes.length !== 1) throw new ValueSyntaxError(`expected one value, got \`${text}\``);
    return readValue(nodes[0], type);
  }
  // a bare literal: wrap it in the type's constant form
  let lit = text;
  if (text.startsWith("'") && text.endsWith("'") && text.length >= 3) {
    lit = JSON.stringify(text.slice(1, -1));
  }
  if (typeof type !== "string") {
    const form = { option: "option.some", result: "result.ok" }[type.kind as string] ??
      `${type.kind}.const`;
    throw new ValueSyntaxError(
      `a \`${type.kind}\` argument is written as a value expression, e.g. (${form} ...)`,
    );
  }
  const form = { string: "str.const", char: "char.const" }[type as string] ?? `${type}.const`;
  return readValue(readSexprs(`(${form} ${lit})`)[0], type);
}

/** Run `run`: instantiate a component and call one export. */
async function runCommand(file: string, invoke: string): Promise<void> {
  const bytes = file === "-"
    ? new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer())
    : await Deno.readFile(file);
  const component = await compile(bytes);
  const { name, args } = splitInvoke(invoke);
  const node = component.translation.dfg.exports.find((e) => e.name === name);
  const item = node?.item;
  if (item === undefined || (item.kind !== "lifted" && item.kind !== "func-import")) {
    const names = component.translation.dfg.exports.map((e) => e.name).join(", ");
    throw new InvokeError(`no exported function \`${name}\` (exports: ${names || "none"})`);
  }
  const type = item.type;
  if (args.length !== type.params.length) {
    throw new InvokeError(`\`${name}\` takes ${type.params.length} arguments, got ${args.length}`);
  }
  const values = args.map((a, i) => argumentValue(a, type.params[i].type));
  const { exports } = component.instantiate();
  const result = (exports[name] as (...a: unknown[]) => unknown)(...values);
  if (type.result !== undefined) console.log(formatValue(result, type.result));
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
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      json: { type: "boolean" },
      wat: { type: "boolean" },
      out: { type: "string", short: "o" },
      invoke: { type: "string" },
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
        if (values.invoke === undefined) throw new UsageError("run needs --invoke 'NAME(ARGS)'");
        await runCommand(rest[0], values.invoke);
        return 0;
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
      e instanceof SexprError || e instanceof ValueSyntaxError || e instanceof TypeError
    ) {
      console.error(`error: ${e.message}`);
    } else if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${USAGE}`);
    } else if (e instanceof Deno.errors.NotFound || e instanceof InvokeError) {
      console.error(`error: ${e.message}`);
    } else {
      throw e;
    }
    return 1;
  }
}

class UsageError extends Error {}

/** An `--invoke` that does not fit the component: no such export, or the wrong arguments. */
class InvokeError extends Error {}

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
