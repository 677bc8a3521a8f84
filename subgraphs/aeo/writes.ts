// The AEO subgraph's writes. Each validates its whole input before touching the database
// and is idempotent on the natural key, so a client can retry any of them safely.
import { describeCaller, forbidden, mayWriteForState, memberStateOf } from '../kit/auth/rows';
import type { Caller } from '../kit/context';
import { badUserInput, conflict, invalidTransition } from '../kit/errors';
import { optionalIdempotencyKey, requireSameRequest } from '../kit/idempotency';
import { checkAeoAuthorisationNumber, checkCountryCode, checkEori } from '../kit/identifiers';
import { requireDate, requireText, requireValid } from '../kit/input';
import { KeyLock } from '../kit/key-lock';
import { found, retryOnDuplicateKey } from '../kit/persistence';
import { today } from '../kit/scalars';
import { aeoTagsOf, type AddressDoc, type AeoModels, type AeoStatus, type AeoType, type AuthorisationDoc, type OperatorDoc } from './models';

export interface OperatorInput {
  eori: string;
  name: string;
  country: string;
  address?: AddressDoc | null;
}

export interface GrantInput {
  number: string;
  holder: string;
  type: AeoType;
  validFrom: string;
  issuingCountry?: string | null;
}

export interface StatusChangeInput {
  number: string;
  reason: string;
  date?: string | null;
  idempotencyKey?: string | null;
}

export type StatusAction = 'suspend' | 'reinstate' | 'revoke' | 'annul';

/**
 * Which statuses each action starts from, and where it leads. `once`: no action leads back to
 * where it starts, so an authorisation reaches its status at most once.
 */
const TRANSITIONS: Record<StatusAction, { from: readonly AeoStatus[]; to: AeoStatus; once: boolean }> = {
  suspend: { from: ['VALID'], to: 'SUSPENDED', once: false },
  reinstate: { from: ['SUSPENDED'], to: 'VALID', once: false },
  revoke: { from: ['VALID', 'SUSPENDED'], to: 'REVOKED', once: true },
  annul: { from: ['VALID', 'SUSPENDED', 'REVOKED'], to: 'ANNULLED', once: true },
};

/**
 * Writes that read, decide and write back go one at a time per key: an operator's registration,
 * tags and ingested record (`operator:<EORI>`), an authorisation's status changes and ingested
 * record (`authorisation:<number>`); the embedded engine does not make them atomic. A grant is
 * an insert if absent, atomic everywhere, and needs no lock. This process is the AEO database's only writer; no
 * run here starts another inside it, so none can wait on another in a circle.
 */
export const aeoWrites = new KeyLock();

export function validateOperator(input: OperatorInput): OperatorDoc {
  const eori = requireValid('eori', checkEori(input.eori));
  const name = requireText('name', input.name, 200);
  const country = requireValid('country', checkCountryCode(input.country));
  const address = input.address
    ? {
        street: requireText('address.street', input.address.street, 200),
        postcode: input.address.postcode?.trim() || null,
        city: requireText('address.city', input.address.city, 100),
        country: requireValid('address.country', checkCountryCode(input.address.country)),
      }
    : null;
  return { _id: eori, name, country, address, aeoTags: [] };
}

export async function registerOperator(models: AeoModels, input: OperatorInput, caller: Caller): Promise<OperatorDoc> {
  const { aeoTags, ...details } = validateOperator(input);
  // An auditor answers for the operators established in its Member State: their EORIs carry its code.
  const state = memberStateOf(details._id);
  if (!mayWriteForState(caller, state)) {
    throw forbidden(
      `the operator ${details._id} is established in ${state}; ${describeCaller(caller)} may register only ${caller.memberState ?? 'no Member State'}'s`,
      {
        memberState: state,
      },
    );
  }
  return aeoWrites.run([`operator:${details._id}`], async () => {
    const stored = await models.operators.findById(details._id).lean<OperatorDoc>().exec();
    // The same details again write nothing, not even the update time.
    if (stored && sameOperatorDetails(stored, details)) return stored;
    await retryOnDuplicateKey(() => models.operators.updateOne({ _id: details._id }, { $set: details, $setOnInsert: { aeoTags } }, { upsert: true }).exec());
    return found(await models.operators.findById(details._id).lean<OperatorDoc>().exec(), 'economic operator', details._id);
  });
}

function sameOperatorDetails(stored: OperatorDoc, details: Omit<OperatorDoc, 'aeoTags'>): boolean {
  const { street, postcode, city, country } = stored.address ?? {};
  const address = stored.address ? { street, postcode: postcode ?? null, city, country } : null;
  return stored.name === details.name && stored.country === details.country && JSON.stringify(address) === JSON.stringify(details.address);
}

export async function grantAuthorisation(models: AeoModels, input: GrantInput, caller: Caller): Promise<AuthorisationDoc> {
  const number = requireValid('number', checkAeoAuthorisationNumber(input.number));
  const holder = requireValid('holder', checkEori(input.holder));
  const typeInNumber = number.slice(2, 6);
  if (typeInNumber !== input.type) throw badUserInput('type', `is ${input.type}, but the number ${number} is for ${typeInNumber}`);
  const issuingCountry = input.issuingCountry ?? number.slice(0, 2);
  if (issuingCountry !== number.slice(0, 2)) {
    throw badUserInput('issuingCountry', `is ${issuingCountry}, but the number ${number} was issued by ${number.slice(0, 2)}`);
  }
  requireIssuedInScope(caller, number, issuingCountry, 'grant');
  // The Member State where the applicant is established grants it, and gave it its EORI: a
  // Dutch number for a French operator would let one Member State vouch for another's traders.
  if (holder.slice(0, 2) !== issuingCountry) {
    throw badUserInput(
      'holder',
      `${holder} is an operator established in ${holder.slice(0, 2)}; only ${holder.slice(0, 2)} grants it an authorisation, not ${issuingCountry}`,
    );
  }
  const validFrom = requireDate('validFrom', input.validFrom);
  if (!(await models.operators.exists({ _id: holder }).exec())) {
    throw badUserInput('holder', `no economic operator is registered with EORI ${holder}`);
  }

  const granted: AuthorisationDoc = {
    _id: number,
    holder,
    type: input.type,
    status: 'VALID',
    issuingCountry,
    validFrom,
    history: [{ status: 'VALID', date: validFrom, reason: 'Authorisation granted', recordedBy: caller.id }],
  };
  // Insert only if absent: a retried grant finds its own earlier write and returns it, unwritten.
  const earlier = await models.authorisations.findById(number).lean<AuthorisationDoc>().exec();
  if (!earlier) await retryOnDuplicateKey(() => models.authorisations.updateOne({ _id: number }, { $setOnInsert: granted }, { upsert: true }).exec());
  const stored = earlier ?? found(await models.authorisations.findById(number).lean<AuthorisationDoc>().exec(), 'AEO authorisation', number);
  if (stored.holder !== holder || stored.type !== input.type || stored.validFrom !== validFrom) {
    throw conflict(`Authorisation ${number} was already granted with other details`, {
      field: 'number',
      holder: stored.holder,
      type: stored.type,
      validFrom: stored.validFrom,
    });
  }
  await refreshAeoTags(models, holder);
  return stored;
}

export async function changeStatus(models: AeoModels, action: StatusAction, input: StatusChangeInput, caller: Caller): Promise<AuthorisationDoc> {
  const number = requireValid('number', checkAeoAuthorisationNumber(input.number));
  const reason = requireText('reason', input.reason, 500);
  const date = requireDate('date', input.date ?? today());
  const request: StatusRequest = { reason, date, dateGiven: Boolean(input.date), key: optionalIdempotencyKey(input.idempotencyKey) };
  const changed = await aeoWrites.run([`authorisation:${number}`], () => changeStatusHeld(models, action, number, request, caller));
  await refreshAeoTags(models, changed.holder);
  return changed;
}

interface StatusRequest {
  reason: string;
  date: string;
  /** False when the date is today's by default: a replay on another day is still a replay. */
  dateGiven: boolean;
  key: string | null;
}

async function changeStatusHeld(models: AeoModels, action: StatusAction, number: string, request: StatusRequest, caller: Caller): Promise<AuthorisationDoc> {
  const { from, to } = TRANSITIONS[action];
  const { reason, date, key } = request;
  // Conditional on the status just read: atomic on MongoDB, and the lock makes it so here.
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = found(await models.authorisations.findById(number).lean<AuthorisationDoc>().exec(), 'AEO authorisation', number);
    requireIssuedInScope(caller, number, current.issuingCountry, 'change');
    if (appliedBefore(current, action, request)) return current;
    if (current.status === to) {
      // Nothing to change, but the key is kept: replayed after a later change, this request is still this one.
      if (key)
        await models.authorisations
          .updateOne({ _id: number }, { $push: { keyedNoChanges: { status: to, date, reason, recordedBy: caller.id, idempotencyKey: key } } })
          .exec();
      return current;
    }
    if (!from.includes(current.status)) {
      throw invalidTransition(`A ${current.status.toLowerCase()} authorisation cannot be ${PAST[action]}`, {
        number,
        status: current.status,
        action,
      });
    }
    const lastChange = current.history.at(-1)?.date ?? current.validFrom;
    if (date < lastChange) throw badUserInput('date', `is before the last status change on ${lastChange}`);

    // The key goes into the very entry that records the change: there is no change without it.
    const change = { status: to, date, reason, recordedBy: caller.id, ...(key && { idempotencyKey: key }) };
    const result = await models.authorisations.updateOne({ _id: number, status: current.status }, { $set: { status: to }, $push: { history: change } }).exec();
    if (result.matchedCount === 1) return { ...current, status: to, history: [...current.history, change] };
  }
  throw conflict(`Authorisation ${number} is being changed concurrently; try again`, { number });
}

/**
 * Whether this request's change is in the history already, however the authorisation moved on
 * since: the entry that carries its key, or, for a status reached only once, the entry for that
 * status with its reason. A key that names another change is a CONFLICT.
 */
function appliedBefore(current: AuthorisationDoc, action: StatusAction, { reason, date, dateGiven, key }: StatusRequest): boolean {
  const { to, once } = TRANSITIONS[action];
  if (key) {
    const keyed = [...current.history, ...(current.keyedNoChanges ?? [])].find((change) => change.idempotencyKey === key);
    if (!keyed) return false;
    requireSameRequest(key, `a status change of authorisation ${current._id}`, keyed, { status: to, reason, date: dateGiven ? date : undefined });
    return true;
  }
  return once && current.history.some((change) => change.status === to && change.reason === reason && (!dateGiven || change.date === date));
}

/** An auditor grants and changes only the authorisations its own Member State issues. */
function requireIssuedInScope(caller: Caller, number: string, issuingCountry: string, action: 'grant' | 'change'): void {
  if (mayWriteForState(caller, issuingCountry)) return;
  const verb = action === 'grant' ? 'is to be issued by' : 'was issued by';
  throw forbidden(
    `the authorisation ${number} ${verb} ${issuingCountry}; ${describeCaller(caller)} may ${action} only ${caller.memberState ?? 'no Member State'}'s`,
    { number, issuingCountry },
  );
}

const PAST: Record<StatusAction, string> = { suspend: 'suspended', reinstate: 'reinstated', revoke: 'revoked', annul: 'annulled' };

/** Recomputes the operator's tags from its authorisations, so a retry also mends a tag write that was lost. */
export async function refreshAeoTags(models: AeoModels, holder: string): Promise<void> {
  await aeoWrites.run([`operator:${holder}`], async () => {
    const [held, operator] = await Promise.all([
      models.authorisations.find({ holder }, { type: 1, status: 1 }).lean<AuthorisationDoc[]>().exec(),
      models.operators.findById(holder, { aeoTags: 1 }).lean<Pick<OperatorDoc, 'aeoTags'>>().exec(),
    ]);
    const tags = aeoTagsOf(held);
    if (JSON.stringify(tags) !== JSON.stringify(operator?.aeoTags)) await models.operators.updateOne({ _id: holder }, { $set: { aeoTags: tags } }).exec();
  });
}
