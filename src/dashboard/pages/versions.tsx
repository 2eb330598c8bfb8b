// Versions: every stored workflow with its versions (by sha256 of the source, newest first), the
// source of one, and a line diff between two (jsdiff's structuredPatch, three lines of context).

import { structuredPatch } from "diff";
import { api } from "../api.js";
import { useData } from "../data.js";
import { shortVersion } from "../format.js";
import { navigate } from "../router.js";
import { Empty, LoadError, Loading, Panel, Time } from "../components/ui.js";
import { SourceView } from "../components/source.js";

export function VersionsPage({ name, query }: { name: string | null; query: URLSearchParams }) {
  const workflows = useData(() => api.workflows(), []);
  const list = workflows.data?.workflows ?? [];
  const selected = list.find((w) => w.name === name) ?? (name === null ? list[0] : undefined);
  const version = query.get("v") ?? selected?.versions[0]?.version ?? null;
  const against = query.get("diff");
  const href = (v: string | null, diff: string | null) => {
    const p = new URLSearchParams();
    if (v) p.set("v", v);
    if (diff) p.set("diff", diff);
    return `/versions/${encodeURIComponent(selected!.name)}${p.toString() ? `?${p}` : ""}`;
  };

  return (
    <div class="page">
      <div class="page-head">
        <h1>Versions</h1>
      </div>
      <LoadError error={workflows.error} />
      {workflows.data && list.length === 0 && (
        <Empty title="No workflow is stored yet">
          A worker stores every <code>.flow</code> of its folder when it starts; <code>npx rhythm deploy</code> does it without
          one.
        </Empty>
      )}
      {!workflows.data && !workflows.error && <Loading />}
      {list.length > 0 && (
        <div class="versions">
          <nav class="wf-list" aria-label="Workflows">
            {list.map((w) => (
              <a key={w.name} href={`/versions/${encodeURIComponent(w.name)}`} class={w.name === selected?.name ? "active" : ""}>
                <span class="mono">{w.name}</span>
                <span class="muted small">
                  {w.versions.length} version{w.versions.length === 1 ? "" : "s"}
                </span>
              </a>
            ))}
          </nav>
          {selected ? (
            <div class="wf-detail">
              <Panel title={<span class="mono">{selected.name}.flow</span>}>
                <table class="table versions-table">
                  <thead>
                    <tr>
                      <th>Version</th>
                      <th>Deployed</th>
                      <th class="num">Size</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {selected.versions.map((v, n) => (
                      <tr key={v.version} class={v.version === version ? "selected" : ""}>
                        <td>
                          <a class="mono" href={href(v.version, null)}>
                            {shortVersion(v.version)}
                          </a>
                          {n === 0 && <span class="tag">newest</span>}
                        </td>
                        <td class="small">
                          <Time iso={v.deployedAt} mode="clock" />
                        </td>
                        <td class="num small">{v.bytes.toLocaleString("en-US")} B</td>
                        <td class="small">
                          {v.version !== version && version && (
                            <a href={href(version, v.version)}>diff with {shortVersion(version)}</a>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <div class="filters">
                  <a href={`/?name=${encodeURIComponent(selected.name)}`}>Executions of {selected.name} →</a>
                </div>
              </Panel>
              {version && against ? (
                <Diff
                  name={selected.name}
                  {...inOrder(
                    selected.versions.map((v) => v.version),
                    against,
                    version,
                  )}
                  onClose={() => navigate(href(version, null))}
                />
              ) : (
                version && <Source name={selected.name} version={version} />
              )}
            </div>
          ) : (
            <Empty title="No such workflow">
              No stored workflow is called <code>{name}</code>.
            </Empty>
          )}
        </div>
      )}
    </div>
  );
}

/** The older of two versions first (the list is newest first). */
function inOrder(versions: string[], a: string, b: string): { from: string; to: string } {
  return versions.indexOf(a) >= versions.indexOf(b) ? { from: a, to: b } : { from: b, to: a };
}

function Source({ name, version }: { name: string; version: string }) {
  const source = useData(() => api.source(name, version), [name, version]);
  return (
    <Panel
      title={
        <>
          Source <span class="mono muted">{shortVersion(version)}</span>
        </>
      }
    >
      {source.data ? <SourceView source={source.data.source} /> : source.error ? <LoadError error={source.error} /> : <Loading />}
    </Panel>
  );
}

function Diff({ name, from, to, onClose }: { name: string; from: string; to: string; onClose: () => void }) {
  const sources = useData(() => Promise.all([api.source(name, from), api.source(name, to)]), [name, from, to]);
  const patch =
    sources.data &&
    structuredPatch(`${name}.flow`, `${name}.flow`, sources.data[0].source, sources.data[1].source, "", "", { context: 3 });
  return (
    <Panel
      title={
        <>
          Changes from <span class="mono">{shortVersion(from)}</span> to <span class="mono">{shortVersion(to)}</span>
        </>
      }
      aside={
        <button class="link" type="button" onClick={onClose}>
          Show source
        </button>
      }
    >
      {sources.error && <LoadError error={sources.error} />}
      {!patch ? (
        !sources.error && <Loading />
      ) : patch.hunks.length === 0 ? (
        <p class="muted">The two sources are the same.</p>
      ) : (
        <div class="diff">
          <table>
            <tbody>
              {patch.hunks.map((h, n) => {
                let oldLine = h.oldStart;
                let newLine = h.newStart;
                return [
                  <tr class="hunk" key={`h${n}`}>
                    <td colSpan={3}>
                      @@ −{h.oldStart},{h.oldLines} +{h.newStart},{h.newLines} @@
                    </td>
                  </tr>,
                  ...h.lines.map((l, i) => {
                    const kind = l[0] === "+" ? "add" : l[0] === "-" ? "del" : "ctx";
                    const left = kind === "add" ? "" : oldLine++;
                    const right = kind === "del" ? "" : newLine++;
                    return (
                      <tr class={`d-${kind}`} key={`${n}-${i}`}>
                        <td class="ln">{left}</td>
                        <td class="ln">{right}</td>
                        <td class="code">
                          <span class="sign">{kind === "add" ? "+" : kind === "del" ? "−" : " "}</span>
                          {l.slice(1)}
                        </td>
                      </tr>
                    );
                  }),
                ];
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
