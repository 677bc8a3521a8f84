// The AEO subgraph: the EORI registry and AEO authorisations.
import { fileURLToPath } from 'node:url';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import { aeoIngest } from './ingest';
import { createAeoLoaders, type AeoLoaders } from './loaders';
import { createAeoModels, prepareAeoModels, type AeoModels } from './models';
import { resolvers } from './resolvers';

export const aeoSubgraph: SubgraphDefinition<AeoModels, AeoLoaders> = {
  name: 'aeo',
  defaultPort: subgraphEntry('aeo').defaultPort,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  createModels: createAeoModels,
  createLoaders: createAeoLoaders,
  prepare: prepareAeoModels,
  ingest: aeoIngest,
};
