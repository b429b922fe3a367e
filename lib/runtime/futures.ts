/**
 * `future<T>` between a component and the host (CanonicalABI.md,
 * `SharedFutureImpl`): a component makes one (`future.new`), hands its
 * readable end to the host (an export's result, an import's argument),
 * which gets a Promise, and resolves it with `future.write` (or rejects it
 * by dropping the writable end unwritten). A future read by another
 * component is not supported yet.
 *
 * @module
 */

import { UnsupportedError } from "../types/errors.ts";

/** Copy results (CanonicalABI.md, `CopyResult`). */
export const COPY = { COMPLETED: 0, DROPPED: 1 } as const;

/** The state both ends of a future share. */
export interface SharedFuture {
  /** Who holds the readable end. */
  reader: "guest" | "host";
  /** Whether a value was written, or the writable end dropped without one. */
  state: "open" | "written" | "dropped";
  /** The host's Promise, once the host holds the readable end. */
  promise?: Promise<unknown>;
  resolve?: (v: unknown) => void;
  reject?: (e: unknown) => void;
}

/** An end of a future, as a handle in a table. */
export interface FutureEnd {
  /** Which end. */
  readonly kind: "future-readable" | "future-writable";
  /** The state both ends share. */
  readonly shared: SharedFuture;
}

/**
 * A new future: its two ends.
 * @returns The readable and the writable end.
 */
export function newFuture(): [FutureEnd, FutureEnd] {
  const shared: SharedFuture = { reader: "guest", state: "open" };
  return [{ kind: "future-readable", shared }, { kind: "future-writable", shared }];
}

/**
 * The host takes a readable end: the Promise of its value.
 * @param end The readable end.
 * @returns The Promise.
 */
export function hostReads(end: FutureEnd): Promise<unknown> {
  const f = end.shared;
  f.reader = "host";
  f.promise ??= new Promise((resolve, reject) => {
    f.resolve = resolve;
    f.reject = reject;
  });
  return f.promise;
}

/**
 * `future.write`: the value goes to the host's Promise.
 * @param end The writable end.
 * @param read Reads the value from the writer's memory.
 * @returns `COMPLETED`.
 * @throws {UnsupportedError} When a component holds the readable end.
 */
export function writeFuture(end: FutureEnd, read: () => unknown): number {
  const f = end.shared;
  if (f.reader !== "host") {
    throw new UnsupportedError(
      "`future.write` to a future whose readable end a component holds is not supported yet " +
        "(hand the readable end to the host first)",
      "futures",
    );
  }
  f.state = "written";
  f.resolve!(read());
  return COPY.COMPLETED;
}

/**
 * `future.drop-writable`: unwritten, the host's Promise rejects.
 * @param end The writable end.
 */
export function dropWritable(end: FutureEnd): void {
  const f = end.shared;
  if (f.state !== "open") return;
  f.state = "dropped";
  f.reject?.(new Error("the component dropped the future's writable end without writing a value"));
}
