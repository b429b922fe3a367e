/**
 * The task, async and thread built-ins as core functions (CanonicalABI.md,
 * "Canonical built-ins"), over the tasks, tables, waitables, copies and
 * threads of one instantiation (tasks.ts, waitables.ts, copies.ts,
 * threads.ts). What waits returns a Promise its caller waits for (JSPI, in
 * an async instance); a synchronous task that may not wait traps first.
 *
 * @module
 */

import type { AdapterOptions, Builtin, ComponentInstanceId, CoreDef } from "../inline/dfg.ts";
import { flattenType, MAX_FLAT_PARAMS } from "../types/abi.ts";
import { UnsupportedError } from "../types/errors.ts";
import { type InterfaceType, typeToString } from "../types/model.ts";
import { matchValType } from "../types/subtype.ts";
import { Trap } from "./trap.ts";
import { yieldTurn } from "./fibers.ts";
import { isSuspended, park, resume, type Thread } from "./threads.ts";
import {
  cancelCopy,
  COPY,
  COPY_RULES,
  COPY_STATE,
  type CopyEnd,
  dropEnd,
  newEnd,
  ownEvent,
  SharedFuture,
  SharedStream,
  startCopy,
  takeOwnEvent,
} from "./copies.ts";
import { guestBuffer } from "./host_copies.ts";
import {
  checkDroppable,
  checkSetDroppable,
  EVENT,
  join,
  newSet,
  nextEvent,
  resolved,
  type Subtask,
  takeEvent,
  WAITABLE_RULES,
} from "./waitables.ts";
import {
  type Handle,
  handleOf,
  type HandleTable,
  type Task,
  TASK_RULES,
  type Tasks,
  wrongHandle,
} from "./tasks.ts";
import { type AbiContext, type CoreNum, FlatSource, RULES } from "./values.ts";

/**
 * Whether the running task of `inst` may block (CanonicalABI.md: a
 * synchronous task may not before it returned, nor may a start function).
 * @param host The runtime.
 * @param inst The instance.
 * @throws {Trap} When it may not.
 */
export function checkMayBlock(host: TaskHost, inst: ComponentInstanceId): void {
  if (host.instantiating) throw new Trap(TASK_RULES.cannotBlockSync);
  const task = host.tasks.find(inst);
  // (a synchronous task may wait while another thread of its instance is ready to run)
  if (
    task === undefined || (!task.type.async && !task.returned && !host.tasks.hasReady(inst))
  ) throw new Trap(TASK_RULES.cannotBlockSync);
}

/** What the built-ins need from the runtime. */
export interface TaskHost {
  /** The tasks. */
  readonly tasks: Tasks;
  /** Whether an instance may leave now (its flags global). */
  mayLeave(inst: ComponentInstanceId): boolean;
  /** An instance's handle table. */
  table(inst: ComponentInstanceId): HandleTable;
  /** A lifting and lowering context for options. */
  context(o: AdapterOptions, handles?: "guest" | "host"): AbiContext;
  /**
   * Whether core instances are being made (start functions run): a start
   * function is a synchronous task that may not block before it returns
   * (Concurrency.md, "Interaction with the start function").
   */
  readonly instantiating: boolean;
  /** Whether the instance is async (JSPI: `waitable-set.wait` may suspend its caller). */
  readonly asyncMode: boolean;
  /** Count a host Promise a component waits for (see `Runtime.hostWork`). */
  hostWork<T>(p: Promise<T>): Promise<T>;
  /**
   * Resume a ready thread now, or, while a synchronous call from the host
   * into another instance is in progress, once it is over.
   */
  resumeReady(t: Thread): void;
  /** A core definition's value (a table `thread.new-indirect` reads). */
  resolve(d: CoreDef): unknown;
  /** Start a thread `thread.new-indirect` made: `fn(arg)` on a fiber of its own. */
  startThread(task: Task, t: Thread, fn: (arg: number) => void, arg: number): void;
}

/**
 * A task or async built-in as a core function.
 * @param host The runtime.
 * @param b The built-in.
 * @param inst The component instance that defined it.
 * @returns The function.
 */
export function taskBuiltin(
  host: TaskHost,
  b: Builtin,
  inst: ComponentInstanceId,
): (...args: CoreNum[]) => CoreNum | undefined {
  const mayLeave = () => {
    if (!host.mayLeave(inst)) throw new Trap(RULES.cannotLeave);
  };
  const table = () => host.table(inst);
  const get = <K extends Handle["kind"]>(i: CoreNum, kind: K) =>
    handleOf(table(), (i as number) >>> 0, kind);
  const getSet = (i: number) => get(i, "waitable-set");
  // what blocks: only where a task may (CanonicalABI.md: a synchronous task that blocks
  // before it returned traps), and only in an async instance, where a wait can wait
  const block = <T>(wait: () => Promise<T>): CoreNum => {
    checkMayBlock(host, inst);
    if (!host.asyncMode) {
      throw new UnsupportedError(
        `\`${b.name}\` would block: nothing it waits for can come while every call runs to ` +
          "completion (instantiate with `{ async: true }`)",
        "async",
      );
    }
    return wait() as unknown as CoreNum;
  };
  // a ready thread is resumed a turn of the host's event loop later
  const later = (t: Thread) => {
    t.state = "ready";
    host.hostWork(yieldTurn()).then(() => host.resumeReady(t));
  };
  const unsupported = (what: string) => {
    throw new UnsupportedError(
      `\`${b.name}\` is not supported here: ${what} need an async instance ` +
        "(instantiate with `{ async: true }`, on an engine with JSPI)",
      "async",
    );
  };
  switch (b.name) {
    case "context.get":
      return () => host.tasks.current(inst, b.name).storage[b.index];
    case "context.set":
      return (v) => {
        host.tasks.current(inst, b.name).storage[b.index] = Number(v) | 0;
        return undefined;
      };
    case "backpressure.inc":
    case "backpressure.dec":
      return () => {
        host.tasks.backpressure(inst, b.name === "backpressure.inc" ? 1 : -1);
        return undefined;
      };
    case "task.return": {
      const cx = host.context(b.options);
      const t = b.result;
      const flat = t === undefined ? 0 : flattenType(t, b.options.memory64 ? "i64" : "i32").length;
      const layout = t === undefined ? undefined : cx.layout(t);
      return (...args) => {
        mayLeave();
        const task = host.tasks.current(inst, b.name);
        if (!task.options.async) throw new Trap(TASK_RULES.taskReturnSync);
        const want = task.type.result;
        if (
          (t === undefined) !== (want === undefined) ||
          (t !== undefined && matchValType(t, want!) !== undefined)
        ) throw new Trap(TASK_RULES.taskReturnType);
        // CanonicalABI.md compares the memories by identity (`LiftOptions.equal`); the
        // suite's async/cross-abi-calls.wast returns through a `task.return` without a
        // memory from a lift with one, as Wasmtime allows: a memory is compared when given
        if (
          (b.options.memory !== undefined && b.options.memory !== task.options.memory) ||
          b.options.stringEncoding !== task.options.stringEncoding
        ) throw new Trap(TASK_RULES.taskReturnOptions);
        if (task.returned) throw new Trap(TASK_RULES.taskReturnTwice);
        const rcx = task.returnCx ?? cx;
        let result: unknown;
        if (t !== undefined) {
          if (flat > MAX_FLAT_PARAMS) {
            const p = rcx.ptr(args[0]);
            rcx.check(p, layout!.align, layout!.size, RULES.unaligned, RULES.outOfBounds);
            result = rcx.load(t, p);
          } else {
            result = rcx.liftFlat(t, new FlatSource(args));
          }
        }
        if (task.borrows > 0) throw new Trap(TASK_RULES.borrowsRemain);
        task.returned = true;
        task.onReturn(result);
        // (a task that returned lets others into its instance, as Wasmtime does: the suite's
        // sync-streams.wast calls in while the task waits in a synchronous write)
        host.tasks.release(task);
        return undefined;
      };
    }
    case "task.cancel":
      return () => {
        mayLeave();
        const task = host.tasks.current(inst, b.name);
        if (!task.options.async) throw new Trap(TASK_RULES.taskCancelSync);
        if (task.cancel !== "delivered" || task.returned) {
          throw new Trap(TASK_RULES.taskCancelUnrequested);
        }
        if (task.borrows > 0) throw new Trap(TASK_RULES.borrowsRemain);
        // resolved without a result: its caller's subtask is CANCELLED_BEFORE_RETURNED
        task.returned = true;
        task.onCancelled?.();
        return undefined;
      };
    case "thread.index":
      return () => {
        mayLeave();
        return host.tasks.runningThread(inst, b.name).index;
      };
    case "thread.new-indirect":
      return (fi, c) => {
        mayLeave();
        const task = host.tasks.current(inst, b.name);
        const table = host.resolve(b.table) as WebAssembly.Table;
        const i = (fi as number) >>> 0;
        if (i >= table.length) throw new Trap("out of bounds table access");
        const fn = table.get(i) as ((c: number) => void) | null;
        if (fn === null) throw new Trap("uninitialized element");
        const t = host.tasks.newThread(task);
        t.start = () => host.startThread(task, t, fn, c as number);
        return t.index;
      };
    case "thread.resume-later":
      return (i) => {
        mayLeave();
        const t = host.tasks.threadAt(inst, (i as number) >>> 0);
        if (!isSuspended(t)) throw new Trap(TASK_RULES.notSuspended);
        later(t);
        return undefined;
      };
    case "thread.suspend":
      return () => {
        mayLeave();
        const t = host.tasks.runningThread(inst, b.name);
        return block(() => park(t, "suspended"));
      };
    case "thread.suspend-then-resume":
    case "thread.yield-then-resume":
      return (i) => {
        mayLeave();
        const other = host.tasks.threadAt(inst, (i as number) >>> 0);
        if (!isSuspended(other)) throw new Trap(TASK_RULES.notSuspended);
        const t = host.tasks.runningThread(inst, b.name);
        if (!host.asyncMode) return unsupported("threads that switch");
        const yielding = b.name === "thread.yield-then-resume";
        const p = park(t, yielding ? "ready" : "suspended");
        if (yielding) later(t);
        resume(other);
        return p as unknown as CoreNum;
      };
    case "thread.suspend-then-promote":
    case "thread.yield-then-promote":
      return (i) => {
        mayLeave();
        // (the other thread is resumed only if it is ready; this one waits in any case)
        const other = host.tasks.threadAt(inst, (i as number) >>> 0);
        const t = host.tasks.runningThread(inst, b.name);
        const yielding = b.name === "thread.yield-then-promote";
        if (!yielding && other.state !== "ready") {
          return block(() => park(t, "suspended"));
        }
        if (!host.asyncMode) return unsupported("threads that switch");
        const p = park(t, yielding ? "ready" : "suspended");
        if (yielding) later(t);
        if (other.state === "ready") resume(other);
        return p as unknown as CoreNum;
      };
    case "thread.yield":
      return () => {
        mayLeave();
        const task = host.tasks.current(inst, b.name);
        // in an async instance a task that may block lets the others run first (a turn of
        // the host's event loop); a sync task (or every task without fibers) goes on at once
        if (host.asyncMode && !host.instantiating && (task.type.async || task.returned)) {
          return host.hostWork(yieldTurn()).then(() => 0) as unknown as CoreNum;
        }
        return 0; // not cancelled
      };
    case "stream.new":
    case "future.new": {
      const stream = b.name === "stream.new";
      return () => {
        mayLeave();
        const shared = stream ? new SharedStream(b.element) : new SharedFuture(b.element);
        const r = newEnd(stream ? "stream-readable" : "future-readable", shared);
        const w = newEnd(stream ? "stream-writable" : "future-writable", shared);
        const ri = r.index = table().add(r);
        const wi = w.index = table().add(w);
        return BigInt(ri) | (BigInt(wi) << 32n);
      };
    }
    case "stream.read":
    case "stream.write":
    case "future.read":
    case "future.write": {
      const stream = b.name.startsWith("stream.");
      const reading = b.name.endsWith(".read");
      const kind = `${stream ? "stream" : "future"}-${reading ? "readable" : "writable"}` as const;
      const code = stream
        ? (reading ? EVENT.STREAM_READ : EVENT.STREAM_WRITE)
        : (reading ? EVENT.FUTURE_READ : EVENT.FUTURE_WRITE);
      const done = stream
        ? (reading ? COPY_RULES.readDoneStream : COPY_RULES.writeDoneStream)
        : (reading ? COPY_RULES.readDoneFuture : COPY_RULES.writeDoneFuture);
      const cx = b.options?.memory === undefined ? undefined : host.context(b.options, "guest");
      const async = b.options?.async === true;
      return (i, ptr, n) => {
        mayLeave();
        if (!async) checkMayBlock(host, inst);
        const e = get(i, kind);
        checkCopyType(e, b.element);
        if (e.state === COPY_STATE.DONE) throw new Trap(done);
        if (e.state !== COPY_STATE.IDLE) throw new Trap(COPY_RULES.concurrent);
        if (e.set !== undefined && !async) throw new Trap(COPY_RULES.inSet);
        const count = stream ? (n as number) >>> 0 : 1;
        startCopy(e, inst, guestBuffer(cx, b.element, cx?.ptr(ptr) ?? 0, count), code);
        if (e.pending) return takeOwnEvent(e);
        if (async) return COPY.BLOCKED;
        // a synchronous copy waits for its event, its caller suspended
        return block(() => ownEvent(e));
      };
    }
    case "stream.cancel-read":
    case "stream.cancel-write":
    case "future.cancel-read":
    case "future.cancel-write": {
      const kind = b.name.replace(".cancel-read", "-readable").replace(
        ".cancel-write",
        "-writable",
      ) as CopyEnd["kind"];
      const async = b.async === true;
      return (i) => {
        mayLeave();
        if (!async) checkMayBlock(host, inst);
        const e = get(i, kind);
        checkCopyType(e, b.element);
        const r = cancelCopy(e, async);
        return typeof r === "number" ? r : block(() => r);
      };
    }
    case "stream.drop-readable":
    case "stream.drop-writable":
    case "future.drop-readable":
    case "future.drop-writable": {
      const kind = b.name.replace(".drop-", "-") as CopyEnd["kind"];
      return (i) => {
        mayLeave();
        const e = get(i, kind);
        checkCopyType(e, b.element);
        table().remove((i as number) >>> 0);
        dropEnd(e);
        return undefined;
      };
    }
    case "waitable-set.new":
      return () => {
        mayLeave();
        return table().add(newSet());
      };
    case "error-context.new": {
      const cx = host.context(b.options);
      return (ptr, len) => {
        mayLeave();
        const message = cx.liftString(cx.ptr(ptr), cx.ptr(len));
        return table().add({ kind: "error-context", message });
      };
    }
    case "error-context.debug-message": {
      const cx = host.context(b.options);
      return (i, retptr) => {
        mayLeave();
        const h = get(i, "error-context");
        const p = cx.ptr(retptr);
        cx.check(p, cx.ptrSize, 2 * cx.ptrSize, RULES.unaligned, RULES.outOfBounds);
        cx.store("string", h.message, p);
        return undefined;
      };
    }
    case "error-context.drop":
      return (i) => {
        mayLeave();
        get(i, "error-context");
        table().remove((i as number) >>> 0);
        return undefined;
      };
    case "waitable-set.drop":
      return (i) => {
        mayLeave();
        checkSetDroppable(getSet(i as number));
        table().remove((i as number) >>> 0);
        return undefined;
      };
    case "waitable-set.poll":
    case "waitable-set.wait": {
      const cx = host.context(b.options);
      const write = (ptr: CoreNum, e: [number, number, number] | undefined) => {
        // the event's index and payload at `ptr` (none: zeros), its code returned
        const p = cx.ptr(ptr);
        cx.check(p, 4, 8, RULES.unaligned, RULES.outOfBounds);
        cx.store("u32", e?.[1] ?? 0, p);
        cx.store("u32", e?.[2] ?? 0, p + 4);
        return e?.[0] ?? EVENT.NONE;
      };
      if (b.name === "waitable-set.poll") {
        return (i, ptr) => {
          mayLeave();
          return write(ptr, takeEvent(getSet(i as number)));
        };
      }
      return (i, ptr) => {
        mayLeave();
        // (a synchronous task may not call what may block: Wasmtime checks before anything else)
        checkMayBlock(host, inst);
        const set = getSet(i as number);
        const e = takeEvent(set);
        if (e !== undefined) return write(ptr, e);
        // nothing yet: an async instance suspends here until an event comes (JSPI)
        return block(() => nextEvent(set).then((e) => write(ptr, e)));
      };
    }
    case "waitable.join":
      return (w, si) => {
        mayLeave();
        const h = table().get((w as number) >>> 0);
        if (h.kind === "resource" || h.kind === "waitable-set" || h.kind === "error-context") {
          throw wrongHandle((w as number) >>> 0, "waitable", h);
        }
        if (h.waiter !== undefined) throw new Trap(COPY_RULES.inSet);
        join(h, (si as number) === 0 ? undefined : getSet(si as number));
        return undefined;
      };
    case "subtask.drop":
      return (i) => {
        mayLeave();
        checkDroppable(get(i, "subtask"));
        table().remove((i as number) >>> 0);
        return undefined;
      };
    case "subtask.cancel":
      return (i) => {
        mayLeave();
        if (!b.async) checkMayBlock(host, inst);
        const s = get(i, "subtask");
        if (resolved(s) && !s.pending) throw new Trap(WAITABLE_RULES.cancelDelivered);
        if (s.cancelRequested) throw new Trap(WAITABLE_RULES.cancelTwice);
        if (s.set !== undefined && !b.async) throw new Trap(COPY_RULES.inSet);
        if (!resolved(s)) {
          s.cancelRequested = true;
          s.onCancel?.();
          if (!resolved(s)) {
            if (b.async) return COPY.BLOCKED;
            // (a host function's call cannot be cancelled: it is waited for)
            return block(() =>
              new Promise<void>((resolve) => {
                s.waiter = () => {
                  if (!resolved(s)) return;
                  s.waiter = undefined;
                  resolve();
                };
              }).then(() => takeSubtaskEvent(s))
            );
          }
        }
        return takeSubtaskEvent(s);
      };
  }
}

/** A subtask's pending event, delivered as `subtask.cancel`'s result: its state. */
function takeSubtaskEvent(s: Subtask): number {
  s.pending = false;
  if (s.error !== undefined) throw s.error;
  return s.state;
}

/** A copy built-in's type must be its end's (CanonicalABI.md, `e.shared.t != stream_t.t`). */
function checkCopyType(e: CopyEnd, t: InterfaceType | undefined): void {
  const u = e.shared.t;
  if (u === t) return;
  if (u === undefined || t === undefined || typeToString(u) !== typeToString(t)) {
    throw new Trap(COPY_RULES.typeMismatch);
  }
}
