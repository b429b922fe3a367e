/**
 * Fibers: the wasm stacks of an async instance (JSPI). Each call the runtime
 * makes through `WebAssembly.promising` (a task's core function, a
 * callback) runs on a fiber of its own, which is suspended at every
 * `WebAssembly.Suspending` import it calls (JSPI suspends there even when
 * the import returns no Promise) and resumed when that import's Promise
 * settles (its trampoline then says so first thing, see
 * {@link Scheduler.resumed}: between a Promise settling and its fiber
 * running again, other microtasks may run). The {@link Scheduler} knows
 * which fiber runs now, and so which tasks are on the running stack (the
 * task a built-in belongs to) and which component instances are entered
 * (CanonicalABI.md, `may_enter`: a suspended call leaves its instances, so
 * they may be entered again).
 *
 * A fiber's end is seen where it happens: its core function is called
 * through a small wasm trampoline that calls back into the scheduler with
 * the results before it returns, so a call that completes without
 * suspending is over (and its results known) when the `promising` call
 * returns, not a microtask later.
 *
 * @module
 */

import { type FuncSig, ModuleBuilder, type NumType } from "../wasm/module.ts";
import { promising } from "./jspi.ts";

/** One wasm stack under `WebAssembly.promising`. */
export interface Fiber {
  /** The tasks entered on this stack and not exited, innermost last. */
  readonly tasks: { readonly instance: number; fiber?: Fiber }[];
  /** The component instances entered on this stack and not left, innermost last. */
  readonly entered: number[];
  /** The fiber that was running when this one started or was resumed. */
  prev: Fiber | undefined;
  /** Whether it is running now (not suspended, not ended). */
  running: boolean;
  /** Whether it suspended (at a `WebAssembly.Suspending` import) at least once. */
  suspended: boolean;
  /** Whether its core function returned. */
  done: boolean;
  /** The thread it runs for, when it is not its task's implicit thread. */
  thread?: object;
  /** The core results, once it returned. */
  results?: unknown;
}

function newFiber(prev: Fiber | undefined): Fiber {
  return { tasks: [], entered: [], prev, running: true, suspended: false, done: false };
}

/** The trampoline module of each core signature: calls `f`, then `done` with the results. */
const trampolineModules = new Map<string, WebAssembly.Module>();

function trampolineModule(sig: FuncSig): WebAssembly.Module {
  const key = `${sig.params.join(",")}>${sig.results.join(",")}`;
  let m = trampolineModules.get(key);
  if (m === undefined) {
    const b = new ModuleBuilder();
    const f = b.importFunc("f", "f", sig);
    const done = b.importFunc("f", "done", { params: sig.results, results: [] });
    const { ref, body } = b.func(sig, "run");
    for (let p = 0; p < sig.params.length; p++) body.op("local.get", p);
    body.call(f);
    const locals = sig.results.map((t) => body.local(t as NumType));
    for (let r = locals.length - 1; r >= 0; r--) body.op("local.set", locals[r]);
    for (const l of locals) body.op("local.get", l);
    body.call(done);
    for (const l of locals) body.op("local.get", l);
    b.exportFunc("run", ref);
    trampolineModules.set(key, m = new WebAssembly.Module(b.encode()));
  }
  return m;
}

/**
 * The fibers of one instantiation, and the component instances they hold
 * entered (`busy`, 1 while a running stack is inside the instance).
 */
export class Scheduler {
  /** The stack of code not run through `promising` (the host's own calls). */
  readonly root: Fiber = newFiber(undefined);
  /** The fiber running now. */
  current: Fiber = this.root;
  /** Whether calls run on fibers (an async instance), else all on the root stack. */
  fibers = false;
  readonly #busy: Uint8Array;
  readonly #entries = new WeakMap<object, (...a: unknown[]) => Promise<unknown>>();
  /** Fibers whose Promise settled, in the order JSPI resumes them. */
  readonly #resuming: Fiber[] = [];

  /** @param busy Per component instance: 1 while it is entered by a running stack. */
  constructor(busy: Uint8Array) {
    this.#busy = busy;
  }

  /**
   * Enter a component instance on the running stack.
   * @param inst The instance.
   * @returns The fiber it was entered on (to leave it from).
   */
  enter(inst: number): Fiber {
    const f = this.current;
    this.#busy[inst] = 1;
    // (without fibers nothing suspends: the flag alone is the state)
    if (this.fibers) f.entered.push(inst);
    return f;
  }

  /**
   * Leave an instance entered on `fiber`.
   * @param fiber The fiber {@link Scheduler.enter} returned.
   * @param inst The instance.
   */
  leave(fiber: Fiber, inst: number): void {
    if (!this.fibers) {
      this.#busy[inst] = 0;
      return;
    }
    const i = fiber.entered.lastIndexOf(inst);
    if (i < 0) return;
    fiber.entered.splice(i, 1);
    if (fiber.running) this.#busy[inst] = 0;
  }

  /**
   * Call a core function on a new fiber. It runs now, until it returns or
   * first suspends; `setup` puts on the fiber what it runs for (its task).
   * @param fn The core function (an exported wasm function).
   * @param sig Its core signature.
   * @param args Its arguments.
   * @param setup Called with the new fiber before the call.
   * @returns The fiber (whose `done` and `results` tell whether it returned
   *   already) and the Promise of its results.
   */
  run(
    fn: (...a: never[]) => unknown,
    sig: FuncSig,
    args: readonly unknown[],
    setup?: (f: Fiber) => void,
  ): { fiber: Fiber; promise: Promise<unknown> } {
    const fiber = newFiber(this.current);
    setup?.(fiber);
    for (const i of fiber.entered) this.#busy[i] = 1;
    this.current = fiber;
    let promise: Promise<unknown>;
    try {
      promise = this.#entry(fn, sig)(...args);
    } catch (e) {
      promise = Promise.reject(e);
    }
    // (a trap ends the fiber without a word: it is over now)
    if (this.current === fiber) this.#stop(fiber);
    return { fiber, promise };
  }

  /**
   * A fiber's core function called `WebAssembly.promising`, through its trampoline.
   */
  #entry(fn: (...a: never[]) => unknown, sig: FuncSig): (...a: unknown[]) => Promise<unknown> {
    let e = this.#entries.get(fn);
    if (e === undefined) {
      let done: (...r: unknown[]) => void = () => {};
      try {
        const inst = new WebAssembly.Instance(trampolineModule(sig), {
          f: {
            f: fn as unknown as WebAssembly.ExportValue,
            done: (...r: unknown[]) => done(...r),
          },
        });
        done = (...r) => {
          const f = this.current;
          f.done = true;
          f.results = r.length === 0 ? undefined : r.length === 1 ? r[0] : r;
          this.#stop(f);
        };
        e = promising(inst.exports.run as (...a: never[]) => unknown);
      } catch {
        // not a wasm function of this signature (a host function lifted again): it cannot suspend
        e = (...a: unknown[]) => {
          const f = this.current;
          const r = (fn as (...a: unknown[]) => unknown)(...a);
          f.done = true;
          f.results = r;
          this.#stop(f);
          return Promise.resolve(r);
        };
      }
      this.#entries.set(fn, e);
    }
    return e;
  }

  /** The running fiber stops (suspended, returned or trapped): its instances may be entered. */
  #stop(f: Fiber): void {
    f.running = false;
    for (const i of f.entered) this.#busy[i] = 0;
    this.current = f.prev ?? this.root;
    f.prev = undefined;
  }

  /**
   * A fiber that trapped after it was resumed is over (the Promise of its
   * results rejected): if it still counts as running, it stops.
   * @param f The fiber.
   */
  ended(f: Fiber): void {
    if (f.running && f !== this.root) this.#stop(f);
  }

  /**
   * The running fiber calls a `WebAssembly.Suspending` import, which gave
   * `p`: the fiber is suspended until `p` settles, then resumed (see
   * {@link Scheduler.resumed}).
   * @param p What the import returned.
   * @returns The Promise JSPI waits for.
   */
  suspend<T>(p: T | Promise<T>): Promise<T> {
    const f = this.current;
    if (f === this.root) return Promise.resolve(p);
    f.suspended = true;
    this.#stop(f);
    // JSPI resumes the fibers in the order their Promises settle: the first queued is the
    // first to call `resumed` (a microtask may run between a settling and its resumption)
    return Promise.resolve(p).then((v) => {
      this.#resuming.push(f);
      return v;
    }, (e) => {
      // (a rejection is thrown into the fiber, past the trampoline's call of `resumed`: the
      // fiber runs again now; the guards never reject, a failure is recorded and returned)
      this.#resume(f);
      throw e;
    });
  }

  /**
   * A suspended fiber runs again (its trampoline says so first thing): it is
   * the running fiber, inside its instances again.
   */
  resumed(): void {
    const f = this.#resuming.shift();
    if (f !== undefined) this.#resume(f);
  }

  #resume(f: Fiber): void {
    f.prev = this.current;
    f.running = true;
    this.current = f;
    for (const i of f.entered) this.#busy[i] = 1;
  }
}

/**
 * A turn of the host's event loop: what a `YIELD` waits for, so that timers
 * and I/O (and the tasks they wake) run before the yielding task goes on.
 * @returns The Promise of the next turn.
 */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
