// What the database says changed (its NOTIFY payloads), as `onChange` hands it to subscribers:
// work queued on a queue, executions that finished, a new timer, a cancellation, or a reconnect
// after which anything may have changed. A claim or a workflow suspending sends none (NOTIFY
// serialises commits, so the worker's hot path sends only what wakes someone).

export type ChangeNotice =
  | { type: "queued"; queue: string }
  | { type: "finished"; ids: string[] }
  | { type: "timer" }
  | { type: "cancelled"; id: string }
  | { type: "reconnected" };

/** The notice of a payload (store/db.ts writes them), or null for one this version does not know. */
export function changeNotice(payload: string): ChangeNotice | null {
  if (payload === "") return { type: "reconnected" };
  if (payload === "t") return { type: "timer" };
  if (payload.startsWith("q:")) return { type: "queued", queue: payload.slice(2) };
  if (payload.startsWith("d:")) return { type: "finished", ids: payload.slice(2).split(",") };
  if (payload.startsWith("c:")) return { type: "cancelled", id: payload.slice(2) };
  return null;
}
