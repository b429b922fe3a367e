/**
 * Fuzz helper: seeded mutations of a component binary. Byte-level ones
 * (a byte set or a bit flipped, bytes inserted or deleted, the input
 * truncated, a LEB128 value re-encoded) and section-level ones (a section
 * duplicated, deleted, or swapped with a sibling, at any nesting depth, the
 * sizes of the enclosing sections re-encoded so the result still reads
 * past them). Every mutation is described in words, so a failure says what
 * was done to which original.
 *
 * @module
 */

/** One section of a component or core module, as read from a binary. */
interface Section {
  /** The section id. */
  readonly id: number;
  /** Offset of the section's id byte in the binary it was read from. */
  readonly at: number;
  /** Offset of the section's contents (after its size). */
  readonly bodyAt: number;
  /** The contents. */
  readonly body: Uint8Array;
  /** A nested component (component section) or core module (core module section), when it reads. */
  readonly nested?: Tree;
}

/** A component or core module: its preamble, its sections, and what follows that does not read. */
interface Tree {
  readonly preamble: Uint8Array;
  readonly sections: Section[];
  readonly rest: Uint8Array;
}

const PREAMBLE_SIZE = 8;
/** Section ids, in a component, of a core module (1) and of a nested component (4). */
const NESTED_IDS = [1, 4];

/** An unsigned LEB128 at `at`: its value and length, or `undefined` when it does not read. */
function readLeb(bytes: Uint8Array, at: number): { value: number; length: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5 && at + i < bytes.length; i++) {
    const b = bytes[at + i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value, length: i + 1 };
  }
  return undefined;
}

/** The unsigned LEB128 of `value`, padded to at least `min` bytes. */
function leb(value: number, min = 1): number[] {
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0 || out.length + 1 < min) b |= 0x80;
    out.push(b);
  } while (value > 0 || out.length < min);
  return out;
}

/** Read the sections of a binary (from `base` in it), as far as they read. */
function readTree(bytes: Uint8Array, base: number, component: boolean): Tree {
  const sections: Section[] = [];
  let pos = Math.min(PREAMBLE_SIZE, bytes.length);
  while (pos < bytes.length) {
    const size = readLeb(bytes, pos + 1);
    if (size === undefined) break;
    const bodyStart = pos + 1 + size.length;
    if (bodyStart + size.value > bytes.length) break;
    const id = bytes[pos];
    const body = bytes.subarray(bodyStart, bodyStart + size.value);
    const nested = component && NESTED_IDS.includes(id) && body.length >= PREAMBLE_SIZE
      ? readTree(body, base + bodyStart, id === 4)
      : undefined;
    sections.push({
      id,
      at: base + pos,
      bodyAt: base + bodyStart,
      body,
      ...(nested ? { nested } : {}),
    });
    pos = bodyStart + size.value;
  }
  return {
    preamble: bytes.subarray(0, Math.min(PREAMBLE_SIZE, bytes.length)),
    sections,
    rest: bytes.subarray(pos),
  };
}

/** The bytes of a tree, every section size re-encoded. */
function writeTree(t: Tree): Uint8Array {
  const parts: Uint8Array[] = [t.preamble];
  for (const s of t.sections) {
    const body = s.nested ? writeTree(s.nested) : s.body;
    parts.push(new Uint8Array([s.id, ...leb(body.length)]), body);
  }
  parts.push(t.rest);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every section list of a tree (its own and its nested ones'), with the tree holding it. */
function sectionLists(t: Tree, out: Section[][] = []): Section[][] {
  if (t.sections.length > 0) out.push(t.sections);
  for (const s of t.sections) if (s.nested) sectionLists(s.nested, out);
  return out;
}

/** Every section of a tree, nested ones included. */
function allSections(t: Tree): Section[] {
  return sectionLists(t).flat();
}

/** A mutated binary and what was done to it. */
export interface Mutant {
  /** The bytes. */
  readonly bytes: Uint8Array;
  /** The mutations applied, in order, in words (`set byte 0x1f to 0xff`, ...). */
  readonly ops: readonly string[];
}

/** Values worth writing over a byte: boundaries of LEB128 and of the id ranges. */
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x3f, 0x0d];
/** New values for a LEB128: the old one nudged, zero, boundaries, huge. */
const lebValues = (v: number, r: () => number): number[] => [
  v + 1,
  Math.max(0, v - 1),
  0,
  v * 2,
  v >>> 1,
  0x7f,
  0x80,
  0x3fff,
  0x4000,
  2 ** 31,
  2 ** 32 - 1,
  1_000_000,
  Math.floor(r() * 2 ** 32),
];

const hex = (n: number) => `0x${n.toString(16)}`;

/** A random integer in `[0, n)`. */
const below = (r: () => number, n: number) => Math.floor(r() * n);

/** Rewrite the LEB128 at `at` (if one reads there) with another value. */
function rewriteLeb(b: Uint8Array, at: number, r: () => number, what: string): Mutant | undefined {
  const old = readLeb(b, at);
  if (old === undefined) return undefined;
  const choices = lebValues(old.value, r);
  const value = choices[below(r, choices.length)] % 2 ** 32;
  // half the time keep the old length (padded), so nothing after it moves
  const padded = r() < 0.5 && leb(value).length <= old.length;
  const enc = leb(value, padded ? old.length : 1);
  const out = new Uint8Array(b.length - old.length + enc.length);
  out.set(b.subarray(0, at));
  out.set(enc, at);
  out.set(b.subarray(at + old.length), at + enc.length);
  return { bytes: out, ops: [`${what} LEB at ${hex(at)}: ${old.value} -> ${value}`] };
}

/** One mutation of each kind: returns `undefined` when it does not apply to these bytes. */
const MUTATIONS: ((b: Uint8Array, r: () => number) => Mutant | undefined)[] = [
  // set a byte
  (b, r) => {
    if (b.length === 0) return undefined;
    const at = below(r, b.length);
    const out = b.slice();
    out[at] = r() < 0.5 ? INTERESTING_BYTES[below(r, INTERESTING_BYTES.length)] : below(r, 256);
    return { bytes: out, ops: [`set byte ${hex(at)} from ${hex(b[at])} to ${hex(out[at])}`] };
  },
  // flip a bit
  (b, r) => {
    if (b.length === 0) return undefined;
    const at = below(r, b.length);
    const bit = below(r, 8);
    const out = b.slice();
    out[at] ^= 1 << bit;
    return { bytes: out, ops: [`flip bit ${bit} of byte ${hex(at)}`] };
  },
  // insert 1-4 bytes
  (b, r) => {
    const at = below(r, b.length + 1);
    const n = 1 + below(r, 4);
    const ins = Array.from({ length: n }, () => below(r, 256));
    const out = new Uint8Array(b.length + n);
    out.set(b.subarray(0, at));
    out.set(ins, at);
    out.set(b.subarray(at), at + n);
    return { bytes: out, ops: [`insert [${ins.map(hex).join(" ")}] at ${hex(at)}`] };
  },
  // delete 1-8 bytes
  (b, r) => {
    if (b.length === 0) return undefined;
    const at = below(r, b.length);
    const n = Math.min(1 + below(r, 8), b.length - at);
    const out = new Uint8Array(b.length - n);
    out.set(b.subarray(0, at));
    out.set(b.subarray(at + n), at);
    return { bytes: out, ops: [`delete ${n} bytes at ${hex(at)}`] };
  },
  // truncate
  (b, r) => {
    if (b.length === 0) return undefined;
    const at = below(r, b.length);
    return { bytes: b.slice(0, at), ops: [`truncate to ${at} bytes`] };
  },
  // a LEB128 anywhere (most bytes of a binary start one: indices, counts, sizes)
  (b, r) => rewriteLeb(b, below(r, b.length), r, "a"),
  // a section's size, or the first LEB128 of its contents (usually its item count)
  (b, r) => {
    const all = allSections(readTree(b, 0, true));
    if (all.length === 0) return undefined;
    const s = all[below(r, all.length)];
    return r() < 0.5
      ? rewriteLeb(b, s.at + 1, r, `section ${s.id} size`)
      : rewriteLeb(b, s.bodyAt, r, `section ${s.id} count`);
  },
  // duplicate a section next to itself
  (b, r) => {
    const t = readTree(b, 0, true);
    const lists = sectionLists(t);
    if (lists.length === 0) return undefined;
    const list = lists[below(r, lists.length)];
    const i = below(r, list.length);
    list.splice(i + 1, 0, list[i]);
    return { bytes: writeTree(t), ops: [`duplicate section ${list[i].id} at ${hex(list[i].at)}`] };
  },
  // delete a section
  (b, r) => {
    const t = readTree(b, 0, true);
    const lists = sectionLists(t);
    if (lists.length === 0) return undefined;
    const list = lists[below(r, lists.length)];
    const [s] = list.splice(below(r, list.length), 1);
    return { bytes: writeTree(t), ops: [`delete section ${s.id} at ${hex(s.at)}`] };
  },
  // swap two sections of the same component or module
  (b, r) => {
    const t = readTree(b, 0, true);
    const lists = sectionLists(t).filter((l) => l.length > 1);
    if (lists.length === 0) return undefined;
    const list = lists[below(r, lists.length)];
    const i = below(r, list.length);
    // a neighbour half the time, else any other
    const j = r() < 0.5 ? (i + 1) % list.length : (i + 1 + below(r, list.length - 1)) % list.length;
    [list[i], list[j]] = [list[j], list[i]];
    return {
      bytes: writeTree(t),
      ops: [
        `swap sections ${list[j].id} at ${hex(list[j].at)} and ${list[i].id} at ${hex(list[i].at)}`,
      ],
    };
  },
];

/**
 * Mutate a binary: one mutation (60% of the time), two (30%) or three,
 * chosen and placed by `r`.
 *
 * @param original The binary (not modified).
 * @param r The random source (a {@link prng} from `tests/_prng.ts`).
 * @returns The mutant and what was done.
 */
export function mutate(original: Uint8Array, r: () => number): Mutant {
  let bytes = original;
  const ops: string[] = [];
  const x = r();
  for (let n = x < 0.6 ? 1 : x < 0.9 ? 2 : 3; n > 0;) {
    const m = MUTATIONS[below(r, MUTATIONS.length)](bytes, r);
    if (m === undefined) continue;
    bytes = m.bytes;
    ops.push(...m.ops);
    n--;
  }
  return { bytes, ops };
}

/**
 * Read a binary's sections and write them back, every size re-encoded in
 * the fewest bytes: what the section mutations do, with no mutation.
 * @param bytes The binary.
 * @returns The bytes written back.
 */
export function rewrite(bytes: Uint8Array): Uint8Array {
  return writeTree(readTree(bytes, 0, true));
}
