// deno-lint-ignore-file no-console
/**
 * Rebuilds the real-toolchain fixtures in `tests/realworld/` from their
 * sources in `tests/realworld/src/`:
 *
 * - C (Debian's clang + wasi-libc, `wasm32-wasi`): `library.wasm`,
 *   `app.wasm` (reactors, made components with the WASI preview1 adapter
 *   jco ships) and `hello.wasm` (a `wasi:cli/run` command), and
 *   `notes.wasm`, the library and the app composed (`tools/compose.ts`);
 * - JavaScript (`@bytecodealliance/componentize-js`, with `--js`):
 *   `greeter-js.wasm.gz`, gzipped (the engine inside is 12 MB).
 *
 * ```sh
 * apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32   # once
 * deno run -A tools/build_realworld.ts [--js]
 * ```
 *
 * What it needs beyond the dev dependencies (the preview1 adapters from the
 * `@bytecodealliance/jco` package, componentize-js) is fetched from npm into
 * a temporary directory, never into the project.
 *
 * @module
 */

import { compose } from "./compose.ts";

const root = new URL("../tests/realworld/", import.meta.url);
const src = new URL("src/", root);
const JCO = "@bytecodealliance/jco@1.35.0";
const COMPONENTIZE_JS = "@bytecodealliance/componentize-js@0.23.0";
const PREVIEW2_SHIM = "@bytecodealliance/preview2-shim@0.26.1";

async function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  const { code } = await new Deno.Command(cmd, {
    args,
    ...(cwd === undefined ? {} : { cwd }),
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with status ${code}`);
}

/** The WASI preview1 adapters (reactor and command) from jco's npm package. */
async function adapters(tmp: string): Promise<{ reactor: Uint8Array; command: Uint8Array }> {
  await run("npm", ["pack", JCO, "--pack-destination", tmp, "--silent"]);
  const tgz = [...Deno.readDirSync(tmp)].find((e) => e.name.endsWith(".tgz"))!.name;
  await run("tar", ["xzf", tgz, "package/lib"], tmp);
  const lib = `${tmp}/package/lib`;
  return {
    reactor: await Deno.readFile(`${lib}/wasi_snapshot_preview1.reactor.wasm`),
    command: await Deno.readFile(`${lib}/wasi_snapshot_preview1.command.wasm`),
  };
}

/** clang, then the WIT world embedded, then a component with the preview1 adapter. */
async function buildC(
  tmp: string,
  name: string,
  world: string,
  model: "reactor" | "command",
  adapter: Uint8Array,
): Promise<Uint8Array> {
  const { componentEmbed, componentNew } = await import(
    "@bytecodealliance/jco-transpile/wasm-tools"
  );
  const core = `${tmp}/${name}.core.wasm`;
  await run("clang", [
    "--target=wasm32-wasi",
    "--sysroot=/usr",
    "-O2",
    "-Wall",
    "-Wextra",
    "-Werror",
    `-mexec-model=${model}`,
    "-Wl,--strip-all",
    "-o",
    core,
    new URL(`${name}.c`, src).pathname,
  ]);
  const embedded = await componentEmbed({
    binary: await Deno.readFile(core),
    witSource: await Deno.readTextFile(new URL("notes.wit", src)),
    world,
  });
  return await componentNew(embedded, [["wasi_snapshot_preview1", adapter]]);
}

/** componentize-js in a temporary npm project (it is 380 MB: never a dev dependency). */
async function buildJs(tmp: string): Promise<Uint8Array> {
  const dir = `${tmp}/js`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/package.json`, '{ "private": true, "type": "module" }');
  await run("npm", ["install", "--no-audit", "--no-fund", COMPONENTIZE_JS, PREVIEW2_SHIM], dir);
  const script = `
    import { componentize } from "@bytecodealliance/componentize-js";
    import { _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";
    import { writeFile } from "node:fs/promises";
    _setPreopens({ "/": "/" }); // preview2-shim 0.26 starts with none
    const { component } = await componentize({
      sourcePath: ${JSON.stringify(new URL("greeter.js", src).pathname)},
      witPath: ${JSON.stringify(new URL("greeter.wit", src).pathname)},
      worldName: "js-greeter",
    });
    await writeFile("greeter.wasm", component);`;
  await Deno.writeTextFile(`${dir}/build.mjs`, script);
  await run("node", ["build.mjs"], dir);
  const wasm = await Deno.open(`${dir}/greeter.wasm`);
  return new Uint8Array(
    await new Response(wasm.readable.pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
  );
}

async function write(name: string, bytes: Uint8Array): Promise<void> {
  await Deno.writeFile(new URL(name, root), bytes);
  console.log(`tests/realworld/${name}: ${bytes.length} bytes`);
}

const tmp = await Deno.makeTempDir({ prefix: "wasmfuse-realworld-" });
try {
  const { reactor, command } = await adapters(tmp);
  const library = await buildC(tmp, "library", "library-world", "reactor", reactor);
  const app = await buildC(tmp, "app", "app-world", "reactor", reactor);
  await write("library.wasm", library);
  await write("app.wasm", app);
  await write("notes.wasm", compose(library, app));
  await write("hello.wasm", await buildC(tmp, "hello", "hello", "command", command));
  if (Deno.args.includes("--js")) await write("greeter-js.wasm.gz", await buildJs(tmp));
} finally {
  await Deno.remove(tmp, { recursive: true });
}
