// What telemetry costs a worker (docs/telemetry.md): S1 and S3 (10 steps) of `npm run bench`, for
// Rhythm only, in three builds/settings run interleaved (the order rotates every round):
//   off  a build without telemetry (the commit given with --off-rev, built into a temporary folder)
//   api  this build, no OpenTelemetry SDK registered (the API is a no-op)
//   sdk  this build with the SDK registered (bench/lib/telemetry-sdk.mjs: spans batched to an
//        exporter that drops them, metrics read every 10 s)
// Prints medians of drain rate, steps/s and worker CPU per task or step (from RHYTHM_BENCH_CPU_LOG).
//
//   npm run build && node bench/telemetry-overhead.mjs --off-rev <commit> [--rounds 5]

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const offRev = arg("--off-rev");
const rounds = Number(arg("--rounds", "5"));
if (!offRev) throw new Error("--off-rev <commit without telemetry> is required");
const log = (m) => process.stderr.write(`${m}\n`);

/** A build of `rev` in a temporary folder, sharing this checkout's node_modules. */
function buildRev(rev) {
  const dir = mkdtempSync(join(tmpdir(), "rhythm-off-"));
  execFileSync("sh", ["-c", `git -C "${ROOT}" archive ${rev} | tar -x -C "${dir}"`]);
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: dir, stdio: "inherit" });
  cpSync(join(dir, "src/store/migrations"), join(dir, "dist/src/store/migrations"), { recursive: true });
  return dir;
}

/** This build's dist, copied so that building again meanwhile changes nothing measured. */
function snapshotThis() {
  const dir = mkdtempSync(join(tmpdir(), "rhythm-on-"));
  cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  cpSync(join(ROOT, "package.json"), join(dir, "package.json"));
  return dir;
}

const off = buildRev(offRev);
const on = snapshotThis();
const MODES = {
  off: { RHYTHM_BENCH_DIST: join(off, "dist/src/index.js") },
  api: { RHYTHM_BENCH_DIST: join(on, "dist/src/index.js") },
  sdk: { RHYTHM_BENCH_DIST: join(on, "dist/src/index.js"), RHYTHM_BENCH_TELEMETRY: "sdk" },
};
const names = Object.keys(MODES);
const results = Object.fromEntries(names.map((n) => [n, { s1: [], s3: [], s1Cpu: [], s3Cpu: [] }]));
const cpuLog = join(mkdtempSync(join(tmpdir(), "rhythm-cpu-")), "cpu.jsonl");

const figure = (text, label) => {
  const row = text.split("\n").find((l) => l.startsWith(`| ${label}`));
  return row ? Number(row.split("|")[2].trim().replace(/,/g, "")) : NaN;
};

for (let round = 0; round < rounds; round++) {
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const mode of order) {
    log(`round ${round + 1}/${rounds} · ${mode}`);
    const before = existsSync(cpuLog) ? readFileSync(cpuLog, "utf8").split("\n").filter(Boolean).length : 0;
    const r = spawnSync(
      process.execPath,
      ["bench/run.mjs", "--only", "rhythm", "--scenarios", "s1,s3-10", "--rounds", "1", "--no-write"],
      { cwd: ROOT, env: { ...process.env, ...MODES[mode], RHYTHM_BENCH_CPU_LOG: cpuLog }, encoding: "utf8", maxBuffer: 1 << 26 },
    );
    if (r.status !== 0) throw new Error(`bench failed (${mode}): ${r.stderr.slice(-2000)}`);
    const res = results[mode];
    res.s1.push(figure(r.stdout, "S1 drain, tasks/s"));
    res.s3.push(figure(r.stdout, "S3 10-step steps/s"));
    // the worker's two reports of this run: S1, then S3
    const lines = readFileSync(cpuLog, "utf8")
      .split("\n")
      .filter(Boolean)
      .slice(before)
      .map((l) => JSON.parse(l));
    if (lines.length === 2) {
      res.s1Cpu.push(lines[0].cpuMicros / lines[0].calls);
      res.s3Cpu.push(lines[1].cpuMicros / lines[1].calls);
    }
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (xs) => `${Math.round(Math.min(...xs)).toLocaleString("en")}–${Math.round(Math.max(...xs)).toLocaleString("en")}`;
const fmt = (x, digits = 0) => x.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`Telemetry overhead, ${rounds} interleaved rounds (medians, min–max in brackets); off = ${offRev}\n`);
console.log("| Setting | S1 drain, tasks/s ↑ | S1 worker CPU, µs/task ↓ | S3 10-step steps/s ↑ | S3 worker CPU, µs/step ↓ |");
console.log("| --- | --- | --- | --- | --- |");
for (const mode of names) {
  const r = results[mode];
  console.log(
    `| ${mode} | ${fmt(median(r.s1))} (${range(r.s1)}) | ${fmt(median(r.s1Cpu), 1)} | ${fmt(median(r.s3))} (${range(r.s3)}) | ${fmt(median(r.s3Cpu), 1)} |`,
  );
}
console.log(`\nRaw: ${JSON.stringify(results)}`);
rmSync(off, { recursive: true, force: true });
rmSync(on, { recursive: true, force: true });
