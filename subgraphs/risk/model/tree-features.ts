/**
 * What the trees see of a goods item besides its profile encodings: amounts that carry over to
 * values never declared before. A profile of an exact amount knows nothing of a new amount, but
 * how large the consignment is, how dear a kilogram of it is, and how far that lies from the
 * commodity's fair price do; the trees find the ranges and the combinations with the profiles
 * (this commodity, at this price) that a linear model cannot.
 *
 * Logarithms, because amounts spread over orders of magnitude and trees split on order alone;
 * NaN when the item does not state the amount (the trees send it one way at every split).
 */
import type { ItemFeatures } from './features';
import type { PriceFacts } from './score';

export const AMOUNT_FEATURES = ['fairPriceLogRatio', 'valuePerKg', 'value', 'netMass'] as const;
export type AmountFeature = (typeof AMOUNT_FEATURES)[number];

const log10OrNaN = (value: number | null): number => (value !== null && value > 0 ? Math.log10(value) : Number.NaN);

/** Aligned with AMOUNT_FEATURES. */
export function amountFeatures(item: ItemFeatures, price: PriceFacts): number[] {
  const out = new Array<number>(AMOUNT_FEATURES.length);
  writeAmountFeatures(item, price, out, 0);
  return out;
}

/** As amountFeatures, into x from `at` on (the scorer's reused input, without an array per item). */
export function writeAmountFeatures(item: ItemFeatures, price: PriceFacts, x: { [index: number]: number }, at: number): void {
  x[at] = price.band && price.perKg !== null ? Math.log(price.perKg / price.band.median) : Number.NaN;
  x[at + 1] = log10OrNaN(price.perKg);
  x[at + 2] = log10OrNaN(item.valueEur);
  x[at + 3] = log10OrNaN(item.netMass);
}
