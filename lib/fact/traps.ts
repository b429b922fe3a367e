/**
 * The traps an adapter can raise. Every trap goes through one host
 * intrinsic, `runtime.trap(code)`, so the runtime can throw an error naming
 * the Canonical ABI rule that was broken (reference §3.12), never a bare
 * "unreachable executed".
 *
 * @module
 */

/** Trap messages, indexed by the code passed to the `runtime.trap` import. */
export const TRAPS: readonly string[] = [
  "cannot leave component instance",
  "cannot enter component instance",
  "unaligned pointer",
  "pointer out of bounds of memory",
  "invalid `char` bit pattern",
  "invalid variant discriminant",
  "unaligned pointer (realloc return: result not aligned)",
  "realloc return: beyond end of memory",
  "string content out-of-bounds",
  "list content out-of-bounds",
  "string content out-of-bounds (realloc return: beyond end of memory)",
  "uncaught exception propagated out of component",
];

/** A trap's code (an index into {@link TRAPS}). */
export const TrapCode: {
  readonly CannotLeave: 0;
  readonly CannotEnter: 1;
  readonly UnalignedPointer: 2;
  readonly PointerOutOfBounds: 3;
  readonly InvalidChar: 4;
  readonly InvalidDiscriminant: 5;
  readonly ReallocUnaligned: 6;
  readonly ReallocOutOfBounds: 7;
  readonly StringOutOfBounds: 8;
  readonly ListOutOfBounds: 9;
  readonly StringReallocOutOfBounds: 10;
  readonly UncaughtException: 11;
} = {
  CannotLeave: 0,
  CannotEnter: 1,
  UnalignedPointer: 2,
  PointerOutOfBounds: 3,
  InvalidChar: 4,
  InvalidDiscriminant: 5,
  ReallocUnaligned: 6,
  ReallocOutOfBounds: 7,
  StringOutOfBounds: 8,
  ListOutOfBounds: 9,
  StringReallocOutOfBounds: 10,
  UncaughtException: 11,
} as const;

/**
 * The message of a trap code.
 * @param code The code an adapter passed to `runtime.trap`.
 * @returns The rule that was broken.
 */
export function trapMessage(code: number): string {
  return TRAPS[code] ?? `unknown adapter trap ${code}`;
}
