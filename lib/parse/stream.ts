/**
 * `parse()`: the parser as a `TransformStream<Uint8Array, Payload>`.
 *
 * @module
 */

import type { Payload } from "./payload.ts";
import { Parser } from "./parser.ts";

/**
 * Feeds chunks to a {@link Parser}. It keeps only the bytes of the section in
 * progress, and does not retry until the parser's "need more" hint is met,
 * so 1-byte chunks cost O(1) each and every byte is copied at most once per
 * chunk boundary it straddles.
 */
export class ChunkFeeder {
  readonly #parser = new Parser();
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #needed = 1;

  /**
   * Take the next chunk and hand every payload it completes to `emit`.
   * @param chunk The bytes.
   * @param eof Whether the input ends with it.
   * @param emit Receives each payload, in order.
   * @throws {ParseError} When the bytes are malformed (after the payloads before the error).
   */
  push(chunk: Uint8Array, eof: boolean, emit: (p: Payload) => void): void {
    if (chunk.length > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
    }
    if (!eof && this.#pendingBytes < this.#needed) return;
    const data = this.#join();
    let pos = 0;
    while (!this.#parser.done) {
      const step = this.#parser.parseAt(data, pos, eof);
      if (step.type === "need-more") {
        this.#needed = data.length - pos + step.hint;
        break;
      }
      pos += step.consumed;
      emit(step.payload);
    }
    const rest = data.subarray(pos);
    this.#pending = rest.length > 0 ? [rest] : [];
    this.#pendingBytes = rest.length;
  }

  /**
   * Skip the rest of the nested component whose `component-begin` was just
   * emitted (see {@link Parser.skipComponent}): call it from `emit`.
   */
  skipComponent(): void {
    this.#parser.skipComponent();
  }

  #join(): Uint8Array {
    if (this.#pending.length === 1) return this.#pending[0];
    const out = new Uint8Array(this.#pendingBytes);
    let at = 0;
    for (const c of this.#pending) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/**
 * Parses a component binary as it arrives: emits each {@link Payload} as
 * soon as its bytes are complete, and buffers no more than the section in
 * progress (nested components are entered, not buffered). The stream errors
 * with a {@link ParseError} on malformed input, after every payload decoded
 * before it has come out: whatever the chunking, the same payloads, then the
 * same error.
 *
 * @example Parsing a file as a stream
 * ```ts
 * import { ParseStream } from "@wasmfuse/fuse/parse";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const payloads = await Array.fromAsync(
 *   ReadableStream.from([bytes.subarray(0, 3), bytes.subarray(3)]).pipeThrough(new ParseStream()),
 * );
 * assert.equal(payloads.at(-1)?.kind, "end");
 * ```
 */
export class ParseStream extends TransformStream<Uint8Array, Payload> {
  /** Creates the stream. */
  constructor() {
    const feeder = new ChunkFeeder();
    const push = async (
      chunk: Uint8Array,
      eof: boolean,
      controller: TransformStreamDefaultController<Payload>,
    ) => {
      try {
        feeder.push(chunk, eof, (p) => controller.enqueue(p));
      } catch (e) {
        // the payloads decoded before the error come out first: erroring the stream now would
        // drop them from its queue, so the error waits until they have been read
        await drained(controller);
        throw e;
      }
    };
    super({
      transform: (chunk, controller) => push(chunk, false, controller),
      flush: (controller) => push(new Uint8Array(0), true, controller),
    });
  }
}

/** Resolves when everything enqueued has been read (or the stream is done for). */
async function drained(controller: TransformStreamDefaultController<unknown>): Promise<void> {
  // a reader usually reads within a few microtasks; after that, yield to the event loop too
  for (let turns = 0; controller.desiredSize !== null && controller.desiredSize < 0; turns++) {
    await (turns < 64 ? Promise.resolve() : new Promise((r) => setTimeout(r, 0)));
  }
}

/**
 * The first pipeline stage: a stream of {@link Payload}s from a stream of
 * component bytes, in chunks of any size.
 *
 * @example Piping bytes through parse()
 * ```ts
 * import { parse } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
 * const kinds = [];
 * for await (const p of new Blob([bytes]).stream().pipeThrough(parse())) kinds.push(p.kind);
 * assert.deepEqual(kinds, ["component-begin", "component-end", "end"]);
 * ```
 *
 * @returns A new {@link ParseStream}.
 */
export function parse(): ParseStream {
  return new ParseStream();
}
