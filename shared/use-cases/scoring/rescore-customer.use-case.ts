import type { ChurnRiskRaisedV1 } from '../../../events/scoring/churn-risk-raised.v1.ts';
import { canonicalJson } from '../../domain/privacy/canonical-json.ts';
import type { CustomerProfile } from '../../domain/profile/customer-profile.ts';
import type { FeatureSource } from '../../domain/scoring/customer-features.ts';
import {
  type CustomerModels,
  type CustomerScores,
  churnRiskRaised,
  scoreCustomer,
} from '../../domain/scoring/customer-intelligence.model.ts';

/** A customer's profile as scoring reads it: the pseudonymous part only, never a PII trait. */
export type ScorableProfile = Pick<CustomerProfile, 'customerId'> & FeatureSource;

/** Scores as stored, with the version the next write is conditional on. */
export type StoredScores = CustomerScores & { readonly version: number };

export type ScoresPorts = {
  readonly scores: (customerId: string) => Promise<StoredScores | undefined>;
  /**
   * Writes `next` (or removes the scores when undefined) with the membership index and, when given, the
   * ChurnRiskRaised event, in one transaction conditional on `previous` being what is stored. False when
   * someone else wrote in between.
   */
  readonly saveScores: (
    customerId: string,
    previous: StoredScores | undefined,
    next: CustomerScores | undefined,
    raised: ChurnRiskRaisedV1 | undefined,
  ) => Promise<boolean>;
};

export type RescorePorts = ScoresPorts & {
  readonly currentModels: () => Promise<CustomerModels | undefined>;
  readonly profile: (customerId: string) => Promise<ScorableProfile | undefined>;
};

export type RescoreOutcome = 'scored' | 'unchanged' | 'removed' | 'no-model' | 'no-profile';

export class ScoringContentionError extends Error {
  override readonly name = 'ScoringContentionError';
}

/** Same result, ignoring when it was computed: no write, no event. */
const sameScores = (stored: StoredScores, next: CustomerScores): boolean => {
  const { scoredAt: _a, version: _v, ...x } = stored;
  const { scoredAt: _b, ...y } = next;
  // Key order is not kept by DynamoDB maps: compare canonically.
  return canonicalJson(x) === canonicalJson(y);
};

const raisedEvent = (
  customerId: string,
  previous: CustomerScores | undefined,
  next: CustomerScores,
  threshold: number,
): ChurnRiskRaisedV1 | undefined => {
  if (next.churn === undefined || !churnRiskRaised(previous, next, threshold)) return undefined;
  return {
    specVersion: '1',
    customerId,
    score: next.churn.score,
    probability: Math.round(next.churn.probability * 10_000) / 10_000,
    ...(previous?.churn === undefined ? {} : { previousScore: previous.churn.score }),
    threshold,
    modelVersion: next.modelVersion,
    reasons: next.churn.reasons.map((r) => ({
      feature: r.feature,
      value: r.value.slice(0, 64),
      contribution: r.contribution,
      text: r.text.slice(0, 256),
    })),
    scoredAt: next.scoredAt,
  };
};

/**
 * Scores one profile with the given models and stores the result if it changed: memberships move in the
 * same transaction, and ChurnRiskRaised is written to the outbox exactly when the score crosses the
 * threshold upwards. Retried on a concurrent write (another event for the same customer).
 */
export const storeScores = (
  ports: ScoresPorts,
  models: CustomerModels,
  profile: ScorableProfile,
  now: string,
  attempts = 5,
): Promise<'scored' | 'unchanged'> =>
  untilStored(profile.customerId, attempts, async () => {
    const previous = await ports.scores(profile.customerId);
    const next = scoreCustomer(models, profile, now);
    if (previous !== undefined && sameScores(previous, next)) return 'unchanged';
    const raised = raisedEvent(profile.customerId, previous, next, models.settings.churnThreshold);
    return (await ports.saveScores(profile.customerId, previous, next, raised)) ? 'scored' : undefined;
  });

/** Rescoring on an event: the customer's current profile with the current models. */
export const rescoreCustomer = async (
  ports: RescorePorts,
  customerId: string,
  now: string,
): Promise<RescoreOutcome> => {
  const models = await ports.currentModels();
  if (models === undefined) return 'no-model';
  const profile = await ports.profile(customerId);
  if (profile !== undefined) return storeScores(ports, models, profile, now);
  // Merged away or erased: no scores and no segment may outlive the profile.
  return untilStored(customerId, 5, async () => {
    const previous = await ports.scores(customerId);
    if (previous === undefined) return 'no-profile';
    return (await ports.saveScores(customerId, previous, undefined, undefined)) ? 'removed' : undefined;
  });
};

/**
 * The optimistic write of a customer's scores: `attempt` reads, decides and writes, answering undefined
 * when its write lost to a concurrent one (another event for the same customer); then it runs again.
 */
const untilStored = async <T>(
  customerId: string,
  attempts: number,
  attempt: () => Promise<T | undefined>,
): Promise<T> => {
  for (let i = 0; i < attempts; i++) {
    const outcome = await attempt();
    if (outcome !== undefined) return outcome;
  }
  throw new ScoringContentionError(`scores of ${customerId} kept changing under ${attempts} attempts`);
};
