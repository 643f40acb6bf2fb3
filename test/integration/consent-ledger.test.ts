import { describe, expect, it } from 'vitest';
import type { Role } from '../../shared/domain/access/access-policy.ts';
import { eventually } from '../helpers/eventually.ts';
import { sendIdentify } from '../helpers/identify-event.ts';
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

  /** An identify event into the ingest stream: identity resolution makes or merges customers from it. */
  const identify = (messageId: string, identities: Record<string, string>) =>
    sendIdentify(stack(), messageId, identities);
  const customerOf = async (query: string) =>
    (
      (await call('admin', 'GET', `/customers?${query}`)).body.items as { customerId: string }[] | undefined
    )?.[0]?.customerId;

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

    // Each record is a change on the audit log (appended from the audit queue); the retry and the conflict
    // are not.
    const audited = await eventually(
      async () =>
        ((await call('admin', 'GET', '/audit?customerId=cus_consent_1&action=consent.record')).body.items ??
          []) as { actor: { subject: string }; fields: string[] }[],
      (entries) => entries.length >= 3,
    );
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

  it("folds a merged customer's ledger into the survivor's, separates them on unmerge, and answers 410 once erased", async () => {
    const email = 'consent.merge@example.com';
    const phone = '+8613800138011';
    // Two customers: one from an e-mail, then — once that one exists, so it is the older — one from a phone.
    await identify('consent-merge-1', { email });
    const survivor = await eventually(() => customerOf(`email=${encodeURIComponent(email)}`), Boolean, {
      timeoutMs: 60_000,
    });
    await identify('consent-merge-2', { phone });
    const merged = await eventually(() => customerOf(`phone=${encodeURIComponent(phone)}`), Boolean, {
      timeoutMs: 60_000,
    });
    expect(merged).not.toBe(survivor);
    const consents = (id: string | undefined) => `/customers/${id}/consents`;
    const grant = {
      recordId: 'merge-grant-1',
      purpose: 'marketing',
      channel: 'email',
      status: 'granted',
      legalBasis: 'consent',
      source: 'web-signup',
      occurredAt: new Date(Date.now() - 120_000).toISOString(),
      evidence: { kind: 'web-form', reference: 'signup-form-v3' },
    };
    // The withdrawal is given under the customer that is about to be merged away.
    const withdrawal = {
      ...grant,
      recordId: 'merge-withdrawal-1',
      status: 'withdrawn',
      source: 'call-centre',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      evidence: { kind: 'call-recording', reference: 'rec-9921' },
    };
    expect((await call('service', 'POST', consents(survivor), grant)).status).toBe(201);
    expect((await call('service', 'POST', consents(merged), withdrawal)).status).toBe(201);
    let state = await call('marketing', 'GET', consents(survivor));
    expect(decision(state.body, 'marketing', 'email')).toMatchObject({ allowed: true });

    // Both identifiers together: identity resolution merges the phone's customer into the e-mail's.
    await identify('consent-merge-3', { email, phone });
    const read = await eventually(
      () => call('admin', 'GET', `/customers/${merged}`),
      (r) => r.body.mergedFrom === merged,
      { timeoutMs: 60_000 },
    );
    expect(read.body.customerId).toBe(survivor);

    // The survivor's state includes the merged customer's withdrawal; the merged id answers for the survivor.
    state = await call('marketing', 'GET', consents(survivor));
    expect(state.body.customerId).toBe(survivor);
    expect(state.body.mergedFrom).toBeUndefined();
    expect(decision(state.body, 'marketing', 'email')).toMatchObject({
      allowed: false,
      reason: 'withdrawn',
      recordId: withdrawal.recordId,
    });
    const viaMerged = await call('marketing', 'GET', consents(merged));
    expect(viaMerged.body).toMatchObject({ customerId: survivor, mergedFrom: merged });
    expect(decision(viaMerged.body, 'marketing', 'email')).toMatchObject({
      allowed: false,
      reason: 'withdrawn',
    });
    // The withdrawal sent again under the survivor's id is a retry of the same person's record: stored once.
    const retried = await call('service', 'POST', consents(survivor), withdrawal);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ outcome: 'duplicate', record: { customerId: merged } });

    // An unmerge gives each customer its own ledger back.
    const undone = await call('admin', 'POST', `/customers/${survivor}/unmerge`, {
      mergedCustomerId: merged,
      reason: 'two people share a phone',
    });
    expect(undone.status).toBe(200);
    state = await call('marketing', 'GET', consents(survivor));
    expect(decision(state.body, 'marketing', 'email')).toMatchObject({ allowed: true });
    state = await call('marketing', 'GET', consents(merged));
    expect(state.body.customerId).toBe(merged);
    expect(state.body.mergedFrom).toBeUndefined();
    expect(decision(state.body, 'marketing', 'email')).toMatchObject({ allowed: false, reason: 'withdrawn' });

    // Erased on a data-subject request: the ledger answers 410, to reads and to writes.
    const filed = await call('admin', 'POST', '/data-subject-requests', {
      kind: 'erasure',
      customerId: survivor,
    });
    expect(filed.status).toBe(202);
    const done = await eventually(
      async () => (await call('admin', 'GET', `/data-subject-requests/${filed.body.requestId}`)).body.status,
      (status) => status === 'completed' || status === 'failed',
      { timeoutMs: 60_000 },
    );
    expect(done).toBe('completed');
    const gone = await call('marketing', 'GET', consents(survivor));
    expect(gone).toMatchObject({ status: 410, type: 'application/problem+json' });
    expect(gone.body.erasedAt).toEqual(expect.any(String));
    const refused = await call('service', 'POST', consents(survivor), {
      ...grant,
      recordId: 'merge-grant-2',
    });
    expect(refused).toMatchObject({ status: 410, type: 'application/problem+json' });
    expect((await call('marketing', 'GET', consents(merged))).status).toBe(200);
  });
});
