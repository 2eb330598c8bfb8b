// Rewords acorn's error messages in the loader's style, and decides which of them to drop because
// the validator reports the same construct with a better message (and the alternative). Also
// lists the acorn errors after which parsing can safely go on, so one load reports them all.

import { msg } from "./messages.js";

/** Messages acorn raises as fatal although the tree it builds afterwards is sound. */
const CONTINUABLE = new Set([
  "Await expression cannot be a default value",
  "Yield expression cannot be a default value",
  "'with' in strict mode",
  "'import' and 'export' may only appear at the top level",
  "'super' keyword outside a method",
  "super() call outside constructor of a subclass",
  "Unsyntactic break",
  "Unsyntactic continue",
  "Invalid regular expression flag",
  "Duplicate regular expression flag",
  "Await using cannot appear outside of async function",
  "Using declaration cannot appear in the top level when source type is `script` or in the bare case statement",
]);

/** Acorn messages about constructs the validator rejects anyway, with its own wording. */
const COVERED_BY_VALIDATOR = [
  /^Await expression cannot be a default value$/,
  /^Yield expression cannot be a default value$/,
  /^'with' in strict mode$/,
  /^'import' and 'export' may only appear at the top level$/,
  /^'super' keyword outside a method$/,
  /^super\(\) call outside constructor of a subclass$/,
  /^Invalid regular expression/,
  /^Duplicate regular expression flag$/,
  /^Deleting local variable in strict mode$/,
  /^Private fields can not be deleted$/,
  /^'new.target' can only be used/,
  /^Redefinition of __proto__ property$/,
  /^Assigning to (eval|arguments) in strict mode$/,
  /^Label '.*' is already declared$/,
  /^Export '.*' is not defined$/,
  /^Duplicate export '.*'$/,
  /^Await using cannot appear/,
  /^Using declaration cannot appear/,
];

/** True when parsing can go on after acorn raised `message`. */
export function isContinuable(message: string): boolean {
  return CONTINUABLE.has(message);
}

/** The token acorn was looking at, to name it in "unexpected token" messages. */
export interface CurrentToken {
  start: number;
  end: number;
  eof: boolean;
}

/**
 * Our wording for an acorn message raised at `pos`, or null when the validator reports the same
 * construct itself.
 */
export function translateAcornMessage(input: string, pos: number, message: string, token: CurrentToken): string | null {
  if (COVERED_BY_VALIDATOR.some((re) => re.test(message))) return null;
  // acorn catches its own stack overflow on very deep nesting and raises this
  if (message === "Not enough stack space to parse input") return msg.tooDeep();
  let m: RegExpMatchArray | null;
  if ((m = /^Identifier '(.+)' has already been declared$/.exec(message))) return msg.duplicate(m[1]);
  if (message === "Argument name clash") return msg.duplicateParam(wordAt(input, pos));
  if ((m = /^The keyword '(.+)' is reserved$/.exec(message))) return msg.reserved(m[1]);
  if ((m = /^(?:Binding|Assigning to) (.+) in strict mode$/.exec(message))) return msg.reserved(m[1]);
  if (/^Cannot use (keyword )?'await'/.test(message)) return msg.reserved("await");
  if (/^Cannot use 'yield' as identifier/.test(message)) return msg.reserved("yield");
  if (message === "let is disallowed as a lexically bound name") return msg.reserved("let");
  if (message === "Unsyntactic break" || message === "Unsyntactic continue") {
    // A labeled jump is reported by the validator (labels are not supported at all).
    if (/^(break|continue)[ \t]+[A-Za-z_$]/.test(input.slice(pos))) return null;
    return message.endsWith("break") ? msg.breakOutside() : msg.continueOutside();
  }
  if (message === "Invalid number" && /^0[0-9]/.test(input.slice(pos))) {
    return msg.legacyOctal(/^[0-9]+/.exec(input.slice(pos))![0]);
  }
  if (message === "Unexpected token") {
    if (pos === token.start) {
      return token.eof ? msg.unexpectedEnd() : msg.unexpectedToken(input.slice(token.start, token.end));
    }
    return pos >= input.length ? msg.unexpectedEnd() : msg.unexpectedToken(wordAt(input, pos));
  }
  return restyle(message);
}

/** Lower-case start and backticks instead of acorn's single quotes. */
function restyle(message: string): string {
  const text = message.replace(/'([^']+)'/g, "`$1`");
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function wordAt(input: string, pos: number): string {
  const m = /^(?:[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*|\S)/u.exec(input.slice(pos));
  return m ? m[0] : "";
}
