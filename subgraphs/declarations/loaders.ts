// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import { findByField, findByIds, manyByKey, oneByKey } from '../kit/batching';
import { filingFilter, filingReach, type FilingReach } from '../kit/auth/rows';
import type { Caller } from '../kit/auth/roles';
import { countMatching } from '../kit/counting';
import { allOf } from '../kit/pagination';
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
  /** Which filings the caller reaches, and the filter that says so (kit/auth/rows.ts), for lists. */
  reach: FilingReach;
  /** A fresh filter each call: a query may cast it in place. */
  visible: () => Record<string, unknown>;
}

/** Every loader reads only rows the caller may see: anything else is absent, as if never lodged. */
export function createDeclarationsLoaders(models: DeclarationsModels, caller: Caller): DeclarationsLoaders {
  const reach = filingReach(caller);
  const visible = () => filingFilter(reach, { memberState: 'memberState', operatorStates: 'operatorStates' });
  return {
    reach,
    visible,
    declarationByMrn: new DataLoader(async (mrns) => {
      const found = await findByIds<DeclarationDoc>(models.declarations, mrns, visible());
      return oneByKey(mrns, found, (doc) => doc._id);
    }),
    entrySummaryByMrn: new DataLoader(async (mrns) => {
      const found = await findByIds<EntrySummaryDoc>(models.entrySummaries, mrns, visible());
      return oneByKey(mrns, found, (doc) => doc._id);
    }),
    controlResultsByMrn: new DataLoader(async (mrns) => {
      const found = await findByField<ControlResultDoc>(models.controlResults, 'mrn', mrns, visible());
      found.sort((a, b) => (a.date === b.date ? (a._id < b._id ? -1 : 1) : a.date < b.date ? -1 : 1));
      return manyByKey(mrns, found, (doc) => doc.mrn);
    }),
    controlResultById: new DataLoader(async (ids) => {
      const found = await findByIds<ControlResultDoc>(models.controlResults, ids, visible());
      return oneByKey(ids, found, (doc) => doc._id);
    }),
    // Three indexed counts per party: no counters to keep in step with every write. Only what the caller may see counts.
    countsByParty: new DataLoader((parties) =>
      Promise.all(
        parties.map(async (party) => {
          const [declarations, controls, irregularities] = await Promise.all([
            countMatching(models.declarations, allOf({ partyIndex: party }, visible())),
            countMatching(models.controlResults, allOf({ partyIndex: party }, visible())),
            countMatching(models.controlResults, allOf({ partyIndex: party, outcome: 'IRREGULARITY_FOUND' }, visible())),
          ]);
          return { declarations, controls, irregularities };
        }),
      ),
    ),
  };
}
