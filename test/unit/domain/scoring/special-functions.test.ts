import { describe, expect, it } from 'vitest';
import {
  hyp2f1,
  logBeta,
  logGamma,
  SpecialFunctionError,
} from '../../../../shared/domain/scoring/special-functions.ts';

describe('Domain: special functions', () => {
  describe('logGamma', () => {
    it.each([
      [1, 0],
      [2, 0],
      [0.5, 0.5723649429247001], // log √π
      [10, 12.801827480081469], // log 9!
      [100, 359.1342053695754],
      [0.1, 2.252712651734206],
      [1e-8, 18.420680738180209],
      [-0.5, 1.2655121234846454], // log 2√π, through the reflection formula
    ])('log Γ(%d) = %d', (x, expected) => {
      // Act
      const value = logGamma(x);
      // Assess
      expect(value).toBeCloseTo(expected, 12);
    });

    it('satisfies Γ(x + 1) = x Γ(x)', () => {
      for (const x of [0.013, 0.243, 0.793, 2.426, 7.5, 33.3, 250]) {
        // Act
        const step = logGamma(x + 1) - logGamma(x);
        // Assess
        expect(step).toBeCloseTo(Math.log(x), 12);
      }
    });

    it('is +∞ at the poles', () => {
      expect(logGamma(0)).toBe(Number.POSITIVE_INFINITY);
      expect(logGamma(-3)).toBe(Number.POSITIVE_INFINITY);
    });

    it('gives log B(a, b) from three log Γ', () => {
      // B(2, 3) = 1!·2!/4! = 1/12
      expect(logBeta(2, 3)).toBeCloseTo(-Math.log(12), 13);
    });
  });

  describe('hyp2f1', () => {
    it.each([0.5, 0.9, 0.999, -0.5, -3])('₂F₁(1, 1; 2; z) = −ln(1−z)/z at z = %d', (z) => {
      // Act
      const value = hyp2f1(1, 1, 2, z);
      // Assess
      expect(value).toBeCloseTo(-Math.log(1 - z) / z, 12);
    });

    it('₂F₁(a, b; b; z) = (1 − z)^−a', () => {
      for (const z of [0.3, 0.95, -0.7])
        expect(hyp2f1(0.7, 2.3, 2.3, z) / (1 - z) ** -0.7).toBeCloseTo(1, 13);
    });

    it('₂F₁(½, ½; 3/2; z²) = arcsin(z)/z', () => {
      for (const z of [0.2, 0.9, 0.99])
        expect(hyp2f1(0.5, 0.5, 1.5, z * z)).toBeCloseTo(Math.asin(z) / z, 12);
    });

    it('terminates when a is a non-positive integer', () => {
      // ₂F₁(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1))
      const [b, c, z] = [1.7, 3.2, 0.6];
      expect(hyp2f1(-2, b, c, z)).toBeCloseTo(
        1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1)),
        14,
      );
    });

    it('agrees with Euler’s transformation for BG/NBD-like parameters', () => {
      // ₂F₁(a, b; c; z) = (1 − z)^(c−a−b) ₂F₁(c−a, c−b; c; z)
      const [a, b, c] = [2.243, 4.426, 4.219];
      for (const z of [0.1, 0.47, 0.9]) {
        const direct = hyp2f1(a, b, c, z);
        const euler = (1 - z) ** (c - a - b) * hyp2f1(c - a, c - b, c, z);
        expect(direct / euler).toBeCloseTo(1, 11);
      }
    });

    it('refuses z ≥ 1, a pole in c, and a series that cannot converge in the term budget', () => {
      expect(() => hyp2f1(1, 1, 2, 1)).toThrow(SpecialFunctionError);
      expect(() => hyp2f1(1, 1, -1, 0.5)).toThrow(SpecialFunctionError);
      expect(() => hyp2f1(1, 1, 2, 0.999999, { maxTerms: 100 })).toThrow(/did not converge/);
    });
  });
});
