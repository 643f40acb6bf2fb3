import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { parseCustomerUnmerged } from '#events/identity/customer-unmerged.v1.ts';
import { documentClient } from '#shared/adapters/aws/aws-clients.ts';
import { customerSubtree, dynamoIdentityGraph } from '#shared/adapters/dynamodb/identity-graph.repository.ts';
import { dynamoProfilesFromEnv } from '#shared/adapters/dynamodb/profile.repository.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { rebuildAfterUnmerge } from '#shared/use-cases/profile/rebuild-after-unmerge.use-case.ts';
import { DEFAULT_PROFILE_SETTINGS } from '#shared/use-cases/profile/update-profile.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const logger = new Logger();
const now = () => new Date().toISOString();
const db = documentClient();
const profiles = dynamoProfilesFromEnv(db, env.CUSTOMER_TABLE_NAME);
const graph = dynamoIdentityGraph(db, env.CUSTOMER_TABLE_NAME, now);
const ports = {
  profiles,
  records: profiles.records,
  moveRecord: profiles.moveRecord,
  read: graph.read,
  subtree: async (id: string) => (await customerSubtree(db, env.CUSTOMER_TABLE_NAME, id)).customerIds,
};
const settings = DEFAULT_PROFILE_SETTINGS;
const envelope = z.object({ detail: z.unknown() });

/** CustomerUnmerged v1 from the bus (through SQS): rebuild both profiles; a failed message is retried. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    try {
      const parsed = parseCustomerUnmerged(envelope.parse(JSON.parse(record.body)).detail);
      if (!parsed.ok) {
        logger.error('not a CustomerUnmerged v1 event; dropped', { reasons: parsed.reasons });
        continue;
      }
      const rebuilt = await rebuildAfterUnmerge(parsed.event, ports, settings, now());
      logger.info('profiles rebuilt after unmerge', {
        ...rebuilt,
        survivor: parsed.event.survivorCustomerId,
      });
    } catch (error) {
      logger.warn('rebuild failed; SQS retries it', { error: String(error) });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
