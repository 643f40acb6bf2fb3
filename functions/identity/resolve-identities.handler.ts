import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { parseCleanedEvent } from '#events/cleaning/cleaned-event.v1.ts';
import { documentClient } from '#shared/adapters/aws/aws-clients.ts';
import { blindIndex } from '#shared/adapters/crypto/blind-index.adapter.ts';
import { sha256Hex } from '#shared/adapters/crypto/sha256.ts';
import { dynamoIdentityGraph } from '#shared/adapters/dynamodb/identity-graph.repository.ts';
import { dynamoMatchPorts } from '#shared/adapters/dynamodb/match.repository.ts';
import { dynamoProfilesFromEnv } from '#shared/adapters/dynamodb/profile.repository.ts';
import { DEFAULT_IDENTITY_RULES } from '#shared/domain/identity/identity-graph.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { processCleanedEvent } from '#shared/use-cases/profile/process-cleaned-event.use-case.ts';
import {
  DEFAULT_PROFILE_SETTINGS,
  mergeCustomerProfiles,
} from '#shared/use-cases/profile/update-profile.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const logger = new Logger();
const now = () => new Date().toISOString();
const db = documentClient();
const graph = dynamoIdentityGraph(db, env.CUSTOMER_TABLE_NAME, now);
const profiles = dynamoProfilesFromEnv(db, env.CUSTOMER_TABLE_NAME);
const settings = {
  rules: DEFAULT_IDENTITY_RULES,
  profile: DEFAULT_PROFILE_SETTINGS,
};
const newCustomerId = (seed: string) => `cus_${sha256Hex(seed, 24)}`;

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/**
 * Each cleaned event as it lands in the table (the outbox): identity, profile, matching. The records of a
 * batch are processed concurrently — resolution converges under concurrency (conditional writes) and profile
 * folds do not depend on order — and each failure is reported: the stream retries from the earliest one,
 * and every step is idempotent for the records after it that had succeeded.
 */
export const handler = async (
  event: DynamoDBStreamEvent,
  context: Context,
): Promise<DynamoDBBatchResponse> => {
  const index = await blindIndex();
  const ports = {
    identity: { ...graph, blindIndex: index, newCustomerId },
    profiles,
    matching: (e: { eventId: string; source: string; channel: string }) =>
      dynamoMatchPorts(db, env.CUSTOMER_TABLE_NAME, {
        graph,
        loadProfile: profiles.load,
        onMerged: async (survivor, merged) => {
          await mergeCustomerProfiles(survivor, merged, profiles, settings.profile, now());
        },
        blindIndex: index,
        event: e,
        now,
      }),
  };
  const processRecord = async (record: DynamoDBRecord): Promise<void> => {
    const image = record.dynamodb?.NewImage;
    const parsed = parseCleanedEvent(
      image ? unmarshall(image as Parameters<typeof unmarshall>[0]).event : undefined,
    );
    if (!parsed.ok) {
      // Not ours to fix here: the cleaning stage wrote it. Log and move on rather than block the shard.
      logger.error('cleaned event does not parse', { reasons: parsed.reasons, eventID: record.eventID });
      return;
    }
    const processed = await processCleanedEvent(parsed.event, ports, settings, now);
    logger.debug('processed', { eventId: parsed.event.eventId, processed });
  };
  return processPartialResponse(event, processRecord, processor, { context });
};
