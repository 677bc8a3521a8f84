// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import { findByField, findByIds, manyByKey, oneByKey } from '../kit/batching';
import { countMatching } from '../kit/counting';
import type { ControlResultDoc, DeclarationDoc, DeclarationsModels, EntrySummaryDoc } from './models';

/** What an operator did in one role, counted from the indexed party list. */
export interface PartyCounts {
  declarations: number;
  controls: number;
  irregularities: number;
}

export interface DeclarationsLoaders {
  declarationByMrn: DataLoader<string, DeclarationDoc | null>;
  entrySummaryByMrn: DataLoader<string, EntrySummaryDoc | null>;
  controlResultsByMrn: DataLoader<string, ControlResultDoc[]>;
  /** By "<ROLE>:<EORI>", the entries of `partyIndex`. */
  countsByParty: DataLoader<string, PartyCounts>;
  controlResultById: DataLoader<string, ControlResultDoc | null>;
}

export function createDeclarationsLoaders(models: DeclarationsModels): DeclarationsLoaders {
  return {
    declarationByMrn: new DataLoader(async (mrns) => {
      const found = await findByIds<DeclarationDoc>(models.declarations, mrns);
      return oneByKey(mrns, found, (doc) => doc._id);
    }),
    entrySummaryByMrn: new DataLoader(async (mrns) => {
      const found = await findByIds<EntrySummaryDoc>(models.entrySummaries, mrns);
      return oneByKey(mrns, found, (doc) => doc._id);
    }),
    controlResultsByMrn: new DataLoader(async (mrns) => {
      const found = await findByField<ControlResultDoc>(models.controlResults, 'mrn', mrns);
      found.sort((a, b) => (a.date === b.date ? (a._id < b._id ? -1 : 1) : a.date < b.date ? -1 : 1));
      return manyByKey(mrns, found, (doc) => doc.mrn);
    }),
    controlResultById: new DataLoader(async (ids) => {
      const found = await findByIds<ControlResultDoc>(models.controlResults, ids);
      return oneByKey(ids, found, (doc) => doc._id);
    }),
    // Three indexed counts per party: no counters to keep in step with every write.
    countsByParty: new DataLoader((parties) =>
      Promise.all(
        parties.map(async (party) => {
          const [declarations, controls, irregularities] = await Promise.all([
            countMatching(models.declarations, { partyIndex: party }),
            countMatching(models.controlResults, { partyIndex: party }),
            countMatching(models.controlResults, { partyIndex: party, outcome: 'IRREGULARITY_FOUND' }),
          ]);
          return { declarations, controls, irregularities };
        }),
      ),
    ),
  };
}
