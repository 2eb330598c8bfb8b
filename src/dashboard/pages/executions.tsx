// The executions list: filters by status, kind, name and queue (kept in the URL), newest first,
// pages by keyset ("Older" passes the last id as `after`), counts of what is still going, and
// live updates. Each row says at a glance why an execution is where it is.

import { useData, useTick } from "../data.js";
import { api, type Execution } from "../api.js";
import { duration, errorMessage, shortId } from "../format.js";
import { useLive } from "../live.js";
import { navigate } from "../router.js";
import { Empty, KindTag, LoadError, StatusBadge, STATUSES, Time } from "../components/ui.js";
import { Icon } from "../components/icons.js";
import { oneLine } from "../value-text.js";

const PAGE = 50;
const FILTERS = ["status", "kind", "name", "queue", "parent"] as const;
const COUNT_CAP = 10_000;

function href(query: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === "") next.delete(k);
    else next.set(k, v);
  }
  // a new filter starts from the newest page
  if (!("after" in changes)) {
    next.delete("after");
    next.delete("page");
  }
  const text = next.toString();
  return text ? `/?${text}` : "/";
}

export function ExecutionsPage({ query }: { query: URLSearchParams }) {
  const key = query.toString();
  const filter: Record<string, string | undefined> = { limit: String(PAGE) };
  for (const f of [...FILTERS, "after", "idPrefix"]) filter[f] = query.get(f) ?? undefined;
  // what people start is what they look for first; the steps of workflows are on their pages
  const everything = query.get("all") === "1" || query.has("parent") || query.has("idPrefix");
  if (!everything) filter.topLevel = "true";
  const page = useData(() => api.list(filter), [key]);
  const counts = useData(() => api.counts(), []);
  const names = useData(() => api.workflows(), []);
  useLive(() => {
    page.reload();
    counts.reload();
  });
  const now = useTick(5000);
  const status = query.get("status");
  const pageNo = Number(query.get("page") ?? "1");
  const filtered = FILTERS.some((f) => query.get(f));
  const rows = page.data?.executions ?? [];

  return (
    <div class="page">
      <div class="page-head">
        <h1>Executions</h1>
        <div class="counts">
          {(["running", "suspended", "queued"] as const).map((s) => (
            <a
              key={s}
              class={`count status-${s}${status === s ? " active" : ""}`}
              href={href(query, { status: status === s ? null : s })}
            >
              <span class="dot" />
              <strong>{counts.data ? formatCount(counts.data[s]) : "·"}</strong> {s}
            </a>
          ))}
        </div>
      </div>

      <div class="filters">
        <div class="segmented" role="group" aria-label="Status">
          <a href={href(query, { status: null })} class={!status ? "active" : ""}>
            All
          </a>
          {STATUSES.map((s) => (
            <a key={s} href={href(query, { status: s })} class={status === s ? "active" : ""} data-status={s}>
              {s[0].toUpperCase() + s.slice(1)}
            </a>
          ))}
        </div>
        <select
          aria-label="Kind"
          value={query.get("kind") ?? ""}
          onChange={(e) => navigate(href(query, { kind: (e.target as HTMLSelectElement).value || null }))}
        >
          <option value="">Workflows and tasks</option>
          <option value="workflow">Workflows</option>
          <option value="task">Tasks</option>
        </select>
        {!query.has("parent") && (
          <select
            aria-label="Scope"
            value={everything ? "all" : "top"}
            onChange={(e) => navigate(href(query, { all: (e.target as HTMLSelectElement).value === "all" ? "1" : null }))}
          >
            <option value="top">Top-level runs</option>
            <option value="all">With workflow steps</option>
          </select>
        )}
        <FilterInput
          label="Name"
          value={query.get("name") ?? ""}
          options={[...new Set([...(names.data?.workflows.map((w) => w.name) ?? []), ...rows.map((r) => r.name)])].sort()}
          onSet={(v) => navigate(href(query, { name: v }))}
        />
        <FilterInput
          label="Queue"
          value={query.get("queue") ?? ""}
          options={[...new Set(["default", ...rows.map((r) => r.queue)])].sort()}
          onSet={(v) => navigate(href(query, { queue: v }))}
        />
        {(filtered || query.get("idPrefix")) && (
          <a class="clear" href="/">
            Clear filters
          </a>
        )}
      </div>
      {query.get("parent") && (
        <p class="hint">
          Started by workflow{" "}
          <a class="mono" href={`/executions/${query.get("parent")}`}>
            {shortId(query.get("parent")!)}
          </a>
        </p>
      )}
      {query.get("idPrefix") && (
        <p class="hint">
          Executions whose id starts with <code>{query.get("idPrefix")}</code>
        </p>
      )}

      <LoadError error={page.error} />
      <div class="table-wrap">
        <table class="table executions">
          <thead>
            <tr>
              <th class="col-status">Status</th>
              <th>Execution</th>
              <th class="col-queue">Queue</th>
              <th class="col-time">Created</th>
              <th class="col-duration">Duration</th>
              <th>Where it is</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <Row key={e.id} e={e} now={now} />
            ))}
          </tbody>
        </table>
        {page.data && rows.length === 0 && (
          <Empty title={filtered ? "Nothing matches these filters" : "No executions yet"}>
            {filtered && !everything ? (
              <>
                Nothing started directly matches. <a href={href(query, { all: "1" })}>Look among workflow steps too</a> or{" "}
                <a href="/">show everything</a>.
              </>
            ) : filtered ? (
              <a href="/">Show all executions</a>
            ) : (
              <>
                Start one with <code>npx rhythm start &lt;workflow&gt; --inputs '{"{…}"}'</code> or{" "}
                <code>POST /api/v1/workflows/&lt;name&gt;</code>.
              </>
            )}
          </Empty>
        )}
        {!page.data && !page.error && <div class="loading">Loading…</div>}
      </div>

      <div class="pager">
        <span class="muted">
          {rows.length > 0 && `Page ${pageNo} · ${rows.length} shown`}
          {page.loading && page.data && " · updating"}
        </span>
        <div class="pager-buttons">
          {query.get("after") && (
            <a class="button" href={href(query, {})}>
              ← Newest
            </a>
          )}
          {page.data?.next && (
            <a class="button" href={href(query, { after: page.data.next, page: String(pageNo + 1) })}>
              Older →
            </a>
          )}
        </div>
      </div>
    </div>
  );
}

function formatCount(n: number): string {
  return n >= COUNT_CAP ? `${COUNT_CAP.toLocaleString("en-US")}+` : n.toLocaleString("en-US");
}

function FilterInput({
  label,
  value,
  options,
  onSet,
}: {
  label: string;
  value: string;
  options: string[];
  onSet: (v: string | null) => void;
}) {
  const id = `filter-${label.toLowerCase()}`;
  return (
    <form
      class="filter-input"
      onSubmit={(e) => {
        e.preventDefault();
        onSet(((e.target as HTMLFormElement).elements.namedItem("v") as HTMLInputElement).value.trim() || null);
      }}
    >
      <input
        name="v"
        list={id}
        placeholder={label}
        aria-label={label}
        value={value}
        key={value}
        onChange={(e) => onSet((e.target as HTMLInputElement).value.trim() || null)}
      />
      <datalist id={id}>
        {options.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
    </form>
  );
}

function Row({ e, now }: { e: Execution; now: number }) {
  const started = e.startedAt ? Date.parse(e.startedAt) : null;
  const ended = e.finishedAt ? Date.parse(e.finishedAt) : now;
  return (
    <tr class={`row-${e.status}`} onClick={(ev) => !(ev.target as Element).closest("a") && navigate(`/executions/${e.id}`)}>
      <td>
        <StatusBadge status={e.status} />
      </td>
      <td class="cell-name">
        <a href={`/executions/${e.id}`} class="name">
          {e.name}
        </a>
        <div class="sub">
          <KindTag kind={e.kind} />
          <span class="mono">{shortId(e.id)}</span>
          {e.attempt > 1 && <span class="muted">attempt {e.attempt}</span>}
        </div>
      </td>
      <td class="mono small">{e.queue}</td>
      <td class="small">
        <Time iso={e.createdAt} now={now} />
      </td>
      <td class="small mono">{started === null ? <span class="muted">—</span> : duration(ended - started)}</td>
      <td class="cell-detail">
        <Detail e={e} now={now} />
      </td>
    </tr>
  );
}

/** Why the execution is where it is, in one line. */
export function Detail({ e, now }: { e: Execution; now: number }) {
  if (e.blocked)
    return (
      <span class="detail-warn">
        <Icon name="warn" /> {e.blocked.replace(/\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "$1")}
      </span>
    );
  switch (e.status) {
    case "suspended": {
      const w = e.waitingOn ?? [];
      if (w.length === 0) return <span class="muted">waiting</span>;
      return (
        <span class="detail-paused">
          <Icon name="pause" /> {w[0].description} <span class="muted">· line {w[0].line}</span>
          {w.length > 1 && <span class="muted"> and {w.length - 1} more</span>}
        </span>
      );
    }
    case "queued":
      return e.runAt && Date.parse(e.runAt) > now + 1000 ? (
        <span class="muted">
          starts <Time iso={e.runAt} now={now} />
        </span>
      ) : (
        <span class="muted">waiting for a worker</span>
      );
    case "running":
      return <span class="muted">{e.kind === "task" ? `attempt ${e.attempt} running` : "running an activation"}</span>;
    case "failed":
      return <span class="detail-error">{errorMessage(e.error)}</span>;
    case "cancelled":
      return <span class="muted">{errorMessage(e.error) || "cancelled"}</span>;
    default:
      return <span class="muted mono ellipsis">→ {oneLine(e.output).slice(0, 160)}</span>;
  }
}
