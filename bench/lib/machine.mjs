// What the figures were measured on: CPU, cores, memory, Postgres and its settings, Node, and the
// exact versions of Rhythm and of every peer library.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { adminQuery } from "./databases.mjs";

const packageVersion = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")).version;
/** A peer's version, or "not installed" (a run with `--only rhythm` needs none of them). */
const peerVersion = (path) => {
  try {
    return packageVersion(path);
  } catch {
    return "not installed";
  }
};

export async function describeMachine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const cpu = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown";
  const version = (await adminQuery("show server_version")).rows[0].server_version;
  const settings = {};
  for (const name of ["shared_buffers", "max_connections", "synchronous_commit", "fsync", "wal_level", "max_wal_size"]) {
    settings[name] = (await adminQuery(`show ${name}`)).rows[0][name];
  }
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: new URL("..", import.meta.url),
      encoding: "utf8",
    }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    postgres: `PostgreSQL ${version}`,
    settings,
    node: process.version,
    rhythm: `${packageVersion("../../package.json")} (${commit})`,
    peers: {
      "graphile-worker": peerVersion("../node_modules/graphile-worker/package.json"),
      "pg-boss": peerVersion("../node_modules/pg-boss/package.json"),
      "@dbos-inc/dbos-sdk": peerVersion("../node_modules/@dbos-inc/dbos-sdk/package.json"),
    },
  };
}
