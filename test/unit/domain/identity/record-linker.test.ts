import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateU, tabulatePatterns } from '../../../../shared/domain/identity/fellegi-sunter.model.ts';
import {
  compileComparison,
  extractFeatures,
  type FieldComparison,
} from '../../../../shared/domain/identity/field-comparison.ts';
import { jaroWinkler } from '../../../../shared/domain/identity/jaro-winkler.comparator.ts';
import { comparableName } from '../../../../shared/domain/identity/pinyin.normaliser.ts';
import {
  compareCandidates,
  comparedColumns,
  compileComparisons,
  countSampleLevels,
  fitAndScore,
  type IdentityRecord,
  LEVEL_SLOTS,
  linkRecords,
  planLink,
  type ScoredRecords,
  sampleUPairs,
  scoreRecords,
} from '../../../../shared/domain/identity/record-linker.ts';
import {
  parseRecordMapping,
  RecordMappingError,
  resolveRecordMapping,
  rowToIdentityRecord,
} from '../../../../shared/domain/identity/record-mapping.ts';

const FEBRL = fileURLToPath(new URL('../../../../../shared/benchdata/febrl/', import.meta.url));
const FEBRL_MAPPING = fileURLToPath(
  new URL('../../../../infra/cli/mappings/febrl.mapping.json', import.meta.url),
);

/** The level label two values get under a comparison. */
const levelOf = (
  comparison: FieldComparison,
  a: string,
  b: string,
  other?: readonly [string, string],
): string => {
  const features = new Map([[comparison.field, extractFeatures(comparison.kind, [a, b])]]);
  if (other && comparison.kind === 'name' && comparison.swapWith)
    features.set(comparison.swapWith, extractFeatures('name', [...other]));
  const c = compileComparison(comparison, features);
  return c.labels[c.levelOf(0, 1)] ?? '?';
};

const arbRecords = fc
  .uniqueArray(
    fc.record({
      recordId: fc.string({ minLength: 1, maxLength: 6 }),
      source: fc.constantFrom('A', 'B'),
      givenName: fc.oneof(
        fc.constantFrom('ann', 'anne', '李雷', 'Li Lei', '', 'bob'),
        fc.string({ maxLength: 8 }),
      ),
      surname: fc.oneof(fc.constantFrom('lee', 'li', '李', 'smith', ''), fc.string({ maxLength: 8 })),
      birthday: fc.oneof(
        fc.constantFrom('19900101', '1990-01-10', '', 'not a date'),
        fc.string({ maxLength: 10 }),
      ),
      postcode: fc.constantFrom('2600', '2601', '', '3000'),
      phone: fc.oneof(fc.constantFrom('', '13800138000'), fc.string({ maxLength: 12 })),
    }),
    { selector: (r) => r.recordId, maxLength: 25 },
  )
  .map((rows) =>
    rows.map(({ recordId, source, ...fields }): IdentityRecord => ({ recordId, source, fields })),
  );

/** FEBRL1 as identity records. */
const febrl1 = async (): Promise<IdentityRecord[]> => {
  const mapping = resolveRecordMapping(
    [
      'rec_id',
      'given_name',
      'surname',
      'street_number',
      'address_1',
      'address_2',
      'suburb',
      'postcode',
      'state',
      'date_of_birth',
      'soc_sec_id',
    ],
    parseRecordMapping(JSON.parse(await readFile(FEBRL_MAPPING, 'utf8'))),
  );
  const rows = parse(await readFile(`${FEBRL}dataset1.csv`, 'utf8'), {
    columns: true,
    ltrim: true,
  }) as Record<string, string>[];
  return rows.map((row, i) => rowToIdentityRecord(row, mapping, i + 1));
};

describe('Domain: record linker', () => {
  describe('comparison levels', () => {
    const name: FieldComparison = { field: 'givenName', kind: 'name', swapWith: 'surname' };
    const date: FieldComparison = { field: 'birthday', kind: 'date' };

    it.each([
      ['Martha', 'martha', 'exact'],
      ['martha', 'marhta', 'jaro-winkler ≥ 0.92'],
      ['dwayne', 'duane', 'else'],
      ['catherine', 'kathryn', 'else'],
      ['trueman', 'truman', 'jaro-winkler ≥ 0.92'],
      ['李雷', '李蕾', 'jaro-winkler ≥ 0.92'],
      ['李雷', 'Li Lei', 'jaro-winkler ≥ 0.92'],
      ['', 'anna', 'null'],
    ])('name %s / %s → %s', (a, b, level) => {
      expect(levelOf(name, a, b)).toBe(level);
    });

    it('joins equal phonetic codes to the lowest Jaro-Winkler level', () => {
      // NYSIIS: both CARY; Jaro-Winkler 0.83.
      expect(levelOf({ field: 'surname', kind: 'name' }, 'kory', 'corey')).toBe(
        'jaro-winkler ≥ 0.88 or phonetic',
      );
    });

    it('has a level for given name and surname swapped', () => {
      expect(levelOf(name, 'smith', 'john', ['john', 'smith'])).toBe('swapped with other field');
    });

    it.each([
      ['1956-04-09', '19560409', 'exact'],
      ['19560409', '19564009', 'one typo, day/month swap or ±1 year'],
      ['19560409', '19560904', 'one typo, day/month swap or ±1 year'],
      ['19560409', '19570409', 'one typo, day/month swap or ±1 year'],
      ['19560409', '19610409', 'else'],
      ['19560409', '', 'null'],
    ])('date %s / %s → %s', (a, b, level) => {
      expect(levelOf(date, a, b)).toBe(level);
    });

    it('compares identifiers without separators, by bounded edit distance', () => {
      const id: FieldComparison = { field: 'phone', kind: 'identifier' };
      expect(levelOf(id, '138-0013-8000', '13800138000')).toBe('exact');
      expect(levelOf(id, '13800138000', '13800138001')).toBe('edits ≤ 1');
      expect(levelOf(id, '13800138000', '13911112222')).toBe('else');
    });
  });

  describe('linkRecords', () => {
    const person = (recordId: string, fields: Record<string, string>, source?: string): IdentityRecord => ({
      recordId,
      source,
      fields,
    });

    /** Unrelated people, so that random pairs (for u) are mostly non-matches. */
    const filler = (n: number, source?: string, offset = 0): IdentityRecord[] =>
      Array.from({ length: n }, (_, k) => {
        const i = k + offset;
        return person(
          `f${String(i).padStart(3, '0')}`,
          {
            givenName: `given${i}`,
            surname: `family${i % 7}`,
            birthday: `19${String(10 + (i % 80)).padStart(2, '0')}0${(i % 9) + 1}1${i % 10}`,
            postcode: String(2000 + i),
          },
          source,
        );
      });

    it('clusters duplicates in dedupe mode, named after the smallest record id', () => {
      // Prepare: two people, one of them three times with typos.
      const records = [
        ...filler(60),
        person('c', { givenName: 'jonathan', surname: 'smith', birthday: '19800101', postcode: '2600' }),
        person('a', { givenName: 'jonathon', surname: 'smith', birthday: '19800101', postcode: '2600' }),
        person('b', { givenName: 'jonathan', surname: 'smyth', birthday: '19800110', postcode: '2600' }),
        person('z', { givenName: 'mary', surname: 'jones', birthday: '19751212', postcode: '3000' }),
      ];
      // Act
      const { clusters, pairs } = linkRecords(records, { threshold: 0.5 });
      // Assess
      expect(clusters.get('a')).toBe('a');
      expect(clusters.get('b')).toBe('a');
      expect(clusters.get('c')).toBe('a');
      expect(clusters.get('z')).toBe('z');
      expect(pairs.length).toBeGreaterThanOrEqual(2);
    });

    it('links across sources one-to-one in link mode, the better candidate first', () => {
      // Prepare: a1 and a2 (source A) both resemble b1 (source B); a1 more so.
      const records = [
        ...filler(40, 'A'),
        ...filler(40, 'B', 40),
        person('a1', { givenName: 'ann', surname: 'lee', birthday: '19900101', postcode: '2600' }, 'A'),
        person('a2', { givenName: 'anne', surname: 'lee', birthday: '19900101', postcode: '2600' }, 'A'),
        person('b1', { givenName: 'ann', surname: 'lee', birthday: '19900101', postcode: '2600' }, 'B'),
      ];
      // Act
      const { pairs, clusters } = linkRecords(records, { mode: 'link', threshold: 0.5 });
      // Assess
      expect(pairs.map((p) => [p.a, p.b].sort())).toEqual([['a1', 'b1']]);
      expect(clusters.get('b1')).toBe('a1');
      expect(clusters.get('a2')).toBe('a2');
    });

    it('rejects duplicate record ids', () => {
      expect(() => linkRecords([person('x', {}), person('x', {})])).toThrow('unique');
    });

    it('never throws and maps every record to a cluster made of its own records', () => {
      fc.assert(
        fc.property(arbRecords, fc.constantFrom('dedupe' as const, 'link' as const), (records, mode) => {
          const { clusters, pairs } = linkRecords(records, { mode });
          expect(clusters.size).toBe(records.length);
          const ids = new Set(records.map((r) => r.recordId));
          for (const [id, cluster] of clusters) {
            expect(ids.has(cluster)).toBe(true);
            expect(cluster <= id).toBe(true);
          }
          for (const p of pairs) expect(p.probability).toBeGreaterThanOrEqual(0.5);
        }),
        { numRuns: 60 },
      );
    });

    it('gives the same cluster ids when the records are shuffled', () => {
      fc.assert(
        fc.property(arbRecords, fc.nat(), (records, seed) => {
          const shuffled = [...records].sort(
            (x, y) =>
              ((x.recordId.charCodeAt(0) * 31 + seed) % 17) - ((y.recordId.charCodeAt(0) * 31 + seed) % 17),
          );
          const before = linkRecords(records, { mode: 'dedupe' }).clusters;
          const after = linkRecords(shuffled, { mode: 'dedupe' }).clusters;
          expect(new Map([...after].sort())).toEqual(new Map([...before].sort()));
        }),
        { numRuns: 40 },
      );
    });
  });

  describe('u-sample in slices', () => {
    const sameScores = (x: ScoredRecords, y: ScoredRecords): void => {
      expect(y.model).toEqual(x.model);
      expect(y.diagnostics).toEqual(x.diagnostics);
      expect(Array.from(y.pairs.probability)).toEqual(Array.from(x.pairs.probability));
    };

    it('counts any split of the sample, in any order, exactly as one pass', () => {
      fc.assert(
        fc.property(
          arbRecords.filter((rs) => rs.length >= 2),
          fc.constantFrom('dedupe' as const, 'link' as const),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
          fc.integer(),
          (records, mode, cuts, seed) => {
            // Prepare
            const config = { mode, uSamplePairs: 40 };
            const plan = planLink(records, config);
            const compared = compareCandidates(plan, records, config);
            const sample = sampleUPairs(plan, config);
            const bounds = [0, ...cuts.map((c) => Math.floor(c * sample.count)), sample.count].sort(
              (x, y) => x - y,
            );
            const slices = bounds.slice(1).map((to, k) => [bounds[k] ?? 0, to] as const);
            const order = slices
              .map((_, k) => k)
              .sort((x, y) => ((x * 31 + seed) % 7) - ((y * 31 + seed) % 7));
            // Act: every slice into its own counts, on comparisons compiled from the columns alone.
            const elsewhere = compileComparisons(plan.comparisons, comparedColumns(plan, records));
            const sum = new Float64Array(compared.compiled.length * LEVEL_SLOTS);
            for (const k of order) {
              const [from, to] = slices[k] ?? [0, 0];
              const part = countSampleLevels(elsewhere, sample.a, sample.b, from, to);
              part.forEach((v, i) => {
                sum[i] = (sum[i] ?? 0) + v;
              });
            }
            // Assess
            const whole = countSampleLevels(compared.compiled, sample.a, sample.b, 0, sample.count);
            expect(Array.from(sum)).toEqual(Array.from(whole));
            sameScores(scoreRecords(records, config), fitAndScore(plan, compared, sum, sample.count, config));
          },
        ),
      );
    });

    it('gives the u of the tabulated sample patterns', async () => {
      // Prepare
      const records = await febrl1();
      const plan = planLink(records);
      const compared = compareCandidates(plan, records);
      const sample = sampleUPairs(plan);
      const F = compared.compiled.length;
      const levels = new Uint8Array(sample.count * F);
      compared.compiled.forEach((c, f) => {
        for (let p = 0; p < sample.count; p++)
          levels[p * F + f] = c.levelOf(sample.a[p] ?? 0, sample.b[p] ?? 0);
      });
      const levelCounts = compared.compiled.map((c) => c.labels.length);
      // Act
      const counts = countSampleLevels(compared.compiled, sample.a, sample.b, 0, sample.count);
      const scored = fitAndScore(plan, compared, counts, sample.count);
      // Assess
      expect(scored.model.fields.map((f) => f.u)).toEqual(
        estimateU(tabulatePatterns(levels, sample.count, F), levelCounts),
      );
    });
  });

  describe('Jaro-Winkler levels with the bound', () => {
    const text: FieldComparison = { field: 'address', kind: 'text' };
    /** The level without any bound: Jaro-Winkler of every pair. */
    const reference = (a: string, b: string): string => {
      const na = a.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
      const nb = b.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
      if (na === '' || nb === '') return 'null';
      if (na === nb) return 'exact';
      const s = jaroWinkler(comparableName(na), comparableName(nb));
      return s >= 0.92 ? 'jaro-winkler ≥ 0.92' : s >= 0.88 ? 'jaro-winkler ≥ 0.88' : 'else';
    };
    const word = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', 'e', 'r', 's', 't', ' '), maxLength: 14 }),
      fc.constantFrom(
        'tullaroop street',
        'tullaroop st',
        'giblin street',
        'gilbin street',
        'martha',
        'marhta',
      ),
    );
    /** A word and a near copy (a few characters replaced, dropped or moved): similarities near the thresholds. */
    const nearPair = fc
      .tuple(
        word,
        fc.array(fc.tuple(fc.nat(20), fc.constantFrom('', 'a', 'e', 's', 'x', 'ee')), { maxLength: 3 }),
        fc.boolean(),
      )
      .map(([a, edits, swap]) => {
        let b = a;
        for (const [at, by] of edits)
          b = b.slice(0, at % (b.length + 1)) + by + b.slice((at % (b.length + 1)) + 1);
        return swap ? ([b, a] as const) : ([a, b] as const);
      });
    it('gives every pair the level Jaro-Winkler itself gives', () => {
      fc.assert(
        fc.property(fc.oneof(fc.tuple(word, word), nearPair), ([a, b]) => {
          expect(levelOf(text, a, b)).toBe(reference(a, b));
        }),
        { numRuns: 3000 },
      );
    });
  });

  describe('record mapping', () => {
    it('maps headers by convention, Chinese included', () => {
      const mapping = resolveRecordMapping(['编号', '姓名', '手机号', '出生日期', 'Post Code']);
      expect(mapping.recordId).toEqual(['编号']);
      expect(mapping.fields).toEqual([
        ['name', ['姓名']],
        ['phone', ['手机号']],
        ['birthday', ['出生日期']],
        ['postcode', ['Post Code']],
      ]);
      const record = rowToIdentityRecord(
        { 编号: 'c-1', 姓名: '李雷', 手机号: '', 出生日期: '1990-01-01' },
        mapping,
        1,
      );
      expect(record).toEqual({
        recordId: 'c-1',
        source: undefined,
        fields: { name: '李雷', birthday: '1990-01-01' },
      });
    });

    it('joins several columns for one field and numbers rows without an id', () => {
      const mapping = resolveRecordMapping(
        ['no', 'street'],
        parseRecordMapping({ address: ['no', 'street'] }),
      );
      expect(rowToIdentityRecord({ no: '6', street: 'bingley crescent' }, mapping, 7, 'A')).toEqual({
        recordId: 'row-7',
        source: 'A',
        fields: { address: '6 bingley crescent' },
      });
    });

    it('refuses unknown keys and columns the file does not have', () => {
      expect(() => parseRecordMapping({ fullName: 'x' })).toThrow(RecordMappingError);
      expect(() => resolveRecordMapping(['a'], { name: 'b' })).toThrow(/columns not in the file: b/);
      expect(() => resolveRecordMapping(['foo'])).toThrow(/no column maps/);
    });
  });

  describe('end to end on FEBRL1 (1,000 records, 500 true pairs)', () => {
    it('finds the duplicates with F1 ≥ 0.98', async () => {
      // Prepare
      const records = await febrl1();
      const entity = (id: string) => id.split('-')[1];
      // Act
      const { clusters } = linkRecords(records, { threshold: 0.5 });
      // Assess: pairs inside predicted clusters against the true pairs.
      const members = new Map<string, string[]>();
      for (const [id, c] of clusters) members.set(c, [...(members.get(c) ?? []), id]);
      let tp = 0;
      let predicted = 0;
      for (const ids of members.values())
        for (let i = 0; i < ids.length; i++)
          for (let j = i + 1; j < ids.length; j++) {
            predicted++;
            if (entity(ids[i] ?? '') === entity(ids[j] ?? '')) tp++;
          }
      const precision = tp / predicted;
      const recall = tp / 500;
      expect((2 * precision * recall) / (precision + recall)).toBeGreaterThanOrEqual(0.98);
    });
  });
});
