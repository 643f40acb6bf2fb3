import type { FieldFeatures } from './field-comparison.ts';
import { soundex } from './nysiis.phonetic.ts';

/*
 * Blocking: only pairs that agree on at least one rule's key are compared. The candidate set is the union
 * of the rules' pairs; a pair found by an earlier rule is not emitted again (the Splink way: a rule skips
 * pairs that an earlier rule already generated), so no set of seen pairs is kept. Blocks larger than the
 * cap are skipped rather than compared quadratically; the count is reported.
 */

/** How a field's comparable value becomes (part of) a blocking key. */
export type BlockingTransform = 'exact' | 'soundex' | 'initial' | 'year' | 'phonetic';

export type BlockingRule = {
  readonly name: string;
  readonly keys: readonly { readonly field: string; readonly transform?: BlockingTransform | undefined }[];
};

/** Pairs from every rule, as two parallel index arrays (a < b in dedupe mode). */
export type CandidatePairs = {
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly count: number;
  readonly perRule: readonly {
    readonly rule: string;
    readonly pairs: number;
    readonly blocks: number;
    readonly skippedBlocks: number;
    readonly skippedRecords: number;
  }[];
};

const keyPart = (f: FieldFeatures, i: number, t: BlockingTransform): string => {
  const v = f.comparable[i] ?? '';
  if (v === '') return '';
  switch (t) {
    case 'exact':
      return v;
    case 'initial':
      return v.charAt(0);
    case 'soundex':
      return soundex(v);
    case 'phonetic':
      return f.phonetic[i] ?? '';
    case 'year':
      return f.kind === 'date' ? v.slice(0, 4) : v;
  }
};

/**
 * Each record's key id under a rule (-1 when a key part is missing), and the size of each key's block.
 * Key ids are dense, so later rules test "same block" with two array reads.
 */
export const blockingKeys = (
  rule: BlockingRule,
  features: ReadonlyMap<string, FieldFeatures>,
  n: number,
): { readonly keyOf: Int32Array; readonly sizes: number[] } => {
  const keyOf = new Int32Array(n).fill(-1);
  const ids = new Map<string, number>();
  const sizes: number[] = [];
  const parts = rule.keys.map((k) => ({ f: features.get(k.field), t: k.transform ?? 'exact' }));
  if (parts.some((p) => p.f === undefined)) return { keyOf, sizes };
  outer: for (let i = 0; i < n; i++) {
    let key = '';
    for (const p of parts) {
      const v = p.f ? keyPart(p.f, i, p.t) : '';
      if (v === '') continue outer;
      key = key === '' ? v : `${key}\u0001${v}`;
    }
    let id = ids.get(key);
    if (id === undefined) {
      id = sizes.length;
      ids.set(key, id);
      sizes.push(0);
    }
    keyOf[i] = id;
    sizes[id] = (sizes[id] ?? 0) + 1;
  }
  return { keyOf, sizes };
};

class PairBuffer {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  count = 0;
  push(i: number, j: number): void {
    if (this.count === this.a.length) {
      const a = new Int32Array(this.a.length * 2);
      const b = new Int32Array(this.b.length * 2);
      a.set(this.a);
      b.set(this.b);
      this.a = a;
      this.b = b;
    }
    this.a[this.count] = i;
    this.b[this.count] = j;
    this.count++;
  }
}

export type GenerateCandidatesInput = {
  readonly rules: readonly BlockingRule[];
  readonly features: ReadonlyMap<string, FieldFeatures>;
  readonly n: number;
  /** Link mode: the source index of each record; only pairs across sources are candidates. */
  readonly sourceOf?: Int32Array | undefined;
  /** Blocks with more records than this are skipped. */
  readonly maxBlockSize: number;
};

/** The union of the rules' pairs, each pair once. */
export const generateCandidates = ({
  rules,
  features,
  n,
  sourceOf,
  maxBlockSize,
}: GenerateCandidatesInput): CandidatePairs => {
  const out = new PairBuffer();
  const keyed = rules.map((r) => blockingKeys(r, features, n));
  const perRule: CandidatePairs['perRule'][number][] = [];
  for (let r = 0; r < rules.length; r++) {
    const rk = keyed[r];
    const rule = rules[r];
    if (!rk || !rule) continue;
    const { keyOf, sizes } = rk;
    // Members of each block, by counting sort on key id.
    const start = new Int32Array(sizes.length + 1);
    for (let k = 0; k < sizes.length; k++) start[k + 1] = (start[k] ?? 0) + (sizes[k] ?? 0);
    const fill = start.slice(0, sizes.length);
    const members = new Int32Array(start[sizes.length] ?? 0);
    for (let i = 0; i < n; i++) {
      const k = keyOf[i] ?? -1;
      if (k < 0) continue;
      const pos = fill[k] ?? 0;
      members[pos] = i;
      fill[k] = pos + 1;
    }
    let pairs = 0;
    let skippedBlocks = 0;
    let skippedRecords = 0;
    for (let k = 0; k < sizes.length; k++) {
      const size = sizes[k] ?? 0;
      if (size < 2) continue;
      if (size > maxBlockSize) {
        skippedBlocks++;
        skippedRecords += size;
        continue;
      }
      const from = start[k] ?? 0;
      const to = from + size;
      for (let x = from; x < to; x++) {
        const i = members[x] ?? 0;
        for (let y = x + 1; y < to; y++) {
          const j = members[y] ?? 0;
          if (sourceOf && sourceOf[i] === sourceOf[j]) continue;
          if (seenEarlier(keyed, r, i, j, maxBlockSize)) continue;
          // Members are in record order, so i < j.
          out.push(i, j);
          pairs++;
        }
      }
    }
    perRule.push({ rule: rule.name, pairs, blocks: sizes.length, skippedBlocks, skippedRecords });
  }
  return { a: out.a.subarray(0, out.count), b: out.b.subarray(0, out.count), count: out.count, perRule };
};

const seenEarlier = (
  keyed: readonly { readonly keyOf: Int32Array; readonly sizes: number[] }[],
  r: number,
  i: number,
  j: number,
  maxBlockSize: number,
): boolean => {
  for (let q = 0; q < r; q++) {
    const k = keyed[q];
    if (!k) continue;
    const ki = k.keyOf[i] ?? -1;
    if (ki >= 0 && ki === k.keyOf[j] && (k.sizes[ki] ?? 0) <= maxBlockSize) return true;
  }
  return false;
};
