import { z } from 'zod';
import { type Digest, type LakeEvent, layoutLakeObjects } from '../../domain/analytics/lake-layout.ts';

export const LAKE_DOMAIN_EVENTS_PREFIX = 'domain-events';

/** The EventBridge envelope as delivered to an SQS target. */
const busEnvelope = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  detail: z.unknown(),
});

export type ArchivePorts = {
  readonly putObject: (key: string, body: string) => Promise<void>;
  readonly digest: Digest;
};

/**
 * Primary course:
 * 1. Parse each message as a bus event; an unparseable one is reported failed (it reaches the DLQ intact).
 * 2. Lay the events out as date-partitioned NDJSON objects.
 * 3. Write each object; the messages of an object that could not be written are reported failed.
 * Returns the message ids to retry.
 */
export const archiveDomainEvents = async (
  messages: readonly { readonly messageId: string; readonly body: string }[],
  ports: ArchivePorts,
): Promise<string[]> => {
  const failed: string[] = [];
  const messageIdByEventId = new Map<string, string>();
  const events: LakeEvent[] = [];
  for (const m of messages) {
    const parsed = busEnvelope.safeParse(safeJson(m.body));
    if (!parsed.success) {
      failed.push(m.messageId);
      continue;
    }
    messageIdByEventId.set(parsed.data.id, m.messageId);
    events.push({
      id: parsed.data.id,
      detailType: parsed.data['detail-type'],
      time: parsed.data.time,
      json: m.body,
    });
  }
  const objects = layoutLakeObjects(LAKE_DOMAIN_EVENTS_PREFIX, events, ports.digest);
  const results = await Promise.allSettled(objects.map((o) => ports.putObject(o.key, o.body)));
  results.forEach((result, i) => {
    if (result.status === 'rejected')
      for (const id of objects[i]?.eventIds ?? []) failed.push(messageIdByEventId.get(id) ?? id);
  });
  return failed;
};

const safeJson = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};
