import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { documentClient, s3Client, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { dynamoProfilesFromEnv } from '#shared/adapters/dynamodb/profile.repository.ts';
import { dynamoScores } from '#shared/adapters/dynamodb/score.repository.ts';
import { s3ModelRegistry } from '#shared/adapters/s3/model.registry.ts';
import { jsonMessageSender } from '#shared/adapters/sqs/json-message.sender.ts';
import { DEFAULT_INTELLIGENCE_SETTINGS } from '#shared/domain/scoring/customer-intelligence.model.ts';
import { readEnv } from '#shared/runtime/env.ts';
import {
  type TrainingOutcome,
  trainAndPublish,
} from '#shared/use-cases/scoring/train-customer-models.use-case.ts';

const env = readEnv({
  CUSTOMER_TABLE_NAME: z.string().min(1),
  MODEL_BUCKET_NAME: z.string().min(1),
  BATCH_SCORING_QUEUE_URL: z.string().min(1),
  SCORING_SCAN_SEGMENTS: z.coerce.number().int().min(1).max(1000).default(4),
  CHURN_THRESHOLD: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .default(DEFAULT_INTELLIGENCE_SETTINGS.churnThreshold),
  SCORING_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default(DEFAULT_INTELLIGENCE_SETTINGS.currency),
});
// The settings travel inside each model version, so rescoring uses the ones the model was trained with.
const settings = {
  ...DEFAULT_INTELLIGENCE_SETTINGS,
  churnThreshold: env.CHURN_THRESHOLD,
  currency: env.SCORING_CURRENCY,
};
const logger = new Logger();
const db = documentClient();
const scores = dynamoScores(db, env.CUSTOMER_TABLE_NAME);
const profiles = dynamoProfilesFromEnv(db, env.CUSTOMER_TABLE_NAME);
const registry = s3ModelRegistry(s3Client(), env.MODEL_BUCKET_NAME);
const ports = {
  customerIds: scores.customerIds,
  events: async (customerId: string) => (await profiles.records(customerId)).map((r) => r.event),
  currentModels: registry.current,
  publish: (models: Parameters<typeof registry.publish>[0]) => registry.publish(models),
  publishCatalogue: scores.segments.publishCatalogue,
  sendPage: jsonMessageSender(sqsClient(), env.BATCH_SCORING_QUEUE_URL),
};

/** The scheduled retrain (EventBridge schedule): train, publish, promote, then score everyone in batch. */
export const handler = async (): Promise<TrainingOutcome> => {
  const outcome = await trainAndPublish(ports, {
    now: new Date().toISOString(),
    seed: 20_261_122,
    scanSegments: env.SCORING_SCAN_SEGMENTS,
    settings,
  });
  logger.info('customer models trained and published', { ...outcome });
  return outcome;
};
