// A workflow's source with line numbers and highlighting, the paused line (and the lines of the
// frames below it) marked, scrolled into view.

import { Fragment } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { highlight } from "../highlight.js";

export interface Mark {
  line: number;
  kind: "paused" | "frame";
  label: string;
}

export function SourceView({ source, marks = [] }: { source: string; marks?: Mark[] }) {
  const lines = useMemo(() => highlight(source), [source]);
  const byLine = new Map<number, Mark>();
  for (const m of marks) if (!byLine.has(m.line)) byLine.set(m.line, m);
  const first = marks.find((m) => m.kind === "paused")?.line;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current?.querySelector<HTMLElement>(".line-paused");
    if (el && box.current) box.current.scrollTop = Math.max(0, el.offsetTop - box.current.clientHeight / 3);
  }, [first, source]);
  return (
    <div class="source" ref={box}>
      <table>
        <tbody>
          {lines.map((tokens, n) => {
            const mark = byLine.get(n + 1);
            const row = (
              <tr key={n} class={mark ? `line-${mark.kind}` : ""} data-line={n + 1}>
                <td class="ln">{n + 1}</td>
                <td class="code">
                  {tokens.map((t, i) =>
                    t.kind === "plain" ? (
                      t.text
                    ) : (
                      <span key={i} class={`tok-${t.kind}`}>
                        {t.text}
                      </span>
                    ),
                  )}
                </td>
              </tr>
            );
            // what the line is marked for, on a row of its own under it (a long line would hide it)
            return mark ? (
              <Fragment key={n}>
                {row}
                <tr class={`mark-row mark-row-${mark.kind}`}>
                  <td class="ln" />
                  <td class="code">
                    <span class={`mark-label mark-${mark.kind}`}>{mark.label}</span>
                  </td>
                </tr>
              </Fragment>
            ) : (
              row
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
