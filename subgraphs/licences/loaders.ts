// Per-request DataLoaders: every lookup by key in one request becomes one batch.
import DataLoader from 'dataloader';
import { ascending, descending, findByField, findByIds, manyByKey, oneByKey } from '../kit/batching';
import { loadLicence, type LicenceDoc, type LicenceRecordDoc, type LicencesModels } from './models';

export interface LicencesLoaders {
  licenceByReference: DataLoader<string, LicenceDoc | null>;
  licencesByHolder: DataLoader<string, LicenceDoc[]>;
}

export function createLicencesLoaders(models: LicencesModels): LicencesLoaders {
  // Each licence is its record plus its latest quantity state (see models.ts).
  const withStates = (records: LicenceRecordDoc[]) => Promise.all(records.map((record) => loadLicence(models, record)));
  return {
    licenceByReference: new DataLoader(async (references) => {
      const found = await withStates(await findByIds<LicenceRecordDoc>(models.licences, references));
      return oneByKey(references, found, (doc) => doc._id);
    }),
    licencesByHolder: new DataLoader(async (holders) => {
      const records = (await findByField<LicenceRecordDoc>(models.licences, 'holder', holders)).sort(
        (a, b) => descending(a.validUntil, b.validUntil) || ascending(a._id, b._id),
      );
      return manyByKey(holders, await withStates(records), (doc) => doc.holder);
    }),
  };
}
