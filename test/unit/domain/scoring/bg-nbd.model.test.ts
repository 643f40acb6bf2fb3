import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BgNbdModelError,
  type BgNbdParameters,
  bgNbdLogLikelihood,
  conditionalExpectedPurchases,
  expectedPurchases,
  fitBgNbd,
  nextPurchaseWindow,
  type PurchaseHistory,
  probabilityAlive,
  purchaseProbabilityWithin,
} from '../../../../shared/domain/scoring/bg-nbd.model.ts';
import { logBeta } from '../../../../shared/domain/scoring/special-functions.ts';

const CDNOW = fileURLToPath(
  new URL('../../../../../shared/benchdata/cdnow/cdnow_customers_summary.csv', import.meta.url),
);
const PUBLISHED: BgNbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const EXAMPLE: PurchaseHistory = { x: 2, tx: 30.43, T: 38.86 };

/**
 * E[X(T, T+t) | history] by quadrature instead of ₂F₁: given alive, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x),
 * and a live customer with (λ, p) makes (1 − e^(−λpt))/p purchases in t (the paper's eq. 8). λ integrates out
 * in closed form; p numerically, after p = u^(1/a) removes the p^(a−1) singularity (Simpson, 20,000 panels).
 */
const conditionalByQuadrature = (
  { r, alpha, a, b }: BgNbdParameters,
  t: number,
  h: PurchaseHistory,
): number => {
  const shape = r + h.x;
  const g = (p: number) =>
    p === 0
      ? (shape * t) / (alpha + h.T)
      : -Math.expm1(shape * Math.log((alpha + h.T) / (alpha + h.T + p * t))) / p;
  const integrand = (u: number) => {
    const p = u ** (1 / a);
    return g(p) * (1 - p) ** (b + h.x - 1);
  };
  const n = 20_000;
  let sum = integrand(0) + integrand(1);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * integrand(i / n);
  const integral = sum / (3 * n);
  return (probabilityAlive({ r, alpha, a, b }, h) * integral) / (a * Math.exp(logBeta(a, b + h.x)));
};

describe('Domain: BG/NBD model', () => {
  describe('bgNbdLogLikelihood', () => {
    it('matches the likelihood worked out by hand for r=1, α=2, a=1, b=2', () => {
      // Prepare: x=0, T=4 → α/(α+T) = 1/3;  x=1, tx=1, T=4 → (2/3)(2/36) + (1/3)(2/9) = 1/9
      const parameters = { r: 1, alpha: 2, a: 1, b: 2 };
      const customers = [
        { x: 0, tx: 0, T: 4 },
        { x: 1, tx: 1, T: 4 },
      ];
      // Act
      const ll = bgNbdLogLikelihood(parameters, customers);
      // Assess
      expect(ll).toBeCloseTo(Math.log(1 / 3) + Math.log(1 / 9), 12);
    });

    it('counts a weighted history as that many customers', () => {
      const parameters = { r: 0.5, alpha: 3, a: 0.8, b: 2.5 };
      const one = bgNbdLogLikelihood(parameters, [EXAMPLE]);
      expect(bgNbdLogLikelihood(parameters, [EXAMPLE], [3])).toBeCloseTo(3 * one, 10);
      expect(bgNbdLogLikelihood(parameters, [EXAMPLE, EXAMPLE, EXAMPLE])).toBeCloseTo(3 * one, 10);
    });

    it('refuses non-positive parameters and impossible histories', () => {
      expect(() => bgNbdLogLikelihood({ ...PUBLISHED, a: 0 }, [EXAMPLE])).toThrow(BgNbdModelError);
      expect(() => bgNbdLogLikelihood(PUBLISHED, [{ x: 1, tx: 5, T: 4 }])).toThrow(BgNbdModelError);
      expect(() => bgNbdLogLikelihood(PUBLISHED, [{ x: 1.5, tx: 1, T: 4 }])).toThrow(BgNbdModelError);
    });
  });

  describe('fitBgNbd', () => {
    it('recovers the published CDNOW parameters (Fader, Hardie & Lee 2005) within 0.5%', () => {
      // Prepare
      const customers = readFileSync(CDNOW, 'utf8')
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((line) => {
          const [, x = 0, tx = 0, T = 0] = line.split(',').map(Number);
          return { x, tx, T };
        });
      // Act
      const fit = fitBgNbd(customers);
      // Assess
      expect(fit.converged).toBe(true);
      for (const key of ['r', 'alpha', 'a', 'b'] as const)
        expect(Math.abs(fit.parameters[key] / PUBLISHED[key] - 1)).toBeLessThan(0.005);
      expect(fit.logLikelihood).toBeCloseTo(-9582.43, 1);
      expect(conditionalExpectedPurchases(fit.parameters, 39, EXAMPLE)).toBeCloseTo(1.226, 3);
    });
  });

  describe('fitBgNbd limits', () => {
    it('reports no convergence on a spent budget and refuses data it cannot fit', () => {
      const customers = [EXAMPLE, { x: 0, tx: 0, T: 20 }, { x: 3, tx: 10, T: 30 }];
      expect(fitBgNbd(customers, { maxIterations: 5 }).converged).toBe(false);
      expect(() => fitBgNbd([{ x: 0, tx: 0, T: 20 }])).toThrow(/repeat purchases/);
      expect(() => fitBgNbd([])).toThrow(BgNbdModelError);
    });
  });

  describe('predictions', () => {
    it('gives the conditional expectation of eq. 10 that an independent quadrature gives', () => {
      for (const h of [EXAMPLE, { x: 0, tx: 0, T: 38.86 }, { x: 7, tx: 35, T: 38 }, { x: 1, tx: 2, T: 30 }])
        for (const t of [1, 39, 150])
          expect(
            conditionalExpectedPurchases(PUBLISHED, t, h) / conditionalByQuadrature(PUBLISHED, t, h),
          ).toBeCloseTo(1, 5);
    });

    it('handles a = 1, the removable singularity of eq. 10', () => {
      const at1 = { ...PUBLISHED, a: 1 };
      const value = conditionalExpectedPurchases(at1, 39, EXAMPLE);
      expect(value / conditionalByQuadrature(at1, 39, EXAMPLE)).toBeCloseTo(1, 5);
    });

    it('reproduces the published cumulative expectations E[X(t)] for a new customer', () => {
      // Published with the unrounded fit (lifetimes Quickstart); the rounded parameters agree to ~0.1%.
      const fitted = { r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752 };
      const cases: [number, number][] = [
        [1, 0.0532],
        [3, 0.1506],
        [32, 1.0437],
        [78, 1.8576],
      ];
      for (const [t, expected] of cases) expect(expectedPurchases(fitted, t)).toBeCloseTo(expected, 3);
    });

    it('keeps E[X(t)] increasing in t, zero at t = 0', () => {
      expect(expectedPurchases(PUBLISHED, 0)).toBe(0);
      let previous = 0;
      for (const t of [0.01, 0.5, 1, 5, 20, 39, 100, 500]) {
        const value = conditionalExpectedPurchases(PUBLISHED, t, EXAMPLE);
        expect(value).toBeGreaterThan(previous);
        previous = value;
      }
    });

    it('keeps P(alive) in [0, 1]: 1 without repeats, falling with time since the last purchase', () => {
      expect(probabilityAlive(PUBLISHED, { x: 0, tx: 0, T: 30 })).toBe(1);
      let previous = 1;
      for (const T of [31, 35, 40, 60, 100, 300]) {
        const p = probabilityAlive(PUBLISHED, { x: 4, tx: 30, T });
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(previous);
        previous = p;
      }
      // Recent buyers are more likely alive.
      expect(probabilityAlive(PUBLISHED, { x: 4, tx: 38, T: 39 })).toBeGreaterThan(
        probabilityAlive(PUBLISHED, { x: 4, tx: 10, T: 39 }),
      );
      // A heavy buyer long gone: tiny, still a probability.
      const gone = probabilityAlive(PUBLISHED, { x: 200, tx: 1, T: 300 });
      expect(gone).toBeGreaterThanOrEqual(0);
      expect(gone).toBeLessThan(1e-10);
    });

    it('bounds P(purchase within t) by P(alive) and matches the expectation for a short t', () => {
      const alive = probabilityAlive(PUBLISHED, EXAMPLE);
      expect(purchaseProbabilityWithin(PUBLISHED, 1e6, EXAMPLE)).toBeLessThanOrEqual(alive);
      expect(purchaseProbabilityWithin(PUBLISHED, 1e6, EXAMPLE)).toBeCloseTo(alive, 3);
      // For tiny t a second purchase is negligible: P(≥1) ≈ E[X].
      const t = 1e-4;
      expect(
        purchaseProbabilityWithin(PUBLISHED, t, EXAMPLE) /
          conditionalExpectedPurchases(PUBLISHED, t, EXAMPLE),
      ).toBeCloseTo(1, 3);
    });

    it('places the next-purchase window where P(purchase within it) reaches the asked probability', () => {
      const window = nextPurchaseWindow(PUBLISHED, EXAMPLE, 0.5);
      expect(window).toBeGreaterThan(0);
      expect(purchaseProbabilityWithin(PUBLISHED, window, EXAMPLE)).toBeCloseTo(0.5, 10);
      expect(nextPurchaseWindow(PUBLISHED, EXAMPLE, 0.25)).toBeLessThan(window);
      // A customer more likely gone than alive has no median next purchase.
      expect(nextPurchaseWindow(PUBLISHED, { x: 5, tx: 2, T: 39 }, 0.5)).toBe(Number.POSITIVE_INFINITY);
      expect(() => nextPurchaseWindow(PUBLISHED, EXAMPLE, 1)).toThrow(BgNbdModelError);
    });
  });
});
