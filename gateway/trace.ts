// Where an operation's time goes, so that a slow one is explained by reading its trace. With
// tracing on (GATEWAY_TRACE=1 for every operation, GATEWAY_SLOW_OPERATION_MS for those slower
// than that) the gateway times each operation's phases and every subgraph fetch, asks each
// subgraph what the fetch cost it (subgraphs/kit/timing.ts), and logs one line per operation:
//
//   trace Trader360 212 ms: parse 0.4 ms, plan 2.1 ms (cached), gateway alone 35 ms; aeo 15 ms (subgraph
//   12 ms, db 9.0 ms in 3 commands); declarations ×2 120 ms (subgraph 110 ms, db 98 ms in 6 commands)
//
// A subgraph's "×2" is two fetches, their times added up. "gateway alone" is the time no fetch
// was in flight: the gateway's own work (parsing, planning, merging answers), and its turn on a
// busy event loop. The gap between a fetch and its subgraph's own time is HTTP and queueing.
// The subgraphs' timings are taken out of their answers here: nothing of a trace reaches a client.
import type { GraphQLDataSource } from '@apollo/gateway';
import { trace as openTelemetry } from '@opentelemetry/api';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { millisecondsFromEnv } from '../subgraphs/kit/request-deadline';
import { timingOf, type SubgraphTiming } from '../subgraphs/kit/timing';
import { FETCH_SPAN_ATTRIBUTES, tracesEndpoint } from './telemetry';

export interface TraceSettings {
  /** A trace of every operation; otherwise only of those slower than slowOperationMs. */
  everyOperation: boolean;
  slowOperationMs?: number;
  /** Where traces go; by default one line each on the console (describeTrace). */
  onTrace?: (trace: OperationTrace) => void;
}

export interface OperationTrace {
  /** The operation's name, or "anonymous" and the start of its document's hash. */
  operation: string;
  totalMs: number;
  /** Before execution: parsing, validation and the query limits. */
  parseMs: number;
  /** From execution's start to its query plan: the caller's trimming, the audit's key fields, the plan (cached or made). */
  planMs?: number;
  /** Whether the plan came from the gateway's plan cache (or was made for this operation). */
  planCached?: boolean;
  /** The time no subgraph fetch was in flight. */
  gatewayMs: number;
  /** Every subgraph fetch, in the order they started. */
  fetches: FetchTrace[];
}

export interface FetchTrace {
  subgraph: string;
  /** When it started, from the operation's start. */
  startMs: number;
  durationMs: number;
  /** What the subgraph says the fetch cost it, when it answered. */
  timing?: SubgraphTiming;
  /** The code it failed with (SUBGRAPH_TIMEOUT, say) when the subgraph gave no answer. */
  failure?: string;
}

/**
 * GATEWAY_TRACE=1 and GATEWAY_SLOW_OPERATION_MS; undefined when neither asks for traces, nor an
 * OpenTelemetry collector for spans (telemetry.ts), whose fetch spans get the subgraphs' timings.
 */
export function traceSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TraceSettings | undefined {
  const every = env.GATEWAY_TRACE;
  if (every !== undefined && !['', '0', '1'].includes(every)) throw new Error(`GATEWAY_TRACE must be 1 (trace every operation) or 0, not "${every}"`);
  const slowOperationMs = millisecondsFromEnv('GATEWAY_SLOW_OPERATION_MS', env);
  if (every !== '1' && slowOperationMs === undefined && !tracesEndpoint(env)) return undefined;
  return { everyOperation: every === '1', ...(slowOperationMs !== undefined && { slowOperationMs }) };
}

/** An operation being traced: times from performance.now(). */
interface OpenTrace {
  startedAt: number;
  executionStartedAt?: number;
  planResolvedAt?: number;
  planCached?: boolean;
  fetches: FetchTrace[];
}

/**
 * Traces the operations of one gateway: its plugin follows each request, the query plan hook
 * marks when planning ended, and its data sources time the fetches. An operation's trace is
 * found by the request's context, which all three see.
 */
export class OperationTracer {
  private readonly open = new WeakMap<object, OpenTrace>();
  /** The plan cache hands out the plan it holds, the same object each time: one seen before came from it. */
  private readonly plansSeen = new WeakSet<object>();

  constructor(private readonly settings: TraceSettings) {}

  plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
    return {
      requestDidStart: async ({ contextValue }) => {
        const trace: OpenTrace = { startedAt: performance.now(), fetches: [] };
        this.open.set(contextValue, trace);
        return {
          executionDidStart: async () => {
            trace.executionStartedAt = performance.now();
          },
          willSendResponse: async ({ operationName, request, queryHash }) => {
            this.open.delete(contextValue);
            const name = operationName ?? request.operationName ?? `anonymous ${queryHash?.slice(0, 8) ?? ''}`.trim();
            this.finished(closed(trace, name, performance.now()));
          },
        };
      },
    };
  }

  /** From the gateway's experimental_didResolveQueryPlan: the plan is ready, the fetches start. */
  planResolved(context: object, plan: object): void {
    const trace = this.open.get(context);
    if (!trace) return;
    trace.planResolvedAt = performance.now();
    trace.planCached = this.plansSeen.has(plan);
    this.plansSeen.add(plan);
  }

  /** The data source, timing each fetch of a traced operation and taking the subgraph's timing out of its answer. */
  traced<TContext extends BaseContext>(subgraph: string, source: GraphQLDataSource<TContext>): GraphQLDataSource<TContext> {
    return {
      process: async (options) => {
        const trace = this.open.get(options.context);
        if (!trace) return source.process(options);
        const startedAt = performance.now();
        const response = await source.process(options);
        const { timing, extensions } = takeTiming(response);
        // The gateway's span of this fetch, when an OpenTelemetry SDK records spans (telemetry.ts).
        if (timing) openTelemetry.getActiveSpan()?.setAttributes(spanAttributes(timing));
        trace.fetches.push({
          subgraph,
          startMs: startedAt - trace.startedAt,
          durationMs: performance.now() - startedAt,
          ...(timing ? { timing } : failureOf(response)),
        });
        return { ...response, extensions };
      },
    };
  }

  private finished(trace: OperationTrace): void {
    const { everyOperation, slowOperationMs, onTrace } = this.settings;
    if (!everyOperation && !(slowOperationMs !== undefined && trace.totalMs >= slowOperationMs)) return;
    if (onTrace) onTrace(trace);
    else console.log(describeTrace(trace));
  }
}

function closed(trace: OpenTrace, operation: string, endedAt: number): OperationTrace {
  const totalMs = endedAt - trace.startedAt;
  const fetches = [...trace.fetches].sort((a, b) => a.startMs - b.startMs);
  return {
    operation,
    totalMs,
    parseMs: (trace.executionStartedAt ?? endedAt) - trace.startedAt,
    ...(trace.planResolvedAt !== undefined &&
      trace.executionStartedAt !== undefined && { planMs: trace.planResolvedAt - trace.executionStartedAt, planCached: trace.planCached }),
    gatewayMs: totalMs - inFlightMs(fetches),
    fetches,
  };
}

/** How long at least one fetch was in flight, fetches in parallel counting once; `fetches` in the order they started. */
function inFlightMs(fetches: readonly FetchTrace[]): number {
  let total = 0;
  let coveredUntil = -Infinity;
  for (const { startMs, durationMs } of fetches) {
    const end = startMs + durationMs;
    if (end <= coveredUntil) continue;
    total += end - Math.max(startMs, coveredUntil);
    coveredUntil = end;
  }
  return total;
}

function takeTiming(response: GatewayGraphQLResponse): { timing?: SubgraphTiming; extensions?: Record<string, unknown> } {
  if (!response.extensions || !('timing' in response.extensions)) return { extensions: response.extensions };
  const { timing, ...extensions } = response.extensions;
  return { timing: timingOf({ timing }), ...(Object.keys(extensions).length > 0 && { extensions }) };
}

function spanAttributes(timing: SubgraphTiming): Record<string, number> {
  return Object.fromEntries(Object.entries(FETCH_SPAN_ATTRIBUTES).map(([field, attribute]) => [attribute, timing[field as keyof SubgraphTiming]]));
}

function failureOf(response: GatewayGraphQLResponse): Pick<FetchTrace, 'failure'> {
  const code = response.errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? { failure: code } : {};
}

/** The trace in one line: the phases, then each subgraph's fetches (see the top of this file). */
export function describeTrace(trace: OperationTrace): string {
  const plan = trace.planMs !== undefined ? [`plan ${ms(trace.planMs)} (${trace.planCached ? 'cached' : 'made'})`] : [];
  const phases = [`parse ${ms(trace.parseMs)}`, ...plan, `gateway alone ${ms(trace.gatewayMs)}`];
  const bySubgraph = new Map<string, FetchTrace[]>();
  for (const fetch of trace.fetches) bySubgraph.set(fetch.subgraph, [...(bySubgraph.get(fetch.subgraph) ?? []), fetch]);
  const subgraphs = [...bySubgraph].map(([subgraph, fetches]) => describeFetches(subgraph, fetches));
  return `trace ${trace.operation} ${ms(trace.totalMs)}: ${[phases.join(', '), ...subgraphs].join('; ')}`;
}

/** "declarations ×2 120 ms (subgraph 110 ms, db 98 ms in 6 commands)": one subgraph's fetches, added up. */
function describeFetches(subgraph: string, fetches: readonly FetchTrace[]): string {
  const times = fetches.flatMap((fetch) => (fetch.timing ? [fetch.timing] : []));
  const failures = fetches.flatMap((fetch) => (fetch.failure !== undefined ? [fetch.failure] : []));
  const detail: string[] = [];
  if (times.length > 0) detail.push(`subgraph ${ms(sum(times, (time) => time.totalMs))}, ${database(times)}`);
  if (failures.length > 0) detail.push(`failed: ${failures.join(', ')}`);
  const count = fetches.length > 1 ? ` ×${fetches.length}` : '';
  // A data source in the gateway's own process (bench/federation-monolith.ts) has no timing to give.
  return `${subgraph}${count} ${ms(sum(fetches, (fetch) => fetch.durationMs))}${detail.length > 0 ? ` (${detail.join('; ')})` : ''}`;
}

function database(times: readonly SubgraphTiming[]): string {
  const commands = sum(times, (time) => time.commands);
  if (commands === 0) return 'no database command';
  return `db ${ms(sum(times, (time) => time.databaseMs))} in ${commands} command${commands === 1 ? '' : 's'}`;
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

/** Tenths below 10 ms, whole milliseconds above: the precision a reader needs. */
function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}
