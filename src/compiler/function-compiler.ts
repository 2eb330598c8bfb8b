// Per-function code emission: the instruction buffer, labels, registers, the position table,
// and the compile-time picture of environments and enclosing control structures that variable
// access and `break`/`continue`/`return` need. Statements and expressions live in their own files.

import type * as es from "acorn";
import type { Binding, Bindings, Scope } from "../lang/index.js";
import { stringProblem } from "../shared/json-check.js";
import { DebugRecorder } from "./debug-table.js";
import { Op } from "./opcodes.js";
import type { FunctionInfo } from "./program.js";

export interface Label {
  pos: number;
  refs: number[];
}

/** What a jump out of a construct must undo on its way, innermost last. */
export type Control =
  | { kind: "loop"; breakLabel: Label; continueLabel: Label }
  | { kind: "switch"; breakLabel: Label }
  | { kind: "env" }
  | { kind: "try" }
  | { kind: "finally"; body: es.BlockStatement };

type AnyFunction = es.FunctionDeclaration | es.FunctionExpression | es.ArrowFunctionExpression;
type Expr = es.Expression | es.SpreadElement | es.Super | es.PrivateIdentifier;

/**
 * The compiler's mutually recursive parts (expressions contain functions and patterns, functions
 * contain statements, …), handed to each file through the builder instead of imported, so the
 * files import one another in one direction only. `compile.ts` fills it in.
 */
export interface CompilerParts {
  expression(c: FunctionCompiler, e: Expr, nameHint?: string): void;
  pattern(c: FunctionCompiler, p: es.Pattern, mode: "init" | "assign", source?: es.Node): void;
  /** Compiles a nested function and returns its index in the program. */
  fn(c: FunctionCompiler, f: AnyFunction, inferredName: string): number;
  /** Instantiates a hoisted function declaration at the start of the scope that declares it. */
  hoist(c: FunctionCompiler, f: es.FunctionDeclaration, scope: Scope): void;
}

export interface ProgramBuilder {
  file: string;
  source: string;
  bindings: Bindings;
  /** Register index of each binding, or its slot in its scope's environment when captured. */
  slots: Map<Binding, number>;
  functions: FunctionInfo[];
  parts: CompilerParts;
}

export class FunctionCompiler {
  readonly code: number[] = [];
  readonly constants: (string | number)[] = [];
  private readonly constIndex = new Map<string | number, number>();
  readonly positions: number[] = [];
  locals = 0;
  private freeTemps: number[] = [];
  /** Env-bearing scopes visible at this point, outermost first (includes enclosing functions'). */
  envChain: Scope[];
  control: Control[] = [];
  /** Label the innermost optional chain short-circuits to. */
  chainEnd: Label | null = null;
  /** This function's index in the program. */
  index = 0;
  /** Where it was created: the enclosing function and its innermost named scope there. */
  outer: [number, number] | null = null;
  /** Which named bindings the code sees where (the debug table). */
  readonly debug = new DebugRecorder();

  constructor(
    readonly builder: ProgramBuilder,
    readonly node: es.Node,
    outerEnvChain: Scope[],
  ) {
    this.envChain = [...outerEnvChain];
  }

  // ── emission ────────────────────────────────────────────────────────────────────────────────

  emit(op: Op, ...operands: number[]): void {
    this.code.push(op, ...operands);
  }

  constant(v: string | number): number {
    let i = this.constIndex.get(v);
    if (i === undefined) {
      i = this.constants.length;
      this.constants.push(v);
      this.constIndex.set(v, i);
    }
    return i;
  }

  /** Records that the code emitted next comes from `node` (for error positions). */
  at(node: es.Node): void {
    const loc = node.loc!.start;
    const p = this.positions;
    const n = p.length;
    if (n && p[n - 2] === loc.line && p[n - 1] === loc.column + 1) return;
    if (n && p[n - 3] === this.code.length) p.length = n - 3;
    p.push(this.code.length, loc.line, loc.column + 1);
  }

  label(): Label {
    return { pos: -1, refs: [] };
  }

  /** Emits a jump-like instruction whose last operand is `target`. */
  jump(op: Op, target: Label): void {
    this.code.push(op, 0);
    const at = this.code.length - 1;
    if (target.pos >= 0) this.code[at] = target.pos;
    else target.refs.push(at);
  }

  place(l: Label): void {
    l.pos = this.code.length;
    for (const r of l.refs) this.code[r] = l.pos;
    l.refs.length = 0;
  }

  temp(): number {
    return this.freeTemps.pop() ?? this.locals++;
  }

  release(t: number): void {
    this.freeTemps.push(t);
  }

  /** The source text of a node, shortened, for error messages such as "x.y is not a function". */
  sourceText(node: es.Node): string {
    const text = this.builder.source.slice(node.start, node.end).replace(/\s+/g, " ");
    return text.length > 60 ? text.slice(0, 57) + "..." : text;
  }

  // ── scopes and bindings ─────────────────────────────────────────────────────────────────────

  scopeOf(node: es.Node): Scope | undefined {
    return this.builder.bindings.scopes.get(node);
  }

  /**
   * Enters a scope: gives its bindings registers or env slots, pushes an environment when some
   * binding is captured, puts registers of bindings with a dead zone into it, and instantiates
   * hoisted function declarations. Returns whether an environment was pushed.
   */
  enterScope(scope: Scope): boolean {
    const slots = this.builder.slots;
    let envSize = 0;
    for (const b of scope.bindings.values()) slots.set(b, b.captured ? envSize++ : this.locals++);
    const hasEnv = envSize > 0;
    if (hasEnv) {
      this.emit(Op.PushEnv, envSize);
      this.envChain.push(scope);
      this.control.push({ kind: "env" });
    }
    this.debug.enter(scope, slots, this.code.length);
    for (const b of scope.bindings.values()) {
      if (!b.captured && b.tdz) this.emit(Op.ClearLocal, slots.get(b)!);
    }
    for (const f of scope.functions) this.builder.parts.hoist(this, f, scope);
    return hasEnv;
  }

  /** Leaves a scope `enterScope` entered (nothing when `scope` is undefined: none was). */
  exitScope(scope: Scope | undefined, hasEnv: boolean): void {
    if (scope) this.debug.exit(this.code.length);
    if (!hasEnv) return;
    this.emit(Op.PopEnv);
    this.envChain.pop();
    this.control.pop();
  }

  binding(id: es.Identifier): Binding | undefined {
    return this.builder.bindings.refs.get(id);
  }

  private slot(b: Binding): number {
    const slot = this.builder.slots.get(b);
    if (slot === undefined) throw new Error(`compiler: binding ${b.name} used outside its scope`);
    return slot;
  }

  private envDepth(b: Binding): number {
    const i = this.envChain.lastIndexOf(b.scope);
    if (i < 0) throw new Error(`compiler: binding ${b.name} has no environment in scope`);
    return this.envChain.length - 1 - i;
  }

  /** Whether a reference must check the temporal dead zone (see `needsCheck`). */
  private needsTdzCheck(b: Binding, ref: es.Node | null): boolean {
    if (!b.tdz) return false;
    // a loop head's dead-zone bindings are never initialized
    if (b.captured || ref === null || b.scope.kind === "for-head") return true;
    // A register read placed after its declaration in the same function can only be in the dead
    // zone when control can jump back over the declaration: loops re-enter the block (and clear
    // it again), so only `switch`, whose cases share one scope, needs the check.
    const decl = declarationEnd(b);
    return b.scope.kind === "switch" || decl === null || ref.start < decl;
  }

  load(b: Binding, ref: es.Node | null): void {
    const check = this.needsTdzCheck(b, ref);
    if (b.captured) {
      const depth = this.envDepth(b);
      if (check) this.emit(Op.LoadEnvChecked, depth, this.slot(b), this.constant(b.name));
      else this.emit(Op.LoadEnv, depth, this.slot(b));
    } else if (check) this.emit(Op.LoadLocalChecked, this.slot(b), this.constant(b.name));
    else this.emit(Op.LoadLocal, this.slot(b));
  }

  /** Stores the top of stack into `b`. `init` marks a declaration (no dead-zone check). */
  store(b: Binding, ref: es.Node | null, init: boolean): void {
    const check = !init && this.needsTdzCheck(b, ref);
    if (b.captured) {
      const depth = this.envDepth(b);
      if (check) this.emit(Op.StoreEnvChecked, depth, this.slot(b), this.constant(b.name));
      else this.emit(Op.StoreEnv, depth, this.slot(b));
    } else if (check) this.emit(Op.StoreLocalChecked, this.slot(b), this.constant(b.name));
    else this.emit(Op.StoreLocal, this.slot(b));
  }

  finish(name: string, isAsync: boolean, length: number): FunctionInfo {
    // The program is stored as JSON in Postgres: constants it cannot carry travel as text.
    const special: [number, "n" | "s", string][] = [];
    const constants = this.constants.map((v, i) => {
      if (typeof v === "number") {
        if (Number.isFinite(v)) return v;
        special.push([i, "n", String(v)]);
        return 0;
      }
      if (stringProblem(v) === null) return v;
      special.push([i, "s", JSON.stringify(v)]);
      return "";
    });
    return {
      name,
      isAsync,
      length,
      locals: this.locals,
      code: this.code,
      constants,
      ...(special.length > 0 ? { special } : {}),
      positions: this.positions,
      debug: this.debug.table(this.outer),
    };
  }
}

const declEnds = new WeakMap<Binding, number | null>();

/** End offset of the declarator that initializes a let/const binding. */
function declarationEnd(b: Binding): number | null {
  if (declEnds.has(b)) return declEnds.get(b)!;
  let end: number | null = null;
  const visit = (node: es.Node): void => {
    if (end !== null) return;
    if (node.type === "VariableDeclaration") {
      for (const d of (node as es.VariableDeclaration).declarations) {
        if (containsName(d.id, b.name)) end = d.end;
      }
    }
  };
  const scopeNode = b.scope.node as es.Node & { body?: unknown; init?: es.Node; left?: es.Node };
  if (scopeNode.type === "ForStatement" && scopeNode.init) visit(scopeNode.init);
  else if ((scopeNode.type === "ForOfStatement" || scopeNode.type === "ForInStatement") && scopeNode.left) {
    // the loop variable is bound before the body runs on every iteration
    end = scopeNode.left.end;
  } else {
    const body = (scopeNode as { body?: unknown }).body;
    const list = Array.isArray(body) ? body : ((body as { body?: unknown })?.body as unknown);
    if (Array.isArray(list)) for (const s of list as es.Node[]) visit(s);
  }
  declEnds.set(b, end);
  return end;
}

function containsName(p: es.Pattern, name: string): boolean {
  switch (p.type) {
    case "Identifier":
      return p.name === name;
    case "ObjectPattern":
      return p.properties.some((q) => containsName(q.type === "RestElement" ? q.argument : q.value, name));
    case "ArrayPattern":
      return p.elements.some((e) => e !== null && containsName(e, name));
    case "RestElement":
      return containsName(p.argument, name);
    case "AssignmentPattern":
      return containsName(p.left, name);
    default:
      return false;
  }
}
