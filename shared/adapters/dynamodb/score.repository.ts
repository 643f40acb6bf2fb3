import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CHURN_RISK_RAISED_DETAIL_TYPE } from '../../../events/scoring/churn-risk-raised.v1.ts';
import type { CustomerProfile } from '../../domain/profile/customer-profile.ts';
import type { CustomerModels, CustomerScores } from '../../domain/scoring/customer-intelligence.model.ts';
import type {
  ScorableProfile,
  ScoresPorts,
  StoredScores,
} from '../../use-cases/scoring/rescore-customer.use-case.ts';
import type {
  BatchScoringPorts,
  ScoringCheckpoint,
} from '../../use-cases/scoring/score-all-customers.use-case.ts';
import { sha256Hex } from '../crypto/sha256.ts';
import { decodeCursor, encodeCursor } from '../opaque-cursor.ts';
import { batchGetConsistent } from './batch-get.ts';
import { keys } from './table-keys.ts';
import { outboxItem, type TransactItem, transactIfUnchanged } from './transact.ts';

/*
 * Scores and segment membership in the single table.
 * - `CUSTOMER#<id>` `SCORES`: the customer's scores, versioned for optimistic concurrency.
 * - `SEGMENT#<name>#<shard>` `CUSTOMER#<id>`: the membership index, write-sharded: a customer's shard is a
 *   hash of its id, so the members of one segment spread over SEGMENT_SHARDS partitions and a segment of
 *   10^8 customers has no hot partition on write; a listing walks the shards in order.
 * - `SEGMENT#<name>#<shard>` `COUNT`: that shard's member count, moved in the same transaction.
 * - `SEGMENTS` `SEGMENT#<name>`: the catalogue (name, kind, description), written when models are published.
 */

export const SEGMENT_SHARDS = 16;

export const segmentShard = (customerId: string): number =>
  Number.parseInt(sha256Hex(customerId, 8), 16) % SEGMENT_SHARDS;

export type SegmentSummary = {
  readonly name: string;
  readonly kind: 'value-tier' | 'cluster' | 'churn-risk';
  readonly description: string;
  readonly members: number;
  readonly modelVersion: string;
};

export type SegmentMember = {
  readonly customerId: string;
  readonly since: string;
  readonly churnScore?: number;
  readonly tier?: string;
};

export class SegmentCursorError extends Error {
  override readonly name = 'SegmentCursorError';
}

/** A cursor of this store, or SegmentCursorError. */
const cursorOf = <T>(cursor: string, valid: (value: unknown) => boolean): T => {
  const value = decodeCursor(cursor);
  if (!valid(value)) throw new SegmentCursorError('bad cursor');
  return value as T;
};
const isObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The segments a bundle defines, as the catalogue lists them. */
export const segmentCatalogue = (models: CustomerModels): Omit<SegmentSummary, 'members'>[] => [
  ...models.settings.tierRules.map((r) => ({
    name: `rfm-${r.name}`,
    kind: 'value-tier' as const,
    description: `RFM value tier '${r.name}'`,
    modelVersion: models.version,
  })),
  ...(models.churn.model === undefined
    ? []
    : [
        {
          name: 'churn-risk',
          kind: 'churn-risk' as const,
          description: `churn score ≥ ${models.settings.churnThreshold}`,
          modelVersion: models.version,
        },
      ]),
  ...(models.segments?.centroids ?? []).map((c) => ({
    name: c.name,
    kind: 'cluster' as const,
    description: c.description,
    modelVersion: models.version,
  })),
];

/** The scores stored in a customer's `SCORES` item, with the version its writes are conditional on. */
export const storedScoresOf = (item: Record<string, unknown>): StoredScores =>
  ({ ...(item.scores as CustomerScores), version: Number(item.scoresVersion) }) as StoredScores;

/** Scores as readers see them: without the version. */
export const scoresView = ({ version: _version, ...scores }: StoredScores): CustomerScores => scores;

export const dynamoScores = (db: DynamoDBDocumentClient, tableName: string) => {
  const membershipChanges = (
    customerId: string,
    before: readonly string[],
    after: CustomerScores | undefined,
  ): TransactItem[] => {
    const shard = segmentShard(customerId);
    const now = after?.memberships ?? [];
    const count = (segment: string, delta: number): TransactItem => ({
      Update: {
        TableName: tableName,
        Key: keys.segmentCount(segment, shard),
        UpdateExpression: 'ADD members :d',
        ExpressionAttributeValues: { ':d': delta },
      },
    });
    const left = before.filter((s) => !now.includes(s));
    const joined = now.filter((s) => !before.includes(s));
    return [
      ...left.flatMap((s) => [
        { Delete: { TableName: tableName, Key: keys.segmentMember(s, shard, customerId) } },
        count(s, -1),
      ]),
      ...joined.flatMap((s): TransactItem[] => [
        {
          Put: {
            TableName: tableName,
            Item: {
              ...keys.segmentMember(s, shard, customerId),
              customerId,
              since: after?.scoredAt,
              ...(after?.churn === undefined ? {} : { churnScore: after.churn.score }),
              tier: after?.rfm.tier,
            },
          },
        },
        count(s, 1),
      ]),
    ];
  };

  const ports: ScoresPorts = {
    scores: async (customerId) => {
      const got = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.customerScores(customerId), ConsistentRead: true }),
      );
      return got.Item === undefined ? undefined : storedScoresOf(got.Item);
    },
    saveScores: async (customerId, previous, next, raised) => {
      const key = keys.customerScores(customerId);
      const condition =
        previous === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'scoresVersion = :v',
              ExpressionAttributeValues: { ':v': previous.version },
            };
      const version = (previous?.version ?? 0) + 1;
      const { version: _v, ...stored } = (next ?? {}) as StoredScores;
      const head: TransactItem =
        next === undefined
          ? { Delete: { TableName: tableName, Key: key, ...condition } }
          : {
              Put: {
                TableName: tableName,
                Item: { ...key, scores: stored, scoresVersion: version, modelVersion: next.modelVersion },
                ...condition,
              },
            };
      return transactIfUnchanged(db, [
        head,
        ...membershipChanges(customerId, previous?.memberships ?? [], next),
        ...(raised === undefined
          ? []
          : [
              outboxItem(
                tableName,
                `churn-risk-${customerId}-${version}`,
                CHURN_RISK_RAISED_DETAIL_TYPE,
                raised,
                raised.scoredAt,
              ),
            ]),
      ]);
    },
  };

  /** The pseudonymous part of a profile: computed traits and times. PII traits are never read here. */
  const profile = async (customerId: string): Promise<ScorableProfile | undefined> => {
    const got = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.customerProfile360(customerId),
        ProjectionExpression: 'profile',
      }),
    );
    const p = got.Item?.profile as CustomerProfile | undefined;
    return p === undefined ? undefined : scorable(p);
  };

  const scorable = (p: CustomerProfile): ScorableProfile => ({
    customerId: p.customerId,
    computed: p.computed,
    recentEvents: p.recentEvents,
    ...(p.firstSeen === undefined ? {} : { firstSeen: p.firstSeen }),
    ...(p.lastSeen === undefined ? {} : { lastSeen: p.lastSeen }),
  });

  const run = {
    scanPage: async (segment: number, totalSegments: number, cursor: string | undefined) => {
      const got = await db.send(
        new ScanCommand({
          TableName: tableName,
          Segment: segment,
          TotalSegments: totalSegments,
          Limit: 1000,
          FilterExpression: 'sk = :p360',
          ProjectionExpression: 'profile',
          ExpressionAttributeValues: { ':p360': 'P360' },
          ...(cursor === undefined
            ? {}
            : { ExclusiveStartKey: cursorOf<Record<string, unknown>>(cursor, isObject) }),
        }),
      );
      return {
        profiles: (got.Items ?? []).map((i) => scorable(i.profile as CustomerProfile)),
        ...(got.LastEvaluatedKey === undefined ? {} : { next: encodeCursor(got.LastEvaluatedKey) }),
      };
    },
    checkpoint: async (runId: string, segment: number): Promise<ScoringCheckpoint | undefined> => {
      const got = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.scoringRun(runId, segment), ConsistentRead: true }),
      );
      return got.Item?.checkpoint as ScoringCheckpoint | undefined;
    },
    advance: async (
      runId: string,
      segment: number,
      page: number,
      to: Omit<ScoringCheckpoint, 'page' | 'nextSent'>,
    ): Promise<boolean> => {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...keys.scoringRun(runId, segment),
              checkpoint: { ...to, page: page + 1, nextSent: to.done },
              page: page + 1,
              // Run progress is operational data: gone after 30 days.
              expiresAt: Math.floor(Date.now() / 1000) + 30 * 86_400,
            },
            ConditionExpression: page === 0 ? 'attribute_not_exists(pk) OR page = :p' : 'page = :p',
            ExpressionAttributeValues: { ':p': page },
          }),
        );
        return true;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
    markNextSent: async (runId: string, segment: number, page: number): Promise<void> => {
      await db
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.scoringRun(runId, segment),
            UpdateExpression: 'SET checkpoint.nextSent = :t',
            ConditionExpression: 'page = :p',
            ExpressionAttributeValues: { ':t': true, ':p': page },
          }),
        )
        .catch((error: { name?: string }) => {
          // The run moved on already: nothing to mark.
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        });
    },
  } satisfies Pick<BatchScoringPorts, 'scanPage' | 'checkpoint' | 'advance' | 'markNextSent'>;

  const segments = {
    publishCatalogue: async (models: CustomerModels): Promise<void> => {
      for (const entry of segmentCatalogue(models))
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.segmentCatalogue(entry.name), ...entry },
          }),
        );
    },
    list: async (): Promise<SegmentSummary[]> => {
      const got = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
          ExpressionAttributeValues: { ':pk': 'SEGMENTS', ':s': 'SEGMENT#' },
        }),
      );
      const catalogue = (got.Items ?? []) as Omit<SegmentSummary, 'members'>[];
      const counts = await batchGetConsistent(
        db,
        tableName,
        catalogue.flatMap((c) =>
          Array.from({ length: SEGMENT_SHARDS }, (_, s) => keys.segmentCount(c.name, s)),
        ),
      );
      const nameOfShard = new Map(
        catalogue.flatMap((c) =>
          Array.from(
            { length: SEGMENT_SHARDS },
            (_, s) => [keys.segmentCount(c.name, s).pk, c.name] as const,
          ),
        ),
      );
      const total = new Map<string, number>();
      for (const c of counts) {
        const name = nameOfShard.get(String(c.pk)) ?? '';
        total.set(name, (total.get(name) ?? 0) + Number(c.members ?? 0));
      }
      return catalogue
        .map((c) => ({
          name: c.name,
          kind: c.kind,
          description: c.description,
          modelVersion: c.modelVersion,
          members: total.get(c.name) ?? 0,
        }))
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
    },
    exists: async (name: string): Promise<boolean> => {
      const got = await db.send(new GetCommand({ TableName: tableName, Key: keys.segmentCatalogue(name) }));
      return got.Item !== undefined;
    },
    /** One page of a segment's members, shard by shard; `cursor` continues where the last page stopped. */
    members: async (
      name: string,
      limit: number,
      cursor: string | undefined,
    ): Promise<{ members: SegmentMember[]; next?: string }> => {
      let { shard, after } =
        cursor === undefined
          ? { shard: 0, after: undefined }
          : cursorOf<{ shard: number; after?: string }>(cursor, isObject);
      if (!Number.isInteger(shard) || shard < 0 || shard >= SEGMENT_SHARDS)
        throw new SegmentCursorError('bad cursor');
      const members: SegmentMember[] = [];
      while (shard < SEGMENT_SHARDS && members.length < limit) {
        const got = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
            ExpressionAttributeValues: { ':pk': keys.segmentCount(name, shard).pk, ':c': 'CUSTOMER#' },
            Limit: limit - members.length,
            ...(after === undefined
              ? {}
              : { ExclusiveStartKey: { ...keys.segmentMember(name, shard, after) } }),
          }),
        );
        for (const item of got.Items ?? [])
          members.push({
            customerId: String(item.customerId),
            since: String(item.since),
            ...(item.churnScore === undefined ? {} : { churnScore: Number(item.churnScore) }),
            ...(item.tier === undefined ? {} : { tier: String(item.tier) }),
          });
        if (got.LastEvaluatedKey === undefined) {
          shard++;
          after = undefined;
        } else after = String(got.LastEvaluatedKey.sk).slice('CUSTOMER#'.length);
      }
      if (shard >= SEGMENT_SHARDS) return { members };
      return { members, next: encodeCursor(after === undefined ? { shard } : { shard, after }) };
    },
  };

  /** Ids of every customer with a profile: a scan of the profile items' keys only. */
  const customerIds = async function* (): AsyncIterable<string> {
    for await (const page of paginateScan(
      { client: db },
      {
        TableName: tableName,
        FilterExpression: 'sk = :p360',
        ProjectionExpression: 'pk',
        ExpressionAttributeValues: { ':p360': 'P360' },
      },
    ))
      for (const item of page.Items ?? []) yield String(item.pk).slice('CUSTOMER#'.length);
  };

  /** A customer's scores as readers see them: without the version writes are conditional on. */
  const readScores = async (customerId: string): Promise<CustomerScores | undefined> => {
    const stored = await ports.scores(customerId);
    return stored === undefined ? undefined : scoresView(stored);
  };

  return { ...ports, readScores, profile, ...run, segments, customerIds };
};
