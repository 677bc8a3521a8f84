// The licences subgraph's collections: one document per licence, keyed by its reference, and
// its states (covered goods, usages drawn, status), each state an insert under the next number,
// so that concurrent drawdowns serialise on any engine (writes.ts advanceState).
import { Schema, type Connection, type Model } from 'mongoose';
import type { ChedDecision, LicenceType, StoredLicenceStatus } from './records';

export interface CoveredGoodsDoc {
  commodityCode: string;
  description: string | null;
  quantity: number;
  unit: 'KGM' | 'NAR';
  quantityRemaining: number;
}

export interface UsageDoc {
  mrn: string;
  itemNumber: number;
  quantity: number;
  /** Index of the covered goods line drawn on. */
  line: number;
  date: string;
}

export interface StatusChangeDoc {
  status: StoredLicenceStatus;
  date: string;
  reason: string;
  recordedBy: string | null;
}

/**
 * The quantities of a licence, as a chain of snapshots keyed "<reference>#<n>". Taking
 * number n+1 is an insert, and only one writer can insert a key: that is what makes a
 * drawdown atomic on FerretDB, whose conditional updates are not atomic under concurrency.
 */
export interface LicenceStateDoc {
  _id: string;
  reference: string;
  sequence: number;
  goods: CoveredGoodsDoc[];
  usages: UsageDoc[];
  usageKeys: string[];
}

/** The stored licence: what was issued, and its status. Quantities live in LicenceStateDoc. */
export interface LicenceRecordDoc {
  _id: string;
  type: LicenceType;
  issuingAuthority: string;
  issuingCountry: string;
  holder: string;
  status: StoredLicenceStatus;
  decision: ChedDecision | null;
  validFrom: string;
  validUntil: string;
  history: StatusChangeDoc[];
  /** The latest state number known to the last writer: where readers start looking. */
  stateHint: number;
  /** The covered commodity codes, for filtering without reading states. */
  coveredCodes: string[];
}

/** A licence as resolvers see it: the record with its latest state. */
export type LicenceDoc = Omit<LicenceRecordDoc, 'stateHint' | 'coveredCodes'> &
  Pick<LicenceStateDoc, 'goods' | 'usages' | 'usageKeys'> & {
    /** USED when nothing is left to draw, derived from the state. */
    status: StoredLicenceStatus;
    stateSequence: number;
  };

export interface LicencesModels {
  licences: Model<LicenceRecordDoc>;
  states: Model<LicenceStateDoc>;
}

export function createLicencesModels(connection: Connection): LicencesModels {
  const schema = new Schema<LicenceRecordDoc>({ _id: String, holder: String }, { versionKey: false, strict: false });
  schema.index({ holder: 1 });
  // A licensing authority's licences: its Member State's, of its family's types.
  schema.index({ issuingCountry: 1, type: 1 });
  const states = new Schema<LicenceStateDoc>({ _id: String }, { versionKey: false, strict: false });
  return {
    licences: connection.model<LicenceRecordDoc>('Licence', schema, 'licences'),
    states: connection.model<LicenceStateDoc>('LicenceState', states, 'licenceStates'),
  };
}

export async function prepareLicencesModels(models: LicencesModels): Promise<void> {
  await models.licences.createIndexes();
}

export function stateKey(reference: string, sequence: number): string {
  return `${reference}#${sequence}`;
}

/** The latest state: from the hint, step forward while a later one exists (by _id, so cheap). */
export async function latestState(models: LicencesModels, record: Pick<LicenceRecordDoc, '_id' | 'stateHint'>): Promise<LicenceStateDoc> {
  let sequence = record.stateHint;
  let state = await models.states.findById(stateKey(record._id, sequence)).lean<LicenceStateDoc>().exec();
  if (!state) throw new Error(`Licence ${record._id} has no state ${sequence}`);
  for (;;) {
    const next = await models.states
      .findById(stateKey(record._id, sequence + 1))
      .lean<LicenceStateDoc>()
      .exec();
    if (!next) return state;
    state = next;
    sequence++;
  }
}

/** The licence as a whole; a VALID licence with nothing left to draw is USED. */
export function withState(record: LicenceRecordDoc, state: LicenceStateDoc): LicenceDoc {
  const { stateHint: _hint, coveredCodes: _codes, ...rest } = record;
  const exhausted = state.goods.length > 0 && state.goods.every((line) => line.quantityRemaining <= 0);
  return {
    ...rest,
    status: record.status === 'VALID' && exhausted ? 'USED' : record.status,
    goods: state.goods,
    usages: state.usages,
    usageKeys: state.usageKeys,
    stateSequence: state.sequence,
  };
}

export async function loadLicence(models: LicencesModels, record: LicenceRecordDoc): Promise<LicenceDoc> {
  return withState(record, await latestState(models, record));
}

/** What this subgraph knows of an operator: its key. */
export interface OperatorRef {
  eori: string;
}
