// Starts a contender's worker in its own process (so its memory is its own) and talks to it over
// IPC: every call is a request with an id, answered once. The child's output goes to stderr so
// stdout keeps only the report.

import { fork } from "node:child_process";

const WORKER_MAIN = new URL("../worker-main.mjs", import.meta.url);

/** `main`: the child's entry (the scale scenarios have their own, bench/scale/worker-child.mjs). */
export async function spawnWorker(contender, main = WORKER_MAIN) {
  // BENCH_CHILD_ARGS: extra node flags for the worker process (say "--cpu-prof --cpu-prof-dir=DIR")
  const child = fork(main, [], {
    execArgv: ["--expose-gc", ...(process.env.BENCH_CHILD_ARGS ? process.env.BENCH_CHILD_ARGS.split(" ") : [])],
    stdio: ["ignore", 2, 2, "ipc"],
  });
  const pending = new Map();
  let nextId = 1;
  let exited = null;
  child.on("message", (m) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`worker child (${contender}): ${m.error}`));
    else p.resolve(m.result);
  });
  child.on("exit", (code, signal) => {
    exited = { code, signal };
    for (const p of pending.values()) p.reject(new Error(`worker child (${contender}) exited (${signal ?? code})`));
    pending.clear();
  });
  const call = (type, args = {}) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(`worker child (${contender}) has exited`));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, type, args });
    });
  await call("load", { contender });
  return {
    pid: child.pid,
    call,
    /** Stops the worker gracefully, or kills the process when it does not stop in time. */
    async stop(timeoutMs = 20_000) {
      if (exited) return;
      let timer;
      const killed = new Promise((resolve) => {
        timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolve();
        }, timeoutMs);
      });
      await Promise.race([call("stop").catch(() => {}), killed]);
      clearTimeout(timer);
      if (!exited) await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
