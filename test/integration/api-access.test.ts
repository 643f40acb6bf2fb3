import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/definitions/routes.definition.ts';
import { loadOrCreateDevKeys, signDevToken } from '../../infra/local/auth/dev-tokens.ts';
import { DEV_KEYS_FILE } from '../../infra/local/local-paths.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { ROLES, type Role } from '../../shared/domain/access/access-policy.ts';

/*
 * Every route of the real definitions, on the local stack: a role × route matrix against the access
 * policy, then fuzzing (random path values, query strings, bodies, headers and tokens). What API Gateway
 * answers by itself — 401 from the JWT authorizer, 404 for a path no route matches — is its own JSON and
 * cannot be reshaped on an HTTP API; every other 4xx comes from a function and must be problem+json.
 */

const SAMPLE_PARAMS: Readonly<Record<string, string>> = {
  id: 'cus_does_not_exist',
  pair: 'cus_a~cus_b',
  name: 'churn-risk',
  call: 'track',
};

const pathOf = (template: string, params: Readonly<Record<string, string>>) =>
  template.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(params[p] ?? SAMPLE_PARAMS[p] ?? 'x'));

type Answer = { status: number; contentType: string; body: unknown };

describe('HTTP API access and robustness on the local stack', () => {
  let stack: LocalStack;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    const keys = await loadOrCreateDevKeys(DEV_KEYS_FILE);
    for (const role of ROLES) tokens.set(role, await signDevToken(keys, { role }));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const send = async (
    method: string,
    path: string,
    init: { token?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const res = await fetch(`${stack.endpoints.api}${path}`, {
      method,
      headers: {
        ...(init.headers ?? {}),
        ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined || method === 'GET' ? {} : { body: init.body }),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the assertion message
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
  };

  const isGatewayAnswer = (a: Answer, message: string) =>
    a.contentType.startsWith('application/json') && JSON.stringify(a.body) === JSON.stringify({ message });

  it('answers every route × role as the access policy says: 401 without a token, 403 problem+json without the permission', async () => {
    const protectedRoutes = routes.filter((r) => r.auth !== 'public');
    expect(protectedRoutes.length).toBeGreaterThan(5);
    for (const route of routes) {
      const path = pathOf(route.path, {});
      const body = route.method === 'GET' ? undefined : '{}';
      if (route.auth === 'public') {
        for (const role of ROLES) {
          const a = await send(route.method, path, {
            token: tokens.get(role) ?? '',
            ...(body ? { body } : {}),
          });
          expect(a.status, `${route.id} as ${role}`).not.toBe(403);
          expect(a.status, `${route.id} as ${role}`).toBeLessThan(500);
        }
        continue;
      }
      const anonymous = await send(route.method, path, body ? { body } : {});
      expect(anonymous.status, `${route.id} without a token`).toBe(401);
      for (const role of ROLES) {
        const a = await send(route.method, path, {
          token: tokens.get(role) ?? '',
          ...(body ? { body } : {}),
        });
        const allowed = route.auth.groups.includes(role);
        if (allowed) {
          expect([401, 403], `${route.id} as ${role}: ${JSON.stringify(a.body)}`).not.toContain(a.status);
          expect(a.status, `${route.id} as ${role}`).toBeLessThan(500);
        } else {
          expect(a.status, `${route.id} as ${role}`).toBe(403);
          expect(a.contentType).toBe('application/problem+json');
          expect(a.body).toMatchObject({ status: 403, title: 'Forbidden' });
        }
      }
    }
  }, 120_000);

  it('never answers 5xx to random input, and every 4xx of a function is problem+json', async () => {
    // Mostly valid tokens of every role, so the functions themselves are fuzzed, not just the authorizer.
    const token = fc.oneof(
      { arbitrary: fc.constantFrom(...ROLES).map((r) => tokens.get(r)), weight: 6 },
      fc.constant(undefined),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('a.b.c', 'eyJhbGciOiJub25lIn0.e30.', `${tokens.get('admin')}x`),
    );
    const jsonValue = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
    const body = fc.oneof(jsonValue, fc.string({ maxLength: 200 }), fc.constant(''), fc.constant(undefined));
    const query = fc.dictionary(
      fc.constantFrom('limit', 'cursor', 'email', 'phone', 'deviceId', 'memberCard', 'from', 'to', 'x'),
      fc.string({ maxLength: 30 }),
      { maxKeys: 3 },
    );
    const param = fc.string({ minLength: 1, maxLength: 40 });
    const header = fc.dictionary(
      fc.constantFrom('x-request-id', 'accept', 'x-forwarded-for'),
      fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      { maxKeys: 2 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.record({ id: param, pair: param, name: param, call: param }),
        query,
        body,
        token,
        header,
        async (route, params, q, b, t, h) => {
          const qs = new URLSearchParams(q).toString();
          const path = `${pathOf(route.path, params)}${qs ? `?${qs}` : ''}`;
          const a = await send(route.method, path, {
            ...(t === undefined ? {} : { token: t }),
            ...(b === undefined ? {} : { body: b }),
            headers: h,
          });
          const label = `${route.method} ${path} → ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`;
          expect(a.status, label).toBeLessThan(500);
          if (a.status >= 400) {
            const byGateway =
              (a.status === 401 && isGatewayAnswer(a, 'Unauthorized')) ||
              (a.status === 404 && isGatewayAnswer(a, 'Not Found'));
            if (!byGateway) {
              expect(a.contentType, label).toBe('application/problem+json');
              expect(a.body, label).toMatchObject({ status: a.status, title: expect.any(String) });
            }
          }
        },
      ),
      { numRuns: 300, seed: 20_261_122 },
    );
  }, 300_000);
});
