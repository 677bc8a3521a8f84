// The indicators subgraph: the Customs Union Performance indicators and trade flows, kept up to
// date by following the declarations' and the assessments' change feeds through the gateway
// (follower.ts), and read from its own aggregates (indicators.ts, flows.ts).
import { fileURLToPath } from 'node:url';
import { createGraphClient } from '../kit/graph-client';
import { replayPending } from '../kit/journal';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import { startFollower } from './follower';
import { createIndicatorsLoaders, type IndicatorsLoaders } from './loaders';
import { createIndicatorsModels, prepareIndicatorsModels, type IndicatorsModels } from './models';
import { resolvers } from './resolvers';
import type { IndicatorsSettings } from './settings';

export function createIndicatorsSubgraph(settings: IndicatorsSettings): SubgraphDefinition<IndicatorsModels, IndicatorsLoaders> {
  return {
    name: 'indicators',
    defaultPort: subgraphEntry('indicators').defaultPort,
    schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
    resolvers,
    createModels: createIndicatorsModels,
    createLoaders: createIndicatorsLoaders,
    // A batch a crash interrupted is finished before the follower reads its cursors.
    prepare: async (models) => {
      await replayPending(models.connection);
      await prepareIndicatorsModels(models);
    },
    background: (models) =>
      !settings.follow
        ? { status: () => ({ follower: { state: 'off' } }), stop: async () => {} }
        : startFollower(models, {
            // Sent once: the follower asks again at its next poll, and a stop need not wait out a retry.
            graph: createGraphClient({
              url: settings.gatewayUrl,
              token: settings.serviceToken,
              timeoutMs: 30_000,
              retry: { patienceMs: 0, firstDelayMs: 500, maxDelayMs: 10_000 },
            }),
            pollMs: settings.pollMs,
            idlePollMs: settings.idlePollMs,
            log: settings.log ?? ((line) => console.log(line)),
          }),
  };
}
