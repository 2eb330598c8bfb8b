// Who may ask what. Bound to a loopback address with no token, the server answers only requests
// that name it as localhost (a page elsewhere that rebinds its DNS name to 127.0.0.1 gets 403).
// With a token (required when bound elsewhere), every /api request (and /metrics) carries `Authorization:
// Bearer <token>`, compared in constant time. Actions (POST) must be JSON and come from the
// server's own pages: a form another site posts, or a script of another site, is refused.

import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./http-errors.js";

/** The shortest token accepted (a guessable one would make the refusal to start pointless). */
export const MIN_TOKEN_LENGTH = 16;

/** Whether `host` (a bind address or a Host header's name) is this machine's loopback. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h === "::1" || h === "0:0:0:0:0:0:0:1";
}

/** The name part of a Host header (`localhost:8488` → `localhost`, `[::1]:80` → `[::1]`). */
function hostName(hostHeader: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(hostHeader.trim());
  return m ? m[1] : hostHeader;
}

/**
 * The checks every request goes through. `token` null: no auth (loopback only). Requests whose
 * Host is not loopback are refused then, since only DNS rebinding makes a browser send them.
 */
export function guard(token: string | null): MiddlewareHandler {
  const expected = token === null ? null : digest(token);
  return async (c, next) => {
    if (expected === null) {
      const host = c.req.header("host") ?? "";
      if (!isLoopback(hostName(host)))
        throw new ApiError(
          403,
          "FORBIDDEN",
          `this server answers only requests to localhost (Host was "${host.slice(0, 100)}"); to serve other hosts, bind it elsewhere with RHYTHM_API_TOKEN set`,
        );
    } else if (c.req.path.startsWith("/api/") || c.req.path === "/metrics") {
      const given = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
      if (given === undefined)
        throw new ApiError(401, "UNAUTHENTICATED", "this server needs a token: send Authorization: Bearer <RHYTHM_API_TOKEN>");
      if (!timingSafeEqual(digest(given), expected)) throw new ApiError(403, "FORBIDDEN", "the token is not the server's");
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") sameSiteJson(c.req.raw, c.req.header("host") ?? "");
    await next();
    if (token !== null) c.header("Cache-Control", "no-store");
  };
}

/**
 * An action must say it is JSON (a form cannot send that without a CORS preflight, which this
 * server never grants), and when the browser says where it comes from, it must be this server.
 */
function sameSiteJson(req: Request, host: string): void {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json")
    throw new ApiError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `send actions as JSON: Content-Type: application/json (got ${type === "" ? "none" : `"${type.slice(0, 100)}"`})`,
    );
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none")
    throw new ApiError(403, "FORBIDDEN", `cross-site request refused (Sec-Fetch-Site: ${site.slice(0, 50)})`);
  const origin = req.headers.get("origin");
  if (origin !== null) {
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      // "null" (a sandboxed frame, a file) or garbage: not this server
    }
    if (originHost !== host.toLowerCase())
      throw new ApiError(403, "FORBIDDEN", `cross-site request refused (Origin: ${origin.slice(0, 100)})`);
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
