/**
 * Customer segments: k-means (k-means++ seeding, several restarts) over standardised features, k chosen by the
 * best mean silhouette, each cluster described in words, and names kept stable across retrains by matching new
 * centroids to the previous run's. Pure: randomness only through the injected generator.
 */
import { type RandomSource, seededRandom } from '../identity/seeded-random.ts';

export class SegmentationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegmentationInputError';
  }
}

export type Standardised = {
  /** Row-major z-scores; a column with zero spread is all 0. */
  readonly z: number[][];
  readonly means: number[];
  /** Population standard deviations; 0 for a constant column. */
  readonly sds: number[];
};

export type KMeansOptions = {
  /** Lloyd iterations per restart; default 100. */
  readonly maxIterations?: number;
  /** Independent k-means++ starts; the lowest inertia wins; default 5. */
  readonly restarts?: number;
};

export type KMeansResult = {
  readonly centroids: number[][];
  /** Cluster index (0…k−1) of every point; no cluster is empty. */
  readonly assignment: number[];
  /** Sum of squared distances of points to their centroids. */
  readonly inertia: number;
};

export type SilhouetteOptions = {
  /** At most this many points are scored (a seeded sample); default 2,000. */
  readonly sampleSize?: number;
  /** Drives the sample; default a fixed seed, so the score is reproducible. */
  readonly random?: RandomSource;
};

export type SegmentInputRow = {
  readonly customerId: string;
  readonly features: Readonly<Record<string, number>>;
};

/** What a later retrain needs to keep names: the name and the centroid in z-space, keyed by feature. */
export type PreviousSegment = {
  readonly name: string;
  readonly centroidZ: Readonly<Record<string, number>>;
};

/** Words for one feature's extremes, e.g. recencyDays → { high: 'lapsed', low: 'recent' }. */
export type FeatureLabels = { readonly high: string; readonly low: string };

export type SegmentOptions = {
  readonly kMin?: number;
  readonly kMax?: number;
  readonly random: RandomSource;
  readonly previous?: readonly PreviousSegment[];
  /** Optional wording; a feature without labels is described as "high <feature>" / "low <feature>". */
  readonly labels?: Readonly<Record<string, FeatureLabels>>;
  /** A new cluster farther than this (z-space, Euclidean) from every unused old centroid gets a fresh name. */
  readonly maxMatchDistance?: number;
  readonly maxIterations?: number;
  readonly restarts?: number;
  readonly silhouetteSampleSize?: number;
};

export type Segment = {
  readonly name: string;
  readonly size: number;
  readonly customerIds: string[];
  /** Centroid in the features' original units. */
  readonly centroid: Record<string, number>;
  /** Centroid in z-space: pass it back as `previous` on the next retrain. */
  readonly centroidZ: Record<string, number>;
  /** E.g. "high spend, low recencyDays"; "average" when no feature is ≥ 0.5 sd from the mean. */
  readonly description: string;
};

export type Segmentation = {
  readonly k: number;
  readonly silhouette: number;
  /** Mean silhouette of every k tried. */
  readonly silhouetteByK: Record<number, number>;
  readonly features: string[];
  readonly means: Record<string, number>;
  readonly sds: Record<string, number>;
  /** Largest first. */
  readonly segments: Segment[];
  /** Segment name of every customer. */
  readonly assignments: Record<string, string>;
};

/** |z| at or beyond which a feature is worth a word in a description. */
export const DESCRIPTION_Z_THRESHOLD = 0.5;

const at = <T>(xs: readonly T[], i: number): T => {
  const x = xs[i];
  if (x === undefined) throw new RangeError(`index ${i} out of range`);
  return x;
};

const squaredDistance = (a: readonly number[], b: readonly number[]): number => {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const d = at(a, j) - at(b, j);
    s += d * d;
  }
  return s;
};

const checkMatrix = (rows: readonly (readonly number[])[], what: string): number => {
  const first = rows[0];
  if (first === undefined) throw new SegmentationInputError(`${what}: no rows`);
  const width = first.length;
  for (const [i, row] of rows.entries()) {
    if (row.length !== width)
      throw new SegmentationInputError(`${what}: row ${i} has ${row.length} columns, expected ${width}`);
    for (const v of row)
      if (!Number.isFinite(v)) throw new SegmentationInputError(`${what}: row ${i} has a non-finite value`);
  }
  return width;
};

export const standardise = (rows: readonly (readonly number[])[]): Standardised => {
  const width = checkMatrix(rows, 'standardise');
  const n = rows.length;
  const means = Array.from({ length: width }, (_, j) => rows.reduce((s, r) => s + at(r, j), 0) / n);
  const sds = means.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (at(r, j) - m) ** 2, 0) / n));
  // A spread this small relative to the mean is rounding noise from a constant column.
  const spread = sds.map((sd, j) => (sd <= 1e-12 * Math.max(1, Math.abs(at(means, j))) ? 0 : sd));
  const z = rows.map((r) => r.map((v, j) => (at(spread, j) === 0 ? 0 : (v - at(means, j)) / at(spread, j))));
  return { z, means, sds: spread };
};

const kMeansPlusPlus = (
  points: readonly (readonly number[])[],
  k: number,
  random: RandomSource,
): number[][] => {
  const n = points.length;
  const centroids: number[][] = [[...at(points, Math.floor(random() * n))]];
  const nearest = points.map((p) => squaredDistance(p, at(centroids, 0)));
  while (centroids.length < k) {
    const total = nearest.reduce((s, d) => s + d, 0);
    let chosen = n - 1;
    if (total > 0) {
      let target = random() * total;
      for (let i = 0; i < n; i++) {
        target -= at(nearest, i);
        if (target < 0) {
          chosen = i;
          break;
        }
      }
    } else {
      chosen = Math.floor(random() * n);
    }
    const c = [...at(points, chosen)];
    centroids.push(c);
    for (let i = 0; i < n; i++) nearest[i] = Math.min(at(nearest, i), squaredDistance(at(points, i), c));
  }
  return centroids;
};

const lloyd = (
  points: readonly (readonly number[])[],
  k: number,
  random: RandomSource,
  maxIterations: number,
): KMeansResult => {
  const n = points.length;
  const width = at(points, 0).length;
  let centroids = kMeansPlusPlus(points, k, random);
  const assignment = new Array<number>(n).fill(-1);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      const p = at(points, i);
      const current = at(assignment, i);
      let best = current;
      let bestD = current >= 0 ? squaredDistance(p, at(centroids, current)) : Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const d = squaredDistance(p, at(centroids, c));
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      if (best !== current) {
        assignment[i] = best;
        changed = true;
      }
    }
    // Empty-cluster repair: hand each empty cluster the point farthest from its centroid (from a cluster of 2+).
    const counts = new Array<number>(k).fill(0);
    for (const a of assignment) counts[a] = at(counts, a) + 1;
    for (let c = 0; c < k; c++) {
      if (at(counts, c) > 0) continue;
      let far = -1;
      let farD = -1;
      for (let i = 0; i < n; i++) {
        const a = at(assignment, i);
        if (at(counts, a) < 2) continue;
        const d = squaredDistance(at(points, i), at(centroids, a));
        if (d > farD) {
          farD = d;
          far = i;
        }
      }
      const from = at(assignment, far);
      counts[from] = at(counts, from) - 1;
      counts[c] = 1;
      assignment[far] = c;
      centroids[c] = [...at(points, far)];
      changed = true;
    }
    const sums = Array.from({ length: k }, () => new Array<number>(width).fill(0));
    for (let i = 0; i < n; i++) {
      const s = at(sums, at(assignment, i));
      const p = at(points, i);
      for (let j = 0; j < width; j++) s[j] = at(s, j) + at(p, j);
    }
    centroids = sums.map((s, c) => s.map((v) => v / at(counts, c)));
    if (!changed) break;
  }
  const inertia = points.reduce((s, p, i) => s + squaredDistance(p, at(centroids, at(assignment, i))), 0);
  return { centroids, assignment, inertia };
};

export const kMeans = (
  points: readonly (readonly number[])[],
  k: number,
  random: RandomSource,
  options: KMeansOptions = {},
): KMeansResult => {
  checkMatrix(points, 'kMeans');
  const { maxIterations = 100, restarts = 5 } = options;
  if (!Number.isInteger(k) || k < 1)
    throw new SegmentationInputError(`kMeans: k must be a positive integer, got ${k}`);
  if (k > points.length) throw new SegmentationInputError(`kMeans: k = ${k} exceeds ${points.length} points`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    throw new SegmentationInputError('kMeans: maxIterations must be ≥ 1');
  if (!Number.isInteger(restarts) || restarts < 1)
    throw new SegmentationInputError('kMeans: restarts must be ≥ 1');
  let best: KMeansResult | undefined;
  for (let r = 0; r < restarts; r++) {
    const run = lloyd(points, k, random, maxIterations);
    if (best === undefined || run.inertia < best.inertia) best = run;
  }
  if (best === undefined) throw new SegmentationInputError('kMeans: no run');
  return best;
};

const sampleIndices = (n: number, size: number, random: RandomSource): number[] => {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (n <= size) return idx;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = at(idx, i);
    idx[i] = at(idx, j);
    idx[j] = t;
  }
  return idx.slice(0, size);
};

/**
 * Mean silhouette, (b − a) / max(a, b) per point with Euclidean distances, over a seeded sample of at most
 * `sampleSize` points (both the scored points and their neighbours come from the sample). A point alone in its
 * cluster scores 0. Needs at least two clusters.
 */
export const silhouette = (
  points: readonly (readonly number[])[],
  assignment: readonly number[],
  options: SilhouetteOptions = {},
): number => {
  checkMatrix(points, 'silhouette');
  if (assignment.length !== points.length)
    throw new SegmentationInputError('silhouette: one cluster label per point');
  if (new Set(assignment).size < 2)
    throw new SegmentationInputError('silhouette: needs at least two clusters');
  const { sampleSize = 2000, random = seededRandom(0x5e9) } = options;
  const sample = sampleIndices(points.length, sampleSize, random);
  const labels = [...new Set(sample.map((i) => at(assignment, i)))];
  if (labels.length < 2) return 0;
  const slot = new Map(labels.map((l, s) => [l, s]));
  const counts = new Array<number>(labels.length).fill(0);
  for (const i of sample) {
    const s = slot.get(at(assignment, i)) ?? 0;
    counts[s] = at(counts, s) + 1;
  }
  let total = 0;
  for (const i of sample) {
    const sums = new Array<number>(labels.length).fill(0);
    const p = at(points, i);
    for (const j of sample) {
      if (j === i) continue;
      const s = slot.get(at(assignment, j)) ?? 0;
      sums[s] = at(sums, s) + Math.sqrt(squaredDistance(p, at(points, j)));
    }
    const own = slot.get(at(assignment, i)) ?? 0;
    if (at(counts, own) < 2) continue;
    const a = at(sums, own) / (at(counts, own) - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let s = 0; s < labels.length; s++) if (s !== own) b = Math.min(b, at(sums, s) / at(counts, s));
    const m = Math.max(a, b);
    total += m === 0 ? 0 : (b - a) / m;
  }
  return total / sample.length;
};

const describeCentroid = (
  features: readonly string[],
  centroidZ: readonly number[],
  labels: SegmentOptions['labels'],
): string => {
  const words = features
    .map((f, j) => ({ f, z: at(centroidZ, j) }))
    .filter(({ z }) => Math.abs(z) >= DESCRIPTION_Z_THRESHOLD)
    .sort((x, y) => Math.abs(y.z) - Math.abs(x.z) || x.f.localeCompare(y.f))
    .map(({ f, z }) => {
      const l = labels?.[f];
      if (z > 0) return l?.high ?? `high ${f}`;
      return l?.low ?? `low ${f}`;
    });
  return words.length === 0 ? 'average' : words.join(', ');
};

/** Greedy matching by ascending distance: each old name goes to at most one new cluster. */
const matchNames = (
  centroidsZ: readonly (readonly number[])[],
  features: readonly string[],
  previous: readonly PreviousSegment[],
  maxMatchDistance: number,
): (string | undefined)[] => {
  const pairs: { c: number; p: number; d: number }[] = [];
  for (const [c, centroid] of centroidsZ.entries()) {
    for (const [p, old] of previous.entries()) {
      const oldZ = features.map((f) => old.centroidZ[f] ?? 0);
      const d = Math.sqrt(squaredDistance(centroid, oldZ));
      if (d <= maxMatchDistance) pairs.push({ c, p, d });
    }
  }
  pairs.sort((x, y) => x.d - y.d || x.c - y.c || x.p - y.p);
  const names: (string | undefined)[] = centroidsZ.map(() => undefined);
  const used = new Set<number>();
  for (const { c, p } of pairs) {
    if (names[c] !== undefined || used.has(p)) continue;
    names[c] = at(previous, p).name;
    used.add(p);
  }
  return names;
};

export const segmentCustomers = (rows: readonly SegmentInputRow[], options: SegmentOptions): Segmentation => {
  const {
    kMin = 2,
    kMax = 8,
    random,
    previous = [],
    labels,
    maxMatchDistance = Number.POSITIVE_INFINITY,
  } = options;
  const first = rows[0];
  if (first === undefined) throw new SegmentationInputError('segmentCustomers: no customers');
  const features = Object.keys(first.features).sort();
  if (features.length === 0) throw new SegmentationInputError('segmentCustomers: no features');
  const ids = new Set<string>();
  const matrix = rows.map((r) => {
    if (ids.has(r.customerId))
      throw new SegmentationInputError(`segmentCustomers: duplicate customer ${r.customerId}`);
    ids.add(r.customerId);
    if (Object.keys(r.features).length !== features.length) {
      throw new SegmentationInputError(
        `segmentCustomers: customer ${r.customerId} has a different feature set`,
      );
    }
    return features.map((f) => {
      const v = r.features[f];
      if (v === undefined)
        throw new SegmentationInputError(`segmentCustomers: customer ${r.customerId} lacks ${f}`);
      return v;
    });
  });
  const { z, means, sds } = standardise(matrix);
  const distinct = new Set(z.map((p) => p.join(','))).size;
  const upper = Math.min(kMax, rows.length - 1, distinct);
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 2 || kMin > upper) {
    throw new SegmentationInputError(
      `segmentCustomers: need 2 ≤ kMin ≤ kMax with kMin ≤ min(customers − 1, distinct points) = ${upper}; got kMin ${kMin}, kMax ${kMax}`,
    );
  }
  const kMeansOptions = {
    ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }),
    ...(options.restarts === undefined ? {} : { restarts: options.restarts }),
  };
  const silhouetteOptions = {
    random,
    ...(options.silhouetteSampleSize === undefined ? {} : { sampleSize: options.silhouetteSampleSize }),
  };
  const silhouetteByK: Record<number, number> = {};
  let best: { k: number; score: number; result: KMeansResult } | undefined;
  for (let k = kMin; k <= upper; k++) {
    const result = kMeans(z, k, random, kMeansOptions);
    const score = silhouette(z, result.assignment, silhouetteOptions);
    silhouetteByK[k] = score;
    if (best === undefined || score > best.score) best = { k, score, result };
  }
  if (best === undefined) throw new SegmentationInputError('segmentCustomers: no k tried');
  const { result } = best;

  const members = result.centroids.map(() => [] as string[]);
  for (const [i, row] of rows.entries()) at(members, at(result.assignment, i)).push(row.customerId);
  // Largest first, ties by centroid, so fresh names are handed out in a reproducible order.
  const order = result.centroids
    .map((_, c) => c)
    .sort(
      (x, y) =>
        at(members, y).length - at(members, x).length ||
        at(result.centroids, x).join().localeCompare(at(result.centroids, y).join()),
    );
  const centroidsZ = order.map((c) => at(result.centroids, c));
  const matched = matchNames(centroidsZ, features, previous, maxMatchDistance);
  const taken = new Set([
    ...previous.map((p) => p.name),
    ...matched.filter((n): n is string => n !== undefined),
  ]);
  let next = 1 + Math.max(0, ...[...taken].map((n) => Number(/^segment-(\d+)$/.exec(n)?.[1] ?? 0)));
  const fresh = (): string => {
    while (taken.has(`segment-${next}`)) next++;
    const name = `segment-${next}`;
    taken.add(name);
    return name;
  };

  const assignments: Record<string, string> = {};
  const segments = order.map((c, s): Segment => {
    const name = matched[s] ?? fresh();
    const cz = at(result.centroids, c);
    const customerIds = at(members, c);
    for (const id of customerIds) assignments[id] = name;
    return {
      name,
      size: customerIds.length,
      customerIds,
      centroid: Object.fromEntries(features.map((f, j) => [f, at(means, j) + at(cz, j) * at(sds, j)])),
      centroidZ: Object.fromEntries(features.map((f, j) => [f, at(cz, j)])),
      description: describeCentroid(features, cz, labels),
    };
  });
  return {
    k: best.k,
    silhouette: best.score,
    silhouetteByK,
    features,
    means: Object.fromEntries(features.map((f, j) => [f, at(means, j)])),
    sds: Object.fromEntries(features.map((f, j) => [f, at(sds, j)])),
    segments,
    assignments,
  };
};
