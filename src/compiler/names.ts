// Names the compiler reads off the tree: a property's static key, and the name a function gets
// from what it is assigned to (JavaScript's NamedEvaluation).

import type * as es from "acorn";

/** The static name of a non-computed property key. */
export function propertyName(key: es.Expression | es.PrivateIdentifier): string {
  if (key.type === "Identifier") return key.name;
  if (key.type === "Literal") return String(key.value);
  throw new Error(`compiler: unexpected property key ${key.type}`);
}

/** The name a function gets from what it is assigned to (`const f = () => …` is named "f"). */
export function inferName(target: es.Pattern | es.Expression): string {
  return target.type === "Identifier" ? target.name : "";
}

/**
 * Whether JavaScript names the value of `e` after its target (IsAnonymousFunctionDefinition):
 * an arrow or a function expression without a name, possibly in parentheses. A conditional or
 * a call does not pass the name on (`const f = c ? () => 1 : g` leaves the arrow unnamed).
 */
export function isAnonymousFunction(e: es.Node): boolean {
  if (e.type === "ParenthesizedExpression") return isAnonymousFunction((e as es.ParenthesizedExpression).expression);
  return e.type === "ArrowFunctionExpression" || (e.type === "FunctionExpression" && !(e as es.FunctionExpression).id);
}
