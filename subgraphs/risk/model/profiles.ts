/**
 * Profiles: how often controls of filings sharing one trait (an importer, a commodity, an
 * importer with a commodity, ...) found something. A dimension names the trait and extracts its
 * key from a filing and one of its goods items; the counts per key are the profile.
 *
 * Rates are smoothed towards the overall rate (an empirical-Bayes beta prior of strength m), so
 * a key seen in two controls says little and a key seen in two hundred says a lot.
 */
import type { FilingFeatures, ItemFeatures } from './features';

/** Controls (n) and irregular controls (k) of one key. */
export type Counts = [n: number, k: number];

/** Per dimension, per key. Plain data, so a model is JSON. */
export type ProfileCounts = Record<string, Record<string, Counts>>;

/**
 * The prior strength m, in controls: a key with m controls is weighted half its own rate, half
 * the overall rate. Tuned on train -> valid (see the experiment notes in train.ts).
 */
export const PRIOR_STRENGTH = 10;

export function smoothedRate(counts: Counts | undefined, baseRate: number, priorStrength: number = PRIOR_STRENGTH): number {
  const [n, k] = counts ?? [0, 0];
  return (k + priorStrength * baseRate) / (n + priorStrength);
}

export function logit(p: number): number {
  // Clamped so that a rate of 0 or 1 (a base rate of an all-clean set) stays finite.
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return Math.log(q / (1 - q));
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * A key's target encoding: how far its smoothed rate moves the log-odds from the overall rate.
 * 0 for an absent or unseen key, so "nothing known" is neutral.
 */
export function encode(counts: Counts | undefined, baseRate: number, priorStrength: number = PRIOR_STRENGTH): number {
  if (!counts || counts[0] === 0) return 0;
  return logit(smoothedRate(counts, baseRate, priorStrength)) - logit(baseRate);
}

// ---------------------------------------------------------------------------
// Traits

/** One trait of a filing's goods item; null when the filing does not state it. */
type Trait = (filing: FilingFeatures, item: ItemFeatures) => string | null;

const present = (value: string | null | undefined): string | null => (value === undefined || value === null || value === '' ? null : value);
const hsPrefix = (digits: number): Trait => (_, item) => {
  const code = item.commodityCode;
  return code !== null && code.length >= digits ? code.slice(0, digits) : null;
};
const national = (key: string): Trait => (filing) => present(filing.nationalData[key]);

/** Half-decade bands of a positive quantity (1-3, 3-10, 10-30, ...), so size can be profiled like a code. */
function band(value: number | null): string | null {
  if (value === null || !(value > 0)) return value === 0 ? 'zero' : null;
  return String(Math.floor(2 * Math.log10(value)));
}

function bandN(value: number | null, perDecade: number): string | null {
  if (value === null || !(value > 0)) return value === 0 ? 'zero' : null;
  return String(Math.floor(perDecade * Math.log10(value)));
}

const TRAITS = {
  importer: (f) => present(f.importer),
  declarant: (f) => present(f.declarant),
  seller: (f) => present(f.seller),
  office: (f) => present(f.office),
  transportMode: (f) => present(f.transportMode),
  dispatch: (f) => present(f.dispatchCountry),
  origin: (_, i) => present(i.originCountry),
  hs6: hsPrefix(6),
  hs4: hsPrefix(4),
  hs2: hsPrefix(2),
  taxRate: national('taxRate'),
  taxType: national('taxType'),
  importType: national('importType'),
  importUse: national('importUse'),
  paymentType: national('paymentType'),
  processType: national('processType'),
  originIndicator: national('originIndicator'),
  courier: national('courierId'),
  valueBand: (_, i) => band(i.valueEur),
  massBand: (_, i) => band(i.netMass),
  valueBandA: (_, i) => bandN(i.valueEur, 1),
  valueBandC: (_, i) => bandN(i.valueEur, 4),
  valueBandD: (_, i) => bandN(i.valueEur, 8),
  valueBandE: (_, i) => bandN(i.valueEur, 16),
  valueExact: (_, i) => (i.valueEur === null ? null : String(i.valueEur)),
  massExact: (_, i) => (i.netMass === null ? null : String(i.netMass)),
  massBandD: (_, i) => bandN(i.netMass, 8),
  massBandA: (_, i) => bandN(i.netMass, 1),
  massBandC: (_, i) => bandN(i.netMass, 4),
  unitValueBand: (_, i) => (i.valueEur !== null && i.netMass !== null && i.netMass > 0 ? band(i.valueEur / i.netMass) : null),
} satisfies Record<string, Trait>;

export type TraitName = keyof typeof TRAITS;

export interface Dimension {
  /** Traits joined with "_", e.g. importer_hs6. */
  name: string;
  /** Contribution code, e.g. PROFILE_IMPORTER_HS6. */
  code: string;
  traits: readonly TraitName[];
  /** The key of a filing's item, or null when one of its traits is absent. */
  key(filing: FilingFeatures, item: ItemFeatures): string | null;
}

export function isTraitName(name: string): name is TraitName {
  return Object.hasOwn(TRAITS, name);
}

/** A dimension from its name: one trait (hs6) or several joined with "_" (importer_hs6). */
export function dimension(name: string): Dimension {
  const traits = name.split('_');
  const extractors: Trait[] = traits.map((trait) => {
    if (!isTraitName(trait)) throw new Error(`Unknown profile trait "${trait}" in dimension "${name}"`);
    return TRAITS[trait];
  });
  const key =
    extractors.length === 1
      ? (extractors[0] as Trait)
      : (filing: FilingFeatures, item: ItemFeatures): string | null => {
          const parts: string[] = [];
          for (const extract of extractors) {
            const part = extract(filing, item);
            if (part === null) return null;
            parts.push(part);
          }
          return parts.join('/');
        };
  const code = `PROFILE_${traits.map((t) => t.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()).join('_')}`;
  return { name, code, traits: traits as TraitName[], key };
}

/** The dimensions learning uses unless told otherwise (tuned on train -> valid). */
export const DEFAULT_DIMENSIONS: readonly string[] = [
  'importer',
  'declarant',
  'seller',
  'hs6',
  'hs4',
  'hs2',
  'origin',
  'office',
  'transportMode',
  'importer_hs6',
  'declarant_importer',
  'hs6_origin',
  'office_hs4',
];

// ---------------------------------------------------------------------------
// Counting

/** Adds one control of a key to a dimension's counts. */
export function addCount(table: Record<string, Counts>, key: string, irregular: boolean): void {
  const counts = table[key];
  if (counts) {
    counts[0] += 1;
    if (irregular) counts[1] += 1;
  } else {
    table[key] = [1, irregular ? 1 : 0];
  }
}
