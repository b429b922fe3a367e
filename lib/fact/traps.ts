/**
 * The traps an adapter can raise. Every trap goes through one host
 * intrinsic, `runtime.trap(code)`, so the runtime can throw an error naming
 * the Canonical ABI rule that was broken (reference §3.12), never a bare
 * "unreachable executed".
 *
 * @module
 */

/** Trap codes passed to the `runtime.trap` import, with their messages. */
export const TRAPS = [
  "cannot leave component instance",
  "cannot enter component instance",
  "unaligned pointer",
  "pointer out of bounds of memory",
  "invalid `char` bit pattern",
  "invalid variant discriminant",
  "realloc returned an unaligned pointer",
  "realloc returned a pointer out of bounds of memory",
] as const;

/** A trap's code (an index into {@link TRAPS}). */
export const Trap = {
  CannotLeave: 0,
  CannotEnter: 1,
  UnalignedPointer: 2,
  PointerOutOfBounds: 3,
  InvalidChar: 4,
  InvalidDiscriminant: 5,
  ReallocUnaligned: 6,
  ReallocOutOfBounds: 7,
} as const;

/** The message of a trap code. */
export function trapMessage(code: number): string {
  return TRAPS[code] ?? `unknown adapter trap ${code}`;
}
