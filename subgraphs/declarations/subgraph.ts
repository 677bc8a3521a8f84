// The declarations subgraph: H1 import declarations, ICS2 entry summary declarations and control results.
import { fileURLToPath } from 'node:url';
import { replayPending } from '../kit/journal';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import type { DeclarationsStore } from './context';
import { createDeclarationsLoaders, type DeclarationsLoaders } from './loaders';
import { createDeclarationsModels, prepareDeclarationsModels } from './models';
import { resolvers } from './resolvers';

export const declarationsSubgraph: SubgraphDefinition<DeclarationsStore, DeclarationsLoaders> = {
  name: 'declarations',
  defaultPort: subgraphEntry('declarations').defaultPort,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  createModels: (connection) => ({ ...createDeclarationsModels(connection), connection }),
  createLoaders: createDeclarationsLoaders,
  async prepare(store) {
    await prepareDeclarationsModels(store);
    // Finish any batch a crash interrupted before serving counters.
    await replayPending(store.connection);
  },
};
