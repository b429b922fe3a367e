/**
 * `future<T>` between a component and the host (CanonicalABI.md,
 * `SharedFutureImpl`). A component makes one (`future.new`) and hands its
 * readable end to the host (an export's result, an import's argument),
 * which gets a Promise; `future.write` resolves it (and dropping the
 * writable end before that traps). The host hands a component a Promise as a
 * future's readable end; `future.read` gives the value once the Promise
 * has resolved, or `BLOCKED` (async) and a `FUTURE_READ` event when it
 * does. A future that one component writes and another reads is not
 * supported yet.
 *
 * @module
 */

import { UnsupportedError } from "../types/errors.ts";
import { Trap } from "./trap.ts";
import { EVENT, notify, type Waitable } from "./waitables.ts";

/** Copy results (CanonicalABI.md, `CopyResult`), and `BLOCKED`. */
export const COPY = { COMPLETED: 0, DROPPED: 1, BLOCKED: 0xffff_ffff } as const;

/** The state both ends of a future share. */
export interface SharedFuture {
  /** Who holds the readable end. */
  reader: "guest" | "host";
  /** Who writes: a component (`future.write`), or the host (a Promise it gave). */
  writer: "guest" | "host";
  /** Whether a value was written, or (for a host's Promise) it rejected. */
  state: "open" | "written" | "dropped";
  /** The value the host's Promise resolved to, until a component reads it. */
  value?: unknown;
  /** Called when the host's Promise settles (a read is waiting). */
  onSettle?: () => void;
  /** The host's Promise of the value: the one it gave, or the one made when it took the readable end. */
  promise?: Promise<unknown>;
  /** Resolves the Promise made for the host (`future.write`). */
  resolve?: (v: unknown) => void;
}

/** An end of a future, as a handle in a table (a readable end may join a waitable set). */
export interface FutureEnd extends Waitable {
  /** Which end. */
  readonly kind: "future-readable" | "future-writable";
  /** The state both ends share. */
  readonly shared: SharedFuture;
}

function end(kind: FutureEnd["kind"], shared: SharedFuture): FutureEnd {
  return { kind, shared, index: 0, pending: false, set: undefined };
}

/**
 * A new future: its two ends.
 * @returns The readable and the writable end.
 */
export function newFuture(): [FutureEnd, FutureEnd] {
  const shared: SharedFuture = { reader: "guest", writer: "guest", state: "open" };
  return [end("future-readable", shared), end("future-writable", shared)];
}

/**
 * A future the host writes with a Promise: its readable end, for a component.
 * @param p The Promise.
 * @returns The readable end.
 */
export function hostFuture(p: Promise<unknown>): FutureEnd {
  const shared: SharedFuture = { reader: "guest", writer: "host", state: "open", promise: p };
  p.then((v) => {
    shared.state = "written";
    shared.value = v;
    shared.onSettle?.();
  }, () => {
    shared.state = "dropped";
    shared.onSettle?.();
  });
  return end("future-readable", shared);
}

/**
 * `future.read`: the value the host's Promise resolved to, stored by `store`.
 * @param r The readable end.
 * @param async Whether the read has the `async` option (else it may not block).
 * @param store Writes the value into the reader's memory.
 * @returns `COMPLETED`, `DROPPED` (the Promise rejected), or `BLOCKED` (a
 *   `FUTURE_READ` event comes when it settles).
 * @throws {UnsupportedError} For a future a component writes, or a
 *   synchronous read that would block.
 */
export function readFuture(r: FutureEnd, async: boolean, store: (v: unknown) => void): number {
  const f = r.shared;
  if (f.writer !== "host") {
    throw new UnsupportedError(
      "`future.read` of a future a component writes is not supported yet",
      "futures",
    );
  }
  if (f.onSettle !== undefined) {
    throw new UnsupportedError("a second `future.read` while one waits", "futures");
  }
  if (f.state === "written") {
    store(f.value);
    return COPY.COMPLETED;
  }
  if (f.state === "dropped") return COPY.DROPPED;
  if (!async) {
    throw new UnsupportedError(
      "a synchronous `future.read` of a Promise still pending would block: read with the `async` option",
      "futures",
    );
  }
  f.onSettle = () => {
    f.onSettle = undefined;
    if (f.state === "written") {
      store(f.value);
      notify(r, EVENT.FUTURE_READ, COPY.COMPLETED);
    } else notify(r, EVENT.FUTURE_READ, COPY.DROPPED);
  };
  return COPY.BLOCKED;
}

/**
 * The host takes a readable end: the Promise of its value (the host's own,
 * when the host wrote the future).
 * @param end The readable end.
 * @returns The Promise.
 */
export function hostReads(end: FutureEnd): Promise<unknown> {
  const f = end.shared;
  f.reader = "host";
  f.promise ??= new Promise((resolve) => f.resolve = resolve);
  return f.promise;
}

/**
 * `future.write`: the value goes to the host's Promise.
 * @param end The writable end.
 * @param read Reads the value from the writer's memory.
 * @returns `COMPLETED`.
 * @throws {Trap} When a value was written already (CanonicalABI.md: the end is done).
 * @throws {UnsupportedError} When a component holds the readable end.
 */
export function writeFuture(end: FutureEnd, read: () => unknown): number {
  const f = end.shared;
  if (f.state === "written") {
    throw new Trap("cannot write to future after previous write succeeded");
  }
  if (f.reader !== "host") {
    throw new UnsupportedError(
      "`future.write` to a future whose readable end a component holds is not supported yet " +
        "(hand the readable end to the host first)",
      "futures",
    );
  }
  // (read first: a value out of bounds traps with nothing written)
  const v = read();
  f.state = "written";
  f.resolve!(v);
  return COPY.COMPLETED;
}

/**
 * `future.drop-writable`: only once a value was written (CanonicalABI.md).
 * @param end The writable end.
 * @throws {Trap} When none was.
 */
export function dropWritable(end: FutureEnd): void {
  if (end.shared.state !== "written") {
    throw new Trap("cannot drop future write end without first writing a value");
  }
}
