// What a person can do to an execution: send a signal to a workflow (the names it waits for
// offered first), cancel it (after a confirmation in the page, not a browser dialog), retry a
// failed task no workflow waits for or a failed workflow from its failed await, set a paused
// workflow's variable, upgrade it to another version (its dry run shown first), fork it. Each action says what happened, or why it was refused.

import { useState } from "preact/hooks";
import { api, type ApiError, type Execution, type Inspection, type Timeline } from "../api.js";
import { signalNames } from "../signals.js";
import { navigate } from "../router.js";
import { forkedText, SetVariableForm } from "./operation-forms.js";
import { UpgradeForm } from "./upgrade-form.js";

const FINAL = ["completed", "failed", "cancelled"];

export function Actions({
  execution: e,
  timeline,
  inspection,
  onDone,
}: {
  execution: Execution;
  timeline: Timeline | null;
  inspection: Inspection | null;
  onDone: () => void;
}) {
  const [open, setOpen] = useState<"signal" | "cancel" | "set" | "upgrade" | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string; retry?: () => void; link?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const live = !FINAL.includes(e.status);
  const retryable = e.status === "failed" && (e.kind === "workflow" || e.parentId === null);
  // a paused (or failed) workflow's saved state can be changed or copied
  const paused = e.kind === "workflow" && (e.status === "suspended" || e.status === "failed") && inspection !== null;

  const act = async <T,>(
    what: () => Promise<T>,
    done: string | ((r: T) => string),
    anyway?: () => void,
    link?: (r: T) => string,
  ) => {
    setBusy(true);
    setResult(null);
    try {
      const r = await what();
      setResult({ ok: true, text: typeof done === "string" ? done : done(r), link: link?.(r) });
      setOpen(null);
      onDone();
    } catch (err) {
      // a name the workflow never waits on may still be meant (a computed name, a later version)
      const retry = (err as ApiError).code === "UNKNOWN_SIGNAL" ? anyway : undefined;
      setResult({ ok: false, text: (err as Error).message, retry });
    } finally {
      setBusy(false);
    }
  };
  const signal = (name: string, payload: unknown, force = false): Promise<void> =>
    act(
      () => api.signal(e.id, name, payload, force),
      `Signal "${name}" sent`,
      force ? undefined : () => void signal(name, payload, true),
    );

  return (
    <div class="actions">
      <div class="action-buttons">
        {e.kind === "workflow" && live && (
          <button
            class={`button${open === "signal" ? " active" : " primary"}`}
            type="button"
            onClick={() => setOpen(open === "signal" ? null : "signal")}
          >
            Send signal
          </button>
        )}
        {retryable && (
          <button
            class="button primary"
            type="button"
            disabled={busy}
            onClick={() =>
              act(
                () => api.retry(e.id),
                e.kind === "workflow" ? "Continuing from its failed await" : "Queued again for one more attempt",
              )
            }
          >
            {e.kind === "workflow" ? "Retry from failed await" : "Retry"}
          </button>
        )}
        {paused && e.status === "suspended" && (
          <button
            class={`button${open === "set" ? " active" : ""}`}
            type="button"
            onClick={() => setOpen(open === "set" ? null : "set")}
          >
            Set variable
          </button>
        )}
        {paused && e.status === "suspended" && (
          <button
            class={`button${open === "upgrade" ? " active" : ""}`}
            type="button"
            onClick={() => setOpen(open === "upgrade" ? null : "upgrade")}
          >
            Upgrade
          </button>
        )}
        {paused && (
          <button
            class="button"
            type="button"
            disabled={busy}
            onClick={() =>
              act(
                () => api.fork(e.id),
                forkedText,
                undefined,
                (f) => `/executions/${f.id}`,
              )
            }
          >
            Fork
          </button>
        )}
        {live && (
          <button
            class={`button danger${open === "cancel" ? " active" : ""}`}
            type="button"
            onClick={() => setOpen(open === "cancel" ? null : "cancel")}
          >
            Cancel
          </button>
        )}
      </div>
      {open === "signal" && (
        <SignalForm
          names={signalNames(e, timeline, inspection)}
          busy={busy}
          onSend={(name, payload) => void signal(name, payload)}
        />
      )}
      {open === "set" && inspection && (
        <SetVariableForm
          inspection={inspection}
          busy={busy}
          onSet={(name, value, frame) =>
            void act(
              () => api.setVariable(e.id, name, value, frame),
              (c) => `${c.name} set (was ${JSON.stringify(c.old)})`,
            )
          }
        />
      )}
      {open === "upgrade" && paused && e.status === "suspended" && (
        <UpgradeForm
          execution={e}
          busy={busy}
          onUpgrade={(version) =>
            void act(
              async () => {
                const r = await api.upgrade(e.id, version, false);
                // refused after the dry run (it changed meanwhile): said as a failure, with the reason
                if (!r.moved) throw new Error(`Not upgraded: ${r.reason ?? "it cannot move"}`);
                return r;
              },
              (r) => `Upgraded to ${r.to!.slice(0, 10)}: continues at line ${r.continuesAt?.line}`,
            )
          }
        />
      )}
      {open === "cancel" && (
        <div class="popover confirm">
          <p>
            Cancel this {e.kind}?{" "}
            {e.kind === "workflow" && "Its running tasks are asked to stop and its child workflows are cancelled."}
          </p>
          <div class="row">
            <button class="button danger" type="button" disabled={busy} onClick={() => act(() => api.cancel(e.id), "Cancelled")}>
              Yes, cancel it
            </button>
            <button class="button" type="button" onClick={() => setOpen(null)}>
              Keep it
            </button>
          </div>
        </div>
      )}
      {result && (
        <div class={`action-result ${result.ok ? "ok" : "bad"}`} role="status">
          {result.text}
          {result.link && (
            <div>
              <a href={result.link} onClick={(ev) => (ev.preventDefault(), navigate(result.link!))}>
                Open it
              </a>
            </div>
          )}
          {result.retry && (
            <div>
              <button class="button small-button" type="button" onClick={result.retry}>
                Send anyway
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

function SignalForm({
  names,
  busy,
  onSend,
}: {
  names: string[];
  busy: boolean;
  onSend: (name: string, payload: unknown) => void;
}) {
  const [name, setName] = useState(names[0] ?? "");
  const [text, setText] = useState("{}");
  let problem: string | null = null;
  let payload: unknown = null;
  if (text.trim() !== "") {
    try {
      payload = JSON.parse(text);
    } catch (err) {
      problem = `Not JSON: ${(err as Error).message}`;
    }
  }
  return (
    <form
      class="popover signal-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        if (!problem && name.trim()) onSend(name.trim(), payload);
      }}
    >
      <label>
        <span>Signal name</span>
        <input
          value={name}
          list="signal-names"
          onInput={(ev) => setName((ev.target as HTMLInputElement).value)}
          placeholder="e.g. approval"
          required
        />
        <datalist id="signal-names">
          {names.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </label>
      {names.length > 0 && (
        <div class="chips">
          Waiting for:{" "}
          {names.map((n) => (
            <button key={n} type="button" class={`chip${n === name ? " active" : ""}`} onClick={() => setName(n)}>
              {n}
            </button>
          ))}
        </div>
      )}
      <label>
        <span>Payload (JSON)</span>
        <textarea rows={4} value={text} spellcheck={false} onInput={(ev) => setText((ev.target as HTMLTextAreaElement).value)} />
      </label>
      {problem && <div class="field-problem">{problem}</div>}
      <div class="row">
        <button class="button primary" type="submit" disabled={busy || !!problem || !name.trim()}>
          Send
        </button>
      </div>
    </form>
  );
}
