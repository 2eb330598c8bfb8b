// Runs a handle-free corpus program as real JavaScript in Node, to check that the interpreter's
// "JavaScript meaning" is JavaScript's. The body is wrapped in an async function whose only
// extra names are Inputs and a console that records lines the way the interpreter formats them.

import { loadFlow } from "../../src/lang/index.js";

// A .flow concurrent function that throws with nobody awaiting only logs; in Node the same
// program raises an unhandled rejection, which must not abort the test process.
process.on("unhandledRejection", () => {});

export interface OracleResult {
  status: "completed" | "failed";
  output: unknown;
  error: { name: string; message: string } | null;
  logs: string[];
}

/** The statements of a .flow file as JavaScript source (front matter and `main` wrapper removed). */
export function bodySource(source: string, file: string): string {
  const { program } = loadFlow(source, file);
  const body = program.body;
  if (body.length === 0) return "";
  return source.slice(body[0].start, body[body.length - 1].end);
}

/** How the interpreter's console.log renders host values (strings raw, others as JSON text). */
export function formatHostLog(args: unknown[]): string {
  return args.map(formatOne).join(" ");
}

function formatOne(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "function") return "[Function]";
  if (v === null || typeof v !== "object") return String(v);
  const seen = new Set<unknown>();
  return JSON.stringify(v, function (this: unknown, _k, x: unknown) {
    if (typeof x === "function") return undefined;
    if (typeof x === "object" && x !== null) {
      if (seen.has(x)) return "[Circular]";
      seen.add(x);
    }
    return x;
  });
}

export async function runAsJavaScript(source: string, file: string, inputs: unknown): Promise<OracleResult> {
  const logs: string[] = [];
  const console = {
    log: (...a: unknown[]) => {
      logs.push(formatHostLog(a));
    },
  };
  const body = bodySource(source, file);
  const main = new Function("Inputs", "console", `"use strict"; return (async () => {\n${body}\n})();`) as (
    inputs: unknown,
    c: typeof console,
  ) => Promise<unknown>;
  try {
    const value = await main(structuredClone(inputs), console);
    const text = JSON.stringify(value);
    return { status: "completed", output: text === undefined ? null : JSON.parse(text), error: null, logs };
  } catch (e) {
    const error = e instanceof Error ? { name: e.name, message: e.message } : { name: "Error", message: String(e) };
    return { status: "failed", output: null, error, logs };
  }
}
