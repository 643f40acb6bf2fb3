import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ComparisonTraits } from '../../domain/identity/candidate-matcher.ts';
import { pairKey, type SuggestedMatch, upsertSuggestedMatch } from '../../domain/identity/review-queue.ts';
import { keptApart } from '../../domain/identity/unmerge-plan.ts';
import type { CustomerProfile } from '../../domain/profile/customer-profile.ts';
import type { ProbabilisticMatchPorts } from '../../use-cases/identity/match-probabilistically.use-case.ts';
import type { ReviewPorts } from '../../use-cases/identity/review-suggested-match.use-case.ts';
import { decodeCursor, encodeCursor } from '../opaque-cursor.ts';
import { batchWriteAll } from './batch-write.ts';
import type { dynamoIdentityGraph } from './identity-graph.repository.ts';
import { keys } from './table-keys.ts';

const COMPARED_TRAITS = ['name', 'birthday', 'address', 'city', 'postcode'] as const;

/** What a profile offers for comparison: its (opened) name, birthday, address, city and postcode. */
export const comparisonTraitsOfProfile = (profile: CustomerProfile): ComparisonTraits => {
  const out: Record<string, string[]> = {};
  for (const t of COMPARED_TRAITS) {
    const v = profile.traits[t]?.value;
    if (typeof v === 'string' && v.trim() !== '') out[t] = [v];
  }
  return out;
};

/**
 * The single-table side of probabilistic matching: `BLOCK#<hash>` items list the customers under a
 * blocking key; candidates' traits come from their profiles (PII opened through the vault); a merge goes
 * through the identity graph's own merge path and is recorded with its explanation; suggestions wait under
 * `SUGGEST#<pair>` (GSI1 `SUGGESTED`, newest first) for review.
 */
export const dynamoMatchPorts = (
  db: DynamoDBDocumentClient,
  tableName: string,
  deps: {
    readonly graph: ReturnType<typeof dynamoIdentityGraph>;
    readonly loadProfile: (customerId: string) => Promise<CustomerProfile | undefined>;
    /** Called after each merge (the profiles follow the identity graph). */
    readonly onMerged: (survivor: string, merged: readonly string[]) => Promise<void>;
    readonly blindIndex: (purpose: string, value: string) => string;
    readonly event: { readonly eventId: string; readonly source: string; readonly channel: string };
    readonly now: () => string;
  },
): ProbabilisticMatchPorts => ({
  blindIndex: deps.blindIndex,

  indexBlocks: async (customerId, hashes) => {
    await batchWriteAll(
      db,
      tableName,
      hashes.flatMap((h) => [
        { PutRequest: { Item: { ...keys.block(h, customerId), customerId } } },
        // Under the customer too: an erasure finds its blocking keys without a scan.
        { PutRequest: { Item: { ...keys.customerBlock(customerId, h), blockHash: h } } },
      ]),
    );
  },

  candidates: async (hashes, limit) =>
    new Map(
      await Promise.all(
        hashes.map(async (h) => {
          const got = await db.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :p',
              ExpressionAttributeValues: { ':p': `BLOCK#${h}` },
              Limit: limit,
            }),
          );
          return [h, (got.Items ?? []).map((i) => String(i.customerId))] as const;
        }),
      ),
    ),

  comparisonTraits: async (ids) => {
    const { finalOf, active } = await deps.graph.customersFrom(ids);
    const out = new Map<string, { customerId: string; createdAt: string; traits: ComparisonTraits }>();
    // Every candidate's profile at once: each is a read and an open of its sealed PII.
    const current = [...new Set(ids.flatMap((id) => active.get(finalOf(id))?.customerId ?? []))];
    const profiles = new Map(
      await Promise.all(current.map(async (id) => [id, await deps.loadProfile(id)] as const)),
    );
    for (const id of ids) {
      const head = active.get(finalOf(id));
      if (!head) continue;
      const profile = profiles.get(head.customerId);
      if (!profile) continue;
      out.set(id, {
        customerId: head.customerId,
        createdAt: head.createdAt,
        traits: comparisonTraitsOfProfile(profile),
      });
    }
    return out;
  },

  keptApart: async (a, b) => {
    const { finalOf, active } = await deps.graph.customersFrom([a, b]);
    const x = active.get(finalOf(a));
    const y = active.get(finalOf(b));
    if (!x || !y) return false;
    if (keptApart(x, y)) return true;
    const suggested = await db.send(
      new GetCommand({ TableName: tableName, Key: keys.suggestedMatch(pairKey(x.customerId, y.customerId)) }),
    );
    return suggested.Item?.status === 'rejected';
  },

  merge: async (survivor, other, explanation) => {
    const merged = await deps.graph.mergeCustomers(survivor, other, {
      event: deps.event,
      rule: `probabilistic:p=${explanation.probability.toFixed(6)}`,
      explanation: explanation.text,
    });
    if (merged.merged.length > 0) await deps.onMerged(merged.survivor, merged.merged);
  },

  suggest: async (item) => {
    const key = keys.suggestedMatch(item.pairKey);
    const existing = (await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })))
      .Item as SuggestedMatch | undefined;
    const next = upsertSuggestedMatch(existing, item, deps.now());
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...next,
          ...key,
          gsi1pk: 'SUGGESTED',
          gsi1sk: `${next.status}#${next.suggestedAt}#${item.pairKey}`,
        },
      }),
    );
  },
});

export class SuggestedMatchCursorError extends Error {
  override readonly name = 'SuggestedMatchCursorError';
}

/** A page of pending suggested matches; `next` continues after its last item, absent on the last page. */
export type SuggestedMatchPage = { readonly items: SuggestedMatch[]; readonly next?: string };

/** A listing cursor is the GSI1 position of the last item: its table and index keys, all strings. */
const pendingPosition = (cursor: string): Record<string, string> => {
  const value = decodeCursor(cursor);
  const ok =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).sort().join() === 'gsi1pk,gsi1sk,pk,sk' &&
    Object.values(value).every((v) => typeof v === 'string') &&
    (value as { gsi1pk: string }).gsi1pk === 'SUGGESTED' &&
    (value as { gsi1sk: string }).gsi1sk.startsWith('pending#');
  if (!ok) throw new SuggestedMatchCursorError('bad cursor');
  return value as Record<string, string>;
};

/** The review queue's side in the single table: items under `SUGGEST#<pair>`, listed through GSI1. */
export const dynamoReviewPorts = (
  db: DynamoDBDocumentClient,
  tableName: string,
  deps: {
    readonly graph: ReturnType<typeof dynamoIdentityGraph>;
    readonly onMerged: (survivor: string, merged: readonly string[]) => Promise<void>;
  },
): ReviewPorts & {
  /** Pending pairs, newest first, `limit` at a time; `cursor` is a page's `next`. */
  readonly pending: (limit: number, cursor?: string) => Promise<SuggestedMatchPage>;
} => {
  const strip = (item: Record<string, unknown>): SuggestedMatch => {
    const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = item;
    return rest as SuggestedMatch;
  };
  return {
    get: async (pair) => {
      const got = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.suggestedMatch(pair), ConsistentRead: true }),
      );
      return got.Item ? strip(got.Item) : undefined;
    },
    current: async (ids) => {
      const { finalOf } = await deps.graph.customersFrom(ids);
      return new Map(ids.map((id) => [id, finalOf(id)]));
    },
    save: async (item, previousStatus) => {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...item,
              ...keys.suggestedMatch(item.pairKey),
              gsi1pk: 'SUGGESTED',
              gsi1sk: `${item.status}#${item.suggestedAt}#${item.pairKey}`,
            },
            ConditionExpression: '#s = :was',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':was': previousStatus },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    merge: async (a, b, item) => {
      const merged = await deps.graph.mergeCustomers(a, b, {
        event: { eventId: `review:${item.pairKey}`, source: 'review', channel: 'review' },
        rule: `review:approved by ${item.decision?.by ?? 'unknown'} (p=${item.probability.toFixed(6)})`,
        explanation: item.explanation.text,
      });
      if (merged.merged.length > 0) await deps.onMerged(merged.survivor, merged.merged);
    },
    keepApart: async (a, b) => {
      for (const [id, other] of [
        [a, b],
        [b, a],
      ] as const)
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.customer(id),
            // A new version, so a resolver that read the pair before this decision retries and sees it.
            UpdateExpression: 'SET version = version + :one ADD keptApart :other',
            ExpressionAttributeValues: { ':one': 1, ':other': new Set([other]) },
          }),
        );
    },
    pending: async (limit, cursor) => {
      const got = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :s)',
          ExpressionAttributeValues: { ':p': 'SUGGESTED', ':s': 'pending#' },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor === undefined ? {} : { ExclusiveStartKey: pendingPosition(cursor) }),
        }),
      );
      const items = (got.Items ?? []).map(strip);
      return got.LastEvaluatedKey === undefined
        ? { items }
        : { items, next: encodeCursor(got.LastEvaluatedKey) };
    },
  };
};
