import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RandomSource, seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import {
  kMeans,
  SegmentationInputError,
  type SegmentInputRow,
  segmentCustomers,
  silhouette,
  standardise,
} from '../../../../shared/domain/scoring/customer-segments.ts';

const gaussian = (random: RandomSource): number => {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
};

/** Three blobs on very different scales; each stands out on one feature. */
const BLOBS = {
  spenders: { spend: 5000, frequency: 2, recencyDays: 100 },
  regulars: { spend: 500, frequency: 20, recencyDays: 100 },
  lapsed: { spend: 500, frequency: 2, recencyDays: 400 },
} as const;
const SPREAD = { spend: 150, frequency: 0.6, recencyDays: 12 } as const;

const blobRows = (perBlob: number, seed: number): SegmentInputRow[] => {
  const random = seededRandom(seed);
  return Object.entries(BLOBS).flatMap(([blob, centre]) =>
    Array.from({ length: perBlob }, (_, i) => ({
      customerId: `${blob}-${i}`,
      features: {
        spend: centre.spend + SPREAD.spend * gaussian(random),
        frequency: centre.frequency + SPREAD.frequency * gaussian(random),
        recencyDays: centre.recencyDays + SPREAD.recencyDays * gaussian(random),
      },
    })),
  );
};

const blobOf = (customerId: string): string => customerId.split('-')[0] ?? '';

const shuffled = <T>(xs: readonly T[], random: RandomSource): T[] => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i] as T;
    out[i] = out[j] as T;
    out[j] = t;
  }
  return out;
};

describe('standardise', () => {
  it('gives z-scores with mean 0 and sd 1, and leaves a constant column at 0', () => {
    const { z, means, sds } = standardise([
      [1, 7],
      [2, 7],
      [3, 7],
      [6, 7],
    ]);
    expect(means).toEqual([3, 7]);
    expect(sds[1]).toBe(0);
    expect(sds[0]).toBeCloseTo(Math.sqrt(3.5), 12);
    expect(z.map((r) => r[1])).toEqual([0, 0, 0, 0]);
    const col = z.map((r) => r[0] ?? Number.NaN);
    expect(col.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
    expect(col.reduce((s, v) => s + v * v, 0) / col.length).toBeCloseTo(1, 12);
    expect(col[0]).toBeCloseTo(-2 / Math.sqrt(3.5), 12);
  });

  it('treats a constant non-integer column (rounding noise in its sd) as constant', () => {
    const { z, sds } = standardise([[0.1], [0.1], [0.1]]);
    expect(sds).toEqual([0]);
    expect(z).toEqual([[0], [0], [0]]);
  });

  it('rejects ragged and non-finite rows', () => {
    expect(() => standardise([[1, 2], [3]])).toThrow(SegmentationInputError);
    expect(() => standardise([[1], [Number.NaN]])).toThrow(SegmentationInputError);
    expect(() => standardise([])).toThrow(SegmentationInputError);
  });
});

describe('kMeans', () => {
  it('puts each of two separated groups in its own cluster with the exact inertia', () => {
    const points = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [10, 10],
      [10, 11],
      [11, 10],
      [11, 11],
    ];
    const { assignment, centroids, inertia } = kMeans(points, 2, seededRandom(1));
    expect(new Set(assignment.slice(0, 4)).size).toBe(1);
    expect(new Set(assignment.slice(4)).size).toBe(1);
    expect(assignment[0]).not.toBe(assignment[4]);
    expect(centroids.map((c) => c.join()).sort()).toEqual(['0.5,0.5', '10.5,10.5']);
    expect(inertia).toBeCloseTo(8 * 0.5, 12);
  });

  it('with k = n, every point is its own cluster (no empty cluster, inertia 0)', () => {
    const points = [[0], [1], [2], [3], [4]];
    const { assignment, inertia } = kMeans(points, 5, seededRandom(3), { restarts: 1 });
    expect(new Set(assignment).size).toBe(5);
    expect(inertia).toBe(0);
  });

  it('repairs empty clusters when there are fewer distinct points than k', () => {
    const points = [[0], [0], [0], [5], [5], [5]];
    for (let seed = 0; seed < 20; seed++) {
      const { assignment } = kMeans(points, 4, seededRandom(seed), { restarts: 1 });
      expect(new Set(assignment).size).toBe(4);
    }
  });

  it('is reproducible for a seed, and more restarts never raise the inertia', () => {
    const points = blobRows(30, 11).map((r) => Object.values(r.features));
    const { z } = standardise(points);
    expect(kMeans(z, 4, seededRandom(9))).toEqual(kMeans(z, 4, seededRandom(9)));
    const one = kMeans(z, 5, seededRandom(2), { restarts: 1 });
    const many = kMeans(z, 5, seededRandom(2), { restarts: 8 });
    expect(many.inertia).toBeLessThanOrEqual(one.inertia);
  });

  it('at convergence: no empty cluster, centroids are member means, each point is nearest its own centroid', () => {
    const point = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 2, maxLength: 2 });
    fc.assert(
      fc.property(
        fc.array(point, { minLength: 3, maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        (pts, kRaw, seed) => {
          const k = Math.min(kRaw, pts.length);
          const { assignment, centroids } = kMeans(pts, k, seededRandom(seed), {
            maxIterations: 500,
            restarts: 2,
          });
          expect(new Set(assignment).size).toBe(k);
          for (let c = 0; c < k; c++) {
            const members = pts.filter((_, i) => assignment[i] === c);
            for (let j = 0; j < 2; j++) {
              const mean = members.reduce((s, p) => s + (p[j] ?? 0), 0) / members.length;
              expect(centroids[c]?.[j]).toBeCloseTo(mean, 9);
            }
          }
          const d2 = (p: number[], c: number[]) => p.reduce((s, v, j) => s + (v - (c[j] ?? 0)) ** 2, 0);
          for (const [i, p] of pts.entries()) {
            const own = d2(p, centroids[assignment[i] ?? -1] ?? []);
            for (const c of centroids) expect(own).toBeLessThanOrEqual(d2(p, c) + 1e-9);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects a bad k', () => {
    expect(() => kMeans([[0], [1]], 3, seededRandom(1))).toThrow(SegmentationInputError);
    expect(() => kMeans([[0], [1]], 0, seededRandom(1))).toThrow(SegmentationInputError);
    expect(() => kMeans([[0], [1]], 1.5, seededRandom(1))).toThrow(SegmentationInputError);
  });
});

describe('silhouette', () => {
  it('is close to 1 for two tight, distant clusters', () => {
    const random = seededRandom(4);
    const points = Array.from({ length: 100 }, (_, i) => [
      (i < 50 ? 0 : 100) + gaussian(random),
      gaussian(random),
    ]);
    const assignment = points.map((_, i) => (i < 50 ? 0 : 1));
    expect(silhouette(points, assignment)).toBeGreaterThan(0.95);
  });

  it('is near 0 for one blob split arbitrarily, and negative for a swapped labelling', () => {
    const random = seededRandom(5);
    const blob = Array.from({ length: 200 }, () => [gaussian(random), gaussian(random)]);
    expect(
      Math.abs(
        silhouette(
          blob,
          blob.map((_, i) => i % 2),
        ),
      ),
    ).toBeLessThan(0.1);
    const two = [[0], [0.1], [10], [10.1]];
    // Each point: a = 10, b ≈ 5 → about −0.5; by hand (−0.49 − 0.5 − 0.5 − 0.49) / 4.
    expect(silhouette(two, [0, 1, 0, 1])).toBeCloseTo(-0.495, 12);
  });

  it('matches a hand computation, with a singleton scoring 0', () => {
    // Points 0, 1 | 4: a(0)=1, b(0)=4 → 0.75; a(1)=1, b(1)=3 → 2/3; singleton → 0.
    expect(silhouette([[0], [1], [4]], [0, 0, 1])).toBeCloseTo((0.75 + 2 / 3 + 0) / 3, 12);
  });

  it('samples at most sampleSize points, reproducibly, and stays close to the full score', () => {
    const random = seededRandom(6);
    const points = Array.from({ length: 600 }, (_, i) => [(i % 3) * 6 + gaussian(random), gaussian(random)]);
    const assignment = points.map((_, i) => i % 3);
    const full = silhouette(points, assignment);
    const sampled = silhouette(points, assignment, { sampleSize: 200, random: seededRandom(1) });
    expect(sampled).toBe(silhouette(points, assignment, { sampleSize: 200, random: seededRandom(1) }));
    expect(sampled).not.toBe(full);
    expect(Math.abs(sampled - full)).toBeLessThan(0.05);
  });

  it('needs two clusters and one label per point', () => {
    expect(() => silhouette([[0], [1]], [0, 0])).toThrow(SegmentationInputError);
    expect(() => silhouette([[0], [1]], [0])).toThrow(SegmentationInputError);
  });
});

describe('segmentCustomers', () => {
  const rows = blobRows(60, 42);
  const first = segmentCustomers(rows, { random: seededRandom(7) });

  it('chooses k = 3 by silhouette and puts each blob in one cluster', () => {
    expect(first.k).toBe(3);
    expect(first.silhouette).toBe(Math.max(...Object.values(first.silhouetteByK)));
    expect(Object.keys(first.silhouetteByK).map(Number)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const byBlob = new Map<string, Set<string>>();
    for (const [id, name] of Object.entries(first.assignments)) {
      byBlob.set(blobOf(id), (byBlob.get(blobOf(id)) ?? new Set()).add(name));
    }
    expect([...byBlob.values()].map((s) => s.size)).toEqual([1, 1, 1]);
    expect(new Set([...byBlob.values()].flatMap((s) => [...s])).size).toBe(3);
    expect(first.segments.map((s) => s.size)).toEqual([60, 60, 60]);
    expect(first.segments.map((s) => s.name).sort()).toEqual(['segment-1', 'segment-2', 'segment-3']);
  });

  it('reports centroids in original units and describes each cluster by its distinguishing feature', () => {
    for (const segment of first.segments) {
      const blob = blobOf(segment.customerIds[0] ?? '') as keyof typeof BLOBS;
      const centre = BLOBS[blob];
      expect(segment.centroid.spend).toBeCloseTo(centre.spend, -2);
      expect(segment.centroid.frequency).toBeCloseTo(centre.frequency, 0);
      expect(Math.abs((segment.centroid.recencyDays ?? 0) - centre.recencyDays)).toBeLessThan(10);
    }
    const description = (blob: string) =>
      first.segments.find((s) => blobOf(s.customerIds[0] ?? '') === blob)?.description ?? '';
    expect(description('spenders')).toMatch(/^high spend\b/);
    expect(description('regulars')).toMatch(/^high frequency\b/);
    expect(description('lapsed')).toMatch(/^high recencyDays\b/);
    expect(description('spenders')).not.toContain('high frequency');
    expect(description('lapsed')).toContain('low spend');
  });

  it('uses custom labels and says "average" when nothing stands out', () => {
    const labelled = segmentCustomers(rows, {
      random: seededRandom(7),
      labels: { recencyDays: { high: 'lapsed', low: 'recent' } },
    });
    const lapsed = labelled.segments.find((s) => blobOf(s.customerIds[0] ?? '') === 'lapsed');
    expect(lapsed?.description).toMatch(/^lapsed, /);
    const spenders = labelled.segments.find((s) => blobOf(s.customerIds[0] ?? '') === 'spenders');
    expect(spenders?.description).toContain('recent');

    // A big group at the mean and two small outlying groups: the big one is "average".
    const random = seededRandom(8);
    const mixed: SegmentInputRow[] = [
      ...Array.from({ length: 100 }, (_, i) => ({
        customerId: `mid-${i}`,
        features: { x: 0.1 * gaussian(random) },
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        customerId: `lo-${i}`,
        features: { x: -10 + 0.1 * gaussian(random) },
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        customerId: `hi-${i}`,
        features: { x: 10 + 0.1 * gaussian(random) },
      })),
    ];
    const seg = segmentCustomers(mixed, { random: seededRandom(1), kMax: 4 });
    expect(seg.k).toBe(3);
    expect(seg.segments[0]?.size).toBe(100);
    expect(seg.segments[0]?.description).toBe('average');
  });

  it('keeps every name when retrained on a shuffled copy with previous', () => {
    const previous = first.segments.map((s) => ({ name: s.name, centroidZ: s.centroidZ }));
    const again = segmentCustomers(shuffled(rows, seededRandom(99)), {
      random: seededRandom(12345),
      previous,
    });
    expect(again.k).toBe(3);
    expect(again.assignments).toEqual(first.assignments);
  });

  it('keeps renamed segments on a retrain with fresh data, and only then', () => {
    const previous = first.segments.map((s, i) => ({
      name: ['whales', 'loyal', 'gone quiet'][i] ?? '',
      centroidZ: s.centroidZ,
    }));
    const nameOfBlob = new Map(
      first.segments.map((s, i) => [blobOf(s.customerIds[0] ?? ''), previous[i]?.name]),
    );
    const fresh = blobRows(50, 2024);
    const withPrevious = segmentCustomers(fresh, { random: seededRandom(3), previous });
    for (const [id, name] of Object.entries(withPrevious.assignments))
      expect(name).toBe(nameOfBlob.get(blobOf(id)));
    const without = segmentCustomers(fresh, { random: seededRandom(3) });
    expect(Object.values(without.assignments)).not.toContain('whales');
  });

  it('gives a new cluster a fresh name that collides with no earlier one', () => {
    // Previous run knew only two of the three groups, and used segment-4 for one of them.
    const bySpend = [...first.segments].sort((a, b) => (b.centroid.spend ?? 0) - (a.centroid.spend ?? 0));
    const [spenders, other] = bySpend;
    if (spenders === undefined || other === undefined) throw new Error('expected three segments');
    const previous = [
      { name: 'segment-4', centroidZ: spenders.centroidZ },
      { name: 'segment-1', centroidZ: other.centroidZ },
    ];
    const again = segmentCustomers(rows, { random: seededRandom(7), previous });
    const names = again.segments.map((s) => s.name);
    expect(names).toContain('segment-4');
    expect(names).toContain('segment-1');
    expect(names).toContain('segment-5');
    expect(again.assignments['spenders-0']).toBe('segment-4');
  });

  it('does not reuse a distant old name when maxMatchDistance is set', () => {
    const previous = [{ name: 'far away', centroidZ: { spend: 50, frequency: 50, recencyDays: 50 } }];
    const near = segmentCustomers(rows, { random: seededRandom(7), previous });
    expect(near.segments.map((s) => s.name)).toContain('far away');
    const capped = segmentCustomers(rows, { random: seededRandom(7), previous, maxMatchDistance: 5 });
    expect(capped.segments.map((s) => s.name)).not.toContain('far away');
  });

  it('is reproducible for a seed', () => {
    expect(segmentCustomers(rows, { random: seededRandom(7) })).toEqual(first);
  });

  it('rejects unusable input', () => {
    const random = seededRandom(1);
    expect(() => segmentCustomers([], { random })).toThrow(SegmentationInputError);
    expect(() => segmentCustomers([{ customerId: 'a', features: { x: 1 } }], { random })).toThrow(
      SegmentationInputError,
    );
    const twoPoints = [
      { customerId: 'a', features: { x: 1 } },
      { customerId: 'b', features: { x: 1 } },
      { customerId: 'c', features: { x: 2 } },
    ];
    expect(() => segmentCustomers(twoPoints, { random, kMin: 3 })).toThrow(SegmentationInputError);
    expect(segmentCustomers(twoPoints, { random }).k).toBe(2);
    expect(() =>
      segmentCustomers(
        [
          { customerId: 'a', features: { x: 1 } },
          { customerId: 'a', features: { x: 2 } },
          { customerId: 'c', features: { x: 3 } },
        ],
        { random },
      ),
    ).toThrow(SegmentationInputError);
    expect(() =>
      segmentCustomers(
        [
          { customerId: 'a', features: { x: 1 } },
          { customerId: 'b', features: { y: 2 } },
          { customerId: 'c', features: { x: 3 } },
        ],
        { random },
      ),
    ).toThrow(SegmentationInputError);
  });
});
