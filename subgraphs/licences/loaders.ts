// Per-request DataLoaders: every lookup by key in one request becomes one batch.
import DataLoader from 'dataloader';
import type { Caller } from '../kit/auth/roles';
import { ascending, descending, findByField, findByIds, manyByKey, oneByKey } from '../kit/batching';
import { loadLicence, type LicenceDoc, type LicenceRecordDoc, type LicencesModels } from './models';
import { licenceFilter } from './scope';

export interface LicencesLoaders {
  /** The licences the caller may look up (scope.ts); others are absent. */
  licenceByReference: DataLoader<string, LicenceDoc | null>;
  /** Any licence: officers and analysts check the goods items they reach against every licence quoted (scope.ts, readsQuotedLicences). */
  quotedLicenceByReference: DataLoader<string, LicenceDoc | null>;
  licencesByHolder: DataLoader<string, LicenceDoc[]>;
  /** A fresh filter of the caller's licences each call: a query may cast it in place. */
  visible: () => Record<string, unknown>;
}

export function createLicencesLoaders(models: LicencesModels, caller: Caller): LicencesLoaders {
  // Each licence is its record plus its latest quantity state (see models.ts).
  const withStates = (records: LicenceRecordDoc[]) => Promise.all(records.map((record) => loadLicence(models, record)));
  const visible = () => licenceFilter(caller);
  const byReference = (where: () => Record<string, unknown>) =>
    new DataLoader<string, LicenceDoc | null>(async (references) => {
      const found = await withStates(await findByIds<LicenceRecordDoc>(models.licences, references, where()));
      return oneByKey(references, found, (doc) => doc._id);
    });
  return {
    visible,
    licenceByReference: byReference(visible),
    quotedLicenceByReference: byReference(() => ({})),
    licencesByHolder: new DataLoader(async (holders) => {
      const records = (await findByField<LicenceRecordDoc>(models.licences, 'holder', holders, visible())).sort(
        (a, b) => descending(a.validUntil, b.validUntil) || ascending(a._id, b._id),
      );
      return manyByKey(holders, await withStates(records), (doc) => doc.holder);
    }),
  };
}
