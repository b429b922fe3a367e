/**
 * The error raised when a component is well-formed but does not link: an
 * index out of range, a type mismatch, a missing instantiation argument, a
 * canonical option missing or of the wrong type, a feature the synchronous
 * component model does not cover.
 *
 * @module
 */

/** Where in the binary a {@link LinkError} was found. */
export interface ItemLocation {
  /** Offset of the section holding the item. */
  readonly offset: number;
  /** Section kind (`canon`, `instance`, ...). */
  readonly section: string;
  /** Index of the item within its section. */
  readonly item: number;
}

/**
 * A component that parses but cannot be linked: the message says what is
 * wrong and where (`section` at `offset`, `item`).
 *
 * @example Reading where a link error happened
 * ```ts
 * import { LinkError } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const e = new LinkError("missing instantiation argument `f`", {
 *   offset: 0x40,
 *   section: "instance",
 *   item: 0,
 * });
 * assert.equal(e.message, "missing instantiation argument `f` (instance section at offset 0x40, item 0)");
 * ```
 */
export class LinkError extends Error {
  /** What is wrong, without the location. */
  readonly reason: string;
  /** Where, when known. */
  readonly location?: ItemLocation;

  /**
   * Create a link error.
   * @param reason What is wrong.
   * @param location Where, when known.
   */
  constructor(reason: string, location?: ItemLocation) {
    super(
      location
        ? `${reason} (${location.section} section at offset 0x${
          location.offset.toString(16)
        }, item ${location.item})`
        : reason,
    );
    this.name = "LinkError";
    this.reason = reason;
    if (location) this.location = location;
  }
}

/**
 * A {@link LinkError} for a well-formed component that uses a feature
 * wasmfuse does not implement (async, streams, or what is still to come).
 * Tools such as the `.wast` runner report these as skipped, not failed.
 *
 * @example Telling an unsupported feature from a broken component
 * ```ts
 * import { LinkError, UnsupportedError } from "@wasmfuse/fuse";
 * import assert from "node:assert/strict";
 *
 * const e = new UnsupportedError("`task.return` is not supported", "async");
 * assert.ok(e instanceof LinkError);
 * assert.equal(e.feature, "async");
 * ```
 */
export class UnsupportedError extends LinkError {
  /** The feature that is missing (`async`, `streams`, `resources`, ...). */
  readonly feature: string;

  /**
   * Create the error.
   * @param reason What is not supported.
   * @param feature The feature it needs.
   * @param location Where, when known.
   */
  constructor(reason: string, feature: string, location?: ItemLocation) {
    super(reason, location);
    this.name = "UnsupportedError";
    this.feature = feature;
  }
}
