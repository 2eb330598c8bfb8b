// The signal names a workflow can wait on, read from its tree once when it is compiled: every
// `Signal.next("name")` and `Signal.when("name", …)` with a literal name. A name that is computed
// (`Signal.next(kind + "-done")`), or `Signal` used any other way (passed around, `Signal.next`
// taken as a value), means the set is not complete: `computed` says so, and then any name may be
// awaited. `rhythm signal` refuses a name outside a complete set (a typo would otherwise wait in
// the buffer for ever).

import type * as acorn from "acorn";

export interface SignalNames {
  /** The literal names, sorted, each once. */
  names: string[];
  /** True when some wait's name is not a literal: then the workflow may wait on any name. */
  computed: boolean;
}

const WAITS = new Set(["next", "when"]);

export function signalNames(program: acorn.Program): SignalNames {
  const names = new Set<string>();
  let computed = false;
  // the `Signal` identifiers that are the object of a Signal.next/when(...) call
  const understood = new Set<acorn.Node>();
  // iterative: the tree may be nested up to the loader's limit, deeper than the host stack likes
  const work: acorn.Node[] = [program];
  while (work.length > 0) {
    const node = work.pop()!;
    if (node.type === "CallExpression") {
      const callee = (node as acorn.CallExpression).callee;
      const wait = waitKind(callee);
      if (wait) {
        understood.add((callee as acorn.MemberExpression).object);
        const name = literalName((node as acorn.CallExpression).arguments[0]);
        if (name === null) computed = true;
        else names.add(name);
      }
    } else if (node.type === "Identifier" && (node as acorn.Identifier).name === "Signal" && !understood.has(node)) {
      computed = true; // `Signal` passed around or used another way: any name may be awaited
    }
    for (const key in node) {
      if (key === "loc") continue;
      const v = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) if (isNode(v[i])) work.push(v[i] as acorn.Node);
      } else if (isNode(v)) work.push(v);
    }
  }
  return { names: [...names].sort(), computed };
}

/** `Signal.next` / `Signal.when` / `Signal["next"]` as a callee, else null. */
function waitKind(callee: acorn.Node): string | null {
  if (callee.type !== "MemberExpression") return null;
  const m = callee as acorn.MemberExpression;
  if (m.object.type !== "Identifier" || (m.object as acorn.Identifier).name !== "Signal") return null;
  const property = m.computed ? literalName(m.property) : m.property.type === "Identifier" ? m.property.name : null;
  return property !== null && WAITS.has(property) ? property : null;
}

/** A string literal or a template literal without substitutions; null for anything computed. */
function literalName(node: acorn.Node | undefined): string | null {
  if (!node) return null;
  if (node.type === "Literal" && typeof (node as acorn.Literal).value === "string")
    return (node as acorn.Literal).value as string;
  if (node.type === "TemplateLiteral" && (node as acorn.TemplateLiteral).expressions.length === 0)
    return (node as acorn.TemplateLiteral).quasis[0].value.cooked ?? null;
  return null;
}

function isNode(v: unknown): v is acorn.Node {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string";
}
