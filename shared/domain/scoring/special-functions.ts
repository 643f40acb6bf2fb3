/*
 * Special functions the customer-lifetime models need: log Γ (Lanczos approximation, g = 7, nine
 * coefficients, relative error ~1e-15 over the positive reals) and the Gauss hypergeometric function 2F1 as a
 * power series with a bounded-tail stopping rule. Pure numerics, no dependencies.
 */

export class SpecialFunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecialFunctionError';
  }
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log |Γ(x)|. Lanczos for x ≥ 0.5, the reflection formula Γ(x)Γ(1−x) = π / sin(πx) below. +∞ at the poles
 * (0, −1, −2, …).
 */
export const logGamma = (x: number): number => {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return x;
  if (x < 0.5) {
    if (Number.isInteger(x)) return Number.POSITIVE_INFINITY;
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const y = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
};

/** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b), for a, b > 0. */
export const logBeta = (a: number, b: number): number => logGamma(a) + logGamma(b) - logGamma(a + b);

export type Hyp2f1Options = {
  /** Stop once the bounded tail is below this share of the partial sum. @default 1e-15 */
  readonly tolerance?: number | undefined;
  /** @default 1_000_000 */
  readonly maxTerms?: number | undefined;
};

/** Σ (a)ₙ(b)ₙ / (c)ₙ zⁿ/n! for 0 ≤ z < 1. */
const series = (a: number, b: number, c: number, z: number, tolerance: number, maxTerms: number): number => {
  let term = 1;
  let sum = 1;
  // Past this index every term ratio has settled into its monotone approach to z, so the tail is bounded by a
  // geometric series with ratio ρ = max(current ratio, z).
  const settled = Math.ceil(Math.max(Math.abs(a), Math.abs(b), Math.abs(c))) + 2;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return sum; // a or b is a non-positive integer: the series terminates
    if (n >= settled) {
      const rho = Math.max(Math.abs(ratio), z);
      if (rho < 1 && (Math.abs(term) * rho) / (1 - rho) <= tolerance * Math.abs(sum)) return sum;
    }
    if (!Number.isFinite(sum)) throw new SpecialFunctionError(`hyp2f1(${a}, ${b}; ${c}; ${z}) overflowed`);
  }
  throw new SpecialFunctionError(`hyp2f1(${a}, ${b}; ${c}; ${z}) did not converge in ${maxTerms} terms`);
};

/**
 * The Gauss hypergeometric function ₂F₁(a, b; c; z) for real z < 1. The series converges for |z| < 1;
 * z < 0 is first mapped into (0, 1) by Pfaff's transformation ₂F₁(a, b; c; z) = (1 − z)^−b
 * ₂F₁(c − a, b; c; z / (z − 1)), so no alternating series is summed. Throws SpecialFunctionError for z ≥ 1,
 * c a non-positive integer, or no convergence within `maxTerms`.
 */
export const hyp2f1 = (a: number, b: number, c: number, z: number, options: Hyp2f1Options = {}): number => {
  const tolerance = options.tolerance ?? 1e-15;
  const maxTerms = options.maxTerms ?? 1_000_000;
  if (![a, b, c, z].every(Number.isFinite)) throw new SpecialFunctionError('hyp2f1 needs finite arguments');
  if (c <= 0 && Number.isInteger(c)) throw new SpecialFunctionError(`hyp2f1 is undefined for c = ${c}`);
  if (z >= 1) throw new SpecialFunctionError(`hyp2f1 is implemented for z < 1, got ${z}`);
  if (z === 0) return 1;
  if (z < 0) return (1 - z) ** -b * series(c - a, b, c, z / (z - 1), tolerance, maxTerms);
  return series(a, b, c, z, tolerance, maxTerms);
};
