// The e-licences subgraph: licences and certificates from partner authorities, their usage,
// and their reconciliation with the goods items that quote them.
import { fileURLToPath } from 'node:url';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import { createLicencesLoaders, type LicencesLoaders } from './loaders';
import { createLicencesModels, prepareLicencesModels, type LicencesModels } from './models';
import { resolvers } from './resolvers';

export const licencesSubgraph: SubgraphDefinition<LicencesModels, LicencesLoaders> = {
  name: 'licences',
  defaultPort: subgraphEntry('licences').defaultPort,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  createModels: createLicencesModels,
  createLoaders: createLicencesLoaders,
  prepare: prepareLicencesModels,
};
