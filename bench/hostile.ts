// `npm run bench:hostile`: what the activation budgets cost and what they stop (issue 14).
// 1. Each hostile workflow ("bomb") runs in a fresh child process with the default limits: the
//    time its activation takes to be refused, the process's peak memory, how it ended.
// 2. With `--baseline <dir>` (a build of an earlier commit, `npm run build` done there), the
//    `npm run bench:vm` figures of both builds, interleaved run by run. Asserts nothing.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compileFlow } from "../src/compiler/index.js";
import { Machine, type MachineHost } from "../src/vm/machine.js";

const BOMBS: Record<string, string> = {
  "arrays of 2M elements, 3,000 times":
    "const a = Array.from({ length: 3000 }, () => Array.from({ length: 2e6 })); return a.length",
  "console.log of 3,000 × a 2 MB string": 'console.log(Array.from({ length: 3000 }).fill("x".repeat(2000000))); return 1',
  "300 log lines of 2 MB": 'const s = "x".repeat(2000000); for (let i = 0; i < 300; i++) console.log(s); return 1',
  "80 × slice().sort() of 2M elements":
    'const a = "x".repeat(2000000).split(""); for (let i = 0; i < 80; i++) a.slice().sort(); return 1',
  "state: 300 references to one 2 MB string":
    'const s = "x".repeat(2000000); const refs = Array.from({ length: 300 }).fill(s); await Timer.delay(1); return refs.length',
  "state of ~2.3 MB (numbers), refused":
    "const a = Array.from({ length: 250000 }, (_, i) => i * 1000); await Timer.delay(1); return a.length",
  "20,000 tasks, then over the state limit":
    'for (let i = 0; i < 20000; i++) Task.run("t", { i }); const s = ["x".repeat(1100000), "y".repeat(1100000)]; await Timer.delay(1); return s.length',
  "string doubling": 'let s = "x"; while (true) s += s',
  "while (true) {}": "while (true) {}",
  "deep recursion": "function f(n) { return f(n + 1) + 1 }\nreturn f(0)",
};

const host: MachineHost = { now: () => 1767225600000, random: () => 0.5, hasWorkflow: () => true };
const context = {
  executionId: "b",
  workflowName: "b",
  version: "v",
  attempt: 1,
  parentId: null,
  startedAt: "2026-01-01T00:00:00.000Z",
};

/** Child mode: runs one bomb, prints one JSON line. */
function runOne(name: string): void {
  const { program } = compileFlow(BOMBS[name]!, "bomb.flow");
  const t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const r = Machine.start(program, { inputs: {}, context, host }).activate();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const error = r.status === "failed" ? String((r.error as { message?: unknown }).message) : "";
  const effects = r.effects.filter((e) => e.type !== "log").length;
  const logChars = r.effects.reduce((n, e) => n + (e.type === "log" ? e.message.length : 0), 0);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ ms, cpuMs, status: r.status, error, effects, logChars, maxRssMb }));
}

function bombs(): void {
  const self = fileURLToPath(import.meta.url);
  console.log(
    "| hostile workflow | ends | refused after (wall) | CPU time | peak RSS of the process | effects kept | log characters | message |",
  );
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const name of Object.keys(BOMBS)) {
    const out = execFileSync(process.execPath, [self, "--one", name], { encoding: "utf8" });
    const r = JSON.parse(out.trim().split("\n").pop()!) as Record<string, number | string>;
    const message = String(r.error).slice(0, 70) + (String(r.error).length > 70 ? "…" : "");
    console.log(
      `| ${name} | ${r.status} | ${Number(r.ms).toFixed(0)} ms | ${Number(r.cpuMs).toFixed(0)} ms | ${Number(r.maxRssMb).toFixed(0)} MB | ${r.effects} | ${r.logChars} | ${message} |`,
    );
  }
}

/** The figures of one `bench:vm` run: "row label · column header" → number. */
function vmFigures(script: string): Map<string, number> {
  const out = execFileSync(process.execPath, [script], { encoding: "utf8" });
  const figures = new Map<string, number>();
  let headers: string[] = [];
  const lines = out.split("\n");
  for (let l = 0; l < lines.length; l++) {
    const cells = lines[l]!.split("|").map((c) => c.trim());
    if (cells.length < 4 || cells[1]!.startsWith("---")) continue;
    if (lines[l + 1]?.startsWith("| ---")) {
      headers = cells; // a table's header row
      continue;
    }
    for (let i = 2; i < cells.length - 1; i++) {
      const value = Number.parseFloat(cells[i]!.replace(/[^\d.]/g, ""));
      const unit = cells[i]!.replace(/[\d.,×\s]/g, "");
      if (Number.isFinite(value) && unit !== "") figures.set(`${cells[1]} · ${headers[i] ?? ""} (${unit})`, value);
    }
  }
  return figures;
}

function compare(baselineDir: string, rounds: number): void {
  const mine = fileURLToPath(new URL("./vm.js", import.meta.url));
  const theirs = `${baselineDir}/dist/bench/vm.js`;
  const before = new Map<string, number[]>();
  const after = new Map<string, number[]>();
  const add = (into: Map<string, number[]>, f: Map<string, number>) => {
    for (const [k, v] of f) into.set(k, [...(into.get(k) ?? []), v]);
  };
  for (let i = 0; i < rounds; i++) {
    add(before, vmFigures(theirs)); // interleaved: both see the same machine conditions
    add(after, vmFigures(mine));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\n| bench:vm figure (median of ${rounds} interleaved runs) | before | with budgets | change |`);
  console.log("| --- | ---: | ---: | ---: |");
  for (const [k, xs] of after) {
    const b = before.get(k);
    if (!b) continue;
    const [mb, ma] = [median(b), median(xs)];
    console.log(`| ${k} | ${mb} | ${ma} | ${(((ma - mb) / mb) * 100).toFixed(1)}% |`);
  }
}

const args = process.argv.slice(2);
if (args[0] === "--one") runOne(args[1]!);
else {
  console.log(`# Hostile workflows (node ${process.version}, ${new Date().toISOString()}, default limits)\n`);
  bombs();
  const i = args.indexOf("--baseline");
  if (i >= 0) compare(args[i + 1]!, Number(args[args.indexOf("--rounds") + 1] ?? 5) || 5);
}
