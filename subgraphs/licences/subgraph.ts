// The e-licences subgraph: licences and certificates from partner authorities, their usage,
// and their reconciliation with the goods items that quote them.
import { fileURLToPath } from 'node:url';
import { badUserInput } from '../kit/errors';
import { eachRecord } from '../kit/ingest';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import { createLicencesLoaders, type LicencesLoaders } from './loaders';
import { createLicencesModels, prepareLicencesModels, type LicencesModels } from './models';
import type { LicenceRecord, LicenceUsageRecord } from './records';
import { resolvers } from './resolvers';
import { issueLicence, recordUsage } from './writes';

export const licencesSubgraph: SubgraphDefinition<LicencesModels, LicencesLoaders> = {
  name: 'licences',
  defaultPort: subgraphEntry('licences').defaultPort,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  createModels: createLicencesModels,
  createLoaders: createLicencesLoaders,
  prepare: prepareLicencesModels,
  // Licences are few, and each write is idempotent on its key: one record at a time.
  ingest: (models) => ({
    kinds: ['licence', 'licenceUsage'],
    isEmpty: async () => (await models.licences.findOne({}, { _id: 1 }).lean().exec()) === null,
    write: (records, caller, progress) =>
      eachRecord(
        records,
        async (record) => {
          const typed = record as LicenceRecord | LicenceUsageRecord;
          if (typed?.kind === 'licence') return (await issueLicence(models, typed, caller)).status;
          if (typed?.kind === 'licenceUsage') return (await recordUsage(models, typed)).status;
          throw badUserInput('kind', 'must be licence or licenceUsage');
        },
        progress,
      ),
  }),
};
