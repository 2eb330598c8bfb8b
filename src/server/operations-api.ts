// The HTTP API's operations on paused runs (docs/operations.md, docs/http-api.md): retry (a task,
// or a failed workflow from its failed await), set a variable, fork. Each calls the client API;
// who asked is the body's `by`, else "http api".

import type { Context, Hono, MiddlewareHandler } from "hono";
import type { Rhythm } from "../client/rhythm.js";
import { ApiError } from "./http-errors.js";

const DEFAULT_ACTOR = "http api";

export function operationRoutes(app: Hono, rhythm: Rhythm, limit: MiddlewareHandler): void {
  app.post("/executions/:id/retry", limit, async (c) => {
    const body = await objectBody(c, ["by", "version"]);
    if (body.version !== undefined && typeof body.version !== "string")
      throw new ApiError(400, "INVALID_ARGUMENT", "version must be a string");
    return c.json(await rhythm.retry(c.req.param("id"), { by: actor(body), version: body.version as string | undefined }));
  });

  app.post("/executions/:id/upgrade", limit, async (c) => {
    const body = await objectBody(c, ["to", "dryRun", "by"]);
    if (body.to !== undefined && typeof body.to !== "string") throw new ApiError(400, "INVALID_ARGUMENT", "to must be a string");
    if (body.dryRun !== undefined && typeof body.dryRun !== "boolean")
      throw new ApiError(400, "INVALID_ARGUMENT", "dryRun must be true or false");
    return c.json(
      await rhythm.upgrade(c.req.param("id"), {
        to: body.to as string | undefined,
        dryRun: body.dryRun === true,
        by: actor(body),
      }),
    );
  });

  app.post("/executions/:id/fork", limit, async (c) => {
    const body = await objectBody(c, ["by"]);
    return c.json(await rhythm.fork(c.req.param("id"), { by: actor(body) }), 201);
  });

  app.post("/executions/:id/variables", limit, async (c) => {
    const body = await objectBody(c, ["name", "value", "frame", "by"]);
    if (typeof body.name !== "string") throw new ApiError(400, "INVALID_ARGUMENT", "name must be a string");
    if (!("value" in body)) throw new ApiError(400, "INVALID_ARGUMENT", "value is required (any JSON value)");
    if (body.frame !== undefined && (typeof body.frame !== "number" || !Number.isInteger(body.frame) || body.frame < 0))
      throw new ApiError(400, "INVALID_ARGUMENT", "frame must be a whole number ≥ 0");
    const change = await rhythm.setVariable(c.req.param("id"), body.name, body.value, {
      frame: body.frame as number | undefined,
      by: actor(body),
    });
    return c.json(change);
  });
}

function actor(body: Record<string, unknown>): string {
  if (body.by === undefined) return DEFAULT_ACTOR;
  if (typeof body.by !== "string") throw new ApiError(400, "INVALID_ARGUMENT", "by must be a string");
  return body.by;
}

/** The body as an object of known fields ({} when empty). */
async function objectBody(c: Context, known: string[]): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, "INVALID_ARGUMENT", `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new ApiError(400, "INVALID_ARGUMENT", `the body must be an object (fields: ${known.join(", ")})`);
  for (const key of Object.keys(body))
    if (!known.includes(key))
      throw new ApiError(400, "INVALID_ARGUMENT", `unknown field "${key.slice(0, 50)}" (known: ${known.join(", ")})`);
  return body as Record<string, unknown>;
}
