import type { RandomSource } from '../identity/seeded-random.ts';
import { logit, sigmoid, softplus } from './logistic-regression.model.ts';
import type { FeatureMatrix } from './tabular-features.ts';

/*
 * Gradient-boosted regression trees for binary log-loss (the XGBoost/LightGBM recipe, small): each tree fits
 * the loss's gradient g = p − y and Hessian h = p(1 − p) with depth-limited, histogram-binned splits
 * (gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)), leaf value −η·G/(H+λ), on a random subsample of rows.
 * Feature values are cut into at most `maxBins` quantile bins on the training rows; a split sends a row
 * left when its value is ≤ the split threshold.
 *
 * Every node, not only leaves, keeps the value it would have as a leaf. That gives the path-based
 * (Saabas) attribution: a row's log-odds = initial log-odds + Σ trees root value + Σ along its path
 * (child value − parent value), the difference credited to the parent's split feature. It is exact.
 */

export type GradientBoostedTreesOptions = {
  readonly trees?: number;
  readonly maxDepth?: number;
  /** Shrinkage η (default 0.05). */
  readonly learningRate?: number;
  /** Share of rows each tree sees (default 0.8). */
  readonly subsample?: number;
  /** At most 255. */
  readonly maxBins?: number;
  /** λ on leaf values (default 1). */
  readonly l2?: number;
  /** Least Σh in a child (default 1). */
  readonly minChildWeight?: number;
  /** Least rows in a child (default 10). */
  readonly minSamplesLeaf?: number;
  /**
   * The features trees may split on (default all). Leaving out features that are monotone transforms of
   * another (a log or spline term of the same value) saves time: a split on them is a split on that value.
   */
  readonly splitFeatures?: readonly number[];
  /**
   * Held-out rows watched while training: boosting stops once their log-loss has not improved for
   * `patience` rounds. The rounds after the best are kept (see `boostedLossCurve`, `firstTrees`).
   */
  readonly earlyStopping?: {
    readonly x: FeatureMatrix;
    readonly y: ArrayLike<number>;
    readonly patience: number;
  };
};

/** Flat node arrays; node 0 is the root, `feature` −1 marks a leaf. */
export type RegressionTree = {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
};

export type GradientBoostedTreesModel = {
  readonly featureCount: number;
  readonly initialLogOdds: number;
  readonly trees: readonly RegressionTree[];
};

export class GradientBoostingInputError extends Error {
  override readonly name = 'GradientBoostingInputError';
}

/** Ascending cut points: bin(x) = number of cut points below x; bin ≤ b ⇔ x ≤ cuts[b]. */
const cutPoints = (column: Float64Array, maxBins: number): Float64Array => {
  const sorted = Float64Array.from(column).sort();
  const unique: number[] = [];
  for (const v of sorted) if (unique.length === 0 || v !== unique[unique.length - 1]) unique.push(v);
  const cuts: number[] = [];
  if (unique.length <= maxBins) {
    for (let k = 0; k + 1 < unique.length; k++) cuts.push(((unique[k] ?? 0) + (unique[k + 1] ?? 0)) / 2);
    return Float64Array.from(cuts);
  }
  for (let q = 1; q < maxBins; q++) {
    const v = sorted[Math.floor((q * sorted.length) / maxBins)] ?? 0;
    // Cut between v and the next larger distinct value.
    let lo = 0;
    let hi = unique.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((unique[mid] ?? 0) <= v) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= unique.length) continue;
    const cut = (v + (unique[lo] ?? 0)) / 2;
    if (cuts.length === 0 || cut > (cuts[cuts.length - 1] ?? 0)) cuts.push(cut);
  }
  return Float64Array.from(cuts);
};

const binOf = (cuts: Float64Array, x: number): number => {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cuts[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

type GrowingNode = {
  readonly id: number;
  readonly rows: Int32Array;
  readonly depth: number;
  /** Σg, Σh, count per (feature, bin), interleaved: [3·(j·B + b) + 0 | 1 | 2]. */
  readonly hist: Float64Array;
  readonly G: number;
  readonly H: number;
};

/** Fits on the matrix's rows with 0/1 labels `y`; `random` drives the row subsampling. */
export const fitGradientBoostedTrees = (
  x: FeatureMatrix,
  y: ArrayLike<number>,
  random: RandomSource,
  options: GradientBoostedTreesOptions = {},
): GradientBoostedTreesModel => {
  const n = x.rowCount;
  const p = x.featureCount;
  if (y.length !== n) throw new GradientBoostingInputError(`${n} rows but ${y.length} labels`);
  const treeCount = options.trees ?? 400;
  const maxDepth = options.maxDepth ?? 1;
  const eta = options.learningRate ?? 0.1;
  const subsample = options.subsample ?? 0.8;
  const maxBins = Math.min(255, Math.max(2, options.maxBins ?? 32));
  const lambda = options.l2 ?? 1;
  const minChildWeight = options.minChildWeight ?? 1;
  const minSamplesLeaf = options.minSamplesLeaf ?? 10;
  const usable = options.splitFeatures ?? [...Array(p).keys()];
  if (usable.some((j) => !Number.isInteger(j) || j < 0 || j >= p))
    throw new GradientBoostingInputError(`split features must be positions below ${p}`);

  // Bin every usable feature (u-th: usable[u]); bins are row-major so a row's bins are adjacent while
  // building histograms. Below, u indexes usable features and the trees store the matrix's feature index.
  const B = maxBins;
  const q = usable.length;
  const cuts: Float64Array[] = [];
  const bins = new Uint8Array(n * q);
  const column = new Float64Array(n);
  usable.forEach((j, u) => {
    for (let i = 0; i < n; i++) column[i] = x.values[i * p + j] ?? 0;
    const c = cutPoints(column, maxBins);
    cuts.push(c);
    for (let i = 0; i < n; i++) bins[i * q + u] = binOf(c, column[i] ?? 0);
  });

  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i] === 1 ? 1 : 0;
  const initialLogOdds = logit((positives + 0.5) / (n + 1));
  const score = new Float64Array(n).fill(initialLogOdds);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const size = 3 * q * B;

  const histogram = (rows: Int32Array): Float64Array => {
    const hist = new Float64Array(size);
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k] ?? 0;
      const gi = g[i] ?? 0;
      const hi = h[i] ?? 0;
      const base = i * q;
      for (let u = 0; u < q; u++) {
        const at = 3 * (u * B + (bins[base + u] ?? 0));
        hist[at] = (hist[at] ?? 0) + gi;
        hist[at + 1] = (hist[at + 1] ?? 0) + hi;
        hist[at + 2] = (hist[at + 2] ?? 0) + 1;
      }
    }
    return hist;
  };

  const watch = options.earlyStopping;
  if (watch && (watch.x.featureCount !== p || watch.y.length !== watch.x.rowCount))
    throw new GradientBoostingInputError(
      `early-stopping rows: ${watch.x.rowCount} × ${watch.x.featureCount} with ${watch.y.length} labels for ${p} features`,
    );
  const watched = new Float64Array(watch?.x.rowCount ?? 0).fill(initialLogOdds);
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestRound = 0;

  const trees: RegressionTree[] = [];
  for (let t = 0; t < treeCount; t++) {
    for (let i = 0; i < n; i++) {
      const q = sigmoid(score[i] ?? 0);
      g[i] = q - (y[i] === 1 ? 1 : 0);
      h[i] = Math.max(q * (1 - q), 1e-16);
    }
    const sampled: number[] = [];
    let G0 = 0;
    let H0 = 0;
    for (let i = 0; i < n; i++)
      if (subsample >= 1 || random() < subsample) {
        sampled.push(i);
        G0 += g[i] ?? 0;
        H0 += h[i] ?? 0;
      }
    const feature: number[] = [];
    const threshold: number[] = [];
    const splitBin: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const value: number[] = [];
    const addNode = (G: number, H: number): number => {
      feature.push(-1);
      threshold.push(0);
      splitBin.push(0);
      left.push(-1);
      right.push(-1);
      value.push((-eta * G) / (H + lambda));
      return value.length - 1;
    };
    const rootRows = Int32Array.from(sampled);
    const queue: GrowingNode[] =
      maxDepth > 0 && rootRows.length >= 2 * minSamplesLeaf
        ? [{ id: addNode(G0, H0), rows: rootRows, depth: 0, hist: histogram(rootRows), G: G0, H: H0 }]
        : [];
    if (queue.length === 0) addNode(G0, H0);
    while (queue.length > 0) {
      const node = queue.shift() as GrowingNode;
      const { hist, G, H } = node;
      const C = node.rows.length;
      const parentScore = (G * G) / (H + lambda);
      let bestGain = 1e-9;
      let bestFeature = -1;
      let bestBin = 0;
      let bestGL = 0;
      let bestHL = 0;
      for (let u = 0; u < q; u++) {
        const last = (cuts[u]?.length ?? 0) - 1;
        let GL = 0;
        let HL = 0;
        let CL = 0;
        for (let b = 0; b <= last; b++) {
          const at = 3 * (u * B + b);
          GL += hist[at] ?? 0;
          HL += hist[at + 1] ?? 0;
          CL += hist[at + 2] ?? 0;
          if (CL < minSamplesLeaf || HL < minChildWeight) continue;
          const HR = H - HL;
          if (C - CL < minSamplesLeaf || HR < minChildWeight) break;
          const GR = G - GL;
          const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = u;
            bestBin = b;
            bestGL = GL;
            bestHL = HL;
          }
        }
      }
      if (bestFeature < 0) continue;
      const leftRows: number[] = [];
      const rightRows: number[] = [];
      for (const i of node.rows) ((bins[i * q + bestFeature] ?? 0) <= bestBin ? leftRows : rightRows).push(i);
      const l = Int32Array.from(leftRows);
      const r = Int32Array.from(rightRows);
      const li = addNode(bestGL, bestHL);
      const ri = addNode(G - bestGL, H - bestHL);
      feature[node.id] = bestFeature;
      threshold[node.id] = cuts[bestFeature]?.[bestBin] ?? 0;
      splitBin[node.id] = bestBin;
      left[node.id] = li;
      right[node.id] = ri;
      const depth = node.depth + 1;
      const growLeft = depth < maxDepth && l.length >= 2 * minSamplesLeaf;
      const growRight = depth < maxDepth && r.length >= 2 * minSamplesLeaf;
      if (!growLeft && !growRight) continue;
      // Histogram of the smaller child; the larger one's is the parent's minus it.
      const smallIsLeft = l.length <= r.length;
      const smallHist = histogram(smallIsLeft ? l : r);
      const largeHist = new Float64Array(size);
      for (let k = 0; k < size; k++) largeHist[k] = (hist[k] ?? 0) - (smallHist[k] ?? 0);
      if (growLeft)
        queue.push({
          id: li,
          rows: l,
          depth,
          hist: smallIsLeft ? smallHist : largeHist,
          G: bestGL,
          H: bestHL,
        });
      if (growRight)
        queue.push({
          id: ri,
          rows: r,
          depth,
          hist: smallIsLeft ? largeHist : smallHist,
          G: G - bestGL,
          H: H - bestHL,
        });
    }
    // Update every row's score (sampled or not) through the new tree.
    for (let i = 0; i < n; i++) {
      let k = 0;
      while ((feature[k] ?? -1) >= 0) {
        const u = feature[k] ?? 0;
        k = (bins[i * q + u] ?? 0) <= (splitBin[k] ?? 0) ? (left[k] ?? 0) : (right[k] ?? 0);
      }
      score[i] = (score[i] ?? 0) + (value[k] ?? 0);
    }
    const tree: RegressionTree = {
      feature: Int32Array.from(feature, (u) => (u < 0 ? -1 : (usable[u] ?? -1))),
      threshold: Float64Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value: Float64Array.from(value),
    };
    trees.push(tree);
    if (watch) {
      let loss = 0;
      for (let i = 0; i < watched.length; i++) {
        const z = (watched[i] ?? 0) + (tree.value[leafOf(tree, watch.x.values, i * p)] ?? 0);
        watched[i] = z;
        loss += softplus(watch.y[i] === 1 ? -z : z);
      }
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRound = t;
      } else if (t - bestRound >= watch.patience) break;
    }
  }
  return { featureCount: p, initialLogOdds, trees };
};

const leafOf = (tree: RegressionTree, values: ArrayLike<number>, offset: number): number => {
  let k = 0;
  while ((tree.feature[k] ?? -1) >= 0) {
    const j = tree.feature[k] ?? 0;
    k = (values[offset + j] ?? 0) <= (tree.threshold[k] ?? 0) ? (tree.left[k] ?? 0) : (tree.right[k] ?? 0);
  }
  return k;
};

/** Log-odds of one row (its features at `values[offset …]`). */
export const boostedLogOdds = (
  model: GradientBoostedTreesModel,
  values: ArrayLike<number>,
  offset = 0,
): number => {
  let z = model.initialLogOdds;
  for (const tree of model.trees) z += tree.value[leafOf(tree, values, offset)] ?? 0;
  return z;
};

/**
 * Σ log-loss of the matrix's rows after each number of trees: entry t is the loss of the model's first t
 * trees (entry 0: the initial log-odds alone). Boosting is sequential, so the first t trees are exactly the
 * model trained for t rounds: one fit with a held-out curve chooses the number of rounds (early stopping).
 */
export const boostedLossCurve = (
  model: GradientBoostedTreesModel,
  x: FeatureMatrix,
  y: ArrayLike<number>,
): Float64Array => {
  if (y.length !== x.rowCount)
    throw new GradientBoostingInputError(`${x.rowCount} rows but ${y.length} labels`);
  const p = x.featureCount;
  const curve = new Float64Array(model.trees.length + 1);
  for (let i = 0; i < x.rowCount; i++) {
    const sign = y[i] === 1 ? -1 : 1;
    let z = model.initialLogOdds;
    curve[0] = (curve[0] ?? 0) + softplus(sign * z);
    model.trees.forEach((tree, t) => {
      z += tree.value[leafOf(tree, x.values, i * p)] ?? 0;
      curve[t + 1] = (curve[t + 1] ?? 0) + softplus(sign * z);
    });
  }
  return curve;
};

/** The model cut to its first `count` trees (what `count` rounds of training would have given). */
export const firstTrees = (model: GradientBoostedTreesModel, count: number): GradientBoostedTreesModel => ({
  ...model,
  trees: model.trees.slice(0, Math.max(0, count)),
});

/** The model's log-odds for a row-independent baseline: initial log-odds + Σ root values. */
export const boostedBaseLogOdds = (model: GradientBoostedTreesModel): number =>
  model.trees.reduce((z, tree) => z + (tree.value[0] ?? 0), model.initialLogOdds);

/**
 * Path-based (Saabas) per-feature contributions of one row: boostedBaseLogOdds + Σ contributions equals
 * boostedLogOdds for the row.
 */
export const boostedContributions = (
  model: GradientBoostedTreesModel,
  values: ArrayLike<number>,
  offset = 0,
): Float64Array => {
  const out = new Float64Array(model.featureCount);
  for (const tree of model.trees) {
    let k = 0;
    while ((tree.feature[k] ?? -1) >= 0) {
      const j = tree.feature[k] ?? 0;
      const next =
        (values[offset + j] ?? 0) <= (tree.threshold[k] ?? 0) ? (tree.left[k] ?? 0) : (tree.right[k] ?? 0);
      out[j] = (out[j] ?? 0) + (tree.value[next] ?? 0) - (tree.value[k] ?? 0);
      k = next;
    }
  }
  return out;
};
