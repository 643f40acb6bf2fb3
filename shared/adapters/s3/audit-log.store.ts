import { randomUUID } from 'node:crypto';
import {
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { parseContract } from '../../../events/zod-issue.formatter.ts';
import {
  type AuditEntry,
  type AuditEntryDraft,
  type AuditHash,
  auditEntry,
  auditEntryDraft,
  type ChainHead,
  chainEntries,
  startChain,
} from '../../domain/privacy/audit-entry.ts';
import type { AuditLog, AuditPage, AuditQuery } from '../../domain/privacy/audit-log.port.ts';
import { matchesAuditQuery } from '../../domain/privacy/audit-log.port.ts';
import { readEnv } from '../../runtime/env.ts';
import { jsonOrUndefined } from '../../runtime/json-text.ts';
import { sha256Hex } from '../crypto/sha256.ts';
import { decodeCursor, encodeCursor } from '../opaque-cursor.ts';
import { objectTextOrUndefined } from './object-text.ts';

/*
 * The audit log as objects: one JSON Lines object per appended batch (per hour its entries fall in) under
 * `audit/dt=YYYY-MM-DD/hour=HH/<HHmmssSSS of its first entry>-<segment>-<first seq>.jsonl`, so keys sort by
 * time and a query walks one listing from the hour of `from`. Each container appends to a segment of its
 * own (a random id), chaining its entries (`audit-entry.ts`); appends of one container are serialised.
 *
 * Never overwritten: every put carries `If-None-Match: *`. A retried put whose first attempt did land gets
 * 412; the object is read back and, holding the same bytes, counts as written (anything else is an
 * `AuditLogConflictError`). In AWS the bucket has Object Lock, and with `objectLock` set every object is
 * written in COMPLIANCE mode until `retentionDays` from now: nobody, root included, can delete or replace it
 * before then. Locally s3rver has no Object Lock (and ignores If-None-Match), so the same code writes plain
 * objects there: leave `objectLock` unset (`AUDIT_OBJECT_LOCK_RETENTION_DAYS` empty) and expect no
 * protection beyond the hash chain.
 */

export const AUDIT_BUCKET_ENV = 'AUDIT_BUCKET_NAME' as const;
export const AUDIT_RETENTION_ENV = 'AUDIT_OBJECT_LOCK_RETENTION_DAYS' as const;

const PREFIX = 'audit';
const MAX_LIMIT = 1000;

export class AuditEntryError extends Error {
  override readonly name = 'AuditEntryError';
}
export class AuditLogConflictError extends Error {
  override readonly name = 'AuditLogConflictError';
}
/** A stored object that is not what the log writes: tampered with, or written by something else. */
export class AuditLogCorruptError extends Error {
  override readonly name = 'AuditLogCorruptError';
}
export class AuditQueryError extends Error {
  override readonly name = 'AuditQueryError';
}

/** The few object operations the log needs: S3 in AWS and locally, a map in tests. */
export type AuditObjects = {
  /** Writes a new object; `exists` when the key is taken (nothing is written then). */
  readonly putNew: (key: string, body: string) => Promise<'written' | 'exists'>;
  readonly get: (key: string) => Promise<string | undefined>;
  /** Keys after `startAfter` in key order, a page at a time. */
  readonly listAfter: (
    startAfter: string,
    continuation: string | undefined,
  ) => Promise<{ readonly keys: readonly string[]; readonly next?: string }>;
};

export type AuditLogOptions = {
  /** SHA-256 by default; a keyed hash (HMAC) makes the chain unforgeable without the key. */
  readonly hash?: AuditHash;
  /** This writer's segment id (letters, digits, `._-`); a random one by default. */
  readonly segment?: string;
  /** Objects read per query call at the most; a query that needs more returns a cursor to go on with. */
  readonly scanBudget?: number;
  /**
   * Called with each object's key and entries before the object is put: a writer records where an entry
   * is about to land, so a redelivered entry can be found in the log instead of appended twice.
   */
  readonly beforeWrite?: (key: string, entries: readonly AuditEntry[]) => Promise<void>;
};

const partitionOf = (iso: string): string => `${PREFIX}/dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
const compactTime = (iso: string): string => iso.slice(11, 23).replace(/[:.]/g, '');

type Cursor = { readonly key: string; readonly skip: number };
const auditCursor = (cursor: string): Cursor => {
  const c = decodeCursor(cursor) as Partial<Cursor> | null | undefined;
  if (typeof c?.key === 'string' && c.key.startsWith(`${PREFIX}/`) && Number.isInteger(c.skip))
    return { key: c.key, skip: Number(c.skip) };
  throw new AuditQueryError('bad cursor');
};

const validQuery = (query: AuditQuery): void => {
  if (Number.isNaN(Date.parse(query.from)) || Number.isNaN(Date.parse(query.to)))
    throw new AuditQueryError('from and to must be ISO-8601 times');
  if (Date.parse(query.from) >= Date.parse(query.to)) throw new AuditQueryError('from must be before to');
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIMIT)
    throw new AuditQueryError(`limit must be 1–${MAX_LIMIT}`);
};

/** The audit log over any `AuditObjects`: chaining, keys, the no-overwrite rule, the query walk. */
export const objectAuditLog = (objects: AuditObjects, options: AuditLogOptions = {}): AuditLog => {
  const hash = options.hash ?? sha256Hex;
  const scanBudget = options.scanBudget ?? 200;
  let head: ChainHead = startChain(options.segment ?? randomUUID());
  let tail: Promise<unknown> = Promise.resolve();

  const writeOnce = async (key: string, body: string): Promise<void> => {
    if ((await objects.putNew(key, body)) === 'written') return;
    if ((await objects.get(key)) !== body)
      throw new AuditLogConflictError(`${key} exists with other content`);
  };

  const appendNow = async (drafts: readonly AuditEntryDraft[]): Promise<readonly AuditEntry[]> => {
    const { entries } = chainEntries(head, drafts, hash);
    const byHour = new Map<string, AuditEntry[]>();
    for (const e of entries) {
      const group = byHour.get(partitionOf(e.at));
      if (group) group.push(e);
      else byHour.set(partitionOf(e.at), [e]);
    }
    for (const [partition, group] of byHour) {
      const first = group.reduce((a, e) => (e.at < a.at ? e : a));
      const start = group[0] as AuditEntry;
      const key = `${partition}${compactTime(first.at)}-${start.segment}-${String(start.seq).padStart(10, '0')}.jsonl`;
      try {
        await options.beforeWrite?.(key, group);
        await writeOnce(key, `${group.map((e) => JSON.stringify(e)).join('\n')}\n`);
      } catch (error) {
        // The put may have landed anyway (a timeout): go on in a new segment, so the chain never forks.
        head = startChain(randomUUID());
        throw error;
      }
      const last = group[group.length - 1] as AuditEntry;
      head = { segment: last.segment, seq: last.seq + 1, hash: last.hash };
    }
    return entries;
  };

  const readObject = async (key: string): Promise<AuditEntry[]> => {
    const text = (await objects.get(key)) ?? '';
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line, i) => {
        const parsed = auditEntry.safeParse(jsonOrUndefined(line));
        if (parsed.success) return parsed.data;
        throw new AuditLogCorruptError(`${key} line ${i + 1} is not an audit entry`);
      });
  };

  return {
    append: (drafts) => {
      const valid: AuditEntryDraft[] = [];
      for (const [i, draft] of drafts.entries()) {
        const parsed = parseContract(auditEntryDraft, draft);
        if (!parsed.ok)
          return Promise.reject(new AuditEntryError(`entry ${i}: ${parsed.reasons.join('; ')}`));
        valid.push(parsed.value);
      }
      if (valid.length === 0) return Promise.resolve([]);
      const done = tail.then(() => appendNow(valid));
      tail = done.catch(() => undefined);
      return done;
    },

    query: async (query): Promise<AuditPage> => {
      validQuery(query);
      const stopAfter = partitionOf(new Date(Date.parse(query.to)).toISOString());
      const entries: AuditEntry[] = [];
      let scanned = 0;
      /** Adds the object's matching entries from line `skip`; a cursor when the page filled up inside it. */
      const take = async (key: string, skip: number): Promise<string | undefined> => {
        const lines = await readObject(key);
        scanned += 1;
        for (let i = skip; i < lines.length; i++) {
          const entry = lines[i] as AuditEntry;
          if (matchesAuditQuery(entry, query)) entries.push(entry);
          if (entries.length >= query.limit) return encodeCursor({ key, skip: i + 1 });
        }
        return undefined;
      };

      const cursor = query.cursor === undefined ? undefined : auditCursor(query.cursor);
      if (cursor !== undefined) {
        const next = await take(cursor.key, cursor.skip);
        if (next !== undefined) return { entries, next };
      }
      const startAfter = cursor?.key ?? partitionOf(new Date(Date.parse(query.from)).toISOString());
      let continuation: string | undefined;
      do {
        const page = await objects.listAfter(startAfter, continuation);
        for (const key of page.keys) {
          if (key.slice(0, stopAfter.length) > stopAfter) return { entries };
          if (scanned >= scanBudget) return { entries, next: encodeCursor({ key, skip: 0 }) };
          const next = await take(key, 0);
          if (next !== undefined) return { entries, next };
        }
        continuation = page.next;
      } while (continuation !== undefined);
      return { entries };
    },
  };
};

/** COMPLIANCE retention for `retentionDays` from `now` (the clock, injectable for tests). */
export type ObjectLockOptions = { readonly retentionDays: number; readonly now?: () => Date };

/** S3 as `AuditObjects`; with `objectLock`, COMPLIANCE retention on every object (the bucket must have it). */
export const s3AuditObjects = (
  s3: S3Client,
  bucket: string,
  objectLock?: ObjectLockOptions,
): AuditObjects => ({
  putNew: async (key, body) => {
    const lock: Partial<PutObjectCommandInput> =
      objectLock === undefined
        ? {}
        : {
            ObjectLockMode: 'COMPLIANCE',
            ObjectLockRetainUntilDate: new Date(
              (objectLock.now?.() ?? new Date()).getTime() + objectLock.retentionDays * 86_400_000,
            ),
            // Object Lock puts must carry an integrity checksum.
            ChecksumAlgorithm: 'SHA256',
          };
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
          IfNoneMatch: '*',
          ...lock,
        }),
      );
      return 'written';
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      // 412: the key exists. 409: a put of the same key is in flight (S3 asks to retry; the read decides).
      if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412) return 'exists';
      if (e.name === 'ConditionalRequestConflict' || e.$metadata?.httpStatusCode === 409) return 'exists';
      throw error;
    }
  },
  get: (key) => objectTextOrUndefined(s3, bucket, key),
  listAfter: async (startAfter, continuation) => {
    const got = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: `${PREFIX}/`,
        ...(continuation === undefined ? { StartAfter: startAfter } : { ContinuationToken: continuation }),
      }),
    );
    return {
      keys: (got.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key])),
      ...(got.NextContinuationToken === undefined ? {} : { next: got.NextContinuationToken }),
    };
  },
});

export const s3AuditLog = (
  s3: S3Client,
  bucket: string,
  options: AuditLogOptions & { readonly objectLock?: ObjectLockOptions } = {},
): AuditLog => objectAuditLog(s3AuditObjects(s3, bucket, options.objectLock), options);

/** From `AUDIT_BUCKET_NAME` and `AUDIT_OBJECT_LOCK_RETENTION_DAYS` (unset or empty: no Object Lock). */
export const s3AuditLogFromEnv = (
  s3: S3Client,
  source: NodeJS.ProcessEnv = process.env,
  options: AuditLogOptions = {},
): AuditLog => {
  const env = readEnv(
    {
      [AUDIT_BUCKET_ENV]: z.string().min(1),
      [AUDIT_RETENTION_ENV]: z
        .union([z.literal(''), z.coerce.number().int().min(1)])
        .optional()
        .transform((days) => (days === '' ? undefined : days)),
    },
    source,
  );
  const bucket = env[AUDIT_BUCKET_ENV] as string;
  const retentionDays = env[AUDIT_RETENTION_ENV] as number | undefined;
  return s3AuditLog(s3, bucket, {
    ...options,
    ...(retentionDays === undefined ? {} : { objectLock: { retentionDays } }),
  });
};

/** The entry ids one object of the log holds (none when there is no such object). */
export const auditEntryIdsIn = async (
  objects: Pick<AuditObjects, 'get'>,
  key: string,
): Promise<ReadonlySet<string>> => {
  const text = (await objects.get(key)) ?? '';
  return new Set(
    text.split('\n').flatMap((line) => {
      const entryId = (jsonOrUndefined(line) as { entryId?: unknown } | undefined)?.entryId;
      return typeof entryId === 'string' ? [entryId] : [];
    }),
  );
};

/** The same log over a map, for tests: `objects` is the bucket, to inspect or tamper with. */
export const memoryAuditLog = (options: AuditLogOptions = {}) => {
  const objects = new Map<string, string>();
  const store: AuditObjects = {
    putNew: async (key, body) => {
      if (objects.has(key)) return 'exists';
      objects.set(key, body);
      return 'written';
    },
    get: async (key) => objects.get(key),
    listAfter: async (startAfter) => ({ keys: [...objects.keys()].filter((k) => k > startAfter).sort() }),
  };
  return { ...objectAuditLog(store, options), objects };
};
