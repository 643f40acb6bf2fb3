import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { eventually } from '../helpers/eventually.ts';
import { dlq, probeFunction, testDefinitions } from '../helpers/test-definitions.ts';

describe('Local stack: EventBridge bus', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      definitions: testDefinitions({
        queues: [dlq('BusDlq'), dlq('MergedQueue')],
        functions: [probeFunction('FailingProbe', 'runtime-probe.handler.ts')],
        rules: [
          {
            id: 'ConfidentMerges',
            description: 'merges above 0.9',
            eventPattern: {
              source: ['c360.test'],
              'detail-type': ['CustomersMerged'],
              detail: { score: [{ numeric: ['>', 0.9] }] },
            },
            targets: [{ type: 'queue', queueId: 'MergedQueue', deadLetterQueueId: 'BusDlq' }],
          },
          {
            id: 'Explosions',
            description: 'always fails',
            eventPattern: { 'detail-type': [{ prefix: 'Explo' }] },
            targets: [
              {
                type: 'function',
                functionId: 'FailingProbe',
                maximumRetryAttempts: 1,
                deadLetterQueueId: 'BusDlq',
              },
            ],
          },
        ],
      }),
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const receive = async (queueId: string) =>
    (
      await stack.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.names.queueUrl(queueId),
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];

  it('accepts PutEvents from the unchanged SDK client and delivers matching events only', async () => {
    const put = await stack.clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: stack.names.bus,
            Source: 'c360.test',
            DetailType: 'CustomersMerged',
            Detail: JSON.stringify({ score: 0.97, n: 1 }),
          },
          {
            EventBusName: stack.names.bus,
            Source: 'c360.test',
            DetailType: 'CustomersMerged',
            Detail: JSON.stringify({ score: 0.5, n: 2 }),
          },
          {
            EventBusName: stack.names.bus,
            Source: 'c360.test',
            DetailType: 'CustomersMerged',
            Detail: 'not json',
          },
          { EventBusName: 'no-such-bus', Source: 'c360.test', DetailType: 'CustomersMerged', Detail: '{}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(2);
    expect(put.Entries?.[2]?.ErrorCode).toBe('MalformedDetail');
    expect(put.Entries?.[0]?.EventId).toBeTruthy();

    await stack.bus.drain();
    const delivered = await eventually(
      () => receive('MergedQueue'),
      (m) => m.length > 0,
    );
    expect(delivered).toHaveLength(1);
    const event = JSON.parse(delivered[0]?.Body ?? '{}');
    expect(event).toMatchObject({
      version: '0',
      id: put.Entries?.[0]?.EventId,
      'detail-type': 'CustomersMerged',
      source: 'c360.test',
      detail: { score: 0.97, n: 1 },
    });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('sends an event whose target keeps failing to the dead-letter queue with the reason', async () => {
    await stack.clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: stack.names.bus,
            Source: 'c360.test',
            DetailType: 'Explosion',
            Detail: JSON.stringify({ fail: true }),
          },
        ],
      }),
    );
    await stack.bus.drain();
    const dead = await eventually(
      () => receive('BusDlq'),
      (m) => m.length > 0,
    );
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]?.Body ?? '{}')['detail-type']).toBe('Explosion');
    expect(dead[0]?.MessageAttributes?.RULE_ARN?.StringValue).toContain(
      'rule/c360-local-ProbeBus/Explosions',
    );
    expect(dead[0]?.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain('probe asked to fail');
    // First attempt plus one retry.
    expect(stack.functions.get('FailingProbe')?.invocations).toBe(2);
  });
});
