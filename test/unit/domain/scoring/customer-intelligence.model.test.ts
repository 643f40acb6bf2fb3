import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import { emptyProfile } from '../../../../shared/domain/profile/customer-profile.ts';
import { DEFAULT_PROFILE_CONFIG, rebuildProfile } from '../../../../shared/domain/profile/profile.updater.ts';
import { customerFeatures } from '../../../../shared/domain/scoring/customer-features.ts';
import {
  type CustomerHistory,
  type CustomerModels,
  churnRiskRaised,
  DEFAULT_INTELLIGENCE_SETTINGS,
  IntelligenceTrainingError,
  scoreCustomer,
  trainCustomerModels,
} from '../../../../shared/domain/scoring/customer-intelligence.model.ts';
import { decodeModelJson, encodeModelJson } from '../../../../shared/domain/scoring/model-json.codec.ts';
import { appEvent, contact, day, purchase } from '../profile/profile-events.helper.ts';
import { AS_OF, syntheticHistories } from './synthetic-customers.fixture.ts';

const histories = syntheticHistories(240);
const train = (previous?: CustomerModels, seed = 1) =>
  trainCustomerModels(histories, {
    asOf: AS_OF,
    version: 'v1',
    random: seededRandom(seed),
    ...(previous ? { previous } : {}),
  });
const models = train();
const profileOf = (id: string, asOf = AS_OF) => {
  const h = histories.find((x) => x.customerId === id);
  if (!h) throw new Error(id);
  return rebuildProfile(id, h.events, DEFAULT_PROFILE_CONFIG, asOf).profile;
};

describe('customer features', () => {
  it('are computed from the profile as of a time: recency, frequency, money, tenure, activity and trend', () => {
    const events = [
      purchase({ eventId: 'p1', occurredAt: day(0), minor: 10_000 }),
      purchase({ eventId: 'p2', occurredAt: day(40), minor: 30_000, storeId: 'BJ01', items: [['鞋', 1]] }),
      appEvent({ eventId: 'a1', occurredAt: day(45) }),
      appEvent({ eventId: 'a2', occurredAt: day(95) }),
      contact({ eventId: 'c1', occurredAt: day(96), complaint: true }),
    ];
    const profile = rebuildProfile('x', events, DEFAULT_PROFILE_CONFIG, day(100)).profile;
    expect(customerFeatures(profile, day(100), 'CNY')).toEqual({
      recencyDays: 60,
      frequency: 2,
      monetary: 400,
      averageOrderValue: 200,
      tenureDays: 100,
      inactiveDays: 4,
      purchasesPerMonth: 0.6,
      activity30d: 2,
      // 2 in the last 30 days; p2 and a1 in the 60 before: 2 − 2/2.
      activityTrend: 1,
      contacts: 1,
      complaints: 1,
      channelCount: 3,
      storeCount: 2,
      categoryCount: 2,
    });
  });

  it('count money in the scoring currency only, and are all zero for a profile that has seen nothing', () => {
    const profile = rebuildProfile(
      'x',
      [purchase({ eventId: 'p1', occurredAt: day(0), minor: 10_000, currency: 'USD' })],
      DEFAULT_PROFILE_CONFIG,
      day(10),
    ).profile;
    expect(customerFeatures(profile, day(10), 'CNY')).toMatchObject({ frequency: 1, monetary: 0 });
    expect(
      Object.values(customerFeatures(emptyProfile('e', day(0)), day(0), 'CNY')).every((v) => v === 0),
    ).toBe(true);
  });
});

// Training fits the whole bundle (churn with 5-fold CV) several times: allow for a busy CI machine.
describe('training the customer-intelligence bundle on the platform’s own history', {
  timeout: 120_000,
}, () => {
  it('learns churn from what customers did after the cut-off, better than chance', () => {
    expect(models.churn.model).toBeDefined();
    if (!('metrics' in models.churn)) throw new Error('no churn model');
    const { metrics } = models.churn;
    expect(metrics.positives).toBeGreaterThan(10);
    expect(metrics.rows - metrics.positives).toBeGreaterThan(10);
    expect(metrics.auc).toBeGreaterThan(0.7);
    expect(models.featureSchema.map((f) => f.name)).toContain('complaints');
  });

  it('fits segments, value tiers and lifetime value on the same features', () => {
    expect(models.segments?.centroids.length).toBeGreaterThanOrEqual(2);
    expect(models.lifetimeValue?.bgNbd.r).toBeGreaterThan(0);
    expect(models.rfm.frequency.length).toBeGreaterThan(0);
  });

  it('ignores events after as-of, so a replayed future cannot leak into the model', () => {
    const withFuture = histories.map((h) => ({
      ...h,
      events: [...h.events, purchase({ eventId: `${h.customerId}-future`, occurredAt: day(400) })],
    }));
    const again = trainCustomerModels(withFuture, { asOf: AS_OF, version: 'v1', random: seededRandom(1) });
    expect(JSON.stringify(again)).toBe(JSON.stringify(models));
  });

  it('refuses an empty population and skips churn (with the reason) when too few customers lapsed', () => {
    expect(() => trainCustomerModels([], { asOf: AS_OF, version: 'v', random: seededRandom(1) })).toThrow(
      IntelligenceTrainingError,
    );
    const few = trainCustomerModels(histories.slice(0, 8), {
      asOf: AS_OF,
      version: 'v',
      random: seededRandom(1),
    });
    expect(few.churn.model).toBeUndefined();
    expect('skipped' in few.churn && few.churn.skipped).toMatch(/need 10 customers/);
  });

  it('keeps segment names across a retrain', () => {
    const retrained = train(models, 2);
    const names = (m: CustomerModels) => (m.segments?.centroids ?? []).map((c) => c.name).sort();
    expect(names(retrained)).toEqual(names(models));
  });
});

describe('scoring one customer with the bundle', () => {
  it('gives a 0–100 churn score whose reasons point the way the score went, and memberships', () => {
    let checked = 0;
    for (const h of histories.slice(0, 60)) {
      const s = scoreCustomer(models, profileOf(h.customerId), AS_OF);
      const churn = s.churn;
      if (!churn) throw new Error('no churn score');
      expect(churn.score).toBe(Math.round(100 * churn.probability));
      const base = models.churn.model?.baseLogOdds ?? 0;
      const logOdds = Math.log(churn.probability / (1 - churn.probability));
      for (const r of churn.reasons) expect(Math.sign(r.contribution)).toBe(logOdds >= base ? 1 : -1);
      expect(s.memberships).toContain(`rfm-${s.rfm.tier}`);
      expect(s.memberships.includes('churn-risk')).toBe(
        churn.score >= DEFAULT_INTELLIGENCE_SETTINGS.churnThreshold,
      );
      if (s.segment) expect(s.memberships).toContain(s.segment.name);
      checked++;
    }
    expect(checked).toBe(60);
  });

  it('scores the same after the bundle went through JSON (as stored in S3)', () => {
    const stored = decodeModelJson(encodeModelJson(models)) as CustomerModels;
    const profile = profileOf('c-0003');
    expect(scoreCustomer(stored, profile, AS_OF)).toEqual(scoreCustomer(models, profile, AS_OF));
  });

  it('rates lapsed complainers riskier than recent regulars', () => {
    const scored = histories.map((h) => ({ h, s: scoreCustomer(models, profileOf(h.customerId), AS_OF) }));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const complained = scored.filter((x) => x.s.features.complaints > 0).map((x) => x.s.churn?.score ?? 0);
    const recent = scored
      .filter((x) => x.s.features.complaints === 0 && x.s.features.recencyDays < 20)
      .map((x) => x.s.churn?.score ?? 0);
    expect(complained.length).toBeGreaterThan(5);
    expect(recent.length).toBeGreaterThan(5);
    expect(mean(complained)).toBeGreaterThan(mean(recent) + 15);
  });

  it('recommends what buyers of the same products also bought, with the product behind it', () => {
    const shop = (id: string, skus: readonly string[]) => ({
      customerId: id,
      events: skus.map((sku, n) => ({
        ...purchase({ eventId: `${id}-${n}`, occurredAt: day(10 + n) }),
        payload: {
          orderId: `${id}-o${n}`,
          storeId: 'SH0042',
          items: [{ sku, quantity: 1, unitPrice: { minor: 100, currency: 'CNY' } }],
          total: { minor: 100, currency: 'CNY' },
        },
      })) as CustomerHistory['events'],
    });
    const population = [
      shop('a', ['tea', 'teapot']),
      shop('b', ['tea', 'teapot']),
      shop('c', ['tea', 'teapot', 'cups']),
      shop('d', ['mug', 'plate']),
      shop('e', ['tea']),
    ];
    const m = trainCustomerModels(population, { asOf: day(100), version: 'r1', random: seededRandom(1) });
    const newcomer = rebuildProfile(
      'e',
      population[4]?.events ?? [],
      DEFAULT_PROFILE_CONFIG,
      day(100),
    ).profile;
    const recs = scoreCustomer(m, newcomer, day(100)).recommendations ?? [];
    expect(recs[0]).toEqual({ itemId: 'teapot', because: 'tea' });
    expect(recs.map((r) => r.itemId)).not.toContain('tea');
    // The list is filled up with best sellers the customer does not have.
    expect(recs.length).toBe(Math.min(DEFAULT_INTELLIGENCE_SETTINGS.recommendations, 4));
  });

  it('raises churn risk only when the score crosses the threshold upwards', () => {
    const at = (score: number) => ({ churn: { score, probability: score / 100, reasons: [] } });
    expect(churnRiskRaised(at(60), at(75), 70)).toBe(true);
    expect(churnRiskRaised(undefined, at(70), 70)).toBe(true);
    expect(churnRiskRaised(at(72), at(90), 70)).toBe(false);
    expect(churnRiskRaised(at(80), at(40), 70)).toBe(false);
    expect(churnRiskRaised(at(10), {}, 70)).toBe(false);
  });
});
