// The dashboard's one way to the server: JSON requests to /api/v1 with the token when the server
// has one (kept for the tab in sessionStorage; a `#token=` fragment in the printed URL sets it),
// errors as ApiError with the server's code and message. The types are the server's own.

import type { Execution } from "../store/execution.js";
import type { Timeline, VersionSummary } from "../store/overview.js";
import type { LiveWorker } from "../store/workers.js";
import type { QueueOverview } from "../client/queues.js";
import type { Throughput } from "../client/throughput.js";
import type { ExecutionInspection as Inspection } from "../client/inspect.js";
import type { Schedule } from "../store/schedules.js";
import type { ForkResult, VariableChange } from "../client/operations.js";
import type { RunUpgrade } from "../client/upgrade.js";

export type {
  Execution,
  Inspection,
  Timeline,
  QueueOverview,
  Throughput,
  LiveWorker,
  VersionSummary,
  Schedule,
  ForkResult,
  VariableChange,
  RunUpgrade,
};

export interface Page {
  executions: Execution[];
  next: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = "rhythm-token";
/** Dispatched on window when the server asks for a token. */
export const AUTH_NEEDED = "rhythm-auth-needed";

/** Takes a token given in the URL's fragment (never sent to the server) and removes it from the address bar. */
export function adoptTokenFromUrl(): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(history.state, "", location.pathname + location.search);
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers: headers(method === "POST" ? { "Content-Type": "application/json" } : {}),
      body: method === "POST" ? JSON.stringify(body ?? null) : undefined,
    });
  } catch {
    throw new ApiError(0, "UNREACHABLE", "the Rhythm server does not answer (is rhythm dev or rhythm dashboard still running?)");
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text === "" ? null : JSON.parse(text);
  } catch {
    throw new ApiError(response.status, "BAD_RESPONSE", `the server answered ${response.status} with something that is not JSON`);
  }
  if (response.status === 401) window.dispatchEvent(new Event(AUTH_NEEDED));
  if (!response.ok) {
    const e = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, e?.code ?? "ERROR", e?.message ?? `the server answered ${response.status}`);
  }
  return data as T;
}

const q = (params: Record<string, string | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") s.set(k, v);
  const text = s.toString();
  return text ? `?${text}` : "";
};
const id = (s: string) => encodeURIComponent(s);

export const api = {
  list: (filter: Record<string, string | undefined>) => request<Page>("GET", `/executions${q(filter)}`),
  get: (executionId: string) => request<Execution>("GET", `/executions/${id(executionId)}`),
  timeline: (executionId: string) => request<Timeline>("GET", `/executions/${id(executionId)}/timeline`),
  inspect: (executionId: string) => request<Inspection>("GET", `/executions/${id(executionId)}/inspect`),
  counts: () => request<{ queued: number; running: number; suspended: number }>("GET", "/counts"),
  queues: () => request<{ queues: QueueOverview[]; throughput: Throughput }>("GET", "/queues"),
  workers: () => request<{ workers: LiveWorker[] }>("GET", "/workers"),
  workflows: () => request<{ workflows: { name: string; versions: Omit<VersionSummary, "name">[] }[] }>("GET", "/workflows"),
  source: (name: string, version: string) =>
    request<{ name: string; version: string; source: string; deployedAt: string }>(
      "GET",
      `/workflows/${id(name)}/versions/${id(version)}`,
    ),
  signal: (executionId: string, name: string, payload: unknown, force = false) =>
    request<{ sent: true }>("POST", `/executions/${id(executionId)}/signals/${id(name)}${force ? "?force=true" : ""}`, payload),
  cancel: (executionId: string) => request<Execution>("POST", `/executions/${id(executionId)}/cancel`, {}),
  retry: (executionId: string) => request<Execution>("POST", `/executions/${id(executionId)}/retry`, { by: "dashboard" }),
  fork: (executionId: string) => request<ForkResult>("POST", `/executions/${id(executionId)}/fork`, { by: "dashboard" }),
  upgrade: (executionId: string, to: string, dryRun: boolean) =>
    request<RunUpgrade>("POST", `/executions/${id(executionId)}/upgrade`, { to, dryRun, by: "dashboard" }),
  setVariable: (executionId: string, name: string, value: unknown, frame: number) =>
    request<VariableChange>("POST", `/executions/${id(executionId)}/variables`, { name, value, frame, by: "dashboard" }),
  schedules: () => request<{ schedules: Schedule[] }>("GET", "/schedules"),
  pauseSchedule: (name: string) => request<Schedule>("POST", `/schedules/${id(name)}/pause`, {}),
  resumeSchedule: (name: string) => request<Schedule>("POST", `/schedules/${id(name)}/resume`, {}),
  triggerSchedule: (name: string) => request<{ id: string }>("POST", `/schedules/${id(name)}/trigger`, {}),
};
