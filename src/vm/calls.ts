// Calls that leave the fast path of the dispatch loop: async closures (a new stack), natives,
// bound methods, and method lookup on arrays, strings, numbers and namespaces.

import { callNative } from "./host-natives.js";
import { getProperty } from "./properties.js";
import { methodId } from "./stdlib/index.js";
import { staticMember } from "./stdlib/members.js";
import type { Machine } from "./machine.js";
import {
  BoundMethod,
  Closure,
  Namespace,
  NativeFunction,
  isFlowObject,
  throwTypeError,
  type FlowObject,
  type Value,
} from "./values.js";

/** Calls any value; `text` is the callee's source for the "is not a function" message. */
export function callValue(m: Machine, callee: Value, thisValue: Value, args: Value[], text: string): Value {
  if (callee instanceof Closure) {
    // Sync closures reached here come from host paths; the dispatch loop inlines the rest.
    return m.program.functions[callee.fn].isAsync ? m.startAsync(callee, args) : m.call(callee, thisValue, args);
  }
  if (callee instanceof NativeFunction) return callNative(m, callee.id, thisValue, args);
  if (callee instanceof BoundMethod) return callNative(m, callee.id, callee.receiver, args);
  return throwTypeError(`${text} is not a function`);
}

/** `receiver.name(...args)` without creating a bound method for built-ins. */
export function callMethod(m: Machine, receiver: Value, name: string, args: Value[], text: string): Value {
  if (isFlowObject(receiver)) return callValue(m, (receiver as FlowObject)[name], receiver, args, text);
  if (receiver instanceof Namespace || receiver instanceof NativeFunction) {
    return callValue(m, staticMember(receiver.id, name), undefined, args, text);
  }
  if (receiver !== null && receiver !== undefined && !(receiver instanceof Closure)) {
    const id = methodId(receiver, name);
    if (id !== undefined) return callNative(m, id, receiver, args);
  }
  return callValue(m, getProperty(receiver, name, m), receiver, args, text);
}
