import { describe, expect, it } from 'vitest';
import { computedView } from '../../../../shared/domain/profile/computed-traits.ts';
import { type ComputedTraits, EMPTY_COMPUTED } from '../../../../shared/domain/profile/customer-profile.ts';
import { TagRuleError } from '../../../../shared/domain/profile/tag-expression.parser.ts';
import {
  BUILT_IN_TAGS,
  compileTags,
  evaluateTags,
  highValueRule,
  type TagDefinition,
} from '../../../../shared/domain/profile/tag-rules.ts';
import { day } from './profile-events.helper.ts';

const TAGS = compileTags(BUILT_IN_TAGS);
const NOW = day(100);
const namesFor = (computed: Partial<ComputedTraits>, now = NOW) =>
  evaluateTags(
    TAGS,
    { traits: {}, computed: computedView({ computed: { ...EMPTY_COMPUTED, ...computed } }), now },
    [],
  ).map((t) => t.name);

const compileError = (d: Partial<TagDefinition>): string => {
  try {
    compileTags([{ name: 'vip', family: 'value', weight: 0.5, rule: 'computed.purchaseCount > 1', ...d }]);
    return '(compiled)';
  } catch (error) {
    if (!(error instanceof TagRuleError)) throw error;
    return error.message;
  }
};

describe('Domain: tag definitions', () => {
  it('covers the four families with valid built-in rules', () => {
    expect(new Set(TAGS.map((t) => t.family))).toEqual(
      new Set(['basic', 'behaviour', 'value', 'predictive']),
    );
  });

  it('tags basic facts and behaviour from identifier types, channels and complaints', () => {
    expect(
      namesFor({ identifierTypes: ['email', 'phone'], channels: ['pos', 'web'], complaintCount: 1 }),
    ).toEqual(['complainant', 'has-email', 'has-phone', 'multi-channel']);
    expect(namesFor({ identifierTypes: ['deviceId'], channels: ['app'] })).toEqual([]);
  });

  describe('high-value: recency ≤ 30 days, frequency ≥ 5, monetary ≥ ¥10,000', () => {
    const highValue = { purchaseCount: 5, spend: { CNY: 1_000_000 }, lastPurchaseAt: day(70) };

    it('holds exactly at each boundary', () => {
      expect(namesFor(highValue)).toContain('high-value');
    });

    it.each([
      ['31 days since the last purchase', { lastPurchaseAt: day(69) }],
      ['4 purchases', { purchaseCount: 4 }],
      ['¥9,999.99 spent', { spend: { CNY: 999_999 } }],
      ['spend in another currency only', { spend: { USD: 5_000_000 } }],
      ['no purchase date', { lastPurchaseAt: undefined }],
    ])('does not hold with %s', (_, change) => {
      expect(namesFor({ ...highValue, ...change })).not.toContain('high-value');
    });

    it('can be built for another currency and threshold', () => {
      expect(highValueRule('USD', 500_000)).toContain('computed.spend.USD >= 500000');
    });
  });

  it('tags a repeat buyer silent for more than 90 days as lapsing', () => {
    expect(namesFor({ purchaseCount: 2, lastPurchaseAt: day(9) })).toContain('lapsing');
    expect(namesFor({ purchaseCount: 2, lastPurchaseAt: day(10) })).not.toContain('lapsing');
  });

  it('keeps the since of a tag already held and stamps a new one with the clock, sorted by name', () => {
    const ctx = {
      traits: {},
      computed: computedView({ computed: { ...EMPTY_COMPUTED, identifierTypes: ['email', 'phone'] } }),
      now: NOW,
    };
    const previous = [{ name: 'has-phone', family: 'basic' as const, weight: 1, since: day(3) }];

    expect(evaluateTags(TAGS, ctx, previous)).toEqual([
      { name: 'has-email', family: 'basic', weight: 1, since: NOW },
      { name: 'has-phone', family: 'basic', weight: 1, since: day(3) },
    ]);
  });

  it.each([
    [{ rule: 'computed.purchaseCount >' }, "tag 'vip', column 25: expected a value"],
    [{ name: 'VIP customers' }, "tag 'VIP customers': a tag name is"],
    [{ weight: 1.5 }, "tag 'vip': weight must be a number from 0 to 1"],
    [{ weight: Number.NaN }, 'weight must be a number from 0 to 1'],
    [{ family: 'loyalty' as TagDefinition['family'] }, "unknown family 'loyalty'"],
  ])('refuses a definition with %j: %s', (change, message) => {
    expect(compileError(change)).toContain(message);
  });

  it('refuses two definitions of one name', () => {
    const d: TagDefinition = { name: 'vip', family: 'value', weight: 1, rule: 'true' };

    expect(() => compileTags([d, d])).toThrow("tag 'vip': defined twice");
  });
});
