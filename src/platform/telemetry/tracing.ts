/**
 * OpenTelemetry tracing (docs/operations.md "Traces"): the Node SDK with the HTTP, pg and
 * ioredis instrumentations, exporting OTLP over HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT.
 * Started by src/instrument.ts before the rest of the service is loaded; off unless the
 * endpoint is set. The SDK reads the standard OTEL_* variables (service name, sampler, batch
 * delay, headers).
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Starts tracing; returns a function that flushes and stops it. */
export function startTracing(): () => Promise<void> {
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'apg-budgeting-forecasting',
    traceExporter: new OTLPTraceExporter(),
    // Only traces: metrics are /metrics (Prometheus), logs are pino's lines on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      // Liveness probes and Prometheus scrapes would be most of the traces: not traced.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(health|ready|metrics)(\?|$)/.test(req.url ?? ''),
      }),
      new PgInstrumentation(),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
  return () => sdk.shutdown();
}
