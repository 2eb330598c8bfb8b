// The global names a .flow program can read (SPEC §2.3): the pure standard library, the
// interpreter's own namespaces, and this execution's Inputs and Context.

import { stdlibGlobals } from "./stdlib/index.js";
import { staticMember } from "./stdlib/members.js";
import { Namespace, NativeFunction, type FlowObject, type Value } from "./values.js";

const HOST_NAMESPACES = ["Task", "Workflow", "Timer", "Signal", "Promise", "console", "Date"];

// One instance per namespace for the whole process, so identity (`M === Math`) survives a restore.
const hostNamespaces: Record<string, Namespace> = Object.fromEntries(HOST_NAMESPACES.map((n) => [n, new Namespace(n)]));

export function globalsFor(inputs: FlowObject, context: FlowObject): Record<string, Value> {
  const g = Object.create(null) as Record<string, Value>;
  Object.assign(g, stdlibGlobals, hostNamespaces);
  g.Inputs = inputs;
  g.Context = context;
  return g;
}

export function canonicalNamespace(id: string): Namespace {
  const g = hostNamespaces[id] ?? stdlibGlobals[id];
  return g instanceof Namespace ? g : new Namespace(id);
}

/** The shared instance of a built-in function, so `f === Math.max` holds after a restore. */
export function canonicalNative(id: string): NativeFunction {
  const g = stdlibGlobals[id];
  if (g instanceof NativeFunction && g.id === id) return g;
  const dot = id.lastIndexOf(".");
  if (dot > 0) {
    const member = staticMember(id.slice(0, dot), id.slice(dot + 1));
    if (member instanceof NativeFunction && member.id === id) return member;
  }
  return new NativeFunction(id);
}
