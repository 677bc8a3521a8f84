// The licences subgraph's writes: validated whole, idempotent on the reference (and on
// reference + goods item for usages), and atomic where quantities are drawn.
import { GraphQLError } from 'graphql';
import type { Caller } from '../kit/context';
import { badUserInput, conflict, invalidTransition } from '../kit/errors';
import { checkCommodityCode, checkCountryCode, checkEori, checkMrn } from '../kit/identifiers';
import { optionalText, requireDate, requireNumber, requireOneOf, requirePattern, requireText, requireValid } from '../kit/input';
import { requireSameRequest } from '../kit/idempotency';
import { KeyLock } from '../kit/key-lock';
import { found, insertOnce } from '../kit/persistence';
import { today } from '../kit/scalars';
import {
  loadLicence,
  latestState,
  stateKey,
  withState,
  type CoveredGoodsDoc,
  type LicenceDoc,
  type LicenceRecordDoc,
  type LicenceStateDoc,
  type LicencesModels,
} from './models';
import { checkLicenceReference } from './references';
import {
  LICENCE_TYPES,
  type StoredLicenceStatus,
  type ChedDecision,
  type CoveredGoodsRecord,
  type LicenceRecord,
  type LicenceType,
  type LicenceUsageRecord,
} from './records';

const CHED_TYPES: readonly LicenceType[] = ['CHED_A', 'CHED_P', 'CHED_PP', 'CHED_D'];

function coveredGoods(goods: readonly CoveredGoodsRecord[] | null | undefined): CoveredGoodsDoc[] {
  if (!Array.isArray(goods) || goods.length === 0) throw badUserInput('goods', 'needs at least one line');
  return goods.map((line, i) => {
    const quantity = requireNumber(`goods[${i}].quantity`, line?.quantity);
    if (quantity === 0) throw badUserInput(`goods[${i}].quantity`, 'must be above 0');
    return {
      commodityCode: requirePattern(`goods[${i}].commodityCode`, line?.commodityCode, /^\d{2,10}$/, '2 to 10 digits'),
      description: optionalText(`goods[${i}].description`, line?.description, 200),
      quantity,
      unit: requireOneOf(`goods[${i}].unit`, line?.unit, ['KGM', 'NAR'] as const),
      quantityRemaining: quantity,
    };
  });
}

export function validateLicence(record: LicenceRecord): Omit<LicenceDoc, 'usages' | 'usageKeys' | 'history' | 'stateSequence'> {
  const type = requireOneOf('type', record.type, LICENCE_TYPES);
  const reference = requireValid('reference', checkLicenceReference(type, String(record.reference ?? '')));
  const validFrom = requireDate('validFrom', record.validFrom);
  const validUntil = requireDate('validUntil', record.validUntil);
  if (validUntil < validFrom) throw badUserInput('validUntil', `is before validFrom ${validFrom}`);
  const decision = record.decision ? requireOneOf('decision', record.decision, ['ACCEPTABLE_FOR_RELEASE', 'REFUSED'] as const) : null;
  if (decision && !CHED_TYPES.includes(type)) throw badUserInput('decision', 'is for CHEDs only');
  const status = requireOneOf('status', record.status ?? 'VALID', ['VALID', 'CANCELLED', 'SUSPENDED'] as const);
  return {
    _id: reference,
    type,
    issuingAuthority: requireText('issuingAuthority', record.issuingAuthority, 200),
    issuingCountry: requireValid('issuingCountry', checkCountryCode(String(record.issuingCountry ?? ''))),
    holder: requireValid('holder', checkEori(String(record.holder ?? ''))),
    status,
    decision,
    validFrom,
    validUntil,
    goods: coveredGoods(record.goods),
  };
}

/** Issues a licence; the same content again is a no-op, other content under its reference a CONFLICT. */
export async function issueLicence(
  models: LicencesModels,
  record: LicenceRecord,
  caller: Caller,
): Promise<{ licence: LicenceDoc; status: 'stored' | 'unchanged' }> {
  const { goods, ...content } = validateLicence(record);
  const state: LicenceStateDoc = { _id: stateKey(content._id, 0), reference: content._id, sequence: 0, goods, usages: [], usageKeys: [] };
  const issued: LicenceRecordDoc = {
    ...content,
    history: [{ status: content.status, date: today(), reason: 'Issued', recordedBy: caller.id }],
    stateHint: 0,
    coveredCodes: goods.map((line) => line.commodityCode),
  };
  // The first state before the record, so a record never exists without one.
  let inserted = await insertOnce(models.states, state);
  inserted = (await insertOnce(models.licences, issued)) && inserted;
  if (inserted) return { licence: withState(issued, state), status: 'stored' };

  const stored = found(await models.licences.findById(content._id).lean<LicenceRecordDoc>().exec(), 'licence', content._id);
  const first = await models.states.findById(stateKey(content._id, 0)).lean<LicenceStateDoc>().exec();
  const lines = (doc: { goods: CoveredGoodsDoc[] } | null) => JSON.stringify(doc?.goods.map(({ quantityRemaining: _r, ...line }) => line));
  const same =
    stored.type === content.type &&
    stored.holder === content.holder &&
    stored.issuingAuthority === content.issuingAuthority &&
    stored.issuingCountry === content.issuingCountry &&
    stored.validFrom === content.validFrom &&
    stored.validUntil === content.validUntil &&
    stored.decision === content.decision &&
    lines(first) === lines(state);
  if (!same) throw conflict(`Licence ${content._id} was already issued with other content; amend it instead`, { field: 'reference' });
  return { licence: await loadLicence(models, stored), status: 'unchanged' };
}

/**
 * Moves a licence to its next state. Taking state n+1 is an insert of a new key, which only one
 * writer can win; a loser re-reads the state the winner made and tries again. So concurrent
 * drawdowns serialise on any engine, FerretDB included, whose conditional updates do not.
 */
async function advanceState(
  models: LicencesModels,
  reference: string,
  next: (record: LicenceRecordDoc, current: LicenceStateDoc) => Omit<LicenceStateDoc, '_id' | 'reference' | 'sequence'> | 'unchanged',
): Promise<{ licence: LicenceDoc; status: 'stored' | 'unchanged' }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const record = found(await models.licences.findById(reference).lean<LicenceRecordDoc>().exec(), 'licence', reference);
    const current = await latestState(models, record);
    const change = next(record, current);
    if (change === 'unchanged') return { licence: withState(record, current), status: 'unchanged' };
    const sequence = current.sequence + 1;
    const state: LicenceStateDoc = { _id: stateKey(reference, sequence), reference, sequence, ...change };
    if (await insertOnce(models.states, state)) {
      // A hint only: readers step forward from it, so a late or lost update costs a read, not correctness.
      await models.licences.updateOne({ _id: reference, stateHint: { $lt: sequence } }, { $set: { stateHint: sequence } }).exec();
      return { licence: withState(record, state), status: 'stored' };
    }
  }
  throw conflict(`Licence ${reference} is being changed by many writers at once; try again`, { reference });
}

export interface AmendInput {
  reference: string;
  validUntil?: string | null;
  decision?: ChedDecision | null;
  goods?: CoveredGoodsRecord[] | null;
}

export async function amendLicence(models: LicencesModels, input: AmendInput): Promise<LicenceDoc> {
  const current = found(await models.licences.findById(input.reference).lean<LicenceRecordDoc>().exec(), 'licence', input.reference);
  const set: Partial<LicenceRecordDoc> = {};
  if (input.validUntil) {
    set.validUntil = requireDate('validUntil', input.validUntil);
    if (set.validUntil < current.validFrom) throw badUserInput('validUntil', `is before validFrom ${current.validFrom}`);
  }
  if (input.decision) {
    if (!CHED_TYPES.includes(current.type)) throw badUserInput('decision', 'is for CHEDs only');
    set.decision = input.decision;
  }
  const goods = input.goods ? coveredGoods(input.goods) : undefined;
  if (goods) set.coveredCodes = goods.map((line) => line.commodityCode);
  // Only what differs is written: an amendment sent again changes nothing.
  const changed = Object.fromEntries(
    Object.entries(set).filter(([field, value]) => JSON.stringify(value) !== JSON.stringify(current[field as keyof LicenceRecordDoc])),
  );
  if (Object.keys(changed).length) await models.licences.updateOne({ _id: current._id }, { $set: changed }).exec();
  if (!goods) return loadLicence(models, { ...current, ...set });
  const { licence } = await advanceState(models, current._id, (_, state) => {
    if (sameLines(state.goods, goods)) return 'unchanged';
    return {
      // What was drawn stays drawn: each new line keeps the usages recorded against its index.
      goods: goods.map((line, index) => {
        const drawn = state.usages.filter((usage) => usage.line === index).reduce((sum, usage) => sum + usage.quantity, 0);
        if (drawn > line.quantity) throw badUserInput(`goods[${index}].quantity`, `is below the ${drawn} ${line.unit} already drawn`);
        return { ...line, quantityRemaining: line.quantity - drawn };
      }),
      usages: state.usages,
      usageKeys: state.usageKeys,
    };
  });
  return licence;
}

/** The same covered goods, whatever has been drawn on them. */
function sameLines(stored: readonly CoveredGoodsDoc[], given: readonly CoveredGoodsDoc[]): boolean {
  const lines = (goods: readonly CoveredGoodsDoc[]) =>
    JSON.stringify(goods.map(({ commodityCode, description, quantity, unit }) => [commodityCode, description, quantity, unit]));
  return lines(stored) === lines(given);
}

const STATUS_ACTIONS = {
  cancel: { to: 'CANCELLED', from: ['VALID', 'SUSPENDED', 'USED'] },
  suspend: { to: 'SUSPENDED', from: ['VALID'] },
} as const;

export async function changeLicenceStatus(
  models: LicencesModels,
  action: keyof typeof STATUS_ACTIONS,
  input: { reference: string; reason: string },
  caller: Caller,
): Promise<LicenceDoc> {
  const reason = requireText('reason', input.reason, 500);
  return statusChanges.run([input.reference], () => changeStatusHeld(models, input.reference, reason, STATUS_ACTIONS[action], caller));
}

/**
 * A status change reads the licence and updates it on the status it read. On MongoDB that
 * update is atomic; on the embedded engine it is not, so changes of one licence go one at a time
 * (this process is the licences database's only writer).
 */
const statusChanges = new KeyLock();

async function changeStatusHeld(
  models: LicencesModels,
  reference: string,
  reason: string,
  { to, from }: { to: StoredLicenceStatus; from: readonly StoredLicenceStatus[] },
  caller: Caller,
): Promise<LicenceDoc> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = found(await models.licences.findById(reference).lean<LicenceRecordDoc>().exec(), 'licence', reference);
    if (current.status === to) return loadLicence(models, current);
    // No licence returns to VALID, so it reaches each status once: a change to it with this
    // reason in the history is this request, applied before the licence moved on.
    if (current.history.some((change) => change.status === to && change.reason === reason)) return loadLicence(models, current);
    if (!from.includes(current.status)) {
      throw invalidTransition(`A ${current.status.toLowerCase()} licence cannot be ${to.toLowerCase()}`, { reference: current._id, status: current.status });
    }
    const change = { status: to, date: today(), reason, recordedBy: caller.id };
    const result = await models.licences.updateOne({ _id: current._id, status: current.status }, { $set: { status: to }, $push: { history: change } }).exec();
    if (result.matchedCount === 1) return loadLicence(models, { ...current, status: to, history: [...current.history, change] });
  }
  throw conflict(`Licence ${reference} is being changed concurrently; try again`);
}

export function usageKey(mrn: string, itemNumber: number): string {
  return `${mrn}/${itemNumber}`;
}

/**
 * Draws a quantity for one goods item, as the licence's next state (advanceState): admitted only
 * if the line still holds enough and this item has not drawn yet, so concurrent drawdowns can
 * never overdraw and a repeated usage counts once. The item is stored in the very state that
 * draws, so a usage is never stored without its key; the same item with other values is a CONFLICT.
 */
export async function recordUsage(
  models: LicencesModels,
  record: Omit<LicenceUsageRecord, 'kind'> & { commodityCode?: string | null },
): Promise<{ licence: LicenceDoc; status: 'stored' | 'unchanged' }> {
  const mrn = requireValid('mrn', checkMrn(String(record.mrn ?? '')));
  requireNumber('itemNumber', record.itemNumber, { min: 1, max: 999, integer: true });
  if (requireNumber('quantity', record.quantity) === 0) throw badUserInput('quantity', 'must be above 0');
  if (record.commodityCode) requireValid('commodityCode', checkCommodityCode(record.commodityCode, 'ANY'));
  const key = usageKey(mrn, record.itemNumber);
  const date = record.date ? requireDate('date', record.date) : today();

  return advanceState(models, record.reference, (licence, state) => {
    const drawn = state.usages.find((usage) => usage.mrn === mrn && usage.itemNumber === record.itemNumber);
    if (drawn) {
      // The goods item is the usage's key: the same item again is a replay, counted once.
      const line = record.commodityCode ? state.goods.findIndex((goods) => record.commodityCode!.startsWith(goods.commodityCode)) : undefined;
      requireSameRequest(
        key,
        `the usage of goods item ${record.itemNumber} of ${mrn} on licence ${licence._id}`,
        { quantity: drawn.quantity, date: drawn.date, goodsLine: drawn.line + 1 },
        { quantity: record.quantity, date: record.date, goodsLine: line === undefined ? undefined : line < 0 ? 'none' : line + 1 },
      );
      return 'unchanged';
    }
    if (licence.status !== 'VALID') {
      throw invalidTransition(`A ${licence.status.toLowerCase()} licence cannot be drawn on`, { reference: licence._id, status: licence.status });
    }
    if (date > licence.validUntil)
      throw invalidTransition(`Licence ${licence._id} expired on ${licence.validUntil}, before ${date}`, { reference: licence._id, status: 'EXPIRED' });
    if (date < licence.validFrom)
      throw invalidTransition(`Licence ${licence._id} is valid from ${licence.validFrom}, after ${date}`, { reference: licence._id, status: 'NOT_YET_VALID' });
    const line = record.commodityCode ? state.goods.findIndex((goods) => record.commodityCode!.startsWith(goods.commodityCode)) : 0;
    if (line < 0) throw badUserInput('commodityCode', `licence ${licence._id} does not cover ${record.commodityCode}`);
    const left = state.goods[line]!.quantityRemaining;
    if (left < record.quantity) {
      throw new GraphQLError(`Licence ${licence._id} has ${left} ${state.goods[line]!.unit} left on line ${line + 1}, not ${record.quantity}`, {
        extensions: { code: 'QUANTITY_EXCEEDED', reference: licence._id, remaining: left, requested: record.quantity },
      });
    }
    return {
      goods: state.goods.map((goods, index) => (index === line ? { ...goods, quantityRemaining: goods.quantityRemaining - record.quantity } : goods)),
      usages: [...state.usages, { mrn, itemNumber: record.itemNumber, quantity: record.quantity, line, date }],
      usageKeys: [...state.usageKeys, key],
    };
  });
}
