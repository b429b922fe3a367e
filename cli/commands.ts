// deno-lint-ignore-file no-console
/**
 * The commands of the command line: `parse`, `inspect`, `fuse`, `run`,
 * `wast`, each a thin shell over the library.
 *
 * @module
 */

import {
  compile,
  fuse,
  LinkError,
  parse,
  type Payload,
  saveTranslation,
  type Translation,
} from "../mod.ts";
import { type AdapterModule, adapterModuleWat } from "../lib/fact/mod.ts";
import { describeDfg, DfgCollector, dfgToJson, inline } from "../lib/inline/mod.ts";
import { describePayload } from "../lib/parse/mod.ts";
import {
  type AdapterModulePlan,
  describePlan,
  partition,
  planInstantiation,
} from "../lib/partition/mod.ts";
import type { WastResult } from "../lib/wast/mod.ts";
import { formatWave, type Invocation, InvokeError, parseInvoke } from "../lib/wave/mod.ts";
import { NeedsError, openComponent, openRunnable, Progress } from "./input.ts";
import { UsageError } from "./usage.ts";
import { WastFiles } from "./wast_files.ts";

const encoder = new TextEncoder();

async function write(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  for (let at = 0; at < bytes.length;) at += await Deno.stdout.write(bytes.subarray(at));
}

/** `parse`: stream the file through the parser, printing as payloads arrive. */
export async function parseCommand(file: string): Promise<void> {
  let depth = 0;
  let lines = "";
  const flush = async () => {
    if (lines) await write(lines);
    lines = "";
  };
  const reader = (await openComponent(file)).pipeThrough(parse()).getReader();
  try {
    for (;;) {
      const { done, value: p } = await reader.read();
      if (done) break;
      if ((p as Payload).kind === "component-end") depth--;
      lines += describePayload(p, Math.max(depth, 0)) + "\n";
      if (p.kind === "component-begin") depth++;
      if (lines.length > 1 << 16) await flush();
    }
  } finally {
    // what was decoded before an error is still shown, then the error
    await flush();
  }
}

/** `inspect`: parse, inline and partition, then describe the graph. */
export async function inspectCommand(file: string, json: boolean): Promise<void> {
  const collector = new DfgCollector();
  const modules: AdapterModulePlan[] = [];
  const progress = new Progress();
  const reader = (await openComponent(file)).pipeThrough(parse()).pipeThrough(inline())
    .pipeThrough(partition()).getReader();
  for (;;) {
    const { done, value: e } = await reader.read();
    if (done) break;
    if (e.kind === "adapter-module-plan") modules.push(e);
    else collector.add(e);
    progress.show(`inspect: ${collector.dfg.adapters.length} adapters`);
  }
  progress.done();
  const plan = planInstantiation(collector.dfg, modules);
  const text = json
    ? JSON.stringify(
      { ...dfgToJson(collector.dfg), adapterModules: modules.map((m) => m.adapters), plan },
      null,
      2,
    )
    : [describeDfg(collector.dfg), describePlan(collector.dfg, modules, plan)].join("\n");
  await write(text + "\n");
}

/** Ids as ranges: `0-4, 7, 9-12`. */
export function ranges(ids: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length;) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    out.push(j === i ? `${ids[i]}` : j === i + 1 ? `${ids[i]}, ${ids[j]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return out.join(", ");
}

/** How many adapter modules the summary lists one by one (`--json` has them all). */
const LISTED = 20;

/** Whether a path exists. */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Where `fuse -o DIR` writes: a temporary directory beside DIR, renamed into
 * place only when everything is written. A failing run leaves DIR as it was
 * (and creates nothing); a good one replaces the files of its own names and
 * touches nothing else in DIR.
 */
class Output {
  private constructor(
    readonly dir: string,
    readonly tmp: string,
    /** Parent directories this run created, deepest first. */
    readonly created: string[],
  ) {}

  static async open(dir: string): Promise<Output> {
    const info = await Deno.stat(dir).catch(() => undefined);
    if (info !== undefined && !info.isDirectory) {
      throw new UsageError(`-o ${dir}: exists and is not a directory`, "fuse");
    }
    const at = Math.max(dir.lastIndexOf("/"), dir.lastIndexOf("\\"));
    const parent = at < 0 ? "." : at === 0 ? "/" : dir.slice(0, at);
    const created: string[] = [];
    for (let p = parent; !(await exists(p));) {
      created.unshift(p);
      const up = Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\"));
      if (up <= 0) break;
      p = p.slice(0, up);
    }
    for (const p of created) await Deno.mkdir(p);
    created.reverse();
    const name = dir.slice(at + 1) || "out";
    const tmp = await Deno.makeTempDir({ dir: parent, prefix: `.${name}.wasmfuse-` });
    return new Output(dir, tmp, created);
  }

  path(file: string): string {
    return `${this.tmp}/${file}`;
  }

  /** Move the files into place (plan.json last), or the whole directory when DIR is new. */
  async commit(): Promise<void> {
    if (!(await exists(this.dir))) {
      await Deno.rename(this.tmp, this.dir);
      return;
    }
    const files = [...Deno.readDirSync(this.tmp)].map((e) => e.name)
      .sort((a, b) => Number(a === "plan.json") - Number(b === "plan.json"));
    for (const f of files) await Deno.rename(`${this.tmp}/${f}`, `${this.dir}/${f}`);
    await Deno.remove(this.tmp);
  }

  /** Remove what this run wrote and created, nothing else. */
  async abort(): Promise<void> {
    await Deno.remove(this.tmp, { recursive: true }).catch(() => {});
    for (const p of this.created) await Deno.remove(p).catch(() => {});
  }
}

/** `fuse`: the whole pipeline; write a self-contained translation, print WAT or a summary. */
export async function fuseCommand(
  file: string,
  opts: { out?: string; wat: boolean; json: boolean },
): Promise<void> {
  const progress = new Progress();
  const output = opts.out === undefined ? undefined : await Output.open(opts.out);
  let files = 0;
  // modules of one shape share their bytes and one file, the first one's (as saveTranslation names it)
  const written = new Set<Uint8Array>();
  try {
    let adapters = 0;
    const t = await fuse(await openComponent(file), async (m: AdapterModule) => {
      adapters += m.adapters.length;
      progress.show(`fuse: ${m.index + 1} adapter modules, ${adapters} adapters`);
      if (output === undefined || written.has(m.bytes)) return;
      written.add(m.bytes);
      files++;
      await Deno.writeFile(output.path(`adapter-${m.index}.wasm`), m.bytes);
    });
    progress.done();
    if (output !== undefined) {
      // the component's own core modules beside the adapter modules, and the document naming all
      const saved = saveTranslation(t);
      for (const [name, bytes] of saved.files) {
        if (name.startsWith("adapter-")) continue;
        files++;
        await Deno.writeFile(output.path(name), bytes);
      }
      files++;
      await Deno.writeTextFile(output.path("plan.json"), JSON.stringify(saved.json) + "\n");
      await output.commit();
    }
    if (opts.wat) {
      let text = "";
      for (const m of t.adapterModules) {
        text += `;; adapter module ${m.index}: adapters ${ranges(m.adapters)}\n`;
        text += adapterModuleWat(t.dfg, m);
      }
      await write(text);
    } else if (opts.json) {
      const summary = {
        adapters: t.dfg.adapters.length,
        adapterModules: t.adapterModules.map((m) => ({
          index: m.index,
          adapters: m.adapters,
          size: m.bytes.length,
          imports: m.imports,
        })),
        plan: t.plan.length,
        modules: t.dfg.modules.length,
        ...(opts.out === undefined ? {} : { out: opts.out, files }),
      };
      await write(JSON.stringify(summary, null, 2) + "\n");
    } else await write(summarize(t, opts.out, files));
  } catch (e) {
    progress.done();
    // nothing half-written is left behind, and nothing the run did not write is touched
    await output?.abort();
    throw e;
  }
}

/** The summary `fuse` prints: one line, then a line per adapter module (the first few). */
function summarize(t: Translation, out: string | undefined, files: number): string {
  const n = t.dfg.adapters.length;
  const bytes = t.adapterModules.reduce((sum, m) => sum + m.bytes.length, 0);
  const s = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
  let text =
    `${s(n, "adapter")} in ${s(t.adapterModules.length, "adapter module")} (${bytes} bytes); ` +
    `plan: ${t.plan.length} steps; ${t.dfg.modules.length} static core modules\n`;
  for (const m of t.adapterModules.slice(0, LISTED)) {
    text += `adapter module ${m.index}: adapters ${
      ranges(m.adapters)
    }, ${m.bytes.length} bytes, ${m.imports.length} imports\n`;
  }
  if (t.adapterModules.length > LISTED) {
    text += `... and ${
      t.adapterModules.length - LISTED
    } more adapter modules (--json lists them all)\n`;
  }
  if (out !== undefined) text += `wrote ${files} files to ${out}\n`;
  return text;
}

/** The WASI 0.2 host the CLI gives with `--wasi`: jco's, loaded only when asked for. */
const PREVIEW2_SHIM = "npm:@bytecodealliance/preview2-shim@0.26.1/instantiation";

/** What `run` was asked to do. */
export interface RunOptions {
  invoke?: string;
  wasi: boolean;
  dirs: string[];
  envs: string[];
  trapUnknownImports: boolean;
  /** Whether to instantiate async (JSPI), as an `async` function invoked is anyway. */
  async?: boolean;
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
      throw new UsageError(`--dir expects HOST[::GUEST], got \`${d}\``, "run");
    }
    preopens[guest] = host;
  }
  const env: Record<string, string> = {};
  for (const e of opts.envs) {
    const at = e.indexOf("=");
    if (at === 0) throw new UsageError(`--env expects NAME=VALUE or NAME, got \`${e}\``, "run");
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

/** `run`: instantiate a component, call one export (or `wasi:cli/run`), print the result. */
export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const progress = new Progress();
  const input = await openRunnable(file);
  let modules = 0;
  const translation = input instanceof ReadableStream
    ? await fuse(input, () => progress.show(`run: fusing, ${++modules} adapter modules`))
    : input;
  progress.done();
  const component = await compile(translation);
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
    // an `async` function runs in an async instance (its tasks may wait): JSPI, or an
    // UnsupportedError naming it
    instance = component.instantiate(imports, {
      trapUnknownImports: opts.trapUnknownImports,
      results: "tagged",
      ...(opts.async === true || call.type.async ? { async: true } : {}),
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
  const result = await (fn as (...a: unknown[]) => unknown)(...call.args);
  if (opts.invoke === undefined) {
    // `run: func() -> result`: the exit status is the component's
    return (result as { tag: string }).tag === "ok" ? 0 : 1;
  }
  if (call.type.result !== undefined) console.log(formatWave(result, call.type.result));
  return 0;
}

/** `wast`: every script, a summary line per file and the totals. */
export async function wastCommand(files: string[], timeoutSeconds: number): Promise<number> {
  let passed = 0, failed = 0, skipped = 0;
  const runner = new WastFiles();
  try {
    for (const file of files) {
      let r: WastResult;
      try {
        r = await runner.run(file, timeoutSeconds * 1000);
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
  } finally {
    runner.close();
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed === 0 ? 0 : 1;
}
