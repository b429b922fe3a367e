// deno-lint-ignore-file no-console
/**
 * Installs the npm dev dependencies (see package.json) when any is missing.
 * Run by `deno task test`, `deno task check` and `deno task bench`, so a
 * fresh clone needs no other set-up step. The library itself has no
 * dependencies: only tests and type checks use these.
 *
 * @module
 */

import { exists } from "./_fs.ts";

const root = new URL("..", import.meta.url);

const pkg = JSON.parse(await Deno.readTextFile(new URL("package.json", root)));
const missing = [];
for (const name of Object.keys(pkg.devDependencies ?? {})) {
  if (!await exists(new URL(`node_modules/${name}/package.json`, root))) missing.push(name);
}

if (missing.length > 0) {
  // `npm install`, not `npm ci`: the lock file cannot list the optional
  // platform packages of jco-transpile that the registry mirror lacks, and
  // `npm ci` refuses a lock file it finds incomplete.
  const args = ["install", "--no-audit", "--no-fund"];
  console.error(`setup: npm ${args[0]} (missing dev dependencies: ${missing.join(", ")})`);
  const { code } = await new Deno.Command("npm", {
    args,
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    console.error(`setup: npm ${args[0]} failed with exit status ${code}`);
    Deno.exit(1);
  }
}
