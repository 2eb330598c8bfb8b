// The schedules of the HTTP API (docs/schedules.md): list, read, create or replace, delete,
// pause, resume, trigger. Options are checked by the client API (INVALID_ARGUMENT → 400).

import type { Context, Hono, MiddlewareHandler } from "hono";
import type { Rhythm } from "../client/rhythm.js";
import { ScheduleNotFoundError } from "../client/schedules.js";
import { ApiError } from "./http-errors.js";

const SCHEDULE_FIELDS = ["cron", "timezone", "workflow", "task", "inputs", "overlap", "catchup", "queue", "priority"];

export function scheduleRoutes(app: Hono, rhythm: Rhythm, limit: MiddlewareHandler): void {
  app.get("/schedules", async (c) => c.json({ schedules: await rhythm.schedules() }));

  app.get("/schedules/:name", async (c) => {
    const name = c.req.param("name");
    const s = await rhythm.getSchedule(name);
    if (!s) throw new ScheduleNotFoundError(name.slice(0, 100));
    return c.json(s);
  });

  app.put("/schedules/:name", limit, async (c) => {
    const body = await objectBody(c);
    for (const key of Object.keys(body))
      if (!SCHEDULE_FIELDS.includes(key))
        throw new ApiError(400, "INVALID_ARGUMENT", `unknown field "${key.slice(0, 50)}" (known: ${SCHEDULE_FIELDS.join(", ")})`);
    return c.json(await rhythm.schedule(c.req.param("name"), body as never));
  });

  app.delete("/schedules/:name", async (c) => {
    await rhythm.unschedule(c.req.param("name"));
    return c.json({ deleted: true });
  });

  app.post("/schedules/:name/pause", limit, async (c) => {
    await objectBody(c, true);
    return c.json(await rhythm.pauseSchedule(c.req.param("name")));
  });

  app.post("/schedules/:name/resume", limit, async (c) => {
    await objectBody(c, true);
    return c.json(await rhythm.resumeSchedule(c.req.param("name")));
  });

  app.post("/schedules/:name/trigger", limit, async (c) => {
    await objectBody(c, true);
    return c.json({ id: await rhythm.triggerSchedule(c.req.param("name")) }, 201);
  });
}

/** The JSON object of the body (`optional`: an empty body is {}). */
async function objectBody(c: Context, optional = false): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "" && optional) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, "INVALID_ARGUMENT", `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new ApiError(400, "INVALID_ARGUMENT", "the body must be a JSON object");
  return body as Record<string, unknown>;
}
