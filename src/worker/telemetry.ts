// Telemetry through @opentelemetry/api (docs/telemetry.md): a span per workflow activation and per
// task attempt, parented so a run is one trace, and the metrics of SPEC §7. The API is a no-op
// until the application registers an SDK, so without one this costs a few calls per attempt. The
// trace context travels with the execution as a W3C traceparent (the `trace` column).

import {
  context,
  createNoopMeter,
  isSpanContextValid,
  metrics,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type ObservableGauge,
  type ObservableResult,
  type Span,
  type SpanContext,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import type { Claimed, EnqueueItem } from "../store/types.js";
import type { Activate, Activated, ActivationInput } from "./activation.js";
import { processMetrics } from "./process-metrics.js";

/** The instrumentation scope of every span and instrument. */
export const SCOPE = "rhythm-flow";

const tracer = trace.getTracer(SCOPE);

let knownProvider: TracerProvider | null = null;
let sdkTracer: Tracer | null = null;

/**
 * The tracer of a registered SDK, or null while none is: then the worker starts no span at all
 * (a no-op span, its context and attributes cost ~6 µs per task attempt, a fifth of a worker's
 * CPU per task in S1). Looked up at each use, so an SDK registered later is used from then on.
 */
function activeTracer(): Tracer | null {
  const global = trace.getTracerProvider();
  const provider = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
  if (provider !== knownProvider) {
    knownProvider = provider;
    sdkTracer = global instanceof ProxyTracerProvider && global.getDelegateTracer(SCOPE) === undefined ? null : tracer;
  }
  return sdkTracer;
}

/** Whether a tracing SDK is registered (then every activation gets its span: the fast path is not taken). */
export function tracing(): boolean {
  return activeTracer() !== null;
}

/** A W3C traceparent: version 00, trace id, parent span id, flags. */
export function traceparentOf(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags.toString(16).padStart(2, "0")}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span context a stored traceparent names; undefined when it is not one. */
export function spanContextOf(traceparent: string): SpanContext | undefined {
  const m = TRACEPARENT.exec(traceparent);
  if (!m) return undefined;
  const sc: SpanContext = { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16), isRemote: true };
  return isSpanContextValid(sc) ? sc : undefined;
}

/**
 * The context an execution's spans start in: its stored trace; for one started by untraced code,
 * a trace whose id is the execution's id (its spans still form one trace, found by that id).
 */
function parentContext(id: string, stored: string | null): Context {
  const sc = stored === null ? undefined : spanContextOf(stored);
  if (sc) return trace.setSpanContext(ROOT_CONTEXT, sc);
  const hex = id.replace(/-/g, "");
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: hex, spanId: hex.slice(0, 16), traceFlags: 1, isRemote: true });
}

function errorOf(e: unknown): { name: string; message: string; stack?: string } {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  const o = (typeof e === "object" && e !== null ? e : {}) as { name?: unknown; message?: unknown };
  return { name: typeof o.name === "string" ? o.name : "Error", message: typeof o.message === "string" ? o.message : String(e) };
}

/** Marks a span failed with `error` (an Error, or an error as the engine stores it: { name, message }). */
function fail(span: Span, error: unknown): void {
  const e = errorOf(error);
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${e.name}: ${e.message}` });
}

/**
 * Gives the executions a client starts the caller's trace: a PRODUCER span ("start <workflow>",
 * "queue <task>") under the active context, whose traceparent is stored with each of them.
 * Without an SDK and an active span, nothing is stored.
 */
export async function tracedEnqueue<T extends { id: string }[]>(items: EnqueueItem[], enqueue: () => Promise<T>): Promise<T> {
  if (items.length === 0) return enqueue();
  const first = items[0];
  const span = (activeTracer() ?? tracer).startSpan(`${first.kind === "task" ? "queue" : "start"} ${first.name}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      "rhythm.execution.name": first.name,
      "rhythm.execution.kind": first.kind,
      "rhythm.queue": first.queue ?? "default",
    },
  });
  const sc = span.spanContext();
  if (isSpanContextValid(sc)) {
    const tp = traceparentOf(sc);
    for (const i of items) i.trace = tp;
  }
  try {
    const out = await enqueue();
    if (out.length === 1) span.setAttribute("rhythm.execution.id", out[0].id);
    return out;
  } catch (e) {
    fail(span, e);
    throw e;
  } finally {
    span.end();
  }
}

type DepthReader = () => Promise<{ queue: string; ready: number }[]>;

/** The live workers' depth reads; the first one's answers the queue depth gauge. */
const depthReaders: DepthReader[] = [];

/** The class of the API's no-op meter: what getMeter gives while no MeterProvider is registered. */
const NOOP_METER = createNoopMeter().constructor;

/** How a task attempt ended, as its span and metrics say it. */
export type AttemptOutcome = "completed" | "retry" | "failed" | "cancelled";

/** One task attempt's telemetry: its span, and when its handler started. */
export interface AttemptTelemetry {
  /** null: no SDK is registered. */
  span: Span | null;
  /** The context the handler runs in (its span active); null: it runs as it is (nothing traced). */
  context: Context | null;
  startedAt: number;
}

/**
 * A worker's telemetry: its instruments (made when the worker is built: register the SDK's
 * MeterProvider before that), the activation wrapper, and what task attempts call.
 */
export class WorkerTelemetry {
  private readonly started: Counter;
  private readonly finished: Counter;
  private readonly attemptDuration: Histogram;
  private readonly claimLatency: Histogram;
  private readonly depth: ObservableGauge;
  private readonly observeDepth: (result: ObservableResult) => Promise<void>;
  /** Whether a MeterProvider was registered when the worker was built (else the instruments are no-ops). */
  private readonly measuring: boolean;

  constructor(private readonly readDepths: DepthReader) {
    const meter = metrics.getMeter(SCOPE);
    this.measuring = meter.constructor !== NOOP_METER;
    this.started = meter.createCounter("rhythm.executions.started", {
      description: "Executions that began their first activation or attempt",
    });
    this.finished = meter.createCounter("rhythm.executions.finished", {
      description: "Executions that completed or failed for good, by status",
    });
    this.attemptDuration = meter.createHistogram("rhythm.task.attempt.duration", {
      description: "How long task handlers ran, by outcome",
      unit: "s",
    });
    this.claimLatency = meter.createHistogram("rhythm.claim.latency", {
      description: "How long executions waited, once runnable, before a worker claimed them",
      unit: "s",
    });
    this.depth = meter.createObservableGauge("rhythm.queue.depth", {
      description: "Executions queued and runnable now, by queue",
    });
    // read from the database only when a reader collects (never without an SDK), by one worker
    // of the process: several would observe the same series
    this.observeDepth = async (result) => {
      if (depthReaders[0] !== this.readDepths) return;
      const byQueue = new Map<string, number>();
      for (const d of await this.readDepths()) byQueue.set(d.queue, (byQueue.get(d.queue) ?? 0) + d.ready);
      for (const [queue, n] of byQueue) result.observe(n, { "rhythm.queue": queue });
    };
    this.depth.addCallback(this.observeDepth);
    depthReaders.push(this.readDepths);
  }

  close(): void {
    this.depth.removeCallback(this.observeDepth);
    const at = depthReaders.indexOf(this.readDepths);
    if (at >= 0) depthReaders.splice(at, 1);
  }

  /** An execution this worker claimed: how long it waited once runnable. */
  claimed(c: Claimed): void {
    if (this.measuring)
      this.claimLatency.record(c.waited_ms / 1000, { "rhythm.queue": c.queue, "rhythm.execution.kind": c.kind });
    processMetrics.current?.claimed(c.queue, c.kind, c.waited_ms / 1000);
  }

  /** The activations of `inner`, each in a span; the executions they start join that span's trace. */
  activations(inner: Activate): Activate {
    return {
      loaded: (name, version) => inner.loaded(name, version),
      run: async (input, inTransaction) => {
        const span =
          activeTracer()?.startSpan(
            `activate ${input.name}`,
            { kind: SpanKind.CONSUMER, attributes: activationAttributes(input) },
            parentContext(input.id, input.trace),
          ) ?? null;
        let activated: Activated;
        try {
          activated = await inner.run(input, inTransaction);
        } catch (e) {
          if (span) {
            fail(span, e);
            span.end();
          }
          throw e;
        }
        this.activated(span, input, activated);
        return activated;
      },
    };
  }

  /** An activation run without a span (the fast path: fast-steps.ts), counted once committed. */
  activatedUntraced(input: ActivationInput, a: Activated): void {
    this.activated(null, input, a);
  }

  private activated(span: Span | null, input: ActivationInput, a: Activated): void {
    // tasks and children join this activation's span (its trace, when nothing records)
    const child = span?.isRecording() ? traceparentOf(span.spanContext()) : input.trace;
    if (child !== null) for (const s of a.write.start) s.trace = child;
    if (span) {
      span.setAttribute("rhythm.outcome", a.status);
      if (a.write.start.length > 0) span.setAttribute("rhythm.started", a.write.start.length);
      if (a.write.outcome.status === "failed") fail(span, a.write.outcome.error);
      span.end();
    }
    const attrs = { "rhythm.execution.kind": "workflow", "rhythm.execution.name": input.name };
    if (a.facts.first) {
      if (this.measuring) this.started.add(1, attrs);
      processMetrics.current?.started("workflow", input.name);
    }
    if (a.status === "completed" || a.status === "failed") {
      if (this.measuring) this.finished.add(1, { ...attrs, "rhythm.status": a.status });
      processMetrics.current?.finished("workflow", input.name, a.status);
    }
  }

  /** A task attempt begins (before its handler is called). */
  attemptStarted(c: Claimed): AttemptTelemetry {
    const t = activeTracer();
    if (c.attempt === 1) {
      if (this.measuring) this.started.add(1, { "rhythm.execution.kind": "task", "rhythm.execution.name": c.name });
      processMetrics.current?.started("task", c.name);
    }
    if (t === null) return { span: null, context: null, startedAt: this.timing() ? performance.now() : 0 };
    const span = t.startSpan(
      `task ${c.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "rhythm.execution.id": c.id,
          "rhythm.execution.name": c.name,
          "rhythm.execution.kind": "task",
          "rhythm.attempt": c.attempt,
          "rhythm.queue": c.queue,
          ...(c.parent_id === null ? {} : { "rhythm.parent.id": c.parent_id }),
        },
      },
      parentContext(c.id, c.trace),
    );
    // the handler's own spans and the work it starts join the attempt's span
    const ctx = isSpanContextValid(span.spanContext()) ? trace.setSpan(ROOT_CONTEXT, span) : null;
    return { span, context: ctx, startedAt: performance.now() };
  }

  /** Calls the handler in its attempt's context. */
  static within<T>(t: AttemptTelemetry, fn: () => T): T {
    return t.context === null ? fn() : context.with(t.context, fn);
  }

  /** The handler returned or threw: how long it ran. */
  handlerEnded(t: AttemptTelemetry): number {
    return t.startedAt === 0 ? 0 : (performance.now() - t.startedAt) / 1000;
  }

  /** Whether anything reads attempt durations: a meter, or a /metrics endpoint in this process. */
  private timing(): boolean {
    return this.measuring || processMetrics.current !== null;
  }

  /** The attempt's outcome is known (`error`: what failed it). */
  attemptEnded(t: AttemptTelemetry, c: Claimed, seconds: number, outcome: AttemptOutcome, error: unknown): void {
    if (this.measuring) this.attemptDuration.record(seconds, { "rhythm.execution.name": c.name, "rhythm.outcome": outcome });
    const pm = processMetrics.current;
    pm?.attempt(c.name, outcome, seconds);
    if (outcome === "completed" || outcome === "failed") {
      if (this.measuring)
        this.finished.add(1, { "rhythm.execution.kind": "task", "rhythm.execution.name": c.name, "rhythm.status": outcome });
      pm?.finished("task", c.name, outcome);
    }
    const span = t.span;
    if (span === null) return;
    if (span.isRecording()) {
      span.setAttribute("rhythm.outcome", outcome);
      if (error !== null && outcome !== "cancelled") fail(span, error);
    }
    span.end();
  }
}

function activationAttributes(input: ActivationInput): Attributes {
  const a: Attributes = {
    "rhythm.execution.id": input.id,
    "rhythm.execution.name": input.name,
    "rhythm.execution.kind": "workflow",
    "rhythm.attempt": input.attempt,
    "rhythm.queue": input.queue,
    "rhythm.workflow.version": input.version,
  };
  if (input.parentId !== null) a["rhythm.parent.id"] = input.parentId;
  return a;
}
