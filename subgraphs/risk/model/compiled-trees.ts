/**
 * Boosted trees laid out for scoring: every node of every tree in flat typed arrays, a node's two
 * children side by side (so a step is the first child plus whether x goes right, without a
 * branch the processor could mispredict), and each leaf's path attribution (gbdt.ts, attribute)
 * worked out once, when the scorer is built. Scoring walks each tree once and remembers the
 * leaves; explaining adds up the leaves' stored contributions instead of walking the paths again.
 */
import type { TreeEnsemble } from './gbdt';

export interface CompiledTrees {
  /** The bias plus every tree's root value: what attribution starts from. */
  baseline: number;
  trees: number;
  /**
   * The ensemble's logit for x (without any offset it was fitted on), as predictLogit; writes
   * the leaf each tree sends x to into leaves (one slot per tree).
   */
  predict(x: ArrayLike<number>, leaves: Int32Array): number;
  /** Adds each feature's share of the leaves' values (as attribute) into contributions. */
  attribute(leaves: Int32Array, contributions: Float64Array): void;
}

export function compileTrees(ensemble: TreeEnsemble): CompiledTrees {
  const size = ensemble.trees.reduce((sum, tree) => sum + tree.feature.length, 0);
  const roots = new Int32Array(ensemble.trees.length);
  const feature = new Int32Array(size);
  const threshold = new Float64Array(size);
  /** The left child; the right one follows it. */
  const firstChild = new Int32Array(size);
  const value = new Float64Array(size);
  // Per leaf, its path's contributions: features[pathStart[node], pathEnd[node]) with their deltas.
  const pathStart = new Int32Array(size);
  const pathEnd = new Int32Array(size);
  const pathFeature: number[] = [];
  const pathDelta: number[] = [];
  let baseline = ensemble.bias;

  let next = 0;
  ensemble.trees.forEach((tree, t) => {
    roots[t] = next++;
    baseline += tree.value[0] as number;
    // Depth first from the root, carrying what each feature has moved the value so far.
    const place = (node: number, at: number, moved: Map<number, number>): void => {
      const f = tree.feature[node] as number;
      feature[at] = f;
      threshold[at] = tree.threshold[node] as number;
      value[at] = tree.value[node] as number;
      if (f < 0) {
        pathStart[at] = pathFeature.length;
        for (const [pathFeatureIndex, delta] of moved) {
          if (delta === 0) continue;
          pathFeature.push(pathFeatureIndex);
          pathDelta.push(delta);
        }
        pathEnd[at] = pathFeature.length;
        return;
      }
      const first = next;
      next += 2;
      firstChild[at] = first;
      [tree.left[node] as number, tree.right[node] as number].forEach((child, side) => {
        const step = new Map(moved);
        step.set(f, (step.get(f) ?? 0) + (tree.value[child] as number) - (tree.value[node] as number));
        place(child, first + side, step);
      });
    };
    place(0, roots[t] as number, new Map());
  });
  const features = Int32Array.from(pathFeature);
  const deltas = Float64Array.from(pathDelta);

  return {
    baseline,
    trees: roots.length,
    predict(x, leaves) {
      let z = ensemble.bias;
      for (let t = 0; t < roots.length; t++) {
        let node = roots[t] as number;
        for (let f = feature[node] as number; f >= 0; f = feature[node] as number) {
          // NaN compares false, so a missing value goes left, as when learning.
          node = (firstChild[node] as number) + Number((x[f] as number) > (threshold[node] as number));
        }
        leaves[t] = node;
        z += value[node] as number;
      }
      return z;
    },
    attribute(leaves, contributions) {
      for (let t = 0; t < leaves.length; t++) {
        const leaf = leaves[t] as number;
        for (let p = pathStart[leaf] as number, end = pathEnd[leaf] as number; p < end; p++) {
          const f = features[p] as number;
          contributions[f] = (contributions[f] as number) + (deltas[p] as number);
        }
      }
    },
  };
}
