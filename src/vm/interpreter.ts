// The dispatch loop: runs one stack (fiber) until it blocks on an await, ends, or — for a call
// made from host code — until that call returns. Exceptions thrown by .flow code travel as
// FlowThrow and unwind to the nearest try handler, frame by frame.

import { Op } from "../compiler/opcodes.js";
import { add, compare, looseEquals, toNumber, toPropertyKey, toStr, typeOf } from "./coerce.js";
import { callMethod, callValue } from "./calls.js";
import type { Fiber, Frame } from "./fiber.js";
import { copyOwn, forInKeys, iterableToArray, spreadArgs } from "./iteration.js";
import { loopCost } from "./limits.js";
import { checkBudget } from "./budget.js";
import type { Machine } from "./machine.js";
import { getProperty, methodOf, setProperty } from "./properties.js";
import { guardArrayLength, guardStringLength } from "./stdlib/size-guard.js";
import { enqueue, subscribe } from "./promises.js";
import {
  Closure,
  Env,
  FlowThrow,
  Handle,
  UNINITIALIZED,
  isFlowObject,
  newObject,
  throwError,
  throwTypeError,
  type FlowObject,
  type Value,
} from "./values.js";
import { costArray, costString, ELEMENT_BYTES, KEY_BYTES } from "./stdlib/cost.js";

/** Bytes counted for an object or array made by a literal. */
const OBJECT_BYTES = 64;

export interface Resume {
  ok: boolean;
  value: Value;
}

/**
 * Runs `fiber` from its top frame. With `boundary`, returns that frame's return value (and
 * rethrows what escapes it); otherwise returns when the fiber blocks or ends.
 */
export function execute(m: Machine, fiber: Fiber, resume: Resume | null, boundary?: Frame): Value {
  const stack = fiber.stack;
  const fns = m.program.functions;
  let frame = fiber.frames[fiber.frames.length - 1];
  let code = fns[frame.fn].code;
  let consts = fns[frame.fn].constants;
  // The program counter of the running frame lives in a local for speed; it is written back to
  // the frame whenever control may leave this loop (calls, awaits, natives, throws).
  let pc = frame.pc;
  let pending: FlowThrow | null = null;
  if (resume) {
    if (resume.ok) stack.push(resume.value);
    else pending = new FlowThrow(resume.value);
  }
  for (;;) {
    try {
      if (pending) {
        const p = pending;
        pending = null;
        throw p;
      }
      for (;;) {
        switch (code[pc++]) {
          case Op.Const:
            stack.push(consts[code[pc++]]);
            break;
          case Op.Int:
            stack.push(code[pc++]);
            break;
          case Op.Undefined:
            stack.push(undefined);
            break;
          case Op.Null:
            stack.push(null);
            break;
          case Op.True:
            stack.push(true);
            break;
          case Op.False:
            stack.push(false);
            break;
          case Op.Pop:
            stack.pop();
            break;
          case Op.Dup:
            stack.push(stack[stack.length - 1]);
            break;
          case Op.LoadLocal:
            stack.push(frame.locals[code[pc++]]);
            break;
          case Op.LoadLocalChecked: {
            const v = frame.locals[code[pc++]];
            const name = consts[code[pc++]];
            if (v === UNINITIALIZED) deadZone(name);
            stack.push(v);
            break;
          }
          case Op.StoreLocal:
            frame.locals[code[pc++]] = stack.pop();
            break;
          case Op.StoreLocalChecked: {
            const slot = code[pc++];
            const name = consts[code[pc++]];
            if (frame.locals[slot] === UNINITIALIZED) deadZone(name);
            frame.locals[slot] = stack.pop();
            break;
          }
          case Op.LoadEnv: {
            let e = frame.env!;
            for (let d = code[pc++]; d > 0; d--) e = e.parent!;
            stack.push(e.slots[code[pc++]]);
            break;
          }
          case Op.LoadEnvChecked: {
            let e = frame.env!;
            for (let d = code[pc++]; d > 0; d--) e = e.parent!;
            const v = e.slots[code[pc++]];
            const name = consts[code[pc++]];
            if (v === UNINITIALIZED) deadZone(name);
            stack.push(v);
            break;
          }
          case Op.StoreEnv: {
            let e = frame.env!;
            for (let d = code[pc++]; d > 0; d--) e = e.parent!;
            e.slots[code[pc++]] = stack.pop();
            break;
          }
          case Op.StoreEnvChecked: {
            let e = frame.env!;
            for (let d = code[pc++]; d > 0; d--) e = e.parent!;
            const slot = code[pc++];
            const name = consts[code[pc++]];
            if (e.slots[slot] === UNINITIALIZED) deadZone(name);
            e.slots[slot] = stack.pop();
            break;
          }
          case Op.ClearLocal:
            frame.locals[code[pc++]] = UNINITIALIZED;
            break;
          case Op.LoadGlobal: {
            const name = consts[code[pc++]] as string;
            const v = m.globals[name];
            if (v === undefined && !(name in m.globals)) throwError("ReferenceError", `${name} is not defined`);
            stack.push(v);
            break;
          }
          case Op.PushEnv:
            frame.env = new Env(frame.env, new Array<Value>(code[pc++]).fill(UNINITIALIZED));
            break;
          case Op.PopEnv:
            frame.env = frame.env!.parent;
            break;
          case Op.CopyEnv:
            frame.env = new Env(frame.env!.parent, frame.env!.slots.slice());
            break;
          case Op.LoadArg:
            stack.push(frame.args[code[pc++]]);
            break;
          case Op.LoadRestArgs:
            stack.push(frame.args.slice(code[pc++]));
            break;
          case Op.Closure:
            stack.push(new Closure(code[pc++], frame.env));
            break;
          case Op.LoadCallee:
            stack.push(frame.callee);
            break;
          case Op.GetMethod: {
            const receiver = stack[stack.length - 1];
            const name = consts[code[pc++]] as string;
            stack.push(isFlowObject(receiver) ? (receiver as FlowObject)[name] : methodOf(receiver, name, m));
            break;
          }
          case Op.Call:
          case Op.CallSpread:
          case Op.CallWithReceiver:
          case Op.CallWithReceiverSpread:
          case Op.CallMethod: // CallMethod*: programs compiled before GetMethod existed
          case Op.CallMethodSpread: {
            const op = code[pc - 1];
            const isMethod = op === Op.CallMethod || op === Op.CallMethodSpread;
            const name = isMethod ? (consts[code[pc++]] as string) : "";
            let args: Value[];
            if (op === Op.Call || op === Op.CallWithReceiver || op === Op.CallMethod) {
              const argc = code[pc++];
              args = argc === 0 ? [] : stack.splice(stack.length - argc, argc);
            } else args = spreadArgs(stack.pop(), m);
            const text = consts[code[pc++]] as string;
            const target = stack.pop();
            const receiver = op === Op.CallWithReceiver || op === Op.CallWithReceiverSpread ? stack.pop() : undefined;
            // obj.name(…) with a .flow function there is an ordinary call (closures ignore `this`)
            const fn = isMethod ? (isFlowObject(target) ? (target as FlowObject)[name] : undefined) : target;
            frame.pc = pc; // the caller resumes here; natives may read the current line
            if (fn instanceof Closure && !fns[fn.fn].isAsync) {
              const next = m.newFrame(fn, args, false, stack.length);
              fiber.frames.push(next);
              frame = next;
              pc = 0;
              code = fns[frame.fn].code;
              consts = fns[frame.fn].constants;
            } else if (isMethod) stack.push(callMethod(m, target, name, args, text));
            else stack.push(callValue(m, target, receiver, args, text));
            break;
          }
          case Op.Return: {
            const v = stack.pop();
            const done = frame;
            fiber.frames.pop();
            m.depth--;
            stack.length = done.base;
            if (done === boundary) return v;
            if (fiber.frames.length === 0) {
              m.fiberDone(fiber, true, v);
              return undefined;
            }
            frame = fiber.frames[fiber.frames.length - 1];
            pc = frame.pc;
            code = fns[frame.fn].code;
            consts = fns[frame.fn].constants;
            stack.push(v);
            break;
          }
          case Op.NewObject:
            m.allocated += OBJECT_BYTES; // checked at the next budget checkpoint
            stack.push(newObject());
            break;
          case Op.NewArray: {
            const n = code[pc++];
            m.allocated += OBJECT_BYTES + n * ELEMENT_BYTES;
            stack.push(n === 0 ? [] : stack.splice(stack.length - n, n));
            break;
          }
          case Op.ArrayPush: {
            m.allocated += ELEMENT_BYTES;
            const v = stack.pop();
            (stack[stack.length - 1] as Value[]).push(v);
            break;
          }
          case Op.ArraySpread: {
            const items = iterableToArray(stack.pop(), m);
            const target = stack[stack.length - 1] as Value[];
            guardArrayLength(m, target.length + items.length);
            costArray(m, items.length);
            for (const x of items) target.push(x);
            break;
          }
          case Op.DefineField: {
            m.allocated += KEY_BYTES;
            const v = stack.pop();
            const k = stack.pop() as string;
            (stack[stack.length - 1] as FlowObject)[k] = v;
            break;
          }
          case Op.ObjectSpread: {
            const src = stack.pop();
            copyOwn(stack[stack.length - 1] as FlowObject, src, null, m);
            break;
          }
          case Op.ObjectRest: {
            const n = code[pc++];
            const excluded = new Set(stack.splice(stack.length - n, n) as string[]);
            const src = stack.pop();
            const out = newObject();
            copyOwn(out, src, excluded, m);
            stack.push(out);
            break;
          }
          case Op.GetProp: {
            const obj = stack.pop();
            const name = consts[code[pc++]] as string;
            stack.push(isFlowObject(obj) ? (obj as FlowObject)[name] : getProperty(obj, name, m));
            break;
          }
          case Op.GetIndex: {
            const key = stack.pop();
            const obj = stack.pop();
            if (Array.isArray(obj) && typeof key === "number" && key >= 0 && key < obj.length && Number.isInteger(key)) {
              stack.push(obj[key]);
            } else stack.push(getProperty(obj, key, m));
            break;
          }
          case Op.SetProp: {
            const v = stack.pop();
            const obj = stack.pop();
            const name = consts[code[pc++]] as string;
            if (isFlowObject(obj)) (obj as FlowObject)[name] = v;
            else setProperty(obj, name, v, m);
            stack.push(v);
            break;
          }
          case Op.SetIndex: {
            const v = stack.pop();
            const key = stack.pop();
            const obj = stack.pop();
            if (Array.isArray(obj) && typeof key === "number" && key >= 0 && key < obj.length && Number.isInteger(key)) {
              obj[key] = v;
            } else setProperty(obj, key, v, m);
            stack.push(v);
            break;
          }
          case Op.RequireObjectCoercible: {
            const v = stack[stack.length - 1];
            const prop = code[pc++];
            const text = code[pc++];
            if (v === null || v === undefined) {
              const what = text >= 0 ? String(consts[text]) : String(v);
              throwTypeError(
                prop >= 0
                  ? `Cannot destructure property '${String(consts[prop])}' of '${what}' as it is ${String(v)}.`
                  : `Cannot destructure '${what}' as it is ${String(v)}.`,
              );
            }
            break;
          }
          case Op.ToArrayForDestructure:
            stack.push(iterableToArray(stack.pop(), m));
            break;
          case Op.Add: {
            const b = stack.pop();
            const a = stack.pop();
            if (typeof a === "number" && typeof b === "number") stack.push(a + b);
            else {
              const r = add(a, b, m);
              if (typeof r === "string") guardStringLength(m, r.length);
              stack.push(r);
            }
            break;
          }
          case Op.Sub: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(typeof a === "number" && typeof b === "number" ? a - b : toNumber(a, m) - toNumber(b, m));
            break;
          }
          case Op.Mul: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(typeof a === "number" && typeof b === "number" ? a * b : toNumber(a, m) * toNumber(b, m));
            break;
          }
          case Op.Div: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(typeof a === "number" && typeof b === "number" ? a / b : toNumber(a, m) / toNumber(b, m));
            break;
          }
          case Op.Mod: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(typeof a === "number" && typeof b === "number" ? a % b : toNumber(a, m) % toNumber(b, m));
            break;
          }
          case Op.Pow: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(toNumber(a, m) ** toNumber(b, m));
            break;
          }
          case Op.Lt: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(typeof a === "number" && typeof b === "number" ? a < b : compare(a, b, "<", m));
            break;
          }
          case Op.Le: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(typeof a === "number" && typeof b === "number" ? a <= b : compare(a, b, "<=", m));
            break;
          }
          case Op.Gt: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(typeof a === "number" && typeof b === "number" ? a > b : compare(a, b, ">", m));
            break;
          }
          case Op.Ge: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(typeof a === "number" && typeof b === "number" ? a >= b : compare(a, b, ">=", m));
            break;
          }
          case Op.Eq: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(looseEquals(a, b, m));
            break;
          }
          case Op.Ne: {
            const b = stack.pop();
            const a = stack.pop();
            stack.push(!looseEquals(a, b, m));
            break;
          }
          case Op.StrictEq: {
            const b = stack.pop();
            stack.push(stack.pop() === b);
            break;
          }
          case Op.StrictNe: {
            const b = stack.pop();
            stack.push(stack.pop() !== b);
            break;
          }
          case Op.Not:
            // Host truthiness is JavaScript's for every value the language has.
            stack.push(!stack.pop());
            break;
          case Op.Neg: {
            const a = stack.pop();
            stack.push(typeof a === "number" ? -a : -toNumber(a, m));
            break;
          }
          case Op.Plus:
          case Op.ToNumeric: {
            const a = stack.pop();
            stack.push(typeof a === "number" ? a : toNumber(a, m));
            break;
          }
          case Op.TypeOf:
            stack.push(typeOf(stack.pop()));
            break;
          case Op.Inc:
            stack.push((stack.pop() as number) + 1);
            break;
          case Op.Dec:
            stack.push((stack.pop() as number) - 1);
            break;
          case Op.ToPropertyKey:
            stack.push(toPropertyKey(stack.pop(), m));
            break;
          case Op.TemplateConcat: {
            const n = code[pc++];
            let s = "";
            let longest = 0;
            for (const part of stack.splice(stack.length - n, n)) {
              const text = typeof part === "string" ? part : toStr(part, m);
              s += text;
              longest = Math.max(longest, text.length);
              guardStringLength(m, s.length);
            }
            costString(m, s.length - longest); // like +: the longest part is shared, not copied
            stack.push(s);
            break;
          }
          case Op.Jump: {
            const target = code[pc];
            // Only backward jumps (loops) and calls can make code run long, so the budget is
            // charged there, by the number of instructions jumped back over.
            if (target < pc && (m.budget -= loopCost(code, target, pc)) < m.checkpoint) checkBudget(m);
            pc = target;
            break;
          }
          case Op.JumpIfFalse:
            if (!stack.pop()) pc = code[pc];
            else pc++;
            break;
          case Op.JumpIfTrue:
            if (stack.pop()) {
              const target = code[pc];
              if (target < pc && (m.budget -= loopCost(code, target, pc)) < m.checkpoint) checkBudget(m);
              pc = target;
            } else pc++;
            break;
          case Op.JumpIfFalseKeep:
            if (!stack[stack.length - 1]) pc = code[pc];
            else {
              stack.pop();
              pc++;
            }
            break;
          case Op.JumpIfTrueKeep:
            if (stack[stack.length - 1]) pc = code[pc];
            else {
              stack.pop();
              pc++;
            }
            break;
          case Op.JumpIfNotNullishKeep: {
            const v = stack[stack.length - 1];
            if (v !== null && v !== undefined) pc = code[pc];
            else {
              stack.pop();
              pc++;
            }
            break;
          }
          case Op.JumpIfNullish: {
            const v = stack[stack.length - 1];
            if (v === null || v === undefined) {
              stack[stack.length - 1] = undefined;
              pc = code[pc];
            } else pc++;
            break;
          }
          case Op.JumpIfNotUndefined:
            if (stack[stack.length - 1] !== undefined) pc = code[pc];
            else {
              stack.pop();
              pc++;
            }
            break;
          case Op.Throw:
            throw new FlowThrow(stack.pop());
          case Op.TryEnter:
            frame.handlers.push({ pc: code[pc++], sp: stack.length, env: frame.env });
            break;
          case Op.TryExit:
            frame.handlers.pop();
            break;
          case Op.IterInit: {
            const v = stack.pop();
            const text = consts[code[pc++]] as string;
            if (!Array.isArray(v) && typeof v !== "string") throwTypeError(`${text} is not iterable`);
            stack.push(Array.isArray(v) ? v : iterableToArray(v, m), 0);
            break;
          }
          case Op.IterNext: {
            const i = stack[stack.length - 1] as number;
            const arr = stack[stack.length - 2] as Value[];
            if (i >= arr.length) pc = code[pc];
            else {
              pc++;
              stack[stack.length - 1] = i + 1;
              stack.push(arr[i]);
            }
            break;
          }
          case Op.ForInKeys:
            stack.push(forInKeys(stack.pop(), m), 0);
            break;
          case Op.Await: {
            frame.pc = pc;
            const v = stack.pop();
            if (v instanceof Handle) {
              fiber.awaiting = v;
              subscribe(m, v, { kind: "fiber", fiber });
            } else {
              fiber.awaiting = null;
              enqueue(m, { reaction: { kind: "fiber", fiber }, ok: true, value: v });
            }
            return undefined;
          }
          case Op.Void:
            stack[stack.length - 1] = undefined;
            break;
          case Op.SetFunctionName: {
            const fn = stack[stack.length - 1];
            if (fn instanceof Closure) fn.name = stack[stack.length - 2] as string;
            break;
          }
          default:
            throw new Error(`interpreter: bad opcode ${code[pc - 1]} at ${pc - 1} in ${fns[frame.fn].name}`);
        }
      }
    } catch (e) {
      if (!(e instanceof FlowThrow)) throw e;
      frame.pc = pc;
      m.noteThrowSite(e.value, frame);
      // Unwind to the nearest handler; frames without one end here.
      for (;;) {
        const h = frame.handlers.pop();
        if (h) {
          stack.length = h.sp;
          frame.env = h.env;
          stack.push(e.value);
          pc = frame.pc = h.pc;
          break;
        }
        const done = frame;
        fiber.frames.pop();
        m.depth--;
        stack.length = done.base;
        if (done === boundary) throw e;
        if (fiber.frames.length === 0) {
          m.fiberDone(fiber, false, e.value);
          return undefined;
        }
        frame = fiber.frames[fiber.frames.length - 1];
        pc = frame.pc;
        code = fns[frame.fn].code;
        consts = fns[frame.fn].constants;
      }
    }
  }
}

function deadZone(name: Value): never {
  return throwError("ReferenceError", `Cannot access '${String(name)}' before initialization`);
}
