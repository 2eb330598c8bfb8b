// Runs the built `rhythm` CLI as a child process against files in throwaway folders, so the CLI
// tests check what a user sees: exit code, stdout and stderr, nothing imported from src/.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** The compiled entry point; tests run from the repo root (`node --test dist/test/...`). */
export const CLI = resolve(process.cwd(), "dist/src/cli/main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment the CLI runs with: the test's own, without the variables that choose a
 * database (a developer's RHYTHM_DATABASE_URL must not move the tests onto their database),
 * plus `extra`.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ["RHYTHM_DATABASE_URL", "DATABASE_URL"]) if (!(name in extra)) delete env[name];
  return env;
}

export function rhythm(args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 60_000, env: cliEnv(env) });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Like `rhythm`, without blocking this process: for a test that serves something the CLI talks
 * to from this very process (spawnSync would stop it from answering).
 */
export function rhythmAsync(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cliEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A fresh temp folder holding `files` (relative path → content); `remove()` deletes it. */
export function tempFolder(files: Record<string, string> = {}): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "rhythm-cli-"));
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Parses `--json` stdout, which must be exactly one JSON document on one line. */
export function jsonDocument(stdout: string): unknown {
  const lines = stdout.split("\n");
  if (lines.length !== 2 || lines[1] !== "")
    throw new Error(`expected one line of JSON on stdout, got ${JSON.stringify(stdout)}`);
  return JSON.parse(lines[0]);
}
