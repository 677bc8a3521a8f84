// The whole platform in the test process: every subgraph and the gateway on free loopback
// ports, talking real HTTP, over databases no other test file uses.
import { randomBytes } from 'node:crypto';
import type { QueryPlan } from '@apollo/query-planner';
import { inject } from 'vitest';
import type { AeoModels } from '../../subgraphs/aeo/models';
import type { AuditModels } from '../../subgraphs/audit/models';
import type { DeclarationsStore } from '../../subgraphs/declarations/context';
import type { Caller } from '../../subgraphs/kit/auth/roles';
import type { Trust } from '../../subgraphs/kit/auth/trust';
import type { RunningSubgraph } from '../../subgraphs/kit/server';
import { startInProcessPlatform, type InProcessPlatformOptions } from '../../scripts/in-process-platform';
import type { LicencesModels } from '../../subgraphs/licences/models';
import type { MraModels } from '../../subgraphs/mra/models';
import type { RiskStore } from '../../subgraphs/risk/context';
import type { RiskSettings } from '../../subgraphs/risk/settings';
import type { IndicatorsModels } from '../../subgraphs/indicators/models';
import { fromGateway, SERVICE, signedIn, testTrust } from './auth';

export interface Platform {
  gatewayUrl: string;
  graphqlUrl: string;
  aeo: RunningSubgraph<AeoModels>;
  declarations: RunningSubgraph<DeclarationsStore>;
  licences: RunningSubgraph<LicencesModels>;
  mra: RunningSubgraph<MraModels>;
  risk: RunningSubgraph<RiskStore>;
  audit: RunningSubgraph<AuditModels>;
  indicators: RunningSubgraph<IndicatorsModels>;
  /** Subgraph name → its GraphQL URL. */
  subgraphUrls: Record<string, string>;
  /**
   * Sends one GraphQL request through the gateway, signed in as the platform's service unless
   * headers say otherwise (an `authorization` of their own, or none: `{ authorization: '' }`).
   */
  query<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<TData>>;
  /** This platform's keys: its local issuer signs tokens for any caller. */
  trust: Required<Trust>;
  /** The query plans the gateway made, latest last. */
  queryPlans: QueryPlan[];
  /**
   * Resolves once the indicators' follower (started with `indicators: { follow: true }`) has read
   * both change feeds to their end after everything written before the call, as its /readyz says.
   */
  indicatorsCaughtUp(timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves once the gateway has stored every audit entry it recorded so far. */
  flushAudit(): Promise<void>;
  /** Drops every database of this platform and stops it. */
  stop(): Promise<void>;
}

export interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Databases named per test file, so files never see each other's data. */
export function testDatabase(subgraph: string, run = uniqueRunId()): { uri: string; dbName: string } {
  return { uri: inject('mongoUri'), dbName: `test_${run}_${subgraph}` };
}

export function uniqueRunId(): string {
  return randomBytes(4).toString('hex');
}

export interface PlatformOptions {
  /** Risk settings other than where the gateway is; no random selection unless asked. */
  risk?: Partial<Omit<RiskSettings, 'gatewayUrl'>>;
  /**
   * The indicators' change-feed follower: off unless a test asks (`{ follow: true }`), since it
   * reads the graph all the time, which other tests' counts of database commands would see.
   * It asks the feeds again every 200 ms by default.
   */
  indicators?: InProcessPlatformOptions['indicators'];
  /** Keys of the test's own making, for tests that forge tokens. */
  trust?: Required<Trust>;
  /** Gateway settings and subgraph routes, for tests that make subgraphs fail (see InProcessPlatformOptions). */
  gateway?: InProcessPlatformOptions['gateway'];
  gatewaySubgraphUrl?: InProcessPlatformOptions['gatewaySubgraphUrl'];
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const run = uniqueRunId();
  const queryPlans: QueryPlan[] = [];
  const platform = await startInProcessPlatform({
    uri: inject('mongoUri'),
    databaseName: (subgraph) => testDatabase(subgraph, run).dbName,
    risk: { randomShare: 0, ...options.risk },
    // No idle back-off: a test waits for the follower right after it writes.
    indicators: { follow: false, pollMs: 200, idlePollMs: 200, ...options.indicators },
    onQueryPlan: (plan) => queryPlans.push(plan),
    ...(options.trust && { trust: options.trust }),
    gateway: options.gateway,
    gatewaySubgraphUrl: options.gatewaySubgraphUrl,
  });
  const { gateway, aeo, declarations, licences, mra, risk, audit, indicators, subgraphUrls } = platform;
  return {
    gatewayUrl: gateway.url,
    graphqlUrl: gateway.graphqlUrl,
    aeo,
    declarations,
    licences,
    mra,
    risk,
    audit,
    indicators,
    subgraphUrls,
    queryPlans,
    flushAudit: () => gateway.flushAudit(),
    indicatorsCaughtUp: (timeoutMs = 120_000) => indicatorsCaughtUp(subgraphUrls.indicators!.replace(/\/graphql$/, '/readyz'), timeoutMs),
    trust: platform.trust,
    query: async (query, variables, headers = {}) =>
      postGraphQL(gateway.graphqlUrl, query, variables, { ...(await signedIn(SERVICE, platform.trust)), ...headers }),
    stop: () => platform.stop({ dropDatabases: true }),
  };
}

async function indicatorsCaughtUp(readyz: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const since = Date.now();
  for (;;) {
    const status = (await (await fetch(readyz)).json()) as { follower?: { state?: string; caughtUpAt?: string | null } };
    if (status.follower?.state === 'off') throw new Error('the indicators follower is off: start the platform with indicators: { follow: true }');
    if (status.follower?.caughtUpAt && Date.parse(status.follower.caughtUpAt) > since) return status;
    if (Date.now() - since > timeoutMs) throw new Error(`the indicators follower did not catch up within ${timeoutMs} ms: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function postGraphQL<TData>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    // An empty header is one a test leaves out on purpose.
    headers: Object.fromEntries(Object.entries({ 'content-type': 'application/json', ...headers }).filter(([, value]) => value !== '')),
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<TData>;
}

/** One request straight to a subgraph, as the gateway sends it on behalf of `who`. */
export async function postToSubgraph<TData>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  who: Caller = SERVICE,
  trust: Required<Trust> = testTrust,
): Promise<GraphQLResponse<TData>> {
  return postGraphQL<TData>(url, query, variables, await fromGateway(who, trust));
}
