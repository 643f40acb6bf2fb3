import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CleanedEventV1 } from '../../events/cleaning/cleaned-event.v1.ts';
import { parseCustomerUnmerged } from '../../events/identity/customer-unmerged.v1.ts';
import { parseCustomersMerged } from '../../events/identity/customers-merged.v1.ts';
import { lakeBucket } from '../../infra/definitions/buckets.definition.ts';
import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import { loadOrCreateDevKeys, signDevToken } from '../../infra/local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE, LOCAL_SECRETS_FILE } from '../../infra/local/local-paths.ts';
import { loadOrCreateLocalSecrets } from '../../infra/local/local-secrets.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import {
  blindIndex,
  LOCAL_BLIND_INDEX_SECRET_ENV,
} from '../../shared/adapters/crypto/blind-index.adapter.ts';
import {
  customerLinks,
  dynamoIdentityGraph,
} from '../../shared/adapters/dynamodb/identity-graph.repository.ts';
import { createChannelProducer } from '../../shared/adapters/kinesis/channel-event.producer.ts';
import { DEFAULT_IDENTITY_RULES } from '../../shared/domain/identity/identity-graph.ts';
import {
  type IdentityGraphPorts,
  resolveIdentity,
} from '../../shared/use-cases/identity/resolve-identity.use-case.ts';
import { eventually } from '../helpers/eventually.ts';

const event = (
  eventId: string,
  identities: { type: string; value: string }[],
  receivedAt: string,
): CleanedEventV1 =>
  ({
    specVersion: '1',
    eventId,
    type: 'app.event',
    source: 'app-backend',
    channel: 'app',
    occurredAt: receivedAt,
    receivedAt,
    identities,
    traits: {},
    payload: { name: 'Opened' },
    effective: true,
    quality: { completeness: 0, warnings: [] },
  }) as CleanedEventV1;

describe('Identity resolution: real-time, concurrent', () => {
  let stack: LocalStack;
  let db: DynamoDBDocumentClient;
  let ports: IdentityGraphPorts;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    db = DynamoDBDocumentClient.from(stack.clients.dynamodb);
    ports = {
      ...dynamoIdentityGraph(db, stack.names.table, () => new Date().toISOString()),
      // The stack's own key, so the customer API finds what these tests resolve directly.
      blindIndex: await blindIndex({
        C360_BLIND_INDEX_KEY_ID: 'local',
        [LOCAL_BLIND_INDEX_SECRET_ENV]: (await loadOrCreateLocalSecrets(LOCAL_SECRETS_FILE)).blindIndex,
      }),
      newCustomerId: (seed) => `cus_${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`,
    };
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const activeCustomers = async () => {
    const ids: string[] = [];
    for await (const page of paginateQuery(
      { client: db },
      {
        TableName: stack.names.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'CUSTOMERS' },
      },
    ))
      ids.push(...(page.Items ?? []).map((i) => String(i.customerId)));
    return ids;
  };

  it('resolves 1,000 shuffled events about 100 people through 4 concurrent consumers into exactly 100 customers', async () => {
    // Each event carries two of a person's three identifiers, so a person is only whole once events connect.
    const people = Array.from({ length: 100 }, (_, p) => [
      { type: 'phone', value: `+86135${String(p).padStart(8, '0')}` },
      { type: 'email', value: `person${p}@example.com` },
      { type: 'deviceId', value: `device-${p}` },
    ]);
    const events =
      fc.sample(
        fc.shuffledSubarray(
          Array.from({ length: 1000 }, (_, i) => i),
          { minLength: 1000, maxLength: 1000 },
        ),
        { numRuns: 1, seed: 42 },
      )[0] ?? [];
    const byIndex = (i: number) => {
      const ids = people[i % 100] ?? [];
      const pair = [ids[i % 3], ids[(i + 1) % 3]].filter(
        (x): x is { type: string; value: string } => x !== undefined,
      );
      return event(`evt-${i}`, pair, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString());
    };
    const queue = [...events];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift())
          await resolveIdentity(byIndex(i), DEFAULT_IDENTITY_RULES, ports);
      }),
    );

    const customers = await activeCustomers();
    expect(customers).toHaveLength(100);
    // Every identifier of a person resolves to that person's one customer, and people do not share one.
    const resolvedOf = async (p: number) => {
      const owners = new Set<string>();
      for (const id of people[p] ?? [])
        owners.add(
          (
            (await resolveIdentity(
              event(`probe-${p}-${id.type}`, [id], '2026-02-01T00:00:00.000Z'),
              DEFAULT_IDENTITY_RULES,
              ports,
            )) as { customerId: string }
          ).customerId,
        );
      return [...owners];
    };
    const owners = await Promise.all([0, 1, 2, 50, 99].map(resolvedOf));
    for (const o of owners) expect(o).toHaveLength(1);
    expect(new Set(owners.map((o) => o[0])).size).toBe(5);
  }, 300_000);

  it('resolves events on arrival through the real pipeline: app, POS and web events become one customer', async () => {
    const before = new Set(await activeCustomers());
    const producer = createChannelProducer({
      client: stack.clients.kinesis,
      streamName: stack.names.stream(ingestStream.id),
    });
    const base = { specVersion: '1', occurredAt: '2026-11-01 10:00:00' } as const;
    const sent = await producer.send([
      {
        ...base,
        messageId: 'pipe-app',
        type: 'app.event',
        source: 'app-backend',
        channel: 'app',
        identities: { deviceId: 'dev-77', phone: '138 0013 8077' },
        payload: { name: 'Opened' },
      },
      {
        ...base,
        messageId: 'pipe-pos',
        type: 'pos.purchase',
        source: 'pos-shanghai',
        channel: 'pos',
        identities: { phone: '+86 138-0013-8077', memberCard: 'M-77' },
        payload: {
          orderId: 'o-77',
          storeId: 's-1',
          items: [{ sku: 'A', quantity: 1, unitPrice: '10.00' }],
          total: { amount: '10.00', currency: 'CNY' },
        },
      },
      {
        ...base,
        messageId: 'pipe-web',
        type: 'third-party.record',
        source: 'crm-sync',
        channel: 'third-party',
        identities: { email: 'Pipe.77@Example.com', memberCard: 'M-77' },
        payload: { provider: 'crm', recordType: 'member', attributes: {} },
      },
    ] as never);
    expect(sent.failed).toEqual([]);
    const linksOf = (customerId: string) => customerLinks(db, stack.names.table, customerId);
    const fresh = await eventually(
      async () => {
        const now = (await activeCustomers()).filter((c) => !before.has(c));
        const withLinks = await Promise.all(
          now.map(async (c) => ({ c, types: new Set((await linksOf(c)).map((l) => String(l.type))) })),
        );
        return withLinks.map((w) => ({ c: w.c, types: w.types, list: [...w.types] }));
      },
      (x) => x.length === 1 && (x[0]?.types.size ?? 0) === 4,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect([...(fresh[0]?.types ?? [])].sort()).toEqual(['deviceId', 'email', 'memberCard', 'phone']);
    // The read API finds the customer through any identifier, with every link explained.
    const token = await signDevToken(await loadOrCreateDevKeys(DEV_KEYS_FILE), { role: 'service' });
    const get = async (path: string) => {
      const res = await fetch(`${stack.endpoints.api}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const byEmail = await get('/customers?email=%20pipe.77%40EXAMPLE.com');
    expect(byEmail.status).toBe(200);
    const items = byEmail.body.items as {
      customerId: string;
      identities: { type: string; rule: string }[];
    }[];
    expect(items.map((c) => c.customerId)).toEqual([fresh[0]?.c]);
    expect(items[0]?.identities.map((i) => i.type).sort()).toEqual([
      'deviceId',
      'email',
      'memberCard',
      'phone',
    ]);
    expect((await get('/customers?phone=138-0013-8077')).body.items).toHaveLength(1);
    expect((await get(`/customers/${fresh[0]?.c}`)).body.customerId).toBe(fresh[0]?.c);
    expect((await get('/customers/cus_unknown')).status).toBe(404);
    expect((await get('/customers?phone=12')).status).toBe(400);
    expect((await get('/customers?phone=13800138077&email=a%40b.co')).status).toBe(400);
    // Every link says how it came about.
    for (const l of await linksOf(fresh[0]?.c ?? ''))
      expect(l).toMatchObject({
        rule: expect.any(String),
        source: expect.any(String),
        eventId: expect.stringMatching(/^pipe-/),
      });
  });

  it('is idempotent: resolving the same event again changes nothing', async () => {
    const e = event(
      'again-1',
      [
        { type: 'memberCard', value: 'MC-1' },
        { type: 'phone', value: '+8613700000001' },
      ],
      '2026-03-01T00:00:00.000Z',
    );
    const first = await resolveIdentity(e, DEFAULT_IDENTITY_RULES, ports);
    const before = (await activeCustomers()).length;
    const second = await resolveIdentity(e, DEFAULT_IDENTITY_RULES, ports);
    expect(first.kind).toBe('created');
    expect(second).toEqual({
      kind: 'linked',
      customerId: (first as { customerId: string }).customerId,
      mergedCustomerIds: [],
    });
    expect((await activeCustomers()).length).toBe(before);
  });

  it('merges two customers into the older one and publishes CustomersMerged v1 through the outbox to the lake', async () => {
    const a = await resolveIdentity(
      event('m-a', [{ type: 'phone', value: '+8613600000042' }], '2026-04-01T00:00:00.000Z'),
      DEFAULT_IDENTITY_RULES,
      ports,
    );
    const b = await resolveIdentity(
      event('m-b', [{ type: 'email', value: 'm42@example.com' }], '2026-04-02T00:00:00.000Z'),
      DEFAULT_IDENTITY_RULES,
      ports,
    );
    const both = await resolveIdentity(
      event(
        'm-ab',
        [
          { type: 'phone', value: '+8613600000042' },
          { type: 'email', value: 'm42@example.com' },
        ],
        '2026-04-03T00:00:00.000Z',
      ),
      DEFAULT_IDENTITY_RULES,
      ports,
    );
    const survivor = (a as { customerId: string }).customerId;
    expect(both).toEqual({
      kind: 'linked',
      customerId: survivor,
      mergedCustomerIds: [(b as { customerId: string }).customerId],
    });

    const bucket = stack.names.bucket(lakeBucket.id);
    // Earlier tests merged customers too: find this merge's event among all archived ones.
    const published = await eventually(
      async () => {
        const listed = await stack.clients.s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: 'domain-events/detail_type=CustomersMerged/' }),
        );
        for (const o of listed.Contents ?? []) {
          const body = await (
            await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }))
          ).Body?.transformToString();
          for (const line of body?.trim().split('\n') ?? []) {
            const e = JSON.parse(line) as { source: string; detail: { eventId?: string } };
            if (e.detail.eventId === 'm-ab') return e;
          }
        }
        return undefined;
      },
      (e) => e !== undefined,
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    if (!published) throw new Error('CustomersMerged for m-ab not archived');
    expect(published.source).toBe('c360');
    expect(parseCustomersMerged(published.detail)).toMatchObject({
      ok: true,
      event: {
        survivorCustomerId: survivor,
        mergedCustomerIds: [(b as { customerId: string }).customerId],
        eventId: 'm-ab',
        rule: 'merge:phone+email',
      },
    });
  });

  it('lets an admin undo a merge: identifiers go back to who brought them, the two stay apart, CustomerUnmerged v1 is published', async () => {
    // Prepare: a phone-only customer, an e-mail + device customer, then an event bridging phone and e-mail.
    const phone = { type: 'phone', value: '+8613600000077' };
    const email = { type: 'email', value: 'u77@example.com' };
    const device = { type: 'deviceId', value: 'dev-u77' };
    const a = await resolveIdentity(
      event('u-a', [phone], '2026-05-01T00:00:00.000Z'),
      DEFAULT_IDENTITY_RULES,
      ports,
    );
    const b = await resolveIdentity(
      event('u-b', [email, device], '2026-05-02T00:00:00.000Z'),
      DEFAULT_IDENTITY_RULES,
      ports,
    );
    const bridged = await resolveIdentity(
      event('u-ab', [phone, email], '2026-05-03T00:00:00.000Z'),
      DEFAULT_IDENTITY_RULES,
      ports,
    );
    const survivor = (a as { customerId: string }).customerId;
    const restored = (b as { customerId: string }).customerId;
    expect(bridged).toMatchObject({ kind: 'linked', customerId: survivor, mergedCustomerIds: [restored] });
    const keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
    const call = async (role: 'admin' | 'service', path: string, init: RequestInit = {}) => {
      const token = await signDevToken(keys, { role });
      const res = await fetch(`${stack.endpoints.api}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const lookup = async (type: string, value: string) =>
      (
        (await call('service', `/customers?${type}=${encodeURIComponent(value)}`)).body.items as {
          customerId: string;
        }[]
      )[0]?.customerId;
    expect(await lookup('email', email.value)).toBe(survivor);
    const unmerge = (role: 'admin' | 'service') =>
      call(role, `/customers/${survivor}/unmerge`, {
        method: 'POST',
        body: JSON.stringify({ mergedCustomerId: restored, reason: 'two people share a family tablet' }),
      });

    // Act
    const forbidden = await unmerge('service');
    const done = await unmerge('admin');
    const again = await unmerge('admin');

    // Assess: only an admin may; e-mail and device are the restored customer's again, the phone stays.
    expect(forbidden.status).toBe(403);
    expect(done).toEqual({
      status: 200,
      body: {
        kind: 'unmerged',
        survivorCustomerId: survivor,
        restoredCustomerId: restored,
        returnedIdentifierTypes: ['deviceId', 'email'],
      },
    });
    expect(again.status).toBe(409);
    expect(await lookup('email', email.value)).toBe(restored);
    expect(await lookup('deviceId', device.value)).toBe(restored);
    expect(await lookup('phone', phone.value)).toBe(survivor);
    expect(await activeCustomers()).toEqual(expect.arrayContaining([survivor, restored]));
    // The next event carrying both identifiers no longer merges them; it goes with its strongest identifier.
    const after = await resolveIdentity(
      event('u-ab2', [phone, email], '2026-05-04T00:00:00.000Z'),
      DEFAULT_IDENTITY_RULES,
      ports,
    );
    expect(after).toEqual({ kind: 'linked', customerId: survivor, mergedCustomerIds: [] });
    expect(await lookup('email', email.value)).toBe(restored);
    const published = await eventually(
      async () => {
        const bucket = stack.names.bucket(lakeBucket.id);
        const listed = await stack.clients.s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: 'domain-events/detail_type=CustomerUnmerged/' }),
        );
        for (const o of listed.Contents ?? []) {
          const body = await (
            await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }))
          ).Body?.transformToString();
          for (const line of body?.trim().split('\n') ?? []) {
            const e = JSON.parse(line) as { detail: { restoredCustomerId?: string } };
            if (e.detail.restoredCustomerId === restored) return e.detail;
          }
        }
        return undefined;
      },
      (d) => d !== undefined,
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(parseCustomerUnmerged(published)).toMatchObject({
      ok: true,
      event: {
        survivorCustomerId: survivor,
        restoredCustomerId: restored,
        reason: 'two people share a family tablet',
      },
    });
  });

  it('stops merging through an identifier that already brought several customers together (super-node guard)', async () => {
    const shopPhone = { type: 'phone', value: '+8613600000999' };
    const people = ['a', 'b', 'c', 'd', 'e'];
    const ids: string[] = [];
    for (const [i, p] of people.entries()) {
      const r = await resolveIdentity(
        event(
          `sn-${p}`,
          [{ type: 'email', value: `sn-${p}@example.com` }],
          `2026-06-0${i + 1}T00:00:00.000Z`,
        ),
        DEFAULT_IDENTITY_RULES,
        ports,
      );
      ids.push((r as { customerId: string }).customerId);
    }
    // The till's phone is typed in for each of them, one after the other.
    const results = [];
    for (const p of people)
      results.push(
        await resolveIdentity(
          event(
            `sn-${p}-till`,
            [shopPhone, { type: 'email', value: `sn-${p}@example.com` }],
            '2026-06-10T00:00:00.000Z',
          ),
          DEFAULT_IDENTITY_RULES,
          ports,
        ),
      );
    const merges = results.flatMap((r) => (r.kind === 'linked' ? r.mergedCustomerIds : []));
    // a gets the phone; b, c and d are merged through it (3 = maxMergesPerIdentifier); e is left alone.
    expect(merges).toEqual([ids[1], ids[2], ids[3]]);
    expect(results[4]).toEqual({ kind: 'linked', customerId: ids[4], mergedCustomerIds: [] });
    expect(await activeCustomers()).toEqual(expect.arrayContaining([ids[0], ids[4]]));
    expect(await activeCustomers()).not.toContain(ids[1]);
  });

  it('links at most the per-type limit of identifiers of one type to a customer', async () => {
    const card = { type: 'memberCard', value: 'LIMIT-1' };
    const limit = DEFAULT_IDENTITY_RULES.maxPerType.phone ?? 0;
    let customerId = '';
    for (let i = 0; i <= limit; i++) {
      const r = await resolveIdentity(
        event(
          `lim-${i}`,
          [card, { type: 'phone', value: `+861360000${String(i).padStart(4, '0')}` }],
          '2026-07-01T00:00:00.000Z',
        ),
        DEFAULT_IDENTITY_RULES,
        ports,
      );
      customerId = (r as { customerId: string }).customerId;
    }
    const phones = (await customerLinks(db, stack.names.table, customerId)).filter((l) => l.type === 'phone');
    expect(phones).toHaveLength(limit);
    const state = await ports.read([
      {
        type: 'phone',
        hash: ports.blindIndex('identity', `phone:+861360000${String(limit).padStart(4, '0')}`),
      },
    ]);
    expect(state.owners.size).toBe(0);
  });

  it('never links through a blocked shared value', async () => {
    const a = await resolveIdentity(
      event(
        'blk-a',
        [
          { type: 'phone', value: '+8613800000000' },
          { type: 'email', value: 'a1@example.com' },
        ],
        '2026-03-02T00:00:00.000Z',
      ),
      DEFAULT_IDENTITY_RULES,
      ports,
    );
    const b = await resolveIdentity(
      event(
        'blk-b',
        [
          { type: 'phone', value: '+8613800000000' },
          { type: 'email', value: 'b1@example.com' },
        ],
        '2026-03-02T00:00:01.000Z',
      ),
      DEFAULT_IDENTITY_RULES,
      ports,
    );
    expect(a.kind).toBe('created');
    expect(b.kind).toBe('created');
  });
});
