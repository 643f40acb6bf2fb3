import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { documentClient, s3Client, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { dynamoScores } from '#shared/adapters/dynamodb/score.repository.ts';
import { s3ModelRegistry } from '#shared/adapters/s3/model.registry.ts';
import { jsonMessageSender } from '#shared/adapters/sqs/json-message.sender.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonOrUndefined } from '#shared/runtime/json-text.ts';
import {
  scoreScoringPage,
  scoringPageMessage,
} from '#shared/use-cases/scoring/score-all-customers.use-case.ts';

const env = readEnv({
  CUSTOMER_TABLE_NAME: z.string().min(1),
  MODEL_BUCKET_NAME: z.string().min(1),
  BATCH_SCORING_QUEUE_URL: z.string().min(1),
});
const logger = new Logger();
const scores = dynamoScores(documentClient(), env.CUSTOMER_TABLE_NAME);
const registry = s3ModelRegistry(s3Client(), env.MODEL_BUCKET_NAME);
const ports = {
  ...scores,
  models: registry.load,
  sendPage: jsonMessageSender(sqsClient(), env.BATCH_SCORING_QUEUE_URL),
};

/** One page of one scan segment of a batch-scoring run per message; the next page goes back on the queue. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    const message = scoringPageMessage.safeParse(jsonOrUndefined(record.body));
    if (!message.success) {
      logger.error('not a scoring page; dropped', { messageId: record.messageId });
      continue;
    }
    try {
      const outcome = await scoreScoringPage(ports, message.data, new Date().toISOString());
      logger.info('scoring page', { ...message.data, cursor: undefined, ...outcome });
    } catch (error) {
      logger.warn('scoring page failed; SQS retries it', { ...message.data, error: String(error) });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
