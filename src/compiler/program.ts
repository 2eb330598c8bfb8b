// The compiled form of a .flow file: plain JSON data, deterministic for a given source, so it can
// be stored next to the version it belongs to and checked against the saved states that use it.

import type { DebugTable } from "./debug-table.js";

export const PROGRAM_FORMAT = 1;

export interface FunctionInfo {
  /**
   * JavaScript's `name` of the function ("main" for the workflow body; "" when nothing names it,
   * "<anonymous>" in programs compiled before that). Show it with {@link displayName}.
   */
  name: string;
  isAsync: boolean;
  /** Number of declared parameters before any default or rest (JavaScript's `length`). */
  length: number;
  /** Register count: uncaptured bindings and compiler temporaries. */
  locals: number;
  code: number[];
  constants: (string | number)[];
  /**
   * Constants JSON cannot carry as they are (Infinity from `1e400`; strings with U+0000 or a lone
   * surrogate, which Postgres refuses): [index, "n" | "s", text]. Their slot in `constants` holds
   * a placeholder; {@link runnableProgram} puts the real values back.
   */
  special?: [number, "n" | "s", string][];
  /** Source positions as flat triples: [pc, line, column, pc, line, column, …], pc ascending. */
  positions: number[];
  /** Named bindings by pc and where they live (see debug-table.ts); absent in programs compiled before debug tables. */
  debug?: DebugTable;
}

export interface Program {
  format: typeof PROGRAM_FORMAT;
  /** File the program was compiled from (for messages only). */
  file: string;
  /** functions[0] is the workflow body. */
  functions: FunctionInfo[];
  /**
   * The signal names the workflow waits on with a literal name, and whether any wait's name is
   * computed (then it may wait on any name). Absent in programs compiled before it existed.
   */
  signals?: { names: string[]; computed: boolean };
}

/** How stack traces and waits show a function: its name, or "<anonymous>". */
export function displayName(fn: FunctionInfo): string {
  return fn.name === "" ? "<anonymous>" : fn.name;
}

/** The 1-based source line and column of the instruction at `pc`. */
export function positionAt(fn: FunctionInfo, pc: number): { line: number; column: number } {
  const p = fn.positions;
  let lo = 0;
  let hi = p.length / 3 - 1;
  let best = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (p[mid * 3] <= pc) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return p.length === 0 ? { line: 0, column: 0 } : { line: p[best * 3 + 1], column: p[best * 3 + 2] };
}

const runnable = new WeakMap<Program, Program>();

/** The program with its special constants restored (the same object when it has none). */
export function runnableProgram(program: Program): Program {
  if (!program.functions.some((f) => f.special?.length)) return program;
  let out = runnable.get(program);
  if (!out) {
    out = {
      ...program,
      functions: program.functions.map((f) => {
        if (!f.special?.length) return f;
        const constants = [...f.constants];
        for (const [i, kind, text] of f.special) constants[i] = kind === "n" ? Number(text) : (JSON.parse(text) as string);
        return { ...f, constants };
      }),
    };
    runnable.set(program, out);
  }
  return out;
}
