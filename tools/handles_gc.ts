// deno-lint-ignore-file no-console
/**
 * Checks that a call through a fused adapter passing handles allocates
 * nothing: 2,000,000 calls of `bench/_handles.ts`'s `f`, between two markers.
 * Run it under V8's GC trace and count the collections between them:
 *
 * ```sh
 * deno run -A --v8-flags=--trace-gc tools/handles_gc.ts | sed -n '/^start/,/^end/p' | grep -c Scavenge
 * ```
 *
 * @module
 */

import { instantiate } from "../mod.ts";
import { handlesComponent } from "../bench/_handles.ts";

const { exports } = await instantiate(await handlesComponent());
const run = exports.run as (n: number) => number;
run(100); // warm up: the first calls fill the reused records
console.log("start");
for (let i = 0; i < 20_000; i++) run(100);
console.log("end");
