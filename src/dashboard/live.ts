// Live updates: one event stream per tab (GET /api/v1/events, read with fetch so the token can go
// in a header), open only while the tab is visible — a browser gives a site six connections, and
// hidden tabs need no updates. Views subscribe with useLive(refresh): on a change the view's
// refresh runs, at most once a second, and once more when the tab comes back.

import { useEffect, useRef, useState } from "preact/hooks";
import { headers } from "./api.js";

type Listener = () => void;

const listeners = new Set<Listener>();
const statusListeners = new Set<(s: LiveStatus) => void>();
export type LiveStatus = "connecting" | "live" | "offline";
let status: LiveStatus = "connecting";
let abort: AbortController | null = null;
let retry: ReturnType<typeof setTimeout> | null = null;

function setStatus(s: LiveStatus): void {
  status = s;
  for (const l of statusListeners) l(s);
}

function notify(): void {
  for (const l of listeners) l();
}

async function connect(): Promise<void> {
  if (abort || document.visibilityState === "hidden") return;
  const controller = (abort = new AbortController());
  setStatus("connecting");
  try {
    const response = await fetch("/api/v1/events", {
      headers: headers({ Accept: "text/event-stream" }),
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1];
        if (event === "ready") {
          setStatus("live");
          // whatever happened while the stream was down
          notify();
        } else if (event === "change") notify();
      }
    }
  } catch {
    // aborted (hidden tab) or the server went away
  }
  if (abort === controller) {
    abort = null;
    setStatus("offline");
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, 2000);
  }
}

function disconnect(): void {
  const controller = abort;
  abort = null;
  controller?.abort();
  if (retry) clearTimeout(retry);
  retry = null;
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") disconnect();
  else void connect();
});

/** Calls `refresh` when the server says something changed (at most once a second). */
export function useLive(refresh: () => void): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const listener = () => {
      if (timer) return;
      const wait = Math.max(0, last + 1000 - Date.now());
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        latest.current();
      }, wait);
    };
    listeners.add(listener);
    void connect();
    return () => {
      listeners.delete(listener);
      if (timer) clearTimeout(timer);
    };
  }, []);
}

export function useLiveStatus(): LiveStatus {
  const [s, set] = useState(status);
  useEffect(() => {
    statusListeners.add(set);
    void connect();
    return () => void statusListeners.delete(set);
  }, []);
  return s;
}
