// Counts the statements a worker process sends, by text, with the time each took as the client
// saw it. It wraps `pg`'s Client.query in every copy of `pg` the process can load (Rhythm's, at the
// repository root, and the peers', under bench/), so every contender is counted the same way.

import { createRequire } from "node:module";

const counts = new Map();

/** Normalised statement text: whitespace folded, cut to a readable length. */
function key(config) {
  const text = typeof config === "string" ? config : (config?.text ?? config?.name ?? "(submittable)");
  return String(text).replace(/\s+/g, " ").trim().slice(0, 160);
}

function record(k, ms) {
  const c = counts.get(k) ?? { calls: 0, ms: 0 };
  c.calls++;
  c.ms += ms;
  counts.set(k, c);
}

function patch(Client) {
  if (Client.prototype.query.__benchCounted) return;
  const original = Client.prototype.query;
  const counted = function (config, values, callback) {
    const k = key(config);
    const started = performance.now();
    const cb = typeof callback === "function" ? callback : typeof values === "function" ? values : null;
    if (cb) {
      const wrapped = (...args) => {
        record(k, performance.now() - started);
        return cb(...args);
      };
      return typeof callback === "function" ? original.call(this, config, values, wrapped) : original.call(this, config, wrapped);
    }
    const result = original.call(this, config, values);
    if (result && typeof result.then === "function") {
      result.then(
        () => record(k, performance.now() - started),
        () => record(k, performance.now() - started),
      );
    } else if (result && typeof result.on === "function") {
      // a submittable (Query object handed to the client): counted when it ends
      result.on("end", () => record(k, performance.now() - started));
      result.on("error", () => record(k, performance.now() - started));
    } else {
      record(k, performance.now() - started);
    }
    return result;
  };
  counted.__benchCounted = true;
  Client.prototype.query = counted;
}

/** Patches `pg` as resolved from each of `fromUrls` (file URLs of modules that import it). */
export function countQueries(fromUrls) {
  for (const from of fromUrls) {
    try {
      patch(createRequire(from)("pg").Client);
    } catch {
      // that copy of pg is not installed: nothing there to count
    }
  }
}

/** Counts so far and resets them: { total, ms, top: [{ sql, calls, ms }] } by calls. */
export function takeQueryCounts(topN = 15) {
  const all = [...counts.entries()].map(([sql, c]) => ({ sql, calls: c.calls, ms: Math.round(c.ms * 10) / 10 }));
  counts.clear();
  all.sort((a, b) => b.calls - a.calls);
  return { total: all.reduce((s, x) => s + x.calls, 0), ms: all.reduce((s, x) => s + x.ms, 0), top: all.slice(0, topN) };
}
