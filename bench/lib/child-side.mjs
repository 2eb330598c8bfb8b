// The child's side of a bench worker process (bench/worker-main.mjs, bench/scale/worker-child.mjs):
// its memory as the kernel counts it, and the IPC loop that runs the harness's requests.

import { readFileSync } from "node:fs";

/** RSS now, its peak (VmHWM) and the JS heap in use. */
export function memory() {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024, heap: process.memoryUsage().heapUsed };
}

/** RSS and heap after two full collections: what the process really keeps. */
export async function settledMemory() {
  for (let i = 0; i < 2; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return memory();
}

/** Answers each `{ id, type, args }` message with `handlers[type](args)`; exits after "stop". */
export function serve(handlers) {
  process.on("message", async (m) => {
    try {
      const result = await handlers[m.type](m.args ?? {});
      process.send({ id: m.id, result });
      if (m.type === "stop") setTimeout(() => process.exit(0), 50);
    } catch (e) {
      process.send({ id: m.id, error: String(e?.stack ?? e) });
    }
  });
}
