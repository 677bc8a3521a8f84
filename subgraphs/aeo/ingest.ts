// Operators and authorisations in bulk (kit/ingest.ts): the registry's own exports, or the demo
// registry. Each batch is compared with what is stored, one `$in` find per collection; only what
// changed is written, so loading the same registry twice changes nothing.
import type { Caller } from '../kit/context';
import { badUserInput } from '../kit/errors';
import { checkAeoAuthorisationNumber, checkEori } from '../kit/identifiers';
import { eachRecord, type IngestHandler, type RecordOutcome } from '../kit/ingest';
import { requireDate, requireOneOf, requireText, requireValid } from '../kit/input';
import { upsertByKey } from '../kit/upsert';
import { findByField, findByIds } from '../kit/batching';
import { bulkWriteBounded, collectionOf } from '../kit/bulk';
import { AEO_STATUSES, AEO_TYPES, aeoTagsOf, type AeoModels, type AeoStatus, type AeoType, type AuthorisationDoc, type OperatorDoc } from './models';
import { aeoWrites, validateOperator, type OperatorInput } from './writes';

export type EconomicOperatorRecord = OperatorInput & { kind: 'economicOperator' };

export interface AeoAuthorisationRecord {
  kind: 'aeoAuthorisation';
  number: string;
  /** The holder's EORI: an operator registered before, or earlier in the same batch. */
  holder: string;
  type: AeoType;
  issuingCountry?: string | null;
  validFrom: string;
  /** Starts with VALID on validFrom; the last entry is the current status. */
  history: { status: AeoStatus; date: string; reason: string }[];
}

export function aeoIngest(models: AeoModels): IngestHandler {
  return {
    kinds: ['economicOperator', 'aeoAuthorisation'],
    isEmpty: async () => (await models.operators.findOne({}, { _id: 1 }).lean().exec()) === null,
    write: (records, caller) => writeBatch(models, records, caller),
  };
}

async function writeBatch(models: AeoModels, records: readonly unknown[], caller: Caller): Promise<RecordOutcome[]> {
  // Validate first: every record alone, so one bad line rejects only itself.
  const valid: (OperatorDoc | AuthorisationDoc | null)[] = [];
  const outcomes = await eachRecord(records, async (record) => {
    const typed = record as EconomicOperatorRecord | AeoAuthorisationRecord;
    valid.push(null);
    if (typed?.kind === 'economicOperator') valid[valid.length - 1] = validateOperator(typed);
    else valid[valid.length - 1] = validateAuthorisation(typed, caller);
    return 'unchanged';
  });
  const operators = valid.filter((doc): doc is OperatorDoc => doc !== null && 'aeoTags' in doc);
  const authorisations = valid.filter((doc): doc is AuthorisationDoc => doc !== null && 'holder' in doc);
  const keys = [...operators.map((doc) => `operator:${doc._id}`), ...authorisations.flatMap((doc) => [`authorisation:${doc._id}`, `operator:${doc.holder}`])];

  const statuses = await aeoWrites.run(keys, async () => {
    // The tags are the subgraph's own summary of the authorisations: an operator record keeps them.
    const stored = new Map(
      (
        await findByIds(
          models.operators,
          operators.map((doc) => doc._id),
        )
      ).map((doc) => [doc._id, doc.aeoTags]),
    );
    const operatorStatuses = await upsertByKey(
      models.operators,
      operators.map((doc) => ({ ...doc, aeoTags: stored.get(doc._id) ?? [] })),
    );
    const registered = new Set(
      (
        await findByIds(
          models.operators,
          authorisations.map((doc) => doc.holder),
        )
      ).map((doc) => doc._id),
    );
    const held = authorisations.filter((doc) => registered.has(doc.holder));
    const known = new Map(
      (
        await findByIds(
          models.authorisations,
          held.map((doc) => doc._id),
        )
      ).map((doc) => [doc._id, doc]),
    );
    const authorisationStatuses = await upsertByKey(
      models.authorisations,
      held.map((doc) => keepRecorders(doc, known.get(doc._id))),
    );
    await refreshTagsOf(models, [...new Set(held.map((doc) => doc.holder))]);
    return new Map<OperatorDoc | AuthorisationDoc, RecordOutcome>([
      ...operators.map((doc, index) => [doc, { status: operatorStatuses[index]! }] as const),
      ...held.map((doc, index) => [doc, { status: authorisationStatuses[index]! }] as const),
    ]);
  });

  return outcomes.map((outcome, index) => {
    const doc = valid[index];
    if (outcome.status === 'rejected' || !doc) return outcome;
    return (
      statuses.get(doc) ?? { status: 'rejected', field: 'holder', reason: `no economic operator is registered with EORI ${(doc as AuthorisationDoc).holder}` }
    );
  });
}

function validateAuthorisation(record: AeoAuthorisationRecord, caller: Caller): AuthorisationDoc {
  if (record?.kind !== 'aeoAuthorisation') throw badUserInput('kind', 'must be economicOperator or aeoAuthorisation');
  const number = requireValid('number', checkAeoAuthorisationNumber(String(record.number ?? '')));
  const holder = requireValid('holder', checkEori(String(record.holder ?? '')));
  const type = requireOneOf('type', record.type, AEO_TYPES);
  if (number.slice(2, 6) !== type) throw badUserInput('type', `is ${type}, but the number ${number} is for ${number.slice(2, 6)}`);
  const issuingCountry = record.issuingCountry ?? number.slice(0, 2);
  if (issuingCountry !== number.slice(0, 2))
    throw badUserInput('issuingCountry', `is ${issuingCountry}, but the number ${number} was issued by ${number.slice(0, 2)}`);
  const validFrom = requireDate('validFrom', record.validFrom);
  if (!Array.isArray(record.history) || record.history.length === 0) throw badUserInput('history', 'needs at least the grant, VALID on validFrom');
  let previous = validFrom;
  const history = record.history.map((change, index) => {
    const status = requireOneOf(`history[${index}].status`, change?.status, AEO_STATUSES);
    const date = requireDate(`history[${index}].date`, change?.date);
    if (date < previous) throw badUserInput(`history[${index}].date`, `is before the change before it, on ${previous}`);
    previous = date;
    return { status, date, reason: requireText(`history[${index}].reason`, change?.reason, 500), recordedBy: caller.id };
  });
  return { _id: number, holder, type, status: history.at(-1)!.status, issuingCountry, validFrom, history };
}

/**
 * A status change already stored keeps who recorded it, and the key of the mutation that made it
 * (as do the keyed requests that changed nothing): the same registry sent by another caller
 * changes nothing, and a replay of that mutation still finds its key.
 */
function keepRecorders(doc: AuthorisationDoc, stored: AuthorisationDoc | undefined): AuthorisationDoc {
  const history = doc.history.map((change, index) => {
    const before = stored?.history[index];
    return before && before.status === change.status && before.date === change.date && before.reason === change.reason
      ? { ...change, recordedBy: before.recordedBy, ...(before.idempotencyKey && { idempotencyKey: before.idempotencyKey }) }
      : change;
  });
  return { ...doc, history, ...(stored?.keyedNoChanges?.length && { keyedNoChanges: stored.keyedNoChanges }) };
}

/** Each holder's tags from all its authorisations: one find for the batch, a write per operator whose tags changed. */
async function refreshTagsOf(models: AeoModels, holders: readonly string[]): Promise<void> {
  if (holders.length === 0) return;
  const held = await findByField(models.authorisations, 'holder', holders);
  const byHolder = new Map<string, AuthorisationDoc[]>(holders.map((holder) => [holder, []]));
  for (const doc of held) byHolder.get(doc.holder)?.push(doc);
  const operators = await findByIds(models.operators, holders);
  const changed = operators.flatMap((operator) => {
    const tags = aeoTagsOf(byHolder.get(operator._id) ?? []);
    return JSON.stringify(tags) === JSON.stringify(operator.aeoTags)
      ? []
      : [{ updateOne: { filter: { _id: operator._id }, update: { $set: { aeoTags: tags } } } }];
  });
  await bulkWriteBounded(collectionOf(models.operators), changed);
}
