/**
 * The validate stage: every generated adapter module must pass the
 * engine's validation and match its plan; a failure is a
 * {@link ValidationError} (a bug in wasmfuse). An engine without
 * multi-memory is told apart ({@link engineHasMultiMemory}).
 *
 * @example Checking what fuse() made
 * ```ts
 * import { fuse } from "@wasmfuse/fuse";
 * import { validateAdapterModule } from "@wasmfuse/fuse/validate";
 *
 * const t = await fuse(await Deno.readFile("examples/points.wasm"));
 * for (const m of t.adapterModules) validateAdapterModule(m, t.dfg); // throws when invalid
 * ```
 *
 * @module
 */
export {
  engineHasMultiMemory,
  validate,
  validateAdapterModule,
  ValidateStream,
  ValidationError,
} from "./validate.ts";
