import { parseChannelEnvelope } from '../../../events/channel/channel-envelope.v1.ts';
import { messagesOf, segmentEnvelope } from '../../domain/ingest/segment-collect.ts';

export class WriteKeyRejectedError extends Error {
  override readonly name = 'WriteKeyRejectedError';
}

export class IngestUnavailableError extends Error {
  override readonly name = 'IngestUnavailableError';
}

export type CollectPorts = {
  readonly sourceOfWriteKey: (writeKey: string) => Promise<string | undefined>;
  readonly put: (
    records: readonly { messageId: string; partitionKey: string; json: string }[],
  ) => Promise<{ readonly failed: readonly { readonly messageId: string }[] }>;
  readonly newMessageId: () => string;
};

export type CollectResult = {
  readonly accepted: number;
  /** Messages that will be quarantined by the cleaning stage, with the reasons it will give. */
  readonly invalid: readonly {
    readonly index: number;
    readonly messageId: string;
    readonly reasons: readonly string[];
  }[];
};

/**
 * Primary course:
 * 1. Resolve the write key to its source (unknown key: rejected).
 * 2. Split the request into messages with Segment's rules and limits (oversized or malformed: rejected).
 * 3. Wrap each message in a channel envelope with `receivedAt`, partitioned by `userId ?? anonymousId` so one
 *    customer's events stay in order.
 * 4. Put all of them on the ingest stream — invalid ones too, so they are quarantined with their reasons —
 *    and tell the caller which are invalid. If any record could not be put, fail so the client retries
 *    (the cleaning stage drops the duplicates by message id).
 */
export const collectSegment = async (
  req: {
    readonly call: string;
    readonly body: unknown;
    readonly bodyBytes: number;
    readonly writeKey: string | undefined;
    readonly receivedAt: string;
  },
  ports: CollectPorts,
): Promise<CollectResult> => {
  const source = req.writeKey ? await ports.sourceOfWriteKey(req.writeKey) : undefined;
  if (!source) throw new WriteKeyRejectedError('Unknown or missing write key');
  const messages = messagesOf(req.call, req.body, req.bodyBytes);
  const invalid: { index: number; messageId: string; reasons: string[] }[] = [];
  const records = messages.map((m, index) => {
    const envelope = segmentEnvelope(m, {
      source,
      receivedAt: req.receivedAt,
      fallbackMessageId: ports.newMessageId(),
    });
    const parsed = parseChannelEnvelope(envelope);
    const messageId = String(envelope.messageId);
    if (!parsed.ok) invalid.push({ index, messageId, reasons: parsed.reasons });
    const ids = envelope.identities as { userId?: string; anonymousId?: string };
    return {
      messageId,
      partitionKey: ids.userId ?? ids.anonymousId ?? messageId,
      json: JSON.stringify(envelope),
    };
  });
  const { failed } = await ports.put(records);
  if (failed.length > 0)
    throw new IngestUnavailableError(`${failed.length} of ${records.length} messages could not be queued`);
  return { accepted: records.length - invalid.length, invalid };
};
