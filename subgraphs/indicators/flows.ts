// Trade flows (HS6 × origin) over a period: mass and value from the flow aggregates of the
// period (one command), and, for the flows of the page only, the fair-price band from their own
// items (a second command): Tukey's fences on the log of the items' unit values, as the risk
// subgraph's bands are, with the items outside them listed.
import type { Caller } from '../kit/auth/roles';
import { commandLimits } from '../kit/database-deadline';
import { badUserInput } from '../kit/errors';
import { decodeCursor, encodeCursor, pageSize, type Connection } from '../kit/pagination';
import type { PeriodInput, TradeFlow, TradeFlowOutlier } from './__generated__/resolvers-types';
import { addCounters, type Counters } from './contribution';
import { checkMemberState, checkPeriod, ONE_BATCH, visibleStates } from './indicators';
import type { FlowAggregateDoc, FlowItemDoc, IndicatorsModels } from './models';

/** A band needs this many items with mass and value. */
export const MIN_BAND_ITEMS = 4;
export const MAX_OUTLIERS = 100;

export interface TradeFlowQuery {
  period: PeriodInput;
  memberState?: string | null;
  commodityCode?: string | null;
  origin?: string | null;
  first?: number | null;
  after?: string | null;
}

const NONE: Connection<TradeFlow> = { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }, totalCount: 0 };

export async function tradeFlows(models: IndicatorsModels, caller: Caller, args: TradeFlowQuery): Promise<Connection<TradeFlow>> {
  const period = checkPeriod(args.period);
  const asked = checkMemberState('memberState', args.memberState);
  const origin = checkMemberState('origin', args.origin);
  const prefix = args.commodityCode ?? undefined;
  if (prefix !== undefined && !/^\d{2,6}$/.test(prefix)) throw badUserInput('commodityCode', `must be an HS6 or its first 2 to 5 digits, not "${prefix}"`);
  const limit = pageSize(args.first);
  const after = args.after ? decodeCursor(args.after, 2) : undefined;
  const visible = visibleStates(caller);
  // A caller scoped to one Member State sees its flows only; another Member State's are as if there were none.
  if (visible === undefined || (visible !== null && asked !== undefined && asked !== visible)) return NONE;
  const memberState = visible ?? asked;

  const filter: Record<string, unknown> = { month: { $gte: period.from, $lte: period.until } };
  if (memberState) filter.memberState = memberState;
  const aggregates = await models.flows.collection.find<FlowAggregateDoc>(filter, { ...commandLimits(), batchSize: ONE_BATCH }).toArray();
  const totals = new Map<string, Counters>();
  for (const doc of aggregates) {
    const [hs6, from] = doc.flow.split('|') as [string, string];
    if ((prefix && !hs6.startsWith(prefix)) || (origin && from !== origin)) continue;
    totals.set(doc.flow, addCounters(totals.get(doc.flow) ?? {}, doc.counters));
  }
  // Largest value first, ties by flow: the cursor is (value in cents, flow).
  const ordered = [...totals.entries()]
    .filter(([, counters]) => (counters.items ?? 0) > 0)
    .map(([flow, counters]) => ({ flow, counters, value: counters.valueCents ?? 0 }))
    .sort((a, b) => b.value - a.value || a.flow.localeCompare(b.flow));
  const start = after ? ordered.findIndex((entry) => entry.value < Number(after[0]) || (entry.value === Number(after[0]) && entry.flow > String(after[1]))) : 0;
  const from = start === -1 ? ordered.length : start;
  const page = ordered.slice(from, from + limit);

  const items =
    page.length === 0
      ? []
      : await models.flowItems.collection
          .find<FlowItemDoc>(
            { flow: { $in: page.map((entry) => entry.flow) }, month: { $gte: period.from, $lte: period.until } },
            { ...commandLimits(), batchSize: ONE_BATCH },
          )
          .toArray();
  const itemsOf = new Map<string, FlowItemDoc[]>();
  for (const item of items) {
    if (!item.live || (memberState && item.memberState !== memberState)) continue;
    itemsOf.set(item.flow, [...(itemsOf.get(item.flow) ?? []), item]);
  }

  const edges = page.map(({ flow, counters, value }) => ({ node: tradeFlow(flow, counters, itemsOf.get(flow) ?? []), cursor: encodeCursor([value, flow]) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: from + limit < ordered.length,
      hasPreviousPage: from > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: ordered.length,
  };
}

export function tradeFlow(flow: string, counters: Counters, items: readonly FlowItemDoc[]): TradeFlow {
  const [commodityCode, origin] = flow.split('|') as [string, string];
  const mass = (counters.massGrams ?? 0) / 1000;
  const value = (counters.valueCents ?? 0) / 100;
  const priced = items.filter((item) => item.massGrams > 0);
  const band = fairPriceBand(priced.filter((item) => item.valueCents > 0).map(unitValueOf));
  const outliers: (TradeFlowOutlier & { distance: number })[] = [];
  if (band) {
    for (const item of priced) {
      const unitValue = unitValueOf(item);
      if (unitValue >= band.low && unitValue <= band.high) continue;
      const distance = unitValue <= 0 ? Infinity : Math.abs(Math.log(unitValue) - Math.log(unitValue < band.low ? band.low : band.high));
      outliers.push({ mrn: item.mrn, itemNumber: item.itemNumber, unitValue, distance });
    }
  }
  outliers.sort((a, b) => b.distance - a.distance || a.mrn.localeCompare(b.mrn) || a.itemNumber - b.itemNumber);
  return {
    commodityCode,
    origin,
    netMass: mass,
    statisticalValue: value,
    items: counters.items ?? 0,
    unitValue: mass > 0 ? value / mass : null,
    band,
    outliers: outliers.slice(0, MAX_OUTLIERS).map(({ mrn, itemNumber, unitValue }) => ({ mrn, itemNumber, unitValue })),
  };
}

/** Euro per kilogram. */
export const unitValueOf = (item: Pick<FlowItemDoc, 'massGrams' | 'valueCents'>) => item.valueCents / 100 / (item.massGrams / 1000);

/** Tukey's fences (1.5 × IQR) on the log of positive unit values, quartiles by linear interpolation; null below MIN_BAND_ITEMS values. */
export function fairPriceBand(unitValues: readonly number[]): { low: number; high: number } | null {
  const logs = unitValues
    .filter((value) => value > 0)
    .map(Math.log)
    .sort((a, b) => a - b);
  if (logs.length < MIN_BAND_ITEMS) return null;
  const quantile = (q: number) => {
    const position = (logs.length - 1) * q;
    const below = Math.floor(position);
    const above = Math.min(below + 1, logs.length - 1);
    return logs[below]! + (logs[above]! - logs[below]!) * (position - below);
  };
  const q1 = quantile(0.25);
  const q3 = quantile(0.75);
  const spread = 1.5 * (q3 - q1);
  return { low: Math.exp(q1 - spread), high: Math.exp(q3 + spread) };
}
