// Mutation fuzzing of .flow programs: takes corpus programs, damages them at random (seeded), and
// checks that each mutant either fails to load with located errors or runs to a normal result —
// the same one straight and in resume mode — never a host crash and never a hang.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkFlow, FlowLoadError } from "../../src/lang/index.js";
import { runFlowFile, type RunFileResult } from "../../src/testing/index.js";
import { seededRandom } from "../../src/testing/random.js";
import type { CorpusCase } from "./corpus.js";

const SNIPPETS = [
  "await",
  "await ",
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  ";",
  ",",
  ".",
  "?.",
  "...",
  "=",
  "==",
  "=>",
  "+",
  "-",
  "*",
  "/",
  "%",
  "**",
  "!",
  "&&",
  "||",
  "??",
  "?",
  ":",
  "return",
  "return;",
  "throw 1;",
  "break;",
  "continue;",
  "let",
  "const",
  "x",
  "y",
  "undefined",
  "null",
  "0",
  "-1",
  "1e309",
  "NaN",
  '"s"',
  "`t${1}`",
  "while (true) {}",
  "for (;;) {}",
  "try {",
  "} catch (e) {",
  "} finally {",
  "async",
  "function",
  "f()",
  "f(f)",
  "Inputs",
  "Math",
  "JSON.parse(",
  "Promise.all([",
  'Task.run("t")',
  "Timer.delay(1)",
  'Signal.next("s")',
  "[].map(",
  '"x".repeat(1e9)',
  "var",
  "new",
  "class",
  "this",
  "delete",
  "__proto__",
  "constructor",
  "\n",
  "//",
  "/*",
  "*/",
  "'",
  '"',
  "`",
  "\\",
];

export interface Mutant {
  source: string;
  from: string;
  seed: number;
}

export function mutate(source: string, rand: () => number): string {
  let s = source;
  const ops = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(rand() * (s.length + 1));
    const kind = Math.floor(rand() * 5);
    if (kind === 0) s = s.slice(0, at) + SNIPPETS[Math.floor(rand() * SNIPPETS.length)] + s.slice(at);
    else if (kind === 1) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 8));
    else if (kind === 2) {
      const lines = s.split("\n");
      const a = Math.floor(rand() * lines.length);
      const b = Math.floor(rand() * lines.length);
      [lines[a], lines[b]] = [lines[b], lines[a]];
      s = lines.join("\n");
    } else if (kind === 3) {
      const lines = s.split("\n");
      const a = Math.floor(rand() * lines.length);
      lines.splice(a, 0, lines[Math.floor(rand() * lines.length)]);
      s = lines.join("\n");
    } else s = s.replace(/\d+/, String(Math.floor(rand() * 5) - 1));
  }
  return s;
}

export function mutants(cases: CorpusCase[], count: number, seed: number): Mutant[] {
  const rand = seededRandom(seed);
  const usable = cases.filter((c) => !c.header.check);
  return Array.from({ length: count }, (_, i) => {
    const c = usable[Math.floor(rand() * usable.length)];
    return { source: mutate(c.source, rand), from: c.name, seed: seed + i };
  });
}

export type Verdict = { kind: "rejected"; errors: number } | { kind: "ran"; status: string };

const FUZZ_LIMITS = { maxInstructions: 200_000, maxStateBytes: 256 * 1024, maxCallDepth: 200 };

function comparable(r: RunFileResult): unknown {
  return { status: r.status, output: r.output, error: r.error, taskCalls: r.taskCalls, logs: r.logs.map((l) => l.message) };
}

/**
 * Checks one mutant; throws (with the mutant in the message) when something is wrong. Mocks make
 * any task name succeed, so mutants reach the code after their awaits.
 */
export async function checkMutant(m: Mutant): Promise<Verdict> {
  const dir = mkdtempSync(join(tmpdir(), "rhythm-fuzz-"));
  const file = join(dir, "mutant.flow");
  writeFileSync(file, m.source);
  const describe = () => `mutant of ${m.from} (seed ${m.seed}):\n${m.source}`;
  try {
    const errors = checkFlow(m.source, file);
    for (const e of errors) {
      if (!(e.line >= 1 && e.column >= 1 && e.message.length > 0))
        throw new Error(`badly located error ${e.format()} in ${describe()}`);
    }
    if (errors.length > 0) return { kind: "rejected", errors: errors.length };
    const tasks = new Proxy({}, { get: () => ({ echo: true }) });
    const options = {
      inputs: { n: 3, items: [1, 2] },
      tasks,
      limits: FUZZ_LIMITS,
      maxActivations: 2_000,
      signals: [["s", 1]] as [string, unknown][],
    };
    let straight: RunFileResult;
    let resumed: RunFileResult;
    try {
      straight = await runFlowFile(file, { ...options, resumeMode: false });
      resumed = await runFlowFile(file, { ...options, resumeMode: true });
    } catch (e) {
      if (e instanceof FlowLoadError) throw new Error(`loaded in check but not in run: ${describe()}`);
      throw new Error(`host crash ${(e as Error).stack} in ${describe()}`);
    }
    const a = JSON.stringify(comparable(straight));
    const b = JSON.stringify(comparable(resumed));
    if (a !== b) throw new Error(`straight and resume mode differ:\n${a}\n${b}\nin ${describe()}`);
    return { kind: "ran", status: straight.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
