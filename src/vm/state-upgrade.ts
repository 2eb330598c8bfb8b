// Moving a paused run's saved state onto another version of its workflow (`rhythm upgrade`,
// docs/operations.md), or saying exactly why it cannot move. Conservative: a run moves only when
// its one stack is paused at an `await` of the workflow's top-level code that has exactly one
// counterpart in the new source — the same awaited expression text (whitespace aside), the same
// way its value is used (`const x = await …`, `x = await …`, `await …;`, `return await …`), and
// the same enclosing loops, `try`s, `switch`es and labels — and its variables map by name. Pure.

import type * as acorn from "acorn";
import type { Program } from "../compiler/program.js";
import { positionAt } from "../compiler/program.js";
import { Op, operandCount } from "../compiler/opcodes.js";
import { loadFlow } from "../lang/index.js";
import type { Frame } from "./fiber.js";
import { frameVariables } from "./inspect-state.js";
import { DEFAULT_LIMITS, type Limits } from "./limits.js";
import { Machine, type MachineHost } from "./machine.js";
import { saveState, type SavedState } from "./snapshot.js";
import { Closure, UNINITIALIZED, type Value } from "./values.js";

export interface VersionCode {
  program: Program;
  source: string;
  file: string;
}

/** Where a run is paused, as the matching rule sees it. */
export interface AwaitSite {
  line: number;
  column: number;
  /** The awaited expression's text, whitespace collapsed. */
  text: string;
  /** How the value is used: `const x`, `let x`, `x =`, `statement`, `return`, or `expression`. */
  use: string;
  /** The enclosing control structures, outermost first (`for`, `for…of`, `while`, `try`, `switch`, `label x` …). */
  structure: string[];
}

export type UpgradeVerdict =
  | {
      ok: true;
      from: AwaitSite;
      to: AwaitSite;
      /** Variables carried over by name. */
      kept: string[];
      /** Variables of the new version not declared yet at that await (as in a fresh run). */
      added: string[];
      /** Variables of the old version the new one does not have there. */
      dropped: string[];
      state: SavedState;
    }
  | { ok: false; reason: string; from?: AwaitSite };

const NO_HOST: MachineHost = {
  now: () => {
    throw new Error("a state being moved does not run");
  },
  random: () => 0,
  hasWorkflow: () => false,
};

/** Decides whether `state` (of version `from`) can continue on version `to`, and builds its new state. */
export function planUpgrade(from: VersionCode, to: VersionCode, state: SavedState, limits?: Partial<Limits>): UpgradeVerdict {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const m = Machine.restore(from.program, state, { host: NO_HOST, limits });
  const fibers = [...m.fibers];
  if (fibers.length !== 1)
    return {
      ok: false,
      reason: `it has ${fibers.length} stacks (concurrent async calls in flight); only a run paused in its main body alone can move`,
    };
  const fiber = fibers[0];
  if (fiber.frames.length !== 1 || fiber.frames[0].fn !== 0) {
    const top = fiber.frames[fiber.frames.length - 1];
    const fn = from.program.functions[top.fn];
    return {
      ok: false,
      reason: `it is paused inside function ${fn.name || "<anonymous>"} (line ${positionAt(fn, top.pc - 1).line}); only an await of the workflow's top-level code can move`,
    };
  }
  const frame = fiber.frames[0];
  const code0 = from.program.functions[0];
  if (code0.code[frame.pc - 1] !== Op.Await) return { ok: false, reason: "it is not paused at an await" };
  const site = siteAt(from, positionAt(code0, frame.pc - 1));
  if (!site) return { ok: false, reason: "its await was not found in its version's source" };
  const refuse = (reason: string): UpgradeVerdict => ({ ok: false, reason, from: site });
  if (frame.handlers.length > 0) return refuse("it is paused inside a try block (its handlers' places are not carried over)");
  if (fiber.stack.length !== frame.base) return refuse("its await is part of a larger expression holding values being computed");
  if (frame.env !== null)
    return refuse("its top-level variables are captured by functions (closures are not carried across versions)");
  const oldVars = frameVariables(from.program, frame);
  const named = new Set(oldVars.flatMap((v) => ("register" in v.place ? [v.place.register] : [])));
  const hidden = frame.locals.findIndex((v, r) => !named.has(r) && v !== undefined);
  if (hidden >= 0)
    return refuse("it is inside a construct that keeps hidden state (a for…of loop's iterator, a switch, a destructuring)");

  const candidates = topLevelAwaits(to).filter((s) => sameSite(s, site));
  if (candidates.length === 0)
    return refuse(
      `the new version has no counterpart: no top-level await of \`${site.text}\` used as ${site.use}` +
        (site.structure.length > 0 ? ` inside ${site.structure.join(" > ")}` : " outside any loop or try"),
    );
  if (candidates.length > 1)
    return refuse(
      `the new version has ${candidates.length} awaits of \`${site.text}\` that match (lines ${candidates.map((c) => c.line).join(", ")}): ambiguous`,
    );
  const target = candidates[0];
  const code1 = to.program.functions[0];
  const resume = awaitPcAt(to.program, target);
  if (resume === null) return refuse(`the new version's await at line ${target.line} was not found in its code`);

  // the frame as it will be: the new version's registers, filled by name
  const moved: Frame = { ...frame, pc: resume, locals: new Array<Value>(code1.locals).fill(undefined) };
  const newVars = frameVariables(to.program, moved);
  if (newVars.some((v) => !("register" in v.place)))
    return refuse(
      "the new version's top-level variables are captured by functions there (closures are not carried across versions)",
    );
  const byName = new Map(oldVars.map((v) => [v.name, v]));
  const kept: string[] = [];
  const added: string[] = [];
  for (const v of newVars) {
    const old = byName.get(v.name);
    const register = (v.place as { register: number }).register;
    if (old) {
      moved.locals[register] = old.value;
      kept.push(v.name);
    } else if (declaredAfter(to, v.name, target)) {
      moved.locals[register] = UNINITIALIZED;
      added.push(v.name);
    } else
      return refuse(
        `the new version has \`${v.name}\` in scope at the await, declared before it: this run never ran its declaration`,
      );
  }
  const dropped = oldVars.map((v) => v.name).filter((n) => !newVars.some((v) => v.name === n));
  // function values of top-level declarations: the same name in the new version
  const fnProblem = remapClosures(m, from.program, to.program, moved);
  if (fnProblem) return refuse(fnProblem);
  fiber.frames[0] = moved;
  const pendingBefore = new Set(m.pendingHost.keys());
  const saved = saveState(m, lim.maxStateBytes);
  if (saved.state === undefined || saved.bytes > lim.maxStateBytes)
    return refuse(
      `the moved state would be ${saved.state === undefined ? "at least " : ""}${saved.bytes} bytes, over the state size limit`,
    );
  const lost = [...pendingBefore].filter((h) => !saved.reachableHost.has(h));
  if (lost.length > 0) return refuse(`a dropped variable (${dropped.join(", ")}) holds something the run still awaits`);
  return { ok: true, from: site, to: target, kept, added, dropped, state: saved.state };
}

/** Function values: each must be a top-level named function the new version also has (same name, unique). */
function remapClosures(m: Machine, from: Program, to: Program, frame: Frame): string | null {
  const seen = new Set<unknown>();
  const work: unknown[] = [...frame.locals, m.globals.Inputs, m.globals.Context];
  for (const f of m.fibers) work.push(...f.stack, f.promise);
  const closures: Closure[] = [];
  while (work.length > 0) {
    const v = work.pop();
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof Closure) closures.push(v);
    else if (Array.isArray(v)) work.push(...(v as unknown[]));
    else if (Object.getPrototypeOf(v) === null) work.push(...Object.values(v as object));
  }
  for (const c of closures) {
    const name = from.functions[c.fn]?.name ?? "";
    const matches = to.functions.map((f, i) => (f.name === name && name !== "" ? i : -1)).filter((i) => i >= 0);
    const fromCount = from.functions.filter((f) => f.name === name).length;
    if (c.env !== null || matches.length !== 1 || fromCount !== 1)
      return `it holds a function value (${name || "anonymous"}) that cannot be matched to the new version's code`;
    (c as { fn: number }).fn = matches[0];
  }
  return null;
}

/** The pc just after the new version's Await instruction at the site (what a frame resumes at). */
function awaitPcAt(program: Program, site: AwaitSite): number | null {
  const fn = program.functions[0];
  for (let pc = 0; pc < fn.code.length; pc += 1 + (operandCount[fn.code[pc]] ?? 0)) {
    if (fn.code[pc] !== Op.Await) continue;
    const p = positionAt(fn, pc);
    if (p.line === site.line && p.column === site.column) return pc + 1;
  }
  return null;
}

function sameSite(a: AwaitSite, b: AwaitSite): boolean {
  return a.text === b.text && a.use === b.use && a.structure.join("|") === b.structure.join("|");
}

type Node = acorn.Node & Record<string, unknown>;

/** Every await of the top-level code (not inside a function), with how it is used and where. */
function topLevelAwaits(v: VersionCode): AwaitSite[] {
  const flow = loadFlow(v.source, v.file);
  const out: AwaitSite[] = [];
  const lines = lineStarts(v.source);
  const walk = (node: Node, parents: Node[]) => {
    if (/Function/.test(node.type)) return;
    if (node.type === "AwaitExpression") out.push(siteOf(v.source, lines, node, parents));
    for (const key of Object.keys(node)) {
      if (key === "loc") continue;
      const child = node[key];
      if (Array.isArray(child)) {
        for (const c of child)
          if (c && typeof c === "object" && typeof (c as Node).type === "string") walk(c as Node, [...parents, node]);
      } else if (child && typeof child === "object" && typeof (child as Node).type === "string")
        walk(child as Node, [...parents, node]);
    }
  };
  for (const s of flow.program.body) walk(s as unknown as Node, []);
  return out;
}

function siteAt(v: VersionCode, at: { line: number; column: number }): AwaitSite | null {
  return topLevelAwaits(v).find((s) => s.line === at.line && s.column === at.column) ?? null;
}

const STRUCTURE: Record<string, string> = {
  ForStatement: "for",
  ForOfStatement: "for…of",
  ForInStatement: "for…in",
  WhileStatement: "while",
  DoWhileStatement: "do…while",
  TryStatement: "try",
  SwitchStatement: "switch",
};

function siteOf(source: string, lines: number[], node: Node, parents: Node[]): AwaitSite {
  const arg = node.argument as Node;
  const text = source.slice(arg.start, arg.end).replace(/\s+/g, " ").trim();
  const parent = parents[parents.length - 1];
  let use = "expression";
  if (parent?.type === "VariableDeclarator" && (parent.id as Node).type === "Identifier") {
    const decl = parents[parents.length - 2];
    use = `${String(decl?.kind)} ${String((parent.id as Node).name)}`;
  } else if (parent?.type === "AssignmentExpression" && (parent.left as Node).type === "Identifier" && parent.operator === "=")
    use = `${String((parent.left as Node).name)} =`;
  else if (parent?.type === "ExpressionStatement") use = "statement";
  else if (parent?.type === "ReturnStatement") use = "return";
  const structure = parents.flatMap((p) =>
    p.type === "LabeledStatement" ? [`label ${String((p.label as Node).name)}`] : STRUCTURE[p.type] ? [STRUCTURE[p.type]] : [],
  );
  const { line, column } = lineColumn(lines, node.start);
  return { line, column, text, use, structure };
}

/** Whether `name` is declared (let/const/var/class at the top level) only after the site. */
function declaredAfter(v: VersionCode, name: string, site: AwaitSite): boolean {
  const flow = loadFlow(v.source, v.file);
  const lines = lineStarts(v.source);
  for (const s of flow.program.body) {
    if (s.type !== "VariableDeclaration") continue;
    for (const d of s.declarations)
      if (d.id.type === "Identifier" && d.id.name === name) {
        const at = lineColumn(lines, s.start);
        return at.line > site.line || (at.line === site.line && at.column > site.column) || s.end > offsetOf(lines, site);
      }
  }
  return false;
}

function lineStarts(source: string): number[] {
  const out = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") out.push(i + 1);
  return out;
}

function lineColumn(lines: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lines[lo] + 1 };
}

function offsetOf(lines: number[], at: { line: number; column: number }): number {
  return lines[at.line - 1] + at.column - 1;
}
