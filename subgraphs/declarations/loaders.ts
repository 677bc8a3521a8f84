// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import { findByIds, manyByKey, oneByKey } from '../kit/batching';
import { fromStored, type IndexEntry, type LookupIndexDoc } from '../kit/lookup-index';
import type { ControlResultDoc, DeclarationDoc, DeclarationsModels, EntrySummaryDoc, OperatorStatisticsDoc } from './models';

export interface DeclarationsLoaders {
  declarationByMrn: DataLoader<string, DeclarationDoc | null>;
  entrySummaryByMrn: DataLoader<string, EntrySummaryDoc | null>;
  controlResultsByMrn: DataLoader<string, ControlResultDoc[]>;
  statisticsByEori: DataLoader<string, OperatorStatisticsDoc | null>;
  controlResultById: DataLoader<string, ControlResultDoc | null>;
  /** Lookup lists by key ("party:IMPORTER:NL123", "controls:<MRN>"); an absent list is empty. */
  lookup: DataLoader<string, IndexEntry[]>;
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
      const lists = await findByIds<LookupIndexDoc>(models.lookupIndex, mrns.map((mrn) => `controls:${mrn}`));
      const ids = lists.flatMap((list) => fromStored(list).map(([, id]) => id));
      const found = await findByIds<ControlResultDoc>(models.controlResults, ids);
      found.sort((a, b) => (a.date === b.date ? (a._id < b._id ? -1 : 1) : a.date < b.date ? -1 : 1));
      return manyByKey(mrns, found, (doc) => doc.mrn);
    }),
    lookup: new DataLoader(async (keys) => {
      const found = await findByIds<LookupIndexDoc>(models.lookupIndex, keys);
      return oneByKey(keys, found, (doc) => doc._id).map((doc) => (doc ? fromStored(doc) : []));
    }),
    controlResultById: new DataLoader(async (ids) => {
      const found = await findByIds<ControlResultDoc>(models.controlResults, ids);
      return oneByKey(ids, found, (doc) => doc._id);
    }),
    statisticsByEori: new DataLoader(async (eoris) => {
      const found = await findByIds<OperatorStatisticsDoc>(models.operatorStatistics, eoris);
      return oneByKey(eoris, found, (doc) => doc._id);
    }),
  };
}
