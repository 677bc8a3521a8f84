// Per-request DataLoaders. Programmes and lanes are short lists, read once per request.
import DataLoader from 'dataloader';
import { noRows } from '../kit/auth/rows';
import type { Caller } from '../kit/auth/roles';
import { ascending, findByField, findByIds, manyByKey, oneByKey } from '../kit/batching';
import type { ConsentDoc, LaneDoc, MraModels, PartnerOperatorDoc, ProgrammeDoc } from './models';

/**
 * What a caller sees of the MRA data: EU officials all of it; a partner administration only its
 * own programme and that programme's traders, and no trade lanes; anyone else nothing.
 */
export type MraReach = { kind: 'all' } | { kind: 'programme'; programme: string } | { kind: 'none' };

export function mraReach(caller: Caller): MraReach {
  if (caller.role === 'mra-partner') return caller.programme ? { kind: 'programme', programme: caller.programme } : { kind: 'none' };
  if (!caller.role || caller.role === 'data-protection-officer') return { kind: 'none' };
  return { kind: 'all' };
}

export interface MraLoaders {
  /** The programmes the caller may see. */
  programmes: () => Promise<ProgrammeDoc[]>;
  /** Every programme, only to validate a programme code and its identifiers (the list is public). */
  knownProgrammes: () => Promise<ProgrammeDoc[]>;
  lanes: () => Promise<LaneDoc[]>;
  consentByEori: DataLoader<string, ConsentDoc | null>;
  partnersByEori: DataLoader<string, PartnerOperatorDoc[]>;
  partnerByKey: DataLoader<string, PartnerOperatorDoc | null>;
  reach: MraReach;
  /** A fresh filter of the partner traders the caller may see, each call. */
  visiblePartners: () => Record<string, unknown>;
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

export function createMraLoaders(models: MraModels, caller: Caller): MraLoaders {
  const reach = mraReach(caller);
  const all = () => (reach.kind === 'all' ? {} : noRows());
  const visiblePartners = () => (reach.kind === 'programme' ? { programme: reach.programme } : all());
  const visibleProgrammes = () => (reach.kind === 'programme' ? { _id: reach.programme } : all());
  return {
    reach,
    visiblePartners,
    programmes: once(() => models.programmes.find(visibleProgrammes()).sort({ _id: 1 }).lean<ProgrammeDoc[]>().exec()),
    knownProgrammes: once(() => models.programmes.find({}).sort({ _id: 1 }).lean<ProgrammeDoc[]>().exec()),
    // Lanes are the EU's own arrangements: a partner sees none.
    lanes: once(() => models.lanes.find(all()).sort({ _id: 1 }).lean<LaneDoc[]>().exec()),
    consentByEori: new DataLoader(async (eoris) =>
      oneByKey(eoris, await findByIds<ConsentDoc>(models.consents, eoris, reach.kind === 'none' ? noRows() : {}), (doc) => doc._id),
    ),
    partnersByEori: new DataLoader(async (eoris) => {
      const found = (await findByField<PartnerOperatorDoc>(models.partners, 'eori', eoris, visiblePartners())).sort((a, b) =>
        ascending(a.programme, b.programme),
      );
      return manyByKey(eoris, found, (doc) => doc.eori ?? '');
    }),
    partnerByKey: new DataLoader(async (keys) =>
      oneByKey(keys, await findByIds<PartnerOperatorDoc>(models.partners, keys, visiblePartners()), (doc) => doc._id),
    ),
  };
}
