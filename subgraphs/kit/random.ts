/**
 * A tiny deterministic pseudo-random generator for demo data and tests.
 *
 * Demo data must be identical on every machine and every run, so Math.random is out.
 * mulberry32 is a 32-bit generator with a full 2^32 period: far more than a few thousand
 * generated records need, fast, and short enough to read in one go. It is NOT suitable
 * for anything security-related.
 */

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One value, chosen with probability proportional to its (non-negative) weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A string of n decimal digits (leading zeros allowed). */
  digits(n: number): string;
  /** A string of n characters from A-Z and 0-9. */
  alphanumerics(n: number): string;
  /** Shuffles the array in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
}

const ALPHANUMERICS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** FNV-1a: string seeds ("aeo-demo"), and stable choices from an identifier (folds, random selection). */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function createRandom(seed: number | string): Random {
  // Numbers are truncated to 32 bits; non-integers are hashed so 1.5 and 1 differ.
  let state = typeof seed === 'string' ? hashString(seed) : Number.isInteger(seed) ? seed >>> 0 : hashString(String(seed));

  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  function int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(${min}, ${max}): expected integers with min <= max`);
    }
    return min + Math.floor(next() * (max - min + 1));
  }

  function pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick: empty list');
    return items[Math.floor(next() * items.length)] as T;
  }

  function weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of entries) {
      if (!(weight >= 0)) throw new RangeError('weighted: weights must be non-negative numbers');
      total += weight;
    }
    if (total <= 0) throw new RangeError('weighted: weights must not all be zero');
    let target = next() * total;
    for (const [value, weight] of entries) {
      target -= weight;
      if (target < 0) return value;
    }
    // Floating-point rounding can leave a sliver; fall back to the last positive entry.
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i];
      if (entry && entry[1] > 0) return entry[0];
    }
    throw new RangeError('weighted: unreachable');
  }

  function chance(p: number): boolean {
    return next() < p;
  }

  function digits(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += String(Math.floor(next() * 10));
    return out;
  }

  function alphanumerics(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += ALPHANUMERICS.charAt(Math.floor(next() * ALPHANUMERICS.length));
    return out;
  }

  function shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  return { next, int, pick, weighted, chance, digits, alphanumerics, shuffle };
}
