// One execution: where it is and why (the paused line of its source and its variables, read
// from the saved state by inspect), what it started (a timeline of tasks, children, timers and
// signals with attempts, durations and errors), its log, and what a person can do: send a signal,
// cancel, retry, set a variable, fork (components/actions.tsx).

import { api, ApiError, type Execution, type Inspection, type Timeline } from "../api.js";
import { useData, useTick } from "../data.js";
import { duration, errorMessage, prettyText, shortId, shortVersion } from "../format.js";
import { useLive } from "../live.js";
import { Copy, Empty, Json, KindTag, LoadError, Loading, Notice, Panel, StatusBadge, Time } from "../components/ui.js";
import { SourceView, type Mark } from "../components/source.js";
import { Actions } from "../components/actions.js";
import { signalNames } from "../signals.js";
import { Icon } from "../components/icons.js";
import { oneLine } from "../value-text.js";

export function ExecutionPage({ id }: { id: string }) {
  const execution = useData(() => api.get(id), [id]);
  const timeline = useData(() => api.timeline(id), [id]);
  const e = execution.data;
  // a workflow's state (and so its variables) is kept while it is paused, and after it failed
  const inspectable = e?.kind === "workflow" && (e.status === "suspended" || e.status === "failed");
  // what inspect reads changes with the status and the wake-ups the saved state went through
  const stateKey = e ? `${e.status}:${e.attempt}:${JSON.stringify(e.waitingOn ?? [])}` : "";
  const inspection = useData<Inspection | null>(() => (inspectable ? api.inspect(id) : Promise.resolve(null)), [id, stateKey]);
  const source = useData(
    () => (e?.kind === "workflow" && e.version ? api.source(e.name, e.version) : Promise.resolve(null)),
    [e?.name, e?.version],
  );
  const now = useTick(1000);
  const reload = () => {
    execution.reload();
    timeline.reload();
    if (inspectable) inspection.reload();
  };
  useLive(reload);

  if (execution.error && !e) {
    const missing = (execution.error as ApiError).status === 404;
    return (
      <div class="page">
        <Breadcrumbs id={id} />
        {missing ? (
          <Empty title="No such execution">
            No execution has the id <code>{id}</code>. <a href="/">Back to executions</a>
          </Empty>
        ) : (
          <LoadError error={execution.error} />
        )}
      </div>
    );
  }
  if (!e) return <Loading />;

  return (
    <div class="page execution-page">
      <Breadcrumbs id={id} name={e.name} />
      <header class="exec-head">
        <div class="exec-title">
          <h1>{e.name}</h1>
          <StatusBadge status={e.status} large />
          <KindTag kind={e.kind} />
        </div>
        <Actions execution={e} timeline={timeline.data} inspection={inspection.data} onDone={reload} />
      </header>
      <Meta e={e} now={now} />
      <Why e={e} inspection={inspection.data} timeline={timeline.data} now={now} />

      {e.kind === "workflow" && (
        // the variables beside the source while it is paused (its state is kept only then)
        <div class={e.status === "suspended" ? "split" : ""}>
          <Panel
            title="Source"
            class="source-panel"
            aside={
              e.version && (
                <a href={`/versions/${encodeURIComponent(e.name)}?v=${e.version}`} class="mono small">
                  {e.name}.flow @ {shortVersion(e.version)}
                </a>
              )
            }
          >
            {source.data ? (
              <SourceView source={source.data.source} marks={marks(e, inspection.data)} />
            ) : source.error ? (
              <LoadError error={source.error} />
            ) : (
              <Loading />
            )}
          </Panel>
          {e.status === "suspended" ? (
            <Panel title="Variables" class="vars-panel">
              <Variables inspection={inspection.data} error={inspection.error} />
            </Panel>
          ) : (
            <p class="muted small note">{variablesNote(e.status)}</p>
          )}
        </div>
      )}

      <div class="split">
        <Panel title="Inputs">
          <Json value={e.inputs} />
        </Panel>
        {e.status === "failed" || e.status === "cancelled" ? (
          <Panel title="Error">
            <Json value={e.error} />
          </Panel>
        ) : (
          <Panel title="Output">
            {e.status === "completed" ? <Json value={e.output} /> : <span class="muted">Not finished yet</span>}
          </Panel>
        )}
      </div>

      {e.kind === "task" && e.errors && e.errors.length > 0 && (
        <Panel title={`Failed attempts (${e.errors.length})`}>
          <ol class="attempts">
            {e.errors.map((err, n) => (
              <li key={n}>
                <span class="muted">Attempt {n + 1}</span> <span class="detail-error">{errorMessage(err)}</span>
              </li>
            ))}
          </ol>
        </Panel>
      )}

      {e.kind === "workflow" && (
        <Panel
          title="Timeline"
          aside={
            timeline.data &&
            timeline.data.childCount > timeline.data.children.length && (
              <a href={`/?parent=${e.id}`}>All {timeline.data.childCount} it started</a>
            )
          }
        >
          {timeline.data ? <TimelineView e={e} t={timeline.data} now={now} /> : <LoadError error={timeline.error} />}
        </Panel>
      )}

      <Panel title="Log">{timeline.data ? <Logs e={e} t={timeline.data} /> : <LoadError error={timeline.error} />}</Panel>
    </div>
  );
}

function Breadcrumbs({ id, name }: { id: string; name?: string }) {
  return (
    <nav class="crumbs">
      <a href="/">Executions</a>
      {name && (
        <>
          <span class="sep">/</span>
          <a href={`/?name=${encodeURIComponent(name)}`}>{name}</a>
        </>
      )}
      <span class="sep">/</span>
      <span class="mono">{shortId(id)}</span>
    </nav>
  );
}

function Meta({ e, now }: { e: Execution; now: number }) {
  const started = e.startedAt ? Date.parse(e.startedAt) : null;
  const end = e.finishedAt ? Date.parse(e.finishedAt) : now;
  return (
    <dl class="meta">
      <div>
        <dt>Id</dt>
        <dd class="mono">
          {e.id} <Copy text={e.id} />
        </dd>
      </div>
      <div>
        <dt>Queue</dt>
        <dd class="mono">{e.queue}</dd>
      </div>
      {e.version && (
        <div>
          <dt>Version</dt>
          <dd class="mono">
            <a href={`/versions/${encodeURIComponent(e.name)}?v=${e.version}`}>{shortVersion(e.version)}</a>
          </dd>
        </div>
      )}
      {e.parentId && (
        <div>
          <dt>Started by</dt>
          <dd class="mono">
            <a href={`/executions/${e.parentId}`}>{shortId(e.parentId)}</a>
          </dd>
        </div>
      )}
      <div>
        <dt>Created</dt>
        <dd>
          <Time iso={e.createdAt} mode="clock" />
        </dd>
      </div>
      <div>
        <dt>{e.finishedAt ? "Took" : "Running for"}</dt>
        <dd>{started === null ? <span class="muted">not started</span> : duration(end - started)}</dd>
      </div>
      <div>
        <dt>Attempt</dt>
        <dd>{e.attempt}</dd>
      </div>
    </dl>
  );
}

/** The one line a person needs first: why the execution is where it is. */
function Why({
  e,
  inspection,
  timeline,
  now,
}: {
  e: Execution;
  inspection: Inspection | null;
  timeline: Timeline | null;
  now: number;
}) {
  if (e.blocked)
    return (
      <Notice tone="warn" title="Nothing will move it yet">
        {e.blocked}
      </Notice>
    );
  if (e.status === "suspended") {
    const w = e.waitingOn ?? [];
    const timers = e.timers ?? [];
    return (
      <Notice
        tone="paused"
        title={
          w.length > 0 ? (
            <>
              Paused at line {w[0].line}
              {w[0].function !== "main" && ` in ${w[0].function}()`}: {w[0].description}
            </>
          ) : (
            "Suspended"
          )
        }
      >
        {w.length > 1 && (
          <ul class="plain">
            {w.slice(1).map((x, n) => (
              <li key={n}>
                also line {x.line}: {x.description}
              </li>
            ))}
          </ul>
        )}
        {timers.length > 0 && (
          <div>
            Next timer fires <Time iso={timers[0].firesAt} now={now} /> ({new Date(timers[0].firesAt).toLocaleString()}).
          </div>
        )}
        {signalNames(e, timeline, inspection).length > 0 && (
          <div>
            Send it{" "}
            {signalNames(e, timeline, inspection)
              .map((s) => `"${s}"`)
              .join(" or ")}{" "}
            with the Send signal button to move it on.
          </div>
        )}
      </Notice>
    );
  }
  if (e.status === "failed")
    return (
      <Notice tone="danger" title="Failed">
        {errorMessage(e.error)}
      </Notice>
    );
  if (e.status === "queued" && e.runAt && Date.parse(e.runAt) > now)
    return (
      <Notice tone="info" title="Queued">
        Starts <Time iso={e.runAt} now={now} />.
      </Notice>
    );
  return null;
}

function marks(e: Execution, inspection: Inspection | null): Mark[] {
  const out: Mark[] = [];
  // each stack's innermost frame is where it is paused; the frames below it are its callers
  for (const f of inspection?.stack ?? [])
    out.push(
      f.awaits !== undefined
        ? { line: f.line, kind: "paused", label: `paused: ${f.awaits}` }
        : { line: f.line, kind: "frame", label: `in ${f.function}()` },
    );
  for (const w of e.waitingOn ?? [])
    if (!out.some((m) => m.line === w.line)) out.push({ line: w.line, kind: "paused", label: w.description });
  return out;
}

/** Why a workflow that is not paused shows no variables. */
function variablesNote(status: string): string {
  return status === "queued" || status === "running"
    ? "Its variables are shown once it pauses at an await."
    : `A workflow's variables are kept while it is paused; this one is ${status}.`;
}

function Variables({ inspection, error }: { inspection: Inspection | null; error: Error | null }) {
  if (error) return <LoadError error={error} />;
  if (!inspection) return <Loading />;
  if (inspection.stack.length === 0) return <p class="muted">No frames.</p>;
  return (
    <div class="frames">
      {inspection.stack.map((f, n) => {
        const vars = Object.entries(f.variables);
        return (
          <div class="frame" key={n}>
            <div class="frame-head">
              <span class="mono">{f.function}()</span>
              <span class="muted small">
                line {f.line}
                {f.awaits !== undefined && ` · awaits ${f.awaits}`}
              </span>
            </div>
            {vars.length === 0 ? (
              <p class="muted small">no variables</p>
            ) : (
              <table class="vars">
                <tbody>
                  {vars.map(([name, value]) => (
                    <tr key={name}>
                      <th class="mono">{name}</th>
                      <td>
                        <Json value={value} fold={8} inspected />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        );
      })}
      {inspection.awaiting.length > 0 && (
        <div class="awaiting">
          <div class="frame-head">Awaiting</div>
          <ul class="plain">
            {inspection.awaiting.map((a, n) => (
              <li key={n}>
                <span class="kind">{a.kind}</span> {a.name && <span class="mono">"{a.name}"</span>}{" "}
                {a.id && (
                  <a class="mono" href={`/executions/${a.id}`}>
                    {shortId(a.id)}
                  </a>
                )}
                {a.until && (
                  <span class="muted">
                    {" "}
                    until <Time iso={a.until} />
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function TimelineView({ e, t, now }: { e: Execution; t: Timeline; now: number }) {
  const timers = e.timers ?? [];
  const buffered = e.bufferedSignals ?? [];
  if (t.children.length === 0 && timers.length === 0 && t.signalWaits.length === 0 && buffered.length === 0)
    return <p class="muted">It has not started any task, child workflow, timer or signal wait.</p>;
  const from = Date.parse(e.createdAt);
  const to = Math.max(
    e.finishedAt ? Date.parse(e.finishedAt) : now,
    ...t.children.map((c) => (c.finishedAt ? Date.parse(c.finishedAt) : now)),
  );
  const span = Math.max(1, to - from);
  const pct = (ms: number) => `${Math.min(100, Math.max(0, ((ms - from) / span) * 100)).toFixed(2)}%`;
  return (
    <div class="timeline">
      {t.children.map((c) => {
        const start = c.startedAt ? Date.parse(c.startedAt) : null;
        const end = c.finishedAt ? Date.parse(c.finishedAt) : now;
        const errors = c.errors.length;
        return (
          <details class={`tl-row status-${c.status}`} key={c.id}>
            <summary>
              <StatusBadge status={c.status} />
              <span class="tl-name">
                <a href={`/executions/${c.id}`}>{c.name}</a> <KindTag kind={c.kind} />
              </span>
              <span class="tl-meta mono small">
                {c.kind === "task" && (
                  <span title="attempts">
                    {c.attempt}
                    {c.maxAttempts ? `/${c.maxAttempts}` : ""} att.
                  </span>
                )}
                <span>{start === null ? "not started" : duration(end - start)}</span>
              </span>
              <span class="tl-track" aria-hidden="true">
                <span
                  class="tl-wait"
                  style={{
                    left: pct(Date.parse(c.createdAt)),
                    width: `calc(${pct(start ?? end)} - ${pct(Date.parse(c.createdAt))})`,
                  }}
                />
                {start !== null && (
                  <span class="tl-bar" style={{ left: pct(start), width: `max(3px, calc(${pct(end)} - ${pct(start)}))` }} />
                )}
              </span>
            </summary>
            <div class="tl-body">
              <div class="tl-grid">
                <div>
                  <div class="label">Inputs</div>
                  <Json text={prettyText(c.inputs, c.cut && c.inputs.length >= 2000)} fold={8} />
                </div>
                <div>
                  <div class="label">{c.status === "completed" ? "Output" : c.error ? "Error" : "Output"}</div>
                  {c.error ? (
                    <div class="detail-error">{[c.error.type ?? c.error.name, c.error.message].filter(Boolean).join(": ")}</div>
                  ) : (
                    <Json
                      text={c.output === null ? "—" : prettyText(c.output, c.cut && (c.output?.length ?? 0) >= 2000)}
                      fold={8}
                    />
                  )}
                </div>
              </div>
              {errors > 0 && (
                <ol class="attempts">
                  {c.errors.map((err, n) => (
                    <li key={n}>
                      <span class="muted">Attempt {n + 1}</span>{" "}
                      <span class="detail-error">{[err.type ?? err.name, err.message].filter(Boolean).join(": ")}</span>
                    </li>
                  ))}
                </ol>
              )}
              <div class="muted small">
                Created <Time iso={c.createdAt} mode="clock" /> · queue <span class="mono">{c.queue}</span> · id{" "}
                <a class="mono" href={`/executions/${c.id}`}>
                  {c.id}
                </a>
              </div>
            </div>
          </details>
        );
      })}
      {timers.map((x, n) => (
        <div class="tl-row tl-simple" key={`t${n}`}>
          <span class="tl-icon">
            <Icon name="clock" />
          </span>
          <span>
            {x.kind === "signal-timeout" ? (
              <>
                Timeout of the wait for signal <span class="mono">"{x.signal}"</span>
              </>
            ) : (
              "Timer"
            )}{" "}
            fires <Time iso={x.firesAt} now={now} />
          </span>
        </div>
      ))}
      {t.signalWaits.map((w, n) => (
        <div class="tl-row tl-simple" key={`w${n}`}>
          <span class="tl-icon">
            <Icon name="mail" />
          </span>
          <span>
            Waiting for signal <span class="mono">"{w.name}"</span>
          </span>
        </div>
      ))}
      {buffered.map((s, n) => (
        <div class="tl-row tl-simple" key={`s${n}`}>
          <span class="tl-icon">
            <Icon name="inbox" />
          </span>
          <span>
            Signal <span class="mono">"{s.name}"</span> received <Time iso={s.sentAt} now={now} />, not taken by a wait yet:{" "}
            <span class="mono">{oneLine(s.payload).slice(0, 300)}</span>
          </span>
        </div>
      ))}
    </div>
  );
}

function Logs({ e, t }: { e: Execution; t: Timeline }) {
  if (t.logs.length === 0)
    return (
      <p class="muted">No log lines{e.kind === "workflow" ? " (console.log in the workflow, ctx.log in its tasks)" : ""}.</p>
    );
  const names = new Map(t.children.map((c) => [c.id, c.name]));
  return (
    <div class="logs">
      {t.logs.map((l, n) => (
        <div class={`log log-${l.level}`} key={n}>
          <span class="log-time mono">
            <Time iso={l.createdAt} mode="clock" />
          </span>
          <span class="log-src mono">
            {l.executionId === e.id ? (
              l.line !== null ? (
                `${e.name}:${l.line}`
              ) : (
                e.name
              )
            ) : (
              <a href={`/executions/${l.executionId}`}>{names.get(l.executionId) ?? shortId(l.executionId)}</a>
            )}
          </span>
          <span class="log-msg">{l.message}</span>
        </div>
      ))}
    </div>
  );
}
