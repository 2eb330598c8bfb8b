// The Chromium the browser tests and the screenshot script drive (never downloaded: the
// machine's own, /usr/bin/chromium or $CHROMIUM), with the flags a headless run as root needs.
// A missing browser is an error that says how to install it, not a skip.

import { existsSync } from "node:fs";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumPath(): string {
  const path = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(path))
    throw new Error(
      `no Chromium at ${path}: the dashboard's browser tests drive the machine's Chromium. Install it (Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y chromium) or set CHROMIUM to its path.`,
    );
  return path;
}
