// The risk subgraph: learned models, targeting rules, assessments and the control queue. It reads
// the rest of the graph through the gateway, as any client does, and publishes its results back.
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import { createGraphClient } from '../kit/graph-client';
import { replayPending } from '../kit/journal';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import type { RiskStore } from './context';
import { riskJobs } from './jobs';
import { createRiskLoaders, type RiskLoaders } from './loaders';
import { createRiskModels, prepareRiskModels } from './models';
import { resolvers } from './resolvers';
import type { RiskSettings } from './settings';

/** The risk models on a connection, with the graph client screening and learning read through. */
export function createRiskStore(connection: Connection, settings: RiskSettings): RiskStore {
  return { ...createRiskModels(connection), connection, settings, graph: createGraphClient({ url: settings.gatewayUrl, token: settings.serviceToken }) };
}

export function createRiskSubgraph(settings: RiskSettings): SubgraphDefinition<RiskStore, RiskLoaders> {
  return {
    name: 'risk',
    defaultPort: subgraphEntry('risk').defaultPort,
    schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
    resolvers,
    createModels: (connection) => createRiskStore(connection, settings),
    createLoaders: createRiskLoaders,
    // A batch of assessments and its feed entry a crash interrupted is finished before anything else is written.
    prepare: async (store) => {
      await replayPending(store.connection);
      await prepareRiskModels(store);
    },
    jobs: riskJobs,
  };
}
