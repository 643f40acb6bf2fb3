import { damerauLevenshtein } from './damerau-levenshtein.comparator.ts';
import { jaroWinkler } from './jaro-winkler.comparator.ts';
import { nysiis } from './nysiis.phonetic.ts';
import { comparableName } from './pinyin.normaliser.ts';

/*
 * Comparison levels per field, as in Splink: each record pair gets, per field, the first level its two values
 * satisfy, from "exact" down to "else". Level 0 is always "null" (a value is missing): it carries no evidence,
 * so its match weight is 0. Everything a level needs that depends on one record only (normalised and
 * comparable forms, phonetic code, pinyin, date parts) is computed once per record by `extractFeatures`.
 */

/** How a field's two values are compared. Names and free text by Jaro-Winkler, identifiers by edit distance. */
export type FieldComparison =
  | {
      readonly field: string;
      readonly kind: 'name';
      /** Jaro-Winkler levels below "exact", highest first. @default [0.92, 0.88] */
      readonly thresholds?: readonly number[] | undefined;
      /** Equal NYSIIS codes join the lowest Jaro-Winkler level. @default true */
      readonly phonetic?: boolean | undefined;
      /** A field the two records may have swapped this one with (given name ↔ surname). */
      readonly swapWith?: string | undefined;
    }
  | {
      readonly field: string;
      readonly kind: 'text';
      /** @default [0.92, 0.88] */
      readonly thresholds?: readonly number[] | undefined;
    }
  | {
      readonly field: string;
      readonly kind: 'identifier';
      /** Edit-distance levels below "exact", smallest first. @default [1, 2] */
      readonly maxEdits?: readonly number[] | undefined;
    }
  /** Exact, near (one typo or adjacent swap, day ↔ month, ±1 year), else. Values read as YYYY-MM-DD or YYYYMMDD. */
  | { readonly field: string; readonly kind: 'date' }
  | { readonly field: string; readonly kind: 'exact' };

export type FieldKind = FieldComparison['kind'];

/** Per-record values of one field, index = record index. `''` is a missing value. */
export type FieldFeatures = {
  readonly kind: FieldKind;
  /** What "exact" compares: NFKC, lower case, whitespace collapsed (digits only for dates). */
  readonly normalised: readonly string[];
  /** What similarity compares: names as letters only or toneless pinyin, identifiers without separators. */
  readonly comparable: readonly string[];
  /** NYSIIS of the comparable form (names only, else empty). */
  readonly phonetic: readonly string[];
  /** Characters present in the comparable form, one bit per letter or digit class: a cheap bound for Jaro. */
  readonly charMask: Int32Array;
  /** Dates: year, month, day (0 when unknown). */
  readonly year: Int32Array;
  readonly month: Int32Array;
  readonly day: Int32Array;
};

const basic = (v: string): string => v.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');

const dateDigits = (v: string): string => basic(v).replace(/[^0-9]/g, '');

// Letters get distinct bits (a–z → 1–26); digits share bits with letters, which only loosens the bound.
const bitOf = (code: number): number => 1 << (code & 31);

const maskOf = (s: string): number => {
  let mask = 0;
  for (let i = 0; i < s.length; i++) mask |= bitOf(s.charCodeAt(i));
  return mask;
};

/** Shared character counts for `sharedCharacters`; every slot is back to 0 between calls. */
const charCounts = new Int32Array(128);

/**
 * How many characters the two strings have in common as multisets (Σ min of the counts per character):
 * Jaro's matches, which pair equal characters one to one, cannot exceed it. Characters beyond ASCII share
 * one slot, which only raises the count.
 */
const sharedCharacters = (a: string, b: string): number => {
  for (let i = 0; i < a.length; i++) {
    const c = Math.min(a.charCodeAt(i), 127);
    charCounts[c] = (charCounts[c] ?? 0) + 1;
  }
  let shared = 0;
  for (let i = 0; i < b.length; i++) {
    const c = Math.min(b.charCodeAt(i), 127);
    const have = charCounts[c] ?? 0;
    if (have > 0) {
      charCounts[c] = have - 1;
      shared++;
    }
  }
  for (let i = 0; i < a.length; i++) charCounts[Math.min(a.charCodeAt(i), 127)] = 0;
  return shared;
};

/** Bounds are compared with this much slack, so rounding can never make a bound skip a pair it should not. */
const BOUND_SLACK = 1e-9;

/**
 * An upper bound of Jaro-Winkler, in two steps of increasing cost: Jaro with no transpositions and as many
 * matches as (1) the characters each side has that the other has at all (one bit per character class), then
 * (2) the characters the two have in common as multisets; Winkler's boost with the actual common prefix (at
 * most 4). Most random pairs fail the lowest threshold on the first step alone, almost all on the second;
 * only the rest pay for Jaro-Winkler itself. `below` is the lowest threshold: the bound is exact enough to
 * decide "below it" (it returns a value < `below` only when Jaro-Winkler is < `below`).
 */
const jaroWinklerBound = (a: string, maskA: number, b: string, maskB: number, below: number): number => {
  const la = a.length;
  const lb = b.length;
  const max = Math.min(4, la, lb);
  let prefix = 0;
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  const boost = prefix * 0.1;
  let inB = 0;
  for (let i = 0; i < la; i++) if ((maskB & bitOf(a.charCodeAt(i))) !== 0) inB++;
  let inA = 0;
  for (let i = 0; i < lb; i++) if ((maskA & bitOf(b.charCodeAt(i))) !== 0) inA++;
  let m = Math.min(inA, inB);
  if (m === 0) return 0;
  let j = (m / la + m / lb + 1) / 3;
  let bound = j + boost * (1 - j);
  if (bound < below - BOUND_SLACK) return bound;
  m = sharedCharacters(a, b);
  if (m === 0) return 0;
  j = (m / la + m / lb + 1) / 3;
  bound = j + boost * (1 - j);
  return bound;
};

/** Features of one field for every record (`values[i]` is record i's raw value). */
export const extractFeatures = (kind: FieldKind, values: readonly (string | undefined)[]): FieldFeatures => {
  const n = values.length;
  const normalised = new Array<string>(n);
  const comparable = new Array<string>(n);
  const phonetic = new Array<string>(n);
  const year = new Int32Array(n);
  const month = new Int32Array(n);
  const day = new Int32Array(n);
  const charMask = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const raw = values[i] ?? '';
    if (kind === 'date') {
      const d = dateDigits(raw);
      normalised[i] = d;
      comparable[i] = d;
      phonetic[i] = '';
      if (d.length === 8) {
        year[i] = Number(d.slice(0, 4));
        month[i] = Number(d.slice(4, 6));
        day[i] = Number(d.slice(6, 8));
      }
      continue;
    }
    const norm = basic(raw);
    normalised[i] = norm;
    if (kind === 'name' || kind === 'text') {
      const c = norm === '' ? '' : comparableName(norm);
      comparable[i] = c;
      phonetic[i] = kind === 'name' && c !== '' ? nysiis(c) : '';
      charMask[i] = maskOf(c);
    } else {
      comparable[i] = kind === 'identifier' ? norm.replace(/[\s\-.()/]/g, '') : norm;
      phonetic[i] = '';
    }
  }
  return { kind, normalised, comparable, phonetic, charMask, year, month, day };
};

/** A field comparison bound to the features of a record set: `levelOf(i, j)` for records i and j. */
export type CompiledComparison = {
  readonly field: string;
  /** Level names, index 0 = "null", last = "else". */
  readonly labels: readonly string[];
  readonly levelOf: (i: number, j: number) => number;
};

const DEFAULT_JW = [0.92, 0.88] as const;
const DEFAULT_EDITS = [1, 2] as const;

const at = (xs: readonly string[], i: number): string => xs[i] ?? '';

/**
 * Binds a comparison to features. `features` must hold the compared field (and `swapWith`, if set).
 * Throws when a field has no features: a configuration error, found before any pair is compared.
 */
export const compileComparison = (
  c: FieldComparison,
  features: ReadonlyMap<string, FieldFeatures>,
): CompiledComparison => {
  const f = features.get(c.field);
  if (!f) throw new Error(`no features for field '${c.field}'`);
  const norm = f.normalised;
  const comp = f.comparable;
  const masks = f.charMask;
  switch (c.kind) {
    case 'name':
    case 'text': {
      const thresholds = c.thresholds ?? DEFAULT_JW;
      const phonetic = c.kind === 'name' && c.phonetic !== false ? f.phonetic : undefined;
      const swap = c.kind === 'name' && c.swapWith ? features.get(c.swapWith)?.comparable : undefined;
      const labels = [
        'null',
        'exact',
        ...thresholds.map((t, k) =>
          phonetic && k === thresholds.length - 1 ? `jaro-winkler ≥ ${t} or phonetic` : `jaro-winkler ≥ ${t}`,
        ),
        ...(swap ? ['swapped with other field'] : []),
        'else',
      ];
      const last = labels.length - 1;
      const lowest = thresholds[thresholds.length - 1] ?? 1;
      return {
        field: c.field,
        labels,
        levelOf: (i, j) => {
          const a = at(norm, i);
          const b = at(norm, j);
          if (a === '' || b === '') return 0;
          if (a === b) return 1;
          const ca = at(comp, i);
          const cb = at(comp, j);
          const s =
            ca === cb
              ? 1
              : jaroWinklerBound(ca, masks[i] ?? 0, cb, masks[j] ?? 0, lowest) < lowest - BOUND_SLACK
                ? 0
                : jaroWinkler(ca, cb);
          if (s >= lowest)
            for (let k = 0; k < thresholds.length; k++) if (s >= (thresholds[k] ?? 1)) return 2 + k;
          if (phonetic && at(phonetic, i) !== '' && at(phonetic, i) === at(phonetic, j))
            return 1 + thresholds.length;
          if (swap && ca === at(swap, j) && cb === at(swap, i) && ca !== '') return last - 1;
          return last;
        },
      };
    }
    case 'identifier': {
      const edits = c.maxEdits ?? DEFAULT_EDITS;
      const maxEdit = edits[edits.length - 1] ?? 0;
      const labels = ['null', 'exact', ...edits.map((e) => `edits ≤ ${e}`), 'else'];
      const last = labels.length - 1;
      return {
        field: c.field,
        labels,
        levelOf: (i, j) => {
          const a = at(comp, i);
          const b = at(comp, j);
          if (a === '' || b === '') return 0;
          if (a === b) return 1;
          const d = damerauLevenshtein(a, b, maxEdit);
          for (let k = 0; k < edits.length; k++) if (d <= (edits[k] ?? 0)) return 2 + k;
          return last;
        },
      };
    }
    case 'date': {
      const { year, month, day } = f;
      return {
        field: c.field,
        labels: ['null', 'exact', 'one typo, day/month swap or ±1 year', 'else'],
        levelOf: (i, j) => {
          const a = at(norm, i);
          const b = at(norm, j);
          if (a === '' || b === '') return 0;
          if (a === b) return 1;
          const ya = year[i] ?? 0;
          const yb = year[j] ?? 0;
          const ma = month[i] ?? 0;
          const mb = month[j] ?? 0;
          const da = day[i] ?? 0;
          const db = day[j] ?? 0;
          if (ya !== 0 && yb !== 0) {
            if (ya === yb && ma === db && da === mb) return 2;
            if (Math.abs(ya - yb) === 1 && ma === mb && da === db) return 2;
          }
          // Same length: one substitution or adjacent swap leaves at most 2 mismatched positions.
          if (a.length === b.length) {
            let mismatches = 0;
            for (let k = 0; k < a.length && mismatches <= 2; k++)
              if (a.charCodeAt(k) !== b.charCodeAt(k)) mismatches++;
            if (mismatches > 2) return 3;
          }
          return damerauLevenshtein(a, b, 1) <= 1 ? 2 : 3;
        },
      };
    }
    case 'exact':
      return {
        field: c.field,
        labels: ['null', 'exact', 'else'],
        levelOf: (i, j) => {
          const a = at(norm, i);
          const b = at(norm, j);
          if (a === '' || b === '') return 0;
          return a === b ? 1 : 2;
        },
      };
  }
};
