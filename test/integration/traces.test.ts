// The gateway's traces say where an operation's time went: one trace per operation, naming every
// subgraph fetch of its query plan, and for each what the subgraph says it cost it, down to its
// database commands, counted as the subgraph's own command counter counts them. Nothing of it
// reaches the client, and a subgraph that is not asked measures nothing.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { DEFAULT_FETCH_POLICY, SubgraphSource, type FetchContext } from '../../gateway/subgraph-source';
import { FETCH_SPAN_ATTRIBUTES, startTelemetry, tracesEndpoint } from '../../gateway/telemetry';
import { describeTrace, traceSettingsFromEnv, type OperationTrace, type TraceSettings } from '../../gateway/trace';
import { signGatewayToken } from '../../subgraphs/kit/auth/tokens';
import { TIMING_HEADER } from '../../subgraphs/kit/timing';
import { SERVICE, signedIn } from '../support/auth';
import { apiSchema, contractOperation, pruneToSchema } from '../support/contract';
import { chedLicence, declaration, mrn } from '../support/fixtures';
import { startPlatform, type Platform } from '../support/platform';

let platform: Platform;
let gateway: RunningGateway;
const traces: OperationTrace[] = [];
const plans: QueryPlan[] = [];
const settings: TraceSettings = { everyOperation: true, onTrace: (trace) => traces.push(trace) };
const declarationCheck = pruneToSchema(contractOperation('DeclarationCheck'), apiSchema());
type Subgraph = 'aeo' | 'declarations' | 'licences' | 'mra' | 'risk' | 'audit';

beforeAll(async () => {
  platform = await startPlatform();
  await platform.aeo.models.operators.create({ _id: 'NL100000001', name: 'Importer One B.V.', country: 'NL', aeoTags: [] });
  const issued = await platform.query(`mutation ($input: IssueLicenceInput!) { issueLicence(input: $input) { reference } }`, { input: chedLicence(1) });
  expect(issued.errors).toBeUndefined();
  const { kind: _kind, ...input } = declaration(1, { importer: { eori: 'NL100000001', name: 'Importer One B.V.' } });
  const item = { ...input.items[0]!, commodityCode: '03021100', supportingDocuments: [{ type: 'N853', reference: chedLicence(1).reference }], containers: [] };
  const lodged = await platform.query(`mutation ($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn } }`, {
    input: { ...input, items: [item, { ...item, itemNumber: 2 }] },
  });
  expect(lodged.errors).toBeUndefined();
  // A gateway of its own over the platform's subgraphs, tracing every operation into `traces`.
  gateway = await startGateway({
    port: 0,
    subgraphUrls: platform.subgraphUrls,
    trust: platform.trust,
    audit: false,
    onQueryPlan: (plan) => plans.push(plan),
    trace: settings,
  });
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
});

/** One request through the tracing gateway, with its raw JSON answer. */
async function throughTracingGateway(query: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await signedIn(SERVICE, platform.trust)) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Record<string, any>;
}

/** Each subgraph's fetch nodes in a query plan. */
function fetchesPerSubgraph(plan: QueryPlan): Record<string, number> {
  const counts: Record<string, number> = {};
  const visit = (node: PlanNode | SubscriptionNode | undefined): void => {
    if (!node) return;
    if (node.kind === 'Fetch') counts[node.serviceName] = (counts[node.serviceName] ?? 0) + 1;
    else if (node.kind === 'Flatten') visit(node.node);
    else if (node.kind === 'Sequence' || node.kind === 'Parallel') node.nodes.forEach(visit);
    else if (node.kind === 'Condition') [node.ifClause, node.elseClause].forEach(visit);
    else if (node.kind === 'Defer') [node.primary.node, ...node.deferred.map((deferred) => deferred.node)].forEach(visit);
    else if (node.kind === 'Subscription') [node.primary, node.rest].forEach(visit);
  };
  visit(plan.node);
  return counts;
}

/** Each subgraph's database commands, counted by the subgraph itself, while `send` runs. */
async function commandsDuring(send: () => Promise<unknown>): Promise<Record<string, number>> {
  const subgraphs = ['aeo', 'declarations', 'licences', 'mra', 'risk', 'audit'] as const satisfies readonly Subgraph[];
  for (const name of subgraphs) platform[name].database.commands.reset();
  await send();
  return Object.fromEntries(subgraphs.map((name) => [name, platform[name].database.commands.total]));
}

function tally(trace: OperationTrace, value: (fetch: OperationTrace['fetches'][number]) => number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const fetch of trace.fetches) counts[fetch.subgraph] = (counts[fetch.subgraph] ?? 0) + value(fetch);
  return counts;
}

describe('a traced operation', () => {
  let trace: OperationTrace;
  let plan: QueryPlan;
  let commandsCounted: Record<string, number>;
  let answer: Record<string, any>;

  beforeAll(async () => {
    traces.length = 0;
    plans.length = 0;
    commandsCounted = await commandsDuring(async () => {
      answer = await throughTracingGateway(declarationCheck, { mrn: mrn(1) });
    });
    expect(traces).toHaveLength(1);
    expect(plans).toHaveLength(1);
    [trace, plan] = [traces[0]!, plans[0]!];
  });

  it('is answered in full', () => {
    expect(answer.errors).toBeUndefined();
    expect(answer.data.declaration.items.map((item: Record<string, any>) => item.licenceChecks.length > 0)).toEqual([true, true]);
  });

  it('yields one trace, named after the operation, whose plan was made for it: the gateway had not seen it before', () => {
    expect(trace.operation).toBe('DeclarationCheck');
    expect(trace.planMs).toBeTypeOf('number');
    expect(trace.planCached).toBe(false);
  });

  it('names every subgraph its query plan fetched from, as many times as the plan fetched from it', () => {
    const planned = fetchesPerSubgraph(plan);
    expect(Object.keys(planned).sort()).toEqual(['aeo', 'declarations', 'licences', 'mra']);
    expect(tally(trace, () => 1)).toEqual(planned);
  });

  it("gives each fetch the subgraph's own timing, with as many database commands as the subgraph counted", () => {
    for (const fetch of trace.fetches) {
      expect(fetch.failure).toBeUndefined();
      expect(fetch.timing?.commands).toBeGreaterThan(0);
      expect(fetch.timing?.databaseMs).toBeGreaterThan(0);
    }
    const traced = tally(trace, (fetch) => fetch.timing!.commands);
    expect(traced).toEqual(Object.fromEntries(Object.keys(traced).map((name) => [name, commandsCounted[name]])));
  });

  it('reads as one line naming each subgraph, its fetches and its database commands', () => {
    const line = describeTrace(trace);
    expect(line).toMatch(/^trace DeclarationCheck \d/);
    for (const [subgraph, commands] of Object.entries(tally(trace, (fetch) => fetch.timing!.commands)))
      expect(line).toMatch(new RegExp(`; ${subgraph} [^;]*\\(subgraph [^;]*, db [^;]* in ${commands} commands?\\)`));
  });

  it("leaves the subgraphs' timings out of the client's answer", () => {
    expect(answer.extensions?.timing).toBeUndefined();
    expect(JSON.stringify(answer)).not.toMatch(/databaseMs|totalMs/);
  });
});

describe('the trace line', () => {
  it('adds up the fetches of one subgraph, counts them, and names the code of one that failed', () => {
    const timing = (commands: number) => ({ totalMs: 20, databaseMs: 10 * commands, commands });
    const line = describeTrace({
      operation: 'Trader360',
      totalMs: 212,
      parseMs: 0.4,
      planMs: 2.1,
      planCached: true,
      gatewayMs: 35,
      fetches: [
        { subgraph: 'aeo', startMs: 3, durationMs: 15, timing: timing(1) },
        { subgraph: 'declarations', startMs: 20, durationMs: 60, timing: timing(3) },
        { subgraph: 'declarations', startMs: 90, durationMs: 60, timing: timing(3) },
        { subgraph: 'licences', startMs: 90, durationMs: 5000, failure: 'SUBGRAPH_TIMEOUT' },
        { subgraph: 'mra', startMs: 20, durationMs: 8, timing: timing(0) },
      ],
    });
    expect(line).toBe(
      'trace Trader360 212 ms: parse 0.4 ms, plan 2.1 ms (cached), gateway alone 35 ms; aeo 15 ms (subgraph 20 ms, db 10 ms in 1 command); ' +
        'declarations ×2 120 ms (subgraph 40 ms, db 60 ms in 6 commands); licences 5000 ms (failed: SUBGRAPH_TIMEOUT); mra 8.0 ms (subgraph 20 ms, no database command)',
    );
  });
});

describe('which operations are traced', () => {
  afterAll(() => {
    settings.everyOperation = true;
    delete settings.slowOperationMs;
  });

  it('only those slower than the threshold, when not every one is', async () => {
    settings.everyOperation = false;
    settings.slowOperationMs = 3_600_000;
    traces.length = 0;
    await throughTracingGateway(declarationCheck, { mrn: mrn(1) });
    settings.slowOperationMs = 1;
    await throughTracingGateway(declarationCheck, { mrn: mrn(1) });
    expect(traces).toHaveLength(1);
    // Asked again, the operation's plan comes from the gateway's cache.
    expect(traces[0]?.planCached).toBe(true);
  });

  it('none without GATEWAY_TRACE or GATEWAY_SLOW_OPERATION_MS; every one with GATEWAY_TRACE=1', () => {
    expect(traceSettingsFromEnv({})).toBeUndefined();
    expect(traceSettingsFromEnv({ GATEWAY_TRACE: '0' })).toBeUndefined();
    expect(traceSettingsFromEnv({ GATEWAY_TRACE: '1' })).toEqual({ everyOperation: true });
    expect(traceSettingsFromEnv({ GATEWAY_SLOW_OPERATION_MS: '500' })).toEqual({ everyOperation: false, slowOperationMs: 500 });
    expect(() => traceSettingsFromEnv({ GATEWAY_TRACE: 'yes' })).toThrow(/GATEWAY_TRACE must be 1/);
  });
});

describe("a subgraph's timing", () => {
  const query = `{ declaration(mrn: "${mrn(1)}") { mrn } }`;
  const ask = async (askTiming: boolean) => {
    const source = new SubgraphSource('declarations', platform.subgraphUrls.declarations!, { ...DEFAULT_FETCH_POLICY, askTiming }, () => {});
    const context: FetchContext = { subgraphToken: () => signGatewayToken(SERVICE, platform.trust.gatewaySigningKey) };
    // The gateway's executor passes more; the source reads only the request and the context.
    return source.process({ kind: 'incoming operation', request: { query }, context } as unknown as GraphQLDataSourceProcessOptions<FetchContext>);
  };

  it('is in its answer when the gateway asks, with the commands the fetch cost', async () => {
    platform.declarations.database.commands.reset();
    const response = await ask(true);
    expect(response.extensions?.timing).toMatchObject({ commands: platform.declarations.database.commands.total });
  });

  it('is not in its answer when tracing is off', async () => {
    const response = await ask(false);
    expect(response.data).toEqual({ declaration: { mrn: mrn(1) } });
    expect(response.extensions?.timing).toBeUndefined();
  });

  it('is never told to a caller without the gateway’s token', async () => {
    const response = await fetch(platform.subgraphUrls.declarations!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TIMING_HEADER]: '1' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as Record<string, any>;
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.extensions?.timing).toBeUndefined();
  });
});

/** An OpenTelemetry collector of its own: takes OTLP/HTTP JSON and keeps the spans. */
async function collector() {
  const requests: { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push(JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8')));
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => requests.flatMap((request) => request.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Span {
  traceId: string;
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** An attribute's value, whichever of OTLP's value kinds carries it (an intValue may come as a string). */
function attribute(span: Span, key: string): unknown {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  return value && Object.values(value)[0];
}

describe('with an OpenTelemetry collector', () => {
  it('is sent to OTEL_EXPORTER_OTLP_ENDPOINT, or where OTEL_EXPORTER_OTLP_TRACES_ENDPOINT says', () => {
    expect(tracesEndpoint({})).toBeUndefined();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('http://collector:4318/v1/traces');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/traces' })).toBe('http://collector:4318/traces');
    expect(traceSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ everyOperation: false });
  });

  it("gets the gateway's spans of an operation, each fetch's with the database commands its subgraph counted", async () => {
    const received = await collector();
    const telemetry = startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: received.url })!;
    let counted: Record<string, number>;
    try {
      counted = await commandsDuring(() => throughTracingGateway(declarationCheck, { mrn: mrn(1) }));
    } finally {
      await telemetry.stop();
      await received.close();
    }
    const spans = received.spans();
    const [request, ...others] = spans.filter((span) => span.name === 'gateway.request');
    expect(others).toHaveLength(0);
    expect(attribute(request!, 'graphql.operation.name')).toBe('DeclarationCheck');
    const fetches = spans.filter((span) => span.name === 'gateway.fetch');
    expect(new Set(fetches.map((span) => span.traceId))).toEqual(new Set([request!.traceId]));
    const perSubgraph = (value: (span: Span) => number) => {
      const counts: Record<string, number> = {};
      for (const span of fetches) counts[String(attribute(span, 'service'))] = (counts[String(attribute(span, 'service'))] ?? 0) + value(span);
      return counts;
    };
    const planned = fetchesPerSubgraph(plans.at(-1)!);
    expect(perSubgraph(() => 1)).toEqual(planned);
    expect(perSubgraph((span) => Number(attribute(span, FETCH_SPAN_ATTRIBUTES.commands)))).toEqual(
      Object.fromEntries(Object.keys(planned).map((name) => [name, counted[name]])),
    );
  });
});
