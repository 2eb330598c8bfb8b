// The dashboard's built files (npm run build bundles src/dashboard/ into dist/src/dashboard/assets/
// with esbuild), read once into memory and served with their type and an ETag, and the one
// HTML page every dashboard path answers with. Nothing is fetched from elsewhere.

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../dashboard/assets/", import.meta.url));

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".woff2": "font/woff2",
  ".svg": "image/svg+xml",
  ".map": "application/json; charset=utf-8",
};

export interface Asset {
  body: Uint8Array;
  type: string;
  etag: string;
}

/** The built files by name; empty when the dashboard was not built. */
export function loadAssets(dir = DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(dir + name);
    assets.set(name, { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` });
  }
  return assets;
}

/** The page: a shell that loads the bundle (the app renders everything; no inline script or style). */
export function page(assets: Map<string, Asset>): string {
  const v = (name: string) => assets.get(name)?.etag.slice(1, 9) ?? "0";
  const body = assets.has("app.js")
    ? `<div id="app"></div><script type="module" src="/assets/app.js?v=${v("app.js")}"></script>`
    : `<p class="unbuilt">The dashboard is not built: run <code>npm run build</code>.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Rhythm</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css?v=${v("app.css")}">
</head>
<body>${body}</body>
</html>
`;
}
