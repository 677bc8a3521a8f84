// What one declaration adds to the indicators, from its current state in the graph, and the
// counters it adds to its month × office aggregate and to its items' flow aggregates. The
// follower subtracts a declaration's stored contribution and adds its new one, so applying the
// same state twice changes nothing. Money is kept in cents and mass in grams, whole numbers, so
// that subtracting a contribution gives back exactly what adding it took.
import { memberStateOf } from '../kit/auth/rows';

export const LANES = ['GREEN', 'YELLOW', 'RED'] as const;
export const NOT_ASSESSED = 'NOT_ASSESSED';
export const SELECTION_REASONS = ['RULE', 'PROFILE', 'RANDOM', 'RISK_INFORMATION_FORM', 'CRISIS_ALERT'] as const;

/** A declaration as the follower reads it through the gateway (INDICATOR_DECLARATION). */
export interface DeclarationFacts {
  mrn: string;
  acceptanceDate: string;
  officeOfPresentation: string;
  importer: OperatorFacts | null;
  declarant: OperatorFacts | null;
  items: {
    itemNumber: number;
    commodityCode: string;
    originCountry: string;
    netMass: number;
    statisticalValue: { amount: number; currency: string } | null;
  }[];
  controlResults: { outcome: string; revenueRaised: { amount: number; currency: string } | null }[];
  riskAssessment: { lane: string; selectionReasons: string[] } | null;
}

interface OperatorFacts {
  eori: string;
  aeoAuthorisations: { status: string }[] | null;
}

export interface ItemContribution {
  itemNumber: number;
  hs6: string;
  origin: string;
  massGrams: number;
  valueCents: number;
}

/** One declaration's part in the indicators: stored per MRN, so a later state can take its place. */
export interface ContributionDoc {
  _id: string;
  month: string;
  memberState: string;
  office: string;
  valueCents: number;
  aeo: boolean;
  /** The current assessment's lane; null before screening. */
  lane: string | null;
  selectionReasons: string[];
  controlled: boolean;
  irregular: boolean;
  revenueCents: number;
  items: ItemContribution[];
}

export const cents = (amount: number | null | undefined) => Math.round((amount ?? 0) * 100);
export const grams = (kilograms: number) => Math.round(kilograms * 1000);

/** Holds a valid AEO authorisation of any type. */
function isAeo(operator: OperatorFacts | null): boolean {
  return (operator?.aeoAuthorisations ?? []).some((authorisation) => authorisation.status === 'VALID');
}

export function contributionOf(facts: DeclarationFacts): ContributionDoc {
  return {
    _id: facts.mrn,
    month: facts.acceptanceDate.slice(0, 7),
    memberState: memberStateOf(facts.officeOfPresentation),
    office: facts.officeOfPresentation,
    valueCents: facts.items.reduce((sum, item) => sum + cents(item.statisticalValue?.amount), 0),
    aeo: isAeo(facts.importer) || isAeo(facts.declarant),
    lane: facts.riskAssessment?.lane ?? null,
    selectionReasons: facts.riskAssessment?.selectionReasons ?? [],
    controlled: facts.controlResults.length > 0,
    irregular: facts.controlResults.some((result) => result.outcome === 'IRREGULARITY_FOUND'),
    revenueCents: facts.controlResults.reduce((sum, result) => sum + cents(result.revenueRaised?.amount), 0),
    items: facts.items.map((item) => ({
      itemNumber: item.itemNumber,
      hs6: item.commodityCode.slice(0, 6),
      origin: item.originCountry,
      massGrams: grams(item.netMass),
      valueCents: cents(item.statisticalValue?.amount),
    })),
  };
}

export type Counters = Record<string, number>;

/** The month × office aggregate a contribution belongs to. */
export const monthKey = (c: Pick<ContributionDoc, 'month' | 'office'>) => `${c.month}|${c.office}`;
/** The HS6 × origin × Member State × month aggregate an item belongs to. */
export const flowMonthKey = (month: string, memberState: string, flow: string) => `${month}|${memberState}|${flow}`;
export const flowOf = (item: Pick<ItemContribution, 'hs6' | 'origin'>) => `${item.hs6}|${item.origin}`;

/**
 * The counters a declaration adds to its month × office aggregate. Keys (no dots: the engine
 * takes none): declarations, goodsItems, valueCents, assessed, lane_<LANE>, controls, irregular,
 * revenueCents, aeo, aeoControlled, nonAeoControlled, controls_<LANE>, irregular_<LANE>,
 * controls_<REASON>, irregular_<REASON>.
 */
export function monthCounters(c: ContributionDoc): Counters {
  const counters: Counters = { declarations: 1, goodsItems: c.items.length, valueCents: c.valueCents, revenueCents: c.revenueCents };
  if (c.lane) {
    counters.assessed = 1;
    counters[`lane_${c.lane}`] = 1;
  }
  if (c.aeo) counters.aeo = 1;
  if (c.controlled) {
    counters.controls = 1;
    counters[c.aeo ? 'aeoControlled' : 'nonAeoControlled'] = 1;
    counters[`controls_${c.lane ?? NOT_ASSESSED}`] = 1;
    for (const reason of c.selectionReasons) counters[`controls_${reason}`] = 1;
    if (c.irregular) {
      counters.irregular = 1;
      counters[`irregular_${c.lane ?? NOT_ASSESSED}`] = 1;
      for (const reason of c.selectionReasons) counters[`irregular_${reason}`] = 1;
    }
  }
  return counters;
}

/** The counters a declaration adds to each flow aggregate its items fall in, by flow-month key. */
export function flowCounters(c: ContributionDoc): Map<string, Counters> {
  const flows = new Map<string, Counters>();
  for (const item of c.items) {
    const key = flowMonthKey(c.month, c.memberState, flowOf(item));
    const counters = flows.get(key) ?? { items: 0, massGrams: 0, valueCents: 0 };
    counters.items! += 1;
    counters.massGrams! += item.massGrams;
    counters.valueCents! += item.valueCents;
    flows.set(key, counters);
  }
  return flows;
}

/** Adds `counters` times `sign` into `into`. */
export function addCounters(into: Counters, counters: Counters, sign: 1 | -1 = 1): Counters {
  for (const [key, value] of Object.entries(counters)) into[key] = (into[key] ?? 0) + sign * value;
  return into;
}

/** The same contribution, whatever order its fields were stored in. */
export function sameContribution(a: ContributionDoc | null | undefined, b: ContributionDoc | null | undefined): boolean {
  if (!a || !b) return a === b;
  return canonical(a) === canonical(b);
}

function canonical(c: ContributionDoc): string {
  return JSON.stringify([
    c.month,
    c.memberState,
    c.office,
    c.valueCents,
    c.aeo,
    c.lane,
    c.selectionReasons,
    c.controlled,
    c.irregular,
    c.revenueCents,
    c.items.map((item) => [item.itemNumber, item.hs6, item.origin, item.massGrams, item.valueCents]),
  ]);
}
