// The audit subgraph: the append-only trail of who read or wrote which traders and declarations.
import { fileURLToPath } from 'node:url';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import { appendRoute } from './append';
import { createAuditLoaders, type AuditLoaders } from './loaders';
import { createAuditModels, type AuditModels } from './models';
import { resolvers } from './resolvers';

export const auditSubgraph: SubgraphDefinition<AuditModels, AuditLoaders> = {
  name: 'audit',
  defaultPort: subgraphEntry('audit').defaultPort,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  createModels: createAuditModels,
  createLoaders: createAuditLoaders,
  prepare: async (models) => {
    await Promise.all([models.entries.createIndexes(), models.keys.createIndexes()]);
  },
  routes: (models, trust) => [appendRoute(models, trust)],
};
