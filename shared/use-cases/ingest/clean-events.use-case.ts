import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { type CleaningConfig, cleanEnvelope } from '../../domain/cleaning/envelope.cleaner.ts';
import { type InteractionRule, interactionKeyOf } from '../../domain/cleaning/interaction-rule.ts';

/** One record from the ingest stream. */
export type IngestRecord = { readonly recordId: string; readonly data: string; readonly arrivedAt: string };

export type QuarantineEntry = {
  readonly recordId: string;
  readonly source: string;
  /** The message id, or a digest of the raw data when the record has none. */
  readonly messageId: string;
  readonly reasons: readonly string[];
  readonly receivedAt: string;
  readonly data: string;
};

export type StoredEntry = {
  readonly recordId: string;
  readonly event: CleanedEventV1;
  readonly fields: readonly string[];
  /** The near-duplicate rule's key and window when the event is an interaction the rule covers. */
  readonly interaction?: { readonly key: string; readonly windowMs: number };
};

/** Per record: stored now, stored by an earlier delivery of the same record, or a duplicate message. */
export type WriteResult = 'stored' | 'already-stored' | 'duplicate';

export type CleaningPorts = {
  /** Keeps the raw record with its reasons (idempotent by source and message id). */
  readonly putQuarantine: (entry: QuarantineEntry) => Promise<void>;
  /** Stores cleaned events and quarantine markers with their quality counters, atomically per record. */
  readonly write: (
    stored: readonly StoredEntry[],
    quarantined: readonly QuarantineEntry[],
  ) => Promise<ReadonlyMap<string, WriteResult | Error>>;
  readonly digest: (data: string) => string;
  readonly blindIndex: (purpose: string, value: string) => string;
};

export type CleaningReport = {
  readonly failedRecordIds: readonly string[];
  readonly stored: number;
  readonly quarantined: number;
  readonly duplicates: number;
};

/**
 * Primary course:
 * 1. Clean every record (pure): a CleanedEvent, or reasons.
 * 2. Put each refused record, untouched, in quarantine with its reasons.
 * 3. Store cleaned events and quarantine markers with their counters; a message id seen before is a
 *    duplicate, dropped and counted; a record stored by an earlier delivery is not counted again.
 * 4. Report the records whose writes failed, so the stream retries them (nothing is acknowledged unsaved).
 */
export const cleanEvents = async (
  records: readonly IngestRecord[],
  config: CleaningConfig,
  rules: readonly InteractionRule[],
  ports: CleaningPorts,
): Promise<CleaningReport> => {
  const stored: StoredEntry[] = [];
  const quarantined: QuarantineEntry[] = [];
  for (const r of records) {
    const outcome = cleanEnvelope(r.data, r.arrivedAt, config);
    if (outcome.kind === 'cleaned') {
      const interaction = interactionKeyOf(outcome.event, rules, ports.blindIndex);
      stored.push({
        recordId: r.recordId,
        event: outcome.event,
        fields: outcome.fields,
        ...(interaction ? { interaction } : {}),
      });
    } else {
      quarantined.push({
        recordId: r.recordId,
        source: outcome.source && /^[a-z0-9-]{1,64}$/.test(outcome.source) ? outcome.source : 'unknown',
        messageId: outcome.messageId ?? `sha256-${ports.digest(r.data)}`,
        reasons: outcome.reasons,
        receivedAt: r.arrivedAt,
        data: r.data,
      });
    }
  }

  const failed = new Set<string>();
  const kept = await Promise.all(
    quarantined.map((q) =>
      ports.putQuarantine(q).then(
        () => q,
        () => {
          failed.add(q.recordId);
          return undefined;
        },
      ),
    ),
  );
  const results = await ports.write(
    stored,
    kept.filter((q): q is QuarantineEntry => q !== undefined),
  );
  let storedCount = 0;
  let quarantinedCount = 0;
  let duplicates = 0;
  const quarantinedIds = new Set(quarantined.map((q) => q.recordId));
  for (const [recordId, result] of results) {
    if (result instanceof Error) failed.add(recordId);
    else if (result === 'duplicate') duplicates += 1;
    else if (result === 'stored') {
      if (quarantinedIds.has(recordId)) quarantinedCount += 1;
      else storedCount += 1;
    }
  }
  return { failedRecordIds: [...failed], stored: storedCount, quarantined: quarantinedCount, duplicates };
};
