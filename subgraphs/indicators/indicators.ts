// Reading the indicators: the month × office aggregates of the period, in one database command,
// summed here into quarters, years, Member States and the EU total (a few hundred small
// documents at most), with the caller's rows only.
import { filingReach } from '../kit/auth/rows';
import type { Caller } from '../kit/auth/roles';
import { badUserInput } from '../kit/errors';
import { commandLimits } from '../kit/database-deadline';
import type { DetectionRate, Granularity, IndicatorRow, PeriodInput } from './__generated__/resolvers-types';
import { addCounters, LANES, NOT_ASSESSED, SELECTION_REASONS, type Counters } from './contribution';
import type { IndicatorsModels, MonthAggregateDoc } from './models';

export const EU = 'EU';
/** Documents a read asks the engine for at once: all of them, in one round trip rather than a getMore per 101. */
export const ONE_BATCH = 100_000;
/** The longest period one request may span. */
const MAX_MONTHS = 12 * 25;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const MEMBER_STATE = /^[A-Z]{2}$/;
const OFFICE = /^[A-Z]{2}[A-Z0-9]{6}$/;

export interface Period {
  from: string;
  until: string;
}

export function checkPeriod(period: PeriodInput): Period {
  for (const field of ['from', 'until'] as const) {
    if (!MONTH.test(period[field])) throw badUserInput(`period.${field}`, `must be a month YYYY-MM, not "${period[field]}"`);
  }
  if (period.from > period.until) throw badUserInput('period.until', `must not be before period.from (${period.from})`);
  if (monthIndex(period.until) - monthIndex(period.from) >= MAX_MONTHS) throw badUserInput('period', `may span ${MAX_MONTHS} months at most`);
  return { from: period.from, until: period.until };
}

export function checkMemberState(field: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!MEMBER_STATE.test(value)) throw badUserInput(field, `must be an ISO 3166 alpha-2 code in capitals, not "${value}"`);
  return value;
}

function checkOffice(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!OFFICE.test(value)) throw badUserInput('office', `must be a customs office reference such as NL000396, not "${value}"`);
  return value;
}

const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;

/** The Member States whose rows the caller sees: all of them (null), or one; EU totals are everyone's. */
export function visibleStates(caller: Caller): string | null | undefined {
  const reach = filingReach(caller);
  if (reach.kind === 'all') return null;
  return reach.kind === 'office' ? reach.memberState : undefined;
}

export function periodOf(month: string, granularity: Granularity): string {
  if (granularity === 'YEAR') return month.slice(0, 4);
  if (granularity === 'QUARTER') return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
  return month;
}

export interface IndicatorQuery {
  period: PeriodInput;
  memberState?: string | null;
  office?: string | null;
  granularity?: Granularity | null;
}

export async function performanceIndicators(models: IndicatorsModels, caller: Caller, args: IndicatorQuery): Promise<IndicatorRow[]> {
  const period = checkPeriod(args.period);
  const memberState = checkMemberState('memberState', args.memberState);
  const office = checkOffice(args.office);
  const granularity = args.granularity ?? 'MONTH';
  const visible = visibleStates(caller);
  const months = await models.months.collection
    .find<MonthAggregateDoc>({ month: { $gte: period.from, $lte: period.until } }, { ...commandLimits(), batchSize: ONE_BATCH })
    .toArray();

  const sums = new Map<string, { period: string; memberState: string; office: string | null; counters: Counters }>();
  const add = (periodKey: string, state: string, rowOffice: string | null, counters: Counters) => {
    const key = `${periodKey}|${state}|${rowOffice ?? ''}`;
    const sum = sums.get(key) ?? { period: periodKey, memberState: state, office: rowOffice, counters: {} };
    addCounters(sum.counters, counters);
    sums.set(key, sum);
  };
  const mayRead = (state: string) => visible === null || visible === state;
  for (const doc of months) {
    const periodKey = periodOf(doc.month, granularity);
    add(periodKey, EU, null, doc.counters);
    if (!mayRead(doc.memberState)) continue;
    if (office) {
      if (doc.office === office) add(periodKey, doc.memberState, doc.office, doc.counters);
      continue;
    }
    if (memberState && doc.memberState !== memberState) continue;
    add(periodKey, doc.memberState, null, doc.counters);
    if (memberState) add(periodKey, doc.memberState, doc.office, doc.counters);
  }
  return [...sums.values()]
    .filter((sum) => (sum.counters.declarations ?? 0) > 0)
    .sort(
      (a, b) =>
        a.period.localeCompare(b.period) ||
        Number(a.memberState === EU) - Number(b.memberState === EU) ||
        a.memberState.localeCompare(b.memberState) ||
        (a.office ?? '').localeCompare(b.office ?? ''),
    )
    .map((sum) => indicatorRow(sum.period, sum.memberState, sum.office, sum.counters));
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** A row from summed counters (contribution.ts names them). */
export function indicatorRow(period: string, memberState: string, office: string | null, c: Counters): IndicatorRow {
  const n = (key: string) => c[key] ?? 0;
  const assessed = n('assessed');
  const detection = (key: string): DetectionRate => ({
    key,
    controls: n(`controls_${key}`),
    irregular: n(`irregular_${key}`),
    rate: rate(n(`irregular_${key}`), n(`controls_${key}`)),
  });
  const declarations = n('declarations');
  const aeo = n('aeo');
  return {
    period,
    memberState,
    office,
    declarations,
    goodsItems: n('goodsItems'),
    statisticalValue: n('valueCents') / 100,
    lanes: {
      green: rate(n('lane_GREEN'), assessed) ?? 0,
      yellow: rate(n('lane_YELLOW'), assessed) ?? 0,
      red: rate(n('lane_RED'), assessed) ?? 0,
      assessed,
    },
    controls: n('controls'),
    irregular: n('irregular'),
    detectionRate: rate(n('irregular'), n('controls')),
    detectionByLane: [...LANES.map(detection), ...(n(`controls_${NOT_ASSESSED}`) > 0 ? [detection(NOT_ASSESSED)] : [])],
    detectionBySelectionReason: SELECTION_REASONS.map(detection),
    revenueAtStake: n('revenueCents') / 100,
    aeoShare: rate(aeo, declarations),
    aeoControlRate: rate(n('aeoControlled'), aeo),
    nonAeoControlRate: rate(n('nonAeoControlled'), declarations - aeo),
  };
}
