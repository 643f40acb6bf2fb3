import { describe, expect, it } from 'vitest';
import type { Role } from '../../shared/domain/access/access-policy.ts';
import { localStackSession } from '../helpers/local-stack.session.ts';

type Decision = { purpose: string; channel: string; allowed: boolean; reason: string };

/** The consent ledger through its routes: record, retry, withdraw, and the decision every send asks for. */
describe('Consent ledger on the local stack', () => {
  const { stack, token } = localStackSession();

  const call = async (role: Role, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack().endpoints.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${await token(role)}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  const decision = (body: Record<string, unknown>, purpose: string, channel: string) =>
    (body.decisions as Decision[]).find((d) => d.purpose === purpose && d.channel === channel);

  it('records a grant once, honours a later withdrawal, and denies what was never granted', async () => {
    const path = '/customers/cus_consent_1/consents';
    const grant = {
      recordId: 'web-signup-0001',
      purpose: 'marketing',
      channel: 'sms',
      status: 'granted',
      legalBasis: 'consent',
      source: 'web-signup',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      evidence: { kind: 'web-form', reference: 'signup-form-v3' },
    };
    expect((await call('service', 'POST', path, grant)).status).toBe(201);
    // A retry of the same record (a lost response) is stored once; other content under its id is refused.
    expect((await call('service', 'POST', path, grant)).status).toBe(200);
    const conflict = await call('service', 'POST', path, { ...grant, channel: 'email' });
    expect(conflict.status).toBe(409);
    expect(conflict.type).toBe('application/problem+json');

    let state = await call('marketing', 'GET', path);
    expect(decision(state.body, 'marketing', 'sms')).toMatchObject({ allowed: true });
    expect(decision(state.body, 'marketing', 'email')).toMatchObject({ allowed: false, reason: 'no-record' });
    expect(decision(state.body, 'profiling', 'sms')?.allowed).toBe(false);

    // A contract basis allows service messages but never marketing.
    await call('admin', 'POST', path, {
      ...grant,
      recordId: 'order-0001',
      purpose: 'service',
      legalBasis: 'contract',
      source: 'pos',
      evidence: undefined,
    });
    await call('service', 'POST', path, {
      ...grant,
      recordId: 'callcentre-0002',
      status: 'withdrawn',
      source: 'call-centre',
      occurredAt: new Date().toISOString(),
      evidence: { kind: 'call-recording', reference: 'rec-7781' },
    });
    state = await call('sales', 'GET', path);
    expect(decision(state.body, 'marketing', 'sms')).toMatchObject({ allowed: false, reason: 'withdrawn' });
    expect(decision(state.body, 'service', 'sms')?.allowed).toBe(true);

    // Each record is a change on the audit log; the retry and the conflict are not.
    const audited = (await call('admin', 'GET', '/audit?customerId=cus_consent_1&action=consent.record')).body
      .items as { actor: { subject: string }; fields: string[] }[];
    expect(audited.map((e) => e.fields[0]).sort()).toEqual([
      'consent.marketing.sms',
      'consent.marketing.sms',
      'consent.service.sms',
    ]);

    // As it stood before the withdrawal:
    const before = await call('admin', 'GET', `${path}?at=${encodeURIComponent(grant.occurredAt)}`);
    expect(decision(before.body, 'marketing', 'sms')?.allowed).toBe(true);
  });

  it('refuses bad input with problem details and keeps roles apart', async () => {
    const path = '/customers/cus_consent_2/consents';
    const bad = await call('service', 'POST', path, { purpose: 'marketing' });
    expect(bad.status).toBe(400);
    expect(bad.type).toBe('application/problem+json');
    const future = await call('service', 'POST', path, {
      recordId: 'r-future',
      purpose: 'marketing',
      channel: 'email',
      status: 'granted',
      legalBasis: 'consent',
      source: 'web',
      occurredAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.status).toBe(422);
    const elsewhere = await call('service', 'POST', path, {
      recordId: 'r-other',
      customerId: 'cus_someone_else',
      purpose: 'marketing',
      channel: 'email',
      status: 'granted',
      legalBasis: 'consent',
      source: 'web',
      occurredAt: new Date().toISOString(),
    });
    expect(elsewhere.status).toBe(400);
    expect((await call('marketing', 'POST', path, {})).status).toBe(403);
    expect((await call('analyst', 'GET', path)).status).toBe(403);
  });
});
