// OpenTelemetry for the gateway. @apollo/gateway makes spans for every operation through
// @opentelemetry/api (gateway.request, .validate, .plan when a plan is made, .execute, one
// gateway.fetch per subgraph fetch, .postprocessing), which cost nothing until an SDK is
// registered. With OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, the
// gateway registers one that sends them over OTLP/HTTP (JSON) to that collector, and its traces
// (trace.ts) add to each fetch span what the subgraph says the fetch cost it.
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** The service name spans carry, unless OTEL_SERVICE_NAME says otherwise. */
const SERVICE_NAME = 'customs-risk-graph-gateway';

/** Span attributes a fetch span gets from the subgraph's own timing (kit/timing.ts). */
export const FETCH_SPAN_ATTRIBUTES = {
  totalMs: 'subgraph.duration_ms',
  databaseMs: 'subgraph.db.duration_ms',
  commands: 'subgraph.db.commands',
} as const;

export interface Telemetry {
  /** Sends the spans still buffered, then stops: no span is recorded after it. */
  stop(): Promise<void>;
}

/** Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, or OTEL_EXPORTER_OTLP_ENDPOINT's /v1/traces. */
export function tracesEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return new URL('v1/traces', env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/?$/, '/')).toString();
  return undefined;
}

/**
 * Registers the process's tracer provider when an OTLP endpoint is configured; undefined when
 * none is, and then the gateway's spans stay no-ops. Once per process: the gateway's start file.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): Telemetry | undefined {
  const url = tracesEndpoint(env);
  if (!url) return undefined;
  const provider = new NodeTracerProvider({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, over the gateway's own name.
    resource: defaultResource()
      .merge(resourceFromAttributes({ 'service.name': SERVICE_NAME }))
      .merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register();
  return {
    async stop() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
