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
import { ABSENT, ProfileIndex, type ProfileTable } from './profile-table';
import { createTraitReader, dimension, encode, sigmoid, smoothedRate, type Counts, type Dimension, type TraitName } from './profiles';
import { AMOUNT_FEATURES, writeAmountFeatures } from './tree-features';
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

/** A contribution whose evidence is written out the first time it is read. */
class LazyContribution implements Contribution {
  readonly #write: () => string;
  #evidence: string | undefined;

  constructor(
    readonly code: string,
    readonly dimension: string,
    readonly key: string,
    readonly weight: number,
    write: () => string,
  ) {
    this.#write = write;
  }

  get evidence(): string {
    this.#evidence ??= this.#write();
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

/** Which contributions a score lists: by default every non-zero one. */
export interface ExplainOptions {
  /** At most this many, the largest. */
  limit?: number;
  /** None smaller than this, in |log-odds|. */
  minWeight?: number;
}

export interface Scorer {
  /**
   * The filing's score with its contributions. With options that leave some out, the listed ones
   * no longer sum to the logit with the intercept; what is left out is never written, which is
   * most of what explaining costs when an assessment lists a handful of reasons.
   */
  score(features: FilingFeatures, options?: ExplainOptions): FilingScore;
  /** The riskiest item's logit only: no contributions, for ranking many filings. */
  logit(features: FilingFeatures): number;
}

interface ProfileTerm {
  dimension: Dimension;
  /** Its place among the trees' features. */
  index: number;
  coefficient: number;
  table: ProfileTable;
  /** A key's evidence, from its counts. */
  evidence: (key: string, counts: Counts | undefined) => string;
  /** Per slot, its evidence once written: the same importers and commodities come back all day. */
  written: (string | undefined)[];
}

/**
 * What one item adds up to: the logit, and what each part of the model made of it. A scorer
 * keeps two and reuses them (scoring is synchronous): the riskiest item's so far, and the next.
 */
class ItemTerms {
  z = 0;
  /** The trees' input: the dimensions' encodings, then the amount features. */
  readonly x: Float64Array;
  /** The leaf each tree sent x to (empty without trees): what explaining reads. */
  readonly leaves: Int32Array;
  /** Per profile term, its key's slot in its table, UNSEEN or ABSENT. */
  readonly slots: Int32Array;
  /** The item's trait values, for the joined key of a key the model never counted. */
  readonly values: (string | null)[];
  /** Their numbers in the profile index. */
  readonly numbers: Int32Array;
  price: PriceFacts = { band: null, perKg: null, values: [] };

  constructor(width: number, trees: number, profiles: number, traits: number) {
    this.x = new Float64Array(width);
    this.leaves = new Int32Array(trees);
    this.slots = new Int32Array(profiles);
    this.numbers = new Int32Array(traits);
    this.values = new Array<string | null>(traits).fill(null);
  }
}

/** A scorer for one model: encodings are computed once, a score is a few map lookups and tree walks. */
export function createScorer(model: LearnedModel): Scorer {
  const { baseRate, priorStrength } = model;
  const trees = model.trees ? compileTrees(model.trees) : null;
  const treeFeatures = featuresSplitOn(model.trees);
  // A dimension neither the regression nor a tree uses contributes nothing: it is not even read.
  const used = model.dimensions.flatMap((name, index) => {
    const coefficient = model.coefficients[name] ?? 0;
    return coefficient === 0 && !treeFeatures.has(index) ? [] : [{ name, index, coefficient, dimension: dimension(name) }];
  });
  const traits: TraitName[] = [...new Set(used.flatMap((u) => u.dimension.traits))];
  const readTraits = createTraitReader(traits);
  const profileIndex = new ProfileIndex(
    traits.length,
    used.map(({ name, dimension }) => ({ counts: model.counts[name] ?? {}, positions: dimension.traits.map((trait) => traits.indexOf(trait)) })),
    (counts) => encode(counts, baseRate, priorStrength),
  );
  const profiles: ProfileTerm[] = used.map(({ name, index, coefficient, dimension }, j) => ({
    dimension,
    index,
    coefficient,
    table: profileIndex.tables[j] as ProfileTable,
    evidence: profileEvidenceWriter(name, baseRate, priorStrength),
    written: [],
  }));
  const priceCoefficients = PRICE_TERMS.map((term) => model.coefficients[term] ?? 0);
  const width = model.dimensions.length + AMOUNT_FEATURES.length;
  // Scratch for explaining, reused like the terms.
  const fromTrees = new Float64Array(width);
  const weights = new Float64Array(profiles.length);
  let best = new ItemTerms(width, trees?.trees ?? 0, profiles.length, traits.length);
  let next = new ItemTerms(width, trees?.trees ?? 0, profiles.length, traits.length);

  function add(filing: FilingFeatures, item: ItemFeatures, into: ItemTerms): void {
    let z = model.intercept;
    const { x, slots, numbers, values } = into;
    readTraits(filing, item, values);
    profileIndex.read(values, numbers);
    for (let j = 0; j < profiles.length; j++) {
      const p = profiles[j] as ProfileTerm;
      const slot = p.table.find(numbers, values);
      slots[j] = slot;
      const encoding = slot >= 0 ? (p.table.encodings[slot] as number) : 0;
      x[p.index] = encoding;
      z += p.coefficient * encoding;
    }
    const price = priceFacts(model.fairPrice, item);
    for (let t = 0; t < price.values.length; t++) z += (priceCoefficients[t] as number) * (price.values[t] as number);
    if (trees) {
      writeAmountFeatures(item, price, x, model.dimensions.length);
      z += trees.predict(x, into.leaves);
    }
    into.z = z;
    into.price = price;
  }

  /** Leaves the riskiest item's terms in best. */
  function riskiest(filing: FilingFeatures): ItemFeatures {
    let found: ItemFeatures | undefined;
    for (const item of filing.items) {
      add(filing, item, next);
      if (found === undefined || next.z > best.z) {
        [best, next] = [next, best];
        found = item;
      }
    }
    if (found) return found;
    // A filing without items is scored on its filing-level facts alone (no price terms).
    add(filing, EMPTY_ITEM, best);
    return EMPTY_ITEM;
  }

  function explain(
    item: ItemFeatures,
    { slots, x, leaves, values, price }: ItemTerms,
    { limit = Infinity, minWeight = 0 }: ExplainOptions,
  ): { intercept: number; contributions: Contribution[] } {
    fromTrees.fill(0);
    trees?.attribute(leaves, fromTrees);
    const amounts = fromTrees.subarray(model.dimensions.length);
    const others = priceContributions(price, priceCoefficients, amounts);
    amountContributions(item, price, amounts, others);
    // The profile terms' weights first: a contribution is made only for a term that is listed.
    const largest = new Largest(limit, minWeight);
    for (const c of others) largest.offer(Math.abs(c.weight));
    for (let j = 0; j < profiles.length; j++) {
      const p = profiles[j] as ProfileTerm;
      const weight = slots[j] === ABSENT ? 0 : p.coefficient * (x[p.index] as number) + (fromTrees[p.index] as number);
      weights[j] = weight;
      largest.offer(Math.abs(weight));
    }
    const cut = Math.max(Number.MIN_VALUE, largest.cut());
    const out: Contribution[] = [];
    for (let j = 0; j < profiles.length; j++) {
      const weight = weights[j] as number;
      if (Math.abs(weight) < cut) continue;
      const p = profiles[j] as ProfileTerm;
      const slot = slots[j] as number;
      if (slot >= 0) {
        const key = p.table.keys[slot] as string;
        const write = () => (p.written[slot] ??= p.evidence(key, p.table.counts[slot]));
        out.push(new LazyContribution(p.dimension.code, p.dimension.name, key, weight, write));
      } else {
        const key = p.table.join(values);
        out.push(new LazyContribution(p.dimension.code, p.dimension.name, key, weight, () => p.evidence(key, undefined)));
      }
    }
    for (const c of others) if (c.weight !== 0 && Math.abs(c.weight) >= cut) out.push(c);
    // Stable: equal weights keep the order above (profiles, prices, amounts), whatever the cut.
    out.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
    return { intercept: model.intercept + (trees?.baseline ?? 0), contributions: out.length > limit ? out.slice(0, limit) : out };
  }

  return {
    logit(filing) {
      riskiest(filing);
      return best.z;
    },
    score(filing, options = {}) {
      const item = riskiest(filing);
      return { probability: sigmoid(best.z), logit: best.z, item: item.itemNumber, ...explain(item, best, options) };
    },
  };
}

/**
 * The smallest magnitude a listing of at most `limit` contributions of at least `minWeight`
 * keeps: offered magnitudes are kept, largest first, in a buffer of `limit` (a handful).
 */
class Largest {
  readonly #top: number[] = [];

  constructor(
    readonly limit: number,
    readonly minWeight: number,
  ) {}

  offer(magnitude: number): void {
    if (magnitude === 0 || magnitude < this.minWeight || this.limit === Infinity) return;
    const top = this.#top;
    if (top.length === this.limit && magnitude <= (top[top.length - 1] as number)) return;
    let at = Math.min(top.length, this.limit - 1);
    while (at > 0 && (top[at - 1] as number) < magnitude) {
      top[at] = top[at - 1] as number;
      at--;
    }
    top[at] = magnitude;
  }

  /** Contributions smaller than this are left out. */
  cut(): number {
    return this.#top.length === this.limit ? Math.max(this.minWeight, this.#top[this.limit - 1] as number) : this.minWeight;
  }
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
    const n = counts?.[0] ?? 0;
    const k = counts?.[1] ?? 0;
    return `${label} ${key}: ${k} irregular of ${n} controls, smoothed ${pct(smoothedRate(counts, baseRate, priorStrength))} ${overall}`;
  };
}

/**
 * The price terms' contributions, grouped by code, with the trees' share of the position against
 * the band (amounts[0]) under the code of its side of the median.
 */
function priceContributions(facts: PriceFacts, coefficients: readonly number[], amounts: ArrayLike<number>): Contribution[] {
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
function amountContributions(item: ItemFeatures, facts: PriceFacts, amounts: ArrayLike<number>, out: Contribution[]): void {
  const add = (code: string, dimension: string, what: string, value: number | null, unit: string, weight: number) => {
    if (weight !== 0) out.push(new AmountContribution(code, dimension, weight, what, value, unit));
  };
  add('VALUE_PER_KG', 'valuePerKg', 'value per kg', facts.perKg, 'EUR/kg', amounts[1] as number);
  add('DECLARED_VALUE', 'declaredValue', 'statistical value', item.valueEur, 'EUR', amounts[2] as number);
  add('DECLARED_NET_MASS', 'declaredNetMass', 'net mass', item.netMass, 'kg', amounts[3] as number);
}

/** A declared amount's contribution; the amount is written out only when read. */
class AmountContribution implements Contribution {
  constructor(
    readonly code: string,
    readonly dimension: string,
    readonly weight: number,
    private readonly what: string,
    private readonly value: number | null,
    private readonly unit: string,
  ) {}

  get key(): string {
    return this.value === null ? 'not stated' : `${eur(this.value)} ${this.unit}`;
  }

  get evidence(): string {
    return `${this.what} ${this.key}`;
  }
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
