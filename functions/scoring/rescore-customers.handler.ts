import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { parseProfileUpdated } from '#events/profile/profile-updated.v1.ts';
import { documentClient, s3Client } from '#shared/adapters/aws/aws-clients.ts';
import { dynamoScores } from '#shared/adapters/dynamodb/score.repository.ts';
import { s3ModelRegistry } from '#shared/adapters/s3/model.registry.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonOrUndefined } from '#shared/runtime/json-text.ts';
import { rescoreCustomer } from '#shared/use-cases/scoring/rescore-customer.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1), MODEL_BUCKET_NAME: z.string().min(1) });
const logger = new Logger();
const scores = dynamoScores(documentClient(), env.CUSTOMER_TABLE_NAME);
const registry = s3ModelRegistry(s3Client(), env.MODEL_BUCKET_NAME);
const ports = { ...scores, currentModels: registry.current };
const envelope = z.object({ detail: z.unknown() });

/**
 * ProfileUpdated v1 from the bus (through SQS): rescore each customer once per batch, however many of its
 * updates the batch holds. A failure fails only the messages of that customer.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const byCustomer = new Map<string, string[]>();
  for (const record of event.Records) {
    const parsed = parseProfileUpdated(envelope.safeParse(jsonOrUndefined(record.body)).data?.detail);
    if (!parsed.ok) {
      logger.error('not a ProfileUpdated v1 event; dropped', { messageId: record.messageId });
      continue;
    }
    byCustomer.set(parsed.event.customerId, [
      ...(byCustomer.get(parsed.event.customerId) ?? []),
      record.messageId,
    ]);
  }
  const batchItemFailures: { itemIdentifier: string }[] = [];
  const outcomes: Record<string, number> = {};
  await Promise.all(
    [...byCustomer].map(async ([customerId, messageIds]) => {
      try {
        const outcome = await rescoreCustomer(ports, customerId, new Date().toISOString());
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      } catch (error) {
        logger.warn('rescoring failed; SQS retries it', { customerId, error: String(error) });
        for (const id of messageIds) batchItemFailures.push({ itemIdentifier: id });
      }
    }),
  );
  logger.info('rescored', { customers: byCustomer.size, ...outcomes });
  return { batchItemFailures };
};
