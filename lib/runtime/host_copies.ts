/**
 * The buffers of copies, and the host's side of streams and futures: a
 * `ReadableStream` the host gives is a stream's readable side (read as the
 * component reads it), a `Promise` a future's; a readable end the host is
 * given becomes a `ReadableStream` (pulled as the host reads it) or a
 * `Promise`. `stream<u8>` (and `s8`) moves `Uint8Array` chunks copied
 * straight out of and into linear memory; a stream of anything else moves
 * one element per chunk.
 *
 * @module
 */

import { type InterfaceType, typeToString } from "../types/model.ts";
import { some } from "../types/abi.ts";
import { UnsupportedError } from "../types/errors.ts";
import {
  COPY,
  type FutureSource,
  type OnCopy,
  type OnCopyDone,
  type ReadableBuffer,
  type Side,
  type StreamSource,
  type WritableBuffer,
} from "./copies.ts";
import { Trap } from "./trap.ts";
import { type AbiContext, RULES } from "./values.ts";

/** The most elements a buffer may hold (CanonicalABI.md, `Buffer.MAX_LENGTH`). */
const MAX_LENGTH = 2 ** 28 - 1;

function isBytes(t: InterfaceType | undefined): boolean {
  return t === "u8" || t === "s8";
}

/**
 * A component's buffer in its linear memory: `n` elements of `t` at `ptr`,
 * checked for alignment and bounds when made (CanonicalABI.md, `Buffer`).
 * @param cx The component's lifting and lowering context.
 * @param t The element type (none: elements without values).
 * @param ptr Where the buffer starts.
 * @param n How many elements it holds.
 * @returns The buffer, readable and writable.
 */
export function guestBuffer(
  cx: AbiContext | undefined,
  t: InterfaceType | undefined,
  ptr: number,
  n: number,
): ReadableBuffer & WritableBuffer {
  if (n > MAX_LENGTH) throw new Trap(`buffer length ${n} exceeds the maximum ${MAX_LENGTH}`);
  if (t !== undefined && cx === undefined) throw new Error("a copy of values needs a memory");
  const l = t === undefined ? undefined : cx!.layout(t);
  // (a zero-length buffer is not checked: CanonicalABI.md, `BufferGuestImpl`)
  if (l !== undefined && n > 0) {
    cx!.check(ptr, l.align, l.size * n, RULES.unaligned, RULES.outOfBounds);
  }
  const bytes = isBytes(t);
  return {
    capacity: n,
    progress: 0,
    read(k: number): ArrayLike<unknown> {
      const at = ptr + this.progress * (l?.size ?? 0);
      this.progress += k;
      if (l === undefined) return new Array(k);
      if (bytes) return cx!.bytes(at, k).slice();
      const out = new Array<unknown>(k);
      for (let i = 0; i < k; i++) out[i] = cx!.load(t!, at + i * l.size);
      return out;
    },
    write(values: ArrayLike<unknown>): void {
      const at = ptr + this.progress * (l?.size ?? 0);
      this.progress += values.length;
      if (l === undefined) return;
      if (bytes && values instanceof Uint8Array) {
        cx!.bytes(at, values.length).set(values);
        return;
      }
      for (let i = 0; i < values.length; i++) cx!.store(t!, values[i], at + i * l.size);
    },
  };
}

/** Refuse elements the host cannot hold yet (handles live in tables the host does not see). */
function checkHostType(t: InterfaceType | undefined, what: string): void {
  if (t === undefined || typeof t === "string") return;
  const handles = some(t, (u) =>
    typeof u !== "string" &&
    (u.kind === "own" || u.kind === "borrow" || u.kind === "stream" || u.kind === "future"));
  if (handles) {
    throw new UnsupportedError(
      `host values of type \`${what}<${typeToString(t)}>\` are not supported yet: ` +
        "elements with handles",
      `${what}s`,
    );
  }
}

/** A host ReadableStream's chunk as elements of `t`. */
function elements(t: InterfaceType | undefined, chunk: unknown): ArrayLike<unknown> {
  if (!isBytes(t)) return [chunk];
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) {
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (Array.isArray(chunk)) return Uint8Array.from(chunk);
  throw new TypeError(`a \`stream<${t}>\` chunk must be a Uint8Array, got ${typeof chunk}`);
}

/** Counts a host Promise a component waits for (see `Runtime.hostWork`). */
export type HostWork = <T>(p: Promise<T>) => Promise<T>;

/** A host `ReadableStream` as the readable side of a stream a component reads. */
export class HostStreamSource implements StreamSource {
  readonly #reader: ReadableStreamDefaultReader<unknown>;
  readonly #work: HostWork;
  #buffered: ArrayLike<unknown> | undefined;
  #done = false;
  #reading = false;
  #pending: { dst: WritableBuffer; onCopyDone: OnCopyDone } | undefined;

  /**
   * @param t The element type.
   * @param stream The host's stream.
   * @param work Counts the reads the component waits for.
   */
  constructor(readonly t: InterfaceType | undefined, stream: ReadableStream, work: HostWork) {
    checkHostType(t, "stream");
    this.#reader = stream.getReader();
    this.#work = work;
  }

  #take(dst: WritableBuffer): void {
    const b = this.#buffered!;
    const n = Math.min(dst.capacity - dst.progress, b.length);
    if (n === b.length) {
      dst.write(b);
      this.#buffered = undefined;
    } else if (b instanceof Uint8Array) {
      dst.write(b.subarray(0, n));
      this.#buffered = b.subarray(n);
    } else {
      dst.write(Array.prototype.slice.call(b, 0, n));
      this.#buffered = Array.prototype.slice.call(b, n);
    }
  }

  /** {@inheritDoc StreamSource.read} */
  read(_side: Side, dst: WritableBuffer, _onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.#buffered !== undefined) {
      if (dst.capacity > 0) this.#take(dst);
      return onCopyDone(COPY.COMPLETED);
    }
    if (this.#done) return onCopyDone(COPY.DROPPED);
    this.#pending = { dst, onCopyDone };
    if (this.#reading) return;
    this.#reading = true;
    this.#work(this.#reader.read()).then(({ done, value }) => {
      this.#reading = false;
      if (done) this.#done = true;
      else {
        const e = elements(this.t, value);
        if (e.length > 0) this.#buffered = e;
      }
    }, () => {
      this.#reading = false;
      this.#done = true;
    }).then(() => {
      const p = this.#pending;
      if (p === undefined) return;
      this.#pending = undefined;
      // (an empty chunk reads on)
      this.read("host", p.dst, () => {}, p.onCopyDone);
    });
  }

  /** {@inheritDoc StreamSource.cancel} */
  cancel(): void {
    const p = this.#pending;
    if (p === undefined) return;
    this.#pending = undefined;
    p.onCopyDone(COPY.CANCELLED);
  }

  /** {@inheritDoc StreamSource.drop} */
  drop(): void {
    this.#done = true;
    this.#reader.cancel().catch(() => {});
  }
}

/** A host `Promise` as the readable side of a future a component reads. */
export class HostFutureSource implements FutureSource {
  #state: "pending" | "resolved" | "rejected" = "pending";
  #value: unknown;
  #pending: { dst: WritableBuffer; onCopyDone: OnCopyDone } | undefined;

  /**
   * @param t The value type.
   * @param promise The host's Promise (the host gets it back if the future comes back).
   * @param work Counts it while the component may wait for it.
   */
  constructor(
    readonly t: InterfaceType | undefined,
    readonly promise: Promise<unknown>,
    work: HostWork,
  ) {
    checkHostType(t, "future");
    work(promise).then((v) => {
      this.#state = "resolved";
      this.#value = v;
    }, () => {
      this.#state = "rejected";
    }).then(() => {
      const p = this.#pending;
      if (p === undefined) return;
      this.#pending = undefined;
      this.read("host", p.dst, p.onCopyDone);
    });
  }

  /** {@inheritDoc FutureSource.read} */
  read(_side: Side, dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    if (this.#state === "resolved") {
      dst.write([this.#value]);
      return onCopyDone(COPY.COMPLETED);
    }
    // (a rejected Promise: the writer is gone without a value)
    if (this.#state === "rejected") return onCopyDone(COPY.DROPPED);
    this.#pending = { dst, onCopyDone };
  }

  /** {@inheritDoc FutureSource.cancel} */
  cancel(): void {
    const p = this.#pending;
    if (p === undefined) return;
    this.#pending = undefined;
    p.onCopyDone(COPY.CANCELLED);
  }

  /** {@inheritDoc FutureSource.drop} */
  drop(): void {}
}

/** A buffer the host reads into: it collects what is copied. */
function hostSink(capacity: number): WritableBuffer & { values: unknown[] } {
  const values: unknown[] = [];
  return {
    capacity,
    progress: 0,
    values,
    write(vs: ArrayLike<unknown>): void {
      this.progress += vs.length;
      if (vs instanceof Uint8Array) values.push(vs);
      else for (let i = 0; i < vs.length; i++) values.push(vs[i]);
    },
  };
}

/**
 * The host takes a future's readable side: the Promise of its value (the
 * host's own Promise, when the host wrote it).
 * @param shared The readable side.
 * @returns The Promise.
 */
export function futureToHost(shared: FutureSource): Promise<unknown> {
  if (shared instanceof HostFutureSource) return shared.promise;
  checkHostType(shared.t, "future");
  return new Promise((resolve, reject) => {
    const sink = hostSink(1);
    shared.read("host", sink, (result) => {
      if (result === COPY.COMPLETED) resolve(sink.values[0]);
      else reject(new Trap("the future's writer is gone without a value"));
    });
  });
}

/** How many elements the host takes from a stream per read. */
const HOST_READ = 65536;

/**
 * The host takes a stream's readable side: a `ReadableStream` of its
 * elements (`Uint8Array` chunks for bytes), each chunk what one copy moved.
 * @param shared The readable side.
 * @returns The stream.
 */
export function streamToHost(shared: StreamSource): ReadableStream<unknown> {
  checkHostType(shared.t, "stream");
  const bytes = isBytes(shared.t);
  return new ReadableStream<unknown>({
    pull(controller): Promise<void> {
      return new Promise<void>((resolve) => {
        const sink = hostSink(bytes ? HOST_READ : 1);
        const flush = () => {
          if (bytes) {
            const chunks = sink.values as Uint8Array[];
            if (chunks.length === 1) controller.enqueue(chunks[0]);
            else if (chunks.length > 1) {
              const out = new Uint8Array(sink.progress);
              let at = 0;
              for (const c of chunks) {
                out.set(c, at);
                at += c.length;
              }
              controller.enqueue(out);
            }
          } else for (const v of sink.values) controller.enqueue(v);
          sink.values.length = 0;
        };
        shared.read("host", sink, (reclaim) => {
          reclaim();
          flush();
          resolve();
        }, (result) => {
          try {
            flush();
            if (result === COPY.DROPPED) controller.close();
          } catch {
            // (the host cancelled the stream meanwhile)
          }
          resolve();
        });
      });
    },
    cancel(): void {
      shared.drop();
    },
  }, { highWaterMark: 0 });
}
