// The declarations subgraph: H1 import declarations, ICS2 entry summary declarations and control results.
import { fileURLToPath } from 'node:url';
import { replayPending } from '../kit/journal';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import type { DeclarationsStore } from './context';
import { createDeclarationsLoaders, type DeclarationsLoaders } from './loaders';
import { createDeclarationsModels, prepareDeclarationsModels } from './models';
import { resolvers } from './resolvers';
import { DeclarationsWriter } from './writes';
import type { DeclarationsRecord } from './records';

export const declarationsSubgraph: SubgraphDefinition<DeclarationsStore, DeclarationsLoaders> = {
  name: 'declarations',
  defaultPort: subgraphEntry('declarations').defaultPort,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  createModels: (connection) => {
    const models = createDeclarationsModels(connection);
    return { ...models, connection, writer: new DeclarationsWriter(models, connection) };
  },
  createLoaders: createDeclarationsLoaders,
  async prepare(store) {
    await prepareDeclarationsModels(store);
    // Finish any batch a crash interrupted before serving reads or taking writes.
    await replayPending(store.connection);
  },
  ingest: (store) => ({
    kinds: ['declaration', 'entrySummaryDeclaration', 'controlResult'],
    isEmpty: async () => (await store.declarations.findOne({}, { _id: 1 }).lean().exec()) === null,
    write: async (records) =>
      (await store.writer.write(records as DeclarationsRecord[])).map(({ status, field, reason }) =>
        status === 'rejected' ? { status, field: field ?? '', reason: reason ?? 'rejected' } : { status },
      ),
  }),
};
