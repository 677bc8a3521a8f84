// A share of filings is selected at random, whatever its score, as in ASYCUDA's selectivity
// module: controls of filings the model would pass keep teaching it, without its own bias.
// The draw is a hash of the MRN, so screening the same filing again never re-rolls it.
import { hashString } from '../kit/random';

export const DEFAULT_RANDOM_SHARE = 0.01;

export function isRandomlySelected(mrn: string, share: number, salt = 'random-selection'): boolean {
  if (share <= 0) return false;
  return uniform(`${salt}:${mrn}`) < share;
}

/** A stable number in [0, 1) from a string: FNV-1a, then a final avalanche so that similar MRNs spread. */
export function uniform(text: string): number {
  let hash = hashString(text);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 4294967296;
}
