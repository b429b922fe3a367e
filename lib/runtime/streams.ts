/**
 * `stream<u8>` from the host to a component (CanonicalABI.md,
 * `SharedStreamImpl`): a `ReadableStream` the host gives is a stream's
 * readable end in the component's table. `stream.read` copies what has
 * arrived (up to the count asked for; the rest of a chunk waits for the
 * next read), or, with the `async` option, returns `BLOCKED` and a
 * `STREAM_READ` event `(COMPLETED | count << 4)` comes when the next chunk
 * does; the end of the stream (or its error) is `DROPPED`. Streams of other
 * element types, streams a component writes, and streams between
 * components are not supported yet.
 *
 * @module
 */

import { UnsupportedError } from "../types/errors.ts";
import { COPY } from "./futures.ts";
import { EVENT, notify, type Waitable } from "./waitables.ts";

/** The readable end of a stream the host writes. */
export interface StreamEnd extends Waitable {
  /** Discriminant. */
  readonly kind: "stream-readable";
  /** The host's stream, read a chunk at a time. */
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** What arrived and was not read yet. */
  buffered?: Uint8Array;
  /** Whether the host's stream ended (or failed). */
  done: boolean;
  /** Whether a read waits for the next chunk. */
  reading: boolean;
}

/**
 * A host stream as a readable end, for a component.
 * @param s The stream.
 * @returns The end.
 */
export function hostStream(s: ReadableStream<Uint8Array>): StreamEnd {
  return {
    kind: "stream-readable",
    reader: s.getReader(),
    done: false,
    reading: false,
    index: 0,
    pending: false,
    set: undefined,
  };
}

/** Copy up to `n` bytes of `chunk` through `copy`; the rest is kept for the next read. */
function take(r: StreamEnd, chunk: Uint8Array, n: number, copy: (b: Uint8Array) => void): number {
  const count = Math.min(n, chunk.length);
  copy(chunk.subarray(0, count));
  r.buffered = count < chunk.length ? chunk.subarray(count) : undefined;
  return count;
}

/**
 * `stream.read`.
 * @param r The readable end.
 * @param async Whether the read has the `async` option (else it may not block).
 * @param n How many elements the reader takes at most.
 * @param copy Writes bytes into the reader's memory.
 * @returns `COMPLETED | count << 4`, `DROPPED` at the end, or `BLOCKED`.
 * @throws {UnsupportedError} For a synchronous read that would block, or a second read while one waits.
 */
export function readStream(
  r: StreamEnd,
  async: boolean,
  n: number,
  copy: (b: Uint8Array) => void,
): number {
  if (r.reading) throw new UnsupportedError("a second `stream.read` while one waits", "streams");
  if (r.buffered !== undefined) return COPY.COMPLETED | (take(r, r.buffered, n, copy) << 4);
  if (r.done) return COPY.DROPPED;
  if (!async) {
    throw new UnsupportedError(
      "a synchronous `stream.read` of a stream whose next chunk has not arrived would block: " +
        "read with the `async` option",
      "streams",
    );
  }
  r.reading = true;
  r.reader.read().then(({ done, value }) => {
    r.reading = false;
    if (done || value === undefined) {
      r.done = true;
      notify(r, EVENT.STREAM_READ, COPY.DROPPED);
    } else notify(r, EVENT.STREAM_READ, COPY.COMPLETED | (take(r, value, n, copy) << 4));
  }, () => {
    r.reading = false;
    r.done = true;
    notify(r, EVENT.STREAM_READ, COPY.DROPPED);
  });
  return COPY.BLOCKED;
}

/**
 * `stream.drop-readable`: the host's stream is cancelled.
 * @param r The readable end.
 */
export function dropStream(r: StreamEnd): void {
  r.done = true;
  r.reader.cancel().catch(() => {});
}
