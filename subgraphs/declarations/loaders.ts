// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import { manyByKey, oneByKey } from '../kit/batching';
import type { ControlResultDoc, DeclarationDoc, DeclarationsModels, EntrySummaryDoc, OperatorStatisticsDoc } from './models';

export interface DeclarationsLoaders {
  declarationByMrn: DataLoader<string, DeclarationDoc | null>;
  entrySummaryByMrn: DataLoader<string, EntrySummaryDoc | null>;
  controlResultsByMrn: DataLoader<string, ControlResultDoc[]>;
  statisticsByEori: DataLoader<string, OperatorStatisticsDoc | null>;
}

export function createDeclarationsLoaders(models: DeclarationsModels): DeclarationsLoaders {
  return {
    declarationByMrn: new DataLoader(async (mrns) => {
      const found = await models.declarations.find({ _id: { $in: mrns } }).lean<DeclarationDoc[]>().exec();
      return oneByKey(mrns, found, (doc) => doc._id);
    }),
    entrySummaryByMrn: new DataLoader(async (mrns) => {
      const found = await models.entrySummaries.find({ _id: { $in: mrns } }).lean<EntrySummaryDoc[]>().exec();
      return oneByKey(mrns, found, (doc) => doc._id);
    }),
    controlResultsByMrn: new DataLoader(async (mrns) => {
      const found = await models.controlResults.find({ mrn: { $in: mrns } }).sort({ date: 1, _id: 1 }).lean<ControlResultDoc[]>().exec();
      return manyByKey(mrns, found, (doc) => doc.mrn);
    }),
    statisticsByEori: new DataLoader(async (eoris) => {
      const found = await models.operatorStatistics.find({ _id: { $in: eoris } }).lean<OperatorStatisticsDoc[]>().exec();
      return oneByKey(eoris, found, (doc) => doc._id);
    }),
  };
}
