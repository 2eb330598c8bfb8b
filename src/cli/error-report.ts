// The one place a command's failure becomes what the user sees and the exit code: usage and bad
// input exit 2, a typed RhythmError prints `rhythm <cmd>: <message> (<code>)` and exits 1 (2 for
// invalid arguments), database trouble exits 1. Anything else is a bug and keeps its stack.

import { RhythmError } from "../client/errors.js";
import { FlowLoadError } from "../lang/index.js";
import { InvalidInputError, UsageError } from "./command.js";

export interface ErrorReport {
  text: string;
  exitCode: number;
}

export function errorReport(command: string, e: unknown): ErrorReport | null {
  if (e instanceof UsageError) return { text: `rhythm ${command}: ${e.message}\n(see rhythm ${command} --help)`, exitCode: 2 };
  if (e instanceof InvalidInputError) return { text: `rhythm ${command}: ${e.message}`, exitCode: 2 };
  if (e instanceof FlowLoadError) return { text: e.errors.map((x) => x.format()).join("\n"), exitCode: 2 };
  if (e instanceof RhythmError) {
    return { text: `rhythm ${command}: ${e.message} (${e.code})`, exitCode: e.code === "INVALID_ARGUMENT" ? 2 : 1 };
  }
  const db = databaseProblem(e);
  if (db) return { text: `rhythm ${command}: database error: ${db}`, exitCode: 1 };
  return null;
}

/**
 * Errors from the database or the network carry a SQLSTATE (5 characters) or a system code
 * (ECONNREFUSED…). A connection refused on "localhost" is an AggregateError with an empty message.
 */
function databaseProblem(e: unknown): string | null {
  if (!(e instanceof Error)) return null;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== "string" || !(/^[0-9A-Z]{5}$/.test(code) || /^E[A-Z]+$/.test(code))) return null;
  const inner = e instanceof AggregateError ? e.errors.find((x) => x instanceof Error)?.message : undefined;
  const message = e.message || inner || "";
  return message.includes(code) ? message : `${message} (${code})`;
}
