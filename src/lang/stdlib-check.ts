// Uses of the standard library that are known to fail before the workflow runs: a member a
// built-in does not have (`Task.rn`), a write to a built-in's member, a call whose literal
// arguments the call would refuse (`Timer.delay("1 h")`, `Signal.when("a")`), and a literal
// `Workflow.run("name")` with no `name.flow` in the folder being loaded. The rules are the
// runtime's own, handed in as a StdlibSurface (lang cannot import the machine), so they agree.

import type * as acorn from "acorn";
import type { Bindings } from "./bindings.js";
import type { Problem } from "./errors.js";
import { memberHint } from "./globals.js";
import { knownValue, staticKey, type KnownValue } from "./known-values.js";
import { lineInfo } from "./lines.js";
import { msg } from "./messages.js";
import { closestName } from "./suggest.js";

/** What the checker knows of the standard library, from the runtime's tables. */
export interface StdlibSurface {
  /**
   * The members of a global namespace or built-in function (all read-only), or undefined for a
   * global whose members are not fixed (Inputs and Context are data).
   */
  membersOf(global: string): ReadonlySet<string> | undefined;
  /**
   * The problem a call of a built-in (`"Task.run"`) has with its arguments as far as they are
   * known, with the index of the argument at fault (past the end when it is missing); else null.
   */
  callProblem(fn: string, args: readonly KnownValue[]): { message: string; argument: number } | null;
}

/** The workflows a `Workflow.run` may start: the .flow files of the folder being loaded. */
export interface WorkflowFolder {
  /** The folder as the user gave it, for messages. */
  folder: string;
  /** Its workflow names (file names without `.flow`), and those already stored when deploying. */
  names: ReadonlySet<string>;
  /** Deploying: names stored in the database count too (a child deployed from another folder). */
  stored?: boolean;
}

/** The checks beyond the language itself, for `rhythm check` and deploy. */
export interface CheckOptions {
  surface?: StdlibSurface;
  /** Set when the folder of the file is known: `Workflow.run("x")` needs an `x.flow` there. */
  workflows?: WorkflowFolder;
}

/** Names the validator already rejects as members; not reported twice. */
const PROTO_NAMES = new Set(["__proto__", "prototype", "constructor"]);

/** The problems of `program`'s uses of the standard library, in no particular order. */
export function checkStdlibUse(program: acorn.Program, input: string, bindings: Bindings, options: CheckOptions): Problem[] {
  const surface = options.surface;
  if (!surface) return [];
  const problems: Problem[] = [];
  const report = (pos: number, message: string): void => {
    const { line, column } = lineInfo(input, pos);
    problems.push({ line, column: column + 1, message });
  };
  const written = new Set<acorn.Node>();

  /** The global built-in a member expression reads from, with the member's name. */
  const builtinMember = (e: acorn.Node): { object: string; member: string; members: ReadonlySet<string> } | null => {
    if (e.type !== "MemberExpression") return null;
    const m = e as acorn.MemberExpression;
    if (m.object.type !== "Identifier" || !bindings.unresolved.has(m.object)) return null;
    const members = surface.membersOf(m.object.name);
    const member = staticKey(m);
    if (members === undefined || member === null || PROTO_NAMES.has(member)) return null;
    return { object: m.object.name, member, members };
  };

  const markTargets = (p: acorn.Node | null): void => {
    if (!p) return;
    switch (p.type) {
      case "MemberExpression":
        written.add(p);
        return;
      case "ObjectPattern":
        for (const prop of (p as acorn.ObjectPattern).properties) markTargets(prop.type === "RestElement" ? prop : prop.value);
        return;
      case "ArrayPattern":
        for (const el of (p as acorn.ArrayPattern).elements) markTargets(el);
        return;
      case "RestElement":
        return markTargets((p as acorn.RestElement).argument);
      case "AssignmentPattern":
        return markTargets((p as acorn.AssignmentPattern).left);
    }
  };

  const call = (e: acorn.CallExpression): void => {
    const target = builtinMember(e.callee);
    if (!target || !target.members.has(target.member)) return;
    if (e.arguments.some((a) => a.type === "SpreadElement")) return; // positions unknown
    const fn = `${target.object}.${target.member}`;
    const args = e.arguments.map((a) => knownValue(a, bindings));
    const problem = surface.callProblem(fn, args);
    const at = (i: number): number => e.arguments[i]?.start ?? (e.callee as acorn.MemberExpression).property.start;
    if (problem) return report(at(problem.argument), problem.message);
    const folder = options.workflows;
    const name = args[0];
    if (fn === "Workflow.run" && folder && typeof name === "string" && !folder.names.has(name)) {
      report(at(0), msg.unknownWorkflow(name, folder.folder, folder.stored === true, closestName(name, folder.names)));
    }
  };

  const visit = (node: acorn.Node): void => {
    switch (node.type) {
      case "AssignmentExpression":
        markTargets((node as acorn.AssignmentExpression).left);
        break;
      case "UpdateExpression":
        markTargets((node as acorn.UpdateExpression).argument);
        break;
      case "ForInStatement":
      case "ForOfStatement":
        markTargets((node as acorn.ForInStatement).left);
        break;
      case "CallExpression":
        call(node as acorn.CallExpression);
        break;
      case "MemberExpression": {
        const target = builtinMember(node);
        if (!target) break;
        const { object, member, members } = target;
        const property = (node as acorn.MemberExpression).property;
        if (written.has(node)) report(property.start, msg.assignBuiltinMember(object, member));
        else if (!members.has(member)) {
          const close = closestName(member, members);
          const hint = close !== null ? msg.didYouMean(`${object}.${close}`) : memberHint(object, member);
          report(property.start, msg.unknownMember(object, member, hint));
        }
        break;
      }
    }
    for (const child of children(node)) visit(child);
  };

  visit(program);
  return problems;
}

/** The nodes directly inside `node`, in source order. */
function children(node: acorn.Node): acorn.Node[] {
  const out: acorn.Node[] = [];
  for (const key of Object.keys(node)) {
    if (key === "loc") continue;
    const v = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) out.push(x);
    } else if (isNode(v)) out.push(v);
  }
  return out;
}

function isNode(v: unknown): v is acorn.Node {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string";
}
