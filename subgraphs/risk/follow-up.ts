// The follow-up of shared risk information: per receiving Member State, what it did with the
// RIFs and crisis alerts of a period (acknowledged, acted on, rules made, days to act) and what
// the controls of the filings its rules selected found (hits, confirmed hits, from ruleHits).
import type { Caller } from '../kit/auth/roles';
import { describeCaller, filingReach, forbidden, seesAllRows } from '../kit/auth/rows';
import { findByField } from '../kit/batching';
import { EU_MEMBER_STATES } from '../kit/countries';
import { badUserInput } from '../kit/errors';
import { requireDate } from '../kit/input';
import type { HitCounts } from './loaders';
import type { RiskModels, RuleHitDoc } from './models';
import { daysBetween, type RiskInformationResponseDoc } from './risk-information';

export interface RifFollowUpSummary {
  memberState: string;
  received: number;
  acknowledged: number;
  actedOn: number;
  rulesCreated: number;
  medianDaysToAct: number | null;
  hits: number;
  confirmedHits: number;
}

/** Anything but UNDER_ASSESSMENT is acting on it. */
export const actedOn = (response: Pick<RiskInformationResponseDoc, 'action'>) => response.action !== null && response.action !== 'UNDER_ASSESSMENT';

export const daysToAct = (response: RiskInformationResponseDoc): number | null =>
  response.actionDate && actedOn(response) ? daysBetween(response.publishedOn, response.actionDate) : null;

export const daysToAcknowledge = (response: RiskInformationResponseDoc): number | null =>
  response.acknowledgedAt ? Math.max(0, daysBetween(response.publishedOn, response.acknowledgedAt.slice(0, 10))) : null;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Hit counts of these rules, from one read of their hits. */
export async function hitCounts(models: RiskModels, rules: readonly string[]): Promise<Map<string, HitCounts>> {
  const counts = new Map(rules.map((rule) => [rule, { hits: 0, confirmedHits: 0 }]));
  for (const hit of await findByField<RuleHitDoc>(models.ruleHits, 'rule', [...new Set(rules)])) {
    const count = counts.get(hit.rule);
    if (!count) continue;
    count.hits += 1;
    if (hit.confirmed) count.confirmedHits += 1;
  }
  return counts;
}

export function sumHits(rules: readonly string[], counts: ReadonlyMap<string, HitCounts>): HitCounts {
  let hits = 0;
  let confirmedHits = 0;
  for (const rule of new Set(rules)) {
    hits += counts.get(rule)?.hits ?? 0;
    confirmedHits += counts.get(rule)?.confirmedHits ?? 0;
  }
  return { hits, confirmedHits };
}

/** The Member State rows a caller may read: an analyst its own; the Commission and the service any. */
function stateOfQuery(caller: Caller, asked: string | null | undefined): string | null {
  if (asked !== undefined && asked !== null && !EU_MEMBER_STATES.includes(asked))
    throw badUserInput('memberState', `must be an EU Member State code (two capital letters, GR for Greece), not ${JSON.stringify(asked)}`);
  if (seesAllRows(caller)) return asked ?? null;
  const reach = filingReach(caller);
  if (reach.kind !== 'office') throw forbidden(`${describeCaller(caller)} follows up no Member State's risk information`, { field: 'riskInformationFollowUp' });
  if (asked && asked !== reach.memberState)
    throw forbidden(`${describeCaller(caller)} reads only ${reach.memberState}'s follow-up, not ${asked}'s`, { memberState: asked });
  return reach.memberState;
}

export async function followUpSummaries(
  models: RiskModels,
  caller: Caller,
  args: { from: unknown; until: unknown; memberState?: string | null },
): Promise<RifFollowUpSummary[]> {
  const from = requireDate('from', args.from);
  const until = requireDate('until', args.until);
  if (until < from) throw badUserInput('until', `must not be before from (${from})`);
  const state = stateOfQuery(caller, args.memberState);
  const responses = await models.riskInformationResponses
    .find({ publishedOn: { $gte: from, $lte: until }, ...(state ? { memberState: state } : {}) })
    .lean<RiskInformationResponseDoc[]>()
    .exec();
  const counts = await hitCounts(
    models,
    responses.flatMap((response) => response.rules),
  );
  const byState = new Map<string, RiskInformationResponseDoc[]>();
  for (const response of responses) byState.set(response.memberState, [...(byState.get(response.memberState) ?? []), response]);
  if (state && !byState.has(state)) byState.set(state, []);
  return [...byState.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([memberState, rows]) => ({
      memberState,
      received: rows.length,
      acknowledged: rows.filter((row) => row.acknowledgedAt !== null).length,
      actedOn: rows.filter(actedOn).length,
      rulesCreated: rows.reduce((sum, row) => sum + row.rules.length, 0),
      medianDaysToAct: median(rows.flatMap((row) => daysToAct(row) ?? [])),
      ...sumHits(
        rows.flatMap((row) => row.rules),
        counts,
      ),
    }));
}
