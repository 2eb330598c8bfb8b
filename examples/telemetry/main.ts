// Telemetry with the OpenTelemetry SDK (docs/telemetry.md): spans and metrics printed by the SDK's
// console exporters. The SDK is registered before Rhythm connects; the workflow is started inside
// a span of the application ("handle checkout request"), so the run — its activations, the child
// workflow and both tasks — is one trace under that span. Run it with
// `npm run example:telemetry` (embedded database, or RHYTHM_DATABASE_URL when it is set).

import { fileURLToPath } from "node:url";
import { metrics, trace } from "@opentelemetry/api";
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { Rhythm } from "rhythm-flow";

// 1. The SDK: spans to the console as each ends, metrics to the console at shutdown.
const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
tracing.register(); // the global tracer provider, and the async context that carries spans across awaits
const meters = new MeterProvider({
  readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 60_000 })],
});
metrics.setGlobalMeterProvider(meters);

// 2. Rhythm as usual.
const workflows = fileURLToPath(new URL("../../../examples/telemetry/workflows", import.meta.url));
const rhythm = await Rhythm.connect({ workflows });
rhythm
  .task("charge-card", async (inputs: { order: string; cents: number }) => {
    // the handler runs inside its attempt's span: spans made here are its children
    await trace.getTracer("shop").startActiveSpan("call payment provider", async (span) => span.end());
    return { id: `ch-${inputs.order}` };
  })
  .task("print-label", async (inputs: { order: string }) => ({ tracking: `TRK-${inputs.order}` }));
await rhythm.worker({ pollIntervalMs: 200 }).start();

// 3. Start the workflow inside the application's own span: the run joins its trace.
const done = await trace.getTracer("shop").startActiveSpan("handle checkout request", async (span) => {
  const id = await rhythm.startWorkflow("checkout", { order: "o-7", cents: 4200 });
  span.end();
  return rhythm.wait(id, { timeout: "30s" });
});
console.log(`${done.status}: ${JSON.stringify(done.output ?? done.error)}`);

await rhythm.close();
// flushes: the last spans, and one metrics export
await tracing.shutdown();
await meters.shutdown();
process.exitCode = done.status === "completed" ? 0 : 1;
