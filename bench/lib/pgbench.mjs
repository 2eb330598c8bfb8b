// The physical reference: pgbench's simple-update script (-N) with 2 clients on its own database
// of the same server, run like `pgbench -i` then `pgbench -c 2 -j 2 -T <s> -N` (the scale bench
// also runs it with 1, 4 and 8 clients, two threads at most: the machine has two cores).

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createDatabase, dropDatabase } from "./databases.mjs";

const run = promisify(execFile);

export async function pgbenchTps(seconds, clients = 2) {
  const db = await createDatabase("pgbench");
  try {
    await run("pgbench", ["-i", "-q", db.url]);
    const { stdout } = await run("pgbench", [
      "-c",
      String(clients),
      "-j",
      String(Math.min(clients, 2)),
      "-T",
      String(seconds),
      "-N",
      db.url,
    ]);
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return Number(tps);
  } catch (e) {
    if (e.code === "ENOENT") throw new Error("pgbench is not installed (Debian: apt-get install postgresql-contrib)");
    throw e;
  } finally {
    await dropDatabase(db.name);
  }
}
