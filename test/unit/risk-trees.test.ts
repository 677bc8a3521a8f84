import { describe, expect, it } from 'vitest';
import { compileTrees } from '../../subgraphs/risk/model/compiled-trees';
import type { FilingFeatures, ItemFeatures, LabelledFiling } from '../../subgraphs/risk/model/features';
import { attribute, binColumns, fitBoostedTrees, predictLogit, type BoostOptions, type Tree } from '../../subgraphs/risk/model/gbdt';
import { auc } from '../../subgraphs/risk/model/metrics';
import { createScorer, priceFacts } from '../../subgraphs/risk/model/score';
import { learn } from '../../subgraphs/risk/model/train';
import { AMOUNT_FEATURES, amountFeatures } from '../../subgraphs/risk/model/tree-features';

const SMALL: BoostOptions = { trees: 20, learningRate: 0.3, maxDepth: 3, minLeafSize: 10, l2: 1, bins: 16 };

/** Deterministic stand-ins for noise: the fractional parts of i·φ and of i·√2, unrelated to each other. */
const noise = (i: number) => (i * 0.6180339887) % 1;
const otherNoise = (i: number) => (i * Math.SQRT2) % 1;

/** Examples of two features: the first is noise, the second decides the label (above 0.5). */
function separable(n: number): { columns: Float64Array[]; labels: boolean[] } {
  const first = Float64Array.from({ length: n }, (_, i) => noise(i));
  const second = Float64Array.from({ length: n }, (_, i) => noise(i * 7 + 3));
  return { columns: [first, second], labels: Array.from(second, (v) => v > 0.5) };
}

/** Examples in each leaf of a tree, by walking every example down it. */
function leafSizes(tree: Tree, columns: readonly Float64Array[]): Map<number, number> {
  const sizes = new Map<number, number>();
  for (let i = 0; i < (columns[0]?.length ?? 0); i++) {
    let node = 0;
    while ((tree.feature[node] as number) >= 0) {
      const x = (columns[tree.feature[node] as number] as Float64Array)[i] as number;
      node = x > (tree.threshold[node] as number) ? (tree.right[node] as number) : (tree.left[node] as number);
    }
    sizes.set(node, (sizes.get(node) ?? 0) + 1);
  }
  return sizes;
}

describe('boosted trees', () => {
  it('splits on the feature that separates irregular filings best', () => {
    const ensemble = fitBoostedTrees(separable(400), SMALL);
    const root = ensemble.trees[0]!;
    expect(root.feature[0]).toBe(1);
    expect(root.threshold[0]).toBeGreaterThan(0.4);
    expect(root.threshold[0]).toBeLessThan(0.6);
    expect(predictLogit(ensemble, [0.5, 0.9])).toBeGreaterThan(2);
    expect(predictLogit(ensemble, [0.5, 0.1])).toBeLessThan(-2);
  });

  it('starts from the log-odds of the labels, and adds nothing to an offset that already explains them', () => {
    const data = separable(400);
    expect(fitBoostedTrees(data, { ...SMALL, trees: 0 }).bias).toBeCloseTo(
      Math.log(data.labels.filter(Boolean).length / data.labels.filter((l) => !l).length),
      12,
    );
    const offset = Float64Array.from(data.labels, (label) => (label ? 30 : -30));
    const ensemble = fitBoostedTrees({ ...data, offset }, SMALL);
    expect(ensemble.bias).toBe(0);
    for (const tree of ensemble.trees) for (const value of tree.value) expect(Math.abs(value)).toBeLessThan(1e-6);
  });

  it('leaves no fewer examples in a leaf than it is told', () => {
    const data = separable(300);
    const ensemble = fitBoostedTrees(data, { ...SMALL, minLeafSize: 40 });
    for (const tree of ensemble.trees) for (const size of leafSizes(tree, data.columns).values()) expect(size).toBeGreaterThanOrEqual(40);
  });

  it('grows no deeper than it is told', () => {
    const ensemble = fitBoostedTrees(separable(400), { ...SMALL, maxDepth: 2 });
    // A complete tree of depth 2 has 7 nodes.
    for (const tree of ensemble.trees) expect(tree.feature.length).toBeLessThanOrEqual(7);
  });

  it('splits a prediction exactly into a baseline and one contribution per feature', () => {
    const data = separable(400);
    const ensemble = fitBoostedTrees(data, SMALL);
    for (const x of [
      [0.1, 0.9],
      [0.7, 0.2],
      [Number.NaN, 0.55],
    ]) {
      const { baseline, contributions } = attribute(ensemble, x, 2);
      expect(baseline + contributions[0]! + contributions[1]!).toBeCloseTo(predictLogit(ensemble, x), 12);
    }
    // The noise feature moves predictions far less than the deciding one.
    const { contributions } = attribute(ensemble, [0.3, 0.9], 2);
    expect(Math.abs(contributions[1]!)).toBeGreaterThan(5 * Math.abs(contributions[0]!));
  });

  it("scores and explains the same laid out for scoring, each leaf's path worked out once", () => {
    const ensemble = fitBoostedTrees(separable(400), { ...SMALL, maxDepth: 4 });
    const compiled = compileTrees(ensemble);
    const leaves = new Int32Array(compiled.trees);
    for (let i = 0; i < 200; i++) {
      const x = [noise(i * 3 + 1), i % 17 === 0 ? Number.NaN : otherNoise(i)];
      expect(compiled.predict(x, leaves)).toBe(predictLogit(ensemble, x));
      const walked = attribute(ensemble, x, 2);
      const summed = new Float64Array(2);
      compiled.attribute(leaves, summed);
      expect(compiled.baseline).toBeCloseTo(walked.baseline, 12);
      expect(summed[0]).toBeCloseTo(walked.contributions[0]!, 12);
      expect(summed[1]).toBeCloseTo(walked.contributions[1]!, 12);
    }
  });

  it('sends a missing value where the lowest values go', () => {
    const data = separable(400);
    const ensemble = fitBoostedTrees(data, SMALL);
    expect(predictLogit(ensemble, [0.5, Number.NaN])).toBe(predictLogit(ensemble, [0.5, -1]));
  });

  it('learns the same trees from the same examples, and is plain data', () => {
    const a = fitBoostedTrees(separable(300), SMALL);
    const b = fitBoostedTrees(separable(300), SMALL);
    expect(b).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('bins a column into at most the bins asked for, one bin per value when there are fewer', () => {
    const many = Float64Array.from({ length: 1000 }, (_, i) => noise(i));
    const few = Float64Array.from({ length: 1000 }, (_, i) => i % 3);
    const { edges, bins } = binColumns([many, few], 16);
    expect(edges[0]!.length).toBeLessThanOrEqual(15);
    expect(Array.from(edges[1]!)).toEqual([0.5, 1.5]);
    expect(Array.from(bins.subarray(1000, 1003))).toEqual([0, 1, 2]);
  });
});

// ---------------------------------------------------------------------------

function item(valueEur: number, netMass = 10): ItemFeatures {
  return { itemNumber: 1, commodityCode: '61091000', originCountry: 'CN', netMass, grossMass: null, valueEur, licenceOutcomes: [] };
}

function filing(mrn: string, items: ItemFeatures[]): FilingFeatures {
  return {
    kind: 'DECLARATION',
    mrn,
    date: '2020-06-01',
    office: 'NL000030',
    transportMode: 'SEA',
    importer: `NL${mrn}`,
    declarant: 'NLDEC0001',
    seller: null,
    dispatchCountry: 'CN',
    routes: [],
    nationalData: {},
    items,
    importerAeo: [],
    recognisedBy: [],
  };
}

/**
 * One commodity (3 to 100 EUR/kg, median about 18) whose irregular filings are those at 6 to 10
 * and at 30 to 50 EUR/kg: neither the cheapest nor the dearest nor those near the median, so no
 * weight on the distance below or above the band's median can single them out. Masses spread
 * over two decades, so neither the value nor the mass band gives the price away, and no exact
 * amount repeats.
 */
function middlePriced(count: number, offset = 0): LabelledFiling[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + offset;
    const perKg = 10 ** (0.5 + 1.5 * noise(i)) + i * 1e-6;
    const netMass = 10 ** (2 * otherNoise(i));
    return {
      features: filing(`MRN${String(i).padStart(6, '0')}`, [item(perKg * netMass, netMass)]),
      irregular: (perKg >= 6 && perKg < 10) || (perKg >= 30 && perKg < 50),
    };
  });
}

describe('a model with trees', () => {
  const trees = { minLeafSize: 20 };

  it('finds a price range that the regression alone cannot see', () => {
    const history = middlePriced(600);
    const holdout = middlePriced(300, 10_000);
    const ranking = (model: ReturnType<typeof learn>) => {
      const scorer = createScorer(model);
      return auc(
        holdout.map((f) => scorer.logit(f.features)),
        holdout.map((f) => f.irregular),
      );
    };
    // Without the amount-band profiles, which would approximate the range band by band.
    const dimensions = ['importer', 'hs6'];
    expect(ranking(learn(history, { folds: 5, dimensions, trees: false }))).toBeLessThan(0.75);
    expect(ranking(learn(history, { folds: 5, dimensions, trees }))).toBeGreaterThan(0.95);
  });

  it('explains every score by reasons that, with the intercept, add up to its logit', () => {
    const model = learn(middlePriced(600), { folds: 5, trees });
    const scorer = createScorer(model);
    const codes = new Set<string>();
    for (const { features } of middlePriced(50, 20_000)) {
      const score = scorer.score(features);
      const sum = score.contributions.reduce((total, c) => total + c.weight, score.intercept);
      expect(sum).toBeCloseTo(score.logit, 9);
      for (const c of score.contributions) codes.add(c.code);
    }
    // The trees' shares show under the amount they split on.
    expect([...codes].some((code) => ['VALUE_PER_KG', 'DECLARED_VALUE', 'FAIR_PRICE_UNDERVALUED', 'FAIR_PRICE_OVERVALUED'].includes(code))).toBe(true);
  });

  it('keeps scoring with its trees after incremental counts, and a model without trees as before', () => {
    const model = learn(middlePriced(600), { folds: 5, trees });
    expect(model.trees?.trees.length).toBeGreaterThan(0);
    const { trees: _dropped, ...withoutTrees } = model;
    const f = middlePriced(1, 30_000)[0]!.features;
    const linear = learn(middlePriced(600), { folds: 5, trees: false });
    expect(createScorer(withoutTrees).score(f)).toEqual(createScorer(linear).score(f));
  });
});

describe('amount features', () => {
  it('are the logs of the amounts and the position against the band, NaN where the item states none', () => {
    const model = learn(middlePriced(100), { folds: 5, trees: false });
    const stated = item(500, 10);
    const values = amountFeatures(stated, priceFacts(model.fairPrice, stated));
    expect(values).toHaveLength(AMOUNT_FEATURES.length);
    expect(values[1]).toBeCloseTo(Math.log10(50), 12);
    expect(values[2]).toBeCloseTo(Math.log10(500), 12);
    expect(values[3]).toBeCloseTo(1, 12);
    const band = priceFacts(model.fairPrice, stated).band!;
    expect(values[0]).toBeCloseTo(Math.log(50 / band.median), 12);

    const unstated: ItemFeatures = { ...stated, valueEur: null, netMass: null };
    expect(amountFeatures(unstated, priceFacts(model.fairPrice, unstated)).every(Number.isNaN)).toBe(true);
  });
});

describe('explaining a score', () => {
  it('lists, when asked for the largest few, exactly the head of the full explanation', () => {
    const model = learn(middlePriced(600), { folds: 5, trees: { minLeafSize: 20 } });
    const scorer = createScorer(model);
    for (const { features } of middlePriced(40, 50_000)) {
      const all = scorer.score(features).contributions.map(({ code, key, weight, evidence }) => ({ code, key, weight, evidence }));
      for (const [limit, minWeight] of [
        [3, 0],
        [8, 0.05],
        [1, 0.5],
        [50, 0],
      ] as const) {
        const listed = scorer.score(features, { limit, minWeight }).contributions.map(({ code, key, weight, evidence }) => ({ code, key, weight, evidence }));
        expect(listed).toEqual(all.filter((c) => Math.abs(c.weight) >= minWeight).slice(0, limit));
      }
    }
  });
});
