// What a person expects `rhythm inspect` to name at a position of a .flow file, worked out from
// the front end's binding resolution alone (not from the compiler's debug table): the bindings
// of the scopes around the position, innermost first, minus the names an inner scope shadows and
// minus an enclosing function's bindings that no closure captured (they live in that function's
// own frame, which a closure cannot reach).

import type * as acorn from "acorn";
import { loadFlow, type Binding, type Scope } from "../../src/lang/index.js";

type AnyFunction = acorn.FunctionDeclaration | acorn.FunctionExpression | acorn.ArrowFunctionExpression;

export class ScopeOracle {
  private readonly scopes: Scope[];
  private readonly lineStarts: number[] = [0];

  constructor(source: string) {
    const loaded = loadFlow(source, "oracle.flow");
    const b = loaded.bindings;
    this.scopes = [...b.scopes.values(), ...b.selfScopes.values(), ...b.headScopes.values()];
    const breaks = /\r\n|[\n\r\u2028\u2029]/g;
    for (let m = breaks.exec(source); m; m = breaks.exec(source)) this.lineStarts.push(m.index + m[0].length);
  }

  /** The names in view at 1-based line:column, innermost first. */
  namesAt(line: number, column: number): string[] {
    const offset = this.lineStarts[line - 1] + column - 1;
    const candidates = this.scopes.filter((s) => contains(s, offset));
    assert(candidates.length > 0, `no scope holds ${line}:${column}`);
    const depth = (s: Scope) => {
      let d = 0;
      for (let p = s.parent; p; p = p.parent) d++;
      return d;
    };
    const innermost = candidates.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    const fn = innermost.fn;
    const seen = new Set<string>();
    const out: string[] = [];
    for (let s: Scope | null = innermost; s; s = s.parent) {
      for (const b of s.bindings.values()) {
        if (seen.has(b.name)) continue;
        seen.add(b.name);
        if (reachable(b, fn)) out.push(b.name);
      }
    }
    return out;
  }
}

function reachable(b: Binding, fn: acorn.Node): boolean {
  return b.scope.fn === fn || b.captured;
}

/** Whether code at `offset` runs in scope `s` (a scope's node is not always exactly its extent). */
function contains(s: Scope, offset: number): boolean {
  const n = s.node;
  if (offset < n.start || offset >= n.end) return false;
  if (s.kind === "for-head") {
    const loop = n as acorn.ForOfStatement;
    return offset >= loop.right.start && offset < loop.right.end;
  }
  if (s.kind === "for" && (n.type === "ForOfStatement" || n.type === "ForInStatement")) {
    const loop = n as acorn.ForOfStatement;
    return !(offset >= loop.right.start && offset < loop.right.end);
  }
  if (s.kind === "switch") return offset >= (n as acorn.SwitchStatement).discriminant.end;
  if (s.kind === "params" || s.kind === "self") {
    // the function's own name (a declaration's) belongs to the scope around it
    const f = n as AnyFunction;
    return f.type !== "FunctionDeclaration" || offset >= (f.params[0]?.start ?? f.body.start);
  }
  return true;
}

function assert(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(message);
}
