// A deterministic nesting limit: the checker and the compiler walk the tree recursively, so a
// program nested thousands of levels deep would overflow the host stack at a depth that depends
// on how much stack the caller has left. Measuring the depth first, without recursion, gives the
// same answer wherever the file is loaded (worker, `rhythm check`, `rhythm run`).

import type * as acorn from "acorn";

/** Deepest syntax tree accepted (real programs stay far below: each `(`, `[`, `{` or call adds one or two). */
export const MAX_NESTING = 1000;

/** The first node nested deeper than MAX_NESTING, or null. */
export function tooDeeplyNested(program: acorn.Program): acorn.Node | null {
  const work: [acorn.Node, number][] = [[program, 1]];
  while (work.length > 0) {
    const [node, depth] = work.pop()!;
    if (depth > MAX_NESTING) return node;
    for (const key in node) {
      if (key === "loc") continue;
      const v = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) if (isNode(v[i])) work.push([v[i] as acorn.Node, depth + 1]);
      } else if (isNode(v)) work.push([v, depth + 1]);
    }
  }
  return null;
}

function isNode(v: unknown): v is acorn.Node {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string";
}
