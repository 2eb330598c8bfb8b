// The built `rhythm` CLI as a background process (a worker, `rhythm dev`): its stderr, waiting
// for a line to appear, stopping it with a signal. Every process still running when the test file
// ends is killed, and the file fails: a test that leaks one is a bug.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { after } from "node:test";
import { CLI, cliEnv } from "./cli-process.js";

export interface Background {
  child: ChildProcess;
  stderr(): string;
  /**
   * Resolves with the first match of `pattern` in stderr from offset `from` on; rejects after
   * `ms` or when the process exits first.
   */
  waitFor(pattern: RegExp, ms?: number, from?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the exit code (rejects after `ms`). */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | null>;
}

const running = new Set<Background>();

export function background(args: string[], cwd: string, env: Record<string, string> = {}): Background {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cliEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.stdout!.resume();
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const bg: Background = {
    child,
    stderr: () => err,
    waitFor: (pattern, ms = 20_000, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = err.slice(from).match(pattern);
          if (!m) return false;
          finish();
          resolve(m);
          return true;
        };
        const onExit = () => {
          if (check()) return;
          finish();
          reject(new Error(`process exited before printing ${pattern}:\n${err}`));
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no ${pattern} within ${ms} ms; stderr:\n${err}`));
        }, ms);
        const finish = () => {
          clearTimeout(timer);
          child.stderr!.off("data", check);
          child.off("exit", onExit);
        };
        if (check()) return;
        child.stderr!.on("data", check);
        child.on("exit", onExit);
      }),
    stop: async (signal = "SIGTERM", ms = 15_000) => {
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`still running ${ms} ms after ${signal}:\n${err}`)), ms)),
      );
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
        running.delete(bg);
      }
    },
  };
  exited.then(() => running.delete(bg));
  running.add(bg);
  return bg;
}

after(() => {
  // a test that failed half-way must not leave workers behind; one still running here is a leak
  const leaked = [...running];
  for (const bg of leaked) bg.child.kill("SIGKILL");
  assert.equal(leaked.length, 0, `processes left running: ${leaked.map((b) => b.child.spawnargs.join(" ")).join("; ")}`);
});

export async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
