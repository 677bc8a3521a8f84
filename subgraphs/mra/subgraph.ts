// The mutual-recognition subgraph: partner programmes, partner traders, recognition and trade lanes.
import { fileURLToPath } from 'node:url';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import { createMraLoaders, type MraLoaders } from './loaders';
import { createMraModels, type MraModels } from './models';
import { resolvers } from './resolvers';
import { storeProgrammes } from './writes';

export const mraSubgraph: SubgraphDefinition<MraModels, MraLoaders> = {
  name: 'mra',
  defaultPort: subgraphEntry('mra').defaultPort,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  createModels: createMraModels,
  createLoaders: createMraLoaders,
  // The programmes are part of the code (programmes.ts): every start brings them up to date.
  prepare: async (models) => {
    await Promise.all([models.partners.createIndexes(), storeProgrammes(models)]);
  },
};
