// Parses .flow code with acorn as a strict-mode module body (top-level `await` and `return`
// allowed), collecting every error acorn can continue after instead of stopping at the first,
// and unwraps the optional `async function main() { … }` around the whole file (SPEC §2).

import * as acorn from "acorn";
import { isContinuable, translateAcornMessage } from "./acorn-messages.js";
import type { Problem } from "./errors.js";
import { lineInfo } from "./lines.js";
import { msg } from "./messages.js";

/** The statements to run (as a Program node) and the problems found while parsing. */
export interface ParseResult {
  /** Null when acorn stopped at an error it cannot continue after. */
  program: acorn.Program | null;
  problems: Problem[];
}

const OPTIONS: acorn.Options = {
  ecmaVersion: "latest",
  // Module code is strict, like the workflow body; import/export are then rejected by the validator.
  sourceType: "module",
  allowReturnOutsideFunction: true,
  allowHashBang: true,
  locations: true,
};

interface RawProblem {
  pos: number;
  message: string;
}

/** The parser state the hooks below read; acorn's typings do not expose it. */
interface ParserState {
  input: string;
  start: number;
  end: number;
  type: acorn.TokenType;
  problems: RawProblem[];
}

/** Thrown to stop acorn at an error it cannot recover from; null when already recorded. */
class FatalParseError {
  constructor(readonly problem: RawProblem | null) {}
}

type AnyConstructor = new (...args: never[]) => object;

/** acorn's flag of the outermost scope (not exported by its typings). */
const SCOPE_TOP = 1;

/** acorn's per-scope record of declared names. */
interface AcornScope {
  var: string[];
  lexical: string[];
  functions: string[];
}

/** An array of names whose indexOf(name) is a map lookup (acorn only pushes and searches). */
class NameList extends Array<string> {
  private readonly first = new Map<string, number>();
  override push(...names: string[]): number {
    for (const name of names) {
      if (!this.first.has(name)) this.first.set(name, this.length);
      super.push(name);
    }
    return this.length;
  }
  override indexOf(name: string, fromIndex?: number): number {
    if (fromIndex !== undefined) return super.indexOf(name, fromIndex);
    return this.first.get(name) ?? -1;
  }
}

function flowPlugin(Base: typeof acorn.Parser): typeof acorn.Parser {
  return class FlowParser extends (Base as unknown as AnyConstructor) {
    // `await` is parsed as an AwaitExpression everywhere, and `yield` as a YieldExpression, so
    // that the validator can name the misuse precisely instead of acorn failing on the next token.
    get canAwait(): boolean {
      return true;
    }
    get inGenerator(): boolean {
      return true;
    }
    // acorn keeps each scope's declared names in arrays and searches them with indexOf, so a file
    // declaring n names in one scope took O(n²) (a 5 MB file: over 30 s). Same lists, indexed.
    enterScope(this: { scopeStack: AcornScope[] }, flags: number): void {
      (Base.prototype as unknown as { enterScope(flags: number): void }).enterScope.call(this, flags);
      const scope = this.scopeStack[this.scopeStack.length - 1];
      scope.var = new NameList();
      scope.lexical = new NameList();
      scope.functions = new NameList();
    }
    // The file is parsed as a module but is the body of an async function, where function
    // declarations at the top level behave like `var`s: declaring one twice is legal (the last
    // wins), as inside any function body. In blocks they stay lexical, as strict JS wants.
    treatFunctionsAsVarInScope(scope: { flags: number }): boolean {
      const base = (Base.prototype as unknown as { treatFunctionsAsVarInScope(s: { flags: number }): boolean })
        .treatFunctionsAsVarInScope;
      return Boolean(base.call(this, scope)) || (scope.flags & SCOPE_TOP) !== 0;
    }
    raiseRecoverable(this: ParserState, pos: number, message: string): void {
      record(this, pos, message);
    }
    raise(this: ParserState, pos: number, message: string): void {
      if (isContinuable(message)) return record(this, pos, message);
      const last = this.problems[this.problems.length - 1];
      // `if (c) let x = 1`: acorn takes `let` for a (reserved) identifier and then trips on `x`.
      if (
        message === "Unexpected token" &&
        last?.message === msg.reserved("let") &&
        /^let\s+$/.test(this.input.slice(last.pos, pos))
      ) {
        this.problems.pop();
        throw new FatalParseError({
          pos: last.pos,
          message: msg.letNotAllowed(),
        });
      }
      // A recoverable error at this very spot already explains why acorn cannot go on.
      if (last?.pos === pos) throw new FatalParseError(null);
      const text = translate(this, pos, message);
      throw new FatalParseError({ pos, message: text ?? message });
    }
  } as unknown as typeof acorn.Parser;
}

function translate(p: ParserState, pos: number, message: string): string | null {
  const token = {
    start: p.start,
    end: p.end,
    eof: p.type === acorn.tokTypes.eof,
  };
  return translateAcornMessage(p.input, pos, message, token);
}

function record(p: ParserState, pos: number, message: string): void {
  const text = translate(p, pos, message);
  if (text !== null) p.problems.push({ pos, message: text });
}

const FlowParser = acorn.Parser.extend(flowPlugin) as unknown as new (
  options: acorn.Options,
  input: string,
) => { parse(): acorn.Program } & ParserState;

/** Parses `body` (front matter already blanked out) into the program to run. */
export function parseFlow(body: string): ParseResult {
  const parser = new FlowParser(OPTIONS, body);
  parser.problems = [];
  let program: acorn.Program | null = null;
  try {
    program = parser.parse();
  } catch (e) {
    if (!(e instanceof FatalParseError)) throw e;
    if (e.problem) parser.problems.push(e.problem);
  }
  const problems = parser.problems.map((p) => locate(body, p.pos, p.message));
  if (program === null) return { program, problems };
  const unwrapped = unwrapMain(program);
  if (unwrapped === "bad") {
    problems.push(locate(body, program.body[0].start, msg.badMain()));
    return { program, problems };
  }
  return { program: unwrapped ?? program, problems };
}

/**
 * `async function main() { … }` as the only statement means its body is the program. Any other
 * lone `function main` is reported ("bad"): it would declare a function that never runs.
 */
function unwrapMain(program: acorn.Program): acorn.Program | "bad" | null {
  if (program.body.length !== 1) return null;
  const only = program.body[0];
  if (only.type !== "FunctionDeclaration" || only.id.name !== "main") return null;
  if (!only.async || only.generator || only.params.length > 0) return "bad";
  const block = only.body;
  return {
    type: "Program",
    sourceType: "module",
    body: block.body,
    start: block.start,
    end: block.end,
    loc: block.loc,
  } as acorn.Program;
}

/** A problem at a source offset, as 1-based line and column. */
export function locate(input: string, pos: number, message: string): Problem {
  const { line, column } = lineInfo(input, pos);
  return { line, column: column + 1, message };
}
