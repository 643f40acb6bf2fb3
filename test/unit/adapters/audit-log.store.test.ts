import {
  GetObjectCommand,
  type GetObjectCommandInput,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_BUCKET_ENV,
  AUDIT_RETENTION_ENV,
  AuditEntryError,
  AuditLogConflictError,
  AuditLogCorruptError,
  AuditQueryError,
  memoryAuditLog,
  s3AuditLog,
  s3AuditLogFromEnv,
} from '../../../shared/adapters/s3/audit-log.store.ts';
import { type AuditEntry, verifyChain } from '../../../shared/domain/privacy/audit-entry.ts';
import type { AuditLog } from '../../../shared/domain/privacy/audit-log.port.ts';
import { auditDraft, sha256 } from '../domain/privacy/audit-entries.helper.ts';

const BUCKET = 'audit-bucket';
const NOW = new Date('2026-11-22T09:30:00.000Z');

/** A bucket as a map behind a mocked S3 client: If-None-Match, listing in key order two keys a page. */
const fakeBucket = () => {
  const s3 = new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const mock = mockClient(s3);
  const objects = new Map<string, string>();
  mock.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
    const key = String(input.Key);
    if (input.IfNoneMatch === '*' && objects.has(key))
      throw new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      });
    objects.set(key, String(input.Body));
    return {};
  });
  mock.on(GetObjectCommand).callsFake(async (input: GetObjectCommandInput) => {
    const body = objects.get(String(input.Key));
    if (body === undefined)
      throw new S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: {}, message: 'no key' });
    return { Body: { transformToString: async () => body } };
  });
  mock.on(ListObjectsV2Command).callsFake(async (input: ListObjectsV2CommandInput) => {
    const after = input.ContinuationToken ?? input.StartAfter ?? '';
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '') && k > after).sort();
    const page = keys.slice(0, 2);
    return {
      Contents: page.map((Key) => ({ Key })),
      ...(keys.length > 2 ? { NextContinuationToken: page.at(-1) } : {}),
    };
  });
  return { s3, mock, objects };
};

const puts = (mock: ReturnType<typeof fakeBucket>['mock']) =>
  mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);

/** Reads every page of a query. */
const readAll = async (log: AuditLog, query: Parameters<AuditLog['query']>[0]) => {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await log.query({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    entries.push(...page.entries);
    cursor = page.next;
    pages += 1;
  } while (cursor !== undefined && pages < 100);
  return { entries, pages };
};

const DAY = { from: '2026-11-22T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', limit: 100 };

describe('Audit log store (S3)', () => {
  it('writes one JSON Lines object per batch under its hour, with Object Lock in COMPLIANCE mode when enabled', async () => {
    const { s3, mock, objects } = fakeBucket();
    const log = s3AuditLog(s3, BUCKET, {
      segment: 'seg-a',
      hash: sha256,
      objectLock: { retentionDays: 2555, now: () => NOW },
    });

    const stored = await log.append([auditDraft(0), auditDraft(1)]);

    const [put] = puts(mock);
    expect(put).toMatchObject({
      Bucket: BUCKET,
      Key: 'audit/dt=2026-11-22/hour=09/090000000-seg-a-0000000000.jsonl',
      IfNoneMatch: '*',
      ObjectLockMode: 'COMPLIANCE',
      ChecksumAlgorithm: 'SHA256',
    });
    // Seven years (2555 days) from the clock.
    expect(put?.ObjectLockRetainUntilDate).toEqual(new Date('2033-11-20T09:30:00.000Z'));
    expect(
      objects
        .get(String(put?.Key))
        ?.trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(stored);
  });

  it('writes plain objects without Object Lock (s3rver), still never overwriting', async () => {
    const { s3, mock } = fakeBucket();
    await s3AuditLog(s3, BUCKET, { segment: 'seg-a' }).append([auditDraft(0)]);

    const [put] = puts(mock);
    expect(put?.IfNoneMatch).toBe('*');
    expect(put).not.toHaveProperty('ObjectLockMode');
    expect(put).not.toHaveProperty('ObjectLockRetainUntilDate');
  });

  it('never overwrites an object: a taken key with other content is a conflict and stays as it was', async () => {
    const { s3, objects } = fakeBucket();
    const key = 'audit/dt=2026-11-22/hour=09/090000000-seg-a-0000000000.jsonl';
    objects.set(key, 'someone else\n');

    await expect(s3AuditLog(s3, BUCKET, { segment: 'seg-a' }).append([auditDraft(0)])).rejects.toThrow(
      AuditLogConflictError,
    );
    expect(objects.get(key)).toBe('someone else\n');
  });

  it('counts a put that already landed (412 on the same bytes, e.g. an SDK retry) as written', async () => {
    const { s3, objects } = fakeBucket();
    const twin = memoryAuditLog({ segment: 'seg-a', hash: sha256 });
    await twin.append([auditDraft(0)]);
    for (const [k, v] of twin.objects) objects.set(k, v);

    const stored = await s3AuditLog(s3, BUCKET, { segment: 'seg-a', hash: sha256 }).append([auditDraft(0)]);

    expect(stored).toHaveLength(1);
    expect(objects.size).toBe(1);
  });

  it('continues the chain across batches and hours; what is read back verifies', async () => {
    const { s3 } = fakeBucket();
    const log = s3AuditLog(s3, BUCKET, { segment: 'seg-a', hash: sha256 });
    await log.append([auditDraft(0), auditDraft(1)]);
    // One batch across an hour boundary: written per hour, one chain.
    await log.append([
      auditDraft(2, { at: '2026-11-22T09:59:59.999Z' }),
      auditDraft(3, { at: '2026-11-22T10:00:00.000Z' }),
    ]);

    const { entries } = await readAll(log, DAY);

    expect(entries.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(verifyChain(entries, sha256)).toMatchObject({ ok: true });
  });

  it('lists from the hour of `from`, stops after the hour of `to`, and filters', async () => {
    const { s3, mock } = fakeBucket();
    const log = s3AuditLog(s3, BUCKET, { segment: 'seg-a', hash: sha256 });
    for (const [i, at] of [
      '2026-11-21T23:10:00.000Z',
      '2026-11-22T09:00:00.000Z',
      '2026-11-22T09:20:00.000Z',
      '2026-11-22T11:00:00.000Z',
      '2026-11-23T08:00:00.000Z',
    ].entries())
      await log.append([
        auditDraft(i, { at, action: i % 2 === 0 ? 'customer.read-pii' : 'customer.update' }),
      ]);
    mock.resetHistory();

    const page = await log.query({
      from: '2026-11-22T09:10:00.000Z',
      to: '2026-11-22T11:00:00.000Z',
      limit: 10,
    });

    expect(page).toEqual({ entries: [expect.objectContaining({ at: '2026-11-22T09:20:00.000Z' })] });
    expect(mock.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toMatchObject({
      Prefix: 'audit/',
      StartAfter: 'audit/dt=2026-11-22/hour=09/',
    });
    // The 11:00 object is in the hour of `to` (read, filtered out); the next day's is never read.
    expect(mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key?.slice(0, 28))).toEqual([
      'audit/dt=2026-11-22/hour=09/',
      'audit/dt=2026-11-22/hour=09/',
      'audit/dt=2026-11-22/hour=11/',
    ]);

    const wide = { from: '2026-11-21T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z', limit: 10 };
    expect((await log.query({ ...wide, action: 'customer.update' })).entries.map((e) => e.entryId)).toEqual([
      'e-1',
      'e-3',
    ]);
    expect((await log.query({ ...wide, resourceId: 'cus_1' })).entries.map((e) => e.entryId)).toEqual([
      'e-1',
      'e-4',
    ]);
    expect((await log.query({ ...wide, actor: 'nobody' })).entries).toEqual([]);
  });

  it('pages with a cursor: every entry once, in order, whatever the page size', async () => {
    const { s3 } = fakeBucket();
    const log = s3AuditLog(s3, BUCKET, { segment: 'seg-a', hash: sha256, scanBudget: 2 });
    for (let batch = 0; batch < 4; batch++) await log.append([0, 1, 2].map((j) => auditDraft(batch * 3 + j)));

    for (const limit of [1, 2, 5, 12, 100]) {
      const { entries } = await readAll(log, { ...DAY, limit });
      expect(
        entries.map((e) => e.entryId),
        `limit ${limit}`,
      ).toEqual(Array.from({ length: 12 }, (_, i) => `e-${i}`));
    }
  });

  it('refuses a bad cursor, an empty window and a silly limit', async () => {
    const log = memoryAuditLog();
    await expect(log.query({ ...DAY, cursor: 'bm9wZQ' })).rejects.toThrow(AuditQueryError);
    await expect(log.query({ ...DAY, to: DAY.from })).rejects.toThrow(AuditQueryError);
    await expect(log.query({ ...DAY, limit: 0 })).rejects.toThrow(AuditQueryError);
  });

  it('configures Object Lock retention from the environment', async () => {
    const { s3, mock } = fakeBucket();
    await s3AuditLogFromEnv(s3, { [AUDIT_BUCKET_ENV]: BUCKET, [AUDIT_RETENTION_ENV]: '365' }).append([
      auditDraft(0),
    ]);
    await s3AuditLogFromEnv(s3, { [AUDIT_BUCKET_ENV]: BUCKET, [AUDIT_RETENTION_ENV]: '' }).append([
      auditDraft(1),
    ]);

    expect(puts(mock).map((p) => p.ObjectLockMode)).toEqual(['COMPLIANCE', undefined]);
    expect(() => s3AuditLogFromEnv(s3, {})).toThrow(AUDIT_BUCKET_ENV);
    expect(() =>
      s3AuditLogFromEnv(s3, { [AUDIT_BUCKET_ENV]: BUCKET, [AUDIT_RETENTION_ENV]: 'forever' }),
    ).toThrow(AUDIT_RETENTION_ENV);
  });
});

describe('Audit log store (in memory, the same logic)', () => {
  it('refuses an invalid draft and writes nothing of its batch', async () => {
    const log = memoryAuditLog();

    await expect(log.append([auditDraft(0), auditDraft(1, { fields: ['a@example.com'] })])).rejects.toThrow(
      AuditEntryError,
    );
    expect(log.objects.size).toBe(0);
  });

  it('serialises concurrent appends into one unbroken chain', async () => {
    const log = memoryAuditLog({ hash: sha256 });
    await Promise.all([0, 1, 2, 3].map((i) => log.append([auditDraft(2 * i), auditDraft(2 * i + 1)])));

    const { entries } = await readAll(log, DAY);
    const bySeq = [...entries].sort((a, b) => a.seq - b.seq);
    expect(bySeq.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(verifyChain(bySeq, sha256)).toMatchObject({ ok: true });
  });

  it('shows an entry edited in the bucket', async () => {
    const log = memoryAuditLog({ hash: sha256 });
    await log.append([auditDraft(0), auditDraft(1), auditDraft(2)]);
    const [key, body] = [...log.objects][0] as [string, string];
    log.objects.set(key, body.replace('"purpose":"customer-support"', '"purpose":"fraud-review"'));

    const { entries } = await readAll(log, DAY);

    expect(verifyChain(entries, sha256)).toMatchObject({ ok: false, index: 0, reason: 'edited' });
  });

  it('tells the writer where entries land before writing, and goes on in a new segment after a failed write', async () => {
    const placed: [string, string[]][] = [];
    let failNext = true;
    const log = memoryAuditLog({
      segment: 'seg-a',
      hash: sha256,
      beforeWrite: async (key, entries) => {
        placed.push([key, entries.map((e) => e.entryId)]);
        if (failNext) {
          failNext = false;
          throw new Error('placement store down');
        }
      },
    });

    await expect(log.append([auditDraft(0)])).rejects.toThrow('placement store down');
    await log.append([auditDraft(1), auditDraft(2)]);

    expect(placed.map(([key, ids]) => [log.objects.has(key), ids])).toEqual([
      [false, ['e-0']],
      [true, ['e-1', 'e-2']],
    ]);
    const { entries } = await readAll(log, DAY);
    expect(entries.map((e) => [e.entryId, e.seq])).toEqual([
      ['e-1', 0],
      ['e-2', 1],
    ]);
    expect(entries[0]?.segment).not.toBe('seg-a');
    expect(verifyChain(entries, sha256)).toMatchObject({ ok: true });
  });

  it('refuses to read an object that holds something other than audit entries', async () => {
    const log = memoryAuditLog({ hash: sha256 });
    await log.append([auditDraft(0)]);
    const [key] = [...log.objects.keys()] as [string];
    log.objects.set(key, '{"entryId":"e-0"}\n');

    await expect(log.query(DAY)).rejects.toThrow(AuditLogCorruptError);
  });
});
