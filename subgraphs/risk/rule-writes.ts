// Creating, changing and retiring targeting rules, with who and when. A rule document is
// replaced whole; what makes each change happen once is a unique insert of "<reference>#<next
// revision>" first, carrying the new rule (FerretDB's conditional updates are not atomic under
// concurrency), so a change whose writer died half-way is finished by the next one to look.
import type { Caller } from '../kit/context';
import { contentHash } from '../kit/content-hash';
import { conflict, invalidTransition, notFound } from '../kit/errors';
import { requireNumber } from '../kit/input';
import { insertOnce, replaceById } from '../kit/persistence';
import { findById } from '../kit/batching';
import type { RiskModels } from './models';
import { requireRuleWritable, ruleStateOf } from './scope';
import { validateRuleContent, type RuleContent, type RuleDoc, type RuleLink } from './rules';

type Input = Record<string, unknown>;

const contentOf = (rule: RuleDoc): RuleContent => ({
  reference: rule._id,
  kind: rule.kind,
  description: rule.description,
  criteria: rule.criteria,
  weight: rule.weight,
  minimumLane: rule.minimumLane,
  validFrom: rule.validFrom,
  validUntil: rule.validUntil,
});

const sameContent = (a: RuleContent, b: RuleContent) => contentHash(a) === contentHash(b);

/** `link` names the RIF or crisis alert a rule is made from (risk-information.ts): part of what a replay must match. */
export async function createRule(models: RiskModels, input: Input, caller: Caller, now = new Date(), link: RuleLink = {}): Promise<RuleDoc> {
  const content = validateRuleContent(input);
  const at = now.toISOString();
  const { reference, ...rest } = content;
  // An analyst's rule is its Member State's; the Commission's is EU-wide.
  const memberState = ruleStateOf(caller);
  const rule: RuleDoc = {
    _id: reference,
    ...rest,
    memberState,
    status: 'ACTIVE',
    revision: 1,
    createdBy: caller.id,
    createdAt: at,
    changedBy: caller.id,
    changedAt: at,
    retiredBy: null,
    retiredAt: null,
    ...(link.riskInformationForm && { riskInformationForm: link.riskInformationForm }),
    ...(link.crisisAlert && { crisisAlert: link.crisisAlert }),
  };
  if (await insertOnce(models.ruleRevisions, { _id: revisionId(reference, 1), at, by: caller.id, rule })) {
    await replaceById(models.rules.collection, reference, rule);
    return rule;
  }
  // The first revision is the rule as created: the same rule sent again is answered with the rule
  // as it now stands, even once it has been changed since.
  const [existing, created] = await Promise.all([currentRule(models, reference), findById(models.ruleRevisions, revisionId(reference, 1))]);
  const first = created?.rule ?? existing;
  const sameLink = (rule: RuleDoc) =>
    (rule.riskInformationForm ?? null) === (link.riskInformationForm ?? null) && (rule.crisisAlert ?? null) === (link.crisisAlert ?? null);
  if (existing && first && (first.memberState ?? null) === memberState && sameLink(first) && sameContent(contentOf(first), content)) return existing;
  throw conflict(`A targeting rule ${reference} already exists with other content; change it with changeTargetingRule`, { reference });
}

export async function changeRule(models: RiskModels, input: Input, caller: Caller, now = new Date()): Promise<RuleDoc> {
  const existing = await requireRule(models, input.reference);
  requireRuleWritable(caller, existing);
  const revision = requireNumber('revision', input.revision, { min: 1, integer: true });
  const current = contentOf(existing);
  const changed = withChange(current, input);
  // A retried change finds its work done: nothing to change, whatever revision it names.
  if (sameContent(changed, current)) return existing;
  if (revision < existing.revision && (await madeRevision(models, existing._id, revision, input))) return existing;
  if (existing.status === 'RETIRED')
    throw invalidTransition(`Targeting rule ${existing._id} is retired; create a new rule instead`, { reference: existing._id });
  const { reference: _reference, ...rest } = changed;
  return commitRevision(models, existing, revision, { ...existing, ...rest }, caller, now);
}

function withChange(content: RuleContent, input: Input): RuleContent {
  const given = (field: string) => input[field] !== undefined && input[field] !== null;
  return validateRuleContent({
    ...content,
    ...(given('description') && { description: input.description }),
    ...(given('criteria') && { criteria: input.criteria }),
    ...(given('weight') && { weight: input.weight }),
    ...(input.minimumLane !== undefined && { minimumLane: input.minimumLane }),
    ...(given('validFrom') && { validFrom: input.validFrom }),
    ...(input.validUntil !== undefined && { validUntil: input.validUntil }),
  });
}

/**
 * Whether this change, made on `revision`, is what the next revision holds: then it is a replay of
 * a change applied before others followed it, and is answered with the rule as it now stands
 * rather than a CONFLICT that would have its caller redo it on top of theirs.
 */
async function madeRevision(models: RiskModels, reference: string, revision: number, input: Input): Promise<boolean> {
  const [base, next] = await Promise.all([
    findById(models.ruleRevisions, revisionId(reference, revision)),
    findById(models.ruleRevisions, revisionId(reference, revision + 1)),
  ]);
  if (!base || !next || next.rule.status !== base.rule.status) return false;
  return sameContent(withChange(contentOf(base.rule), input), contentOf(next.rule));
}

export async function retireRule(models: RiskModels, reference: unknown, revisionInput: unknown, caller: Caller, now = new Date()): Promise<RuleDoc> {
  const existing = await requireRule(models, reference);
  requireRuleWritable(caller, existing);
  if (existing.status === 'RETIRED') return existing;
  const revision = requireNumber('revision', revisionInput, { min: 1, integer: true });
  const at = now.toISOString();
  return commitRevision(models, existing, revision, { ...existing, status: 'RETIRED', retiredBy: caller.id, retiredAt: at }, caller, now);
}

async function commitRevision(models: RiskModels, existing: RuleDoc, revision: number, next: RuleDoc, caller: Caller, now: Date): Promise<RuleDoc> {
  const stale = (current: RuleDoc) =>
    conflict(`Targeting rule ${current._id} is at revision ${current.revision}, not ${revision}: read it again and redo the change`, {
      reference: current._id,
      revision: current.revision,
    });
  if (revision !== existing.revision) throw stale(existing);
  const at = now.toISOString();
  const rule: RuleDoc = { ...next, revision: revision + 1, changedBy: caller.id, changedAt: at };
  // The revision document carries the new rule: whoever finds it written but not applied applies it.
  if (!(await insertOnce(models.ruleRevisions, { _id: revisionId(existing._id, revision + 1), at, by: caller.id, rule }))) {
    throw stale(await rollForward(models, existing._id, existing));
  }
  await replaceById(models.rules.collection, rule._id, rule);
  return rule;
}

/**
 * The rule as its latest revision document says, written to the rules when the writer of that
 * revision died before applying it (or is applying it right now: the same write, twice).
 */
async function rollForward<T extends RuleDoc | null>(models: RiskModels, reference: string, known: T): Promise<RuleDoc | T> {
  let rule: RuleDoc | T = known;
  for (;;) {
    const next = await findById(models.ruleRevisions, revisionId(reference, (rule?.revision ?? 0) + 1));
    if (!next) return rule;
    await replaceById(models.rules.collection, reference, next.rule);
    rule = next.rule;
  }
}

/** The rule with every revision taken applied: a change whose writer died half-way counts as made. */
async function currentRule(models: RiskModels, reference: string): Promise<RuleDoc | null> {
  return rollForward(models, reference, await findById(models.rules, reference));
}

const revisionId = (reference: string, revision: number) => `${reference}#${revision}`;

async function requireRule(models: RiskModels, reference: unknown): Promise<RuleDoc> {
  const key = String(reference ?? '');
  const rule = await currentRule(models, key);
  if (!rule) throw notFound('targeting rule', key);
  return rule;
}
