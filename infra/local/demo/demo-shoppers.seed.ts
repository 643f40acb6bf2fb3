import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { ChannelEnvelopeV1 } from '../../../events/channel/channel-envelope.v1.ts';
import { createChannelProducer } from '../../../shared/adapters/kinesis/channel-event.producer.ts';
import type { TrainingOutcome } from '../../../shared/use-cases/scoring/train-customer-models.use-case.ts';
import { weeklyRetrainSchedule } from '../../definitions/bus.definition.ts';
import { ingestStream } from '../../definitions/streams.definition.ts';
import type { LocalStack } from '../local-stack.ts';

const DAY_MS = 86_400_000;

export const DEMO_SHOPPERS = { loyal: 20, lapsed: 20 } as const;

/**
 * A shop's year, ending `now`: loyal members (`LOYAL-<n>`) buy every month up to today; lapsed ones
 * (`LAPSED-<n>`) bought four times early in the year and stopped about four months ago, every other one
 * after a complaint to the call centre. Enough for every model to have something to learn.
 */
export const demoShopperEvents = (now: number, shoppers = DEMO_SHOPPERS): ChannelEnvelopeV1[] => {
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString();
  const purchase = (card: string, n: number, daysAgo: number, yuan: number): ChannelEnvelopeV1 => ({
    specVersion: '1',
    messageId: `demo-${card}-p${n}`,
    occurredAt: at(daysAgo),
    type: 'pos.purchase',
    source: 'pos-shanghai',
    channel: 'pos',
    identities: { memberCard: card },
    payload: {
      orderId: `o-${card}-${n}`,
      storeId: 'sh-01',
      items: [{ sku: 'TEA-1', category: 'tea', quantity: 1, unitPrice: `${yuan}.00` }],
      total: { amount: `${yuan}.00`, currency: 'CNY' },
    },
  });
  const out: ChannelEnvelopeV1[] = [];
  for (let c = 0; c < shoppers.loyal; c++)
    for (let n = 0; n < 12; n++) out.push(purchase(`LOYAL-${c}`, n, 5 + n * 30 + (c % 7), 200 + c * 10));
  for (let c = 0; c < shoppers.lapsed; c++) {
    for (let n = 0; n < 4; n++) out.push(purchase(`LAPSED-${c}`, n, 330 - n * 60 - (c % 5), 120 + c * 5));
    if (c % 2 === 0)
      out.push({
        specVersion: '1',
        messageId: `demo-LAPSED-${c}-complaint`,
        occurredAt: at(140),
        type: 'call-centre.contact',
        source: 'callcentre-genesys',
        channel: 'call-centre',
        identities: { memberCard: `LAPSED-${c}` },
        payload: { contactId: `ct-${c}`, direction: 'inbound', reason: 'late delivery', complaint: true },
      });
  }
  return out;
};

/** Profiles in the table and the purchases they hold. */
export const profileTotals = async (stack: LocalStack): Promise<{ profiles: number; purchases: number }> => {
  const db = DynamoDBDocumentClient.from(stack.clients.dynamodb);
  let profiles = 0;
  let purchases = 0;
  for await (const page of paginateScan(
    { client: db },
    {
      TableName: stack.names.table,
      FilterExpression: 'sk = :sk',
      ProjectionExpression: 'profile.computed.purchaseCount',
      ExpressionAttributeValues: { ':sk': 'P360' },
    },
  ))
    for (const item of page.Items ?? []) {
      profiles++;
      purchases += Number(
        (item.profile as { computed?: { purchaseCount?: number } })?.computed?.purchaseCount ?? 0,
      );
    }
  return { profiles, purchases };
};

/**
 * Sends the demo shoppers through the real pipeline, waits until their purchases are on their profiles,
 * then fires the weekly retrain (train, publish, batch-score everyone).
 */
export const seedDemoShoppers = async (
  stack: LocalStack,
  timeoutMs = 300_000,
): Promise<TrainingOutcome | undefined> => {
  const events = demoShopperEvents(Date.now());
  const before = await profileTotals(stack);
  const producer = createChannelProducer({
    client: stack.clients.kinesis,
    streamName: stack.names.stream(ingestStream.id),
  });
  await producer.send(events);
  const expected = before.purchases + events.filter((e) => e.type === 'pos.purchase').length;
  const deadline = Date.now() + timeoutMs;
  while ((await profileTotals(stack)).purchases < expected) {
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return (await stack.runSchedule(weeklyRetrainSchedule.id)) as TrainingOutcome;
};
