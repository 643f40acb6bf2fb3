/*
 * From scored pairs to entities. Dedupe: every pair at or above the threshold joins its two records, and an
 * entity is a connected component (union-find). Link: each record is linked to at most one record of the
 * other source — the best-scoring pairs are taken first. A cluster's id is its smallest record id, so it
 * depends only on which records are together, not on input order.
 */

/** Scored pairs as parallel arrays of record indexes and probabilities. */
export type ScoredPairs = {
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly probability: Float64Array;
  readonly count: number;
};

const find = (parent: Int32Array, x: number): number => {
  let root = x;
  while ((parent[root] ?? root) !== root) root = parent[root] ?? root;
  // Path compression: later finds are O(1).
  let y = x;
  while (y !== root) {
    const next = parent[y] ?? root;
    parent[y] = root;
    y = next;
  }
  return root;
};

/**
 * Cluster id of each record: the smallest (by string order) record id of its connected component over the
 * pairs whose probability is at least `threshold` (and whose `accepted` flag is set, when given).
 */
export const connectedComponents = (
  recordIds: readonly string[],
  pairs: ScoredPairs,
  threshold: number,
  accepted?: Uint8Array,
): string[] => {
  const n = recordIds.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  for (let p = 0; p < pairs.count; p++) {
    if ((pairs.probability[p] ?? 0) < threshold) continue;
    if (accepted && accepted[p] !== 1) continue;
    const ra = find(parent, pairs.a[p] ?? 0);
    const rb = find(parent, pairs.b[p] ?? 0);
    if (ra !== rb) parent[ra] = rb;
  }
  const smallest = new Array<string | undefined>(n);
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    const id = recordIds[i] ?? '';
    const cur = smallest[r];
    if (cur === undefined || id < cur) smallest[r] = id;
  }
  return recordIds.map((id, i) => smallest[find(parent, i)] ?? id);
};

/**
 * One-to-one link: pairs by descending probability (ties by record ids, for determinism), each accepted
 * when neither record is linked yet and the probability is at least `threshold`. Returns a flag per pair.
 */
export const oneToOne = (recordIds: readonly string[], pairs: ScoredPairs, threshold: number): Uint8Array => {
  const order: number[] = [];
  for (let p = 0; p < pairs.count; p++) if ((pairs.probability[p] ?? 0) >= threshold) order.push(p);
  const key = (p: number): string => {
    const x = recordIds[pairs.a[p] ?? 0] ?? '';
    const y = recordIds[pairs.b[p] ?? 0] ?? '';
    return x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`;
  };
  order.sort((p, q) => {
    const d = (pairs.probability[q] ?? 0) - (pairs.probability[p] ?? 0);
    if (d !== 0) return d;
    const kp = key(p);
    const kq = key(q);
    return kp < kq ? -1 : kp > kq ? 1 : 0;
  });
  const linked = new Uint8Array(recordIds.length);
  const accepted = new Uint8Array(pairs.count);
  for (const p of order) {
    const a = pairs.a[p] ?? 0;
    const b = pairs.b[p] ?? 0;
    if (linked[a] || linked[b]) continue;
    linked[a] = 1;
    linked[b] = 1;
    accepted[p] = 1;
  }
  return accepted;
};
