/**
 * One synchronous adapter function, in Wasmtime's order (reference §4.4,
 * the current protocol where each component instance's flags global holds
 * its `may_leave` bit):
 *
 * 1. trap unless the caller (lowering instance) may leave;
 * 2. for a scoped call (parameters lending borrows, or a callee instance
 *    with task built-ins), open the call scope: `call`/`enter`;
 * 3. clear the callee's may-leave while the parameters are written into it,
 *    then restore it (handles move or are lent through the runtime's
 *    `resource`/`transfer-own` and `transfer-borrow`);
 * 4. call the lifted core function;
 * 5. clear the caller's may-leave while the results are written into it,
 *    then restore it; for a scoped call, then `call`/`exit`: every borrow
 *    lent to the callee must have been dropped, and the lent handles are
 *    given back (Wasmtime checks before the results; the spec's
 *    `task.return` lifts the results first, so a result's own trap comes
 *    first here as there);
 * 6. call post-return with the callee's raw results, when there is one,
 *    with the callee's may-leave cleared (in the callee's task: a scoped
 *    call closes its scope after it, `call`/`end`);
 * 7. return the translated results.
 *
 * When a core module of the component could throw a wasm exception, all of
 * it runs inside an exception barrier (`call_and_trap_on_throw`): a
 * `try_table` whose first clause lets JavaScript exceptions (a host error, a
 * trap raised by an inner adapter) through unchanged, and whose `catch_all`
 * traps "uncaught exception propagated out of component", so an exception
 * thrown by the callee, its realloc or its post-return never unwinds into
 * the caller.
 *
 * Parameters travel on the stack up to 16 flat values, else through memory
 * (the caller passes a pointer; the adapter allocates the callee's block
 * with the callee's realloc). Results travel on the stack up to 1 flat
 * value, else through memory (the callee returns a pointer; the caller
 * passed a return pointer as its last parameter). Every pointer is checked
 * for alignment and bounds before use.
 *
 * A lower of a function lifted in the same component instance, or in an
 * ancestor or descendant one, compiles to a body that only traps "cannot
 * enter component instance".
 *
 * @module
 */

import type { AdapterId } from "../inline/dfg.ts";
import { alignment, elemSize, flattenFuncType, type FlatType } from "../types/abi.ts";
import type { InterfaceType, TypeFunc } from "../types/model.ts";
import type { FuncRef } from "../wasm/module.ts";
import type { AdapterModuleBuilder } from "./module.ts";
import { type Location, Translator } from "./translate.ts";
import { mayThrow } from "./exceptions.ts";
import { TrapCode } from "./traps.ts";

/** The parameters of a function type as one tuple (their layout in memory). */
function paramTuple(ft: TypeFunc): InterfaceType {
  return { kind: "tuple", types: ft.params.map((p) => p.type) };
}

/**
 * Compile adapter `id` into the module being built.
 * @param b The module builder.
 * @param id The adapter.
 * @param name The function's text name.
 * @returns The generated function.
 */
export function compileAdapter(b: AdapterModuleBuilder, id: AdapterId, name: string): FuncRef {
  const a = b.dfg.adapters[id];
  const lowerPtr = a.lowerOptions.memory64 ? "i64" : "i32";
  const liftPtr = a.liftOptions.memory64 ? "i64" : "i32";
  const lowerSig = flattenFuncType(a.lowerType, "lower", lowerPtr);
  const liftSig = flattenFuncType(a.liftType, "lift", liftPtr);
  const { ref, body } = b.module.func(lowerSig, name);
  const t = new Translator(b, body);
  if (a.alwaysTrap) {
    t.trap(TrapCode.CannotEnter);
    return ref;
  }
  const callerFlags = b.flags(a.lowerOptions.instance);
  const calleeFlags = b.flags(a.liftOptions.instance);
  const lowerMem = a.lowerOptions.memory === undefined
    ? undefined
    : b.memory(a.lowerOptions.memory);
  const liftMem = a.liftOptions.memory === undefined ? undefined : b.memory(a.liftOptions.memory);
  const barrier = mayThrow(b.dfg);
  if (barrier) {
    body.open("block"); // catch_all lands here: a wasm exception
    body.open("block", { params: [], results: ["externref", "exnref"] }); // a JS exception
    body.tryTable({ params: [], results: lowerSig.results }, [
      { kind: "catch_ref", tag: b.jsTag(), label: 0 },
      { kind: "catch_all", label: 1 },
    ]);
  }

  // 1. the caller must be allowed to leave
  const callerSaved = body.local("i32");
  body.op("global.get", callerFlags).op("local.tee", callerSaved).op("i32.eqz");
  t.trapIf(TrapCode.CannotLeave);

  // 2. the call scope
  const scoped = a.scoped === true;
  const endAfterPostReturn = scoped && a.liftOptions.postReturn !== undefined;
  if (scoped) body.op("i32.const", a.liftOptions.instance).call(b.call("enter"));

  // 3. parameters, with the callee's may-leave cleared
  const calleeSaved = body.local("i32");
  body.op("global.get", calleeFlags).op("local.set", calleeSaved);
  body.op("i32.const", 0).op("global.set", calleeFlags);
  const params = paramTuple(a.lowerType);
  let src: Location;
  if (lowerSig.paramsInMemory) {
    const mem = lowerMem!;
    const ptrSize = mem.memory64 ? 8 : 4;
    t.checkPointer(0, mem, alignment(params, ptrSize), elemSize(params, ptrSize));
    src = { kind: "memory", mem, addr: 0, offset: 0 };
  } else {
    src = { kind: "stack", slots: lowerSig.params.map((type, local) => ({ local, type })) };
  }
  let args: number[];
  let dst: Location;
  if (liftSig.paramsInMemory) {
    const mem = liftMem!;
    const ptrSize = mem.memory64 ? 8 : 4;
    const size = elemSize(params, ptrSize);
    const align = alignment(params, ptrSize);
    const ptr = body.local(liftPtr);
    const c = (n: number) =>
      liftPtr === "i64" ? body.op("i64.const", BigInt(n)) : body.op("i32.const", n);
    c(0);
    c(0);
    c(align);
    c(size);
    body.call(b.realloc(a.liftOptions.realloc!, liftPtr)).op("local.set", ptr);
    t.checkPointer(ptr, mem, align, size, TrapCode.ReallocUnaligned, TrapCode.ReallocOutOfBounds);
    dst = { kind: "memory", mem, addr: ptr, offset: 0 };
    args = [ptr];
  } else {
    const slots = liftSig.params.map((type) => ({ local: body.local(type), type }));
    dst = { kind: "stack", slots };
    args = slots.map((s) => s.local);
  }
  t.sides(a.lowerOptions, a.liftOptions).translate(params, src, dst);
  body.op("local.get", calleeSaved).op("global.set", calleeFlags);

  // 4. the call; its raw results are kept for post-return
  for (const l of args) body.op("local.get", l);
  body.call(b.callee(a.func, liftSig.params, liftSig.results));
  const raw = liftSig.results.map((type: FlatType) => ({ local: body.local(type), type }));
  for (let i = raw.length - 1; i >= 0; i--) body.op("local.set", raw[i].local);

  // 5. results, with the caller's may-leave cleared
  const out: number[] = [];
  const result = a.lowerType.result;
  if (result !== undefined) {
    body.op("i32.const", 0).op("global.set", callerFlags);
    let rsrc: Location;
    if (liftSig.resultsInMemory) {
      const mem = liftMem!;
      const ptrSize = mem.memory64 ? 8 : 4;
      t.checkPointer(raw[0].local, mem, alignment(result, ptrSize), elemSize(result, ptrSize));
      rsrc = { kind: "memory", mem, addr: raw[0].local, offset: 0 };
    } else {
      rsrc = { kind: "stack", slots: raw };
    }
    let rdst: Location;
    if (lowerSig.resultsInMemory) {
      const mem = lowerMem!;
      const ptrSize = mem.memory64 ? 8 : 4;
      const retptr = lowerSig.params.length - 1;
      t.checkPointer(retptr, mem, alignment(result, ptrSize), elemSize(result, ptrSize));
      rdst = { kind: "memory", mem, addr: retptr, offset: 0 };
    } else {
      const slots = lowerSig.results.map((type) => ({ local: body.local(type), type }));
      rdst = { kind: "stack", slots };
      out.push(...slots.map((s) => s.local));
    }
    t.sides(a.liftOptions, a.lowerOptions).translate(result, rsrc, rdst);
    body.op("local.get", callerSaved).op("global.set", callerFlags);
  }

  // the call has returned: every borrow lent to the callee must be dropped by now, and the
  // lent handles are given back (after the results, whose lifting traps first, as the spec's
  // `task.return` lifts before it checks the borrows)
  if (scoped) body.op("i32.const", endAfterPostReturn ? 0 : 1).call(b.call("exit"));

  // 6. post-return, with the callee's raw results
  if (a.liftOptions.postReturn !== undefined) {
    // the callee may not leave while its post-return runs
    body.op("i32.const", 0).op("global.set", calleeFlags);
    for (const r of raw) body.op("local.get", r.local);
    body.call(b.postReturn(a.liftOptions.postReturn, liftSig.results));
    body.op("local.get", calleeSaved).op("global.set", calleeFlags);
  }
  if (endAfterPostReturn) body.call(b.call("end"));

  // 7. the results
  for (const l of out) body.op("local.get", l);
  if (barrier) {
    body.op("end").op("return");
    body.op("end").op("throw_ref"); // a JS exception goes on as it was
    body.op("end");
    t.trap(TrapCode.UncaughtException);
  }
  return ref;
}
