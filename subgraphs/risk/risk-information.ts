// Risk information shared through the Customs Risk Management System: Risk Information Forms
// (RIFs) that one Member State sends others, and crisis alerts that the Commission opens to every
// Member State. Each receiving Member State has one response document per RIF or alert: its
// acknowledgement, its action and the rules it made from it (whose hits are the follow-up's).
//
// Writes are idempotent on natural keys: a RIF or alert by its reference (the same content again
// is a replay, other content a CONFLICT); an amendment by the version it amends, as rule changes
// by revision (rule-writes.ts): a unique insert of "<reference>#<version>" carrying the new form
// comes first, so a writer that died half-way is finished by the next one to look; a response by
// its Member State (acknowledging twice, or recording the same action and date twice, is nothing).
import type { Caller } from '../kit/auth/roles';
import { describeCaller, filingReach, forbidden, noRows, seesAllRows } from '../kit/auth/rows';
import { findById } from '../kit/batching';
import { collectionOf, insertNew } from '../kit/bulk';
import { contentHash } from '../kit/content-hash';
import { EU_MEMBER_STATES } from '../kit/countries';
import { badUserInput, conflict, invalidTransition, notFound } from '../kit/errors';
import { checkContainerNumber, checkCountryCode } from '../kit/identifiers';
import { optionalText, requireDate, requireNumber, requireOneOf, requireText, requireValid } from '../kit/input';
import { insertOnce, replaceById } from '../kit/persistence';
import type { RiskModels } from './models';
import { createRule } from './rule-writes';
import { criterionAmount, criterionList, CRITERION_CHECKS, requireRuleReference, type RuleCriteria, type RuleDoc, type RuleKind } from './rules';

type Input = Record<string, unknown>;

export const RISK_CATEGORIES = ['FINANCIAL', 'SAFETY_AND_SECURITY', 'PROHIBITIONS_AND_RESTRICTIONS', 'IPR', 'HEALTH_AND_ENVIRONMENT', 'OTHER'] as const;
export const RISK_ACTIONS = ['RULE_CREATED', 'ALREADY_COVERED', 'NOT_RELEVANT', 'UNDER_ASSESSMENT'] as const;
export const ALERT_PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const LANES = ['GREEN', 'YELLOW', 'RED'] as const;
export type RiskAction = (typeof RISK_ACTIONS)[number];
/** Rules made from a crisis alert are priority control areas; from a RIF, RIF rules. */
const RULE_KIND: Record<SignalKind, RuleKind> = { RIF: 'RISK_INFORMATION_FORM', ALERT: 'PRIORITY_CONTROL_AREA' };
/** A rule made from shared information without a weight or lane of its own adds this to the log-odds. */
export const DEFAULT_SIGNAL_RULE_WEIGHT = 2;

export type SignalKind = 'RIF' | 'ALERT';

export interface RiskIndicators {
  commodityCodePrefixes: string[];
  originCountries: string[];
  placesOfLoading: string[];
  placesOfUnloading: string[];
  operators: string[];
  containers: string[];
  valuePerKgBelow: number | null;
  valuePerKgAbove: number | null;
  netMassBelow: number | null;
  netMassAbove: number | null;
}

/** What a publication or amendment sets. */
export interface RiskInformationContent {
  description: string;
  category: (typeof RISK_CATEGORIES)[number];
  indicators: RiskIndicators;
  recommendedAction: string;
  recommendedLane: (typeof LANES)[number] | null;
  validFrom: string;
  validUntil: string | null;
  recipients: string[];
}

export interface RiskInformationAmendment {
  version: number;
  amendedBy: string;
  amendedAt: string;
  changed: string[];
}

export interface RiskInformationFormDoc extends RiskInformationContent {
  /** The reference. */
  _id: string;
  senderMemberState: string;
  /** The sender and every Member State it was ever sent to: whose analysts see it. */
  parties: string[];
  status: 'ACTIVE' | 'WITHDRAWN';
  version: number;
  amendments: RiskInformationAmendment[];
  publishedBy: string;
  publishedAt: string;
  withdrawnBy: string | null;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
}

export interface RiskInformationVersionDoc {
  /** "<reference>#<version>". */
  _id: string;
  at: string;
  by: string;
  form: RiskInformationFormDoc;
}

export interface CrisisAlertContent {
  title: string;
  guidance: string;
  priority: (typeof ALERT_PRIORITIES)[number];
  commodityCodePrefixes: string[];
  originCountries: string[];
  validFrom: string;
  validUntil: string | null;
}

export interface CrisisAlertDoc extends CrisisAlertContent {
  _id: string;
  status: 'OPEN' | 'CLOSED';
  openedBy: string;
  openedAt: string;
  closedBy: string | null;
  closedOn: string | null;
}

export interface RiskInformationResponseDoc {
  /** "<kind>|<reference>|<Member State>". */
  _id: string;
  kind: SignalKind;
  signal: string;
  /** The RIF's sender; null for a crisis alert (the Commission's). */
  sender: string | null;
  memberState: string;
  /** The date the RIF or alert was published: the follow-up's period and its days are counted from it. */
  publishedOn: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  action: RiskAction | null;
  actionDate: string | null;
  actionBy: string | null;
  /** References of the Member State's rules made from it. */
  rules: string[];
}

export const responseId = (kind: SignalKind, reference: string, memberState: string) => `${kind}|${reference}|${memberState}`;
const versionId = (reference: string, version: number) => `${reference}#${version}`;
const dateOf = (at: string) => at.slice(0, 10);

/** Whole days from one date (YYYY-MM-DD) to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

// ---------------------------------------------------------------------------
// Validation

export function validateIndicators(input: Input, path = 'indicators'): RiskIndicators {
  const indicators: RiskIndicators = {
    commodityCodePrefixes: criterionList(input, 'commodityCodePrefixes', path, CRITERION_CHECKS.commodityCodePrefix),
    originCountries: criterionList(input, 'originCountries', path, CRITERION_CHECKS.country),
    placesOfLoading: criterionList(input, 'placesOfLoading', path, CRITERION_CHECKS.unLocode),
    placesOfUnloading: criterionList(input, 'placesOfUnloading', path, CRITERION_CHECKS.unLocode),
    operators: criterionList(input, 'operators', path, CRITERION_CHECKS.operator),
    containers: criterionList(input, 'containers', path, (value, at) => requireValid(at, checkContainerNumber(value))),
    valuePerKgBelow: criterionAmount(input, 'valuePerKgBelow', path),
    valuePerKgAbove: criterionAmount(input, 'valuePerKgAbove', path),
    netMassBelow: criterionAmount(input, 'netMassBelow', path),
    netMassAbove: criterionAmount(input, 'netMassAbove', path),
  };
  if (!Object.values(indicators).some((value) => (Array.isArray(value) ? value.length > 0 : value !== null)))
    throw badUserInput(path, 'a RIF needs at least one indicator: commodity codes, origins, places, operators, containers, or value or mass patterns');
  for (const [below, above] of [
    ['valuePerKgBelow', 'valuePerKgAbove'],
    ['netMassBelow', 'netMassAbove'],
  ] as const) {
    const low = indicators[below];
    const high = indicators[above];
    if (low !== null && high !== null && high >= low) throw badUserInput(`${path}.${above}`, `must be below ${below} (${low}) when both are given`);
  }
  return indicators;
}

function validateRecipients(value: unknown, sender: string): string[] {
  if (value === undefined || value === null) return EU_MEMBER_STATES.filter((state) => state !== sender);
  if (!Array.isArray(value) || value.length === 0) throw badUserInput('recipients', 'must list at least one EU Member State, or be left out for all');
  const states = [
    ...new Set(
      value.map((state, index) => {
        const code = requireValid(`recipients[${index}]`, checkCountryCode(String(state)));
        if (!EU_MEMBER_STATES.includes(code)) throw badUserInput(`recipients[${index}]`, `${code} is not an EU Member State`);
        if (code === sender) throw badUserInput(`recipients[${index}]`, `${code} sends the RIF; it is not one of its recipients`);
        return code;
      }),
    ),
  ];
  return states.sort();
}

function validity(input: Input): { validFrom: string; validUntil: string | null } {
  const validFrom = requireDate('validFrom', input.validFrom);
  const validUntil = input.validUntil === undefined || input.validUntil === null ? null : requireDate('validUntil', input.validUntil);
  if (validUntil !== null && validUntil < validFrom) throw badUserInput('validUntil', `must not be before validFrom (${validFrom})`);
  return { validFrom, validUntil };
}

export function validateRiskInformation(input: Input, sender: string): RiskInformationContent {
  return {
    description: requireText('description', input.description, 2_000),
    category: requireOneOf('category', input.category, RISK_CATEGORIES),
    indicators: validateIndicators((input.indicators ?? {}) as Input),
    recommendedAction: requireText('recommendedAction', input.recommendedAction, 1_000),
    recommendedLane:
      input.recommendedLane === undefined || input.recommendedLane === null ? null : requireOneOf('recommendedLane', input.recommendedLane, LANES),
    ...validity(input),
    recipients: validateRecipients(input.recipients, sender),
  };
}

export function validateCrisisAlert(input: Input): CrisisAlertContent {
  const scope = {
    commodityCodePrefixes: criterionList(input, 'commodityCodePrefixes', 'input', CRITERION_CHECKS.commodityCodePrefix),
    originCountries: criterionList(input, 'originCountries', 'input', CRITERION_CHECKS.country),
  };
  if (scope.commodityCodePrefixes.length === 0 && scope.originCountries.length === 0)
    throw badUserInput('commodityCodePrefixes', 'a crisis alert needs a product scope: commodity codes, origins, or both');
  return {
    title: requireText('title', input.title, 200),
    guidance: requireText('guidance', input.guidance, 4_000),
    priority: requireOneOf('priority', input.priority, ALERT_PRIORITIES),
    ...scope,
    ...validity(input),
  };
}

// ---------------------------------------------------------------------------
// Who sees and writes what

/** Analysts see the RIFs their Member State sent or received; the Commission and the service every one. */
export function riskInformationFilter(caller: Caller): Record<string, unknown> {
  if (seesAllRows(caller)) return {};
  const reach = filingReach(caller);
  return reach.kind === 'office' ? { parties: reach.memberState } : noRows();
}

function canSee(caller: Caller, form: RiskInformationFormDoc): boolean {
  if (seesAllRows(caller)) return true;
  const reach = filingReach(caller);
  return reach.kind === 'office' && form.parties.includes(reach.memberState);
}

/** Which responses of a RIF or alert the caller sees: every one for its sender and the Commission, else its own. */
export function responseVisible(caller: Caller, response: Pick<RiskInformationResponseDoc, 'sender' | 'memberState'>): boolean {
  if (seesAllRows(caller)) return true;
  const reach = filingReach(caller);
  return reach.kind === 'office' && (response.memberState === reach.memberState || response.sender === reach.memberState);
}

/** The Member State an analyst acts for; others (the Commission, the service) neither send RIFs nor answer them. */
function actingState(caller: Caller, what: string): string {
  const reach = filingReach(caller);
  if (reach.kind === 'office' && caller.role === 'risk-analyst') return reach.memberState;
  throw forbidden(`${what} is for a Member State's risk analyst; ${describeCaller(caller)} acts for no Member State`, { role: caller.role ?? null });
}

// ---------------------------------------------------------------------------
// RIFs

export async function currentForm(models: RiskModels, reference: string): Promise<RiskInformationFormDoc | null> {
  let form = await findById(models.riskInformationForms, reference);
  // A version whose writer died before applying it counts as made.
  for (;;) {
    const next = await findById(models.riskInformationVersions, versionId(reference, (form?.version ?? 0) + 1));
    if (!next) return form;
    await replaceById(models.riskInformationForms.collection, reference, next.form);
    form = next.form;
  }
}

/** The RIF, if the caller may see it: one it may not is answered as one that does not exist. */
async function requireVisibleForm(models: RiskModels, reference: unknown, caller: Caller): Promise<RiskInformationFormDoc> {
  const key = requireRuleReference(reference);
  const form = await currentForm(models, key);
  if (!form || !canSee(caller, form)) throw notFound('Risk Information Form', key);
  return form;
}

const contentOfForm = (form: RiskInformationFormDoc): RiskInformationContent => ({
  description: form.description,
  category: form.category,
  indicators: form.indicators,
  recommendedAction: form.recommendedAction,
  recommendedLane: form.recommendedLane,
  validFrom: form.validFrom,
  validUntil: form.validUntil,
  recipients: form.recipients,
});

function newResponse(kind: SignalKind, reference: string, sender: string | null, memberState: string, publishedAt: string): RiskInformationResponseDoc {
  return {
    _id: responseId(kind, reference, memberState),
    kind,
    signal: reference,
    sender,
    memberState,
    publishedOn: dateOf(publishedAt),
    acknowledgedBy: null,
    acknowledgedAt: null,
    action: null,
    actionDate: null,
    actionBy: null,
    rules: [],
  };
}

/** Every recipient has its response; ones already there are left as they are. */
async function ensureResponses(models: RiskModels, kind: SignalKind, reference: string, sender: string | null, states: readonly string[], publishedAt: string) {
  await insertNew(
    collectionOf(models.riskInformationResponses),
    states.map((state) => newResponse(kind, reference, sender, state, publishedAt)),
  );
}

export async function publishRiskInformation(models: RiskModels, input: Input, caller: Caller, now = new Date()): Promise<RiskInformationFormDoc> {
  const sender = actingState(caller, 'Publishing a RIF');
  const reference = requireRuleReference(input.reference);
  const content = validateRiskInformation(input, sender);
  const at = now.toISOString();
  const form: RiskInformationFormDoc = {
    _id: reference,
    ...content,
    senderMemberState: sender,
    parties: [sender, ...content.recipients].sort(),
    status: 'ACTIVE',
    version: 1,
    amendments: [],
    publishedBy: caller.id,
    publishedAt: at,
    withdrawnBy: null,
    withdrawnAt: null,
    withdrawalReason: null,
  };
  if (!(await insertOnce(models.riskInformationVersions, { _id: versionId(reference, 1), at, by: caller.id, form }))) {
    // The same RIF sent again is answered with the RIF as it now stands.
    const [existing, first] = await Promise.all([currentForm(models, reference), findById(models.riskInformationVersions, versionId(reference, 1))]);
    const original = first?.form;
    if (!existing || !original || original.senderMemberState !== sender || contentHash(contentOfForm(original)) !== contentHash(content))
      throw conflict(`A Risk Information Form ${reference} already exists with other content; amend it with amendRiskInformationForm`, { reference });
    await ensureResponses(models, 'RIF', reference, sender, original.recipients, original.publishedAt);
    return existing;
  }
  await ensureResponses(models, 'RIF', reference, sender, content.recipients, at);
  await replaceById(models.riskInformationForms.collection, reference, form);
  return form;
}

function requireSender(caller: Caller, form: RiskInformationFormDoc, what: string): void {
  if (caller.role === 'risk-analyst' && caller.memberState === form.senderMemberState) return;
  throw forbidden(`${what} the RIF ${form._id} is for its sender, ${form.senderMemberState}; ${describeCaller(caller)} is not`, {
    reference: form._id,
    senderMemberState: form.senderMemberState,
  });
}

export async function amendRiskInformation(models: RiskModels, input: Input, caller: Caller, now = new Date()): Promise<RiskInformationFormDoc> {
  const existing = await requireVisibleForm(models, input.reference, caller);
  requireSender(caller, existing, 'Amending');
  const version = requireNumber('version', input.version, { min: 1, integer: true });
  const given = (field: string) => input[field] !== undefined && input[field] !== null;
  const current = contentOfForm(existing);
  const amended = validateRiskInformation(
    {
      ...current,
      ...Object.fromEntries(
        ['description', 'category', 'indicators', 'recommendedAction', 'validFrom', 'recipients'].filter(given).map((field) => [field, input[field]]),
      ),
      ...(input.recommendedLane !== undefined && { recommendedLane: input.recommendedLane }),
      ...(input.validUntil !== undefined && { validUntil: input.validUntil }),
    },
    existing.senderMemberState,
  );
  const changed = (Object.keys(amended) as (keyof RiskInformationContent)[]).filter((field) => contentHash(amended[field]) !== contentHash(current[field]));
  // A retried amendment finds its work done.
  if (changed.length === 0) return existing;
  if (version < existing.version) {
    // A replay of an amendment others have since followed: answered with the RIF as it now stands.
    const next = await findById(models.riskInformationVersions, versionId(existing._id, version + 1));
    const base = await findById(models.riskInformationVersions, versionId(existing._id, version));
    if (next && base) {
      const replayed = validateRiskInformation({ ...contentOfForm(base.form), ...pick(input) }, existing.senderMemberState);
      if (contentHash(replayed) === contentHash(contentOfForm(next.form))) return existing;
    }
  }
  if (existing.status === 'WITHDRAWN') throw invalidTransition(`The RIF ${existing._id} is withdrawn; publish a new one instead`, { reference: existing._id });
  const at = now.toISOString();
  const form: RiskInformationFormDoc = {
    ...existing,
    ...amended,
    parties: [...new Set([...existing.parties, ...amended.recipients])].sort(),
    version: version + 1,
    amendments: [...existing.amendments, { version: version + 1, amendedBy: caller.id, amendedAt: at, changed }],
  };
  const stored = await commitVersion(models, existing, version, form, caller, at);
  await ensureResponses(models, 'RIF', stored._id, stored.senderMemberState, stored.recipients, stored.publishedAt);
  return stored;
}

function pick(input: Input): Input {
  return Object.fromEntries(Object.entries(input).filter(([field, value]) => field !== 'reference' && field !== 'version' && value !== undefined));
}

async function commitVersion(
  models: RiskModels,
  existing: RiskInformationFormDoc,
  version: number,
  form: RiskInformationFormDoc,
  caller: Caller,
  at: string,
): Promise<RiskInformationFormDoc> {
  const stale = (current: RiskInformationFormDoc | null) =>
    conflict(`The RIF ${existing._id} is at version ${current?.version ?? existing.version}, not ${version}: read it again and redo the amendment`, {
      reference: existing._id,
      version: current?.version ?? existing.version,
    });
  if (version !== existing.version) throw stale(existing);
  if (!(await insertOnce(models.riskInformationVersions, { _id: versionId(existing._id, version + 1), at, by: caller.id, form })))
    throw stale(await currentForm(models, existing._id));
  await replaceById(models.riskInformationForms.collection, form._id, form);
  return form;
}

export async function withdrawRiskInformation(
  models: RiskModels,
  reference: unknown,
  versionInput: unknown,
  reasonInput: unknown,
  caller: Caller,
  now = new Date(),
): Promise<RiskInformationFormDoc> {
  const existing = await requireVisibleForm(models, reference, caller);
  requireSender(caller, existing, 'Withdrawing');
  if (existing.status === 'WITHDRAWN') return existing;
  const version = requireNumber('version', versionInput, { min: 1, integer: true });
  const reason = requireText('reason', reasonInput, 1_000);
  const at = now.toISOString();
  return commitVersion(
    models,
    existing,
    version,
    { ...existing, status: 'WITHDRAWN', withdrawnBy: caller.id, withdrawnAt: at, withdrawalReason: reason, version: version + 1 },
    caller,
    at,
  );
}

// ---------------------------------------------------------------------------
// Crisis alerts

export async function openCrisisAlert(models: RiskModels, input: Input, caller: Caller, now = new Date()): Promise<CrisisAlertDoc> {
  const reference = requireRuleReference(input.reference);
  const content = validateCrisisAlert(input);
  const at = now.toISOString();
  const alert: CrisisAlertDoc = { _id: reference, ...content, status: 'OPEN', openedBy: caller.id, openedAt: at, closedBy: null, closedOn: null };
  if (await insertOnce(models.crisisAlerts, alert)) {
    await ensureResponses(models, 'ALERT', reference, null, EU_MEMBER_STATES, at);
    return alert;
  }
  const existing = (await findById(models.crisisAlerts, reference))!;
  const { _id, status, openedBy, openedAt, closedBy, closedOn, ...stored } = existing;
  if (contentHash(stored) !== contentHash(content))
    throw conflict(`A crisis alert ${reference} already exists with other content; open a new one under another reference`, { reference });
  await ensureResponses(models, 'ALERT', reference, null, EU_MEMBER_STATES, existing.openedAt);
  return existing;
}

export async function closeCrisisAlert(
  models: RiskModels,
  reference: unknown,
  closedOnInput: unknown,
  caller: Caller,
  now = new Date(),
): Promise<CrisisAlertDoc> {
  const key = requireRuleReference(reference);
  const alert = await findById(models.crisisAlerts, key);
  if (!alert) throw notFound('crisis alert', key);
  if (alert.status === 'CLOSED') return alert;
  const closedOn = closedOnInput === undefined || closedOnInput === null ? dateOf(now.toISOString()) : requireDate('closedOn', closedOnInput);
  if (closedOn < dateOf(alert.openedAt)) throw badUserInput('closedOn', `must not be before the alert was opened (${dateOf(alert.openedAt)})`);
  const closed: CrisisAlertDoc = { ...alert, status: 'CLOSED', closedBy: caller.id, closedOn };
  await replaceById(models.crisisAlerts.collection, key, closed);
  return closed;
}

// ---------------------------------------------------------------------------
// Responses: acknowledgement, action, rules

interface Signal {
  kind: SignalKind;
  reference: string;
  sender: string | null;
  publishedAt: string;
  recipients: readonly string[];
  /** Withdrawn RIF or closed alert: nothing new is made from it. */
  open: boolean;
  description: string;
  criteria: RuleCriteria;
  recommendedLane: (typeof LANES)[number] | null;
  validFrom: string;
  validUntil: string | null;
}

async function requireSignal(models: RiskModels, kind: SignalKind, reference: unknown, caller: Caller): Promise<Signal> {
  if (kind === 'RIF') {
    const form = await requireVisibleForm(models, reference, caller);
    const i = form.indicators;
    return {
      kind,
      reference: form._id,
      sender: form.senderMemberState,
      publishedAt: form.publishedAt,
      recipients: form.recipients,
      open: form.status === 'ACTIVE',
      description: `${form._id}: ${form.description}`.slice(0, 500),
      criteria: {
        commodityCodePrefixes: i.commodityCodePrefixes,
        originCountries: i.originCountries,
        placesOfLoading: i.placesOfLoading,
        placesOfUnloading: i.placesOfUnloading,
        operators: i.operators,
        offices: [],
        transportModes: [],
        valuePerKgBelow: i.valuePerKgBelow,
        valuePerKgAbove: i.valuePerKgAbove,
      },
      recommendedLane: form.recommendedLane,
      validFrom: form.validFrom,
      validUntil: form.validUntil,
    };
  }
  const key = requireRuleReference(reference);
  const alert = await findById(models.crisisAlerts, key);
  if (!alert) throw notFound('crisis alert', key);
  return {
    kind,
    reference: key,
    sender: null,
    publishedAt: alert.openedAt,
    recipients: EU_MEMBER_STATES,
    open: alert.status === 'OPEN',
    description: `${key}: ${alert.title}`.slice(0, 500),
    criteria: {
      commodityCodePrefixes: alert.commodityCodePrefixes,
      originCountries: alert.originCountries,
      placesOfLoading: [],
      placesOfUnloading: [],
      operators: [],
      offices: [],
      transportModes: [],
      valuePerKgBelow: null,
      valuePerKgAbove: null,
    },
    recommendedLane: null,
    validFrom: alert.validFrom,
    validUntil: alert.validUntil,
  };
}

/** The caller's Member State's response: it must be one of the recipients. */
async function requireOwnResponse(models: RiskModels, signal: Signal, caller: Caller): Promise<RiskInformationResponseDoc> {
  const state = actingState(caller, `Answering ${signal.kind === 'RIF' ? 'a RIF' : 'a crisis alert'}`);
  if (!signal.recipients.includes(state))
    throw forbidden(`${signal.reference} was not sent to ${state}: only its recipients acknowledge it and act on it`, {
      reference: signal.reference,
      memberState: state,
    });
  const id = responseId(signal.kind, signal.reference, state);
  const response = await findById(models.riskInformationResponses, id);
  if (response) return response;
  // Sent before this response was written (a writer that died half-way): it is the recipient's all the same.
  await ensureResponses(models, signal.kind, signal.reference, signal.sender, [state], signal.publishedAt);
  return (await findById(models.riskInformationResponses, id))!;
}

async function saveResponse(models: RiskModels, before: RiskInformationResponseDoc, after: RiskInformationResponseDoc): Promise<RiskInformationResponseDoc> {
  if (contentHash(before) !== contentHash(after)) await replaceById(models.riskInformationResponses.collection, after._id, after);
  return after;
}

const acknowledged = (response: RiskInformationResponseDoc, caller: Caller, at: string): RiskInformationResponseDoc =>
  response.acknowledgedAt ? response : { ...response, acknowledgedBy: caller.id, acknowledgedAt: at };

export async function acknowledge(
  models: RiskModels,
  kind: SignalKind,
  reference: unknown,
  caller: Caller,
  now = new Date(),
): Promise<RiskInformationResponseDoc> {
  const signal = await requireSignal(models, kind, reference, caller);
  const response = await requireOwnResponse(models, signal, caller);
  return saveResponse(models, response, acknowledged(response, caller, now.toISOString()));
}

/** Records an action (and the acknowledgement, if not made yet); the same action on the same date again changes nothing. */
export async function recordAction(models: RiskModels, kind: SignalKind, input: Input, caller: Caller, now = new Date()): Promise<RiskInformationResponseDoc> {
  const signal = await requireSignal(models, kind, input.reference, caller);
  const action = requireOneOf('action', input.action, RISK_ACTIONS);
  const date = input.date === undefined || input.date === null ? dateOf(now.toISOString()) : requireDate('date', input.date);
  if (date < dateOf(signal.publishedAt)) throw badUserInput('date', `must not be before ${signal.reference} was published (${dateOf(signal.publishedAt)})`);
  const response = await requireOwnResponse(models, signal, caller);
  if (response.action === action && (input.date === undefined || input.date === null || response.actionDate === date)) return response;
  if (action === 'RULE_CREATED' && response.rules.length === 0)
    throw invalidTransition(
      `No rule of ${response.memberState} was made from ${signal.reference}: make one with createRuleFrom${kind === 'RIF' ? 'RiskInformationForm' : 'CrisisAlert'}`,
      {
        reference: signal.reference,
      },
    );
  const after = { ...acknowledged(response, caller, now.toISOString()), action, actionDate: date, actionBy: caller.id };
  return saveResponse(models, response, after);
}

/**
 * A rule of the caller's Member State prefilled from the indicators, through the rule writes
 * (rule-writes.ts createRule, so a replay is one), linked to the RIF or alert; then RULE_CREATED.
 */
export async function createRuleFromSignal(models: RiskModels, kind: SignalKind, input: Input, caller: Caller, now = new Date()): Promise<RuleDoc> {
  const signal = await requireSignal(models, kind, input.reference, caller);
  const response = await requireOwnResponse(models, signal, caller);
  const ruleReference = requireRuleReference(input.ruleReference, 'ruleReference');
  const replay = response.rules.includes(ruleReference);
  if (!signal.open && !replay)
    throw invalidTransition(`${signal.reference} is ${kind === 'RIF' ? 'withdrawn' : 'closed'}: no new rule is made from it`, { reference: signal.reference });
  const minimumLane = input.minimumLane ?? signal.recommendedLane;
  const weight = input.weight ?? (minimumLane ? undefined : DEFAULT_SIGNAL_RULE_WEIGHT);
  const description = optionalText('description', input.description, 500) ?? signal.description;
  const rule = await createRule(
    models,
    {
      reference: ruleReference,
      kind: RULE_KIND[kind],
      description,
      criteria: signal.criteria,
      weight,
      minimumLane,
      validFrom: input.validFrom ?? signal.validFrom,
      validUntil: input.validUntil !== undefined ? input.validUntil : signal.validUntil,
    },
    caller,
    now,
    kind === 'RIF' ? { riskInformationForm: signal.reference } : { crisisAlert: signal.reference },
  );
  const today = dateOf(now.toISOString());
  const after: RiskInformationResponseDoc = {
    ...acknowledged(response, caller, now.toISOString()),
    rules: [...new Set([...response.rules, rule._id])].sort(),
    ...(response.action === 'RULE_CREATED'
      ? {}
      : { action: 'RULE_CREATED', actionDate: today < response.publishedOn ? response.publishedOn : today, actionBy: caller.id }),
  };
  await saveResponse(models, response, after);
  return rule;
}

/** The responses of these RIFs or alerts, by reference. */
export async function responsesOf(models: RiskModels, kind: SignalKind, references: readonly string[]): Promise<RiskInformationResponseDoc[]> {
  if (references.length === 0) return [];
  return models.riskInformationResponses
    .find({ signal: { $in: [...references] }, kind })
    .lean<RiskInformationResponseDoc[]>()
    .exec();
}
