// Lanes follow control capacity, not magic numbers: with room to control 5% physically and 10%
// more on documents, the thresholds are the scores above which 5% and 15% of filings fall.

export interface Capacity {
  /** Share of filings that go RED. */
  redShare: number;
  /** Share that goes YELLOW, after the red ones. */
  yellowShare: number;
}

export interface Thresholds {
  red: number;
  yellow: number;
}

export const DEFAULT_CAPACITY: Capacity = { redShare: 0.05, yellowShare: 0.1 };

/** The thresholds that send these shares of a score distribution RED and YELLOW. */
export function thresholdsFor(scores: readonly number[], capacity: Capacity): Thresholds {
  if (scores.length === 0) return { red: 1, yellow: 1 };
  const sorted = [...scores].sort((a, b) => b - a);
  const at = (share: number) => {
    const count = Math.round(share * sorted.length);
    // No place in the lane: a threshold no score reaches. Finite, because a model is stored as
    // JSON (FerretDB on PostgreSQL), which has no Infinity: learning from a few controls failed on it.
    return count <= 0 ? Number.MAX_VALUE : sorted[Math.min(count, sorted.length) - 1]!;
  };
  const red = at(capacity.redShare);
  return { red, yellow: Math.min(red, at(capacity.redShare + capacity.yellowShare)) };
}

export function laneFor(score: number, thresholds: Thresholds): 'GREEN' | 'YELLOW' | 'RED' {
  if (score >= thresholds.red) return 'RED';
  if (score >= thresholds.yellow) return 'YELLOW';
  return 'GREEN';
}

export function checkCapacity(capacity: Capacity): Capacity {
  const { redShare, yellowShare } = capacity;
  const share = (value: number) => Number.isFinite(value) && value >= 0 && value <= 1;
  if (!share(redShare) || !share(yellowShare) || redShare + yellowShare > 1) {
    throw new Error(`Control capacity must be shares from 0 to 1 adding up to at most 1, not red ${redShare} and yellow ${yellowShare}`);
  }
  return capacity;
}
