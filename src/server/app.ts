// The server's one Hono app: the guard (host, token, cross-site actions), the API under /api/v1,
// the dashboard's page and files, the security headers of every answer (a strict Content-Security-
// Policy: scripts, styles and fonts from this server only, nothing inline), and the one place
// where errors become `{ error: { code, message } }`.

import { Hono } from "hono";
import type { Rhythm } from "../client/rhythm.js";
import { api } from "./api.js";
import { loadAssets, page, type Asset } from "./assets.js";
import { guard } from "./guard.js";
import { ApiError, errorResponse } from "./http-errors.js";
import { LiveHub } from "./live.js";
import { metricsText } from "./metrics.js";
import { CONTENT_TYPE } from "./prometheus.js";
import { enableProcessMetrics } from "../worker/process-metrics.js";

export interface AppOptions {
  /** null: no auth (the server must be bound to loopback). */
  token: string | null;
  maxBodyBytes: number;
  report: (e: unknown) => void;
  /** The dashboard's built files (default: the ones the build wrote). */
  assets?: Map<string, Asset>;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Paths the dashboard's page answers (the app reads the path and shows the right view). */
const PAGES = ["/", "/executions/:id", "/queues", "/schedules", "/versions", "/versions/:name"];

export function createApp(rhythm: Rhythm, options: AppOptions): { app: Hono; hub: LiveHub } {
  const hub = new LiveHub((listener) => rhythm.onChange(listener));
  const assets = options.assets ?? loadAssets();
  const html = page(assets);
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
    c.header("Cross-Origin-Opener-Policy", "same-origin");
    c.header("Cross-Origin-Resource-Policy", "same-origin");
  });
  app.use(guard(options.token));

  app.route("/api/v1", api(rhythm, { maxBodyBytes: options.maxBodyBytes, hub, report: options.report }));
  app.all("/api/*", (c) => {
    throw new ApiError(404, "NOT_FOUND", `no route ${c.req.method} ${c.req.path} (the routes: /api/v1/openapi.json)`);
  });

  // Prometheus text; the workers of this process count from now on (docs/telemetry.md)
  const tally = enableProcessMetrics();
  app.get("/metrics", async (c) => c.body(await metricsText(rhythm, tally), 200, { "Content-Type": CONTENT_TYPE }));

  for (const path of PAGES) app.get(path, (c) => c.html(html));
  app.get("/assets/:file", (c) => {
    const asset = assets.get(c.req.param("file"));
    if (!asset) return c.text("not found", 404);
    if (c.req.header("if-none-match") === asset.etag) return c.body(null, 304);
    c.header("ETag", asset.etag);
    c.header("Cache-Control", "no-cache");
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { "Content-Type": asset.type });
  });

  app.notFound((c) => c.text("not found", 404));
  app.onError((e, c) => {
    const { status, body } = errorResponse(e, options.report);
    return c.json(body, status as 400);
  });
  return { app, hub };
}
