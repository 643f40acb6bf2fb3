import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import type { LocalStack } from '../../infra/local/local-stack.ts';
import { createChannelProducer } from '../../shared/adapters/kinesis/channel-event.producer.ts';

/**
 * Puts one identify event on the local stack's ingest stream, as a web shop would: identity resolution
 * makes a customer from its identities, or links / merges them into existing ones.
 */
export const sendIdentify = (
  stack: LocalStack,
  messageId: string,
  identities: Readonly<Record<string, string>>,
  traits: Readonly<Record<string, string>> = {},
) =>
  createChannelProducer({
    client: stack.clients.kinesis,
    streamName: stack.names.stream(ingestStream.id),
  }).send([
    {
      specVersion: '1',
      messageId,
      occurredAt: new Date().toISOString(),
      type: 'segment.message',
      source: 'web-shop',
      channel: 'web',
      identities,
      traits,
      payload: { type: 'identify', userId: messageId, traits: {} },
    },
  ] as never);
