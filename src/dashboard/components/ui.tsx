// Small pieces every view uses: status badges, times, JSON values, panels, notices.

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { ApiError } from "../api.js";
import { clock, fullTime, pretty, relative } from "../format.js";
import { layoutShown } from "../value-text.js";

export const STATUSES = ["queued", "running", "suspended", "completed", "failed", "cancelled"] as const;

const STATUS_LABEL: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  suspended: "Suspended",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function StatusBadge({ status, large = false }: { status: string; large?: boolean }) {
  return (
    <span class={`badge status-${status}${large ? " badge-large" : ""}`} data-status={status}>
      <span class="dot" />
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}

export function KindTag({ kind }: { kind: string }) {
  return <span class={`kind kind-${kind}`}>{kind === "workflow" ? "workflow" : "task"}</span>;
}

/** A time shown relative ("3m ago") with the full time on hover, or as a clock time. */
export function Time({
  iso,
  now,
  mode = "relative",
}: {
  iso: string | null | undefined;
  now?: number;
  mode?: "relative" | "clock";
}) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={fullTime(iso)}>
      {mode === "clock" ? clock(iso) : relative(iso, now)}
    </time>
  );
}

/** A JSON value (or inspect's shown value), as text; a long one folds after a few lines. */
export function Json({
  value,
  text,
  fold = 14,
  inspected = false,
}: {
  value?: unknown;
  text?: string;
  fold?: number;
  inspected?: boolean;
}) {
  const shown = text ?? (inspected ? layoutShown(value) : pretty(value));
  const lines = shown.split("\n");
  const [open, setOpen] = useState(false);
  const long = lines.length > fold + 2 || shown.length > 4000;
  const visible = long && !open ? lines.slice(0, fold).join("\n").slice(0, 4000) : shown;
  return (
    <div class="json">
      <pre>{visible}</pre>
      {long && (
        <button class="link" type="button" onClick={() => setOpen(!open)}>
          {open ? "Show less" : `Show all (${lines.length} lines)`}
        </button>
      )}
    </div>
  );
}

export function Panel({
  title,
  aside,
  children,
  class: cls = "",
}: {
  title?: ComponentChildren;
  aside?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`panel ${cls}`}>
      {(title || aside) && (
        <header class="panel-head">
          <h2>{title}</h2>
          {aside && <div class="panel-aside">{aside}</div>}
        </header>
      )}
      <div class="panel-body">{children}</div>
    </section>
  );
}

export function Notice({
  tone,
  title,
  children,
}: {
  tone: "info" | "warn" | "danger" | "paused";
  title?: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <div class={`notice notice-${tone}`} role={tone === "danger" ? "alert" : undefined}>
      {title && <div class="notice-title">{title}</div>}
      {children && <div class="notice-body">{children}</div>}
    </div>
  );
}

export function LoadError({ error }: { error: Error | null }) {
  if (!error) return null;
  const code = (error as ApiError).code;
  return (
    <Notice tone="danger" title={code === "UNREACHABLE" ? "Server unreachable" : "Could not load"}>
      {error.message}
    </Notice>
  );
}

export function Loading() {
  return <div class="loading">Loading…</div>;
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <div class="empty-title">{title}</div>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

export function Copy({ text, label = "Copy" }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      class="copy"
      type="button"
      title="Copy to clipboard"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1200);
        });
      }}
    >
      {done ? "Copied" : label}
    </button>
  );
}
