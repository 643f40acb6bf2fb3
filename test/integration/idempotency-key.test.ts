import { describe, expect, it } from 'vitest';
import { routes } from '../../infra/definitions/routes.definition.ts';
import { SingleTableIdempotencyStore } from '../../shared/adapters/dynamodb/idempotency.store.ts';
import type { Role } from '../../shared/domain/access/access-policy.ts';
import {
  IDEMPOTENCY_KEY_PREFIX,
  type IdempotentRequest,
  idempotencyConfig,
} from '../../shared/runtime/idempotent-post.ts';
import { localStackSession } from '../helpers/local-stack.session.ts';

/** `Idempotency-Key` on the POST routes, through the local HTTP API, Lambda runtime and DynamoDB Local. */
describe('Idempotency-Key on the local stack', () => {
  const { stack, token } = localStackSession();

  const post = async (role: Role, path: string, body: unknown, key?: string) => {
    const res = await fetch(`${stack().endpoints.api}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await token(role)}`,
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      replayed: res.headers.get('idempotent-replayed'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };

  const consent = (recordId: string) => ({
    recordId,
    purpose: 'marketing',
    channel: 'email',
    status: 'granted',
    legalBasis: 'consent',
    source: 'web-signup',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
  });

  it('replays the first response to a retry under the same key, without running the request again', async () => {
    const path = '/customers/cus_idem_1/consents';
    const body = consent('idem-0001');
    const first = await post('service', path, body, 'key-replay-1');
    const retry = await post('service', path, body, 'key-replay-1');
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    // Run again, the ledger would say 200 "duplicate"; the replay is the first answer, 201 "recorded".
    expect(retry.status).toBe(201);
    expect(retry.replayed).toBe('true');
    expect(retry.body).toEqual(first.body);
    // Without the key the request runs: the ledger's own de-duplication answers.
    expect((await post('service', path, body)).body.outcome).toBe('duplicate');
    // Keys belong to a caller: an admin using the same key gets a fresh execution.
    const otherCaller = await post('admin', path, body, 'key-replay-1');
    expect(otherCaller.replayed).toBeNull();
    expect(otherCaller.body.outcome).toBe('duplicate');
  });

  it('refuses the same key with a different body (422), and still replays the original', async () => {
    const path = '/customers/cus_idem_2/consents';
    const body = consent('idem-0002');
    expect((await post('service', path, body, 'key-mismatch-1')).status).toBe(201);
    const changed = await post('service', path, { ...body, channel: 'sms' }, 'key-mismatch-1');
    expect(changed.status).toBe(422);
    expect(changed.type).toBe('application/problem+json');
    expect(changed.body.title).toBe('Idempotency-Key reused');
    const retry = await post('service', path, body, 'key-mismatch-1');
    expect(retry).toMatchObject({ status: 201, replayed: 'true' });
  });

  it('answers 409 while a request under the key is still in progress', async () => {
    // Prepare: the record a request leaves while it runs (as if its Lambda were still executing).
    const path = '/customers/cus_idem_3/consents';
    const body = consent('idem-0003');
    const request: IdempotentRequest = {
      scope: { caller: 'dev-service', route: 'POST /customers/{id}/consents', key: 'key-running-1' },
      request: { path, query: '', body },
    };
    const store = new SingleTableIdempotencyStore(stack().clients.dynamodb, stack().names.table);
    store.configure({ config: idempotencyConfig(), keyPrefix: IDEMPOTENCY_KEY_PREFIX });
    await store.saveInProgress(request, 60_000);
    // Act
    const concurrent = await post('service', path, body, 'key-running-1');
    // Assess
    expect(concurrent.status).toBe(409);
    expect(concurrent.type).toBe('application/problem+json');
    expect(concurrent.body.title).toBe('Request in progress');
    // The request did not run: nothing was recorded for the customer.
    const state = await fetch(`${stack().endpoints.api}${path}`, {
      headers: { authorization: `Bearer ${await token('service')}` },
    });
    expect(((await state.json()) as { current: unknown }).current).toEqual({});
  });

  it('applies to every protected POST route: each refuses a malformed key before doing anything', async () => {
    const posts = routes.flatMap((r) =>
      r.method === 'POST' && typeof r.auth === 'object' ? [{ ...r, auth: r.auth }] : [],
    );
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const route of posts) {
      const role = route.auth.groups[0] as Role;
      const path = route.path.replace(/\{\w+\+?\}/g, 'idem-probe');
      const res = await post(role, path, {}, 'not a valid key');
      expect(res.status, `${route.method} ${route.path}`).toBe(400);
      expect(res.body.title, `${route.method} ${route.path}`).toBe('Invalid Idempotency-Key');
    }
  });
});
