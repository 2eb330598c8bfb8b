// Binding resolution, shared by the validator and the compiler: which scopes the program opens,
// which names each declares, and which binding every identifier refers to. It follows
// JavaScript's scoping exactly (function-expression names, parameter lists, bodies, blocks, loop
// heads and their dead zone, catch clauses, switch bodies), so what the validator accepts is what
// the compiler runs. It walks any tree acorn returns, rejected constructs included, and never
// reports anything: judging is the validator's job.

import type * as acorn from "acorn";
import { boundNames, hoistLexical, hoistVars, type Declarer } from "./declarations.js";

/** How a name was declared; decides whether it may be assigned. */
export type BindingKind =
  | "let"
  | "const"
  | "function"
  | "param"
  | "catch"
  // The name of a function expression, visible only inside it; read-only in strict mode.
  | "self"
  // Names declared by rejected constructs (var, class, import), kept to avoid follow-up noise.
  | "other";

/** What opens a scope. */
export type ScopeKind =
  | "program"
  | "self" // a function expression's own name
  | "params"
  | "block" // a block, including a function body
  | "for"
  | "for-head" // the dead zone `for (let x of …)` evaluates its `…` in
  | "catch"
  | "switch";

export interface Scope {
  kind: ScopeKind;
  /** The node that opens it (the loop for "for-head", the function for "self" and "params"). */
  node: acorn.Node;
  parent: Scope | null;
  /** The function (or Program) whose code runs in this scope. */
  fn: acorn.Node;
  bindings: Map<string, Binding>;
  /** Function declarations instantiated when the scope is entered, in source order (hoisting). */
  functions: acorn.FunctionDeclaration[];
}

export interface Binding {
  name: string;
  kind: BindingKind;
  /** The identifier that declares it (the first one, for a name declared more than once). */
  id: acorn.Identifier;
  scope: Scope;
  /** Starts uninitialized: `let`, `const`, and parameters of a list with defaults or patterns. */
  tdz: boolean;
  /** Referenced from a function other than the one whose code declares it. */
  captured: boolean;
}

export interface Bindings {
  /** The scope each node opens (Program, functions' parameter lists, blocks, loops, catch, switch). */
  scopes: Map<acorn.Node, Scope>;
  /** The scope holding a named function expression's own name. */
  selfScopes: Map<acorn.FunctionExpression, Scope>;
  /** The dead-zone scope of a `for (let/const … of/in …)` head. */
  headScopes: Map<acorn.ForInStatement | acorn.ForOfStatement, Scope>;
  /** Every identifier that names a binding (declarations, reads, writes) → that binding. */
  refs: Map<acorn.Identifier, Binding>;
  /** Identifiers no scope declares (globals or unknown names) → the scope they were looked up from. */
  unresolved: Map<acorn.Identifier, Scope>;
}

type AnyFunction = acorn.FunctionDeclaration | acorn.FunctionExpression | acorn.ArrowFunctionExpression;
type AnyStatement = acorn.Statement | acorn.ModuleDeclaration;
type AnyExpression = acorn.Expression | acorn.Super | acorn.PrivateIdentifier | acorn.SpreadElement;

/** Resolves every name of `program`. Recurses on the tree: call it on trees of bounded depth. */
export function resolveBindings(program: acorn.Program): Bindings {
  const out: Bindings = {
    scopes: new Map(),
    selfScopes: new Map(),
    headScopes: new Map(),
    refs: new Map(),
    unresolved: new Map(),
  };
  new Resolver(out).program(program);
  return out;
}

/** Every name visible from `scope`, innermost first (for "did you mean"). */
export function* visibleNames(scope: Scope | undefined): Generator<string> {
  for (let s = scope ?? null; s; s = s.parent) yield* s.bindings.keys();
}

class Resolver {
  private scope!: Scope;

  constructor(private readonly out: Bindings) {}

  program(p: acorn.Program): void {
    const scope = this.open("program", p, p, () => {
      hoistVars(p.body, this.declare);
      this.statementList(p.body);
    });
    this.out.scopes.set(p, scope);
  }

  private open(kind: ScopeKind, node: acorn.Node, fn: acorn.Node, walk: () => void): Scope {
    const scope: Scope = { kind, node, parent: this.scope ?? null, fn, bindings: new Map(), functions: [] };
    const outer = this.scope;
    this.scope = scope;
    try {
      walk();
    } finally {
      this.scope = outer;
    }
    return scope;
  }

  private declare: Declarer = (id, kind, tdz = kind === "let" || kind === "const") => {
    const bindings = this.scope.bindings;
    // acorn reports real redeclarations; a name declared twice (two `function f`) is one binding
    if (!bindings.has(id.name)) bindings.set(id.name, { name: id.name, kind, id, scope: this.scope, tdz, captured: false });
  };

  private reference(id: acorn.Identifier): void {
    for (let s: Scope | null = this.scope; s; s = s.parent) {
      const b = s.bindings.get(id.name);
      if (b) {
        if (s.fn !== this.scope.fn) b.captured = true;
        this.out.refs.set(id, b);
        return;
      }
    }
    this.out.unresolved.set(id, this.scope);
  }

  /** Declares a statement list's lexical names (and hoisted functions) before walking it. */
  private statementList(list: readonly AnyStatement[]): void {
    hoistLexical(list, this.declare);
    for (const s of list) {
      if (s.type === "FunctionDeclaration") this.scope.functions.push(s);
    }
    for (const s of list) this.statement(s);
  }

  private block(node: acorn.BlockStatement): void {
    this.out.scopes.set(
      node,
      this.open("block", node, this.scope.fn, () => this.statementList(node.body)),
    );
  }

  private statement(s: AnyStatement): void {
    switch (s.type) {
      case "ExpressionStatement":
        return this.expression(s.expression);
      case "BlockStatement":
        return this.block(s);
      case "IfStatement":
        this.expression(s.test);
        this.statement(s.consequent);
        if (s.alternate) this.statement(s.alternate);
        return;
      case "WhileStatement":
      case "DoWhileStatement":
        this.expression(s.test);
        return this.statement(s.body);
      case "ForStatement":
        return this.forStatement(s);
      case "ForInStatement":
      case "ForOfStatement":
        return this.forEachStatement(s);
      case "ReturnStatement":
        if (s.argument) this.expression(s.argument);
        return;
      case "ThrowStatement":
        return this.expression(s.argument);
      case "TryStatement":
        this.block(s.block);
        if (s.handler) this.catchClause(s.handler);
        if (s.finalizer) this.block(s.finalizer);
        return;
      case "SwitchStatement":
        return this.switchStatement(s);
      case "VariableDeclaration":
        return this.variableDeclaration(s);
      case "FunctionDeclaration":
        return this.fn(s);
      case "LabeledStatement":
        return this.statement(s.body);
      case "WithStatement":
        this.expression(s.object);
        return this.statement(s.body);
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
        if (!s.declaration) return;
        if (s.declaration.type === "FunctionDeclaration") return this.fn(s.declaration as acorn.FunctionDeclaration);
        if (s.declaration.type === "VariableDeclaration") return this.statement(s.declaration);
        if (s.declaration.type === "ClassDeclaration" || s.declaration.type === "ClassExpression") return;
        return this.expression(s.declaration);
      default:
        return; // empty, break/continue, debugger, class, import, export *: no names to resolve
    }
  }

  private forStatement(s: acorn.ForStatement): void {
    const scope = this.open("for", s, this.scope.fn, () => {
      if (s.init?.type === "VariableDeclaration") {
        hoistLexical([s.init], this.declare);
        this.variableDeclaration(s.init);
      } else if (s.init) this.expression(s.init);
      if (s.test) this.expression(s.test);
      if (s.update) this.expression(s.update);
      this.statement(s.body);
    });
    this.out.scopes.set(s, scope);
  }

  private forEachStatement(s: acorn.ForInStatement | acorn.ForOfStatement): void {
    const left = s.left;
    if (left.type === "VariableDeclaration" && left.kind !== "var") {
      // The head is evaluated where the loop's names exist but are not initialized (JS's TDZ
      // environment): `let x = 1; for (let x of [x]) {}` throws a ReferenceError.
      const head = this.open("for-head", s, this.scope.fn, () => {
        hoistLexical([left], this.declare);
        this.expression(s.right);
      });
      this.out.headScopes.set(s, head);
    } else this.expression(s.right);
    const scope = this.open("for", s, this.scope.fn, () => {
      if (left.type === "VariableDeclaration") {
        if (left.kind !== "var") hoistLexical([left], this.declare);
        for (const d of left.declarations) this.pattern(d.id);
      } else this.pattern(left);
      this.statement(s.body);
    });
    this.out.scopes.set(s, scope);
  }

  private catchClause(h: acorn.CatchClause): void {
    const scope = this.open("catch", h, this.scope.fn, () => {
      if (h.param) {
        for (const id of boundNames(h.param)) this.declare(id, "catch");
        this.pattern(h.param);
      }
      this.block(h.body);
    });
    this.out.scopes.set(h, scope);
  }

  private switchStatement(s: acorn.SwitchStatement): void {
    this.expression(s.discriminant);
    const scope = this.open("switch", s, this.scope.fn, () => {
      const all = s.cases.flatMap((c) => c.consequent);
      hoistLexical(all, this.declare);
      for (const x of all) if (x.type === "FunctionDeclaration") this.scope.functions.push(x);
      for (const c of s.cases) {
        if (c.test) this.expression(c.test);
        for (const x of c.consequent) this.statement(x);
      }
    });
    this.out.scopes.set(s, scope);
  }

  private variableDeclaration(s: acorn.VariableDeclaration): void {
    for (const d of s.declarations) {
      this.pattern(d.id);
      if (d.init) this.expression(d.init);
    }
  }

  private fn(f: AnyFunction): void {
    const inner = (): void => {
      // With defaults or patterns, parameters are initialized in order and have a dead zone
      // (`function f(a = b, b)` throws), as in JavaScript.
      const simple = f.params.every((p) => p.type === "Identifier");
      const params = this.open("params", f, f, () => {
        for (const p of f.params) for (const id of boundNames(p)) this.declare(id, "param", !simple);
        for (const p of f.params) this.pattern(p);
        // The body is a scope of its own, so defaults cannot see its declarations.
        const body = f.body;
        if (body.type !== "BlockStatement") return this.expression(body);
        const scope = this.open("block", body, f, () => {
          hoistVars(body.body, this.declare);
          this.statementList(body.body);
        });
        this.out.scopes.set(body, scope);
      });
      this.out.scopes.set(f, params);
    };
    if (f.type === "FunctionExpression" && f.id) {
      const id = f.id;
      const self = this.open("self", f, f, () => {
        this.declare(id, "self");
        this.reference(id);
        inner();
      });
      this.out.selfScopes.set(f, self);
    } else inner();
  }

  /** A binding or assignment target: its names are references, defaults and keys expressions. */
  private pattern(p: acorn.Pattern): void {
    switch (p.type) {
      case "Identifier":
        return this.reference(p);
      case "MemberExpression":
        return this.expression(p);
      case "ObjectPattern":
        for (const prop of p.properties) {
          if (prop.type === "RestElement") this.pattern(prop.argument);
          else {
            if (prop.computed) this.expression(prop.key);
            this.pattern(prop.value);
          }
        }
        return;
      case "ArrayPattern":
        for (const e of p.elements) if (e) this.pattern(e);
        return;
      case "RestElement":
        return this.pattern(p.argument);
      case "AssignmentPattern":
        this.pattern(p.left);
        return this.expression(p.right);
      default:
        // `a?.b = 1` (acorn reports it): still resolve what it reads
        return this.expression(p as unknown as acorn.Expression);
    }
  }

  private expression(e: AnyExpression): void {
    switch (e.type) {
      case "Identifier":
        return this.reference(e);
      case "TemplateLiteral":
        return e.expressions.forEach((x) => this.expression(x));
      case "TaggedTemplateExpression":
        this.expression(e.tag);
        return e.quasi.expressions.forEach((x) => this.expression(x));
      case "ArrayExpression":
        for (const x of e.elements) if (x) this.expression(x);
        return;
      case "ObjectExpression":
        for (const p of e.properties) {
          if (p.type === "SpreadElement") this.expression(p.argument);
          else {
            if (p.computed) this.expression(p.key);
            this.expression(p.value as acorn.Expression);
          }
        }
        return;
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        return this.fn(e);
      case "UnaryExpression":
      case "UpdateExpression":
      case "AwaitExpression":
      case "SpreadElement":
        return this.expression(e.argument);
      case "YieldExpression":
        if (e.argument) this.expression(e.argument);
        return;
      case "BinaryExpression":
      case "LogicalExpression":
        this.expression(e.left);
        return this.expression(e.right);
      case "AssignmentExpression":
        this.pattern(e.left);
        return this.expression(e.right);
      case "ConditionalExpression":
        this.expression(e.test);
        this.expression(e.consequent);
        return this.expression(e.alternate);
      case "CallExpression":
      case "NewExpression":
        this.expression(e.callee);
        return e.arguments.forEach((a) => this.expression(a));
      case "MemberExpression":
        this.expression(e.object);
        if (e.computed) this.expression(e.property);
        return;
      case "ChainExpression":
      case "ParenthesizedExpression":
        return this.expression(e.expression);
      case "SequenceExpression":
        return e.expressions.forEach((x) => this.expression(x));
      case "ImportExpression":
        this.expression(e.source);
        if (e.options) this.expression(e.options);
        return;
      default:
        return; // literals, this, super, meta properties, classes: no names to resolve
    }
  }
}
