// deno-lint-ignore-file no-console
/**
 * The wasmfuse command line: a thin shell over the library.
 *
 * ```sh
 * deno run -A cli.ts parse FILE|-     # one line per payload, like an objdump
 * deno run -A cli.ts inspect FILE|-   # the flattened graph: adapters, lowerings, ...
 * ```
 *
 * Bad input prints `error: <message> at offset <n>` to stderr and exits 1.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type AdapterModulePlan,
  describeDfg,
  describePayload,
  describePlan,
  DfgCollector,
  dfgToJson,
  inline,
  LinkError,
  parse,
  ParseError,
  partition,
  type Payload,
  planInstantiation,
} from "./mod.ts";

const USAGE = `wasmfuse: compile and inspect the fused adapters of WebAssembly components

usage:
  wasmfuse parse FILE|-             print one line per payload (byte range, kind, items)
  wasmfuse inspect FILE|- [--json]  flatten the component: counts, one line per adapter,
                                    lowering, import and export, the adapter modules and
                                    the instantiation plan (--json: one object)
  wasmfuse help             this text

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
    options: { help: { type: "boolean", short: "h" }, json: { type: "boolean" } },
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
    } else if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${USAGE}`);
    } else if (e instanceof Deno.errors.NotFound) {
      console.error(`error: ${e.message}`);
    } else {
      throw e;
    }
    return 1;
  }
}

class UsageError extends Error {}

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
