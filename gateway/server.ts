// The gateway: one graph over every subgraph, from the committed supergraph (never introspected
// at run time), with health checks and the explorer beside /graphql.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import { callerFromIdentity, unauthenticated } from '../subgraphs/kit/auth/requests';
import type { Caller } from '../subgraphs/kit/auth/roles';
import { AuthenticationError, signGatewayToken } from '../subgraphs/kit/auth/tokens';
import { reusingSigner } from '../subgraphs/kit/auth/token-cache';
import { RESERVED_SUBJECTS } from '../subgraphs/kit/auth/gateway-identity';
import type { Trust } from '../subgraphs/kit/auth/trust';
import { createRequestHandler, listen } from '../subgraphs/kit/http';
import { millisecondsFromEnv } from '../subgraphs/kit/request-deadline';
import { SUBGRAPHS, subgraphUrl } from '../subgraphs/registry';
import type { GraphQLFormattedError } from 'graphql';
import { demoSignInRoute } from './demo-sign-in';
import { authorizingGateway, requirementsFromSupergraph, supergraphForGateway } from './authorization';
import { auditedGateway, auditPlugin, auditSubgraphRecorder, type AuditRecorder } from './audit';
import type { AuditEntry } from '../subgraphs/kit/audit-entry';
import { MAX_PENDING } from './audit-recorder';
import { createDashboardHandler } from './dashboard/serve';
import { createExplorerHandler } from './explorer/serve';
import { DEFAULT_LIMITS, limitsFromEnv, queryLimitsPlugin, type QueryLimits } from './limits';
import { SUPERGRAPH_PATH } from './supergraph';
import { fetchPolicyFromEnv, SubgraphSource, type FetchPolicy } from './subgraph-source';
import { OperationTracer, traceSettingsFromEnv, type TraceSettings } from './trace';

export interface GatewayContext {
  /** Who asks, from the bearer token the gateway verified. */
  caller: Caller;
  /** The caller, signed by the gateway for the subgraphs: made once per request, when first needed. */
  subgraphToken(): Promise<string>;
}

/** What the gateway trusts and signs with. */
export type GatewayTrust = Pick<Trust, 'identity' | 'localIssuer'> & Required<Pick<Trust, 'gatewaySigningKey'>>;

export interface GatewayOptions {
  port?: number;
  host?: string;
  /** Subgraph name → GraphQL URL; default SUBGRAPH_<NAME>_URL, then the local default port. */
  subgraphUrls?: Record<string, string>;
  supergraphPath?: string;
  /** Called with each query plan: for tests and tracing, not for production logic. */
  onQueryPlan?: (plan: QueryPlan) => void;
  /** Query limits other than GRAPHQL_MAX_* (limits.ts). */
  limits?: Partial<QueryLimits>;
  trust: GatewayTrust;
  /**
   * Where the audit trail goes (gateway/audit.ts): by default a buffer that sends entries to the
   * audit subgraph's POST /audit. `false` turns it off: for benchmarks that measure what it costs.
   */
  audit?: AuditRecorder | false;
  /** Fetch deadlines and circuit breaking, per subgraph name, other than fetchPolicyFromEnv's. */
  fetchPolicies?: Record<string, Partial<FetchPolicy>>;
  /** The longest an operation may run; default GATEWAY_OPERATION_TIMEOUT_MS, else 60 s: longer than any subgraph's fetch deadline. */
  operationTimeoutMs?: number;
  /** Which operations to trace, and where traces go (trace.ts); default GATEWAY_TRACE and GATEWAY_SLOW_OPERATION_MS; `false` none. */
  trace?: TraceSettings | false;
  /**
   * A subgraph's data source where the caller brings its own (bench/federation-monolith.ts runs
   * every subgraph in the gateway's process); undefined: over HTTP, as subgraph-source.ts asks.
   */
  dataSource?: (name: string, url: string) => GraphQLDataSource | undefined;
}

/** Stack traces and internal detail only when asked for: NODE_ENV=development. */
const DEVELOPMENT = process.env.NODE_ENV === 'development';

export interface RunningGateway {
  url: string;
  graphqlUrl: string;
  /** Resolves once every audit entry recorded so far is stored. */
  flushAudit(): Promise<void>;
  /** Stops answering, then stores what the audit trail still holds. */
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const urls = Object.fromEntries(SUBGRAPHS.map((entry) => [entry.name, options.subgraphUrls?.[entry.name] ?? subgraphUrl(entry)]));
  const supergraphSdl = readFileSync(options.supergraphPath ?? SUPERGRAPH_PATH, 'utf8');
  const recorder = options.audit ?? auditSubgraphRecorder(urls.audit!, options.trust.gatewaySigningKey);
  const traceSettings = options.trace ?? traceSettingsFromEnv();
  const tracer = traceSettings ? new OperationTracer(traceSettings) : undefined;
  // @apollo/gateway sends usage metrics to Apollo's servers, and probes cloud metadata endpoints
  // for them, unless told not to: nothing of a customs platform leaves it unless its operator says so.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const sources = new Map(
    SUBGRAPHS.map((entry) => [
      entry.name,
      new SubgraphSource(entry.name, urls[entry.name]!, { ...fetchPolicyFromEnv(entry), askTiming: !!tracer, ...options.fetchPolicies?.[entry.name] }),
    ]),
  );
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForGateway(supergraphSdl),
    ...((options.onQueryPlan || tracer) && {
      experimental_didResolveQueryPlan: ({ queryPlan, requestContext }) => {
        options.onQueryPlan?.(queryPlan);
        tracer?.planResolved(requestContext.context, queryPlan);
      },
    }),
    buildService: ({ name, url }) => {
      const source = options.dataSource?.(name, urls[name] ?? url ?? '') ?? sources.get(name) ?? new SubgraphSource(name, url ?? '');
      return tracer ? tracer.traced(name, source) : source;
    },
  });
  const limits = { ...(options.limits ? DEFAULT_LIMITS : limitsFromEnv()), ...options.limits };

  const httpServer = createServer();
  const apollo = new ApolloServer<GatewayContext>({
    // Each operation is cut down to what its caller may see before it is planned (authorization.ts).
    // The audit trail's key fields are added inside, to what the caller may see (audit.ts).
    gateway: authorizingGateway(recorder ? auditedGateway(gateway) : gateway, requirementsFromSupergraph(supergraphSdl)),
    // Auditors explore the schema in the browser; the explorer needs introspection even in production.
    introspection: true,
    parseOptions: { maxTokens: limits.maxTokens },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5_000 }),
      ApolloServerPluginLandingPageDisabled(),
      queryLimitsPlugin(limits),
      ...(recorder ? [auditPlugin(recorder)] : []),
      ...(tracer ? [tracer.plugin<GatewayContext>()] : []),
    ],
    includeStacktraceInErrorResponses: DEVELOPMENT,
    formatError: (formatted) => withoutInternals(formatted, urls),
  });
  await apollo.start();

  httpServer.on(
    'request',
    createRequestHandler<GatewayContext>({
      apollo,
      context: (req) => authenticate(req, options.trust, recorder ? refusalsFor(recorder) : undefined),
      ready: () => subgraphStates(sources),
      service: 'gateway',
      counters: () => ({
        subgraph_reads_shared_total: {
          help: "Subgraph reads not sent, because the same caller's same read was in flight: they shared its answer.",
          value: [...sources.values()].reduce((sum, source) => sum + source.sharedReads, 0),
        },
      }),
      timeoutMs: options.operationTimeoutMs ?? millisecondsFromEnv('GATEWAY_OPERATION_TIMEOUT_MS') ?? 60_000,
      routes: [demoSignInRoute(options.trust.localIssuer), createExplorerHandler(), createDashboardHandler()],
    }),
  );
  const running = await listen(httpServer, options.port ?? Number(process.env.GATEWAY_PORT ?? 4000), options.host ?? process.env.GATEWAY_HOST ?? '127.0.0.1');
  return {
    url: running.url,
    graphqlUrl: `${running.url}/graphql`,
    flushAudit: async () => {
      if (recorder) await recorder.flush();
    },
    async stop() {
      await apollo.stop();
      if (recorder) await recorder.stop();
    },
  };
}

/** No subgraph URL, stack or response detail in an answer, outside development. */
function withoutInternals(formatted: GraphQLFormattedError, urls: Record<string, string>): GraphQLFormattedError {
  if (DEVELOPMENT) return formatted;
  let message = formatted.message;
  for (const [name, url] of Object.entries(urls))
    message = message.split(url).join(`the ${name} subgraph`).split(new URL(url).origin).join(`the ${name} subgraph`);
  const { stacktrace: _stacktrace, exception: _exception, response: _response, ...extensions } = formatted.extensions ?? {};
  return { ...formatted, message, extensions };
}

/** Every GraphQL request proves who sends it; nothing of the graph, not even its schema, is anonymous. */
async function authenticate(req: IncomingMessage, trust: GatewayTrust, recordRefusal?: (subject: RefusedSubject) => void): Promise<GatewayContext> {
  let caller: Caller | undefined;
  try {
    caller = await callerFromIdentity(req, trust);
    if (!caller) throw new AuthenticationError('sign in first: send Authorization: Bearer <token> (npm run token prints one for the local issuer)');
    // The gateway's own subject signs its audit entries; a caller holding it could pass for the gateway.
    if (RESERVED_SUBJECTS.has(caller.id)) throw new AuthenticationError(`the subject ${caller.id} is reserved: the gateway and the audit trail use it`);
  } catch (error) {
    recordRefusal?.(caller ? 'impostor' : req.headers.authorization ? 'unverified' : 'anonymous');
    throw unauthenticated(error);
  }
  const verified = caller;
  let signed: Promise<string> | undefined;
  return { caller: verified, subgraphToken: () => (signed ??= signerFor(trust.gatewaySigningKey)(verified)) };
}

/** One signer per key: a caller's gateway token is signed once per 30 s (tokens live 60 s), not once per request. */
const signers = new WeakMap<GatewayTrust['gatewaySigningKey'], (caller: Caller) => Promise<string>>();
function signerFor(key: GatewayTrust['gatewaySigningKey']): (caller: Caller) => Promise<string> {
  let signer = signers.get(key);
  if (!signer) signers.set(key, (signer = reusingSigner((caller) => signGatewayToken(caller, key), 30_000)));
  return signer;
}

/**
 * A request refused before anyone was known: in the trail too, under who it was (nobody, a token
 * that failed verification, or a caller claiming the gateway's subject). Its document is not read.
 */
type RefusedSubject = 'anonymous' | 'unverified' | 'impostor';

/** Refused attempts cost their sender nothing: so that a flood of them cannot fill the trail's buffer and hold up everyone else's requests. */
const REFUSALS_RECORDED_PER_SECOND = 100;

/**
 * Records refused attempts without making anyone wait for the trail, up to
 * REFUSALS_RECORDED_PER_SECOND a second; beyond that, the gateway's log counts them.
 */
function refusalsFor(recorder: AuditRecorder): (subject: RefusedSubject) => void {
  let second = 0;
  let recorded = 0;
  let unrecorded = 0;
  return (subject) => {
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) {
      if (unrecorded > 0)
        console.warn(`audit: ${unrecorded} more requests refused for want of a valid token in one second; recorded ${recorded} of them one by one`);
      second = now;
      recorded = 0;
      unrecorded = 0;
    }
    if (recorded >= REFUSALS_RECORDED_PER_SECOND || recorder.pending >= MAX_PENDING) {
      unrecorded += 1;
      return;
    }
    recorded += 1;
    void recorder.record(refusedAttempt(subject));
  };
}

function refusedAttempt(subject: RefusedSubject): Omit<AuditEntry, 'id'> {
  return {
    at: new Date().toISOString(),
    subject,
    role: null,
    memberState: null,
    licenceType: null,
    programme: null,
    operationName: null,
    operationType: null,
    documentHash: createHash('sha256').update('').digest('hex'),
    eoris: [],
    mrns: [],
    outcome: 'ERROR',
    errorCodes: ['UNAUTHENTICATED'],
  };
}

/**
 * The gateway serves as long as it runs: a subgraph that is down only leaves its fields out of
 * answers. /readyz says so ("degraded"), and what each subgraph's own /readyz says of itself
 * (its database reconnecting, say), beside the gateway's circuit for it.
 */
async function subgraphStates(
  sources: Map<string, SubgraphSource>,
): Promise<{ ready: boolean; status: 'ok' | 'degraded'; subgraphs: Record<string, SubgraphState> }> {
  const states = await Promise.all([...sources.values()].map(async (source) => [source.subgraph, await subgraphState(source)] as const));
  return { ready: true, status: states.every(([, state]) => state.state === 'up') ? 'ok' : 'degraded', subgraphs: Object.fromEntries(states) };
}

interface SubgraphState {
  /** up: it says it is ready; not-ready: it answers but is not (its database is away); down: no answer. */
  state: 'up' | 'not-ready' | 'down';
  circuit: string;
  failuresInARow: number;
  /** What the subgraph's /readyz said, when it answered. */
  detail?: Record<string, unknown>;
  reason?: string;
}

async function subgraphState(source: SubgraphSource): Promise<SubgraphState> {
  const health = source.health();
  try {
    const response = await fetch(new URL('/readyz', source.url), { signal: AbortSignal.timeout(2_000) });
    const detail = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    // A subgraph that failed while it started (the platform starting up) is asked again at once.
    if (response.ok) source.breaker.reportedReady();
    return { state: response.ok ? 'up' : 'not-ready', ...health, detail };
  } catch (error) {
    const reason = error instanceof DOMException && error.name === 'TimeoutError' ? 'no answer within 2 s' : 'no connection';
    return { state: 'down', ...health, reason };
  }
}
