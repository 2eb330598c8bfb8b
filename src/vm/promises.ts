// Handles behave as JavaScript promises: settling one queues its reactions as microtasks, in
// order; `await` subscribes the stack; Promise.all/allSettled/any/race are combinator handles.
// Everything a pending handle remembers is data (reactions point at fibers and handles).

import type { Machine } from "./machine.js";
import {
  Handle,
  makeError,
  newObject,
  type FlowObject,
  type HandleKind,
  type HandleState,
  type Reaction,
  type Value,
} from "./values.js";
import type { Fiber } from "./fiber.js";
import { requireCombinable } from "./host-arguments.js";

/** A microtask. `thenable` is the extra step JavaScript takes when a promise resolves to a promise. */
export type Job =
  | { reaction: Reaction; ok: boolean; value: Value; source?: Handle }
  | { reaction: { kind: "thenable"; source: Handle; target: Handle }; ok: true; value: undefined };

export function enqueue(m: Machine, job: Job): void {
  m.jobs.push(job);
}

/** Registers `r` on `h` (or queues it at once when `h` has settled). */
export function subscribe(m: Machine, h: Handle, r: Reaction): void {
  h.handled = true;
  if (h.state === "pending") h.reactions.push(r);
  else enqueue(m, { reaction: r, ok: h.state === "fulfilled", value: h.value, source: h });
}

export function settle(m: Machine, h: Handle, state: Exclude<HandleState, "pending">, value: Value): void {
  if (h.state !== "pending") return;
  h.state = state;
  h.value = value;
  const reactions = h.reactions;
  h.reactions = [];
  for (const r of reactions) enqueue(m, { reaction: r, ok: state === "fulfilled", value, source: h });
  if (state === "rejected" && !h.handled && h.kind === "promise" && h !== m.main) m.unhandled.push(h);
}

/** Resolves an async function's promise with its return value (adopting a returned handle). */
export function resolvePromise(m: Machine, p: Handle, value: Value): void {
  if (value instanceof Handle) {
    if (value === p) return settle(m, p, "rejected", makeError("TypeError", "Chaining cycle detected for promise"));
    enqueue(m, { reaction: { kind: "thenable", source: value, target: p }, ok: true, value: undefined });
    return;
  }
  settle(m, p, "fulfilled", value);
}

export function runJob(m: Machine, job: Job): void {
  const r = job.reaction;
  switch (r.kind) {
    case "fiber": {
      const fiber = r.fiber as Fiber;
      fiber.awaiting = null;
      m.runFiber(fiber, { ok: job.ok, value: job.value });
      return;
    }
    case "adopt":
      return settle(m, r.target, job.ok ? "fulfilled" : "rejected", job.value);
    case "thenable":
      // The target now depends on the source: keep it reachable from the target.
      r.target.data = r.source;
      return subscribe(m, r.source, { kind: "adopt", target: r.target });
    case "combine":
      return combine(m, r.target, r.index, job.ok, job.value, (job as { source?: Handle }).source);
  }
}

// ── combinators ──────────────────────────────────────────────────────────────────────────────

interface CombinatorData extends FlowObject {
  inputs: Value[];
  keys: string[] | null;
  results: Value[];
  remaining: number;
}

/** Promise.all/allSettled/any/race over an array or an object of handles and plain values. */
export function startCombinator(m: Machine, kind: HandleKind, source: Value): Handle {
  requireCombinable(kind, source);
  let inputs: Value[];
  let keys: string[] | null = null;
  if (Array.isArray(source)) inputs = source.slice();
  else {
    keys = Object.keys(source as FlowObject);
    inputs = keys.map((k) => (source as FlowObject)[k]);
  }
  const data = newObject() as CombinatorData;
  data.inputs = inputs;
  data.keys = keys as unknown as Value as string[] | null;
  data.results = new Array<Value>(inputs.length).fill(undefined);
  data.remaining = inputs.length;
  const h = m.newHandle(kind, data);
  if (inputs.length === 0) {
    if (kind === "all" || kind === "allSettled") settle(m, h, "fulfilled", shape(data, []));
    else if (kind === "any") settle(m, h, "rejected", aggregate([]));
    // race of nothing stays pending forever, as in JavaScript
    return h;
  }
  inputs.forEach((x, index) => {
    const r: Reaction = { kind: "combine", target: h, index };
    if (x instanceof Handle) subscribe(m, x, r);
    else enqueue(m, { reaction: r, ok: true, value: x });
  });
  return h;
}

function combine(m: Machine, h: Handle, index: number, ok: boolean, value: Value, source: Handle | undefined): void {
  if (h.state !== "pending") return;
  const data = h.data as CombinatorData;
  switch (h.kind) {
    case "all":
      if (!ok) return finish(m, h, "rejected", value);
      data.results[index] = value;
      if (--data.remaining === 0) finish(m, h, "fulfilled", shape(data, data.results));
      return;
    case "allSettled": {
      const entry = newObject();
      entry.status = ok ? "fulfilled" : "rejected";
      if (ok) entry.value = value;
      else entry.reason = value;
      data.results[index] = entry;
      if (--data.remaining === 0) finish(m, h, "fulfilled", shape(data, data.results));
      return;
    }
    case "race":
    case "any": {
      if (h.kind === "any" && !ok) {
        data.results[index] = value;
        if (--data.remaining === 0) finish(m, h, "rejected", aggregate(data.results));
        return;
      }
      // Host handles settled together (one batch of settlements) count as settling at the same
      // moment: the first of them in array or key order wins, not the first reaction to run.
      let pick = index;
      if (source && source.batch !== 0) {
        pick = data.inputs.findIndex(
          (x) =>
            x instanceof Handle &&
            x.batch === source.batch &&
            (h.kind === "race" ? x.state !== "pending" : x.state === "fulfilled"),
        );
      }
      const x = data.inputs[pick];
      const xOk = x instanceof Handle ? x.state === "fulfilled" : ok;
      const xValue = x instanceof Handle && pick !== index ? x.value : value;
      const result = xOk && data.keys ? keyedResult((data.keys as string[])[pick], xValue) : xValue;
      return finish(m, h, xOk ? "fulfilled" : "rejected", result);
    }
  }
}

function finish(m: Machine, h: Handle, state: "fulfilled" | "rejected", value: Value): void {
  // The inputs are no longer needed; dropping them lets a losing signal wait give up its place.
  h.data = null;
  settle(m, h, state, value);
}

function shape(data: CombinatorData, results: Value[]): Value {
  if (!data.keys) return results;
  const out = newObject();
  (data.keys as string[]).forEach((k, i) => (out[k] = results[i]));
  return out;
}

function keyedResult(key: string, value: Value): FlowObject {
  const out = newObject();
  out.key = key;
  out.value = value;
  return out;
}

function aggregate(errors: Value[]): FlowObject {
  return makeError("AggregateError", "All promises were rejected", { errors });
}
