// Queues and workers: per queue what is ready, due later and running, how long the oldest ready
// work has waited, how fast it finishes (as this server saw it), which workers serve it, and
// what no running worker will take, with the reason; then the workers themselves.

import { Fragment } from "preact";
import { api, type QueueOverview, type Throughput } from "../api.js";
import { useData, useTick } from "../data.js";
import { duration, relative } from "../format.js";
import { useLive } from "../live.js";
import { Empty, KindTag, LoadError, Loading, Panel, Time } from "../components/ui.js";
import { Icon } from "../components/icons.js";

export function QueuesPage() {
  const queues = useData(() => api.queues(), []);
  const workers = useData(() => api.workers(), []);
  useLive(() => {
    queues.reload();
    workers.reload();
  });
  const now = useTick(1000);
  const q = queues.data;
  const totals = (q?.queues ?? []).reduce(
    (t, x) => ({ ready: t.ready + x.ready, running: t.running + x.running, later: t.later + x.later }),
    {
      ready: 0,
      running: 0,
      later: 0,
    },
  );
  const oldest = (q?.queues ?? [])
    .map((x) => x.oldestReady)
    .filter((x): x is string => x !== null)
    .sort()[0];
  const blocked = (q?.queues ?? []).flatMap((x) => x.groups.filter((g) => g.blocked).map((g) => ({ queue: x.queue, ...g })));

  return (
    <div class="page">
      <div class="page-head">
        <h1>Queues &amp; workers</h1>
      </div>
      <LoadError error={queues.error} />
      <div class="cards">
        <Card
          label="Workers running"
          value={workers.data ? String(workers.data.workers.length) : "·"}
          tone={workers.data?.workers.length === 0 ? "warn" : undefined}
        />
        <Card label="Ready to run" value={q ? totals.ready.toLocaleString("en-US") : "·"} />
        <Card label="Running" value={q ? totals.running.toLocaleString("en-US") : "·"} />
        <Card label="Scheduled later" value={q ? totals.later.toLocaleString("en-US") : "·"} />
        <Card
          label="Oldest ready work waited"
          value={q ? (oldest ? duration(now - Date.parse(oldest)) : "—") : "·"}
          tone={oldest && now - Date.parse(oldest) > 60_000 ? "warn" : undefined}
        />
      </div>

      {blocked.length > 0 && (
        <Panel title="Blocked: no running worker will take this" class="panel-warn">
          <ul class="blocked-list">
            {blocked.map((b) => (
              <li key={`${b.queue}/${b.kind}/${b.name}`}>
                <Icon name="warn" class="warn-icon" />
                <span>
                  <strong>{b.ready + b.later}</strong> {b.kind === "task" ? "task" : "workflow"}
                  {b.ready + b.later === 1 ? "" : "s"} <span class="mono">{b.name}</span> on queue{" "}
                  <span class="mono">{b.queue}</span>: {b.blocked}.{" "}
                  <a href={`/?status=queued&name=${encodeURIComponent(b.name)}&queue=${encodeURIComponent(b.queue)}`}>See them</a>
                </span>
              </li>
            ))}
          </ul>
        </Panel>
      )}

      <Panel title="Queues" aside={q && <ThroughputNote t={q.throughput} now={now} />}>
        {!q ? (
          <Loading />
        ) : q.queues.length === 0 ? (
          <Empty title="No queues yet">A queue appears when work is queued on it or a worker serves it.</Empty>
        ) : (
          <div class="table-wrap">
            <table class="table queues">
              <thead>
                <tr>
                  <th>Queue</th>
                  <th class="num">Ready</th>
                  <th class="num">Later</th>
                  <th class="num">Running</th>
                  <th>Oldest ready</th>
                  <th class="num" title="Executions finished per minute over the last five minutes">
                    Done / min
                  </th>
                  <th class="num">Failed (5 min)</th>
                  <th>Workers</th>
                </tr>
              </thead>
              <tbody>
                {q.queues.map((x) => (
                  <QueueRows key={x.queue} q={x} t={q.throughput} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>

      <Panel title="Workers">
        <LoadError error={workers.error} />
        {!workers.data ? (
          <Loading />
        ) : workers.data.workers.length === 0 ? (
          <Empty title="No worker is running">
            Start one with <code>npx rhythm worker --tasks ./tasks.ts</code> (or <code>npx rhythm dev</code>): queued work waits
            until one does.
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Worker</th>
                  <th>Queues</th>
                  <th>Tasks it registers</th>
                  <th>Started</th>
                  <th>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {workers.data.workers.map((w) => (
                  <tr key={w.id}>
                    <td class="mono small">{w.id}</td>
                    <td>
                      {w.queues.map((name) => (
                        <span class="chip static mono" key={name}>
                          {name}
                        </span>
                      ))}
                    </td>
                    <td class="small">
                      {w.tasks.length === 0 ? <span class="muted">none (workflows only)</span> : w.tasks.join(", ")}
                    </td>
                    <td class="small">
                      <Time iso={w.startedAt} now={now} />
                    </td>
                    <td class="small">
                      <Time iso={w.seenAt} now={now} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </div>
  );
}

function Card({ label, value, tone }: { label: string; value: string; tone?: "warn" }) {
  return (
    <div class={`card${tone ? ` card-${tone}` : ""}`}>
      <div class="card-value">{value}</div>
      <div class="card-label">{label}</div>
    </div>
  );
}

function ThroughputNote({ t, now }: { t: Throughput; now: number }) {
  return (
    <span class="muted small" title="Measured by this server from the database's notifications">
      {t.seconds >= 300 ? "rates over the last 5 minutes" : `rates since this server started, ${relative(t.since, now)}`}
    </span>
  );
}

function QueueRows({ q, t, now }: { q: QueueOverview; t: Throughput; now: number }) {
  const seen = t.queues.find((x) => x.queue === q.queue);
  const minutes = Math.max(t.seconds, 1) / 60;
  const blocked = q.groups.some((g) => g.blocked);
  return (
    <Fragment>
      <tr class={blocked ? "row-blocked" : ""}>
        <td>
          <a class="mono strong" href={`/?queue=${encodeURIComponent(q.queue)}`}>
            {q.queue}
          </a>
          {blocked && <span class="tag-warn">blocked</span>}
        </td>
        <td class="num">{q.ready.toLocaleString("en-US")}</td>
        <td class="num">{q.later.toLocaleString("en-US")}</td>
        <td class="num">{q.running.toLocaleString("en-US")}</td>
        <td class="small">
          {q.oldestReady ? `waiting ${duration(now - Date.parse(q.oldestReady))}` : <span class="muted">—</span>}
        </td>
        <td class="num">{seen ? (seen.completed / minutes).toFixed(seen.completed / minutes < 10 ? 1 : 0) : "0"}</td>
        <td class={`num${seen?.failed ? " text-danger" : ""}`}>{seen ? seen.failed : 0}</td>
        <td class="small">
          {q.workers.length === 0 ? (
            <span class="text-warn">none</span>
          ) : (
            `${q.workers.length} worker${q.workers.length === 1 ? "" : "s"}`
          )}
        </td>
      </tr>
      {q.groups.map((g) => (
        <tr class="subrow" key={`${g.kind}/${g.name}`}>
          <td>
            <span class="indent">
              <KindTag kind={g.kind} /> <span class="mono">{g.name}</span>
            </span>
          </td>
          <td class="num">{g.ready}</td>
          <td class="num">{g.later}</td>
          <td class="num">{g.running}</td>
          <td class="small">
            {g.oldestReady
              ? `waiting ${duration(now - Date.parse(g.oldestReady))}`
              : g.nextLater
                ? `next ${relative(g.nextLater, now)}`
                : ""}
          </td>
          <td colSpan={3} class="small">
            {g.blocked && (
              <span class="text-warn">
                <Icon name="warn" /> {g.blocked}
              </span>
            )}
          </td>
        </tr>
      ))}
    </Fragment>
  );
}
