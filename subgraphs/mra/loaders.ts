// Per-request DataLoaders. Programmes and lanes are short lists, read once per request.
import DataLoader from 'dataloader';
import { ascending, findByField, findByIds, manyByKey, oneByKey } from '../kit/batching';
import type { ConsentDoc, LaneDoc, MraModels, PartnerOperatorDoc, ProgrammeDoc } from './models';

export interface MraLoaders {
  programmes: () => Promise<ProgrammeDoc[]>;
  lanes: () => Promise<LaneDoc[]>;
  consentByEori: DataLoader<string, ConsentDoc | null>;
  partnersByEori: DataLoader<string, PartnerOperatorDoc[]>;
  partnerByKey: DataLoader<string, PartnerOperatorDoc | null>;
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

export function createMraLoaders(models: MraModels): MraLoaders {
  return {
    programmes: once(() => models.programmes.find({}).sort({ _id: 1 }).lean<ProgrammeDoc[]>().exec()),
    lanes: once(() => models.lanes.find({}).sort({ _id: 1 }).lean<LaneDoc[]>().exec()),
    consentByEori: new DataLoader(async (eoris) => oneByKey(eoris, await findByIds<ConsentDoc>(models.consents, eoris), (doc) => doc._id)),
    partnersByEori: new DataLoader(async (eoris) => {
      const found = (await findByField<PartnerOperatorDoc>(models.partners, 'eori', eoris)).sort((a, b) => ascending(a.programme, b.programme));
      return manyByKey(eoris, found, (doc) => doc.eori ?? '');
    }),
    partnerByKey: new DataLoader(async (keys) => oneByKey(keys, await findByIds<PartnerOperatorDoc>(models.partners, keys), (doc) => doc._id)),
  };
}
