// What an expression's value is before running, as far as its text says: literals, negated
// numbers, `undefined`, and arrays and objects built of those. Anything else (a variable, a call,
// a spread) is UNKNOWN, and the checks that use these values skip it.

import type * as acorn from "acorn";
import type { Bindings } from "./bindings.js";

/** A value not known before running. */
export const UNKNOWN: unique symbol = Symbol("unknown before running");

/**
 * A value as the source gives it: JSON-like data (objects have no prototype, like .flow
 * objects), `undefined`, or UNKNOWN anywhere inside.
 */
export type KnownValue =
  typeof UNKNOWN | undefined | null | boolean | number | string | KnownValue[] | { [key: string]: KnownValue };

type AnyExpression = acorn.Expression | acorn.SpreadElement | acorn.Super | acorn.PrivateIdentifier;

/** The value `e` has when it runs, or UNKNOWN. */
export function knownValue(e: AnyExpression, bindings: Bindings): KnownValue {
  switch (e.type) {
    case "Literal":
      if (e.regex || e.bigint !== undefined) return UNKNOWN;
      return e.value as string | number | boolean | null;
    case "TemplateLiteral":
      return e.expressions.length === 0 ? (e.quasis[0].value.cooked ?? UNKNOWN) : UNKNOWN;
    case "UnaryExpression": {
      if (e.operator !== "-" && e.operator !== "+") return UNKNOWN;
      const v = knownValue(e.argument, bindings);
      return typeof v === "number" ? (e.operator === "-" ? -v : v) : UNKNOWN;
    }
    case "Identifier":
      // the globals, unless a local declaration shadows them
      if (!bindings.unresolved.has(e)) return UNKNOWN;
      if (e.name === "undefined") return undefined;
      if (e.name === "NaN") return NaN;
      if (e.name === "Infinity") return Infinity;
      return UNKNOWN;
    case "ParenthesizedExpression":
      return knownValue(e.expression, bindings);
    case "ArrayExpression": {
      const out: KnownValue[] = [];
      for (const el of e.elements) {
        if (el === null || el.type === "SpreadElement") return UNKNOWN;
        out.push(knownValue(el, bindings));
      }
      return out;
    }
    case "ObjectExpression": {
      const out = Object.create(null) as { [key: string]: KnownValue };
      for (const p of e.properties) {
        if (p.type === "SpreadElement" || p.kind !== "init" || p.method) return UNKNOWN;
        const key = staticKey(p);
        if (key === null) return UNKNOWN;
        out[key] = knownValue(p.value as acorn.Expression, bindings);
      }
      return out;
    }
    default:
      return UNKNOWN;
  }
}

/** A property's key when the source gives it (`a`, `"a"`, `1`, `["a"]`), else null. */
export function staticKey(p: acorn.Property | acorn.MemberExpression): string | null {
  const key = p.type === "Property" ? p.key : p.property;
  if (!p.computed) {
    if (key.type === "Identifier") return key.name;
    if (key.type === "Literal" && (typeof key.value === "string" || typeof key.value === "number")) return String(key.value);
    return null;
  }
  if (key.type === "Literal" && typeof key.value === "string") return key.value;
  if (key.type === "TemplateLiteral" && key.expressions.length === 0) return key.quasis[0].value.cooked ?? null;
  return null;
}
