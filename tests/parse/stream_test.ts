/**
 * `parse()` against `parseBytes()` over every fixture: chunking never changes
 * the payloads, truncated input is always a `ParseError` (never a hang, never
 * another error), and errors and cancellation propagate through the stream.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parse, parseBytes, ParseError, type Payload } from "../../mod.ts";
import { fixture, fixtureNames } from "../_wat.ts";
import { prng } from "../_prng.ts";

type Chunker = (bytes: Uint8Array) => Uint8Array[];

function fixed(size: number): Chunker {
  return (bytes) => {
    const out = [];
    for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
    return out;
  };
}

/** Chunks of 1..max bytes (sometimes 0), drawn from a seeded PRNG. */
function random(seed: number, max: number): Chunker {
  return (bytes) => {
    const rand = prng(seed);
    const out = [];
    for (let i = 0; i < bytes.length;) {
      const n = Math.floor(rand() * (max + 1)); // 0 included: empty chunks must be harmless
      out.push(bytes.subarray(i, i + n));
      i += n;
    }
    return out;
  };
}

const EMPTY = new Uint8Array(0);

// Each row: a name and how to cut the input into chunks.
const CHUNKINGS: [string, Chunker][] = [
  ["whole", (b) => [b]], // a single chunk: the stream sees what parseBytes() sees
  ["1-byte", fixed(1)], // every preamble, section header and LEB128 split at every byte
  ["7-byte", fixed(7)], // straddles the 8-byte preamble and most section boundaries
  ["random seed 1", random(1, 16)], // small, irregular chunks (and empty ones)
  ["random seed 2", random(2, 64)], // chunks around a typical section's size
  ["random seed 3", random(3, 300)], // large chunks holding several sections
  ["copies, 5-byte", (b) => fixed(5)(b).map((c) => c.slice())], // chunks not sharing one buffer
  ["empty first and last", (b) => [EMPTY, ...fixed(3)(b), EMPTY]], // zero-length chunks at the ends
];

async function viaStream(chunks: Uint8Array[]): Promise<Payload[]> {
  return await Array.fromAsync(ReadableStream.from(chunks).pipeThrough(parse()));
}

/** Fail instead of hanging when a stream never settles. */
async function settles<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: did not settle in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function assertParseError(e: unknown, length: number, what: string): void {
  if (!(e instanceof ParseError)) {
    assert.fail(`${what}: expected a ParseError, got ${e instanceof Error ? e.stack : e}`);
  }
  assert.equal(typeof e.offset, "number", what);
  assert.ok(e.offset >= 0 && e.offset <= length, `${what}: offset ${e.offset} of ${length}`);
}

/**
 * Offsets where the root component may validly end: after its preamble, or
 * after any of its (depth 0) sections. A prefix cut there is a whole component.
 */
function rootBoundaries(payloads: readonly Payload[]): Set<number> {
  const out = new Set<number>([8]);
  for (const p of payloads) {
    if (p.kind === "component-end" && p.depth === 1) out.add(p.offset);
    else if ("range" in p && payloadDepth(payloads, p) === 0) out.add(p.range.end);
  }
  return out;
}

function payloadDepth(payloads: readonly Payload[], target: Payload): number {
  let depth = -1;
  for (const p of payloads) {
    if (p === target) return depth;
    if (p.kind === "component-begin") depth = p.depth;
    else if (p.kind === "component-end") depth = p.depth - 1;
  }
  throw new Error("payload not found");
}

/** What a prefix of `whole` ending at a root boundary parses to. */
function prefixPayloads(whole: readonly Payload[], end: number): Payload[] {
  const kept = whole.filter((p) =>
    p.kind === "component-begin"
      ? p.depth === 0 || (p.end !== null && p.end <= end)
      : p.kind === "component-end"
      ? p.depth > 0 && p.offset <= end
      : p.kind === "end"
      ? false
      : p.range.end <= end
  );
  return [...kept, { kind: "component-end", depth: 0, offset: end }, { kind: "end", offset: end }];
}

const fixtures: { name: string; bytes: Uint8Array; whole: Payload[] }[] = [];
for (const name of await fixtureNames()) {
  const bytes = await fixture(name);
  fixtures.push({ name, bytes, whole: parseBytes(bytes) });
}

Deno.test("parse() gives the payloads of parseBytes() however the input is chunked", async (t) => {
  assert.ok(fixtures.length >= 15, "the fixtures are there");
  for (const { name, bytes, whole } of fixtures) {
    await t.step(name, async () => {
      for (const [chunking, chunker] of CHUNKINGS) {
        const chunks = chunker(bytes);
        assert.equal(chunks.reduce((n, c) => n + c.length, 0), bytes.length, chunking);
        assert.deepStrictEqual(await viaStream(chunks), whole, `${name}, ${chunking}`);
      }
    });
  }
});

Deno.test("parse() emits module bytes and custom data as complete, correct views", async () => {
  // With 1-byte chunks every section is reassembled; its views must still hold its bytes.
  for (const { name, bytes, whole } of fixtures) {
    const streamed = await viaStream(fixed(1)(bytes));
    for (const p of streamed) {
      if (p.kind === "module") {
        assert.deepStrictEqual(p.bytes, bytes.subarray(p.range.end - p.bytes.length, p.range.end));
      } else if (p.kind === "custom") {
        assert.deepStrictEqual(p.data, bytes.subarray(p.range.end - p.data.length, p.range.end));
      }
    }
    assert.equal(streamed.length, whole.length, name);
  }
});

Deno.test("parseBytes() reports a ParseError for every truncation of every fixture", async (t) => {
  for (const { name, bytes, whole } of fixtures) {
    await t.step(name, () => {
      const boundaries = rootBoundaries(whole);
      let errors = 0;
      for (let n = 0; n < bytes.length; n++) {
        const cut = bytes.subarray(0, n);
        if (boundaries.has(n)) {
          // A root component may end after any of its sections: the prefix is whole.
          assert.deepStrictEqual(parseBytes(cut), prefixPayloads(whole, n), `${name} cut at ${n}`);
          continue;
        }
        try {
          parseBytes(cut);
        } catch (e) {
          assertParseError(e, n, `${name} cut at ${n}`);
          assert.match((e as ParseError).reason, /unexpected end/, `${name} cut at ${n}`);
          errors++;
          continue;
        }
        assert.fail(`${name} cut at ${n}: parsed without an error`);
      }
      assert.equal(errors, bytes.length - [...boundaries].filter((b) => b < bytes.length).length);
    });
  }
});

Deno.test("parse() reports a ParseError for truncated input instead of hanging", async (t) => {
  for (const { name, bytes, whole } of fixtures) {
    await t.step(name, async () => {
      const boundaries = rootBoundaries(whole);
      // In the preamble, in the first section header, mid-input, and one byte short.
      const offsets = [0, 3, 9, bytes.length >> 1, bytes.length - 1].filter((n) =>
        !boundaries.has(n)
      );
      for (const n of offsets) {
        const cut = bytes.subarray(0, n);
        for (const [chunking, chunker] of [CHUNKINGS[0], CHUNKINGS[1], CHUNKINGS[3]]) {
          const what = `${name} cut at ${n}, ${chunking}`;
          const error = await settles(
            viaStream(chunker(cut)).then(
              () => assert.fail(`${what}: the stream did not error`),
              (e: unknown) => e,
            ),
            what,
          );
          assertParseError(error, n, what);
          assert.match((error as ParseError).reason, /unexpected end/, what);
          // The same error as parseBytes() reports.
          assert.throws(() => parseBytes(cut), {
            name: "ParseError",
            reason: (error as ParseError).reason,
            offset: (error as ParseError).offset,
          });
        }
      }
    });
  }
});

Deno.test("parse() reports a bad preamble as a ParseError", async (t) => {
  // Each row: what is wrong, the input, the offset the error names.
  const cases: [string, number[], number][] = [
    ["bad magic", [0x00, 0x61, 0x73, 0x6e, 0x0d, 0x00, 0x01, 0x00], 0],
    ["a core module", [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], 4],
    ["unknown layer", [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x02, 0x00], 4],
    ["unknown version", [0x00, 0x61, 0x73, 0x6d, 0x0e, 0x00, 0x01, 0x00], 4],
    ["not wasm at all, with more data", [...new TextEncoder().encode("hello, world")], 0],
  ];
  for (const [what, bytes, offset] of cases) {
    await t.step(what, async () => {
      for (const chunks of [[new Uint8Array(bytes)], fixed(1)(new Uint8Array(bytes))]) {
        await assert.rejects(settles(viaStream(chunks), what), (e: unknown) => {
          assertParseError(e, bytes.length, what);
          assert.equal((e as ParseError).offset, offset);
          return true;
        });
      }
    });
  }
  await t.step("the error is raised as soon as the preamble is complete", async () => {
    // A source that never ends: the error must not wait for more input.
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
      },
    });
    await assert.rejects(
      settles(Array.fromAsync(source.pipeThrough(parse())), "open source"),
      ParseError,
    );
  });
});

Deno.test("parse() reports a malformed section as a ParseError, not another error", async () => {
  const { bytes } = fixtures.find((f) => f.name === "section_canon.wat")!;
  // A section id past the last one, right after the preamble.
  const bad = bytes.slice();
  bad[8] = 0x0d;
  await assert.rejects(viaStream(fixed(7)(bad)), (e: unknown) => {
    assertParseError(e, bad.length, "section id 13");
    assert.equal((e as ParseError).offset, 8);
    assert.match((e as ParseError).reason, /malformed section id/);
    return true;
  });
});

Deno.test("parse() passes a source error through unchanged", async () => {
  const boom = new Error("source failed");
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
      controller.error(boom);
    },
  });
  await assert.rejects(Array.fromAsync(source.pipeThrough(parse())), (e) => e === boom);
});

Deno.test("parse() lets the reader cancel without throwing", async (t) => {
  const { bytes, whole } = fixtures.find((f) => f.name === "section_component_nested.wat")!;

  /** A source over `bytes` in 1-byte chunks that records its cancellation. */
  function source(): { stream: ReadableStream<Uint8Array>; cancelled: Promise<unknown> } {
    let i = 0;
    const { promise: cancelled, resolve } = Promise.withResolvers<unknown>();
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < bytes.length) controller.enqueue(bytes.subarray(i, ++i));
        else controller.close();
      },
      cancel: resolve,
    });
    return { stream, cancelled };
  }

  await t.step("after the first payload", async () => {
    const { stream, cancelled } = source();
    const reader = stream.pipeThrough(parse()).getReader();
    const first = await reader.read();
    assert.deepStrictEqual(first, { done: false, value: whole[0] });
    await reader.cancel("enough");
    assert.equal(await settles(cancelled, "source cancel"), "enough");
    assert.deepStrictEqual(await reader.read(), { done: true, value: undefined });
  });
  await t.step("before reading anything", async () => {
    const { stream, cancelled } = source();
    await stream.pipeThrough(parse()).cancel();
    await settles(cancelled, "source cancel");
  });
  await t.step("by breaking out of for await", async () => {
    const { stream, cancelled } = source();
    const seen: Payload[] = [];
    for await (const p of stream.pipeThrough(parse())) {
      seen.push(p);
      if (p.kind === "component-begin" && p.depth === 2) break;
    }
    assert.deepStrictEqual(seen, whole.slice(0, seen.length));
    await settles(cancelled, "source cancel");
  });
  await t.step("after the stream has ended", async () => {
    const reader = ReadableStream.from([bytes]).pipeThrough(parse()).getReader();
    const got: Payload[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(r.value);
    assert.deepStrictEqual(got, whole);
    await reader.cancel();
  });
});
