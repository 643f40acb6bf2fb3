/*
 * Nelder-Mead downhill simplex (Nelder & Mead 1965) with the standard coefficients: reflection 1, expansion
 * 2, contraction ½, shrink ½; outside and inside contraction as in Lagarias et al. (1998). Derivative-free,
 * so it suits log-likelihoods whose gradients are tedious; parameters that must be positive are optimised on
 * the log scale by the caller. After convergence the simplex is rebuilt around the best point and the search
 * restarted, until a restart no longer improves the value — the usual cure for a simplex that collapsed early.
 */

export class NelderMeadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NelderMeadError';
  }
}

export type NelderMeadOptions = {
  /** Initial simplex edge per coordinate (or one for all). @default 0.1, or 5% of |x| when that is larger */
  readonly initialStep?: number | readonly number[] | undefined;
  /** Converged when every vertex is within this of the best, coordinate-wise. @default 1e-10 */
  readonly xTolerance?: number | undefined;
  /** …and every vertex value is within this of the best value. @default 1e-10 */
  readonly fTolerance?: number | undefined;
  /** Iterations over all restarts. @default 20_000 */
  readonly maxIterations?: number | undefined;
  /** @default 5 */
  readonly maxRestarts?: number | undefined;
};

export type NelderMeadResult = {
  readonly x: number[];
  readonly value: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly restarts: number;
  readonly converged: boolean;
};

type Vertex = { x: number[]; f: number };

/** Minimises `objective` from `start`. Non-finite values count as +∞ (the simplex backs away from them). */
export const nelderMead = (
  objective: (x: readonly number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult => {
  const n = start.length;
  if (n === 0) throw new NelderMeadError('nelderMead needs at least one parameter');
  if (!start.every(Number.isFinite)) throw new NelderMeadError('nelderMead needs a finite starting point');
  const xTolerance = options.xTolerance ?? 1e-10;
  const fTolerance = options.fTolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 20_000;
  const maxRestarts = options.maxRestarts ?? 5;
  let evaluations = 0;
  const f = (x: number[]): Vertex => {
    evaluations++;
    const value = objective(x);
    return { x, f: Number.isFinite(value) ? value : Number.POSITIVE_INFINITY };
  };
  const stepFor = (i: number, xi: number): number => {
    const s = options.initialStep;
    const given = typeof s === 'number' ? s : s?.[i];
    return given ?? Math.max(0.1, 0.05 * Math.abs(xi));
  };
  const simplexAround = (x0: readonly number[]): Vertex[] => {
    const vertices = [f([...x0])];
    for (let i = 0; i < n; i++) {
      const x = [...x0];
      x[i] = (x[i] ?? 0) + stepFor(i, x0[i] ?? 0);
      vertices.push(f(x));
    }
    return vertices;
  };
  const along = (from: readonly number[], to: readonly number[], t: number): number[] =>
    from.map((v, i) => v + t * ((to[i] ?? 0) - v));

  let iterations = 0;
  /** Runs the simplex until it settles or the iteration budget is spent; returns the best vertex. */
  const descend = (simplex: Vertex[]): { best: Vertex; settled: boolean } => {
    for (;;) {
      simplex.sort((p, q) => p.f - q.f);
      const best = simplex[0] as Vertex;
      const worst = simplex[n] as Vertex;
      const secondWorst = simplex[n - 1] ?? best;
      let spread = 0;
      let fSpread = 0;
      for (let k = 1; k <= n; k++) {
        const v = simplex[k] as Vertex;
        fSpread = Math.max(fSpread, Math.abs(v.f - best.f));
        for (let i = 0; i < n; i++) spread = Math.max(spread, Math.abs((v.x[i] ?? 0) - (best.x[i] ?? 0)));
      }
      if (spread <= xTolerance && fSpread <= fTolerance) return { best, settled: true };
      if (iterations >= maxIterations) return { best, settled: false };
      iterations++;
      const centroid = new Array<number>(n).fill(0);
      for (let k = 0; k < n; k++) {
        const v = simplex[k] as Vertex;
        for (let i = 0; i < n; i++) centroid[i] = (centroid[i] ?? 0) + (v.x[i] ?? 0) / n;
      }
      const reflected = f(along(centroid, worst.x, -1));
      if (reflected.f < best.f) {
        const expanded = f(along(centroid, worst.x, -2));
        simplex[n] = expanded.f < reflected.f ? expanded : reflected;
      } else if (reflected.f < secondWorst.f) {
        simplex[n] = reflected;
      } else {
        const outside = reflected.f < worst.f;
        const contracted = f(along(centroid, worst.x, outside ? -0.5 : 0.5));
        if (contracted.f < (outside ? reflected.f : worst.f)) simplex[n] = contracted;
        else for (let k = 1; k <= n; k++) simplex[k] = f(along(best.x, (simplex[k] as Vertex).x, 0.5));
      }
    }
  };

  const first = simplexAround(start);
  if (!Number.isFinite(first[0]?.f ?? Number.NaN))
    throw new NelderMeadError('the objective is not finite at the starting point');
  let result = descend(first);
  let restarts = 0;
  let improved = true;
  while (result.settled && improved && restarts < maxRestarts) {
    const before = result.best;
    restarts++;
    result = descend(simplexAround(before.x));
    if (result.best.f > before.f) result = { ...result, best: before };
    improved = before.f - result.best.f > fTolerance;
  }
  const converged = result.settled;
  const { best } = result;
  return { x: best.x, value: best.f, iterations, evaluations, restarts, converged };
};
