import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ComparisonTraits,
  checkThresholds,
  DEFAULT_MATCH_THRESHOLDS,
  MatchThresholdsError,
  scoreCandidates,
  scorePair,
} from '../../../../shared/domain/identity/candidate-matcher.ts';
import {
  DEFAULT_MATCH_MODEL,
  MATCH_FIELDS,
  MatchModelError,
  parseMatchModel,
  withPrior,
} from '../../../../shared/domain/identity/match-model.ts';

/*
 * One person, four channels: the app knows a device, a name and a birthday; the till a phone and the name in
 * characters; the web shop an e-mail, the name, a city and a delivery address; a CRM export (CSV) has the
 * name, birthday and address, each with a typo. Once the first three are one customer, the CSV row must
 * find that customer, and not another Zhang born the same year in the same city.
 */
const app: ComparisonTraits = { name: 'Zhang Wei', birthday: '1990-04-12' };
const pos: ComparisonTraits = { name: '张伟', phone: '+8613912345678' };
const web: ComparisonTraits = {
  name: 'Zhang Wei',
  email: 'zhang.wei@example.com',
  city: 'Shanghai',
  address: '88 Nanjing Road',
  postcode: '200001',
};
/** The customer the first three channels make: every value each channel told. */
const person: ComparisonTraits = {
  name: ['Zhang Wei', '张伟'],
  birthday: app.birthday,
  phone: pos.phone,
  email: web.email,
  city: web.city,
  address: web.address,
  postcode: web.postcode,
};
/** Same surname, same birth year, same city, a neighbouring postcode. */
const namesake: ComparisonTraits = {
  name: 'Zhang Min',
  birthday: '1990-08-03',
  city: 'Shanghai',
  address: '12 Huaihai Road',
  postcode: '200031',
};
/** Name (ie ↔ ei), birthday (day digits transposed) and address (two letter swaps) mistyped. */
const csvRow: ComparisonTraits = {
  name: 'Zhang Wie',
  birthday: '1990-04-21',
  address: '88 Nanjnig Raod',
  city: 'Shanghai',
  postcode: '200001',
};

const candidates = [
  { customerId: 'c-person', traits: person },
  { customerId: 'c-namesake', traits: namesake },
];

describe('Domain: candidate matcher', () => {
  describe('the four-channel person', () => {
    it('matches the CSV row to the person above the auto-merge threshold, and not to the namesake', () => {
      // Act
      const [best, second] = scoreCandidates(csvRow, candidates);
      // Assess
      expect(best?.customerId).toBe('c-person');
      expect(best?.decision).toBe('merge');
      expect(best?.probability).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLDS.autoMerge);
      expect(second?.customerId).toBe('c-namesake');
      expect(second?.decision).not.toBe('merge');
      expect(second?.probability).toBeLessThan(DEFAULT_MATCH_THRESHOLDS.autoMerge);
    });

    it('explains the link per trait, level and weight, without any trait value', () => {
      const [best] = scoreCandidates(csvRow, candidates);
      const e = best?.explanation;
      expect(e?.fields.map((f) => [f.field, f.level])).toEqual([
        ['name', 'jaro-winkler ≥ 0.92'],
        ['birthday', 'one typo, day/month swap or ±1 year'],
        ['address', 'jaro-winkler ≥ 0.92'],
        ['city', 'exact'],
        ['postcode', 'exact'],
      ]);
      expect(e?.missing).toEqual(['phone', 'email']);
      const sum = (e?.priorWeight ?? 0) + (e?.fields ?? []).reduce((s, f) => s + f.weight, 0);
      expect(e?.weight).toBeCloseTo(sum, 9);
      expect(e?.text).toMatch(
        /^name: jaro-winkler ≥ 0\.92 \(\+\d+\.\d\), birthday: one typo, day\/month swap or ±1 year \(\+\d+\.\d\), address: .* prior \(-12\.3\) → weight \d+\.\d, p > 0\.99999$/,
      );
      expect(e?.model).toBe(DEFAULT_MATCH_MODEL.source);
      for (const v of ['Zhang', 'Nanj', '1990', 'Shanghai', '200001']) expect(e?.text).not.toContain(v);
    });

    it('does not merge two channels that only share a name: the till’s 张伟 and the app’s Zhang Wei', () => {
      const score = scorePair(pos, app);
      expect(score.explanation.fields.map((f) => [f.field, f.level])).toEqual([
        ['name', 'jaro-winkler ≥ 0.92'],
      ]);
      expect(score.decision).toBe('none');
    });
  });

  it('suggests, for review, a pair with the same name and a transposed birthday only', () => {
    const score = scorePair(
      { name: 'Zhang Wei', birthday: '1990-04-12' },
      { name: 'zhang wei', birthday: '1990-04-21' },
    );
    expect(score.decision).toBe('suggest');
    expect(score.probability).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLDS.review);
    expect(score.probability).toBeLessThan(DEFAULT_MATCH_THRESHOLDS.autoMerge);
  });

  it('counts a phone number one digit off as partial agreement', () => {
    const score = scorePair(
      { name: 'Li Lei', phone: '+8613912345678' },
      { name: 'Li Lei', phone: ['+8613700000000', '+8613912345679'] },
    );
    expect(score.explanation.fields.find((f) => f.field === 'phone')).toMatchObject({ level: 'edits ≤ 1' });
    expect(score.explanation.fields.find((f) => f.field === 'phone')?.weight).toBeGreaterThan(0);
  });

  it('takes the best-agreeing value of a trait with several values', () => {
    const one = scorePair(csvRow, { ...person, address: '1 Other Street' });
    const both = scorePair(csvRow, { ...person, address: ['1 Other Street', '88 Nanjing Road'] });
    expect(one.explanation.fields.find((f) => f.field === 'address')?.level).toBe('else');
    expect(both.explanation.fields.find((f) => f.field === 'address')?.level).toBe('jaro-winkler ≥ 0.92');
  });

  it('never merges on a single agreeing trait, however likely the model finds it', () => {
    const model = withPrior(DEFAULT_MATCH_MODEL, 0.5);
    const score = scorePair({ name: 'Zhang Wei' }, { name: 'Zhang Wei' }, { model });
    expect(score.probability).toBeGreaterThan(0.99);
    expect(score.decision).toBe('suggest');
  });

  it('gives no evidence for missing traits and ranks ties by customer id', () => {
    const scores = scoreCandidates({}, [
      { customerId: 'b', traits: person },
      { customerId: 'a', traits: {} },
    ]);
    expect(scores.map((s) => [s.customerId, s.decision])).toEqual([
      ['a', 'none'],
      ['b', 'none'],
    ]);
    expect(scores[0]?.explanation.fields).toEqual([]);
    expect(scores[0]?.explanation.missing).toEqual([...MATCH_FIELDS]);
    expect(scores[0]?.weight).toBeCloseTo(
      Math.log2(DEFAULT_MATCH_MODEL.prior / (1 - DEFAULT_MATCH_MODEL.prior)),
      9,
    );
  });

  it('never throws on blank, malformed or odd traits', () => {
    const odd = fc.oneof(
      fc.constant(undefined),
      fc.string(),
      fc.array(fc.oneof(fc.string(), fc.constantFrom('', '   ', '张', '19900412', '1990-13-45', '+86')), {
        maxLength: 6,
      }),
    );
    const traits = fc.record(
      Object.fromEntries(MATCH_FIELDS.map((f) => [f, odd])) as Record<
        (typeof MATCH_FIELDS)[number],
        typeof odd
      >,
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(traits, traits, (a, b) => {
        const s = scorePair(a, b);
        expect(s.probability).toBeGreaterThanOrEqual(0);
        expect(s.probability).toBeLessThanOrEqual(1);
        expect(['merge', 'suggest', 'none']).toContain(s.decision);
      }),
      { numRuns: 200 },
    );
  });

  it('scores a pair the same whichever side is the record (the comparisons are symmetric)', () => {
    const pick = (values: readonly string[]) =>
      fc.oneof(
        fc.constant(undefined),
        fc.constantFrom(...values),
        fc.subarray([...values], { maxLength: 3 }),
      );
    // Small pools make agreements, typos and swaps common, so every level is reached.
    const traits = fc.record(
      {
        name: fc.oneof(
          pick(['Zhang Wei', 'Zhang Wie', '张伟', 'zhang  wei', 'Wei Zhang', 'Li Lei', '李蕾']),
          fc.string(),
        ),
        birthday: pick(['1990-04-12', '1990-04-21', '1990-12-04', '1991-04-12', '19900412', '1985-01-01']),
        address: fc.oneof(
          pick(['88 Nanjing Road', '88 Nanjnig Road', '8 Nanjing Rd', '上海市南京东路88号']),
          fc.string(),
        ),
        city: pick(['Shanghai', 'Shanghia', 'shanghai', 'Beijing', '上海']),
        postcode: pick(['200001', '200010', '200031', '100000']),
        phone: pick(['+8613912345678', '+8613912345679', '+8613921345678', '+8613700000000']),
        email: pick(['zhang.wei@example.com', 'zhangwei@example.com', 'zhangwei@exmaple.com', 'li@x.cn']),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(traits, traits, (a, b) => {
        const ab = scorePair(a, b);
        const ba = scorePair(b, a);
        expect(ba.explanation.fields).toEqual(ab.explanation.fields);
        expect(ba.weight).toBe(ab.weight);
        expect(ba.decision).toBe(ab.decision);
      }),
      { numRuns: 300 },
    );
  });

  it('never merges on a name and a city alone, however rare the model thinks the name is', () => {
    const a = { name: '李娜', city: '上海' };
    const b = { name: '李娜', city: '上海', address: '徐汇区漕溪北路88号' };
    const score = scorePair(a, b);
    expect(score.probability).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLDS.autoMerge);
    expect(score.decision).toBe('suggest');
    expect(scorePair({ ...a, birthday: '1990-03-14' }, { ...b, birthday: '1990-03-14' }).decision).toBe(
      'merge',
    );
  });

  it('refuses thresholds out of order', () => {
    expect(() => checkThresholds({ ...DEFAULT_MATCH_THRESHOLDS, autoMerge: 0.8, review: 0.9 })).toThrow(
      MatchThresholdsError,
    );
    expect(() =>
      scorePair(app, app, { thresholds: { ...DEFAULT_MATCH_THRESHOLDS, autoMerge: 1.5 } }),
    ).toThrow(MatchThresholdsError);
  });
});

describe('Domain: match model', () => {
  it('accepts the default model as JSON (what a deployment would supply)', () => {
    const parsed = parseMatchModel(JSON.parse(JSON.stringify(DEFAULT_MATCH_MODEL)));
    expect(parsed).toEqual(DEFAULT_MATCH_MODEL);
    expect(parsed.fields.map((f) => [f.comparison.field, f.estimatedBy])).toEqual([
      ['name', 'em'],
      ['birthday', 'em'],
      ['address', 'em'],
      ['city', 'em'],
      ['postcode', 'em'],
      ['phone', 'assumed'],
      ['email', 'assumed'],
    ]);
  });

  it('scores with a supplied model: fewer fields, other parameters', () => {
    const model = parseMatchModel({
      version: 1,
      source: 'test',
      prior: 0.01,
      fields: [
        {
          comparison: { field: 'name', kind: 'name', thresholds: [0.9] },
          labels: ['null', 'exact', 'jaro-winkler ≥ 0.9 or phonetic', 'else'],
          m: [1, 0.9, 0.05, 0.05],
          u: [1, 0.01, 0.04, 0.95],
          estimatedBy: 'em',
        },
      ],
    });
    const score = scorePair(csvRow, person, { model });
    expect(score.explanation.fields.map((f) => f.level)).toEqual(['jaro-winkler ≥ 0.9 or phonetic']);
    expect(score.explanation.missing).toEqual([]);
    expect(score.explanation.model).toBe('test');
  });

  const field = DEFAULT_MATCH_MODEL.fields[4];
  it.each([
    [
      'levels that are not the comparison’s',
      { ...field, labels: ['null', 'exact', 'near', 'else'] },
      'fields.0.labels',
    ],
    ['m of the wrong length', { ...field, m: [1, 0.5, 0.5] }, 'fields.0.m'],
    ['a null level other than 1', { ...field, u: [0.5, 0.001, 0.01, 0.989] }, 'fields.0.u.0'],
    ['levels not summing to 1', { ...field, m: [1, 0.5, 0.2, 0.1] }, 'levels after null must sum to 1'],
    [
      'an unknown trait',
      { ...field, comparison: { field: 'shoeSize', kind: 'exact' } },
      'fields.0.comparison',
    ],
    ['an unknown key', { ...field, extra: 1 }, 'extra'],
  ])('rejects %s', (_, bad, message) => {
    expect(() => parseMatchModel({ ...DEFAULT_MATCH_MODEL, fields: [bad] })).toThrow(MatchModelError);
    expect(() => parseMatchModel({ ...DEFAULT_MATCH_MODEL, fields: [bad] })).toThrow(message);
  });

  it('rejects a trait compared twice, a prior out of (0, 1) and a wrong version', () => {
    expect(() => parseMatchModel({ ...DEFAULT_MATCH_MODEL, fields: [field, field] })).toThrow('at most once');
    expect(() => parseMatchModel({ ...DEFAULT_MATCH_MODEL, prior: 1 })).toThrow('prior');
    expect(() => parseMatchModel({ ...DEFAULT_MATCH_MODEL, version: 2 })).toThrow('version');
    expect(() => withPrior(DEFAULT_MATCH_MODEL, 0)).toThrow(MatchModelError);
  });
});
