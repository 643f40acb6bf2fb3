import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases } from '../../../../shared/domain/scoring/bg-nbd.model.ts';
import {
  conditionalExpectedAverageSpend,
  customerLifetimeValue,
  fitGammaGamma,
  GammaGammaModelError,
  gammaGammaLogLikelihood,
  populationMeanSpend,
} from '../../../../shared/domain/scoring/gamma-gamma.model.ts';

const CDNOW = fileURLToPath(
  new URL(
    '../../../../../shared/benchdata/cdnow/cdnow_customers_summary_with_transactions.csv',
    import.meta.url,
  ),
);
const PUBLISHED = { p: 6.25, q: 3.74, v: 15.44 };
const BG_NBD = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('Domain: Gamma-Gamma spend model', () => {
  it('matches the likelihood worked out by hand and ignores customers without repeat purchases', () => {
    // Prepare: p=1, q=2, v=1. x=1, zbar=1: Γ(3)/(Γ(1)Γ(2)) / 2³ = 1/4.  x=2, zbar=½: Γ(4)/(Γ(2)Γ(2)) · ½ · 2² / 2⁴ = 3/4
    const customers = [
      { x: 1, zbar: 1 },
      { x: 2, zbar: 0.5 },
      { x: 0, zbar: 0 },
    ];
    // Act
    const ll = gammaGammaLogLikelihood({ p: 1, q: 2, v: 1 }, customers);
    // Assess
    expect(ll).toBeCloseTo(Math.log(0.25) + Math.log(0.75), 12);
  });

  it('recovers the published CDNOW parameters and per-customer spend (Hardie note 025) within 0.5%', () => {
    // Prepare
    const customers = readFileSync(CDNOW, 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => {
        const [, x = 0, , , zbar = 0] = line.split(',').map(Number);
        return { x, zbar };
      });
    // Act
    const fit = fitGammaGamma(customers);
    // Assess
    expect(fit.customers).toBe(946);
    expect(fit.converged).toBe(true);
    for (const key of ['p', 'q', 'v'] as const)
      expect(Math.abs(fit.parameters[key] / PUBLISHED[key] - 1)).toBeLessThan(0.005);
    const spend = customers.slice(0, 10).map((c) => conditionalExpectedAverageSpend(fit.parameters, c));
    [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17].forEach((expected, i) => {
      expect(spend[i]).toBeCloseTo(expected, 1);
    });
  });

  it('shrinks a customer’s mean spend towards the population mean, less so the more they bought', () => {
    const population = populationMeanSpend(PUBLISHED);
    expect(conditionalExpectedAverageSpend(PUBLISHED, { x: 0, zbar: 0 })).toBe(population);
    const high = [1, 3, 10, 100].map((x) => conditionalExpectedAverageSpend(PUBLISHED, { x, zbar: 100 }));
    for (let i = 1; i < high.length; i++)
      expect(high[i]).toBeGreaterThan(high[i - 1] ?? Number.POSITIVE_INFINITY);
    for (const s of high) {
      expect(s).toBeGreaterThan(population);
      expect(s).toBeLessThan(100);
    }
    expect(() => populationMeanSpend({ ...PUBLISHED, q: 0.9 })).toThrow(GammaGammaModelError);
  });

  describe('customerLifetimeValue', () => {
    const history = { x: 2, tx: 30.43, T: 38.86, zbar: 22.35 };
    const models = { bgNbd: BG_NBD, gammaGamma: PUBLISHED };

    it('is expected purchases times expected spend when nothing is discounted', () => {
      const value = customerLifetimeValue(models, history, { horizon: 52, step: 4 });
      expect(value).toBeCloseTo(
        conditionalExpectedPurchases(BG_NBD, 52, history) *
          conditionalExpectedAverageSpend(PUBLISHED, history),
        10,
      );
      expect(customerLifetimeValue(models, history, { horizon: 0 })).toBe(0);
    });

    it('discounts later periods and grows with the horizon', () => {
      const undiscounted = customerLifetimeValue(models, history, { horizon: 52, step: 52 / 12 });
      const discounted = customerLifetimeValue(models, history, {
        horizon: 52,
        step: 52 / 12,
        discountRate: 0.01,
      });
      expect(discounted).toBeLessThan(undiscounted);
      expect(discounted).toBeGreaterThan(undiscounted / 1.01 ** 12);
      expect(
        customerLifetimeValue(models, history, { horizon: 104, step: 52 / 12, discountRate: 0.01 }),
      ).toBeGreaterThan(discounted);
      expect(() => customerLifetimeValue(models, history, { horizon: 52, step: 0 })).toThrow(
        GammaGammaModelError,
      );
    });
  });
});
