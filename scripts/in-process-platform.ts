// Every subgraph and the gateway in this process, on free loopback ports, over databases named
// by the caller: what tests and `risk:evaluate` run the real platform on, without touching the
// databases `npm start` serves.
import type { QueryPlan } from '@apollo/query-planner';
import { startGateway, type GatewayOptions, type RunningGateway } from '../gateway/server';
import type { AeoModels } from '../subgraphs/aeo/models';
import type { AuditModels } from '../subgraphs/audit/models';
import { auditSubgraph } from '../subgraphs/audit/subgraph';
import { aeoSubgraph } from '../subgraphs/aeo/subgraph';
import type { DeclarationsStore } from '../subgraphs/declarations/context';
import { declarationsSubgraph } from '../subgraphs/declarations/subgraph';
import { ephemeralTrust, type Trust } from '../subgraphs/kit/auth/trust';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/server';
import type { LicencesModels } from '../subgraphs/licences/models';
import { licencesSubgraph } from '../subgraphs/licences/subgraph';
import type { MraModels } from '../subgraphs/mra/models';
import { mraSubgraph } from '../subgraphs/mra/subgraph';
import type { RiskStore } from '../subgraphs/risk/context';
import { DEFAULT_CAPACITY } from '../subgraphs/risk/lanes';
import { DEFAULT_RANDOM_SHARE } from '../subgraphs/risk/random-selection';
import type { RiskSettings } from '../subgraphs/risk/settings';
import { createRiskSubgraph } from '../subgraphs/risk/subgraph';
import type { IndicatorsModels } from '../subgraphs/indicators/models';
import type { IndicatorsSettings } from '../subgraphs/indicators/settings';
import { createIndicatorsSubgraph } from '../subgraphs/indicators/subgraph';

export interface InProcessPlatform {
  gateway: RunningGateway;
  aeo: RunningSubgraph<AeoModels>;
  declarations: RunningSubgraph<DeclarationsStore>;
  licences: RunningSubgraph<LicencesModels>;
  mra: RunningSubgraph<MraModels>;
  risk: RunningSubgraph<RiskStore>;
  audit: RunningSubgraph<AuditModels>;
  indicators: RunningSubgraph<IndicatorsModels>;
  /** Subgraph name → its GraphQL URL. */
  subgraphUrls: Record<string, string>;
  /** Keys made for this platform alone: its local issuer signs the tokens its callers send. */
  trust: Required<Trust>;
  /** Stops the gateway, then every subgraph; drops their databases first when asked. */
  stop(options?: { dropDatabases?: boolean }): Promise<void>;
}

export interface InProcessPlatformOptions {
  uri: string;
  /** The database of each subgraph. */
  databaseName(subgraph: string): string;
  /** Risk settings other than where the gateway is. */
  risk?: Partial<Omit<RiskSettings, 'gatewayUrl'>>;
  /**
   * Indicators settings other than where the gateway is and the token. Its follower is off unless
   * asked for: it reads the graph all the time, which other tests' counts of requests, query plans
   * and database commands would see.
   */
  indicators?: Partial<Pick<IndicatorsSettings, 'follow' | 'pollMs' | 'idlePollMs' | 'log'>>;
  onQueryPlan?: (plan: QueryPlan) => void;
  /** The keys to trust; fresh ones by default. */
  trust?: Required<Trust>;
  /** Fetch policies and the operation deadline, for tests that make subgraphs fail. */
  gateway?: Pick<GatewayOptions, 'fetchPolicies' | 'operationTimeoutMs'>;
  /** Where the gateway finds a subgraph, given where it listens: a test's fault proxy, say. */
  gatewaySubgraphUrl?: (subgraph: string, url: string) => string | Promise<string>;
}

export async function startInProcessPlatform(options: InProcessPlatformOptions): Promise<InProcessPlatform> {
  const database = (name: string) => ({ uri: options.uri, dbName: options.databaseName(name) });
  // Risk reads the graph through the gateway, which can only start after it.
  let graphqlUrl = '';
  const trust = options.trust ?? (await ephemeralTrust());
  const riskSettings: RiskSettings = {
    capacity: DEFAULT_CAPACITY,
    randomShare: DEFAULT_RANDOM_SHARE,
    ...options.risk,
    gatewayUrl: () => graphqlUrl,
    serviceToken: trust.serviceToken,
  };
  const indicatorsSettings: IndicatorsSettings = {
    follow: false,
    pollMs: 1_000,
    idlePollMs: 15_000,
    ...options.indicators,
    gatewayUrl: () => graphqlUrl,
    serviceToken: trust.serviceToken,
  };
  const [aeo, declarations, licences, mra, risk, audit, indicators] = await Promise.all([
    startSubgraph(aeoSubgraph, { port: 0, database: database('aeo'), trust }),
    startSubgraph(declarationsSubgraph, { port: 0, database: database('declarations'), trust }),
    startSubgraph(licencesSubgraph, { port: 0, database: database('licences'), trust }),
    startSubgraph(mraSubgraph, { port: 0, database: database('mra'), trust }),
    startSubgraph(createRiskSubgraph(riskSettings), { port: 0, database: database('risk'), trust }),
    startSubgraph(auditSubgraph, { port: 0, database: database('audit'), trust }),
    startSubgraph(createIndicatorsSubgraph(indicatorsSettings), { port: 0, database: database('indicators'), trust }),
  ]);
  const subgraphs = [aeo, declarations, licences, mra, risk, audit, indicators] as RunningSubgraph<unknown>[];
  const subgraphUrls = Object.fromEntries(subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
  const route = options.gatewaySubgraphUrl ?? ((_subgraph: string, url: string) => url);
  const gatewayUrls = Object.fromEntries(
    await Promise.all(subgraphs.map(async (subgraph) => [subgraph.name, await route(subgraph.name, subgraph.url)] as const)),
  );
  const gateway = await startGateway({
    port: 0,
    subgraphUrls: gatewayUrls,
    onQueryPlan: options.onQueryPlan,
    trust,
    ...options.gateway,
  });
  graphqlUrl = gateway.graphqlUrl;
  return {
    gateway,
    aeo,
    declarations,
    licences,
    mra,
    risk,
    audit,
    indicators,
    subgraphUrls,
    trust,
    async stop({ dropDatabases = false } = {}) {
      // The indicators first, while the gateway its follower reads through still answers; its
      // database is dropped through another subgraph's client once its follower has stopped writing.
      await indicators.stop();
      if (dropDatabases) await aeo.database.connection.getClient().db(database('indicators').dbName).dropDatabase();
      await gateway.stop();
      for (const subgraph of subgraphs.filter((subgraph) => subgraph !== indicators)) {
        if (dropDatabases) await subgraph.database.connection.dropDatabase();
        await subgraph.stop();
      }
    },
  };
}
