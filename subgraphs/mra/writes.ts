// The MRA subgraph's writes: programmes from the seeded table, partner lists, consents and lanes.
// All are idempotent on their natural keys.
import { badUserInput, notFound } from '../kit/errors';
import { checkCountryCode, checkEori, checkUnLocode } from '../kit/identifiers';
import { requireDate, requireOneOf, requireText, requireValid } from '../kit/input';
import { putAll, type KeyedDocument } from '../kit/journal';
import { KeyLock } from '../kit/key-lock';
import { replaceById } from '../kit/persistence';
import { today } from '../kit/scalars';
import { partnerKey, type ConsentDoc, type LaneDoc, type MraModels, type PartnerOperatorDoc, type ProgrammeDoc } from './models';
import { checkPartnerIdentifier, MRA_PROGRAMMES } from './programmes';
import type { LaneStatus, PartnerTraderRecord, ProgrammeRecord, TradeLaneRecord } from './records';

export async function storeProgrammes(models: MraModels, programmes: readonly ProgrammeRecord[] = MRA_PROGRAMMES): Promise<void> {
  const docs: ProgrammeDoc[] = programmes.map(({ code, inForceUntil, ...rest }) => ({ _id: code, inForceUntil: inForceUntil ?? null, ...rest }));
  await putAll(models.programmes.db, models.programmes.collection.collectionName, docs as unknown as KeyedDocument[]);
}

/**
 * Writes of one key go one at a time: each reads the document, decides, and writes it back,
 * which the embedded engine does not make atomic. This process is the MRA database's only writer.
 */
const writes = new KeyLock();

/** The consent as it now stands, and what the call did to it. */
export async function setConsent(
  models: MraModels,
  input: { eori: string; date?: string | null },
  granted: boolean,
): Promise<{ consent: ConsentDoc; status: 'stored' | 'updated' | 'unchanged' }> {
  const eori = requireValid('eori', checkEori(input.eori));
  const date = input.date ? requireDate('date', input.date) : today();
  return writes.run([`consent:${eori}`], async () => {
    const current = await models.consents.findById(eori).lean<ConsentDoc>().exec();
    if (current?.granted === granted) return { consent: current, status: 'unchanged' };
    const consent: ConsentDoc = { _id: eori, granted, date };
    await replaceById(models.consents.collection, eori, consent);
    return { consent, status: current ? 'updated' : 'stored' };
  });
}

type LaneInput = Omit<TradeLaneRecord, 'kind' | 'transportMode'> & { transportMode: string };

export function validateLane(record: LaneInput): LaneDoc {
  const code = requireText('code', record.code, 40);
  if (!Array.isArray(record.operators)) throw badUserInput('operators', 'must be a list of EORIs');
  return {
    _id: code,
    name: requireText('name', record.name, 120),
    origin: requireValid('origin', checkUnLocode(record.origin)),
    destination: requireValid('destination', checkUnLocode(record.destination)),
    transportMode: requireOneOf('transportMode', record.transportMode, ['SEA', 'RAIL', 'ROAD', 'AIR'] as const),
    operators: record.operators.map((eori, i) => requireValid(`operators[${i}]`, checkEori(String(eori)))),
    status: requireOneOf('status', record.status ?? 'ACTIVE', ['ACTIVE', 'SUSPENDED', 'CLOSED'] as const),
  };
}

export async function registerLane(models: MraModels, record: LaneInput): Promise<{ lane: LaneDoc; status: 'stored' | 'updated' | 'unchanged' }> {
  const lane = validateLane(record);
  return writes.run([`lane:${lane._id}`], async () => {
    const current = await models.lanes.findById(lane._id).lean<LaneDoc>().exec();
    if (current && JSON.stringify(current) === JSON.stringify(lane)) return { lane, status: 'unchanged' };
    await replaceById(models.lanes.collection, lane._id, lane);
    return { lane, status: current ? 'updated' : 'stored' };
  });
}

export async function setLaneStatus(models: MraModels, code: string, status: LaneStatus): Promise<LaneDoc> {
  return writes.run([`lane:${code}`], async () => {
    const lane = await models.lanes.findById(code).lean<LaneDoc>().exec();
    if (!lane) throw notFound('trade lane', code);
    if (lane.status === status) return lane;
    await models.lanes.updateOne({ _id: code }, { $set: { status } }).exec();
    return { ...lane, status };
  });
}

/**
 * Applies one line of a partner's list: it certifies (or re-certifies) a trader as of the list's
 * date. A line from a list older than the one last applied to the trader changes nothing, so
 * sending the same list again, or an old one late, changes nothing either.
 */
export async function writePartnerTrader(
  models: MraModels,
  programmes: readonly ProgrammeRecord[],
  record: PartnerTraderRecord,
): Promise<'stored' | 'updated' | 'unchanged'> {
  const programme = programmes.find((candidate) => candidate.code === record.programme);
  if (!programme) throw badUserInput('programme', `no programme ${record.programme}; known: ${programmes.map((p) => p.code).join(', ')}`);
  const identifier = requireValid('identifier', checkPartnerIdentifier(programme, String(record.identifier ?? '')));
  const listDate = requireDate('listDate', String(record.listDate ?? ''));
  const certifiedFrom = requireDate('certifiedFrom', String(record.certifiedFrom ?? ''));
  const eori = record.eori ? requireValid('eori', checkEori(record.eori)) : null;
  const name = requireText('name', String(record.name ?? ''), 200);
  const address = record.address
    ? {
        street: record.address.street ?? null,
        postcode: record.address.postcode ?? null,
        city: record.address.city ?? null,
        country: requireValid('address.country', checkCountryCode(record.address.country)),
      }
    : null;

  const key = partnerKey(programme.code, identifier);
  return writes.run([`partner:${key}`], async () => {
    const current = await models.partners.findById(key).lean<PartnerOperatorDoc>().exec();
    if (current && listDate < current.lastListDate) return 'unchanged';
    const history = current ? [...current.history] : [];
    if (current?.status !== 'CERTIFIED') history.push({ status: 'CERTIFIED', date: current ? listDate : certifiedFrom });
    const doc: PartnerOperatorDoc = {
      _id: key,
      programme: programme.code,
      identifier,
      name,
      address,
      eori,
      status: 'CERTIFIED',
      certifiedFrom,
      certifiedUntil: null,
      lastListDate: listDate,
      history,
    };
    if (current && JSON.stringify(current) === JSON.stringify(doc)) return 'unchanged';
    await replaceById(models.partners.collection, key, doc);
    return current ? 'updated' : 'stored';
  });
}

/**
 * After a whole list: every certified trader of a programme that the programme's latest list
 * did not name (its last list is older) is no longer certified from that list's date, with its
 * history kept. Needs nothing but what is stored, so any run, or a repeated one, can finish.
 */
export async function retireUnlisted(models: MraModels): Promise<number> {
  const traders = await models.partners.find({}, { programme: 1, status: 1, lastListDate: 1 }).lean<PartnerOperatorDoc[]>().exec();
  const latestList = new Map<string, string>();
  for (const { programme, lastListDate } of traders) if (lastListDate > (latestList.get(programme) ?? '')) latestList.set(programme, lastListDate);
  let retired = 0;
  for (const trader of traders) {
    const listDate = latestList.get(trader.programme)!;
    if (trader.status !== 'CERTIFIED' || trader.lastListDate >= listDate) continue;
    // Conditional on what was read: a line of a newer list written meanwhile keeps the trader certified.
    const result = await writes.run([`partner:${trader._id}`], () =>
      models.partners
        .updateOne(
          { _id: trader._id, status: 'CERTIFIED', lastListDate: { $lt: listDate } },
          { $set: { status: 'NO_LONGER_CERTIFIED', certifiedUntil: listDate }, $push: { history: { status: 'NO_LONGER_CERTIFIED', date: listDate } } },
        )
        .exec(),
    );
    retired += result.modifiedCount;
  }
  return retired;
}

export async function storedProgrammes(models: MraModels): Promise<ProgrammeRecord[]> {
  const docs = await models.programmes.find({}).lean<ProgrammeDoc[]>().exec();
  return docs.map(({ _id, ...rest }) => ({ code: _id, ...rest }));
}
