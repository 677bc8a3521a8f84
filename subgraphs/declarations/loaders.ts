// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import { findByIds, manyByKey, oneByKey } from '../kit/batching';
import type { ControlResultDoc, DeclarationDoc, DeclarationsModels, EntrySummaryDoc, OperatorStatisticsDoc } from './models';

export interface DeclarationsLoaders {
  declarationByMrn: DataLoader<string, DeclarationDoc | null>;
  entrySummaryByMrn: DataLoader<string, EntrySummaryDoc | null>;
  controlResultsByMrn: DataLoader<string, ControlResultDoc[]>;
  statisticsByEori: DataLoader<string, OperatorStatisticsDoc | null>;
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
      const found = await models.controlResults.find({ mrn: { $in: mrns } }).sort({ date: 1, _id: 1 }).lean<ControlResultDoc[]>().exec();
      return manyByKey(mrns, found, (doc) => doc.mrn);
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
