import { randomBytes } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { validChannelEnvelopes } from '../../../events/fixtures/channel-envelope.v1.fixture.ts';
import { dynamoSourceRepository } from '../../../shared/adapters/dynamodb/source.repository.ts';
import { createChannelProducer } from '../../../shared/adapters/kinesis/channel-event.producer.ts';
import { formatWriteKey } from '../../../shared/domain/ingest/source.ts';
import type { LocalStack } from '../local-stack.ts';

export const DEMO_SOURCE = 'demo-web';

export type DemoSummary = { readonly writeKey: string; readonly lines: readonly string[] };

/**
 * Demo data for a fresh local stack: a source with a write key for the collect API, the channel fixtures
 * (POS, call centre, app, mini-program, third party, Segment) on the ingest stream, and the platform's start
 * event on the bus. Each travels the real path through cleaning, the bus and the lake.
 */
export const seedDemoData = async (stack: LocalStack): Promise<DemoSummary> => {
  const db = DynamoDBDocumentClient.from(stack.clients.dynamodb);
  const writeKey = formatWriteKey(randomBytes(24).toString('base64url'));
  await dynamoSourceRepository(db, stack.names.table).addWriteKey(
    { name: DEMO_SOURCE, createdAt: new Date().toISOString() },
    writeKey,
  );

  const ingest = stack.definitions.streams[0];
  const lines: string[] = [];
  if (ingest) {
    const producer = createChannelProducer({
      client: stack.clients.kinesis,
      streamName: stack.names.stream(ingest.id),
    });
    // Fresh message ids per start, so a persisted stack takes them as new events rather than duplicates.
    const run = Date.now().toString(36);
    const sent = await producer.send(
      validChannelEnvelopes.map((f) => ({ ...f.input, messageId: `demo-${run}-${f.input.messageId}` })),
    );
    lines.push(`${sent.sent} channel events on ${stack.names.stream(ingest.id)} (see: npx c360 quality)`);
  }

  const result = await stack.clients.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: stack.names.bus,
          Source: stack.definitions.bus.source,
          DetailType: 'LocalStackStarted',
          Detail: JSON.stringify({ version: 1, services: stack.services.map((s) => s.name) }),
        },
      ],
    }),
  );
  if (result.FailedEntryCount) throw new Error(`demo event rejected: ${JSON.stringify(result.Entries)}`);
  lines.push(`1 domain event on ${stack.names.bus} (lands in the lake bucket under domain-events/)`);
  return { writeKey, lines };
};
