// Schedules: each one's cron and time zone, what it starts, its next and last tick, its overlap
// and catch-up policies; pause or resume it, or start it now (then its execution opens).

import { useState } from "preact/hooks";
import { api, type Schedule } from "../api.js";
import { useData, useTick } from "../data.js";
import { useLive } from "../live.js";
import { navigate } from "../router.js";
import { Empty, KindTag, LoadError, Loading, Notice, Panel, Time } from "../components/ui.js";

export function SchedulesPage() {
  const schedules = useData(() => api.schedules(), []);
  useLive(() => schedules.reload());
  // the next fire times move as ticks pass
  const now = useTick(1000);
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (what: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await what();
      schedules.reload();
    } catch (e) {
      setProblem((e as Error).message);
    }
  };
  const list = schedules.data?.schedules;
  return (
    <div class="page">
      <div class="page-head">
        <h1>Schedules</h1>
      </div>
      <LoadError error={schedules.error} />
      {problem && (
        <Notice tone="danger" title="Refused">
          {problem}
        </Notice>
      )}
      <Panel title="Schedules">
        {!list ? (
          <Loading />
        ) : list.length === 0 ? (
          <Empty title="No schedules">
            Create one with <code>npx rhythm schedule set nightly --cron "0 3 * * *" --workflow report</code> or{" "}
            <code>rhythm.schedule(…)</code>.
          </Empty>
        ) : (
          <div class="table-wrap">
            <table class="table schedules">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Starts</th>
                  <th>Cron</th>
                  <th>Next tick</th>
                  <th>Last tick</th>
                  <th>Overlap</th>
                  <th>Catch-up</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.map((s) => (
                  <Row key={s.name} s={s} now={now} act={act} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </div>
  );
}

function Row({ s, now, act }: { s: Schedule; now: number; act: (what: () => Promise<unknown>) => Promise<void> }) {
  const kind = s.workflow !== undefined ? "workflow" : "task";
  const target = s.workflow ?? s.task ?? "";
  return (
    <tr>
      <td class="mono">
        {s.name}
        {s.lastError && <div class="tag-warn">{s.lastError}</div>}
      </td>
      <td>
        <KindTag kind={kind} />{" "}
        <a class="mono" href={`/?name=${encodeURIComponent(target)}`}>
          {target}
        </a>
      </td>
      <td>
        <span class="mono">{s.cron}</span> <span class="muted">{s.timezone}</span>
      </td>
      <td>{s.paused ? <span class="tag">paused</span> : <Time iso={s.nextFireAt} now={now} />}</td>
      <td>
        <Time iso={s.lastFireAt} now={now} />
      </td>
      <td>{s.overlap}</td>
      <td>{s.catchup}</td>
      <td class="row-actions">
        <button
          class="button"
          type="button"
          onClick={() => act(() => (s.paused ? api.resumeSchedule(s.name) : api.pauseSchedule(s.name)))}
        >
          {s.paused ? "Resume" : "Pause"}
        </button>{" "}
        <button
          class="button primary"
          type="button"
          onClick={() => act(async () => navigate(`/executions/${(await api.triggerSchedule(s.name)).id}`))}
        >
          Run now
        </button>
      </td>
    </tr>
  );
}
