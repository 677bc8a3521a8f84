/**
 * How well a ranking targets: precision and recall when the top share of filings is controlled
 * (top n = ceil(rate · N)), and the ROC AUC. Tied scores are never broken by input order: the
 * top-n counts take the tied group's expected share of positives (as if ties were broken at
 * random), and the AUC counts a tied positive-negative pair as one half.
 */

export type Label = boolean | number;

const positive = (label: Label | undefined): boolean => label === true || label === 1;

function checkLengths(scores: ArrayLike<number>, labels: ArrayLike<Label>): void {
  if (scores.length !== labels.length) throw new RangeError(`${scores.length} scores but ${labels.length} labels`);
}

/** Expected positives among the top n = ceil(rate · N) scores. */
function positivesInTop(scores: ArrayLike<number>, labels: ArrayLike<Label>, rate: number): { top: number; hits: number } {
  checkLengths(scores, labels);
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`rate must be in (0, 1], not ${rate}`);
  const top = Math.ceil(rate * scores.length - 1e-9);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let hits = 0;
  let taken = 0;
  for (let start = 0; start < order.length && taken < top;) {
    // One group of equal scores: take all of it, or the share that still fits.
    const score = scores[order[start] as number];
    let end = start;
    let groupPositives = 0;
    while (end < order.length && scores[order[end] as number] === score) {
      if (positive(labels[order[end] as number])) groupPositives++;
      end++;
    }
    const size = end - start;
    const take = Math.min(size, top - taken);
    hits += (groupPositives * take) / size;
    taken += take;
    start = end;
  }
  return { top, hits };
}

/** Share of positives among the top ceil(rate · N) scores. */
export function precisionAt(scores: ArrayLike<number>, labels: ArrayLike<Label>, rate: number): number {
  const { top, hits } = positivesInTop(scores, labels, rate);
  return top === 0 ? 0 : hits / top;
}

/** Share of all positives that are among the top ceil(rate · N) scores. */
export function recallAt(scores: ArrayLike<number>, labels: ArrayLike<Label>, rate: number): number {
  const { hits } = positivesInTop(scores, labels, rate);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (positive(labels[i])) positives++;
  return positives === 0 ? 0 : hits / positives;
}

/**
 * ROC AUC from ranks (Mann-Whitney U): the probability that a random positive scores above a
 * random negative, ties counting one half. NaN when one class is missing.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<Label>): number {
  checkLengths(scores, labels);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    const score = scores[order[start] as number];
    let end = start;
    while (end < order.length && scores[order[end] as number] === score) end++;
    // Ranks start .. end-1 (1-based: start+1 .. end) share their average.
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (positive(labels[order[i] as number])) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
