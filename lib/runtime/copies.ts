/**
 * Streams and futures (CanonicalABI.md, "Stream State", "Future State"):
 * the state both ends of one share, the ends in handle tables, and the
 * copies between a writer's buffer and a reader's. A copy is a rendezvous:
 * the first of a read and a write to arrive waits (pending) for the other,
 * which copies as much as both buffers allow and completes; a stream's
 * waiting side may be filled (or emptied) further until its event is
 * delivered. Either side may be a component (a buffer in its linear
 * memory) or the host (a `ReadableStream` or a `Promise` it gave, or the
 * one it was given).
 *
 * @module
 */

import type { InterfaceType } from "../types/model.ts";
import { Trap } from "./trap.ts";
import { join, type Waitable } from "./waitables.ts";

/** Copy results (CanonicalABI.md, `CopyResult`), and `BLOCKED`. */
export const COPY = { COMPLETED: 0, DROPPED: 1, CANCELLED: 2, BLOCKED: 0xffff_ffff } as const;

/** What an end is doing (CanonicalABI.md, `CopyState`). */
export const COPY_STATE = { IDLE: 0, COPYING: 1, CANCELLING: 2, DONE: 3 } as const;

/** The rules of streams and futures, in Wasmtime's words. */
export const COPY_RULES = {
  concurrent: "cannot have concurrent operations active on a future/stream",
  inSet: "waitable cannot be used synchronously while added to a waitable set",
  readDoneStream: "cannot read from stream after being notified that the writable end dropped",
  writeDoneStream: "cannot write to stream after being notified that the readable end dropped",
  readDoneFuture: "cannot read from future after previous read succeeded",
  writeDoneFuture: "cannot write to future after previous write succeeded or readable end dropped",
  liftDoneStream: "cannot lift stream after being notified that the writable end dropped",
  liftDoneFuture: "cannot lift future after previous read succeeded",
  dropUnwritten: "cannot drop future write end without first writing a value",
  notCopying: "cannot cancel a read or write that is not in progress",
  typeMismatch: "the stream or future type does not match the built-in's",
} as const;

/** A side of a copy: a component instance, or the host. */
export type Side = number | "host";

/** Where a copy's elements come from or go to, and how many have moved. */
export interface Buffer {
  /** How many elements it holds (a reader's) or offers (a writer's). */
  readonly capacity: number;
  /** How many have moved. */
  progress: number;
}

/** A writer's buffer (CanonicalABI.md, `ReadableBuffer`). */
export interface ReadableBuffer extends Buffer {
  /**
   * Take the next `n` elements.
   * @param n How many (at most what remains).
   * @returns Them.
   */
  read(n: number): ArrayLike<unknown>;
}

/** A reader's buffer (CanonicalABI.md, `WritableBuffer`). */
export interface WritableBuffer extends Buffer {
  /**
   * Put elements next.
   * @param values Them (at most what remains).
   */
  write(values: ArrayLike<unknown>): void;
}

function remain(b: Buffer): number {
  return b.capacity - b.progress;
}

/** Told that a copy moved elements; `reclaim` ends further copies into the buffer. */
export type OnCopy = (reclaim: () => void) => void;
/** Told that a copy is over, with its result. */
export type OnCopyDone = (result: number) => void;

/** The readable side of a stream, as a component reads it (CanonicalABI.md, `ReadableStream`). */
export interface StreamSource {
  /** The element type (none: `stream`). */
  readonly t: InterfaceType | undefined;
  /** Read into `dst`, now or later. */
  read(side: Side, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void;
  /** Hurry a pending read. */
  cancel(): void;
  /** The reader is gone. */
  drop(): void;
}

/** The readable side of a future (CanonicalABI.md, `ReadableFuture`). */
export interface FutureSource {
  /** The value type (none: `future`). */
  readonly t: InterfaceType | undefined;
  /** Read the value into `dst`, now or later. */
  read(side: Side, dst: WritableBuffer, onCopyDone: OnCopyDone): void;
  /** Hurry a pending read. */
  cancel(): void;
  /** The reader is gone. */
  drop(): void;
}

/** Whether elements of `t` may be read and written by one component instance (numbers). */
function sameSideOk(t: InterfaceType | undefined): boolean {
  return t === undefined ||
    (typeof t === "string" && t !== "bool" && t !== "char" && t !== "string" &&
      t !== "error-context");
}

/** A pending read or write of a stream or future made by components. */
interface Pending {
  side: Side;
  buffer: ReadableBuffer | WritableBuffer;
  onCopy?: OnCopy;
  onCopyDone: OnCopyDone;
}

/**
 * What the shared state of a stream and of a future have in common: the
 * read or write waiting for the other (CanonicalABI.md, `pending_*`), and
 * whether an end was dropped.
 */
abstract class Rendezvous {
  dropped = false;
  /** The read or write that waits for the other, if any. */
  protected pending: Pending | undefined;

  /**
   * @param t The element type.
   * @param what `stream` or `future`, for the trap messages.
   */
  constructor(readonly t: InterfaceType | undefined, readonly what: "stream" | "future") {}

  /** The waiting copy is over, with `result`. */
  protected notify(result: number): void {
    const p = this.pending!;
    this.pending = undefined;
    p.onCopyDone(result);
  }

  /** A copy meets the waiting one: not from the same instance, for values other than numbers. */
  protected check(side: Side): void {
    if (side === this.pending!.side && !sameSideOk(this.t)) {
      throw new Trap(`cannot read from and write to intra-component ${this.what}`);
    }
  }

  /** Hurry the waiting copy: it is over, `CANCELLED`. */
  cancel(): void {
    this.notify(COPY.CANCELLED);
  }

  /** An end is gone: the waiting copy is over, `DROPPED`. */
  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    if (this.pending !== undefined) this.notify(COPY.DROPPED);
  }
}

/** The state both ends of a stream a component made share (CanonicalABI.md, `SharedStreamImpl`). */
export class SharedStream extends Rendezvous implements StreamSource {
  /** @param t The element type. */
  constructor(t: InterfaceType | undefined) {
    super(t, "stream");
  }

  /** {@inheritDoc StreamSource.read} */
  read(side: Side, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.dropped) return onCopyDone(COPY.DROPPED);
    const p = this.pending;
    if (p === undefined) {
      this.pending = { side, buffer: dst, onCopy, onCopyDone };
      return;
    }
    this.check(side);
    const src = p.buffer as ReadableBuffer;
    if (remain(src) > 0) {
      if (remain(dst) > 0) {
        dst.write(src.read(Math.min(remain(dst), remain(src))));
        p.onCopy!(() => {
          if (this.pending === p) this.pending = undefined;
        });
      }
      onCopyDone(COPY.COMPLETED);
    } else {
      // a zero-length write waiting: it completes, the read waits
      this.notify(COPY.COMPLETED);
      this.pending = { side, buffer: dst, onCopy, onCopyDone };
    }
  }

  /**
   * Write from `src`, now or later (CanonicalABI.md, `SharedStreamImpl.write`).
   * @param side Who writes.
   * @param src The writer's buffer.
   * @param onCopy Told of a partial copy.
   * @param onCopyDone Told that the write is over.
   */
  write(side: Side, src: ReadableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.dropped) return onCopyDone(COPY.DROPPED);
    const p = this.pending;
    if (p === undefined) {
      this.pending = { side, buffer: src, onCopy, onCopyDone };
      return;
    }
    this.check(side);
    const dst = p.buffer as WritableBuffer;
    if (remain(dst) > 0) {
      if (remain(src) > 0) {
        dst.write(src.read(Math.min(remain(dst), remain(src))));
        p.onCopy!(() => {
          if (this.pending === p) this.pending = undefined;
        });
      }
      onCopyDone(COPY.COMPLETED);
    } else if (src.capacity === 0 && dst.capacity === 0) {
      onCopyDone(COPY.COMPLETED);
    } else {
      // a zero-length read waiting: it completes, the write waits
      this.notify(COPY.COMPLETED);
      this.pending = { side, buffer: src, onCopy, onCopyDone };
    }
  }
}

/** The state both ends of a future a component made share (CanonicalABI.md, `SharedFutureImpl`). */
export class SharedFuture extends Rendezvous implements FutureSource {
  /** @param t The value type. */
  constructor(t: InterfaceType | undefined) {
    super(t, "future");
  }

  /** {@inheritDoc FutureSource.read} */
  read(side: Side, dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    if (this.pending === undefined) {
      this.pending = { side, buffer: dst, onCopyDone };
      return;
    }
    this.check(side);
    dst.write((this.pending.buffer as ReadableBuffer).read(1));
    this.notify(COPY.COMPLETED);
    onCopyDone(COPY.COMPLETED);
  }

  /**
   * Write the value from `src`, now or later.
   * @param side Who writes.
   * @param src The writer's buffer.
   * @param onCopyDone Told that the write is over.
   */
  write(side: Side, src: ReadableBuffer, onCopyDone: OnCopyDone): void {
    if (this.dropped) return onCopyDone(COPY.DROPPED);
    if (this.pending === undefined) {
      this.pending = { side, buffer: src, onCopyDone };
      return;
    }
    this.check(side);
    (this.pending.buffer as WritableBuffer).write(src.read(1));
    this.notify(COPY.COMPLETED);
    onCopyDone(COPY.COMPLETED);
  }
}

/** An end of a stream or future in a handle table (CanonicalABI.md, `CopyEnd`). */
export interface CopyEnd extends Waitable {
  /** Which end of what. */
  readonly kind: "stream-readable" | "stream-writable" | "future-readable" | "future-writable";
  /** What both ends share (a host's source for a readable end the host gave). */
  readonly shared: SharedStream | SharedFuture | StreamSource | FutureSource;
  /** What it is doing. */
  state: number;
  /**
   * A stream copy that moved elements and may move more: the event a
   * cancel delivers instead of its pending one (`CANCELLED` with the
   * count so far, as Wasmtime and the suite's big-interleaving-test.wast
   * have it).
   */
  partial?: () => readonly [number, number];
}

/**
 * A new end.
 * @param kind Which.
 * @param shared What it shares with the other end.
 * @returns The end (its index is set when it is added to a table).
 */
export function newEnd(kind: CopyEnd["kind"], shared: CopyEnd["shared"]): CopyEnd {
  return { kind, shared, state: COPY_STATE.IDLE, index: 0, pending: false, set: undefined };
}

/**
 * Whether an end is copying (or cancelling a copy).
 * @param e The end.
 * @returns Whether it is.
 */
export function copying(e: CopyEnd): boolean {
  return e.state === COPY_STATE.COPYING || e.state === COPY_STATE.CANCELLING;
}

/**
 * Start a copy on an end (`stream.read`/`write`, `future.read`/`write`):
 * what the specification checks, then the read or write; its event is
 * pending on the end when the copy made progress at once.
 * @param e The end.
 * @param side The component instance copying.
 * @param buffer Its buffer.
 * @param code The event code (`STREAM_READ`, ...).
 */
export function startCopy(e: CopyEnd, side: Side, buffer: Buffer, code: number): void {
  const stream = e.kind === "stream-readable" || e.kind === "stream-writable";
  const reading = e.kind === "stream-readable" || e.kind === "future-readable";
  const event = (result: number, reclaim: () => void) => (): readonly [number, number] => {
    reclaim();
    if (stream) {
      e.state = result === COPY.DROPPED ? COPY_STATE.DONE : COPY_STATE.IDLE;
      return [code, result | (buffer.progress << 4)];
    }
    e.state = result === COPY.DROPPED || result === COPY.COMPLETED
      ? COPY_STATE.DONE
      : COPY_STATE.IDLE;
    return [code, result];
  };
  const none = () => {};
  const onCopy: OnCopy = (reclaim) => {
    setPending(e, event(COPY.COMPLETED, reclaim));
    e.partial = event(COPY.CANCELLED, reclaim);
  };
  const onCopyDone: OnCopyDone = (result) => {
    e.partial = undefined;
    setPending(e, event(result, none));
  };
  e.state = COPY_STATE.COPYING;
  e.partial = undefined;
  if (stream) {
    if (reading) {
      (e.shared as StreamSource).read(side, buffer as WritableBuffer, onCopy, onCopyDone);
    } else (e.shared as SharedStream).write(side, buffer as ReadableBuffer, onCopy, onCopyDone);
  } else if (reading) {
    (e.shared as FutureSource).read(side, buffer as WritableBuffer, onCopyDone);
  } else (e.shared as SharedFuture).write(side, buffer as ReadableBuffer, onCopyDone);
}

/**
 * An end's event is pending: it is delivered by `deliver` (which updates
 * the end's state), to a waiter on its set or on the end itself.
 * @param e The end.
 * @param deliver Makes the event.
 */
export function setPending(e: Waitable, deliver: () => readonly [number, number]): void {
  e.deliver = deliver;
  e.pending = true;
  e.waiter?.();
  e.set?.waiter?.();
}

/**
 * Take an end's own pending event (a copy that completed, or was
 * cancelled, at once): its payload.
 * @param e The end.
 * @returns The payload.
 */
export function takeOwnEvent(e: Waitable): number {
  e.pending = false;
  const d = e.deliver!;
  e.deliver = undefined;
  return d()[1];
}

/**
 * Wait for an end's own event (a synchronous copy or cancel, suspended).
 * @param e The end.
 * @returns The Promise of its payload.
 */
export function ownEvent(e: Waitable): Promise<number> {
  // (taken when the waiter runs again, not when it comes: until then the other end may
  // still copy more, or drop, and the event says so)
  return new Promise<void>((resolve) => {
    e.waiter = () => {
      e.waiter = undefined;
      resolve();
    };
  }).then(() => takeOwnEvent(e));
}

/**
 * `{stream,future}.cancel-{read,write}`: the pending copy is asked to stop
 * (CanonicalABI.md, `cancel_copy`).
 * @param e The end.
 * @param async Whether the built-in has the `async` option.
 * @returns The payload, `BLOCKED`, or (sync, not done at once) the Promise of the payload.
 */
export function cancelCopy(e: CopyEnd, async: boolean): number | Promise<number> {
  if (e.state !== COPY_STATE.COPYING || e.waiter !== undefined) {
    throw new Trap(COPY_RULES.notCopying);
  }
  if (e.set !== undefined && !async) throw new Trap(COPY_RULES.inSet);
  e.state = COPY_STATE.CANCELLING;
  if (e.pending && e.partial !== undefined) e.deliver = e.partial;
  e.partial = undefined;
  if (!e.pending) {
    e.shared.cancel();
    if (!e.pending) return async ? COPY.BLOCKED : ownEvent(e);
  }
  return takeOwnEvent(e);
}

/**
 * `{stream,future}.drop-{readable,writable}` (CanonicalABI.md, `CopyEnd.drop`).
 * @param e The end (already removed from its table).
 * @throws {Trap} While it copies, or for a future's writable end that wrote nothing.
 */
export function dropEnd(e: CopyEnd): void {
  if (copying(e)) {
    const what = e.kind.startsWith("stream") ? "stream" : "future";
    throw new Trap(
      e.kind.endsWith("readable") ? `cannot remove busy ${what}` : `cannot drop busy ${what}`,
    );
  }
  if (e.kind === "future-writable" && e.state !== COPY_STATE.DONE) {
    throw new Trap(COPY_RULES.dropUnwritten);
  }
  e.shared.drop();
  join(e, undefined);
}

/**
 * Lift a readable end: it leaves its table for the other side, which gets
 * what it shares (CanonicalABI.md, `lift_async_value`).
 * @param e The end (already removed from its table).
 * @returns What it shares.
 * @throws {Trap} While it copies, once done, or in a waitable set.
 */
export function liftEnd(e: CopyEnd): CopyEnd["shared"] {
  const what = e.kind === "stream-readable" ? "stream" : "future";
  if (copying(e)) throw new Trap(`cannot remove busy ${what}`);
  if (e.state === COPY_STATE.DONE) {
    throw new Trap(what === "stream" ? COPY_RULES.liftDoneStream : COPY_RULES.liftDoneFuture);
  }
  if (e.set !== undefined) throw new Trap(`cannot lift ${what} while it's in a waitable set`);
  return e.shared;
}
