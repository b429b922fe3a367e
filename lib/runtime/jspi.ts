/**
 * JavaScript Promise Integration (JSPI): what lets a host import return a
 * Promise while the component waits for it. An import wrapped in
 * `WebAssembly.Suspending` suspends the wasm stack that called it until its
 * Promise settles; an export wrapped with `WebAssembly.promising` returns a
 * Promise, and is the only way into wasm from which a suspension may happen.
 * Deno 2.9 (V8 15) and Chromium 137+ have both; Node 20 has neither.
 *
 * @module
 */

import { UnsupportedError } from "../types/errors.ts";

/** The JSPI part of the `WebAssembly` namespace (not yet in every TypeScript lib). */
interface Jspi {
  Suspending?: new (fn: (...args: never[]) => unknown) => object;
  promising?: (fn: (...args: never[]) => unknown) => (...args: unknown[]) => Promise<unknown>;
}

const jspi = WebAssembly as unknown as Jspi;

/**
 * Whether this engine has JSPI (`WebAssembly.Suspending` and `WebAssembly.promising`).
 * @returns Whether it does.
 */
export function hasJspi(): boolean {
  return typeof jspi.Suspending === "function" && typeof jspi.promising === "function";
}

/**
 * Refuse an async instantiation on an engine without JSPI.
 * @throws {UnsupportedError} With feature `jspi`, when the engine lacks it.
 */
export function requireJspi(): void {
  if (!hasJspi()) {
    throw new UnsupportedError(
      "`async: true` needs JSPI (WebAssembly.Suspending and WebAssembly.promising), which this " +
        "engine lacks; Deno 2.9+ and Chromium 137+ have it, Node 20 does not",
      "jspi",
    );
  }
}

/** Wrappers made for `async` host members (a class's async method): async as their member. */
const asyncWrappers = new WeakSet<object>();

/**
 * Mark a wrapper made for a host function as async when that function is.
 * @param wrapper The wrapper.
 * @param of The host function it calls.
 * @returns The wrapper.
 */
export function asyncAs<T extends object>(wrapper: T, of: unknown): T {
  if (isAsyncFunction(of)) asyncWrappers.add(wrapper);
  return wrapper;
}

/**
 * Mark a function that returns a Promise as async (an export of an async
 * instance): given to another instance as an import, it suspends its caller.
 * @param fn The function.
 * @returns The function.
 */
export function markAsync<T extends object>(fn: T): T {
  asyncWrappers.add(fn);
  return fn;
}

/**
 * Whether a host function is an `async function` (its calls return
 * Promises), or a wrapper of one (see {@link asyncAs}).
 * @param fn The function.
 * @returns Whether it is.
 */
export function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === "function" &&
    (fn.constructor?.name === "AsyncFunction" || asyncWrappers.has(fn));
}

/**
 * An import that suspends its wasm caller while the Promise it returns is pending.
 * @param fn The import's function (its Promise resolves to the core result).
 * @returns What to give `WebAssembly.Instance` for the import.
 */
export function suspending(fn: (...args: never[]) => unknown): object {
  return new jspi.Suspending!(fn);
}

const promisingOf = new WeakMap<object, (...args: unknown[]) => Promise<unknown>>();

/**
 * A core function as one that may suspend: it returns a Promise of its
 * result. A function that is not an exported wasm function (a host
 * function lifted again, say) cannot suspend, and is called as it is.
 * @param fn The core function.
 * @returns The function returning a Promise.
 */
export function promising(
  fn: (...args: never[]) => unknown,
): (...args: unknown[]) => Promise<unknown> {
  let p = promisingOf.get(fn);
  if (p === undefined) {
    try {
      p = jspi.promising!(fn);
    } catch {
      // not a wasm function: nothing under it can suspend
      p = (...args: unknown[]) => Promise.resolve((fn as (...a: unknown[]) => unknown)(...args));
    }
    promisingOf.set(fn, p);
  }
  return p;
}

/**
 * Whether an error is JSPI's refusal of a suspending import called where no
 * `WebAssembly.promising` call is on the stack (a start function, a
 * post-return, a constructor): the import was not called.
 * @param e The error.
 * @returns Whether it is.
 */
export function isSuspendError(e: unknown): boolean {
  return e instanceof Error && e.name === "SuspendError";
}

/**
 * Starts the host's calls one after another: each `f` runs once the
 * Promise the one before returned has settled (the runtime settles it when
 * that call's result is delivered, so a call waits for the result of the
 * one before it, not for its task's end).
 */
export class CallQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /**
   * Run `f` once every call queued before has settled.
   * @param f The call.
   * @returns Its result.
   */
  run<T>(f: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(f);
    this.#tail = result.then(() => {}, () => {});
    return result;
  }
}
