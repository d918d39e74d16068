/** `npm start`: run the service with settings from the environment. */
// Tracing first (when OTEL_EXPORTER_OTLP_ENDPOINT is set): the server's modules are imported
// after it, dynamically, so the instrumentations patch them as they load.
import './instrument.ts';

const { serve } = await import('./server.ts');
await serve();
