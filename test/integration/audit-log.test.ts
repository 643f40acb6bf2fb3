import { describe, expect, it } from 'vitest';
import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import { sha256Hex } from '../../shared/adapters/crypto/sha256.ts';
import { createChannelProducer } from '../../shared/adapters/kinesis/channel-event.producer.ts';
import type { Role } from '../../shared/domain/access/access-policy.ts';
import { type AuditEntry, verifyChain } from '../../shared/domain/privacy/audit-entry.ts';
import { eventually } from '../helpers/eventually.ts';
import { localStackSession } from '../helpers/local-stack.session.ts';

/** Every read that shows personal data lands in the append-only audit log, which admins can query. */
describe('Audit log on the local stack', () => {
  const { stack, token } = localStackSession();

  const call = async (role: Role, path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${stack().endpoints.api}${path}`, {
      headers: { authorization: `Bearer ${await token(role)}`, ...headers },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const entries = async (query = '') =>
    ((await call('admin', `/audit${query}`)).body.items ?? []) as AuditEntry[];

  it('records who read which personal fields of whom, when and why; not reads that showed none', async () => {
    const producer = createChannelProducer({
      client: stack().clients.kinesis,
      streamName: stack().names.stream(ingestStream.id),
    });
    await producer.send([
      {
        specVersion: '1',
        messageId: 'audit-identify-1',
        occurredAt: new Date().toISOString(),
        type: 'segment.message',
        source: 'web-shop',
        channel: 'web',
        identities: { email: 'wang.fang@example.com' },
        traits: { name: '王芳', birthday: '1988-07-01' },
        payload: { type: 'identify', userId: 'web-wf', traits: {} },
      },
    ] as never);
    const customer = await eventually(
      async () =>
        (
          (await call('admin', '/customers?email=wang.fang@example.com')).body.items as
            | { customerId: string; profile?: { traits: Record<string, unknown> } }[]
            | undefined
        )?.[0],
      (c) => c?.profile?.traits.name !== undefined,
      { timeoutMs: 60_000 },
    );
    const id = customer?.customerId ?? '';

    expect((await call('service', `/customers/${id}`, { 'x-c360-purpose': 'support-call' })).status).toBe(
      200,
    );
    expect((await call('analyst', `/customers/${id}`)).status).toBe(200);

    // Accepted on the audit queue before the data left; in the log once the batching writer has run.
    const reads = await eventually(
      () => entries(`?customerId=${id}&action=customer.read-pii`),
      (found) => ['dev-admin', 'dev-service'].every((s) => found.some((e) => e.actor.subject === s)),
    );
    const log = await entries(`?customerId=${id}`);
    // The admin lookup above and the service read; the analyst saw no personal field, so nothing is logged.
    expect(reads.map((e) => e.actor.subject).sort()).toEqual(['dev-admin', 'dev-service']);
    expect(reads.find((e) => e.actor.subject === 'dev-service')).toMatchObject({
      resource: { type: 'customer', id },
      purpose: 'support-call',
      fields: ['birthday', 'name'],
      outcome: 'succeeded',
    });
    expect(reads.find((e) => e.actor.subject === 'dev-admin')?.purpose).toBe('not-stated');
    // Field names only, never the values.
    expect(JSON.stringify(log)).not.toMatch(/王芳|1988|wang\.fang/);

    // The whole log verifies as a hash chain, in chain order; editing one entry breaks it.
    const all = [...(await entries())].sort((a, b) => a.segment.localeCompare(b.segment) || a.seq - b.seq);
    expect(verifyChain(all, (s) => sha256Hex(s))).toMatchObject({ ok: true });
    const tampered = all.map((e, i) => (i === 0 ? { ...e, purpose: 'fraud-review' } : e));
    expect(verifyChain(tampered, (s) => sha256Hex(s))).toMatchObject({ ok: false, reason: 'edited' });
    // Reading the log is logged too (through the audit queue, so shortly after), and only admins may read it.
    await eventually(
      () => entries('?action=audit.query'),
      (found) => found.length > 0,
    );
    expect((await call('service', '/audit')).status).toBe(403);
    expect(
      (await call('admin', '/audit?from=2026-01-02T00:00:00.000Z&to=2026-01-01T00:00:00.000Z')).status,
    ).toBe(400);
  }, 120_000);
});
