// Plain HTTP requests for the server's tests (node:http, so that any header — Host, Origin,
// Sec-Fetch-Site — is sent exactly as given), and reading an event stream.

import { request as httpRequest } from "node:http";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function request(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export const JSON_HEADERS = { "Content-Type": "application/json" };

/** A POST of a JSON value, as the dashboard sends it. */
export function post(base: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(base, path, {
    method: "POST",
    headers: { ...JSON_HEADERS, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Opens /api/v1/events; `next(event)` resolves with the data of the next event of that name. */
export function events(base: string, headers: Record<string, string> = {}) {
  const seen: { event: string; data: string }[] = [];
  const waiters: { event: string; resolve: (data: string) => void }[] = [];
  let buffer = "";
  const req = httpRequest(new URL("/api/v1/events", base), { headers }, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1] ?? "";
        if (!event) continue;
        const w = waiters.findIndex((x) => x.event === event);
        if (w >= 0) waiters.splice(w, 1)[0].resolve(data);
        else seen.push({ event, data });
      }
    });
  });
  req.on("error", () => {});
  req.end();
  return {
    next(event: string, timeoutMs = 15_000): Promise<string> {
      const i = seen.findIndex((x) => x.event === event);
      if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0].data);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no "${event}" event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          event,
          resolve: (d) => {
            clearTimeout(t);
            resolve(d);
          },
        });
      });
    },
    close: () => req.destroy(),
  };
}
