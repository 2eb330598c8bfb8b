// String.prototype.replace and replaceAll with string patterns (there are no regexes in .flow).
// Written out rather than delegated so a function replacer can run through ctx.call and so the
// result length is checked while it is built: "$`" and "$'" can make a replacement as long as
// the whole input, per match.

import { isCallable, type NativeContext, type NativeImpl, type Value } from "../values.js";
import { toStr } from "../coerce.js";
import { thisString } from "./string-methods.js";
import { guardStringLength, type SizeLimit } from "./size-guard.js";
import { costChars, costString } from "./cost.js";

/** Instructions charged per match of replaceAll. */
const MATCH_WORK = 8;

/** GetSubstitution for a string pattern: no capture groups, so `$1` and `$<x>` stay as written. */
export function getSubstitution(matched: string, str: string, position: number, replacement: string, limit?: SizeLimit): string {
  if (!replacement.includes("$")) return replacement;
  let result = "";
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i];
    if (ch !== "$" || i + 1 >= replacement.length) {
      result += ch;
      continue;
    }
    const next = replacement[i + 1];
    if (next === "$") result += "$";
    else if (next === "&") result += matched;
    else if (next === "`") result += str.slice(0, position);
    else if (next === "'") result += str.slice(Math.min(position + matched.length, str.length));
    else {
      result += "$";
      continue; // `$` followed by anything else is literal, and the next character is kept too
    }
    i++;
    guardStringLength(limit, result.length);
  }
  return result;
}

/** StringIndexOf: unlike host indexOf, a start past the end finds nothing (even for ""). */
function stringIndexOf(s: string, search: string, from: number): number {
  if (from > s.length) return -1;
  return s.indexOf(search, from);
}

function replaceOne(ctx: NativeContext, thisValue: Value, args: Value[]): string {
  const s = thisString(thisValue, "replace");
  const search = toStr(args[0], ctx);
  const fn = isCallable(args[1]) ? args[1] : undefined;
  const template = fn === undefined ? toStr(args[1], ctx) : "";
  const position = stringIndexOf(s, search, 0);
  costChars(ctx, position === -1 ? s.length : position + search.length);
  if (position === -1) return s;
  const replacement =
    fn === undefined
      ? getSubstitution(search, s, position, template, ctx)
      : toStr(ctx.call(fn, undefined, [search, position, s]), ctx);
  guardStringLength(ctx, s.length - search.length + replacement.length);
  costString(ctx, s.length - search.length + replacement.length);
  return s.slice(0, position) + replacement + s.slice(position + search.length);
}

function replaceAll(ctx: NativeContext, thisValue: Value, args: Value[]): string {
  const s = thisString(thisValue, "replaceAll");
  const search = toStr(args[0], ctx);
  const fn = isCallable(args[1]) ? args[1] : undefined;
  const template = fn === undefined ? toStr(args[1], ctx) : "";
  const advanceBy = Math.max(1, search.length);
  costChars(ctx, s.length);
  // every match position is found before the replacer runs, as the spec says
  const positions: number[] = [];
  for (let p = stringIndexOf(s, search, 0); p !== -1; p = stringIndexOf(s, search, p + advanceBy)) positions.push(p);
  // each match costs a substitution, two slices and its parts (measured ~1 µs: ~16 instructions)
  ctx.spend(positions.length * MATCH_WORK, positions.length * 48);
  const parts: string[] = [];
  let size = 0;
  let endOfLastMatch = 0;
  for (const p of positions) {
    const replacement =
      fn === undefined ? getSubstitution(search, s, p, template, ctx) : toStr(ctx.call(fn, undefined, [search, p, s]), ctx);
    size += p - endOfLastMatch + replacement.length;
    guardStringLength(ctx, size + s.length - p - search.length);
    costString(ctx, p - endOfLastMatch + replacement.length);
    parts.push(s.slice(endOfLastMatch, p), replacement);
    endOfLastMatch = p + search.length;
  }
  if (endOfLastMatch < s.length) parts.push(s.slice(endOfLastMatch));
  costString(ctx, s.length - endOfLastMatch);
  return parts.join("");
}

export const stringReplaceNatives: Record<string, NativeImpl> = {
  "String.prototype.replace": replaceOne,
  "String.prototype.replaceAll": replaceAll,
};
