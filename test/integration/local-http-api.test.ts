import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_APP_CLIENT_ID,
  LOCAL_USER_POOL_ID,
  loadOrCreateDevKeys,
  signDevToken,
} from '../../infra/local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE } from '../../infra/local/local-paths.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { cognitoIssuer } from '../../shared/adapters/auth/cognito-token.verifier.ts';
import { probeFunction, testDefinitions } from '../helpers/test-definitions.ts';

describe('Local stack: HTTP API and Lambda runtime', () => {
  let stack: LocalStack;
  let api: string;

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      definitions: testDefinitions({
        functions: [
          probeFunction('RuntimeProbe', 'runtime-probe.handler.ts', { environment: { PROBE_NAME: 'one' } }),
          probeFunction('OtherProbe', 'runtime-probe.handler.ts', { environment: { PROBE_NAME: 'two' } }),
          probeFunction('SlowProbe', 'runtime-probe.handler.ts', { timeoutSeconds: 1 }),
        ],
        routes: [
          { id: 'Probe', method: 'GET', path: '/probe/{id}', functionId: 'RuntimeProbe', auth: 'public' },
          { id: 'Fail', method: 'POST', path: '/probe', functionId: 'RuntimeProbe', auth: 'public' },
          { id: 'Other', method: 'GET', path: '/other', functionId: 'OtherProbe', auth: 'public' },
          {
            id: 'Private',
            method: 'GET',
            path: '/private/{id}',
            functionId: 'RuntimeProbe',
            auth: { permission: 'test:private', groups: ['admin'] },
          },
          { id: 'Slow', method: 'POST', path: '/slow', functionId: 'SlowProbe', auth: 'public' },
        ],
      }),
    });
    api = stack.endpoints.api;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('routes to the function with an API Gateway v2 event and keeps module state between invocations', async () => {
    const first = await get('/probe/c-1?x=1');
    const second = await get('/probe/c-2');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      routeKey: 'GET /probe/{id}',
      pathParameters: { id: 'c-1' },
      probeName: 'one',
    });
    expect(first.body.functionName).toBe('c360-local-RuntimeProbe');
    expect(second.body.invocations).toBe((first.body.invocations as number) + 1);
    expect(second.body.coldStartAt).toBe(first.body.coldStartAt);
    expect(second.body.requestId).not.toBe(first.body.requestId);
    // A realistic context: remaining time counts down from the 10 s timeout.
    expect(first.body.remainingMs).toBeGreaterThan(0);
    expect(first.body.remainingMs).toBeLessThanOrEqual(10_000);
  });

  it('gives each function its own environment variables', async () => {
    expect((await get('/other')).body.probeName).toBe('two');
    expect((await get('/probe/x')).body.probeName).toBe('one');
  });

  it('answers as API Gateway does for unknown routes and function errors', async () => {
    expect(await get('/nowhere')).toEqual({ status: 404, body: { message: 'Not Found' } });
    expect(await post('/probe', { fail: true })).toEqual({
      status: 500,
      body: { message: 'Internal Server Error' },
    });
  });

  it('ends an invocation at the function timeout and starts a fresh environment afterwards', async () => {
    expect(await post('/slow', { sleepMs: 3000 })).toEqual({
      status: 503,
      body: { message: 'Service Unavailable' },
    });
    const after = await post('/slow', {});
    expect(after.status).toBe(200);
    expect(after.body.invocations).toBe(1);
  });

  it('verifies Cognito-shaped JWTs on protected routes, like the JWT authorizer', async () => {
    expect((await get('/private/1')).status).toBe(401);
    expect((await get('/private/1', { authorization: 'Bearer not-a-jwt' })).status).toBe(401);

    const keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
    const expired = await signDevToken(keys, { role: 'admin', now: new Date(Date.now() - 2 * 3600_000) });
    expect((await get('/private/1', { authorization: `Bearer ${expired}` })).status).toBe(401);

    // Right shape, wrong key: a token not signed by the pool's key is refused.
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({
      token_use: 'access',
      client_id: LOCAL_APP_CLIENT_ID,
      'cognito:groups': ['admin'],
    })
      .setProtectedHeader({ alg: 'RS256', kid: (await exportJWK(publicKey)).kid ?? 'c360-local-dev-key' })
      .setIssuer(cognitoIssuer(LOCAL_USER_POOL_ID))
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await get('/private/1', { authorization: `Bearer ${forged}` })).status).toBe(401);

    const token = await signDevToken(keys, { role: 'admin' });
    const ok = await get('/private/1', { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(ok.body.claims).toMatchObject({
      sub: 'dev-admin',
      'cognito:groups': '[admin]',
      token_use: 'access',
    });
  });
});
