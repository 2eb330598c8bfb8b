// Finds the names a statement list declares, so binding resolution can register them for the
// whole scope before walking it (let/const are visible in their whole block, functions are
// hoisted, rejected `var`s go to the function so their uses do not also read as unknown names).

import type * as acorn from "acorn";
import type { BindingKind } from "./bindings.js";

/** Declares `id` in the scope being filled; `tdz` when it starts uninitialized. */
export type Declarer = (id: acorn.Identifier, kind: BindingKind, tdz?: boolean) => void;

/** The identifiers a binding pattern declares. */
export function boundNames(pattern: acorn.Pattern, out: acorn.Identifier[] = []): acorn.Identifier[] {
  switch (pattern.type) {
    case "Identifier":
      out.push(pattern);
      break;
    case "ObjectPattern":
      for (const p of pattern.properties) {
        boundNames(p.type === "RestElement" ? p.argument : (p.value as acorn.Pattern), out);
      }
      break;
    case "ArrayPattern":
      for (const e of pattern.elements) if (e) boundNames(e, out);
      break;
    case "RestElement":
      boundNames(pattern.argument, out);
      break;
    case "AssignmentPattern":
      boundNames(pattern.left, out);
      break;
    case "MemberExpression":
      break;
  }
  return out;
}

type TopStatement = acorn.Statement | acorn.ModuleDeclaration;

/** Registers the lexical declarations (let, const, functions, …) made directly in `list`. */
export function hoistLexical(list: readonly TopStatement[], declare: Declarer): void {
  for (const s of list) {
    switch (s.type) {
      case "VariableDeclaration":
        if (s.kind === "var") break;
        for (const d of s.declarations) {
          for (const id of boundNames(d.id)) declare(id, s.kind === "let" ? "let" : "const");
        }
        break;
      case "FunctionDeclaration":
        declare(s.id, "function");
        break;
      case "ClassDeclaration":
        declare(s.id, "other");
        break;
      case "ImportDeclaration":
        for (const spec of s.specifiers) declare(spec.local, "other");
        break;
      case "ExportNamedDeclaration":
        if (s.declaration) hoistLexical([s.declaration], declare);
        break;
      case "ExportDefaultDeclaration":
        if ((s.declaration.type === "FunctionDeclaration" || s.declaration.type === "ClassDeclaration") && s.declaration.id) {
          declare(s.declaration.id, s.declaration.type === "FunctionDeclaration" ? "function" : "other");
        }
        break;
      default:
        break;
    }
  }
}

/** Registers every `var` in a function body (not in nested functions) with `declare`. */
export function hoistVars(list: readonly TopStatement[], declare: Declarer): void {
  const visit = (s: TopStatement | null | undefined): void => {
    if (!s) return;
    switch (s.type) {
      case "VariableDeclaration":
        if (s.kind === "var") {
          for (const d of s.declarations) for (const id of boundNames(d.id)) declare(id, "other");
        }
        break;
      case "BlockStatement":
        s.body.forEach(visit);
        break;
      case "IfStatement":
        visit(s.consequent);
        visit(s.alternate);
        break;
      case "ForStatement":
        if (s.init?.type === "VariableDeclaration") visit(s.init);
        visit(s.body);
        break;
      case "ForInStatement":
      case "ForOfStatement":
        if (s.left.type === "VariableDeclaration") visit(s.left);
        visit(s.body);
        break;
      case "WhileStatement":
      case "DoWhileStatement":
      case "LabeledStatement":
      case "WithStatement":
        visit(s.body);
        break;
      case "TryStatement":
        visit(s.block);
        visit(s.handler?.body);
        visit(s.finalizer);
        break;
      case "SwitchStatement":
        for (const c of s.cases) c.consequent.forEach(visit);
        break;
      case "ExportNamedDeclaration":
        if (s.declaration) visit(s.declaration);
        break;
      default:
        break;
    }
  };
  list.forEach(visit);
}
