// The execution page's operations on a paused run (docs/operations.md): set a variable of a
// frame (the frame and the name chosen from what inspect shows, the value as JSON, prefilled
// with the current one when it is JSON), and the answer of a fork with a link to the new run.

import { useState } from "preact/hooks";
import type { ForkResult, Inspection } from "../api.js";

/** What inspect shows, as JSON text for the editor when the value is plain JSON (no `$type` tags). */
function jsonText(v: unknown): string {
  const text = JSON.stringify(v, null, 2) ?? "null";
  return text.includes('"$type"') ? "" : text;
}

export function SetVariableForm({
  inspection,
  busy,
  onSet,
}: {
  inspection: Inspection;
  busy: boolean;
  onSet: (name: string, value: unknown, frame: number) => void;
}) {
  const [frame, setFrame] = useState(0);
  const variables = inspection.stack[frame]?.variables ?? {};
  const names = Object.keys(variables);
  const [name, setName] = useState(names[0] ?? "");
  const [text, setText] = useState(jsonText(variables[names[0]]));
  let problem: string | null = null;
  let value: unknown = null;
  try {
    value = JSON.parse(text);
  } catch (err) {
    problem = `Not JSON: ${(err as Error).message}`;
  }
  const choose = (n: string, f = frame) => {
    setName(n);
    setText(jsonText(inspection.stack[f]?.variables[n]));
  };
  return (
    <form
      class="popover signal-form set-variable-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        if (!problem && name) onSet(name, value, frame);
      }}
    >
      {inspection.stack.length > 1 && (
        <label>
          <span>Frame</span>
          <select
            value={frame}
            onChange={(ev) => {
              const f = Number((ev.target as HTMLSelectElement).value);
              setFrame(f);
              choose(Object.keys(inspection.stack[f]?.variables ?? {})[0] ?? "", f);
            }}
          >
            {inspection.stack.map((s, n) => (
              <option key={n} value={n}>
                {n}: {s.function}, line {s.line}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        <span>Variable</span>
        <select value={name} onChange={(ev) => choose((ev.target as HTMLSelectElement).value)}>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>New value (JSON)</span>
        <textarea rows={4} value={text} spellcheck={false} onInput={(ev) => setText((ev.target as HTMLTextAreaElement).value)} />
      </label>
      {problem && <div class="field-problem">{problem}</div>}
      <p class="muted small">The change is recorded in the run's log with the old value.</p>
      <div class="row">
        <button class="button primary" type="submit" disabled={busy || !!problem || !name}>
          Set
        </button>
      </div>
    </form>
  );
}

export function forkedText(f: ForkResult): string {
  const parts = [`Forked as ${f.id.slice(0, 8)}`];
  if (f.started.length > 0) parts.push(`${f.started.length} awaited task(s) started again for it`);
  if (f.copied.length > 0) parts.push(`${f.copied.length} result(s) copied`);
  return parts.join("; ");
}
