import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import { keys } from '../../shared/adapters/dynamodb/table-keys.ts';
import { createChannelProducer } from '../../shared/adapters/kinesis/channel-event.producer.ts';
import type { Role } from '../../shared/domain/access/access-policy.ts';
import type { AuditEntry } from '../../shared/domain/privacy/audit-entry.ts';
import { eventually } from '../helpers/eventually.ts';
import { localStackSession } from '../helpers/local-stack.session.ts';

type Trait = { value: unknown; source: string; channel: string; masked?: true };
type Customer = {
  customerId: string;
  profile?: {
    version: number;
    traits: Record<string, Trait>;
    computed: { eventCount: number };
    tags: { name: string; manual?: true }[];
  };
};

/**
 * A call-centre agent corrects an address a CRM export got wrong; sales tag the customer. The correction is
 * what every role reads from then on (masked as each may see it), survives a later CRM export, is audited,
 * and goes out as ProfileUpdated through the outbox.
 */
describe('Customer edits (PATCH /customers/{id}) on the local stack', () => {
  const { stack, token } = localStackSession();

  const call = async (
    role: Role,
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${stack().endpoints.api}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${await token(role)}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.headers ?? {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return {
      status: res.status,
      etag: res.headers.get('etag'),
      contentType: res.headers.get('content-type') ?? '',
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  const patch = (role: Role, id: string, body: unknown, headers: Record<string, string> = {}) =>
    call(role, `/customers/${id}`, { method: 'PATCH', body, headers });
  const read = async (role: Role, id: string) => (await call(role, `/customers/${id}`)).body as Customer;

  it('shows an agent’s correction to every role as it may see it, keeps it against a later export, audits it', async () => {
    // Prepare: a CRM export knows her with a wrong house number.
    const producer = createChannelProducer({
      client: stack().clients.kinesis,
      streamName: stack().names.stream(ingestStream.id),
    });
    const crmRecord = (messageId: string, address: string, occurredAt: string) => ({
      specVersion: '1',
      messageId,
      occurredAt,
      type: 'third-party.record',
      source: 'crm-export',
      channel: 'import',
      identities: { memberCard: 'EDIT-0001' },
      traits: { name: '赵敏', address, city: '上海' },
      payload: { provider: 'crm', recordType: 'member', attributes: {} },
    });
    expect(
      (await producer.send([crmRecord('edit-crm-1', '漕溪北路86号', '2026-10-01 09:00:00')] as never)).failed,
    ).toEqual([]);
    const found = await eventually(
      async () =>
        (
          (await call('service', '/customers?memberCard=EDIT-0001')).body.items as Customer[] | undefined
        )?.[0],
      (c) => c?.profile?.traits.address !== undefined,
      { timeoutMs: 60_000 },
    );
    const id = found?.customerId ?? '';
    const version = found?.profile?.version ?? 0;
    // The first call starts the function; on a loaded machine its init can pass Lambda's 10 s limit (503).
    await eventually(
      () => patch('service', 'cus_not_there', { tags: { add: ['x'] } }),
      (a) => a.status === 404,
      { timeoutMs: 60_000 },
    );

    // Act: the agent corrects the address, on the version she read.
    const corrected = await patch(
      'service',
      id,
      { traits: { address: '漕溪北路８８号' } },
      { 'if-match': `"${version}"`, 'x-c360-purpose': 'support-call' },
    );

    // Assess: applied, standardised, versioned.
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    expect(corrected.etag).toBe(`"${version + 1}"`);
    expect(corrected.body).toMatchObject({
      customerId: id,
      version: version + 1,
      changed: ['address'],
      traits: { address: { value: '漕溪北路88号', source: 'manual', channel: 'manual' } },
    });
    const asService = await read('service', id);
    const asSales = await read('sales', id);
    expect(asService.profile?.traits.address).toMatchObject({ value: '漕溪北路88号', source: 'manual' });
    expect(asSales.profile?.traits.address).toMatchObject({ value: '漕**', masked: true, source: 'manual' });

    // The change went out as ProfileUpdated in the same write (rescoring listens to it).
    const db = DynamoDBDocumentClient.from(stack().clients.dynamodb);
    const outbox = await db.send(
      new GetCommand({
        TableName: stack().names.table,
        Key: keys.outbox(`profile:${id}:${version + 1}`),
        ConsistentRead: true,
      }),
    );
    expect(outbox.Item?.detail).toMatchObject({ cause: 'edit', changedTraits: ['address'] });

    // It is on the audit record (appended from the audit queue): who, what, which field — never the value.
    const audited = await eventually(
      async () =>
        (
          ((await call('admin', `/audit?customerId=${id}&action=customer.update`)).body.items ??
            []) as AuditEntry[]
        ).filter((e) => e.action === 'customer.update'),
      (entries) => entries.length > 0,
      { timeoutMs: 30_000 },
    );
    expect(audited).toEqual([
      expect.objectContaining({
        resource: { type: 'customer', id },
        fields: ['address'],
        purpose: 'support-call',
        actor: expect.objectContaining({ roles: ['service'] }),
      }),
    ]);
    expect(JSON.stringify(audited)).not.toContain('漕溪北路');

    // A later CRM export with the old address does not undo the correction.
    await producer.send([crmRecord('edit-crm-2', '漕溪北路86号', '2026-10-09 09:00:00')] as never);
    const afterExport = await eventually(
      () => read('service', id),
      (c) => (c.profile?.computed.eventCount ?? 0) >= 2,
      { timeoutMs: 60_000 },
    );
    expect(afterExport.profile?.traits.address).toMatchObject({ value: '漕溪北路88号', source: 'manual' });
  });

  it('refuses a masked field (403), a stale version (412) and a computed tag (409); sales may tag', async () => {
    const producer = createChannelProducer({
      client: stack().clients.kinesis,
      streamName: stack().names.stream(ingestStream.id),
    });
    await producer.send([
      {
        specVersion: '1',
        messageId: 'edit-web-1',
        occurredAt: '2026-10-02 10:00:00',
        type: 'segment.message',
        source: 'web-shop',
        channel: 'web',
        identities: { email: 'zhou.jie@example.com' },
        traits: { name: '周杰', postcode: '200030' },
        payload: { type: 'identify', userId: 'web-zj', traits: {} },
      },
    ] as never);
    const found = await eventually(
      async () =>
        (
          (await call('sales', '/customers?email=zhou.jie@example.com')).body.items as Customer[] | undefined
        )?.[0],
      (c) => c?.profile?.traits.name !== undefined,
      { timeoutMs: 60_000 },
    );
    const id = found?.customerId ?? '';
    const version = found?.profile?.version ?? 0;

    const masked = await patch('sales', id, { traits: { name: '周杰伦' } });
    const stale = await patch(
      'service',
      id,
      { traits: { city: '杭州' } },
      { 'if-match': `"${version - 1}"` },
    );
    const computed = await patch('sales', id, { tags: { add: ['has-email'] } });
    const tagged = await patch('sales', id, {
      traits: { postcode: '200031' },
      tags: { add: ['vip-prospect'] },
    });

    expect(masked.status).toBe(403);
    expect(masked.contentType).toBe('application/problem+json');
    expect(masked.body).toMatchObject({ status: 403, fields: ['name'] });
    expect(String(masked.body.detail)).toContain('name');
    expect(stale.status).toBe(412);
    expect(stale.etag).toBe(`"${version}"`);
    expect(computed.status).toBe(409);
    expect(tagged.status, JSON.stringify(tagged.body)).toBe(200);
    const after = await read('sales', id);
    expect(after.profile?.traits.name?.value).toBe('周**');
    expect(after.profile?.traits.postcode).toMatchObject({ value: '200031', source: 'manual' });
    expect(after.profile?.tags).toContainEqual(
      expect.objectContaining({ name: 'vip-prospect', manual: true }),
    );
    expect((await read('service', id)).profile?.traits.city).toBeUndefined();
  });
});
