import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { parseCleanedEvent } from '#events/cleaning/cleaned-event.v1.ts';
import { documentClient } from '#shared/adapters/aws/aws-clients.ts';
import { blindIndex } from '#shared/adapters/crypto/blind-index.adapter.ts';
import { dynamoIdentityGraph } from '#shared/adapters/dynamodb/identity-graph.repository.ts';
import { DEFAULT_IDENTITY_RULES } from '#shared/domain/identity/identity-graph.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { resolveIdentity } from '#shared/use-cases/identity/resolve-identity.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const logger = new Logger();
const graph = dynamoIdentityGraph(documentClient(), env.CUSTOMER_TABLE_NAME, () => new Date().toISOString());
const newCustomerId = (seed: string) => `cus_${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`;

/**
 * Resolves each cleaned event as it lands in the table (the outbox), in stream order. A failure stops the
 * batch there: the stream retries from that record, and resolution is idempotent for the ones before.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const ports = { ...graph, blindIndex: await blindIndex(), newCustomerId };
  for (const [i, record] of event.Records.entries()) {
    try {
      const image = record.dynamodb?.NewImage;
      const parsed = parseCleanedEvent(
        image ? unmarshall(image as Parameters<typeof unmarshall>[0]).event : undefined,
      );
      if (!parsed.ok) {
        // Not ours to fix here: the cleaning stage wrote it. Log and move on rather than block the shard.
        logger.error('cleaned event does not parse', { reasons: parsed.reasons, eventID: record.eventID });
        continue;
      }
      const resolution = await resolveIdentity(parsed.event, DEFAULT_IDENTITY_RULES, ports);
      logger.debug('resolved', { eventId: parsed.event.eventId, resolution });
    } catch (error) {
      logger.warn('resolution failed; the stream retries from this record', { error: String(error) });
      return {
        batchItemFailures: event.Records.slice(i).map((r) => ({
          itemIdentifier: r.dynamodb?.SequenceNumber ?? '',
        })),
      };
    }
  }
  return { batchItemFailures: [] };
};
