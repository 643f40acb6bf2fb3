import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { seededRandom } from '../../domain/identity/seeded-random.ts';
import {
  type CustomerHistory,
  type CustomerModels,
  type IntelligenceSettings,
  trainCustomerModels,
} from '../../domain/scoring/customer-intelligence.model.ts';
import { type ScoringPage, scoringRunStart } from './score-all-customers.use-case.ts';

export type TrainingPorts = {
  /** Every customer with a profile. */
  readonly customerIds: () => AsyncIterable<string>;
  /** A customer's events (from the sealed per-customer records). */
  readonly events: (customerId: string) => Promise<readonly CleanedEventV1[]>;
  readonly currentModels: () => Promise<CustomerModels | undefined>;
  readonly publish: (models: CustomerModels) => Promise<void>;
  readonly publishCatalogue: (models: CustomerModels) => Promise<void>;
  readonly sendPage: (page: ScoringPage) => Promise<void>;
};

export type TrainingOutcome = {
  readonly version: string;
  readonly customers: number;
  readonly churn: string;
  readonly segments: number;
  readonly runId: string;
};

/** A version id from the training time: sortable, and valid as an S3 key segment. */
export const modelVersionAt = (at: string): string => at.replace(/[:.]/g, '-');

/**
 * The scheduled retrain: every customer's history → a new bundle, published and promoted (the previous
 * one's segment names kept), the segment catalogue refreshed, then a batch-scoring run over everyone.
 */
export const trainAndPublish = async (
  ports: TrainingPorts,
  input: {
    readonly now: string;
    readonly seed: number;
    readonly scanSegments: number;
    readonly settings?: IntelligenceSettings;
  },
): Promise<TrainingOutcome> => {
  const histories: CustomerHistory[] = [];
  for await (const customerId of ports.customerIds())
    histories.push({ customerId, events: await ports.events(customerId) });
  const previous = await ports.currentModels();
  const version = modelVersionAt(input.now);
  const models = trainCustomerModels(histories, {
    asOf: input.now,
    version,
    random: seededRandom(input.seed),
    ...(input.settings === undefined ? {} : { settings: input.settings }),
    ...(previous === undefined ? {} : { previous }),
  });
  await ports.publish(models);
  await ports.publishCatalogue(models);
  const runId = `run-${version}`;
  for (const page of scoringRunStart(runId, version, input.scanSegments)) await ports.sendPage(page);
  return {
    version,
    customers: histories.length,
    churn: 'metrics' in models.churn ? `auc ${models.churn.metrics.auc.toFixed(3)}` : models.churn.skipped,
    segments: models.segments?.centroids.length ?? 0,
    runId,
  };
};
