// RHYTHM_BENCH_TELEMETRY=sdk: the OpenTelemetry SDK registered in the bench's processes, to measure
// what telemetry costs a worker (docs/telemetry.md). Spans go through a batch processor to an
// exporter that drops them, metrics to a reader collecting every 10 s: the SDK's own work, no I/O.
// The SDK comes from Rhythm's devDependencies (the repository's node_modules).

import { metrics } from "@opentelemetry/api";
import { MeterProvider, PeriodicExportingMetricReader, AggregationTemporality } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

let registered = false;

export function registerTelemetrySdk() {
  if (registered) return;
  registered = true;
  const spans = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
  new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] }).register();
  const exporter = {
    export: (_metrics, done) => done({ code: 0 }),
    shutdown: async () => {},
    forceFlush: async () => {},
    selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
  };
  metrics.setGlobalMeterProvider(
    new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 10_000 })] }),
  );
}
