// One NativeFunction / Namespace instance per id, so identity holds across the program
// (`Math.max === Math.max`, `Number.parseFloat === parseFloat`). Everyone who hands out
// built-in function values (stdlib, interpreter globals such as Task.run) should go through here.

import { Namespace, NativeFunction } from "../values.js";

const functions = new Map<string, NativeFunction>();
const namespaces = new Map<string, Namespace>();

/** The shared NativeFunction for a native id. */
export function nativeFn(id: string): NativeFunction {
  let f = functions.get(id);
  if (f === undefined) {
    f = new NativeFunction(id);
    functions.set(id, f);
  }
  return f;
}

/** The shared Namespace for a namespace id ("Math", "JSON", "Array", …). */
export function namespace(id: string): Namespace {
  let ns = namespaces.get(id);
  if (ns === undefined) {
    ns = new Namespace(id);
    namespaces.set(id, ns);
  }
  return ns;
}
