// What every CLI command provides, the shared errors for bad usage and bad input (exit code 2),
// and option helpers.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { closestName } from "../lang/suggest.js";

export interface Command {
  summary: string;
  help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** Wrong arguments: exit 2, with a pointer to --help. */
export class UsageError extends Error {}

/** Arguments that are well formed but name something unusable (a tasks module that does not load…): exit 2. */
export class InvalidInputError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

export type ParsedArgs<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/**
 * `parseArgs` with positionals allowed; a bad option is a usage error in the command's own words
 * (`unknown option --inptus; did you mean --inputs?`) rather than Node's.
 */
export function parseCommandArgs<const O extends Options>(args: string[], options: O): ParsedArgs<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(optionProblem(e as Error & { code?: string }, options));
  }
}

/** Node's parseArgs errors, said for people, with the nearest known option for a misspelt one. */
function optionProblem(e: Error & { code?: string }, options: Options): string {
  const quoted = /'([^' ]+)/.exec(e.message)?.[1] ?? "";
  const name = quoted.replace(/^-+/, "");
  const flag = quoted.startsWith("--") || name.length > 1 ? `--${name}` : `-${name}`;
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const known = [...Object.keys(options), "help"];
    const near = closestName(name, known);
    return near ? `unknown option ${flag}; did you mean --${near}?` : `unknown option ${flag}`;
  }
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const option = Object.hasOwn(options, name) ? options[name] : undefined;
    return option?.type === "boolean" ? `${flag} takes no value` : `${flag} needs a value`;
  }
  return e.message;
}

/** Exactly `names.length` positional arguments, named in the message when missing or extra. */
export function positionalArgs(positionals: string[], names: string[]): string[] {
  if (positionals.length !== names.length) {
    const want = names.map((n) => `<${n}>`).join(" ");
    throw new UsageError(
      positionals.length < names.length
        ? `expected ${want}`
        : `unexpected argument "${positionals[names.length]}" (expected ${want})`,
    );
  }
  return positionals;
}

/** Parses a JSON option value, naming the option when it is not JSON. */
export function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${option} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Parses a positive integer option value. */
export function parseCountOption(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${option} must be a positive integer, got "${text}"`);
  return n;
}

/** Parses an integer option value, at least `min` when given. */
export function parseIntegerOption(text: string | undefined, option: string, min?: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n)) throw new UsageError(`${option} must be an integer, got "${text}"`);
  if (min !== undefined && n < min) throw new UsageError(`${option} must be at least ${min}, got "${text}"`);
  return n;
}
