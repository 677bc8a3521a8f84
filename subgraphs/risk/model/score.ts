/**
 * Scoring: a filing's risk as a logistic model over its goods items' terms, with the reasons.
 *
 * An item's logit is the intercept plus one weight per term: a profile term weighs how far the
 * item's key in a dimension (its importer, its commodity from its origin, ...) moves the odds; the
 * price terms weigh how far its value per kg lies from the fair-price band. The weights ARE the
 * explanation: they sum, with the intercept, to the logit. A filing scores as its riskiest item.
 */
import type { FilingFeatures, ItemFeatures } from './features';
import { bandFor, undervaluation, valuePerKg, type Band, type FairPriceModel } from './fair-price';
import { createKeyReader, dimension, encode, sigmoid, smoothedRate, type Counts, type Dimension } from './profiles';
import type { LearnedModel } from './train';

/** The price terms, in vector order after the profile dimensions. */
export const PRICE_TERMS = ['fairPriceUnder', 'fairPriceBelowFence', 'fairPriceOver', 'fairPriceAboveFence', 'zeroNetMass', 'zeroValue'] as const;
export type PriceTerm = (typeof PRICE_TERMS)[number];

/** Log ratios beyond this many e-folds (about 150×) say nothing more, and a typo must not dominate. */
export const LOG_RATIO_CLIP = 5;

const PRICE_CODES: Record<PriceTerm, string> = {
  fairPriceUnder: 'FAIR_PRICE_UNDERVALUED',
  fairPriceBelowFence: 'FAIR_PRICE_UNDERVALUED',
  fairPriceOver: 'FAIR_PRICE_OVERVALUED',
  fairPriceAboveFence: 'FAIR_PRICE_OVERVALUED',
  zeroNetMass: 'ZERO_NET_MASS',
  zeroValue: 'ZERO_VALUE',
};

export interface PriceFacts {
  band: Band | null;
  perKg: number | null;
  /** Aligned with PRICE_TERMS. */
  values: number[];
}

/** The price terms of an item: its position against its fair-price band, and zero-value flags. */
export function priceFacts(fairPrice: FairPriceModel, item: ItemFeatures): PriceFacts {
  const perKg = valuePerKg(item);
  const band = perKg === null ? null : bandFor(fairPrice, item.commodityCode, item.originCountry);
  const values = [0, 0, 0, 0, item.netMass === 0 ? 1 : 0, item.valueEur === 0 ? 1 : 0];
  if (band && perKg !== null) {
    const u = undervaluation(band, perKg);
    const ratio = Math.max(-LOG_RATIO_CLIP, Math.min(LOG_RATIO_CLIP, u.logRatio));
    values[0] = Math.max(0, -ratio);
    values[1] = u.belowFence ? 1 : 0;
    values[2] = Math.max(0, ratio);
    values[3] = u.aboveFence ? 1 : 0;
  }
  return { band, perKg, values };
}

export interface Contribution {
  code: string;
  /** The profile dimension (importer_hs6, ...) or "fairPrice" / "netMass" / "value". */
  dimension: string;
  key: string;
  /** Logit contribution. */
  weight: number;
  evidence: string;
}

export interface FilingScore {
  probability: number;
  logit: number;
  /** The item number of the riskiest item, whose terms the contributions explain. */
  item: number;
  intercept: number;
  /** Non-zero contributions, largest |weight| first; with the intercept they sum to the logit. */
  contributions: Contribution[];
}

export interface Scorer {
  score(features: FilingFeatures): FilingScore;
  /** The riskiest item's logit only: no contributions, for ranking many filings. */
  logit(features: FilingFeatures): number;
}

interface ProfileTable {
  dimension: Dimension;
  coefficient: number;
  counts: Record<string, Counts>;
  /** Encoding per key, computed once. */
  encodings: Map<string, number>;
}

/** A scorer for one model: encodings are computed once, a score is a few map lookups. */
export function createScorer(model: LearnedModel): Scorer {
  const { baseRate, priorStrength } = model;
  // A dimension the regression gave no weight contributes nothing: it is not even read.
  const profiles: ProfileTable[] = model.dimensions
    .filter((name) => (model.coefficients[name] ?? 0) !== 0)
    .map((name) => {
      const counts = model.counts[name] ?? {};
      const encodings = new Map<string, number>();
      for (const [key, c] of Object.entries(counts)) encodings.set(key, encode(c, baseRate, priorStrength));
      return { dimension: dimension(name), coefficient: model.coefficients[name] ?? 0, counts, encodings };
    });
  const priceCoefficients = PRICE_TERMS.map((term) => model.coefficients[term] ?? 0);
  const readKeys = createKeyReader(profiles.map((p) => p.dimension));

  function itemLogit(filing: FilingFeatures, item: ItemFeatures): number {
    let z = model.intercept;
    const keys = readKeys(filing, item);
    for (let j = 0; j < profiles.length; j++) {
      const key = keys[j];
      if (key === null || key === undefined) continue;
      const p = profiles[j] as ProfileTable;
      z += p.coefficient * (p.encodings.get(key) ?? 0);
    }
    const { values } = priceFacts(model.fairPrice, item);
    for (let t = 0; t < values.length; t++) z += (priceCoefficients[t] as number) * (values[t] as number);
    return z;
  }

  function riskiest(filing: FilingFeatures): { item: ItemFeatures | undefined; z: number } {
    let best: ItemFeatures | undefined;
    let bestZ = -Infinity;
    for (const item of filing.items) {
      const z = itemLogit(filing, item);
      if (z > bestZ) {
        bestZ = z;
        best = item;
      }
    }
    // A filing without items is scored on its filing-level facts alone (no price terms).
    return best ? { item: best, z: bestZ } : { item: undefined, z: itemLogit(filing, EMPTY_ITEM) };
  }

  function explain(filing: FilingFeatures, item: ItemFeatures): Contribution[] {
    const out: Contribution[] = [];
    const keys = readKeys(filing, item);
    for (let j = 0; j < profiles.length; j++) {
      const key = keys[j];
      const p = profiles[j] as ProfileTable;
      if (key === null || key === undefined) continue;
      const weight = p.coefficient * (p.encodings.get(key) ?? 0);
      if (weight === 0) continue;
      out.push({
        code: p.dimension.code,
        dimension: p.dimension.name,
        key,
        weight,
        evidence: profileEvidence(p.dimension.name, key, p.counts[key], baseRate, priorStrength),
      });
    }
    out.push(...priceContributions(priceFacts(model.fairPrice, item), priceCoefficients));
    return out.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  }

  return {
    logit: (filing) => riskiest(filing).z,
    score(filing) {
      const { item, z } = riskiest(filing);
      return {
        probability: sigmoid(z),
        logit: z,
        item: item?.itemNumber ?? 0,
        intercept: model.intercept,
        contributions: explain(filing, item ?? EMPTY_ITEM),
      };
    },
  };
}

/** Scorers of the models scoreFiling has seen (a model is never changed, mergeCounts copies it). */
const scorers = new WeakMap<LearnedModel, Scorer>();

/** Scores one filing; the model's scorer is built on the first call and kept. */
export function scoreFiling(model: LearnedModel, features: FilingFeatures): FilingScore {
  let scorer = scorers.get(model);
  if (!scorer) {
    scorer = createScorer(model);
    scorers.set(model, scorer);
  }
  return scorer.score(features);
}

const EMPTY_ITEM: ItemFeatures = {
  itemNumber: 0,
  commodityCode: null,
  originCountry: null,
  netMass: null,
  grossMass: null,
  valueEur: null,
  licenceOutcomes: [],
};

const pct = (p: number) => p.toFixed(2);

export function profileEvidence(name: string, key: string, counts: Counts | undefined, baseRate: number, priorStrength: number): string {
  const [n, k] = counts ?? [0, 0];
  const label = name.replaceAll('_', '×');
  return `${label} ${key}: ${k} irregular of ${n} controls, smoothed ${pct(smoothedRate(counts, baseRate, priorStrength))} vs ${pct(baseRate)} overall`;
}

function priceContributions(facts: PriceFacts, coefficients: readonly number[]): Contribution[] {
  const grouped = new Map<string, number>();
  PRICE_TERMS.forEach((term, t) => {
    const weight = (coefficients[t] as number) * (facts.values[t] as number);
    if (weight !== 0) grouped.set(PRICE_CODES[term], (grouped.get(PRICE_CODES[term]) ?? 0) + weight);
  });
  const out: Contribution[] = [];
  for (const [code, weight] of grouped) {
    if (code === 'ZERO_NET_MASS') {
      out.push({ code, dimension: 'netMass', key: '0', weight, evidence: 'net mass declared as 0 kg' });
    } else if (code === 'ZERO_VALUE') {
      out.push({ code, dimension: 'value', key: '0', weight, evidence: 'value declared as 0 EUR' });
    } else if (facts.band && facts.perKg !== null) {
      out.push({ code, dimension: 'fairPrice', key: `${facts.band.level} ${facts.band.key}`, weight, evidence: bandEvidence(facts.band, facts.perKg) });
    }
  }
  return out;
}

const eur = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(2));

export function bandEvidence(band: Band, perKg: number): string {
  const scope = band.level === 'HS6_ORIGIN' ? `HS6/origin ${band.key}` : `${band.level} ${band.key}`;
  const u = undervaluation(band, perKg);
  const position = u.belowFence ? ', below the lower fence' : u.aboveFence ? ', above the upper fence' : '';
  return (
    `${eur(perKg)} EUR/kg vs median ${eur(band.median)} (Q1 ${eur(band.q1)}, Q3 ${eur(band.q3)}, ` +
    `fences ${eur(band.lowerFence)}–${eur(band.upperFence)}) of ${band.samples} declarations of ${scope}: ` +
    `${Math.exp(u.logRatio).toPrecision(2)}× the median${position}`
  );
}
