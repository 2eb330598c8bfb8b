// The Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/
// exposition_formats): per family one HELP and one TYPE line then its samples; label values escape
// backslash, double quote and newline, HELP text backslash and newline; histograms as cumulative
// `_bucket{le=…}` samples ending with le="+Inf", then `_sum` and `_count`.

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string>;

export interface Histogram {
  /** Upper bounds, ascending (without +Inf). */
  bounds: readonly number[];
  /** Observations per bucket (not cumulative), one more than `bounds`: the last is over the last bound. */
  counts: readonly number[];
  sum: number;
  count: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value: Go's float syntax, with +Inf, -Inf and NaN spelled as Prometheus reads them. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function labelText(labels: Labels): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith("__")) throw new Error(`invalid Prometheus label name "${k}"`);
    parts.push(`${k}="${escapeLabelValue(v)}"`);
  }
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** Builds one exposition: families are written in the order they are added. */
export class Exposition {
  private readonly lines: string[] = [];
  private readonly names = new Set<string>();

  private family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid Prometheus metric name "${name}"`);
    if (this.names.has(name)) throw new Error(`metric family "${name}" written twice`);
    this.names.add(name);
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  }

  /** A counter or gauge family and its samples (none is allowed: the family is still described). */
  scalar(name: string, type: "counter" | "gauge", help: string, samples: { labels: Labels; value: number }[]): this {
    this.family(name, type, help);
    for (const s of samples) this.lines.push(`${name}${labelText(s.labels)} ${formatValue(s.value)}`);
    return this;
  }

  histogram(name: string, help: string, series: { labels: Labels; value: Histogram }[]): this {
    this.family(name, "histogram", help);
    for (const { labels, value: h } of series) {
      let cumulative = 0;
      h.bounds.forEach((bound, i) => {
        cumulative += h.counts[i];
        this.lines.push(`${name}_bucket${labelText({ ...labels, le: formatValue(bound) })} ${cumulative}`);
      });
      this.lines.push(`${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${h.count}`);
      this.lines.push(`${name}_sum${labelText(labels)} ${formatValue(h.sum)}`);
      this.lines.push(`${name}_count${labelText(labels)} ${h.count}`);
    }
    return this;
  }

  text(): string {
    return this.lines.join("\n") + "\n";
  }
}
