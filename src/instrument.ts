/**
 * Loaded before the service (src/main.ts imports it first and the rest dynamically after it;
 * `node --import ./src/instrument.ts` works too): with OTEL_EXPORTER_OTLP_ENDPOINT set it
 * registers OpenTelemetry's ESM hook, so `pg` and `ioredis` are instrumented when they load,
 * and starts the SDK. Without it nothing is loaded.
 */
import { register } from 'node:module';

if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { startTracing } = await import('./platform/telemetry/tracing.ts');
  const stop = startTracing();
  // Spans still in the batch are sent before the process ends (SIGTERM: the server's own
  // handler closes it and exits; beforeExit covers a normal end).
  process.once('beforeExit', () => void stop());
  process.once('SIGTERM', () => void stop().catch(() => {}));
}
