/**
 * Scoring: a filing's risk as a logistic model over its goods items' terms, with the reasons.
 *
 * An item's logit is the intercept plus one weight per term: a profile term weighs how far the
 * item's key in a dimension (its importer, its commodity from its origin, ...) moves the odds; the
 * price terms weigh how far its value per kg lies from the fair-price band. Boosted trees (gbdt.ts)
 * add what the regression cannot see: ranges of amounts, and their combinations with the profiles.
 * The explanation is exact: each feature's regression term and its share of the trees' paths add
 * up per reason, and the reasons with the intercept (and the trees' baseline) sum to the logit. A
 * filing scores as its riskiest item.
 */
import type { FilingFeatures, ItemFeatures } from './features';
import { bandFor, undervaluation, valuePerKg, type Band, type FairPriceModel } from './fair-price';
import { compileTrees } from './compiled-trees';
import type { TreeEnsemble } from './gbdt';
import { createKeyReader, dimension, encode, sigmoid, smoothedRate, type Counts, type Dimension } from './profiles';
import { AMOUNT_FEATURES, amountFeatures } from './tree-features';
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
  /**
   * Written out when read: a score has a term for nearly every dimension (the trees share
   * theirs among them), and an assessment lists only the largest few.
   */
  readonly evidence: string;
}

/** A contribution whose evidence is written out, from its key, the first time it is read. */
class LazyContribution implements Contribution {
  readonly #write: (key: string) => string;
  #evidence: string | undefined;

  constructor(
    readonly code: string,
    readonly dimension: string,
    readonly key: string,
    readonly weight: number,
    write: (key: string) => string,
  ) {
    this.#write = write;
  }

  get evidence(): string {
    this.#evidence ??= this.#write(this.key);
    return this.#evidence;
  }
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
  /** Its place among the trees' features. */
  index: number;
  coefficient: number;
  /** Encoding per key, computed once. */
  encodings: Map<string, number>;
  /** A key's evidence, from its counts. */
  evidence: (key: string) => string;
}

/** What one item adds up to: the logit, and what each part of the model made of it. */
interface ItemTerms {
  z: number;
  /** The trees' input: the dimensions' encodings, then the amount features. */
  x: Float64Array;
  /** The leaf each tree sent x to (empty without trees): what explaining reads. */
  leaves: Int32Array;
  keys: (string | null)[];
  price: PriceFacts;
}

/** A scorer for one model: encodings are computed once, a score is a few map lookups and tree walks. */
export function createScorer(model: LearnedModel): Scorer {
  const { baseRate, priorStrength } = model;
  const trees = model.trees ? compileTrees(model.trees) : null;
  const treeFeatures = featuresSplitOn(model.trees);
  // A dimension neither the regression nor a tree uses contributes nothing: it is not even read.
  const profiles: ProfileTable[] = model.dimensions.flatMap((name, index) => {
    const coefficient = model.coefficients[name] ?? 0;
    if (coefficient === 0 && !treeFeatures.has(index)) return [];
    const counts = model.counts[name] ?? {};
    const encodings = new Map<string, number>();
    for (const [key, c] of Object.entries(counts)) encodings.set(key, encode(c, baseRate, priorStrength));
    const write = profileEvidenceWriter(name, baseRate, priorStrength);
    return [{ dimension: dimension(name), index, coefficient, encodings, evidence: (key: string) => write(key, counts[key]) }];
  });
  const priceCoefficients = PRICE_TERMS.map((term) => model.coefficients[term] ?? 0);
  const readKeys = createKeyReader(profiles.map((p) => p.dimension));
  const width = model.dimensions.length + AMOUNT_FEATURES.length;

  function terms(filing: FilingFeatures, item: ItemFeatures): ItemTerms {
    let z = model.intercept;
    const x = new Float64Array(width);
    const keys = readKeys(filing, item);
    for (let j = 0; j < profiles.length; j++) {
      const key = keys[j];
      if (key === null || key === undefined) continue;
      const p = profiles[j] as ProfileTable;
      const encoding = p.encodings.get(key) ?? 0;
      x[p.index] = encoding;
      z += p.coefficient * encoding;
    }
    const price = priceFacts(model.fairPrice, item);
    for (let t = 0; t < price.values.length; t++) z += (priceCoefficients[t] as number) * (price.values[t] as number);
    const leaves = new Int32Array(trees?.trees ?? 0);
    if (trees) {
      const amounts = amountFeatures(item, price);
      for (let a = 0; a < amounts.length; a++) x[model.dimensions.length + a] = amounts[a] as number;
      z += trees.predict(x, leaves);
    }
    return { z, x, leaves, keys, price };
  }

  function riskiest(filing: FilingFeatures): { item: ItemFeatures; terms: ItemTerms } {
    let best: { item: ItemFeatures; terms: ItemTerms } | undefined;
    for (const item of filing.items) {
      const t = terms(filing, item);
      if (!best || t.z > best.terms.z) best = { item, terms: t };
    }
    // A filing without items is scored on its filing-level facts alone (no price terms).
    return best ?? { item: EMPTY_ITEM, terms: terms(filing, EMPTY_ITEM) };
  }

  function explain(item: ItemFeatures, { keys, x, leaves, price }: ItemTerms): { intercept: number; contributions: Contribution[] } {
    const fromTrees = new Float64Array(width);
    trees?.attribute(leaves, fromTrees);
    const out: Contribution[] = [];
    for (let j = 0; j < profiles.length; j++) {
      const key = keys[j];
      const p = profiles[j] as ProfileTable;
      if (key === null || key === undefined) continue;
      const weight = p.coefficient * (x[p.index] as number) + (fromTrees[p.index] as number);
      if (weight === 0) continue;
      out.push(new LazyContribution(p.dimension.code, p.dimension.name, key, weight, p.evidence));
    }
    const amounts = AMOUNT_FEATURES.map((_, a) => fromTrees[model.dimensions.length + a] as number);
    out.push(...priceContributions(price, priceCoefficients, amounts), ...amountContributions(item, price, amounts));
    return {
      intercept: model.intercept + (trees?.baseline ?? 0),
      contributions: out.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)),
    };
  }

  return {
    logit: (filing) => riskiest(filing).terms.z,
    score(filing) {
      const { item, terms: t } = riskiest(filing);
      return { probability: sigmoid(t.z), logit: t.z, item: item.itemNumber, ...explain(item, t) };
    },
  };
}

/** The features some tree splits on. */
function featuresSplitOn(trees: TreeEnsemble | undefined): Set<number> {
  const used = new Set<number>();
  for (const tree of trees?.trees ?? []) for (const f of tree.feature) if (f >= 0) used.add(f);
  return used;
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

/** How a dimension's key reads as evidence; what every key of the dimension shares is written once. */
export function profileEvidenceWriter(name: string, baseRate: number, priorStrength: number): (key: string, counts: Counts | undefined) => string {
  const label = name.replaceAll('_', '×');
  const overall = `vs ${pct(baseRate)} overall`;
  return (key, counts) => {
    const [n, k] = counts ?? [0, 0];
    return `${label} ${key}: ${k} irregular of ${n} controls, smoothed ${pct(smoothedRate(counts, baseRate, priorStrength))} ${overall}`;
  };
}

/**
 * The price terms' contributions, grouped by code, with the trees' share of the position against
 * the band (amounts[0]) under the code of its side of the median.
 */
function priceContributions(facts: PriceFacts, coefficients: readonly number[], amounts: readonly number[]): Contribution[] {
  const grouped = new Map<string, number>();
  const add = (code: string, weight: number) => {
    if (weight !== 0) grouped.set(code, (grouped.get(code) ?? 0) + weight);
  };
  PRICE_TERMS.forEach((term, t) => add(PRICE_CODES[term], (coefficients[t] as number) * (facts.values[t] as number)));
  const ratio = amounts[0] as number;
  if (facts.band && facts.perKg !== null) add(facts.perKg < facts.band.median ? 'FAIR_PRICE_UNDERVALUED' : 'FAIR_PRICE_OVERVALUED', ratio);
  else add('FAIR_PRICE_NO_BAND', ratio);
  const out: Contribution[] = [];
  for (const [code, weight] of grouped) {
    if (code === 'ZERO_NET_MASS') {
      out.push({ code, dimension: 'netMass', key: '0', weight, evidence: 'net mass declared as 0 kg' });
    } else if (code === 'ZERO_VALUE') {
      out.push({ code, dimension: 'value', key: '0', weight, evidence: 'value declared as 0 EUR' });
    } else if (code === 'FAIR_PRICE_NO_BAND') {
      out.push({
        code,
        dimension: 'fairPrice',
        key: 'none',
        weight,
        evidence: 'no fair-price band to compare with: too few declarations of the commodity, or no value per kg',
      });
    } else if (facts.band && facts.perKg !== null) {
      const { band, perKg } = facts;
      out.push(new LazyContribution(code, 'fairPrice', `${band.level} ${band.key}`, weight, () => bandEvidence(band, perKg)));
    }
  }
  return out;
}

/** The trees' shares of the declared amounts themselves (amounts[1..3], as AMOUNT_FEATURES). */
function amountContributions(item: ItemFeatures, facts: PriceFacts, amounts: readonly number[]): Contribution[] {
  const part = (code: string, dimension: string, what: string, value: number | null, unit: string, weight: number): Contribution => {
    const key = value === null ? 'not stated' : `${eur(value)} ${unit}`;
    return { code, dimension, key, weight, evidence: `${what} ${key}` };
  };
  return [
    part('VALUE_PER_KG', 'valuePerKg', 'value per kg', facts.perKg, 'EUR/kg', amounts[1] as number),
    part('DECLARED_VALUE', 'declaredValue', 'statistical value', item.valueEur, 'EUR', amounts[2] as number),
    part('DECLARED_NET_MASS', 'declaredNetMass', 'net mass', item.netMass, 'kg', amounts[3] as number),
  ].filter((contribution) => contribution.weight !== 0);
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
