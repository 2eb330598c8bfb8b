// What every CLI command provides, and the shared error for bad usage (exit code 2).

export interface Command {
  summary: string;
  help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

export class UsageError extends Error {}

/** Parses a JSON option value, naming the option when it is not JSON. */
export function parseJsonOption(text: string, option: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${option} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Parses a non-negative integer option value. */
export function parseCountOption(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${option} must be a positive integer, got "${text}"`);
  return n;
}
