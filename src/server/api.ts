// The HTTP API under /api/v1 (SPEC §7; docs/http-api.md): starting and reading executions,
// signals, cancel and retry, what the dashboard shows (timeline, logs, queues, workers, versions,
// counts, live events), and its own OpenAPI document. Each route checks its parameters and calls
// the public client API; errors render at one boundary (app.ts).

import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { ExecutionFinishedError } from "../client/errors.js";
import type { Rhythm } from "../client/rhythm.js";
import type { ListFilter } from "../store/types.js";
import { isFinalStatus } from "../shared/statuses.js";
import { scheduleRoutes } from "./api-schedules.js";
import { ApiError, errorResponse } from "./http-errors.js";
import type { LiveHub } from "./live.js";
import { OPENAPI } from "./openapi.js";
import { operationRoutes } from "./operations-api.js";

export interface ApiOptions {
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  hub: LiveHub;
  /** Where unexpected errors are reported (the server's log). */
  report: (e: unknown) => void;
}

/** What a page of executions holds at most, and by default. */
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 50;
/** SSE comment sent this often keeps proxies and browsers from closing an idle stream. */
const KEEPALIVE_MS = 20_000;

const START_OPTIONS = ["queue", "priority", "runAt", "delay", "idempotencyKey", "debounce", "concurrency", "rateLimit"];
const TASK_OPTIONS = [...START_OPTIONS, "retries", "timeout"];
// a workflow's `timeout` (SPEC §9): the whole run
const WORKFLOW_OPTIONS = [...START_OPTIONS, "timeout"];
const LIST_PARAMS = ["status", "name", "queue", "kind", "parent", "topLevel", "limit", "after", "idPrefix"];

export function api(rhythm: Rhythm, options: ApiOptions): Hono {
  const app = new Hono();
  const limit = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: (c) => {
      const e = new ApiError(413, "PAYLOAD_TOO_LARGE", `the request body is over the limit of ${options.maxBodyBytes} bytes`);
      const { status, body } = errorResponse(e, options.report);
      return c.json(body, status as 413);
    },
  });

  app.get("/openapi.json", (c) => c.json(OPENAPI));

  // ── starting work ───────────────────────────────────────────────────────────────────────────

  app.post("/workflows/:name", limit, async (c) => {
    const { inputs, options: o } = await startBody(c, WORKFLOW_OPTIONS);
    const id = await rhythm.startWorkflow(c.req.param("name"), inputs ?? {}, o);
    return c.json({ id }, 201);
  });

  app.post("/tasks/:name", limit, async (c) => {
    const { inputs, options: o } = await startBody(c, TASK_OPTIONS);
    const id = await rhythm.queueTask(c.req.param("name"), inputs ?? null, o);
    return c.json({ id }, 201);
  });

  // ── executions ──────────────────────────────────────────────────────────────────────────────

  app.get("/executions", async (c) => {
    const q = c.req.query();
    for (const key of Object.keys(q))
      if (!LIST_PARAMS.includes(key))
        throw new ApiError(
          400,
          "INVALID_ARGUMENT",
          `unknown query parameter "${key.slice(0, 50)}" (known: ${LIST_PARAMS.join(", ")})`,
        );
    const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      throw new ApiError(400, "INVALID_ARGUMENT", `limit must be an integer from 1 to ${MAX_LIMIT}`);
    if (q.idPrefix !== undefined) {
      if (Object.keys(q).some((k) => k !== "idPrefix" && k !== "limit"))
        throw new ApiError(400, "INVALID_ARGUMENT", "idPrefix goes with limit only");
      return c.json({ executions: await rhythm.searchIds(q.idPrefix, limit), next: null });
    }
    const filter: ListFilter = { limit };
    if (q.status !== undefined) filter.status = q.status as ListFilter["status"];
    if (q.kind !== undefined) filter.kind = q.kind as ListFilter["kind"];
    if (q.name !== undefined) filter.name = q.name;
    if (q.queue !== undefined) filter.queue = q.queue;
    if (q.parent !== undefined) filter.parentId = q.parent;
    if (q.topLevel !== undefined) {
      if (q.topLevel !== "true" && q.topLevel !== "false")
        throw new ApiError(400, "INVALID_ARGUMENT", "topLevel must be true or false");
      filter.topLevel = q.topLevel === "true";
    }
    if (q.after !== undefined) filter.after = q.after;
    const executions = await rhythm.list(filter);
    return c.json({ executions, next: executions.length === limit ? executions[executions.length - 1].id : null });
  });

  app.get("/executions/:id", async (c) => {
    const id = c.req.param("id");
    return c.json(found(id, await rhythm.get(id)));
  });

  app.get("/executions/:id/timeline", async (c) => c.json(await rhythm.timeline(c.req.param("id"))));

  app.get("/executions/:id/logs", async (c) => {
    const id = c.req.param("id");
    found(id, await rhythm.get(id));
    return c.json({ logs: await rhythm.logs(id) });
  });

  app.get("/executions/:id/inspect", async (c) => c.json(await rhythm.inspect(c.req.param("id"))));

  app.post("/executions/:id/signals/:signal", limit, async (c) => {
    const force = c.req.query("force");
    if (force !== undefined && force !== "true" && force !== "false")
      throw new ApiError(400, "INVALID_ARGUMENT", "force must be true or false");
    const payload = await jsonBody(c);
    await rhythm.signal(c.req.param("id"), c.req.param("signal"), payload === undefined ? null : payload, {
      force: force === "true",
    });
    return c.json({ sent: true });
  });

  app.post("/executions/:id/cancel", limit, async (c) => {
    const id = c.req.param("id");
    await jsonBody(c);
    const before = found(id, await rhythm.get(id));
    // cancelling twice is fine; cancelling what finished otherwise is a conflict
    if (isFinalStatus(before.status) && before.status !== "cancelled") throw new ExecutionFinishedError(id, before.status);
    return c.json(await rhythm.cancel(id));
  });

  // retry, fork, set a variable: operations on paused runs
  operationRoutes(app, rhythm, limit);

  scheduleRoutes(app, rhythm, limit);

  // ── what the dashboard shows ────────────────────────────────────────────────────────────────

  app.get("/counts", async (c) => c.json(await rhythm.statusCounts()));

  app.get("/queues", async (c) => {
    const [queues, throughput] = await Promise.all([rhythm.queues(), rhythm.throughput()]);
    return c.json({ queues, throughput });
  });

  app.get("/workers", async (c) => c.json({ workers: await rhythm.workers() }));

  app.get("/workflows", async (c) => {
    const versions = await rhythm.workflowVersions();
    const byName = new Map<string, { name: string; versions: Omit<(typeof versions)[number], "name">[] }>();
    for (const { name, ...v } of versions) {
      let w = byName.get(name);
      if (!w) byName.set(name, (w = { name, versions: [] }));
      w.versions.push(v);
    }
    return c.json({ workflows: [...byName.values()] });
  });

  app.get("/workflows/:name/versions/:version", async (c) => {
    const { name, version } = c.req.param();
    const found = await rhythm.workflowSource(name, version);
    if (!found) throw new ApiError(404, "VERSION_NOT_FOUND", `no version ${version} of workflow "${name}" is stored`);
    return c.json(found);
  });

  app.get("/events", async (c) => {
    return streamSSE(c, async (stream) => {
      let leave: () => void = () => {};
      const done = new Promise<void>((resolve) => stream.onAbort(resolve));
      leave = await options.hub.join((event) => void stream.writeSSE({ event: "change", data: JSON.stringify(event) }));
      await stream.writeSSE({ event: "ready", data: "{}" });
      const keepalive = setInterval(() => void stream.write(": keepalive\n\n"), KEEPALIVE_MS);
      try {
        await done;
      } finally {
        clearInterval(keepalive);
        leave();
      }
    });
  });

  return app;

  function found<T>(id: string, e: T | null): T {
    if (e === null) throw new ApiError(404, "EXECUTION_NOT_FOUND", `no execution with id "${id.slice(0, 100)}"`);
    return e;
  }
}

/** The parsed JSON body, or undefined when there is none. */
async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, "INVALID_ARGUMENT", `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** `{ inputs, options }` of a start, with only the options that kind of start takes. */
async function startBody(c: Context, known: string[]): Promise<{ inputs: unknown; options: Record<string, never> }> {
  const body = await jsonBody(c);
  if (body === undefined) return { inputs: undefined, options: {} };
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new ApiError(400, "INVALID_ARGUMENT", 'the body must be an object: { "inputs": …, "options": { … } }');
  for (const key of Object.keys(body))
    if (key !== "inputs" && key !== "options")
      throw new ApiError(
        400,
        "INVALID_ARGUMENT",
        `unknown field "${key.slice(0, 50)}" in the body (it takes inputs and options)`,
      );
  const { inputs, options = {} } = body as { inputs?: unknown; options?: unknown };
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new ApiError(400, "INVALID_ARGUMENT", "options must be an object");
  for (const key of Object.keys(options))
    if (!known.includes(key))
      throw new ApiError(400, "INVALID_ARGUMENT", `unknown option "${key.slice(0, 50)}" (known: ${known.join(", ")})`);
  return { inputs, options: options as Record<string, never> };
}
