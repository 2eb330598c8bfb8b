// The validator's scope tracker: which names are declared where, and how (a `const` cannot be
// assigned). Scopes are function parameter lists, bodies, blocks, `for` heads, catch clauses and
// switch bodies; declarations are registered for the whole scope before it is walked.

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

export interface Binding {
  name: string;
  kind: BindingKind;
  /** `line:col` of the declaring identifier, for messages. */
  at: string;
}

export class Scope {
  private readonly bindings = new Map<string, Binding>();

  constructor(
    readonly parent: Scope | null,
    /** True for the scope holding a function's (or the program's) `var` declarations. */
    readonly isFunction: boolean,
  ) {}

  /** Declares `name` unless this scope already has it (acorn reports the duplicate). */
  declare(name: string, kind: BindingKind, at: string): void {
    if (!this.bindings.has(name)) this.bindings.set(name, { name, kind, at });
  }

  lookup(name: string): Binding | null {
    for (let s: Scope | null = this; s; s = s.parent) {
      const b = s.bindings.get(name);
      if (b) return b;
    }
    return null;
  }

  /** The nearest scope that holds `var` declarations. */
  functionScope(): Scope {
    let s: Scope = this;
    while (!s.isFunction && s.parent) s = s.parent;
    return s;
  }

  /** Every visible name, innermost first (for "did you mean"). */
  *visibleNames(): Generator<string> {
    for (let s: Scope | null = this; s; s = s.parent) yield* s.bindings.keys();
  }
}
