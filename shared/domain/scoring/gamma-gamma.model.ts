import { type BgNbdParameters, conditionalExpectedPurchases, type PurchaseHistory } from './bg-nbd.model.ts';
import { nelderMead } from './nelder-mead.optimizer.ts';
import { logGamma } from './special-functions.ts';

/*
 * The Gamma-Gamma spend model (Fader, Hardie & Lee 2005b, "RFM and CLV"; Hardie's note 025). A customer's
 * transaction values are Gamma(p, ν) with ν ~ Gamma(q, v); spend is independent of the purchase process.
 * Fitted on customers with x > 0 repeat transactions and their mean repeat spend zbar; the marginal density is
 *   f(zbar | x) = Γ(px+q) / (Γ(px) Γ(q)) · v^q · zbar^(px−1) · x^(px) / (v + x·zbar)^(px+q).
 * E[Z | x, zbar] = (p·v + p·x·zbar) / (p·x + q − 1): a weighted mean of the population mean p·v/(q−1) and the
 * customer's own zbar, the weight on zbar growing with x.
 */

export class GammaGammaModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GammaGammaModelError';
  }
}

export type GammaGammaParameters = {
  readonly p: number;
  readonly q: number;
  readonly v: number;
};

/** Repeat transactions and their mean value. */
export type SpendHistory = {
  readonly x: number;
  readonly zbar: number;
};

export type GammaGammaFit = {
  readonly parameters: GammaGammaParameters;
  readonly logLikelihood: number;
  /** Customers the fit used (those with x > 0 and zbar > 0). */
  readonly customers: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
};

export type GammaGammaFitOptions = {
  /** @default all 1 */
  readonly initial?: GammaGammaParameters | undefined;
  /** Nelder-Mead iterations; a fit that needs more reports `converged: false`. @default 5_000 */
  readonly maxIterations?: number | undefined;
};

const checkParameters = ({ p, q, v }: GammaGammaParameters): void => {
  if (![p, q, v].every((n) => Number.isFinite(n) && n > 0))
    throw new GammaGammaModelError(
      `Gamma-Gamma parameters must be positive and finite: ${JSON.stringify({ p, q, v })}`,
    );
};

const logLikelihoodOf = ({ p, q, v }: GammaGammaParameters, customers: readonly SpendHistory[]): number => {
  const common = -logGamma(q) + q * Math.log(v);
  let total = 0;
  for (const { x, zbar } of customers) {
    const px = p * x;
    total +=
      common +
      logGamma(px + q) -
      logGamma(px) +
      (px - 1) * Math.log(zbar) +
      px * Math.log(x) -
      (px + q) * Math.log(x * zbar + v);
  }
  return total;
};

const repeatCustomers = (customers: readonly SpendHistory[]): SpendHistory[] =>
  customers.filter((c) => {
    if (!(Number.isInteger(c.x) && c.x >= 0 && Number.isFinite(c.zbar) && c.zbar >= 0))
      throw new GammaGammaModelError(`invalid spend history: x=${c.x}, zbar=${c.zbar}`);
    return c.x > 0 && c.zbar > 0;
  });

/** Total log-likelihood over the customers with x > 0 and zbar > 0 (the others carry no spend information). */
export const gammaGammaLogLikelihood = (
  parameters: GammaGammaParameters,
  customers: readonly SpendHistory[],
): number => {
  checkParameters(parameters);
  return logLikelihoodOf(parameters, repeatCustomers(customers));
};

const fromLog = (w: readonly number[]): GammaGammaParameters => ({
  p: Math.exp(w[0] ?? 0),
  q: Math.exp(w[1] ?? 0),
  v: Math.exp(w[2] ?? 0),
});

/** Maximum-likelihood p, q, v: Nelder-Mead on the log-parameters, mean negative log-likelihood. */
export const fitGammaGamma = (
  customers: readonly SpendHistory[],
  options: GammaGammaFitOptions = {},
): GammaGammaFit => {
  const used = repeatCustomers(customers);
  if (used.length === 0)
    throw new GammaGammaModelError('fitGammaGamma needs customers with repeat purchases');
  const initial = options.initial ?? { p: 1, q: 1, v: 1 };
  checkParameters(initial);
  const result = nelderMead(
    (w) => -logLikelihoodOf(fromLog(w), used) / used.length,
    [initial.p, initial.q, initial.v].map(Math.log),
    { initialStep: 0.5, xTolerance: 1e-9, fTolerance: 1e-12, maxIterations: options.maxIterations ?? 5_000 },
  );
  return {
    parameters: fromLog(result.x),
    logLikelihood: -result.value * used.length,
    customers: used.length,
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
  };
};

/** Population mean transaction value p·v/(q−1); needs q > 1. */
export const populationMeanSpend = ({ p, q, v }: GammaGammaParameters): number => {
  if (!(q > 1)) throw new GammaGammaModelError(`the mean spend is infinite for q = ${q} ≤ 1`);
  return (p * v) / (q - 1);
};

/** E[Z | x, zbar]: expected value of this customer's future transactions (population mean when x = 0). */
export const conditionalExpectedAverageSpend = (
  parameters: GammaGammaParameters,
  { x, zbar }: SpendHistory,
): number => {
  checkParameters(parameters);
  const { p, q, v } = parameters;
  if (!(q > 1)) throw new GammaGammaModelError(`the mean spend is infinite for q = ${q} ≤ 1`);
  if (!(Number.isInteger(x) && x >= 0 && zbar >= 0))
    throw new GammaGammaModelError(`invalid spend history: x=${x}, zbar=${zbar}`);
  return x === 0 ? populationMeanSpend(parameters) : (p * v + p * x * zbar) / (p * x + q - 1);
};

export type LifetimeValueOptions = {
  /** Horizon in the BG/NBD time unit (e.g. 52 weeks). */
  readonly horizon: number;
  /** Length of one discounting period in the same unit (e.g. 4.345 weeks for months). @default horizon */
  readonly step?: number | undefined;
  /** Discount rate per step (0.01 = 1% a month when the step is a month). @default 0 */
  readonly discountRate?: number | undefined;
};

/**
 * Customer lifetime value over a horizon: expected purchases in each period (BG/NBD, conditional on the
 * history) times the expected spend per purchase (Gamma-Gamma), each period discounted by (1+d)^i.
 */
export const customerLifetimeValue = (
  models: { readonly bgNbd: BgNbdParameters; readonly gammaGamma: GammaGammaParameters },
  history: PurchaseHistory & SpendHistory,
  options: LifetimeValueOptions,
): number => {
  const { horizon } = options;
  const step = options.step ?? horizon;
  const discountRate = options.discountRate ?? 0;
  if (!(horizon >= 0 && Number.isFinite(horizon)))
    throw new GammaGammaModelError(`invalid horizon ${horizon}`);
  if (horizon === 0) return 0;
  if (!(step > 0 && Number.isFinite(step))) throw new GammaGammaModelError(`invalid step ${step}`);
  if (!(discountRate > -1)) throw new GammaGammaModelError(`invalid discount rate ${discountRate}`);
  const spend = conditionalExpectedAverageSpend(models.gammaGamma, history);
  let value = 0;
  let previous = 0;
  const periods = Math.ceil(horizon / step - 1e-9);
  for (let i = 1; i <= periods; i++) {
    const purchases = conditionalExpectedPurchases(models.bgNbd, Math.min(i * step, horizon), history);
    value += ((purchases - previous) * spend) / (1 + discountRate) ** i;
    previous = purchases;
  }
  return value;
};
