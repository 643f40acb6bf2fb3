import { nelderMead } from './nelder-mead.optimizer.ts';
import { hyp2f1, logGamma } from './special-functions.ts';

/*
 * The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"). While alive, a customer
 * buys at Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).
 * Fitted by maximum likelihood on (x, tx, T) per customer — repeat purchases, recency, age — in whatever
 * time unit the summary uses (see rfm-summary.ts); predictions come out in the same unit.
 *
 * Likelihood of one customer (the paper's eq. 6):
 *   L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
 *     + [x > 0] B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+tx)^(r+x)),
 * summed on the log scale with log-sum-exp. The conditional expectation (eq. 10) needs ₂F₁; it is evaluated
 * after Euler's transformation, ₂F₁(r+x, b+x; a+b+x−1; z) (1−z)^(r+x) = (1−z)^(a−1) ₂F₁(a+b−1−r, a−1;
 * a+b+x−1; z), whose parameters do not grow with x, so heavy buyers neither overflow nor sum long series.
 */

export class BgNbdModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BgNbdModelError';
  }
}

export type BgNbdParameters = {
  /** Shape of the Gamma prior on the purchase rate λ. */
  readonly r: number;
  /** Scale (rate) of the Gamma prior on λ, in time units. */
  readonly alpha: number;
  /** Beta prior on the dropout probability p. */
  readonly a: number;
  readonly b: number;
};

/** One customer's calibration history: repeat purchases, recency, age (see CustomerRfm). */
export type PurchaseHistory = {
  readonly x: number;
  readonly tx: number;
  readonly T: number;
};

export type BgNbdFitOptions = {
  /** Starting parameters. @default all 1 */
  readonly initial?: BgNbdParameters | undefined;
  /** Optional weight per customer (how many customers share that history). @default 1 each */
  readonly weights?: readonly number[] | undefined;
  /** Nelder-Mead iterations; a fit that needs more reports `converged: false`. @default 5_000 */
  readonly maxIterations?: number | undefined;
};

export type BgNbdFit = {
  readonly parameters: BgNbdParameters;
  /** Total log-likelihood at the fitted parameters. */
  readonly logLikelihood: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
};

const checkParameters = ({ r, alpha, a, b }: BgNbdParameters): void => {
  if (![r, alpha, a, b].every((v) => Number.isFinite(v) && v > 0))
    throw new BgNbdModelError(
      `BG/NBD parameters must be positive and finite: ${JSON.stringify({ r, alpha, a, b })}`,
    );
};

const checkHistory = ({ x, tx, T }: PurchaseHistory): void => {
  if (!(Number.isInteger(x) && x >= 0 && tx >= 0 && T >= tx && Number.isFinite(T)))
    throw new BgNbdModelError(`invalid purchase history: x=${x}, tx=${tx}, T=${T}`);
};

const logSumExp = (p: number, q: number): number => {
  const m = Math.max(p, q);
  return m === Number.NEGATIVE_INFINITY ? m : m + Math.log(Math.exp(p - m) + Math.exp(q - m));
};

/** Distinct histories with their total weights: the likelihood costs O(distinct), not O(customers). */
const tabulate = (
  customers: readonly PurchaseHistory[],
  weights: readonly number[] | undefined,
): { histories: PurchaseHistory[]; weights: number[] } => {
  const index = new Map<string, number>();
  const histories: PurchaseHistory[] = [];
  const totals: number[] = [];
  customers.forEach((c, i) => {
    checkHistory(c);
    const w = weights?.[i] ?? 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new BgNbdModelError(`invalid weight ${w} for customer ${i}`);
    const key = `${c.x}|${c.tx}|${c.T}`;
    const k = index.get(key);
    if (k === undefined) {
      index.set(key, histories.length);
      histories.push({ x: c.x, tx: c.tx, T: c.T });
      totals.push(w);
    } else totals[k] = (totals[k] ?? 0) + w;
  });
  return { histories, weights: totals };
};

const logLikelihoodOf = (
  { r, alpha, a, b }: BgNbdParameters,
  histories: readonly PurchaseHistory[],
  weights: readonly number[],
): number => {
  const common = -logGamma(r) + r * Math.log(alpha) + logGamma(a + b) - logGamma(b);
  const logA = Math.log(a);
  const headOf = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < histories.length; i++) {
    const { x, tx, T } = histories[i] as PurchaseHistory;
    // The Γ terms depend on x only; there are far fewer distinct x than histories.
    let head = headOf.get(x);
    if (head === undefined) {
      head = common + logGamma(r + x) + logGamma(b + x) - logGamma(a + b + x);
      headOf.set(x, head);
    }
    const stays = -(r + x) * Math.log(alpha + T);
    const leaves =
      x > 0 ? logA - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : Number.NEGATIVE_INFINITY;
    total += (weights[i] ?? 0) * (head + logSumExp(stays, leaves));
  }
  return total;
};

/** Total BG/NBD log-likelihood of the customers' histories under `parameters`. */
export const bgNbdLogLikelihood = (
  parameters: BgNbdParameters,
  customers: readonly PurchaseHistory[],
  weights?: readonly number[],
): number => {
  checkParameters(parameters);
  const t = tabulate(customers, weights);
  return logLikelihoodOf(parameters, t.histories, t.weights);
};

const fromLog = (v: readonly number[]): BgNbdParameters => ({
  r: Math.exp(v[0] ?? 0),
  alpha: Math.exp(v[1] ?? 0),
  a: Math.exp(v[2] ?? 0),
  b: Math.exp(v[3] ?? 0),
});

/**
 * Maximum-likelihood r, α, a, b: Nelder-Mead on the log-parameters (so they stay positive), minimising the
 * mean negative log-likelihood per customer.
 */
export const fitBgNbd = (customers: readonly PurchaseHistory[], options: BgNbdFitOptions = {}): BgNbdFit => {
  const { histories, weights } = tabulate(customers, options.weights);
  const n = weights.reduce((s, w) => s + w, 0);
  if (n <= 0) throw new BgNbdModelError('fitBgNbd needs at least one customer');
  if (!histories.some((h) => h.x > 0)) throw new BgNbdModelError('fitBgNbd needs some repeat purchases');
  const initial = options.initial ?? { r: 1, alpha: 1, a: 1, b: 1 };
  checkParameters(initial);
  const result = nelderMead(
    (v) => -logLikelihoodOf(fromLog(v), histories, weights) / n,
    [initial.r, initial.alpha, initial.a, initial.b].map(Math.log),
    { initialStep: 0.5, xTolerance: 1e-9, fTolerance: 1e-12, maxIterations: options.maxIterations ?? 5_000 },
  );
  return {
    parameters: fromLog(result.x),
    logLikelihood: -result.value * n,
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
  };
};

/** log of the odds a/(b+x−1) · ((α+T)/(α+tx))^(r+x) that the customer has dropped out vs is alive. */
const logDropoutOdds = ({ r, alpha, a, b }: BgNbdParameters, { x, tx, T }: PurchaseHistory): number =>
  x === 0
    ? Number.NEGATIVE_INFINITY
    : Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));

/** P(alive at T | x, tx, T). 1 for customers without repeat purchases (in BG/NBD they cannot have left). */
export const probabilityAlive = (parameters: BgNbdParameters, history: PurchaseHistory): number => {
  checkParameters(parameters);
  checkHistory(history);
  return 1 / (1 + Math.exp(logDropoutOdds(parameters, history)));
};

/** (a+b+x−1)/(a−1) · [1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z)], the numerator of eq. 10. */
const aliveExpectation = (r: number, a: number, b: number, x: number, z: number): number => {
  const c = a + b + x - 1;
  const value = (aa: number) =>
    (c / (aa - 1)) * (1 - (1 - z) ** (aa - 1) * hyp2f1(aa + b - 1 - r, aa - 1, c, z));
  // a = 1 is a removable singularity: average the two sides.
  if (Math.abs(a - 1) < 1e-6) return (value(1 + 1e-6) + value(1 - 1e-6)) / 2;
  return value(a);
};

/**
 * E[X(T, T+t) | x, tx, T]: expected repeat purchases in the next `t` time units for a customer with this
 * history (the paper's eq. 10).
 */
export const conditionalExpectedPurchases = (
  parameters: BgNbdParameters,
  t: number,
  history: PurchaseHistory,
): number => {
  checkParameters(parameters);
  checkHistory(history);
  if (!(t >= 0 && Number.isFinite(t))) throw new BgNbdModelError(`invalid horizon t=${t}`);
  if (t === 0) return 0;
  const { r, alpha, a, b } = parameters;
  const z = t / (alpha + history.T + t);
  return aliveExpectation(r, a, b, history.x, z) * (1 / (1 + Math.exp(logDropoutOdds(parameters, history))));
};

/** E[X(t)]: expected repeat purchases in (0, t] of a customer who just made a first purchase (eq. 9). */
export const expectedPurchases = (parameters: BgNbdParameters, t: number): number =>
  conditionalExpectedPurchases(parameters, t, { x: 0, tx: 0, T: 0 });

/**
 * P(at least one purchase in (T, T+t] | x, tx, T) = P(alive) · (1 − ((α+T)/(α+T+t))^(r+x)): a live customer
 * cannot drop out before their next purchase, and given alive, λ ~ Gamma(r+x, α+T).
 */
export const purchaseProbabilityWithin = (
  parameters: BgNbdParameters,
  t: number,
  history: PurchaseHistory,
): number => {
  if (!(t >= 0)) throw new BgNbdModelError(`invalid horizon t=${t}`);
  const alive = probabilityAlive(parameters, history);
  const { r, alpha } = parameters;
  const { x, T } = history;
  return alive * -Math.expm1((r + x) * (Math.log(alpha + T) - Math.log(alpha + T + t)));
};

/**
 * Predicted next-purchase window: the time t (after T) by which the customer has bought again with
 * probability `probability` (default ½, the median time to the next purchase). +∞ when P(alive) is at most
 * `probability` — the model expects, more likely than not, no further purchase ever.
 */
export const nextPurchaseWindow = (
  parameters: BgNbdParameters,
  history: PurchaseHistory,
  probability = 0.5,
): number => {
  if (!(probability > 0 && probability < 1))
    throw new BgNbdModelError(`probability must be in (0, 1), got ${probability}`);
  const alive = probabilityAlive(parameters, history);
  if (probability >= alive) return Number.POSITIVE_INFINITY;
  const { r, alpha } = parameters;
  return (alpha + history.T) * Math.expm1(-Math.log1p(-probability / alive) / (r + history.x));
};
