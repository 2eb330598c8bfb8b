// The front end, the compiler and the machine import one another in one direction only: no module
// of src/lang, src/compiler or src/vm (or the src/shared leaf) may reach itself again through
// value imports. Read from the
// built JavaScript, where TypeScript has already dropped imports used only as types, so a
// type-only import back up a layer stays allowed and a value import that closes a loop fails.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import * as acorn from "acorn";

const DIST_SRC = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "src");
const FOLDERS = ["shared", "lang", "compiler", "vm"];

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith(".js") ? [join(dir, e.name)] : [],
  );
}

/** The relative modules a built file imports or re-exports at run time. */
export function valueImports(file: string, source: string): string[] {
  const program = acorn.parse(source, { ecmaVersion: "latest", sourceType: "module" });
  const out: string[] = [];
  for (const node of program.body) {
    const from =
      node.type === "ImportDeclaration" || node.type === "ExportAllDeclaration"
        ? node.source
        : node.type === "ExportNamedDeclaration"
          ? node.source
          : null;
    if (from && typeof from.value === "string" && from.value.startsWith(".")) out.push(resolve(dirname(file), from.value));
  }
  return out;
}

/** Every cycle of the graph, one per strongly connected component (Tarjan), as a path of nodes. */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.reverse());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return cycles;
}

describe("value imports of shared, lang, compiler and vm have no cycles", () => {
  it("finds a cycle when there is one (the check itself works)", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    assert.deepEqual(cyclesOf(graph), [["a", "b", "c"]]);
    assert.deepEqual(valueImports("/x/a.js", 'import { b } from "./b.js";\nexport { c } from "../c.js";\nimport "node:fs";'), [
      "/x/b.js",
      "/c.js",
    ]);
  });

  it("none in the built modules", () => {
    const graph = new Map<string, string[]>();
    for (const folder of FOLDERS) {
      for (const file of jsFiles(join(DIST_SRC, folder))) graph.set(file, valueImports(file, readFileSync(file, "utf8")));
    }
    assert.ok(graph.size > 40, `only ${graph.size} modules found under ${DIST_SRC}`);
    const cycles = cyclesOf(graph).map((c) => c.map((f) => relative(DIST_SRC, f)).join(" → "));
    assert.deepEqual(cycles, [], `value-import cycles:\n${cycles.join("\n")}`);
  });
});
