/**
 * Learning: profiles and fair-price bands from controlled filings, and a logistic regression
 * that weighs them.
 *
 * Each goods item is one example, labelled with its filing's outcome. A profile dimension becomes
 * one number per item, its target encoding (profiles.ts, encode). The encodings the regression
 * learns from are OUT-OF-FOLD: filings are split into K folds by a hash of the MRN, and an item's
 * encoding counts only the other folds. Otherwise an item would see its own label (a one-off
 * importer with one irregular control would look risky precisely because of that control), and
 * the regression would trust the profiles far more than they deserve on new filings.
 *
 * The model is plain data (JSON): counts from all training filings, bands, weights.
 */
import { hashString } from '../../kit/random';
import type { FilingFeatures, ItemFeatures, LabelledFiling } from './features';
import { addSample, buildFairPrice, MIN_BAND_SAMPLES, type FairPriceModel, type FairPriceSamples } from './fair-price';
import { DEFAULT_BOOST_OPTIONS, fitBoostedTrees, predictLogit, type BoostOptions, type TreeEnsemble } from './gbdt';
import { addCount, createKeyReader, DEFAULT_DIMENSIONS, dimension, encode, logit, PRIOR_STRENGTH, sigmoid, type Counts, type ProfileCounts } from './profiles';
import { PRICE_TERMS, priceFacts } from './score';
import { AMOUNT_FEATURES, amountFeatures } from './tree-features';

export const MODEL_VERSION = 1;
/** 5, 10 and 20 folds tie on KCS train -> valid; 10 keeps each fold's counts close to the full ones. */
export const DEFAULT_FOLDS = 10;
/**
 * L2 penalty on the weights (not the intercept), against the summed log-loss. With tens of
 * thousands of items it only steadies collinear profiles: 0.1 to 100 move precision at 10% on
 * KCS by at most 0.002.
 */
export const DEFAULT_L2 = 1;

export interface LearnOptions {
  dimensions?: readonly string[];
  priorStrength?: number;
  folds?: number;
  l2?: number;
  minBandSamples?: number;
  /** Keep profile weights >= 0 (default true), so every profile contribution reads as its evidence. */
  signConstraint?: boolean;
  /** Boosted trees on top of the regression (default DEFAULT_BOOST_OPTIONS); false for none. */
  trees?: Partial<BoostOptions> | false;
}

export interface LearnedModel {
  version: typeof MODEL_VERSION;
  /** Irregular share of all counted items. */
  baseRate: number;
  /** Items counted ([n, k]) and filings. */
  totals: { items: Counts; filings: number };
  priorStrength: number;
  dimensions: string[];
  counts: ProfileCounts;
  /** Per profile dimension and per price term (score.ts, PRICE_TERMS). */
  coefficients: Record<string, number>;
  intercept: number;
  /**
   * Trees that add to the regression's logit what it cannot see: ranges of amounts and their
   * combinations with the profiles. Their features are the dimensions' encodings, then
   * AMOUNT_FEATURES. Absent in models learned before them, and when learning was told none.
   */
  trees?: TreeEnsemble;
  fairPrice: FairPriceModel;
  /** How the weights were fitted; kept to reproduce a model. */
  training: { folds: number; l2: number; iterations: number; logLoss: number };
}

// ---------------------------------------------------------------------------
// Learning

interface Example {
  filing: FilingFeatures;
  item: ItemFeatures;
  label: boolean;
  fold: number;
}

function examplesOf(filings: readonly LabelledFiling[], folds: number): Example[] {
  const out: Example[] = [];
  for (const { features, irregular } of filings) {
    const fold = foldOf(features.mrn, folds);
    for (const item of features.items) out.push({ filing: features, item, label: irregular, fold });
  }
  return out;
}

/** FNV-1a of the MRN: a filing's fold is a pure function of its identity, not of input order. */
export function foldOf(mrn: string, folds: number): number {
  return hashString(mrn) % folds;
}

export interface OutOfFoldEncodings {
  /** One entry per goods item, in filing order. */
  labels: boolean[];
  /** Per dimension, the items' out-of-fold encodings. */
  columns: Float64Array[];
  /** Counts from all items (what the model keeps). */
  counts: ProfileCounts;
  items: Counts;
}

/**
 * The training encodings: each item's key in each dimension, encoded from the counts of the
 * filings in the OTHER folds (and their base rate), never its own.
 */
export function outOfFoldEncodings(
  filings: readonly LabelledFiling[],
  dimensions: readonly string[],
  priorStrength: number,
  folds: number,
): OutOfFoldEncodings {
  if (!(Number.isInteger(folds) && folds >= 2)) throw new RangeError(`folds must be an integer >= 2, not ${folds}`);
  const examples = examplesOf(filings, folds);
  const readKeys = createKeyReader(dimensions.map(dimension));
  const itemKeys = examples.map((e) => readKeys(e.filing, e.item));

  const items: Counts = [0, 0];
  const foldItems: Counts[] = Array.from({ length: folds }, () => [0, 0]);
  for (const e of examples) {
    for (const t of [items, foldItems[e.fold] as Counts]) {
      t[0]++;
      if (e.label) t[1]++;
    }
  }
  const outOfFoldRate = foldItems.map(([n, k]) => (items[1] - k) / Math.max(1, items[0] - n));

  const counts: ProfileCounts = {};
  const columns = dimensions.map((name, j) => {
    const all: Record<string, Counts> = {};
    const byFold: Record<string, Counts>[] = Array.from({ length: folds }, () => ({}));
    examples.forEach((e, i) => {
      const key = itemKeys[i]?.[j] ?? null;
      if (key === null) return;
      addCount(all, key, e.label);
      addCount(byFold[e.fold] as Record<string, Counts>, key, e.label);
    });
    counts[name] = all;

    const column = new Float64Array(examples.length);
    examples.forEach((e, i) => {
      const key = itemKeys[i]?.[j] ?? null;
      if (key === null) return;
      const [n, k] = all[key] as Counts;
      const [fn, fk] = (byFold[e.fold] as Record<string, Counts>)[key] as Counts;
      column[i] = encode([n - fn, k - fk], outOfFoldRate[e.fold] as number, priorStrength);
    });
    return column;
  });
  return { labels: examples.map((e) => e.label), columns, counts, items };
}

export function learn(filings: readonly LabelledFiling[], options: LearnOptions = {}): LearnedModel {
  return learnWithScores(filings, options).model;
}

export interface LearnResult {
  model: LearnedModel;
  /**
   * Per filing (in input order), the probability it gets from its out-of-fold encodings: what
   * the model makes of a filing it has not counted, so a fair sample of the scores new filings
   * will get (e.g. to cut lane thresholds from). A filing without items gets the intercept's.
   */
  outOfFoldScores: number[];
}

export function learnWithScores(filings: readonly LabelledFiling[], options: LearnOptions = {}): LearnResult {
  const dimensions = [...(options.dimensions ?? DEFAULT_DIMENSIONS)];
  const priorStrength = options.priorStrength ?? PRIOR_STRENGTH;
  const folds = options.folds ?? DEFAULT_FOLDS;
  const l2 = options.l2 ?? DEFAULT_L2;
  const { labels, columns, counts, items } = outOfFoldEncodings(filings, dimensions, priorStrength, folds);

  // Bands use no labels, so every item's own value may sit in its band.
  const samples: FairPriceSamples = {};
  for (const { features } of filings) for (const item of features.items) addSample(samples, item);
  const fairPrice = buildFairPrice(samples, options.minBandSamples ?? MIN_BAND_SAMPLES);
  const priceColumns = PRICE_TERMS.map(() => new Float64Array(labels.length));
  let row = 0;
  for (const { features } of filings) {
    for (const item of features.items) {
      priceFacts(fairPrice, item).values.forEach((v, t) => {
        (priceColumns[t] as Float64Array)[row] = v;
      });
      row++;
    }
  }

  const fit = fitSignConstrained([...columns, ...priceColumns], labels, l2, dimensions.length, options.signConstraint ?? true);
  const linear = linearLogits([...columns, ...priceColumns], fit);
  const treeColumns = options.trees === false ? [] : [...columns, ...amountColumns(filings, fairPrice)];
  const trees =
    options.trees === false ? undefined : fitBoostedTrees({ columns: treeColumns, labels, offset: linear }, { ...DEFAULT_BOOST_OPTIONS, ...options.trees });
  const coefficients: Record<string, number> = {};
  [...dimensions, ...PRICE_TERMS].forEach((name, j) => {
    coefficients[name] = fit.weights[j] as number;
  });

  const model: LearnedModel = {
    version: MODEL_VERSION,
    baseRate: items[0] === 0 ? 0 : items[1] / items[0],
    totals: { items, filings: filings.length },
    priorStrength,
    dimensions,
    counts,
    coefficients,
    intercept: fit.intercept,
    ...(trees ? { trees } : {}),
    fairPrice,
    training: { folds, l2, iterations: fit.iterations, logLoss: fit.logLoss },
  };

  // A filing scores as its riskiest item, as in score.ts. The trees have seen these labels; the
  // encodings they split on have not.
  const x = new Float64Array(treeColumns.length);
  const outOfFoldScores: number[] = [];
  row = 0;
  for (const { features } of filings) {
    let best = features.items.length === 0 ? fit.intercept : -Infinity;
    for (let item = 0; item < features.items.length; item++, row++) {
      let z = linear[row] as number;
      if (trees) {
        treeColumns.forEach((column, j) => (x[j] = column[row] as number));
        z += predictLogit(trees, x);
      }
      best = Math.max(best, z);
    }
    outOfFoldScores.push(sigmoid(best));
  }
  return { model, outOfFoldScores };
}

/** Per item, the regression's logit. */
function linearLogits(columns: readonly Float64Array[], fit: LogisticFit): Float64Array {
  const out = new Float64Array(columns[0]?.length ?? 0).fill(fit.intercept);
  columns.forEach((column, j) => {
    const w = fit.weights[j] as number;
    if (w !== 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + w * (column[i] as number);
  });
  return out;
}

/** Per AMOUNT_FEATURES entry, the items' values, in filing order. */
function amountColumns(filings: readonly LabelledFiling[], fairPrice: FairPriceModel): Float64Array[] {
  const rows = filings.flatMap(({ features }) => features.items.map((item) => amountFeatures(item, priceFacts(fairPrice, item))));
  return AMOUNT_FEATURES.map((_, j) => Float64Array.from(rows, (values) => values[j] as number));
}

/**
 * A profile must weigh in the direction of its own evidence: an importer with a high rate of
 * irregularities may not LOWER the score, which a free fit does when profiles overlap (HS4 and
 * HS6, importer and importer×HS6). The first `constrained` columns whose weight comes out
 * negative are dropped, the most negative first, and the rest refitted (an active-set method).
 */
function fitSignConstrained(columns: readonly Float64Array[], labels: readonly boolean[], l2: number, constrained: number, enabled: boolean): LogisticFit {
  const active = columns.map(() => true);
  let fit = fitLogistic(columns, labels, l2);
  for (;;) {
    let worst = -1;
    fit.weights.forEach((w, j) => {
      if (j < constrained && w < 0 && (worst < 0 || w < (fit.weights[worst] as number))) worst = j;
    });
    if (worst < 0 || !enabled) return fit;
    active[worst] = false;
    // Warm start from the previous fit: a couple of Newton steps instead of a full fit.
    const start = { weights: fit.weights.filter((_, j) => active[j]), intercept: fit.intercept };
    const refit = fitLogistic(
      columns.filter((_, j) => active[j]),
      labels,
      l2,
      start,
    );
    let next = 0;
    fit = { ...refit, weights: columns.map((_, j) => (active[j] ? (refit.weights[next++] as number) : 0)) };
  }
}

/**
 * Incremental learning: adds new controlled filings to the counts, the base rate and the
 * fair-price samples; the weights stay as they are (refit with learn now and then).
 */
export function mergeCounts(model: LearnedModel, filings: readonly LabelledFiling[]): LearnedModel {
  const counts: ProfileCounts = {};
  for (const name of model.dimensions) counts[name] = cloneTable(model.counts[name] ?? {});
  const samples: FairPriceSamples = {};
  for (const [cell, values] of Object.entries(model.fairPrice.samples)) samples[cell] = [...values];
  const items: Counts = [...model.totals.items];
  const readKeys = createKeyReader(model.dimensions.map(dimension));

  for (const { features, irregular } of filings) {
    for (const item of features.items) {
      items[0]++;
      if (irregular) items[1]++;
      readKeys(features, item).forEach((key, j) => {
        if (key !== null) addCount(counts[model.dimensions[j] as string] as Record<string, Counts>, key, irregular);
      });
      addSample(samples, item);
    }
  }
  return {
    ...model,
    baseRate: items[0] === 0 ? 0 : items[1] / items[0],
    totals: { items, filings: model.totals.filings + filings.length },
    counts,
    fairPrice: buildFairPrice(samples, model.fairPrice.minSamples),
  };
}

function cloneTable(table: Record<string, Counts>): Record<string, Counts> {
  const out: Record<string, Counts> = {};
  for (const [key, [n, k]] of Object.entries(table)) out[key] = [n, k];
  return out;
}

// ---------------------------------------------------------------------------
// Logistic regression

export interface LogisticFit {
  weights: number[];
  intercept: number;
  iterations: number;
  /** Mean log-loss on the training items at the optimum. */
  logLoss: number;
}

/**
 * L2-regularised logistic regression by Newton's method (with step halving): with a few dozen
 * columns one step is a small linear solve, it converges in a handful of steps, and it needs no
 * learning rate and no random start, so the fit is exact and deterministic.
 */
export function fitLogistic(
  columns: readonly Float64Array[],
  labels: readonly boolean[],
  l2: number,
  start?: { weights: readonly number[]; intercept: number },
  maxIterations = 50,
): LogisticFit {
  const n = labels.length;
  const d = columns.length;
  const size = d + 1; // the intercept last, unpenalised
  // Row-major copy with the intercept's column of ones: the inner loops read rows.
  const x = new Float64Array(n * size);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * size + j] = (columns[j] as Float64Array)[i] as number;
    x[i * size + d] = 1;
  }
  const y = Float64Array.from(labels, (label) => (label ? 1 : 0));
  const beta = new Float64Array(size);
  if (start) {
    start.weights.forEach((w, j) => (beta[j] = w));
    beta[d] = start.intercept;
  } else {
    beta[d] = n === 0 ? 0 : logit(y.reduce((a, b) => a + b, 0) / n);
  }
  const linear = (b: Float64Array, i: number): number => {
    let z = 0;
    for (let j = 0, o = i * size; j < size; j++) z += (b[j] as number) * (x[o + j] as number);
    return z;
  };
  /** Summed log-loss plus the L2 penalty. */
  const objective = (b: Float64Array): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const z = linear(b, i);
      // log(1 + e^z) - y·z, written to stay finite for large |z|.
      total += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - (y[i] as number) * z;
    }
    for (let j = 0; j < d; j++) total += (l2 / 2) * (b[j] as number) ** 2;
    return total;
  };

  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gradient = new Float64Array(size);
    const hessian = new Float64Array(size * size); // lower triangle, then mirrored
    for (let i = 0; i < n; i++) {
      const o = i * size;
      const p = 1 / (1 + Math.exp(-linear(beta, i)));
      const r = p - (y[i] as number);
      const w = p * (1 - p);
      for (let j = 0; j < size; j++) {
        const xj = x[o + j] as number;
        if (xj === 0) continue;
        gradient[j] = (gradient[j] as number) + r * xj;
        const wx = w * xj;
        for (let l = 0, h = j * size; l <= j; l++) hessian[h + l] = (hessian[h + l] as number) + wx * (x[o + l] as number);
      }
    }
    const rows: Float64Array[] = [];
    for (let j = 0; j < size; j++) {
      for (let l = 0; l < j; l++) hessian[l * size + j] = hessian[j * size + l] as number;
      if (j < d) {
        gradient[j] = (gradient[j] as number) + l2 * (beta[j] as number);
        hessian[j * size + j] = (hessian[j * size + j] as number) + l2;
      }
      // A column that is all zeros (a term nothing triggers) would make the system singular.
      hessian[j * size + j] = (hessian[j * size + j] as number) + 1e-9;
    }
    for (let j = 0; j < size; j++) rows.push(hessian.subarray(j * size, (j + 1) * size));
    const step = solve(rows, gradient);
    // Newton's full step can overshoot while the weights are far from the optimum (nearly
    // separable data); halve it until the penalised loss goes down.
    const current = objective(beta);
    let scale = 1;
    let candidate = beta.map((b, j) => b - (step[j] as number));
    while (objective(candidate) > current && scale > 1e-6) {
      scale /= 2;
      candidate = beta.map((b, j) => b - scale * (step[j] as number));
    }
    let largest = 0;
    for (let j = 0; j < size; j++) largest = Math.max(largest, Math.abs((candidate[j] as number) - (beta[j] as number)));
    beta.set(candidate);
    if (largest < 1e-7) {
      iterations++;
      break;
    }
  }
  let loss = objective(beta);
  for (let j = 0; j < d; j++) loss -= (l2 / 2) * (beta[j] as number) ** 2;
  return { weights: Array.from(beta.subarray(0, d)), intercept: beta[d] as number, iterations, logLoss: n === 0 ? 0 : loss / n };
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (A is small and dense). */
function solve(matrix: readonly Float64Array[], vector: Float64Array): number[] {
  const size = vector.length;
  const a: number[][] = matrix.map((row) => Array.from(row));
  const b: number[] = Array.from(vector);
  const at = (r: number, c: number) => (a[r] as number[])[c] as number;
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let r = col + 1; r < size; r++) if (Math.abs(at(r, col)) > Math.abs(at(pivot, col))) pivot = r;
    const pivotRow = a[pivot] as number[];
    a[pivot] = a[col] as number[];
    a[col] = pivotRow;
    const pivotValue = b[pivot] as number;
    b[pivot] = b[col] as number;
    b[col] = pivotValue;
    for (let r = col + 1; r < size; r++) {
      const target = a[r] as number[];
      const factor = (target[col] as number) / (pivotRow[col] as number);
      if (factor === 0) continue;
      for (let c = col; c < size; c++) target[c] = (target[c] as number) - factor * (pivotRow[c] as number);
      b[r] = (b[r] as number) - factor * pivotValue;
    }
  }
  const out: number[] = new Array<number>(size).fill(0);
  for (let r = size - 1; r >= 0; r--) {
    let sum = b[r] as number;
    for (let c = r + 1; c < size; c++) sum -= at(r, c) * (out[c] as number);
    out[r] = sum / at(r, r);
  }
  return out;
}
