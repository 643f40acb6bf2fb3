import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import type { RandomSource } from '../identity/seeded-random.ts';
import { type CustomerProfile, ownValue } from '../profile/customer-profile.ts';
import { DEFAULT_PROFILE_CONFIG, rebuildProfile } from '../profile/profile.updater.ts';
import { type BgNbdParameters, fitBgNbd, nextPurchaseWindow, probabilityAlive } from './bg-nbd.model.ts';
import { type ChurnEnsembleModel, fitChurnEnsemble, scoreChurn } from './churn-ensemble.model.ts';
import { crossValidateChurnEnsemble } from './churn-evaluation.ts';
import {
  CUSTOMER_FEATURE_NAMES,
  CUSTOMER_FEATURES,
  type CustomerFeatureName,
  type CustomerFeatures,
  customerFeatures,
  type FeatureSource,
  spendPerOrder,
} from './customer-features.ts';
import { type FeatureLabels, type PreviousSegment, segmentCustomers } from './customer-segments.ts';
import {
  customerLifetimeValue,
  fitGammaGamma,
  type GammaGammaParameters,
  populationMeanSpend,
} from './gamma-gamma.model.ts';
import {
  buildInteractionMatrix,
  buildItemSimilarityRecommender,
  type ItemSimilarityRecommender,
  type NeighbourTable,
  neighbourTable,
  type PurchaseLine,
  popularityRecommender,
  recommenderFromNeighbourTable,
} from './item-similarity.recommender.ts';
import {
  checkTierRules,
  DEFAULT_RFM_TIERS,
  type RfmInput,
  type RfmReference,
  type RfmTierRule,
  rfmReference,
  rfmScoreAgainst,
} from './rfm-tiers.ts';
import { SpecialFunctionError } from './special-functions.ts';
import type { ColumnSpec, RawTable } from './tabular-features.ts';

/*
 * Customer intelligence as one versioned bundle: the churn ensemble, the RFM population, the segment
 * centroids and the lifetime-value parameters, all fitted on the same features (customer-features.ts) at
 * the same time, stored together (with metrics and the feature schema) and used together to score one
 * customer on an event or every customer in a batch. Pure: the clock, the randomness and the version id
 * are inputs.
 *
 * Churn is learnt from the platform's own history: the profile of every customer who had bought by the
 * cut-off (as-of − horizon) is folded from their events up to the cut-off, and the label is whether they
 * bought again before as-of. Training and scoring compute features with the same function.
 */

export type IntelligenceSettings = {
  /** Money features are read in this currency. */
  readonly currency: string;
  /** Churn = no purchase within this many days. */
  readonly churnHorizonDays: number;
  /** A score at or above this (0–100) raises ChurnRiskRaised and puts the customer in `churn-risk`. */
  readonly churnThreshold: number;
  readonly tierRules: readonly RfmTierRule[];
  /** Lifetime value horizon. */
  readonly lifetimeWeeks: number;
  /** Fewest labelled customers of each class for a churn model (below it, no churn score). */
  readonly minChurnExamplesPerClass: number;
  /** Features the segments are clustered on. */
  readonly segmentFeatures: readonly CustomerFeatureName[];
  /** Products recommended per customer. */
  readonly recommendations: number;
};

export const DEFAULT_INTELLIGENCE_SETTINGS: IntelligenceSettings = {
  currency: 'CNY',
  churnHorizonDays: 90,
  churnThreshold: 70,
  tierRules: DEFAULT_RFM_TIERS,
  lifetimeWeeks: 52,
  minChurnExamplesPerClass: 10,
  segmentFeatures: ['recencyDays', 'frequency', 'monetary', 'activity30d', 'complaints', 'channelCount'],
  recommendations: 5,
};

const SEGMENT_LABELS: Readonly<Record<string, FeatureLabels>> = {
  recencyDays: { high: 'lapsed', low: 'recent buyers' },
  frequency: { high: 'frequent', low: 'occasional' },
  monetary: { high: 'big spenders', low: 'small spenders' },
  activity30d: { high: 'active this month', low: 'quiet this month' },
  complaints: { high: 'complaining', low: 'no complaints' },
  channelCount: { high: 'omnichannel', low: 'single-channel' },
};

export type ChurnMetrics = {
  readonly rows: number;
  readonly positives: number;
  readonly folds: number;
  readonly auc: number;
  readonly brier: number;
  readonly accuracy: number;
};

export type SegmentCentroid = {
  readonly name: string;
  readonly description: string;
  readonly size: number;
  readonly centroidZ: Readonly<Record<string, number>>;
};

export type CustomerModels = {
  readonly version: string;
  readonly trainedAt: string;
  readonly asOf: string;
  readonly settings: IntelligenceSettings;
  readonly featureSchema: readonly { readonly name: string; readonly description: string }[];
  readonly customers: number;
  readonly churn:
    | { readonly model: ChurnEnsembleModel; readonly metrics: ChurnMetrics }
    | { readonly model?: undefined; readonly skipped: string };
  readonly rfm: RfmReference;
  readonly segments?: {
    readonly features: readonly string[];
    readonly means: Readonly<Record<string, number>>;
    readonly sds: Readonly<Record<string, number>>;
    readonly silhouette: number;
    readonly centroids: readonly SegmentCentroid[];
  };
  readonly lifetimeValue?: { readonly bgNbd: BgNbdParameters; readonly gammaGamma: GammaGammaParameters };
  /** Item-item neighbours learnt from every purchase line, and the best sellers to fill a short list. */
  readonly recommendations?: { readonly neighbours: NeighbourTable; readonly popular: readonly string[] };
};

export type ChurnScoreSummary = {
  readonly score: number;
  readonly probability: number;
  readonly reasons: readonly {
    readonly feature: string;
    readonly value: string;
    readonly contribution: number;
    readonly text: string;
  }[];
};

export type CustomerScores = {
  readonly modelVersion: string;
  readonly scoredAt: string;
  readonly features: CustomerFeatures;
  readonly churn?: ChurnScoreSummary;
  readonly rfm: { readonly r: number; readonly f: number; readonly m: number; readonly tier: string };
  readonly segment?: { readonly name: string; readonly description: string };
  readonly lifetimeValue?: {
    readonly probabilityAlive: number;
    readonly value: number;
    /** Days until the next purchase is more likely than not; absent when the model expects none. */
    readonly nextPurchaseInDays?: number;
  };
  /** Top products the customer has not bought, best first, with the owned product behind each. */
  readonly recommendations?: readonly { readonly itemId: string; readonly because?: string }[];
  /** Every segment the customer belongs to: `rfm-<tier>`, the k-means segment, `churn-risk`. */
  readonly memberships: readonly string[];
};

export class IntelligenceTrainingError extends Error {
  override readonly name = 'IntelligenceTrainingError';
}

export type CustomerHistory = { readonly customerId: string; readonly events: readonly CleanedEventV1[] };

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;

const featureTable = (rows: readonly CustomerFeatures[]): { table: RawTable; columns: ColumnSpec[] } => ({
  table: {
    header: CUSTOMER_FEATURE_NAMES,
    rows: rows.map((f) => CUSTOMER_FEATURE_NAMES.map((name) => String(f[name]))),
  },
  columns: CUSTOMER_FEATURE_NAMES.map((name, index) => ({ name, index, kind: 'numeric' as const })),
});

const rfmInput = (customerId: string, profile: FeatureSource, currency: string): RfmInput => ({
  customerId,
  ...(profile.computed.lastPurchaseAt === undefined
    ? {}
    : { lastPurchaseAt: profile.computed.lastPurchaseAt }),
  purchaseCount: profile.computed.purchaseCount,
  spendMinor: ownValue(profile.computed.spend, currency) ?? 0,
});

/** BG/NBD history in weeks: repeat purchases, time of the last one and age, from the first purchase. */
const purchaseHistory = (profile: FeatureSource, asOf: number) => {
  const { firstPurchaseAt, lastPurchaseAt, purchaseCount } = profile.computed;
  if (firstPurchaseAt === undefined || lastPurchaseAt === undefined) return undefined;
  const first = Date.parse(firstPurchaseAt);
  const T = Math.max(0, (asOf - first) / DAY_MS / WEEK_DAYS);
  const tx = Math.min(T, Math.max(0, (Date.parse(lastPurchaseAt) - first) / DAY_MS / WEEK_DAYS));
  return { x: Math.max(0, purchaseCount - 1), tx, T };
};

const churnExamples = (
  histories: readonly CustomerHistory[],
  asOf: string,
  settings: IntelligenceSettings,
): { features: CustomerFeatures[]; labels: number[] } => {
  const cutoffMs = Date.parse(asOf) - settings.churnHorizonDays * DAY_MS;
  const cutoff = new Date(cutoffMs).toISOString();
  const features: CustomerFeatures[] = [];
  const labels: number[] = [];
  for (const h of histories) {
    const before = h.events.filter((e) => Date.parse(e.occurredAt) <= cutoffMs);
    if (!before.some((e) => e.type === 'pos.purchase' && e.effective)) continue;
    const past = rebuildProfile(h.customerId, before, DEFAULT_PROFILE_CONFIG, cutoff).profile;
    const boughtAgain = h.events.some(
      (e) => e.type === 'pos.purchase' && e.effective && Date.parse(e.occurredAt) > cutoffMs,
    );
    features.push(customerFeatures(past, cutoff, settings.currency));
    labels.push(boughtAgain ? 0 : 1);
  }
  return { features, labels };
};

const trainChurn = (
  histories: readonly CustomerHistory[],
  asOf: string,
  settings: IntelligenceSettings,
  random: RandomSource,
): CustomerModels['churn'] => {
  const { features, labels } = churnExamples(histories, asOf, settings);
  const positives = labels.reduce((a, b) => a + b, 0);
  const negatives = labels.length - positives;
  const min = settings.minChurnExamplesPerClass;
  if (positives < min || negatives < min)
    return {
      skipped: `need ${min} customers who churned and ${min} who stayed within ${settings.churnHorizonDays} days; have ${positives} and ${negatives}`,
    };
  const { table, columns } = featureTable(features);
  const y = Uint8Array.from(labels);
  const folds = Math.min(5, positives, negatives);
  const report = crossValidateChurnEnsemble(table, columns, y, random, { folds });
  const model = fitChurnEnsemble(
    table,
    columns,
    y,
    labels.map((_, i) => i),
    random,
  );
  return {
    model,
    metrics: {
      rows: report.rows,
      positives: report.positives,
      folds,
      auc: report.auc,
      brier: report.brier,
      accuracy: report.accuracy,
    },
  };
};

const trainSegments = (
  profiles: readonly { customerId: string; features: CustomerFeatures }[],
  settings: IntelligenceSettings,
  random: RandomSource,
  previous: readonly PreviousSegment[],
): CustomerModels['segments'] => {
  if (profiles.length < 4) return undefined;
  const rows = profiles.map((p) => ({
    customerId: p.customerId,
    features: Object.fromEntries(settings.segmentFeatures.map((f) => [f, p.features[f]])),
  }));
  const distinct = new Set(rows.map((r) => JSON.stringify(r.features))).size;
  if (distinct < 3) return undefined;
  const s = segmentCustomers(rows, { random, previous, labels: SEGMENT_LABELS, kMax: Math.min(8, distinct) });
  return {
    features: s.features,
    means: s.means,
    sds: s.sds,
    silhouette: s.silhouette,
    centroids: s.segments.map((g) => ({
      name: g.name,
      description: g.description,
      size: g.size,
      centroidZ: g.centroidZ,
    })),
  };
};

const trainLifetimeValue = (
  profiles: readonly FeatureSource[],
  asOf: number,
  currency: string,
): CustomerModels['lifetimeValue'] => {
  const buyers = profiles.flatMap((p) => {
    const h = purchaseHistory(p, asOf);
    return h === undefined ? [] : [{ ...h, zbar: spendPerOrder(p.computed, currency) ?? 0 }];
  });
  const repeaters = buyers.filter((b) => b.x > 0 && b.zbar > 0);
  if (buyers.length < 20 || repeaters.length < 10) return undefined;
  try {
    const bgNbd = fitBgNbd(buyers).parameters;
    const gammaGamma = fitGammaGamma(repeaters).parameters;
    return { bgNbd, gammaGamma };
  } catch {
    // A population the models cannot describe (e.g. everyone bought exactly twice): no lifetime value.
    return undefined;
  }
};

/** Item-based collaborative filtering on every purchase line (binary: bought or not), neighbours kept. */
const trainRecommendations = (histories: readonly CustomerHistory[]): CustomerModels['recommendations'] => {
  const lines: PurchaseLine[] = [];
  for (const h of histories)
    for (const e of h.events)
      if (e.type === 'pos.purchase' && e.effective)
        for (const item of e.payload.items)
          lines.push({
            customerId: h.customerId,
            itemId: item.sku,
            basketId: e.payload.orderId,
            quantity: item.quantity,
          });
  const buyers = new Set(lines.map((l) => l.customerId));
  if (buyers.size < 2) return undefined;
  const matrix = buildInteractionMatrix(lines);
  const recommender = buildItemSimilarityRecommender(matrix, { neighbours: 20 });
  const popular = popularityRecommender(matrix)
    .ranking.slice(0, 20)
    .map((r) => r.itemId);
  return { neighbours: neighbourTable(recommender, 20), popular };
};

const recommenders = new WeakMap<object, ItemSimilarityRecommender>();

const recommendFor = (
  models: NonNullable<CustomerModels['recommendations']>,
  owned: Readonly<Record<string, number>>,
  n: number,
): NonNullable<CustomerScores['recommendations']> => {
  let recommender = recommenders.get(models);
  if (recommender === undefined) {
    recommender = recommenderFromNeighbourTable(models.neighbours);
    recommenders.set(models, recommender);
  }
  const ownedIds = Object.keys(owned).filter((id) => (owned[id] ?? 0) > 0);
  const picks = recommender
    .recommend(ownedIds, n)
    .map((r) => ({ itemId: r.itemId, ...(r.because ? { because: r.because.itemId } : {}) }));
  // A short list (a new customer, a rare product) is filled with best sellers they do not have yet.
  for (const itemId of models.popular) {
    if (picks.length >= n) break;
    if (!ownedIds.includes(itemId) && !picks.some((p) => p.itemId === itemId)) picks.push({ itemId });
  }
  return picks;
};

/**
 * Fits every model of the bundle from each customer's event history as of `asOf`. `previous` keeps the
 * segment names of the last bundle stable across retrains.
 */
export const trainCustomerModels = (
  histories: readonly CustomerHistory[],
  input: {
    readonly asOf: string;
    readonly version: string;
    readonly random: RandomSource;
    readonly settings?: IntelligenceSettings;
    readonly previous?: CustomerModels;
  },
): CustomerModels => {
  const settings = input.settings ?? DEFAULT_INTELLIGENCE_SETTINGS;
  checkTierRules(settings.tierRules);
  if (histories.length === 0) throw new IntelligenceTrainingError('no customers to train on');
  const asOfMs = Date.parse(input.asOf);
  if (!Number.isFinite(asOfMs)) throw new IntelligenceTrainingError(`bad asOf ${input.asOf}`);
  // Nothing after as-of may reach any model, labels included.
  const known = histories.map((h) => ({
    customerId: h.customerId,
    events: h.events.filter((e) => Date.parse(e.occurredAt) <= asOfMs),
  }));
  const now = known.map((h) => ({
    customerId: h.customerId,
    profile: rebuildProfile(h.customerId, h.events, DEFAULT_PROFILE_CONFIG, input.asOf).profile,
  }));
  const withFeatures = now.map((c) => ({
    customerId: c.customerId,
    features: customerFeatures(c.profile, input.asOf, settings.currency),
  }));
  const previousSegments = (input.previous?.segments?.centroids ?? []).map((c) => ({
    name: c.name,
    centroidZ: c.centroidZ,
  }));
  const segments = trainSegments(withFeatures, settings, input.random, previousSegments);
  const recommendations = trainRecommendations(known);
  const lifetimeValue = trainLifetimeValue(
    now.map((c) => c.profile),
    asOfMs,
    settings.currency,
  );
  return {
    version: input.version,
    trainedAt: input.asOf,
    asOf: input.asOf,
    settings,
    featureSchema: CUSTOMER_FEATURES,
    customers: histories.length,
    churn: trainChurn(known, input.asOf, settings, input.random),
    rfm: rfmReference(
      now.map((c) => rfmInput(c.customerId, c.profile, settings.currency)),
      input.asOf,
    ),
    ...(segments === undefined ? {} : { segments }),
    ...(lifetimeValue === undefined ? {} : { lifetimeValue }),
    ...(recommendations === undefined ? {} : { recommendations }),
  };
};

const nearestSegment = (segments: NonNullable<CustomerModels['segments']>, features: CustomerFeatures) => {
  let best: { centroid: SegmentCentroid; distance: number } | undefined;
  for (const centroid of segments.centroids) {
    let distance = 0;
    for (const f of segments.features) {
      const sd = segments.sds[f] ?? 0;
      const z = sd > 0 ? ((features[f as CustomerFeatureName] ?? 0) - (segments.means[f] ?? 0)) / sd : 0;
      distance += (z - (centroid.centroidZ[f] ?? 0)) ** 2;
    }
    if (best === undefined || distance < best.distance) best = { centroid, distance };
  }
  return best?.centroid;
};

const lifetimeValueOf = (
  ltv: NonNullable<CustomerModels['lifetimeValue']>,
  history: { readonly x: number; readonly tx: number; readonly T: number },
  profile: FeatureSource,
  settings: IntelligenceSettings,
): CustomerScores['lifetimeValue'] => {
  // Bought, but not in the scoring currency: the population's mean spend stands in.
  const perOrder = spendPerOrder(profile.computed, settings.currency) ?? 0;
  const zbar = perOrder > 0 ? perOrder : populationMeanSpend(ltv.gammaGamma);
  try {
    const next = nextPurchaseWindow(ltv.bgNbd, history);
    const value = customerLifetimeValue(ltv, { ...history, zbar }, { horizon: settings.lifetimeWeeks });
    return {
      probabilityAlive: probabilityAlive(ltv.bgNbd, history),
      value: Math.round(value * 100) / 100,
      ...(Number.isFinite(next) ? { nextPurchaseInDays: Math.round(next * WEEK_DAYS) } : {}),
    };
  } catch (error) {
    // Fitted parameters far outside the published range can make the hypergeometric series diverge for
    // some histories: that customer gets no lifetime value rather than no scores at all.
    if (error instanceof SpecialFunctionError) return undefined;
    throw error;
  }
};

/** Scores one customer's profile at `asOf` with every model of the bundle. */
export const scoreCustomer = (
  models: CustomerModels,
  profile: Pick<CustomerProfile, 'customerId'> & FeatureSource,
  asOf: string,
): CustomerScores => {
  const { settings } = models;
  const features = customerFeatures(profile, asOf, settings.currency);
  const rfmScore = rfmScoreAgainst(
    models.rfm,
    rfmInput(profile.customerId, profile, settings.currency),
    asOf,
    settings.tierRules,
  );
  const memberships = [`rfm-${rfmScore.tier}`];
  let churn: ChurnScoreSummary | undefined;
  if (models.churn.model !== undefined) {
    const s = scoreChurn(
      models.churn.model,
      CUSTOMER_FEATURE_NAMES.map((name) => String(features[name])),
    );
    churn = {
      score: s.score,
      probability: s.probability,
      reasons: s.reasons.map((r) => ({
        feature: r.column,
        value: r.value,
        contribution: r.contribution,
        text: r.text,
      })),
    };
    if (s.score >= settings.churnThreshold) memberships.push('churn-risk');
  }
  const segment = models.segments === undefined ? undefined : nearestSegment(models.segments, features);
  if (segment !== undefined) memberships.push(segment.name);
  const history = purchaseHistory(profile, Date.parse(asOf));
  const lifetimeValue =
    models.lifetimeValue === undefined || history === undefined
      ? undefined
      : lifetimeValueOf(models.lifetimeValue, history, profile, settings);
  return {
    modelVersion: models.version,
    scoredAt: asOf,
    features,
    ...(churn === undefined ? {} : { churn }),
    rfm: { r: rfmScore.r, f: rfmScore.f, m: rfmScore.m, tier: rfmScore.tier },
    ...(segment === undefined ? {} : { segment: { name: segment.name, description: segment.description } }),
    ...(lifetimeValue === undefined ? {} : { lifetimeValue }),
    ...(models.recommendations === undefined
      ? {}
      : {
          recommendations: recommendFor(
            models.recommendations,
            profile.computed.itemsBySku ?? {},
            settings.recommendations,
          ),
        }),
    memberships: [...memberships].sort(),
  };
};

/** Whether a new score crossed the churn threshold upwards (the moment ChurnRiskRaised is due). */
export const churnRiskRaised = (
  previous: Pick<CustomerScores, 'churn'> | undefined,
  next: Pick<CustomerScores, 'churn'>,
  threshold: number,
): boolean =>
  next.churn !== undefined && next.churn.score >= threshold && (previous?.churn?.score ?? 0) < threshold;
