import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkTierRules,
  DEFAULT_RFM_TIERS,
  type RfmInput,
  RfmTierRuleError,
  rfmTiers,
} from '../../../../shared/domain/scoring/rfm-tiers.ts';

const NOW = '2026-11-22T00:00:00.000Z';
const daysAgo = (d: number) => new Date(Date.parse(NOW) - d * 86_400_000).toISOString();
const customer = (id: string, days: number | undefined, count: number, spend: number): RfmInput => ({
  customerId: id,
  ...(days === undefined ? {} : { lastPurchaseAt: daysAgo(days) }),
  purchaseCount: count,
  spendMinor: spend,
});

describe('Domain: RFM tiers', () => {
  it("applies the seed's rule: bought within 30 days, 5+ times, ¥10,000+ is high value", () => {
    const scores = rfmTiers(
      [
        customer('vip', 10, 6, 1_200_000),
        customer('big-but-gone', 200, 9, 3_000_000),
        customer('frequent-small', 5, 8, 50_000),
        customer('new', 2, 1, 9_900),
        customer('never', undefined, 0, 0),
      ],
      NOW,
    );
    const tier = Object.fromEntries(scores.map((s) => [s.customerId, s.tier]));
    expect(tier.vip).toBe('high-value');
    expect(tier['big-but-gone']).toBe('at-risk');
    expect(tier['frequent-small']).toBe('core');
    expect(tier.new).toBe('potential');
    expect(tier.never).toBe('dormant');
    expect(scores.find((s) => s.customerId === 'never')).toMatchObject({ r: 1, f: 1, m: 1 });
  });

  it('scores quintiles 1–5, better values never score lower, ties score alike', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            days: fc.integer({ min: 0, max: 400 }),
            count: fc.integer({ min: 1, max: 20 }),
            spend: fc.integer({ min: 0, max: 10_000_000 }),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (rows) => {
          const scores = rfmTiers(
            rows.map((r, i) => customer(`c${i}`, r.days, r.count, r.spend)),
            NOW,
          );
          for (const [i, a] of scores.entries())
            for (const [j, b] of scores.entries()) {
              const x = rows[i];
              const y = rows[j];
              if (!x || !y) continue;
              if (x.days < y.days) expect(a.r).toBeGreaterThanOrEqual(b.r);
              if (x.days === y.days) expect(a.r).toBe(b.r);
              if (x.count > y.count) expect(a.f).toBeGreaterThanOrEqual(b.f);
              if (x.spend === y.spend) expect(a.m).toBe(b.m);
            }
          for (const s of scores) for (const q of [s.r, s.f, s.m]) expect(q >= 1 && q <= 5).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('spreads a varied population over all five scores', () => {
    const scores = rfmTiers(
      Array.from({ length: 100 }, (_, i) => customer(`c${i}`, i, 1 + i, i * 1000)),
      NOW,
    );
    expect(new Set(scores.map((s) => s.r))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(scores.filter((s) => s.f === 5)).toHaveLength(20);
  });

  it('refuses rules that could leave a customer without a tier, or scores out of range', () => {
    expect(() => checkTierRules([{ name: 'core', minR: 4 }])).toThrow(RfmTierRuleError);
    expect(() => checkTierRules([{ name: 'x', minR: 6 }, { name: 'rest' }])).toThrow(/minR must be a score/);
    expect(() => checkTierRules([{ name: 'a' }, { name: 'a' }])).toThrow(/twice/);
    expect(checkTierRules(DEFAULT_RFM_TIERS)).toBe(DEFAULT_RFM_TIERS);
  });
});
