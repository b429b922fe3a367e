/**
 * `.wast` files run with a time limit: each in a worker, which is stopped
 * when a file takes longer than the limit (a deadlock, or a loop that
 * never ends), so a runner never hangs. The file then counts the outcomes
 * it had, and one failure for the directive it was stopped in.
 *
 * @module
 */

import type { WastAssertion, WastResult } from "../lib/wast/mod.ts";

/** The default limit per file (`wast --timeout`), in seconds. */
export const DEFAULT_WAST_TIMEOUT = 60;

type Message =
  | { kind: "directive"; line: number; directive: string }
  | { kind: "assertion"; assertion: WastAssertion }
  | { kind: "result"; result: WastResult }
  | { kind: "error"; message: string };

/** Runs `.wast` files one after another in a worker, restarting it after a file it had to stop. */
export class WastFiles {
  #worker: Worker | undefined;

  /**
   * Run one file.
   * @param file Its path.
   * @param timeoutMs The time limit.
   * @returns Its outcomes (a file stopped at the limit: those it had, and a failure).
   * @throws {Error} When the file cannot be read or its script cannot be read as S-expressions.
   */
  run(file: string, timeoutMs: number): Promise<WastResult> {
    const worker = this.#worker ??= new Worker(new URL("./wast_worker.ts", import.meta.url), {
      type: "module",
    });
    let current: { line: number; directive: string } | undefined;
    const done: WastAssertion[] = [];
    return new Promise<WastResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.terminate();
        this.#worker = undefined;
        const line = current?.line ?? 0;
        const directive = current?.directive ?? "script";
        const stopped: WastAssertion = {
          line,
          directive,
          status: "failed",
          message: `did not finish in ${timeoutMs / 1000} s: stopped (a deadlock, or a loop ` +
            "that never ends)",
        };
        const assertions = [...done, stopped];
        const count = (s: WastAssertion["status"]) =>
          assertions.filter((a) => a.status === s).length;
        resolve({
          passed: count("passed"),
          failed: count("failed"),
          skipped: count("skipped"),
          assertions,
        });
      }, timeoutMs);
      worker.onmessage = (e: MessageEvent<Message>) => {
        const m = e.data;
        if (m.kind === "directive") {
          current = m;
          return;
        }
        if (m.kind === "assertion") {
          done.push(m.assertion);
          return;
        }
        clearTimeout(timer);
        if (m.kind === "result") resolve(m.result);
        else reject(new Error(m.message));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        clearTimeout(timer);
        worker.terminate();
        this.#worker = undefined;
        reject(new Error(e.message));
      };
      worker.postMessage({ file });
    });
  }

  /** Stop the worker. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}
