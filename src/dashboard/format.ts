// How times, durations, ids and values read on screen.

import { layout } from "./value-text.js";

/** "3s", "4m 12s", "2h 5m", "3d 4h". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  const s = Math.floor(abs / 1000);
  if (s < 60) return `${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

/** "12s ago", "in 3m", "just now". */
export function relative(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (Math.abs(ms) < 1500) return "just now";
  const text = duration(Math.abs(ms));
  return ms < 0 ? `${text} ago` : `in ${text}`;
}

/** "Dec 7, 14:03:12" (local time), for titles and tables. */
export function clock(iso: string): string {
  const d = new Date(iso);
  const sameDay = new Date().toDateString() === d.toDateString();
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  return sameDay ? time : `${d.toLocaleDateString(undefined, { month: "short", day: "numeric" })}, ${time}`;
}

export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function shortVersion(version: string | null): string {
  return version ? version.slice(0, 10) : "—";
}

/** A number with thousands separators; a capped count ("10,000+"). */
export function count(n: number, cap?: number): string {
  return cap !== undefined && n >= cap ? `${cap.toLocaleString("en-US")}+` : n.toLocaleString("en-US");
}

/** JSON text, short parts on one line. */
export function pretty(value: unknown): string {
  return layout(value);
}

/** JSON text given as text (timeline previews), pretty when it parses. */
export function prettyText(text: string | null, cut = false): string {
  if (text === null) return "null";
  if (cut) return `${text}…`;
  try {
    return pretty(JSON.parse(text));
  } catch {
    return text;
  }
}

/** The message of an error value as stored (`{ name, type, message, … }` or anything thrown). */
export function errorMessage(error: unknown): string {
  if (error === null || error === undefined) return "";
  if (typeof error === "object") {
    const e = error as { type?: unknown; name?: unknown; message?: unknown };
    const kind = typeof e.type === "string" ? e.type : typeof e.name === "string" ? e.name : "Error";
    return typeof e.message === "string" ? `${kind}: ${e.message}` : `${kind}: ${JSON.stringify(error)}`;
  }
  return String(error);
}
