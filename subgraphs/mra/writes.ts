// The MRA subgraph's writes: programmes from the seeded table, partner lists, consents and lanes.
// All are idempotent on their natural keys.
import { badUserInput, notFound } from '../kit/errors';
import { checkCountryCode, checkEori, checkUnLocode } from '../kit/identifiers';
import { requireDate, requireOneOf, requireText, requireValid } from '../kit/input';
import { putAll, type KeyedDocument } from '../kit/journal';
import { replaceById } from '../kit/persistence';
import { today } from '../kit/scalars';
import { partnerKey, type ConsentDoc, type LaneDoc, type MraModels, type PartnerOperatorDoc, type ProgrammeDoc } from './models';
import { checkPartnerIdentifier, MRA_PROGRAMMES } from './programmes';
import type { LaneStatus, PartnerTraderRecord, ProgrammeRecord, TradeLaneRecord } from './records';

export async function storeProgrammes(models: MraModels, programmes: readonly ProgrammeRecord[] = MRA_PROGRAMMES): Promise<void> {
  const docs: ProgrammeDoc[] = programmes.map(({ code, inForceUntil, ...rest }) => ({ _id: code, inForceUntil: inForceUntil ?? null, ...rest }));
  await putAll(models.programmes.db, models.programmes.collection.collectionName, docs as unknown as KeyedDocument[]);
}

export async function setConsent(models: MraModels, input: { eori: string; date?: string | null }, granted: boolean): Promise<ConsentDoc> {
  const eori = requireValid('eori', checkEori(input.eori));
  const current = await models.consents.findById(eori).lean<ConsentDoc>().exec();
  if (current?.granted === granted) return current;
  const doc: ConsentDoc = { _id: eori, granted, date: input.date ? requireDate('date', input.date) : today() };
  await replaceById(models.consents.collection, eori, doc);
  return doc;
}

type LaneInput = Omit<TradeLaneRecord, 'kind' | 'transportMode'> & { transportMode: string };

export function validateLane(record: LaneInput): LaneDoc {
  const code = requireText('code', record.code, 40);
  return {
    _id: code,
    name: requireText('name', record.name, 120),
    origin: requireValid('origin', checkUnLocode(record.origin)),
    destination: requireValid('destination', checkUnLocode(record.destination)),
    transportMode: requireOneOf('transportMode', record.transportMode, ['SEA', 'RAIL', 'ROAD', 'AIR'] as const),
    operators: record.operators.map((eori, i) => requireValid(`operators[${i}]`, checkEori(eori))),
    status: requireOneOf('status', record.status ?? 'ACTIVE', ['ACTIVE', 'SUSPENDED', 'CLOSED'] as const),
  };
}

export async function registerLane(models: MraModels, record: LaneInput): Promise<LaneDoc> {
  const lane = validateLane(record);
  await replaceById(models.lanes.collection, lane._id, lane);
  return lane;
}

export async function setLaneStatus(models: MraModels, code: string, status: LaneStatus): Promise<LaneDoc> {
  const lane = await models.lanes.findById(code).lean<LaneDoc>().exec();
  if (!lane) throw notFound('trade lane', code);
  if (lane.status === status) return lane;
  await models.lanes.updateOne({ _id: code }, { $set: { status } }).exec();
  return { ...lane, status };
}

/**
 * Applies partner traders from a partner's list. Each line certifies (or re-certifies) a trader;
 * `finishList` then marks every trader of that programme the list did not name as no longer
 * certified from the list's date, keeping the history. Sending the same list again changes nothing.
 */
export class PartnerListWriter {
  private readonly seen = new Map<string, { listDate: string; identifiers: Set<string> }>();

  constructor(private readonly models: MraModels) {}

  async write(record: PartnerTraderRecord): Promise<'stored' | 'updated' | 'unchanged'> {
    const programmes = await this.programmes();
    const programme = programmes.find((candidate) => candidate.code === record.programme);
    if (!programme) throw badUserInput('programme', `no programme ${record.programme}; known: ${programmes.map((p) => p.code).join(', ')}`);
    const identifier = requireValid('identifier', checkPartnerIdentifier(programme, String(record.identifier ?? '')));
    const listDate = requireDate('listDate', String(record.listDate ?? ''));
    const certifiedFrom = requireDate('certifiedFrom', String(record.certifiedFrom ?? ''));
    const eori = record.eori ? requireValid('eori', checkEori(record.eori)) : null;
    const address = record.address
      ? {
          street: record.address.street ?? null,
          postcode: record.address.postcode ?? null,
          city: record.address.city ?? null,
          country: requireValid('address.country', checkCountryCode(record.address.country)),
        }
      : null;
    const list = this.seen.get(programme.code) ?? { listDate, identifiers: new Set<string>() };
    if (listDate > list.listDate) list.listDate = listDate;
    list.identifiers.add(identifier);
    this.seen.set(programme.code, list);

    const key = partnerKey(programme.code, identifier);
    const current = await this.models.partners.findById(key).lean<PartnerOperatorDoc>().exec();
    if (current && listDate < current.lastListDate) return 'unchanged';
    const history = current ? [...current.history] : [];
    if (current?.status !== 'CERTIFIED') history.push({ status: 'CERTIFIED', date: current ? listDate : certifiedFrom });
    const doc: PartnerOperatorDoc = {
      _id: key,
      programme: programme.code,
      identifier,
      name: requireText('name', String(record.name ?? ''), 200),
      address,
      eori,
      status: 'CERTIFIED',
      certifiedFrom,
      certifiedUntil: null,
      lastListDate: listDate,
      history,
    };
    if (current && JSON.stringify({ ...current, lastListDate: '' }) === JSON.stringify({ ...doc, lastListDate: '' }) && current.lastListDate === listDate)
      return 'unchanged';
    await replaceById(this.models.partners.collection, key, doc);
    return current ? 'updated' : 'stored';
  }

  /** Traders missing from the lists just read are no longer certified from the list's date. */
  async finishLists(): Promise<number> {
    let retired = 0;
    for (const [programme, { listDate, identifiers }] of this.seen) {
      const certified = await this.models.partners.find({ programme, status: 'CERTIFIED' }).lean<PartnerOperatorDoc[]>().exec();
      for (const trader of certified) {
        if (identifiers.has(trader.identifier) || trader.lastListDate >= listDate) continue;
        await this.models.partners
          .updateOne(
            { _id: trader._id, status: 'CERTIFIED' },
            { $set: { status: 'NO_LONGER_CERTIFIED', certifiedUntil: listDate }, $push: { history: { status: 'NO_LONGER_CERTIFIED', date: listDate } } },
          )
          .exec();
        retired++;
      }
    }
    this.seen.clear();
    return retired;
  }

  private cached?: Promise<ProgrammeRecord[]>;
  private programmes(): Promise<ProgrammeRecord[]> {
    return (this.cached ??= this.models.programmes
      .find({})
      .lean<ProgrammeDoc[]>()
      .exec()
      .then((docs) => docs.map(({ _id, ...rest }) => ({ code: _id, ...rest }))));
  }
}
