import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../infra/cli/import.command.ts';
import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import { loadOrCreateDevKeys, signDevToken } from '../../infra/local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE } from '../../infra/local/local-paths.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { createChannelProducer } from '../../shared/adapters/kinesis/channel-event.producer.ts';
import { eventually } from '../helpers/eventually.ts';

type Customer = {
  customerId: string;
  identities: { type: string; rule: string; source: string; eventId: string; viaMergedCustomer?: string }[];
  merges: { customerId: string; rule: string; explanation?: string }[];
  profile?: {
    traits: Record<string, { value: unknown; source: string; masked?: true }>;
    computed: { purchaseCount: number; channels: string[]; eventCount: number };
    tags: { name: string }[];
  };
};

/**
 * One person, four channels, no identifier in common: the app knows her device, the till her phone, the
 * web shop her e-mail, and a back-office CSV export her member card, name, birthday and address — with
 * typos. Probabilistic matching on arrival makes one customer of them, every link explained.
 */
describe('Profile 360 on the local stack: one person from four channels', () => {
  let stack: LocalStack;
  let dir: string;
  let token: (role: 'admin' | 'service' | 'analyst') => Promise<string>;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'c360-p360-'));
    const keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
    token = (role) => signDevToken(keys, { role });
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const call = async (role: 'admin' | 'service' | 'analyst', path: string, init: RequestInit = {}) => {
    const res = await fetch(`${stack.endpoints.api}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${await token(role)}`, 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const lookup = async (type: string, value: string, role: 'service' | 'analyst' = 'service') =>
    (
      (await call(role, `/customers?${type}=${encodeURIComponent(value)}`)).body.items as
        | Customer[]
        | undefined
    )?.[0];

  /** The customer each of her four identifiers finds. */
  const lookupAll = () =>
    Promise.all([
      lookup('deviceId', 'dev-lina-01'),
      lookup('phone', '13912345601'),
      lookup('email', 'li.na@example.com'),
      lookup('memberCard', 'VIP-5566'),
    ]);

  it('app, POS, web and a CSV row with typos become one customer whose links are explained; unmerge restores both with their own traits', async () => {
    // Act 1: three channels, three customers.
    const producer = createChannelProducer({
      client: stack.clients.kinesis,
      streamName: stack.names.stream(ingestStream.id),
    });
    const sent = await producer.send([
      {
        specVersion: '1',
        messageId: 'p360-app',
        occurredAt: '2026-10-01 09:00:00',
        type: 'app.event',
        source: 'app-backend',
        channel: 'app',
        identities: { deviceId: 'dev-lina-01' },
        traits: { name: '李娜', birthday: '1990-03-14', city: '上海' },
        payload: { name: 'Opened' },
      },
      {
        specVersion: '1',
        messageId: 'p360-pos',
        occurredAt: '2026-10-02 12:30:00',
        type: 'pos.purchase',
        source: 'pos-shanghai',
        channel: 'pos',
        identities: { phone: '139 1234 5601' },
        traits: { name: '李娜', city: '上海', address: '徐汇区漕溪北路88号', postcode: '200030' },
        payload: {
          orderId: 'o-lina-1',
          storeId: 'sh-01',
          items: [{ sku: 'TEA-1', category: 'tea', quantity: 2, unitPrice: '88.00' }],
          total: { amount: '176.00', currency: 'CNY' },
        },
      },
      {
        specVersion: '1',
        messageId: 'p360-web',
        occurredAt: '2026-10-03 20:15:00',
        type: 'segment.message',
        source: 'web-shop',
        channel: 'web',
        identities: { email: 'Li.Na@Example.com' },
        traits: { name: '李娜', birthday: '1990-03-14' },
        payload: { type: 'identify', userId: 'web-lina', traits: {} },
      },
    ] as never);
    expect(sent.failed).toEqual([]);
    // Identity comes first, the profile a moment later: wait for both.
    const settled = (c: Customer | undefined) => c?.profile?.traits.name !== undefined;
    const app = await eventually(() => lookup('deviceId', 'dev-lina-01'), settled, { timeoutMs: 60_000 });
    const pos = await eventually(() => lookup('phone', '13912345601'), settled, { timeoutMs: 60_000 });
    const web = await eventually(() => lookup('email', 'li.na@example.com'), settled, { timeoutMs: 60_000 });
    expect(app?.profile?.traits.name?.value).toBe('李娜');

    // Act 2: the CSV export: a homophone typo in the name, an address typo, no identifier seen before.
    const file = join(dir, 'members.csv');
    await writeFile(
      file,
      '会员卡号,姓名,生日,地址,城市,邮编,创建时间\nVIP-5566,李那,1990-03-14,徐汇区漕溪北路86号,上海,200030,2026-10-05 10:00:00\n',
    );
    const imported = await runImport({
      file,
      source: 'crm-export',
      kinesis: stack.clients.kinesis,
      streamName: stack.names.stream(ingestStream.id),
    });
    expect(imported.accepted).toBe(1);

    // Assess: every identifier now finds the same customer — the oldest of them survives.
    const one = await eventually(
      lookupAll,
      (found) =>
        new Set(found.map((c) => c?.customerId)).size === 1 &&
        found.every((c) => c?.identities.length === 4 && c.profile?.computed.channels.length === 4),
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    const customer = one[0] as Customer;
    expect([app?.customerId, pos?.customerId, web?.customerId]).toContain(customer.customerId);
    expect(customer.identities.map((i) => i.type).sort()).toEqual([
      'deviceId',
      'email',
      'memberCard',
      'phone',
    ]);
    // Each probabilistic merge says why, field by field; no personal data in the explanation.
    const probabilistic = customer.merges.filter((m) => m.rule.startsWith('probabilistic:'));
    expect(probabilistic.length).toBeGreaterThanOrEqual(1);
    for (const m of probabilistic) {
      expect(m.explanation).toMatch(/name: .*→ weight .*, p /);
      expect(m.explanation).not.toMatch(/李|娜|漕溪|200030/);
    }
    // The profile holds all four channels' traits and activity.
    expect(customer.profile?.computed.purchaseCount).toBe(1);
    expect(customer.profile?.computed.channels.sort()).toEqual(['app', 'import', 'pos', 'web']);
    expect(customer.profile?.traits.address?.value).toBeDefined();
    // An analyst sees no PII.
    const masked = await lookup('phone', '13912345601', 'analyst');
    expect(masked?.profile?.traits.name).toBeUndefined();
    expect(JSON.stringify(masked)).not.toMatch(/李娜|漕溪/);

    // Act 3: an admin undoes one of the merges; both profiles are rebuilt from their own events.
    const restored = customer.merges.find((m) => m.rule.startsWith('probabilistic:'))?.customerId ?? '';
    const undone = await call('admin', `/customers/${customer.customerId}/unmerge`, {
      method: 'POST',
      body: JSON.stringify({ mergedCustomerId: restored, reason: 'test: undo a probabilistic merge' }),
    });
    expect(undone.status).toBe(200);
    // On the audit record once the batching writer has appended it from the audit queue.
    const unmergeAudit = await eventually(
      async () =>
        ((await call('admin', `/audit?action=customer.unmerge&customerId=${restored}`)).body.items ??
          []) as unknown[],
      (entries) => entries.length > 0,
    );
    expect(unmergeAudit).toMatchObject([{ actor: { subject: 'dev-admin' }, resource: { id: restored } }]);
    const CHANNEL_OF: Record<string, string> = {
      deviceId: 'app',
      phone: 'pos',
      email: 'web',
      memberCard: 'import',
    };
    const expectedOf = (c: Customer) => {
      const types = new Set(c.identities.map((i) => i.type));
      return {
        channels: [...types].map((t) => CHANNEL_OF[t]).sort(),
        purchases: types.has('phone') ? 1 : 0,
        address: types.has('phone') || types.has('memberCard'),
        birthday: types.has('deviceId') || types.has('email') || types.has('memberCard'),
      };
    };
    const actualOf = (c: Customer) => ({
      channels: [...(c.profile?.computed.channels ?? [])].sort(),
      purchases: c.profile?.computed.purchaseCount,
      address: c.profile?.traits.address !== undefined,
      birthday: c.profile?.traits.birthday !== undefined,
    });
    const two = await eventually(
      async () => {
        const found = await lookupAll();
        return [...new Map(found.flatMap((c) => (c ? [[c.customerId, c] as const] : []))).values()];
      },
      (sides) =>
        sides.length === 2 &&
        sides.every((c) => JSON.stringify(actualOf(c)) === JSON.stringify(expectedOf(c))),
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    expect(two.map((c) => c.customerId).sort()).toEqual([customer.customerId, restored].sort());
    for (const side of two) expect(actualOf(side)).toEqual(expectedOf(side));

    // Raw table: no name, address or e-mail in clear anywhere.
    const db = DynamoDBDocumentClient.from(stack.clients.dynamodb);
    for await (const page of paginateScan({ client: db }, { TableName: stack.names.table }))
      for (const item of page.Items ?? []) {
        if (String(item.pk).startsWith('QUARANTINE#')) continue;
        const text = JSON.stringify(item);
        if (String(item.sk) === 'CLEANED') continue; // the short-lived hand-over to identity (its own TTL)
        expect(text).not.toMatch(/李娜|李那|漕溪北路|li\.na@example\.com/);
      }
  });

  it('queues a likely match for review; an admin approves one pair (merged) and rejects another (kept apart for good)', async () => {
    const producer = createChannelProducer({
      client: stack.clients.kinesis,
      streamName: stack.names.stream(ingestStream.id),
    });
    // Two pairs of records that agree on name and city only: likely, never sure.
    const record = (id: string, identities: Record<string, string>, name: string) => ({
      specVersion: '1',
      messageId: id,
      occurredAt: '2026-10-10 10:00:00',
      type: 'app.event',
      source: 'app-backend',
      channel: 'app',
      identities,
      traits: { name, city: '杭州' },
      payload: { name: 'Opened' },
    });
    const sent = await producer.send([
      record('rv-1a', { deviceId: 'rv-dev-1a' }, '王芳'),
      record('rv-1b', { email: 'rv-1b@example.com' }, '王芳'),
      record('rv-2a', { deviceId: 'rv-dev-2a' }, '陈静'),
      record('rv-2b', { email: 'rv-2b@example.com' }, '陈静'),
    ] as never);
    expect(sent.failed).toEqual([]);
    type Suggestion = { pairKey: string; customerId: string; candidateId: string; status: string };
    const ofDevice = async (device: string) => (await lookup('deviceId', device))?.customerId;
    // The queue may hold other pairs too: wait for a suggestion naming each device's customer.
    const suggestionFor = async (device: string) => {
      const id = await ofDevice(device);
      const items = ((await call('service', '/identity/suggested-matches')).body.items as Suggestion[]) ?? [];
      return id === undefined ? undefined : items.find((p) => p.customerId === id || p.candidateId === id);
    };
    const [approve, reject] = await eventually(
      () => Promise.all([suggestionFor('rv-dev-1a'), suggestionFor('rv-dev-2a')]),
      (found) => found.every((f) => f !== undefined),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    if (!approve || !reject) throw new Error('no suggestions');
    const decide = (role: 'admin' | 'service', p: Suggestion, verdict: string) =>
      call(role, `/identity/suggested-matches/${encodeURIComponent(p.pairKey)}/decision`, {
        method: 'POST',
        body: JSON.stringify({ verdict, note: 'checked by phone' }),
      });

    // Act
    expect((await decide('service', approve, 'approve')).status).toBe(403);
    const approved = await decide('admin', approve, 'approve');
    const rejected = await decide('admin', reject, 'reject');

    // Assess: the approved pair is one customer, with the reviewer in its lineage; the rejected pair stays two,
    // and a later event carrying both of their identifiers does not merge them.
    expect(approved).toMatchObject({ status: 200, body: { effect: { kind: 'merge' } } });
    expect(rejected).toMatchObject({ status: 200, body: { effect: { kind: 'keep-apart' } } });
    expect((await decide('admin', approve, 'reject')).status).toBe(409);
    // Both decisions are changes on the audit log, by the admin who made them; the refused ones are not.
    // They appear once the batching writer has appended them from the audit queue.
    const decisions = await eventually(
      () =>
        Promise.all(
          ['match.approve', 'match.reject'].map(
            async (action) =>
              ((await call('admin', `/audit?action=${action}`)).body.items ?? []) as {
                actor: { subject: string };
                resource: { id: string };
              }[],
          ),
        ),
      (found) => found.every((d) => d.length > 0),
    );
    expect(decisions.map((d) => d.map((e) => [e.actor.subject, e.resource.id]))).toEqual([
      [['dev-admin', approve.pairKey.replace('|', '/')]],
      [['dev-admin', reject.pairKey.replace('|', '/')]],
    ]);
    const merged = await lookup('email', 'rv-1b@example.com');
    expect(merged?.customerId).toBe(await ofDevice('rv-dev-1a'));
    expect(merged?.merges.some((m) => m.rule.startsWith('review:approved by'))).toBe(true);
    await producer.send([
      { ...record('rv-2ab', { deviceId: 'rv-dev-2a', email: 'rv-2b@example.com' }, '陈静') },
    ] as never);
    await eventually(
      // It goes with its strongest identifier (the e-mail); the device's customer stays apart.
      async () => (await lookup('email', 'rv-2b@example.com'))?.profile?.computed.eventCount,
      (n) => n === 2,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(await ofDevice('rv-dev-2a')).not.toBe((await lookup('email', 'rv-2b@example.com'))?.customerId);
  });
});
