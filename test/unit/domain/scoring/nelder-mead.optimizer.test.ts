import { describe, expect, it } from 'vitest';
import { NelderMeadError, nelderMead } from '../../../../shared/domain/scoring/nelder-mead.optimizer.ts';

const rosenbrock = ([x = 0, y = 0]: readonly number[]): number => 100 * (y - x * x) ** 2 + (1 - x) ** 2;

describe('Domain: Nelder-Mead optimiser', () => {
  it('finds the minimum of the Rosenbrock valley from the classic start (−1.2, 1)', () => {
    // Act
    const result = nelderMead(rosenbrock, [-1.2, 1]);
    // Assess
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.value).toBeLessThan(1e-12);
  });

  it('minimises a badly scaled 5-D quadratic to its known minimum', () => {
    // Prepare
    const centre = [3, -2, 0.5, 10, -7];
    const scale = [1, 10, 100, 0.1, 3];
    const f = (x: readonly number[]) =>
      x.reduce((s, v, i) => s + (scale[i] ?? 1) * (v - (centre[i] ?? 0)) ** 2, 0) + 4;
    // Act
    const result = nelderMead(f, [0, 0, 0, 0, 0]);
    // Assess
    expect(result.converged).toBe(true);
    expect(result.value).toBeCloseTo(4, 10);
    result.x.forEach((v, i) => {
      expect(v).toBeCloseTo(centre[i] ?? Number.NaN, 4);
    });
  });

  it('treats non-finite values as +∞ and stays inside the domain', () => {
    // Prepare: defined for x > 0 only, minimum at x = 1
    const f = ([x = 0]: readonly number[]) => x - Math.log(x);
    // Act
    const result = nelderMead(f, [5], { initialStep: 10 });
    // Assess
    expect(result.x[0]).toBeCloseTo(1, 6);
  });

  it('reports no convergence when the iteration budget runs out', () => {
    // Act
    const result = nelderMead(rosenbrock, [-1.2, 1], { maxIterations: 10 });
    // Assess
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(10);
  });

  it('refuses an empty or non-finite start', () => {
    expect(() => nelderMead(rosenbrock, [])).toThrow(NelderMeadError);
    expect(() => nelderMead(rosenbrock, [Number.NaN, 1])).toThrow(NelderMeadError);
    expect(() => nelderMead(() => Number.NaN, [1])).toThrow(/not finite at the starting point/);
  });
});
