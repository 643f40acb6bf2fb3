import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  QuarantineEntry,
  StoredEntry,
  WriteResult,
} from '../../use-cases/ingest/clean-events.use-case.ts';
import { batchGetConsistent } from './batch-get.ts';
import { keys } from './table-keys.ts';
import type { TransactItem } from './transact.ts';

const DAY_SECONDS = 86_400;
/** Cleaned events wait here for identity resolution; a week covers any outage of that stage. */
const CLEANED_TTL_DAYS = 7;
const MARKER_TTL_DAYS = 30;
const ENTRIES_PER_TRANSACTION = 25;
const COUNTER_SHARDS = 16;
const MAX_ATTEMPTS = 5;

/** A counter attribute name from a reason or field: short, stable, and without array indices. */
export const counterName = (prefix: 'f' | 'q' | 'w', code: string): string =>
  `${prefix}_${code.replace(/\.\d+(?=\.|:|$)/g, '.*').slice(0, 160)}`;

/**
 * What a reason is counted under: envelope reasons by their code (not their byte counts), schema reasons
 * by path and message (not the offending value).
 */
const reasonCode = (reason: string): string =>
  reason.startsWith('envelope.')
    ? (reason.split(':')[0] ?? reason)
    : (reason.split(', received')[0] ?? reason);

const dayOf = (iso: string): string => iso.slice(0, 10);
const epochSeconds = (iso: string, days: number): number =>
  Math.floor(Date.parse(iso) / 1000) + days * DAY_SECONDS;

type Entry =
  | { readonly kind: 'stored'; readonly e: StoredEntry; effective: boolean }
  | { readonly kind: 'quarantined'; readonly q: QuarantineEntry };

const recordIdOf = (x: Entry) => (x.kind === 'stored' ? x.e.recordId : x.q.recordId);
const sourceOf = (x: Entry) => (x.kind === 'stored' ? x.e.event.source : x.q.source);
const receivedOf = (x: Entry) => (x.kind === 'stored' ? x.e.event.receivedAt : x.q.receivedAt);
const keyOf = (x: Entry) =>
  x.kind === 'stored' ? keys.cleanedEvent(x.e.event.eventId) : keys.quarantined(x.q.source, x.q.messageId);

/**
 * Stores cleaned events and quarantine markers with their data-quality counters in DynamoDB transactions of
 * up to 25 records: each record's item is conditional on not existing (the de-duplication), and the
 * counters move in the same transaction, so a record is counted exactly once whatever the retries.
 * Counters are sharded by the stream shard, so concurrent shards never contend for one item.
 */
export const dynamoCleaningStore = (
  db: DynamoDBDocumentClient,
  tableName: string,
  counterShardKey: string,
) => {
  const shard = [...counterShardKey].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % COUNTER_SHARDS;

  const counterUpdates = (included: readonly Entry[], duplicates: readonly Entry[]): TransactItem[] => {
    const bySourceDay = new Map<string, Map<string, number>>();
    const bump = (source: string, day: string, name: string, n = 1) => {
      const k = `${source}\u0000${day}`;
      const m = bySourceDay.get(k) ?? new Map<string, number>();
      m.set(name, (m.get(name) ?? 0) + n);
      bySourceDay.set(k, m);
    };
    for (const x of included) {
      const [source, day] = [sourceOf(x), dayOf(receivedOf(x))];
      bump(source, day, 'received');
      if (x.kind === 'stored') {
        bump(source, day, 'accepted');
        if (!x.effective) bump(source, day, 'nearDuplicates');
        for (const f of x.e.fields) bump(source, day, counterName('f', f));
        for (const w of new Set(x.e.event.quality.warnings.map(reasonCode)))
          bump(source, day, counterName('w', w));
      } else {
        bump(source, day, 'quarantined');
        for (const r of new Set(x.q.reasons.map(reasonCode))) bump(source, day, counterName('q', r));
      }
    }
    for (const x of duplicates) {
      bump(sourceOf(x), dayOf(receivedOf(x)), 'received');
      bump(sourceOf(x), dayOf(receivedOf(x)), 'duplicates');
    }
    return [...bySourceDay].map(([k, counts]) => {
      const [source = 'unknown', day = ''] = k.split('\u0000');
      const names: Record<string, string> = {};
      const values: Record<string, number> = {};
      const adds = [...counts].map(([name, n], i) => {
        names[`#c${i}`] = name;
        values[`:c${i}`] = n;
        return `#c${i} :c${i}`;
      });
      return {
        Update: {
          TableName: tableName,
          Key: { pk: keys.qualityDay(source, day).pk, sk: `${keys.qualityDay(source, day).sk}#${shard}` },
          UpdateExpression: `SET gsi1pk = :g, gsi1sk = :s ADD ${adds.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':g': 'QUALITY', ':s': `${day}#${source}#${shard}` },
        },
      };
    });
  };

  const itemsFor = (x: Entry): TransactItem[] => {
    if (x.kind === 'quarantined')
      return [
        {
          Put: {
            TableName: tableName,
            Item: {
              ...keyOf(x),
              recordId: x.q.recordId,
              reasons: x.q.reasons,
              receivedAt: x.q.receivedAt,
              expiresAt: epochSeconds(x.q.receivedAt, MARKER_TTL_DAYS),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ];
    const event = { ...x.e.event, effective: x.effective };
    const items: TransactItem[] = [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...keyOf(x),
            recordId: x.e.recordId,
            event,
            expiresAt: epochSeconds(event.receivedAt, CLEANED_TTL_DAYS),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ];
    return items;
  };

  /** The last effective time of each interaction key, as stored now. */
  const readInteractions = async (
    keysToRead: readonly string[],
  ): Promise<Map<string, number | undefined>> => {
    const state = new Map<string, number | undefined>(keysToRead.map((k) => [k, undefined]));
    const items = await batchGetConsistent(
      db,
      tableName,
      keysToRead.map((k) => keys.interaction(k)),
    );
    for (const item of items)
      state.set(String(item.pk).replace(/^INTERACTION#/, ''), Number(item.lastEffectiveAt));
    return state;
  };

  /**
   * Decides which interactions are effective, in event-time order per key, from the stored state; returns
   * the conditional updates that move each key's state (optimistic: conditional on the state read).
   */
  const applyInteractionRule = (
    pending: readonly Entry[],
    state: ReadonlyMap<string, number | undefined>,
  ): TransactItem[] => {
    const byKey = new Map<string, { entry: Entry & { kind: 'stored' }; at: number; windowMs: number }[]>();
    for (const x of pending) {
      if (x.kind !== 'stored' || !x.e.interaction) continue;
      const list = byKey.get(x.e.interaction.key) ?? [];
      list.push({ entry: x, at: Date.parse(x.e.event.occurredAt), windowMs: x.e.interaction.windowMs });
      byKey.set(x.e.interaction.key, list);
    }
    const updates: TransactItem[] = [];
    for (const [key, list] of byKey) {
      const before = state.get(key);
      let last = before;
      for (const item of list.sort((a, b) => a.at - b.at)) {
        item.entry.effective = last === undefined || item.at - last > item.windowMs;
        if (item.entry.effective) last = item.at;
      }
      if (last === before || last === undefined) continue;
      const windowMs = list[0]?.windowMs ?? 0;
      updates.push({
        Update: {
          TableName: tableName,
          Key: keys.interaction(key),
          UpdateExpression: 'SET lastEffectiveAt = :t, expiresAt = :x',
          ConditionExpression:
            before === undefined ? 'attribute_not_exists(pk)' : 'lastEffectiveAt = :before',
          ExpressionAttributeValues: {
            ':t': last,
            ':x': Math.floor((last + windowMs) / 1000) + DAY_SECONDS,
            ...(before === undefined ? {} : { ':before': before }),
          },
        },
      });
    }
    return updates;
  };

  /**
   * A duplicate is counted in the same transaction as a marker of the record that carried it, so a
   * redelivery of that record (a stream retry) is not counted again.
   */
  const seenMarker = (x: Entry): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: {
        pk: `SEEN#${counterShardKey}#${recordIdOf(x)}`,
        sk: 'DUPLICATE',
        expiresAt: epochSeconds(receivedOf(x), 2),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  /** One chunk to completion: returns a result per record. */
  const writeChunk = async (chunk: Entry[], results: Map<string, WriteResult | Error>): Promise<void> => {
    let pending = [...chunk];
    let duplicates: Entry[] = [];
    const interactionKeys = [
      ...new Set(
        pending.flatMap((x) => (x.kind === 'stored' && x.e.interaction ? [x.e.interaction.key] : [])),
      ),
    ];
    for (let attempt = 1; ; attempt++) {
      if (pending.length === 0 && duplicates.length === 0) return;
      const state = interactionKeys.length > 0 ? await readInteractions(interactionKeys) : new Map();
      const interactionUpdates = applyInteractionRule(pending, state);
      const owners: Entry[] = [];
      const items: TransactItem[] = [];
      for (const x of pending) {
        items.push(...itemsFor(x));
        owners.push(x);
      }
      items.push(...interactionUpdates);
      const markersFrom = items.length;
      items.push(...duplicates.map(seenMarker), ...counterUpdates(pending, duplicates));
      try {
        await db.send(new TransactWriteCommand({ TransactItems: items }));
        for (const x of pending) results.set(recordIdOf(x), 'stored');
        return;
      } catch (error) {
        const reasons =
          error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : undefined;
        const onlyConditions =
          reasons?.some((r) => r.Code === 'ConditionalCheckFailed') &&
          reasons.every((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'None' || !r.Code);
        if (onlyConditions && reasons) {
          const drop = new Set<Entry>();
          const counted = new Set<Entry>();
          reasons.forEach((r, i) => {
            if (r.Code !== 'ConditionalCheckFailed') return;
            // A duplicate whose record was already counted by an earlier delivery.
            if (i >= markersFrom && i < markersFrom + duplicates.length) {
              const dup = duplicates[i - markersFrom];
              if (dup) counted.add(dup);
              return;
            }
            // Beyond the records' own items: an interaction moved under us; the next attempt re-reads it.
            const owner = owners[i];
            if (!owner) return;
            const old = r.Item ? unmarshall(r.Item as Parameters<typeof unmarshall>[0]) : undefined;
            const id = recordIdOf(owner);
            if (old?.recordId === id) results.set(id, 'already-stored');
            else {
              results.set(id, 'duplicate');
              duplicates.push(owner);
            }
            drop.add(owner);
          });
          pending = pending.filter((x) => !drop.has(x));
          duplicates = duplicates.filter((x) => !counted.has(x));
          continue;
        }
        if (attempt >= MAX_ATTEMPTS) {
          for (const x of [...pending, ...duplicates])
            results.set(recordIdOf(x), error instanceof Error ? error : new Error(String(error)));
          return;
        }
        await new Promise((r) => setTimeout(r, 25 * 2 ** attempt * Math.random()));
      }
    }
  };

  return {
    write: async (
      stored: readonly StoredEntry[],
      quarantined: readonly QuarantineEntry[],
    ): Promise<ReadonlyMap<string, WriteResult | Error>> => {
      const results = new Map<string, WriteResult | Error>();
      let rest: Entry[] = [
        ...stored.map((e): Entry => ({ kind: 'stored', e, effective: true })),
        ...quarantined.map((q): Entry => ({ kind: 'quarantined', q })),
      ];
      // A transaction may touch an item once: a repeated message waits for the next chunk.
      while (rest.length > 0) {
        const chunk: Entry[] = [];
        const later: Entry[] = [];
        const used = new Set<string>();
        for (const x of rest) {
          const k = keyOf(x).pk;
          if (chunk.length >= ENTRIES_PER_TRANSACTION || used.has(k)) later.push(x);
          else {
            chunk.push(x);
            used.add(k);
          }
        }
        await writeChunk(chunk, results);
        rest = later;
      }
      return results;
    },
  };
};
