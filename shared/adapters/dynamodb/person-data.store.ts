import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { followMerges } from '../../domain/identity/identity-graph.ts';
import type { PiiVault } from '../../domain/privacy/pii-vault.port.ts';
import type { ErasedItemKind, PersonData, PersonScope } from '../../domain/privacy/subject-request.ts';
import type { PersonDataPorts } from '../../use-cases/privacy/subject-request.use-case.ts';
import { decodeCursor, encodeCursor } from '../opaque-cursor.ts';
import { batchGetConsistent } from './batch-get.ts';
import { batchWriteAll } from './batch-write.ts';
import { customerConsentRecords } from './consent.repository.ts';
import { customerKeyItemKey } from './customer-key.store.ts';
import { customerSubtree } from './identity-graph.repository.ts';
import { dynamoProfiles } from './profile.repository.ts';
import { dynamoScores, segmentShard } from './score.repository.ts';
import { keys } from './table-keys.ts';

/*
 * Everything the single table holds about a person, reached from their customer ids: the customer records,
 * the items under `CUSTOMER#<id>` (links, merges, timeline with sealed events, Profile 360, scores, consents,
 * the key, blocking-key references) and what those lead to elsewhere (`ID#…` identifier indexes, `EVENT#…`
 * ingest hand-over copies, `BLOCK#…` blocking keys, `SEGMENT#…` memberships, `SUGGEST#…` review items).
 */

/** Pages of up to 100 items one purge step deletes before it hands back a cursor. */
const PAGES_PER_STEP = 10;
const PAGE_SIZE = 100;

type Key = Record<string, string>;
type Item = Record<string, unknown>;
type Counts = Partial<Record<ErasedItemKind, number>>;

/** Where a purge stopped: in customer `i`'s partition after `start`, or in the review queue after `start`. */
type PurgePosition = { readonly phase: 'customers' | 'suggested'; readonly i: number; readonly start?: Key };

const isPosition = (x: unknown): x is PurgePosition =>
  typeof x === 'object' &&
  x !== null &&
  ((x as PurgePosition).phase === 'customers' || (x as PurgePosition).phase === 'suggested') &&
  Number.isInteger((x as PurgePosition).i);

export class PurgeCursorError extends Error {
  override readonly name = 'PurgeCursorError';
}

const add = (counts: Counts, kind: ErasedItemKind, n = 1) => {
  counts[kind] = (counts[kind] ?? 0) + n;
};

/** The identifier index a link `LINK#<type>#<hash>` stands for. */
const identifierOfLink = (sk: string): Key => {
  const [, type = '', ...hash] = sk.split('#');
  return keys.identifier(type, hash.join('#'));
};

/** The event id at the end of a timeline key `EVT#<occurredAt>#<eventId>` (times hold no `#`). */
const eventIdOf = (sk: string): string => sk.slice('EVT#'.length).split('#').slice(1).join('#');

const customerRecordOf = async (db: DynamoDBDocumentClient, tableName: string, customerId: string) =>
  (
    await db.send(
      new GetCommand({ TableName: tableName, Key: keys.customer(customerId), ConsistentRead: true }),
    )
  ).Item;

/**
 * The customers a request for `customerId` covers: followed through merges to the customer it is now, then
 * every customer merged into that one (`MERGE#` items, recursively). Undefined for an unknown id.
 */
export const dynamoCustomerScope =
  (db: DynamoDBDocumentClient, tableName: string) =>
  async (customerId: string): Promise<PersonScope | undefined> => {
    const { customerId: id, record } = await followMerges(customerId, (c) =>
      customerRecordOf(db, tableName, c),
    );
    if (!record) return undefined;
    if (record.status === 'erased') return { customerId: id, customerIds: [id], status: 'erased' };
    const { customerIds } = await customerSubtree(db, tableName, id);
    return {
      customerId: id,
      customerIds: [id, ...[...customerIds].filter((c) => c !== id)],
      status: 'active',
    };
  };

export type PersonDataStoreOptions = {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly vault: PiiVault;
};

export const dynamoPersonData = ({
  db,
  tableName,
  vault,
}: PersonDataStoreOptions): Omit<PersonDataPorts, 'writeBundle' | 'deleteExportBundles'> => {
  const customerRecord = (customerId: string): Promise<Item | undefined> =>
    customerRecordOf(db, tableName, customerId);

  const deleteAll = (itemKeys: readonly Key[]): Promise<void> =>
    batchWriteAll(
      db,
      tableName,
      itemKeys.map((Key) => ({ DeleteRequest: { Key } })),
    );

  /** Deletes an identifier index if it still leads to one of these customers; true when it did. */
  const unlinkIdentifier = async (idKey: Key, owners: readonly string[]): Promise<boolean> => {
    const names = owners.slice(0, 100).map((_, i) => `:o${i}`);
    try {
      await db.send(
        new DeleteCommand({
          TableName: tableName,
          Key: idKey,
          ConditionExpression: `customerId IN (${names.join(', ')})`,
          ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [n, owners[i]])),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  /** Leaves a segment: the member item and the shard's count, together, once. */
  const leaveSegment = async (customerId: string, segment: string): Promise<boolean> => {
    const shard = segmentShard(customerId);
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tableName,
                Key: keys.segmentMember(segment, shard, customerId),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: keys.segmentCount(segment, shard),
                UpdateExpression: 'ADD members :d',
                ExpressionAttributeValues: { ':d': -1 },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  };

  const partitionPage = (customerId: string, start: Key | undefined) =>
    db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': keys.customer(customerId).pk },
        ConsistentRead: true,
        Limit: PAGE_SIZE,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );

  /** Deletes one page of a customer's partition (all but the tombstone) and what its items lead to. */
  const purgeItems = async (items: readonly Item[], owners: readonly string[], counts: Counts) => {
    const doomed: Key[] = [];
    const handOver: Key[] = [];
    for (const item of items) {
      const sk = String(item.sk);
      const customerId = String(item.pk).slice('CUSTOMER#'.length);
      if (sk === 'PROFILE') continue;
      doomed.push({ pk: String(item.pk), sk });
      if (sk.startsWith('LINK#')) {
        add(counts, 'identityLinks');
        if (await unlinkIdentifier(identifierOfLink(sk), owners)) add(counts, 'identifierIndexes');
      } else if (sk.startsWith('EVT#')) {
        add(counts, 'timelineEvents');
        handOver.push(keys.cleanedEvent(eventIdOf(sk)));
      } else if (sk === 'P360') add(counts, 'profiles');
      else if (sk === 'SCORES') {
        add(counts, 'scores');
        // The scores are one map attribute (see score.repository); their memberships name the segments.
        const held = (item.scores as { memberships?: unknown } | undefined)?.memberships;
        const memberships = Array.isArray(held) ? held.map(String) : [];
        for (const segment of memberships)
          if (await leaveSegment(customerId, segment)) add(counts, 'segmentMemberships');
      } else if (sk.startsWith('CONSENT#')) add(counts, 'consentRecords');
      else if (sk.startsWith('BLOCK#')) {
        add(counts, 'blockingKeys');
        doomed.push(keys.block(sk.slice('BLOCK#'.length), customerId));
      } else if (sk.startsWith('MERGE#') || sk.startsWith('UNMERGE#')) add(counts, 'mergeRecords');
      else if (sk === 'KEY') add(counts, 'customerKeys');
      else add(counts, 'otherItems');
    }
    if (handOver.length > 0) {
      const present = await batchGetConsistent(db, tableName, handOver);
      add(counts, 'handOverCopies', present.length);
      doomed.push(...present.map((p) => ({ pk: String(p.pk), sk: String(p.sk) })));
    }
    await deleteAll(doomed);
  };

  /** Suggested matches naming one of the customers: their review items go (they hold match evidence). */
  const purgeSuggested = async (customerIds: readonly string[], start: Key | undefined, counts: Counts) => {
    const ids = new Set(customerIds);
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'SUGGESTED' },
        Limit: PAGE_SIZE,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const doomed = (page.Items ?? [])
      .filter((i) =>
        String(i.pairKey ?? '')
          .split('|')
          .some((id) => ids.has(id)),
      )
      .map((i) => ({ pk: String(i.pk), sk: String(i.sk) }));
    await deleteAll(doomed);
    add(counts, 'suggestedMatches', doomed.length);
    return page.LastEvaluatedKey as Key | undefined;
  };

  const profiles = dynamoProfiles(db, tableName, vault);
  const scores = dynamoScores(db, tableName);

  return {
    scope: dynamoCustomerScope(db, tableName),

    unlinkIdentifiers: async (customerIds) => {
      let removed = 0;
      for (const customerId of customerIds)
        for await (const page of paginateQuery(
          { client: db },
          {
            TableName: tableName,
            KeyConditionExpression: 'pk = :p AND begins_with(sk, :l)',
            ExpressionAttributeValues: { ':p': keys.customer(customerId).pk, ':l': 'LINK#' },
            ConsistentRead: true,
          },
        ))
          for (const link of page.Items ?? [])
            if (await unlinkIdentifier(identifierOfLink(String(link.sk)), customerIds)) removed++;
      return removed;
    },

    tombstone: async (customerIds, requestId, at) => {
      for (const customerId of customerIds)
        try {
          await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: keys.customer(customerId),
              // A new version, so a resolver that read the customer before retries, and finds it erased.
              UpdateExpression:
                'SET #s = :erased, erasedAt = if_not_exists(erasedAt, :at), erasedBy = :r, version = version + :one REMOVE mergedInto, mergedAt, idTypes, keptApart, gsi1pk, gsi1sk',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':erased': 'erased', ':at': at, ':r': requestId, ':one': 1 },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
    },

    destroyKeys: async (customerIds) => {
      let existed = 0;
      for (const customerId of customerIds) {
        const got = await db.send(
          new GetCommand({ TableName: tableName, Key: customerKeyItemKey(customerId), ConsistentRead: true }),
        );
        if (got.Item) existed++;
        await vault.forget(customerId);
      }
      return existed;
    },

    purge: async (customerIds, cursor) => {
      let position: PurgePosition = { phase: 'customers', i: 0 };
      if (cursor !== undefined) {
        const decoded = decodeCursor(cursor);
        if (!isPosition(decoded)) throw new PurgeCursorError('The purge cursor is not one of ours');
        position = decoded;
      }
      const counts: Counts = {};
      for (let pages = 0; pages < PAGES_PER_STEP; pages++) {
        if (position.phase === 'customers') {
          const customerId = customerIds[position.i];
          if (customerId === undefined) {
            position = { phase: 'suggested', i: 0 };
            continue;
          }
          const page = await partitionPage(customerId, position.start);
          await purgeItems(page.Items ?? [], customerIds, counts);
          const next = page.LastEvaluatedKey as Key | undefined;
          position = next
            ? { phase: 'customers', i: position.i, start: next }
            : { phase: 'customers', i: position.i + 1 };
        } else {
          const next = await purgeSuggested(customerIds, position.start, counts);
          if (!next) return { counts };
          position = { phase: 'suggested', i: 0, start: next };
        }
      }
      return { counts, cursor: encodeCursor(position) };
    },

    collect: async (customerIds) => {
      const data: PersonData = {
        customers: [],
        identityLinks: [],
        merges: [],
        profiles: [],
        events: [],
        scores: [],
        consents: [],
      };
      for (const customerId of customerIds) {
        const record = await customerRecord(customerId);
        if (!record) continue;
        data.customers.push({
          customerId,
          createdAt: String(record.createdAt ?? ''),
          status: String(record.status ?? 'active'),
          ...(typeof record.erasedAt === 'string' ? { erasedAt: record.erasedAt } : {}),
        });
        if (record.status === 'erased') continue;
        let start: Key | undefined;
        do {
          const page = await partitionPage(customerId, start);
          for (const item of page.Items ?? []) {
            const sk = String(item.sk);
            if (sk.startsWith('LINK#'))
              data.identityLinks.push({
                customerId,
                type: String(item.type),
                rule: String(item.rule),
                source: String(item.source),
                channel: String(item.channel),
                eventId: String(item.eventId),
                at: String(item.at),
              });
            else if (sk.startsWith('MERGE#'))
              data.merges.push({
                customerId,
                mergedCustomerId: String(item.mergedCustomerId),
                rule: String(item.rule),
                at: String(item.at),
              });
          }
          start = page.LastEvaluatedKey as Key | undefined;
        } while (start);
        const profile = await profiles.load(customerId);
        if (profile) data.profiles.push(profile);
        for (const record of await profiles.records(customerId))
          data.events.push({ customerId, event: record.event });
        const scored = await scores.readScores(customerId);
        if (scored) data.scores.push({ customerId, ...scored });
        data.consents.push(...(await customerConsentRecords(db, tableName, customerId)));
      }
      return data;
    },
  };
};
