// The whole platform in the test process: every subgraph and the gateway on free loopback
// ports, talking real HTTP, over databases no other test file uses.
import { randomBytes } from 'node:crypto';
import type { QueryPlan } from '@apollo/query-planner';
import { inject } from 'vitest';
import { startGateway } from '../../gateway/server';
import { aeoSubgraph } from '../../subgraphs/aeo/subgraph';
import type { AeoModels } from '../../subgraphs/aeo/models';
import type { DeclarationsStore } from '../../subgraphs/declarations/context';
import { declarationsSubgraph } from '../../subgraphs/declarations/subgraph';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/kit/server';
import type { LicencesModels } from '../../subgraphs/licences/models';
import type { MraModels } from '../../subgraphs/mra/models';
import { mraSubgraph } from '../../subgraphs/mra/subgraph';
import { licencesSubgraph } from '../../subgraphs/licences/subgraph';

export interface Platform {
  gatewayUrl: string;
  graphqlUrl: string;
  aeo: RunningSubgraph<AeoModels>;
  declarations: RunningSubgraph<DeclarationsStore>;
  licences: RunningSubgraph<LicencesModels>;
  mra: RunningSubgraph<MraModels>;
  /** Sends one GraphQL request through the gateway. */
  query<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<TData>>;
  /** The query plans the gateway made, latest last. */
  queryPlans: QueryPlan[];
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

export async function startPlatform(): Promise<Platform> {
  const run = uniqueRunId();
  const [aeo, declarations, licences, mra] = await Promise.all([
    startSubgraph(aeoSubgraph, { port: 0, database: testDatabase('aeo', run) }),
    startSubgraph(declarationsSubgraph, { port: 0, database: testDatabase('declarations', run) }),
    startSubgraph(licencesSubgraph, { port: 0, database: testDatabase('licences', run) }),
    startSubgraph(mraSubgraph, { port: 0, database: testDatabase('mra', run) }),
  ]);
  const queryPlans: QueryPlan[] = [];
  const gateway = await startGateway({
    port: 0,
    subgraphUrls: { aeo: aeo.url, declarations: declarations.url, licences: licences.url, mra: mra.url },
    onQueryPlan: (plan) => queryPlans.push(plan),
  });
  return {
    gatewayUrl: gateway.url,
    graphqlUrl: gateway.graphqlUrl,
    aeo,
    declarations,
    licences,
    mra,
    queryPlans,
    query: (query, variables, headers) => postGraphQL(gateway.graphqlUrl, query, variables, headers),
    async stop() {
      await gateway.stop();
      for (const subgraph of [aeo, declarations, licences, mra] as RunningSubgraph<unknown>[]) {
        await subgraph.database.connection.dropDatabase();
        await subgraph.stop();
      }
    },
  };
}

export async function postGraphQL<TData>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<TData>;
}
