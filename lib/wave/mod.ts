/**
 * WAVE, the WebAssembly Value Encoding (as `wasmtime run --invoke` takes
 * and prints values: {@link readWave}, {@link formatWave}), and the
 * `--invoke` expression of `cli.ts run` ({@link parseInvoke}).
 *
 * @example A WAVE round trip
 * ```ts
 * import { formatWave, readWave } from "@wasmfuse/fuse/wave";
 * import assert from "node:assert/strict";
 *
 * const t = { kind: "option", type: { kind: "list", element: "u8" } } as const;
 * assert.deepEqual(readWave("some([1, 2])", t), [1, 2]);
 * assert.equal(formatWave([1, 2], t), "some([1, 2])");
 * ```
 *
 * @module
 */
export { formatWave, readWave, WaveReader, WaveSyntaxError } from "./wave.ts";
export { InvokeError, parseInvoke } from "./invoke.ts";
export type { Invocation } from "./invoke.ts";
