import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  auditBucket,
  exportBucket,
  lakeBucket,
  quarantineBucket,
} from '../../infra/definitions/buckets.definition.ts';
import { LOCAL_SECRETS_FILE } from '../../infra/local/local-paths.ts';
import { loadOrCreateLocalSecrets } from '../../infra/local/local-secrets.ts';
import {
  customerKeyVaultFromEnv,
  LOCAL_PII_WRAPPING_KEY_ENV,
  PII_KEY_ENV,
  peekEncryptionContext,
} from '../../shared/adapters/crypto/customer-key.vault.ts';
import { dynamoScores } from '../../shared/adapters/dynamodb/score.repository.ts';
import type { Role } from '../../shared/domain/access/access-policy.ts';
import { eventually } from '../helpers/eventually.ts';
import { sendIdentify } from '../helpers/identify-event.ts';
import { localStackSession } from '../helpers/local-stack.session.ts';

type Json = Record<string, unknown>;

const PERSON = {
  email: 'han.meimei@example.com',
  phone: '+8613912345678',
  name: '韩梅梅',
  birthday: '1991-03-08',
};
const OTHER = { email: 'li.lei@example.com', name: '李雷' };

/** Strings that would give the person away, in every spelling the platform writes. */
const PERSON_STRINGS = [PERSON.email, PERSON.phone, '13912345678', PERSON.name, PERSON.birthday];

/**
 * Data-subject rights on the local stack, through the real entry points: the export bundle of a person whose
 * identity came from three events (one merge), then their erasure by the DataSubjectRequest workflow (the
 * same ASL file the CDK stack deploys), and what is left afterwards — in the API, in a raw scan of the
 * table and in the buckets.
 */
describe('Data-subject requests: export and erasure by crypto-shredding', () => {
  const { stack, token } = localStackSession();

  const call = async (role: Role, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack().endpoints.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(role)}`,
        'x-c360-purpose': 'dsar',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Json };
  };

  const send = (messageId: string, identities: Record<string, string>, traits: Record<string, string> = {}) =>
    sendIdentify(stack(), messageId, identities, traits);

  const lookup = async (query: string) =>
    ((await call('admin', 'GET', `/customers?${query}`)).body.items as Json[] | undefined)?.[0];

  /** Files a request and waits for the workflow to end it. */
  const fulfil = async (kind: 'export' | 'erasure', customerId: string) => {
    const filed = await call('admin', 'POST', '/data-subject-requests', { kind, customerId });
    expect(filed.status).toBe(202);
    expect(filed.headers.get('location')).toBe(`/data-subject-requests/${filed.body.requestId}`);
    return eventually(
      async () => (await call('admin', 'GET', `/data-subject-requests/${filed.body.requestId}`)).body,
      (r) => r.status === 'completed' || r.status === 'failed',
      { timeoutMs: 60_000 },
    );
  };

  const rawTable = async () => {
    const db = DynamoDBDocumentClient.from(stack().clients.dynamodb);
    const items: Json[] = [];
    for await (const page of paginateScan({ client: db }, { TableName: stack().names.table }))
      items.push(...((page.Items ?? []) as Json[]));
    return items;
  };

  const bucketTexts = async (bucketId: string) => {
    const s3 = stack().clients.s3;
    const bucket = stack().names.bucket(bucketId);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return Promise.all(
      (listed.Contents ?? []).map(async (o) => {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
        return { key: o.Key ?? '', text: (await got.Body?.transformToString('utf8')) ?? '' };
      }),
    );
  };

  it('exports everything about a person, then erases it so nothing is left to read anywhere', async () => {
    // The person arrives in pieces: an e-mail with a name, a phone with a birthday, then both together,
    // which merges the two customers. Somebody else arrives too, and must be untouched.
    await send('dsr-1', { email: PERSON.email }, { name: PERSON.name });
    await send('dsr-2', { phone: PERSON.phone }, { birthday: PERSON.birthday });
    await send('dsr-other', { email: OTHER.email }, { name: OTHER.name });
    const before = await eventually(
      () => lookup(`phone=${encodeURIComponent(PERSON.phone)}`),
      (c) => (c?.profile as Json | undefined)?.traits !== undefined,
      { timeoutMs: 60_000 },
    );
    await send('dsr-3', { email: PERSON.email, phone: PERSON.phone });
    const person = await eventually(
      () => lookup(`email=${encodeURIComponent(PERSON.email)}`),
      (c) => ((c?.merges as Json[] | undefined) ?? []).length > 0,
      { timeoutMs: 60_000 },
    );
    const customerId = String(person?.customerId);
    const ids = [customerId, ...((person?.merges as Json[]) ?? []).map((m) => String(m.customerId))];
    expect(ids).toContain(String(before?.customerId));
    const consent = await call('admin', 'POST', `/customers/${customerId}/consents`, {
      recordId: 'dsr-consent-1',
      purpose: 'marketing',
      channel: 'email',
      status: 'granted',
      legalBasis: 'consent',
      source: 'web-signup',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(consent.status, JSON.stringify(consent.body)).toBe(201);
    const other = await eventually(
      () => lookup(`email=${encodeURIComponent(OTHER.email)}`),
      (c) => (c?.profile as Json | undefined)?.traits !== undefined,
      { timeoutMs: 60_000 },
    );

    // Scores with segment memberships, as rescoring writes them (no model is trained in this test).
    const scores = dynamoScores(DynamoDBDocumentClient.from(stack().clients.dynamodb), stack().names.table);
    expect(
      await scores.saveScores(
        customerId,
        undefined,
        {
          memberships: ['churn-risk', 'rfm-dormant'],
          scoredAt: new Date().toISOString(),
          rfm: { tier: 'dormant' },
          modelVersion: 'dsr-test',
        } as never,
        undefined,
      ),
    ).toBe(true);

    // Only admins file and follow requests.
    expect(
      (await call('service', 'POST', '/data-subject-requests', { kind: 'export', customerId })).status,
    ).toBe(403);
    expect(
      (await call('admin', 'POST', '/data-subject-requests', { kind: 'export', customerId: 'nobody' }))
        .status,
    ).toBe(404);

    // Export, filed under the merged id: the bundle covers the whole person, in clear.
    const exported = await fulfil('export', ids[1] ?? customerId);
    expect(exported).toMatchObject({ status: 'completed', receipt: { kind: 'export', customerIds: ids } });
    const bundle = await call('admin', 'GET', `/data-subject-requests/${exported.requestId}/bundle`);
    expect(bundle.status).toBe(200);
    const bundleText = JSON.stringify(bundle.body);
    for (const value of [PERSON.email, PERSON.name, PERSON.birthday]) expect(bundleText).toContain(value);
    expect(bundleText).not.toContain(OTHER.email);
    expect((bundle.body.events as Json[]).length).toBeGreaterThanOrEqual(3);
    expect(bundle.body.identityLinks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'email' }),
        expect.objectContaining({ type: 'phone' }),
      ]),
    );
    expect(bundle.body.consents).toEqual([expect.objectContaining({ recordId: 'dsr-consent-1' })]);
    expect((await call('service', 'GET', `/data-subject-requests/${exported.requestId}/bundle`)).status).toBe(
      403,
    );

    // Erasure: crypto-shredding, then the purge, then the receipt.
    const erased = await fulfil('erasure', customerId);
    expect(erased.status).toBe('completed');
    const receipt = erased.receipt as Json;
    expect(receipt).toMatchObject({ kind: 'erasure', customerId, customerIds: ids });
    expect(receipt.counts, JSON.stringify(receipt)).toMatchObject({
      customerKeys: ids.length,
      exportBundles: 1,
      consentRecords: 1,
      handOverCopies: 3,
      scores: 1,
      segmentMemberships: 2,
    });
    const counts = receipt.counts as Record<string, number>;
    expect(counts.identifierIndexes).toBeGreaterThanOrEqual(2);
    expect(counts.timelineEvents).toBeGreaterThanOrEqual(3);
    expect(counts.profiles).toBeGreaterThanOrEqual(1);
    // Erasing again is a sweep (what an admin does after a failed run): here it finds nothing left.
    const sweep = await fulfil('erasure', customerId);
    expect(sweep.status).toBe('completed');
    expect(
      Object.values((sweep.receipt as Json).counts as Record<string, number>).every((n) => n === 0),
    ).toBe(true);

    // The API: every id of the person answers 410, lookups find nobody, the old bundle is gone.
    for (const id of ids) {
      const read = await call('admin', 'GET', `/customers/${id}`);
      expect(read.status).toBe(410);
      expect(read.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await lookup(`email=${encodeURIComponent(PERSON.email)}`)).toBeUndefined();
    expect(await lookup(`phone=${encodeURIComponent(PERSON.phone)}`)).toBeUndefined();
    expect((await call('admin', 'GET', `/data-subject-requests/${exported.requestId}/bundle`)).status).toBe(
      410,
    );

    // A new export finds nothing about the person.
    const empty = await fulfil('export', customerId);
    expect(empty.status).toBe('completed');
    const emptyBundle = (await call('admin', 'GET', `/data-subject-requests/${empty.requestId}/bundle`)).body;
    expect(emptyBundle).toMatchObject({
      identityLinks: [],
      merges: [],
      profiles: [],
      events: [],
      scores: [],
      consents: [],
    });

    // The raw table: no item left under the person's customers but their tombstones, no index pointing at
    // them, no plaintext, and no sealed value of theirs that opens; the other person's still do.
    const items = await rawTable();
    const erasedIds = new Set(ids);
    const left = items.filter((i) => erasedIds.has(String(i.pk).slice('CUSTOMER#'.length)));
    expect(left.map((i) => i.sk)).toEqual(ids.map(() => 'PROFILE'));
    expect(left.every((i) => i.status === 'erased')).toBe(true);
    expect(
      items.filter((i) => String(i.pk).startsWith('ID#') && erasedIds.has(String(i.customerId))),
    ).toEqual([]);
    expect(
      items.filter(
        (i) => String(i.pk).startsWith('SEGMENT#') && erasedIds.has(String(i.sk).slice('CUSTOMER#'.length)),
      ),
    ).toEqual([]);
    const churnRiskCount = items
      .filter((i) => String(i.pk).startsWith('SEGMENT#churn-risk#') && i.sk === 'COUNT')
      .reduce((n, i) => n + Number(i.members), 0);
    expect(churnRiskCount).toBe(0);
    const raw = JSON.stringify(items);
    for (const s of PERSON_STRINGS) expect(raw).not.toContain(s);

    const secrets = await loadOrCreateLocalSecrets(LOCAL_SECRETS_FILE);
    const vault = customerKeyVaultFromEnv(
      DynamoDBDocumentClient.from(stack().clients.dynamodb),
      stack().names.table,
      {
        [PII_KEY_ENV]: 'local',
        [LOCAL_PII_WRAPPING_KEY_ENV]: secrets.wrappingKey,
      },
    );
    const sealed = items.flatMap((i) =>
      Object.values(i).filter((v): v is string => typeof v === 'string' && /^v1:[A-Za-z0-9_-]{16}:/.test(v)),
    );
    let opened = 0;
    let theirs = 0;
    for (const value of sealed) {
      const context = peekEncryptionContext(Buffer.from(value.split(':')[2] ?? '', 'base64'));
      const owner = context?.customerId ?? '';
      const plain = await vault.open(owner, context?.field ?? '', value);
      if (erasedIds.has(owner)) {
        theirs++;
        expect(plain).toBeUndefined();
      } else if (plain !== undefined) opened++;
    }
    expect(theirs).toBe(0);
    expect(opened).toBeGreaterThan(0);
    expect(
      (await call('admin', 'GET', `/customers/${String(other?.customerId)}`)).body.profile,
    ).toMatchObject({
      traits: { name: { value: OTHER.name } },
    });

    // The buckets: the lake is pseudonymous, the audit log holds field names, exports were deleted.
    for (const bucketId of [lakeBucket.id, auditBucket.id, exportBucket.id, quarantineBucket.id])
      for (const { key, text } of await bucketTexts(bucketId))
        for (const s of PERSON_STRINGS) expect(text.includes(s), `${bucketId}/${key} holds ${s}`).toBe(false);

    // Both erasures are on the audit record, once each, as done by the admin who filed them (appended from
    // the audit queue).
    const audit = await eventually(
      async () => (await call('admin', 'GET', `/audit?customerId=${customerId}&action=customer.erase`)).body,
      (body) => Array.isArray(body.items) && body.items.length >= 2,
    );
    const erasures = expect.objectContaining({
      actor: expect.objectContaining({ subject: 'dev-admin' }),
      action: 'customer.erase',
    });
    expect(audit.items).toEqual([erasures, erasures]);
    expect(new Set((audit.items as Json[]).map((e) => e.requestId))).toEqual(
      new Set([erased.requestId, sweep.requestId]),
    );
  }, 240_000);
});
