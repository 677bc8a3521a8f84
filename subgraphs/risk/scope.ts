// Which assessments and targeting rules a caller may see and change (kit/auth/rows.ts). An
// assessment belongs to the Member State of its filing's office; a rule to one Member State, or,
// with no memberState, to the whole EU.
import { describeCaller, filingFilter, filingReach, forbidden, memberStateOf, noRows, seesAllRows } from '../kit/auth/rows';
import type { Caller } from '../kit/auth/roles';
import type { RuleDoc } from './rules';

type Filter = Record<string, unknown>;

/**
 * Officers and analysts see the assessments of their Member State's filings; the Commission and
 * the service all; anyone else none. Assessments record no operators, so an AEO auditor sees none.
 */
export function assessmentFilter(caller: Caller): Filter {
  const reach = filingReach(caller);
  return reach.kind === 'operator' ? noRows() : filingFilter(reach, { memberState: 'memberState' });
}

/** The Member State whose assessments the caller sees: null for all of them, undefined for none. */
export function assessmentState(caller: Caller): string | null | undefined {
  const reach = filingReach(caller);
  if (reach.kind === 'all') return null;
  return reach.kind === 'office' ? reach.memberState : undefined;
}

/** Officers and analysts read their Member State's rules and the EU-wide ones; the Commission and the service every rule. */
export function ruleFilter(caller: Caller): Filter {
  if (seesAllRows(caller)) return {};
  const reach = filingReach(caller);
  // Every stored rule has memberState, null when EU-wide (backfilled at start, models.ts).
  return reach.kind === 'office' ? { memberState: { $in: [reach.memberState, null] } } : noRows();
}

/** The Member State a caller's new rules are for: an analyst's own, or null (EU-wide) for the Commission and the service. */
export function ruleStateOf(caller: Caller): string | null {
  return seesAllRows(caller) ? null : (caller.memberState ?? null);
}

/** Analysts change only their own Member State's rules; the Commission only EU-wide ones; the service any. */
export function requireRuleWritable(caller: Caller, rule: Pick<RuleDoc, '_id' | 'memberState'>): void {
  if (caller.role === 'service') return;
  const ruleState = rule.memberState ?? null;
  const callerState = ruleStateOf(caller);
  const writes = seesAllRows(caller) || filingReach(caller).kind === 'office';
  if (writes && ruleState === callerState) return;
  const whose = ruleState ? `${ruleState}'s` : 'EU-wide';
  const mine = callerState ? `only ${callerState}'s rules` : 'only EU-wide rules';
  throw forbidden(`the targeting rule ${rule._id} is ${whose}; ${describeCaller(caller)} may change ${writes ? mine : 'no rules'}`, {
    reference: rule._id,
    memberState: ruleState,
  });
}

/**
 * Screening writes assessments: an analyst screens only its own Member State's filings. Those of
 * other Member States are none of its business: screen reports them as it reports unknown MRNs.
 */
export function screenableBy(caller: Caller): (filing: { office: string }) => boolean {
  if (seesAllRows(caller)) return () => true;
  const state = assessmentState(caller);
  return (filing) => state !== undefined && memberStateOf(filing.office) === state;
}
