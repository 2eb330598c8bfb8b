// Runs the built `rhythm` CLI as a child process against files in throwaway folders, so the CLI
// tests check what a user sees: exit code, stdout and stderr, nothing imported from src/.

import { spawnSync } from "node:child_process";
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

export function rhythm(args: string[], cwd: string): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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
