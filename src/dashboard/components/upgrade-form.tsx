// The execution page's upgrade of a paused run (docs/operations.md): the target version (the
// newest by default, or any stored version of the workflow), the dry run shown first — the await
// it is paused at, the one it continues at, the variables kept, added and dropped, or the exact
// reason it cannot move — and only then a button that moves it to the version the dry run named.

import { useEffect, useState } from "preact/hooks";
import { api, type Execution, type RunUpgrade, type VersionSummary } from "../api.js";
import { shortVersion } from "../format.js";

type Version = Omit<VersionSummary, "name">;

export function UpgradeForm({
  execution: e,
  busy,
  onUpgrade,
}: {
  execution: Execution;
  busy: boolean;
  /** Moves the run to this exact version (the one the dry run resolved). */
  onUpgrade: (version: string) => void;
}) {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [target, setTarget] = useState("latest");
  const [plan, setPlan] = useState<RunUpgrade | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    api
      .workflows()
      .then((w) => setVersions(w.workflows.find((x) => x.name === e.name)?.versions ?? []))
      .catch((err: Error) => setProblem(err.message));
  }, [e.name]);
  useEffect(() => {
    let current = true;
    setPlan(null);
    setProblem(null);
    api
      .upgrade(e.id, target, true)
      .then((p) => current && setPlan(p))
      .catch((err: Error) => current && setProblem(err.message));
    return () => {
      current = false;
    };
  }, [e.id, target, e.version]);

  return (
    <div class="popover upgrade-form">
      <label>
        <span>Target version</span>
        <select value={target} onChange={(ev) => setTarget((ev.target as HTMLSelectElement).value)}>
          <option value="latest">latest{versions?.[0] ? ` (${shortVersion(versions[0].version)})` : ""}</option>
          {(versions ?? []).map((v) => (
            <option key={v.version} value={v.version}>
              {shortVersion(v.version)} · {v.deployedAt.slice(0, 16).replace("T", " ")}
              {v.version === e.version ? " (current)" : ""}
            </option>
          ))}
        </select>
      </label>
      <div class="dry-run" aria-live="polite">
        {problem ? (
          <div class="field-problem">{problem}</div>
        ) : !plan ? (
          <p class="muted small">Checking where it would continue…</p>
        ) : plan.movable ? (
          <Mapping plan={plan} />
        ) : (
          <div class="upgrade-refused">
            <strong>Cannot move:</strong> <span class="upgrade-reason">{plan.reason}</span>
            <p class="muted small">It keeps its version ({shortVersion(plan.from)}).</p>
          </div>
        )}
      </div>
      <div class="row">
        <button
          class="button primary"
          type="button"
          disabled={busy || !plan?.movable || !plan.to}
          onClick={() => plan?.to && onUpgrade(plan.to)}
        >
          {plan?.movable && plan.to ? `Upgrade to ${shortVersion(plan.to)}` : "Upgrade"}
        </button>
      </div>
    </div>
  );
}

/** The dry run of a run that can move: from which await to which, and what happens to its variables. */
function Mapping({ plan }: { plan: RunUpgrade }) {
  const site = (s: RunUpgrade["at"]) =>
    s ? (
      <>
        line {s.line}: <code>await {s.text}</code>
      </>
    ) : (
      "—"
    );
  const names = (label: string, list: string[] | undefined) => (
    <tr>
      <th>{label}</th>
      <td class="mono">{list && list.length > 0 ? list.join(", ") : <span class="muted">none</span>}</td>
    </tr>
  );
  return (
    <table class="upgrade-mapping">
      <tbody>
        <tr>
          <th>Paused at</th>
          <td>
            {site(plan.at)} <span class="muted">({shortVersion(plan.from)})</span>
          </td>
        </tr>
        <tr>
          <th>Continues at</th>
          <td>
            {site(plan.continuesAt)} <span class="muted">({shortVersion(plan.to)})</span>
          </td>
        </tr>
        {names("Kept", plan.kept)}
        {names("Added", plan.added)}
        {names("Dropped", plan.dropped)}
      </tbody>
    </table>
  );
}
