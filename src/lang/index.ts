// Public surface of the .flow front end: source text in, validated program out (or every problem
// with its line and column). `loadFlow` is what workers and `rhythm run` use; `checkFlow` is for
// `rhythm check` and editors, and never throws for bad input.

import type * as acorn from "acorn";
import type { Bindings } from "./bindings.js";
import { FlowLoadError, FlowSyntaxError, type Problem } from "./errors.js";
import { msg } from "./messages.js";
import { tooDeeplyNested } from "./depth.js";
import { locate, parseFlow } from "./parse.js";
import { splitFrontMatter } from "./source.js";
import { checkStdlibUse, type CheckOptions } from "./stdlib-check.js";
import { validateProgram } from "./validate.js";

export { FlowLoadError, FlowSyntaxError } from "./errors.js";
export { FLOW_GLOBALS } from "./globals.js";
export { UNKNOWN, type KnownValue } from "./known-values.js";
export type { CheckOptions, StdlibSurface, WorkflowFolder } from "./stdlib-check.js";
export { resolveBindings, type Binding, type BindingKind, type Bindings, type Scope, type ScopeKind } from "./bindings.js";
export { splitFrontMatter, type FlowSource } from "./source.js";

/** A .flow file that loaded. */
export interface LoadedFlow {
  /**
   * The statements to run, as a `Program` node whose `body` is the statement list (the body of
   * `async function main() { … }` when the file is wrapped in one). Positions refer to `source`.
   */
  program: acorn.Program;
  /** The text of the front-matter block, without its fences; null when there is none. */
  frontMatter: string | null;
  /** The file's text, exactly as given. */
  source: string;
  /** Every name of `program` resolved to its binding (what the compiler needs). */
  bindings: Bindings;
}

/**
 * Parses and validates a .flow file; throws FlowLoadError listing every problem. `options` adds
 * the checks of the standard library's use and of the workflow folder.
 */
export function loadFlow(source: string, file: string, options: CheckOptions = {}): LoadedFlow {
  const { program, frontMatter, errors, bindings } = check(source, file, options);
  if (errors.length > 0 || program === null || bindings === null) throw new FlowLoadError(errors);
  return { program, frontMatter, source, bindings };
}

/** Every problem in a .flow file, in source order; empty when it loads. Never throws for bad input. */
export function checkFlow(source: string, file: string, options: CheckOptions = {}): FlowSyntaxError[] {
  return check(source, file, options).errors;
}

function check(
  source: string,
  file: string,
  options: CheckOptions,
): {
  program: acorn.Program | null;
  frontMatter: string | null;
  errors: FlowSyntaxError[];
  bindings: Bindings | null;
} {
  const { body, frontMatter, unclosedFrontMatter } = splitFrontMatter(source);
  if (unclosedFrontMatter) {
    const error = new FlowSyntaxError(file, 1, 1, msg.unclosedFrontMatter());
    return { program: null, frontMatter: null, errors: [error], bindings: null };
  }
  const parsed = parseFlow(body);
  let problems = parsed.problems;
  let bindings: Bindings | null = null;
  if (parsed.program !== null) {
    const deep = tooDeeplyNested(parsed.program);
    // concat, not push(...): a file with hundreds of thousands of problems would overflow the stack
    if (deep) problems = problems.concat(locate(body, deep.start, msg.tooDeep()));
    else {
      const validated = validateProgram(parsed.program, body);
      problems = problems.concat(validated.problems);
      bindings = validated.bindings;
      if (bindings) problems = problems.concat(checkStdlibUse(parsed.program, body, bindings, options));
    }
  }
  return {
    program: parsed.program,
    frontMatter,
    errors: toErrors(problems, file),
    bindings,
  };
}

/** Sorted by position, exact duplicates removed (acorn can raise one thing twice). */
function toErrors(problems: Problem[], file: string): FlowSyntaxError[] {
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
  const seen = new Set<string>();
  const errors: FlowSyntaxError[] = [];
  for (const p of sorted) {
    const key = `${p.line}:${p.column} ${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(new FlowSyntaxError(file, p.line, p.column, p.message));
  }
  return errors;
}
