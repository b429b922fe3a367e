/**
 * WAVE (the WebAssembly Value Encoding, as `wasmtime run --invoke` takes
 * and prints values) and the `--invoke` expression of `cli.ts run`.
 *
 * @module
 */
export { formatWave, readWave, WaveReader, WaveSyntaxError } from "./wave.ts";
export { InvokeError, parseInvoke } from "./invoke.ts";
export type { Invocation } from "./invoke.ts";
