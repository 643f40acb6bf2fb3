import { Analytics } from '@segment/analytics-node';
import { describe, expect, it } from 'vitest';
import { parseChannelEnvelope } from '../../events/channel/channel-envelope.v1.ts';

type SegmentBatch = { batch: Record<string, unknown>[] };

/** Every message the real Segment Node SDK would POST to /v1/batch, captured instead of sent. */
const captureSegmentMessages = async (
  calls: (analytics: Analytics) => void,
): Promise<Record<string, unknown>[]> => {
  const messages: Record<string, unknown>[] = [];
  const analytics = new Analytics({
    writeKey: 'contract-test',
    maxEventsInBatch: 1,
    httpClient: async (_url, init) => {
      messages.push(...(JSON.parse(init.body) as SegmentBatch).batch);
      return { status: 200, statusText: 'OK' };
    },
  });
  calls(analytics);
  await analytics.closeAndFlush();
  return messages;
};

// How the collect API wraps one Segment call.
const wrap = (message: Record<string, unknown>, i: number) => ({
  specVersion: '1',
  messageId: `collect-${i}`,
  type: 'segment.message',
  source: 'collect-api',
  channel: 'web',
  occurredAt: typeof message.timestamp === 'string' ? message.timestamp : '2024-01-02T05:04:00.000Z',
  identities: {
    ...(typeof message.userId === 'string' ? { userId: message.userId } : {}),
    ...(typeof message.anonymousId === 'string' ? { anonymousId: message.anonymousId } : {}),
  },
  payload: message,
});

describe('Contract: Segment messages from @segment/analytics-node', () => {
  it('accepts every call type the Segment SDK produces, wrapped by the collect API', async () => {
    const messages = await captureSegmentMessages((analytics) => {
      analytics.identify({ userId: 'u-1029384', traits: { name: '张伟', email: 'ZhangWei@Example.COM' } });
      analytics.track({
        anonymousId: 'a7f1c0de',
        event: 'Order Completed',
        properties: { orderId: 'W-1', total: '2,598.00', currency: 'CNY' },
        timestamp: new Date('2024-01-02T05:04:00.000Z'),
      });
      analytics.page({ userId: 'u-1029384', name: 'Checkout', properties: { path: '/checkout' } });
      analytics.screen({ userId: 'u-1029384', name: 'ProductDetail' });
      analytics.group({ userId: 'u-1029384', groupId: 'store-SH0042', traits: { city: '上海' } });
      analytics.alias({ userId: 'u-1029384', previousId: 'a7f1c0de' });
    });

    expect(messages.map((m) => m.type)).toEqual(['identify', 'track', 'page', 'screen', 'group', 'alias']);
    messages.forEach((m, i) => {
      expect(parseChannelEnvelope(wrap(m, i)), JSON.stringify(m)).toMatchObject({ ok: true });
    });
  });

  it('keeps the Segment fields the cleaning stage reads and strips SDK internals', async () => {
    const [message] = await captureSegmentMessages((analytics) =>
      analytics.track({ userId: 'u-1', event: 'Coupon Applied', properties: { code: 'NY2024' } }),
    );
    if (message === undefined) throw new Error('nothing captured');
    expect(message).toHaveProperty('_metadata');

    const result = parseChannelEnvelope(wrap(message, 0));

    expect(result.ok).toBe(true);
    if (!result.ok || result.envelope.type !== 'segment.message') return;
    expect(result.envelope.payload).toMatchObject({
      type: 'track',
      userId: 'u-1',
      event: 'Coupon Applied',
      properties: { code: 'NY2024' },
      messageId: message.messageId,
    });
    expect(result.envelope.payload).not.toHaveProperty('_metadata');
  });
});
