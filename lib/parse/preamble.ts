/**
 * The 8-byte preamble shared by core modules and components.
 *
 * @module
 */

import type { Reader } from "../binary/reader.ts";

/** The decoded preamble: version and layer. */
export interface Preamble {
  /** The version field (1 for core modules, 0x0d for components today). */
  readonly version: number;
  /** The layer field: 0 for core modules, 1 for components. */
  readonly layer: number;
}

/**
 * Read `\0asm`, then the 16-bit version and 16-bit layer.
 * @param r The reader, at the preamble.
 * @returns Version and layer, not yet checked against what is expected.
 * @throws {ParseError} On a bad magic number or truncated input.
 */
export function readPreamble(r: Reader): Preamble {
  const at = r.offset;
  const magic = r.take(4);
  if (magic[0] !== 0 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d) {
    throw r.error("magic header not detected", at);
  }
  const v = r.take(4);
  return { version: v[0] | v[1] << 8, layer: v[2] | v[3] << 8 };
}
