/**
 * Fair-price bands: what a kilogram of a commodity from an origin is usually declared at.
 * Undervaluation (declaring less than the goods are worth to pay less duty) shows as a value per
 * kg far below the band of comparable declarations.
 *
 * Values per kg spread over orders of magnitude and have wild outliers (a typo, a sample sent
 * free of charge), so bands are robust statistics on the log scale: median, quartiles and Tukey
 * fences (Q1 − 1.5·IQR, Q3 + 1.5·IQR), never mean and standard deviation. A band needs
 * MIN_BAND_SAMPLES declarations; with fewer, HS6 alone and then HS4 alone stand in.
 */
import type { ItemFeatures } from './features';

/** Fewer samples than this make no band: a median of three is noise. */
export const MIN_BAND_SAMPLES = 10;

/** Tukey's fence factor on the log scale. */
export const FENCE_IQR = 1.5;

export type BandLevel = 'HS6_ORIGIN' | 'HS6' | 'HS4';

/** One band; all values in EUR per kg. */
export interface Band {
  level: BandLevel;
  /** "440890/BE", "440890" or "4408". */
  key: string;
  samples: number;
  median: number;
  q1: number;
  q3: number;
  lowerFence: number;
  upperFence: number;
}

/** Log values per kg, per HS6/origin cell: the HS6 and HS4 bands pool the cells. */
export type FairPriceSamples = Record<string, number[]>;

export interface FairPriceModel {
  minSamples: number;
  samples: FairPriceSamples;
  /** Keyed "<level>:<key>", e.g. "HS6_ORIGIN:440890/BE"; only keys with enough samples. */
  bands: Record<string, Band>;
}

/** Value per kg of an item, when both its value and its net mass are positive. */
export function valuePerKg(item: Pick<ItemFeatures, 'valueEur' | 'netMass'>): number | null {
  const { valueEur, netMass } = item;
  return valueEur !== null && netMass !== null && valueEur > 0 && netMass > 0 ? valueEur / netMass : null;
}

const cellKey = (hs6: string, origin: string | null) => `${hs6}/${origin ?? ''}`;
/** A cell key's HS6 and origin ('' when not stated), as cellKey joined them. */
const cellParts = (key: string): [hs6: string, origin: string] => {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
};

/** Records an item's value per kg, when it has one and a commodity code of at least 6 digits. */
export function addSample(samples: FairPriceSamples, item: ItemFeatures): void {
  const perKg = valuePerKg(item);
  const code = item.commodityCode;
  if (perKg === null || code === null || code.length < 6) return;
  const key = cellKey(code.slice(0, 6), item.originCountry);
  (samples[key] ??= []).push(Math.log(perKg));
}

/** Quantile of sorted values, linear between order statistics (R type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return low + (high - low) * (position - below);
}

/** The band of a set of log values per kg. */
export function bandOf(level: BandLevel, key: string, logValues: readonly number[]): Band {
  const sorted = [...logValues].sort((a, b) => a - b);
  const q1 = quantile(sorted, 0.25);
  const median = quantile(sorted, 0.5);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  return {
    level,
    key,
    samples: sorted.length,
    median: Math.exp(median),
    q1: Math.exp(q1),
    q3: Math.exp(q3),
    lowerFence: Math.exp(q1 - FENCE_IQR * iqr),
    upperFence: Math.exp(q3 + FENCE_IQR * iqr),
  };
}

/** Bands for every HS6/origin cell, HS6 and HS4 with at least minSamples samples. */
export function buildFairPrice(samples: FairPriceSamples, minSamples: number = MIN_BAND_SAMPLES): FairPriceModel {
  const pooled: Record<string, { level: BandLevel; key: string; values: number[] }> = {};
  const pool = (level: BandLevel, key: string, values: readonly number[]) => {
    const entry = (pooled[`${level}:${key}`] ??= { level, key, values: [] });
    for (const value of values) entry.values.push(value);
  };
  // Sorted keys, so the bands (and a model's JSON) do not depend on the order filings came in.
  for (const cell of Object.keys(samples).sort()) {
    const values = samples[cell] ?? [];
    const hs6 = cell.slice(0, 6);
    pool('HS6_ORIGIN', cell, values);
    pool('HS6', hs6, values);
    pool('HS4', hs6.slice(0, 4), values);
  }
  const bands: Record<string, Band> = {};
  for (const [id, { level, key, values }] of Object.entries(pooled)) {
    if (values.length >= minSamples) bands[id] = bandOf(level, key, values);
  }
  return { minSamples, samples, bands };
}

/**
 * The band for a commodity code (6 digits or more) and origin: HS6 with origin, else HS6, else
 * HS4; null when none has enough samples.
 */
export function bandFor(model: FairPriceModel, hs: string | null, origin: string | null): Band | null {
  if (hs === null || hs.length < 4) return null;
  const index = bandIndexOf(model.bands);
  if (hs.length >= 6) {
    const cell = index.hs6.get(hs.slice(0, 6));
    const band = cell?.origins.get(origin ?? '') ?? cell?.band;
    if (band) return band;
  }
  return index.hs4.get(hs.slice(0, 4)) ?? null;
}

/** The bands by HS6 (then origin) and HS4: scoring asks for one per goods item, twice. */
interface BandIndex {
  hs6: Map<string, { band: Band | null; origins: Map<string, Band> }>;
  hs4: Map<string, Band>;
}

/** A model's bands are never changed once built (merging makes new ones), so an index can be kept. */
const bandIndexes = new WeakMap<Record<string, Band>, BandIndex>();

function bandIndexOf(bands: Record<string, Band>): BandIndex {
  let index = bandIndexes.get(bands);
  if (index) return index;
  const hs6: BandIndex['hs6'] = new Map();
  const cellOf = (code: string) => {
    let cell = hs6.get(code);
    if (!cell) hs6.set(code, (cell = { band: null, origins: new Map() }));
    return cell;
  };
  index = { hs6, hs4: new Map() };
  for (const band of Object.values(bands)) {
    if (band.level === 'HS4') index.hs4.set(band.key, band);
    else if (band.level === 'HS6') cellOf(band.key).band = band;
    else {
      const [code, origin] = cellParts(band.key);
      cellOf(code).origins.set(origin, band);
    }
  }
  bandIndexes.set(bands, index);
  return index;
}

export interface Undervaluation {
  /** ln(value per kg / band median): −0.69 is half the median, 0 the median. */
  logRatio: number;
  /** Below the band's lower fence: an outlier on the cheap side. */
  belowFence: boolean;
  /** Above the upper fence (overvaluation, e.g. to move money, or a misclassification). */
  aboveFence: boolean;
}

export function undervaluation(band: Band, perKg: number): Undervaluation {
  return {
    logRatio: Math.log(perKg / band.median),
    belowFence: perKg < band.lowerFence,
    aboveFence: perKg > band.upperFence,
  };
}
