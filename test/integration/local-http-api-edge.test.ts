import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiCors } from '../../infra/definitions/http-api.definition.ts';
import type { RouteDefinition } from '../../infra/definitions/resource.types.ts';
import { LocalHttpApi } from '../../infra/local/api/local-http-api.ts';
import type { LocalFunction } from '../../infra/local/lambda/local-function.ts';

/** The local HTTP API's edge behaviour: per-route throttling and CORS, as the CDK stage configures them. */
describe('Local HTTP API: throttling and CORS', () => {
  const ORIGIN = 'http://localhost:5173';
  let now = 1_000_000;
  let invocations = 0;
  let api: LocalHttpApi;
  let base = '';
  const routes: RouteDefinition[] = [
    {
      id: 'Slow',
      method: 'POST',
      path: '/slow/{id}',
      functionId: 'Echo',
      auth: 'public',
      throttle: { rateLimit: 1, burstLimit: 2 },
    },
    { id: 'Default', method: 'GET', path: '/default', functionId: 'Echo', auth: 'public' },
  ];

  beforeAll(async () => {
    api = new LocalHttpApi({
      routes,
      fn: () =>
        ({
          invoke: async () => {
            invocations += 1;
            return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
          },
        }) as unknown as LocalFunction,
      verifyToken: async () => {
        throw new Error('only public routes here');
      },
      account: '000000000000',
      corsOrigins: [ORIGIN],
      throttle: { rateLimit: 100, burstLimit: 5 },
      now: () => now,
    });
    base = await api.listen(0);
  });
  afterAll(async () => {
    await api.close();
  });

  it('throttles each route with its own limit, answering 429 problem+json with Retry-After', async () => {
    const before = invocations;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/slow/${i}`, { method: 'POST' })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(invocations - before).toBe(2);

    const refused = await fetch(`${base}/slow/x`, { method: 'POST' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      message: 'Too Many Requests',
    });

    // Another route has its own bucket, at the stage default (burst 5).
    const others: number[] = [];
    for (let i = 0; i < 6; i++) others.push((await fetch(`${base}/default`)).status);
    expect(others).toEqual([200, 200, 200, 200, 200, 429]);

    now += 1000; // one second at 1/s
    expect((await fetch(`${base}/slow/y`, { method: 'POST' })).status).toBe(200);
  });

  it('answers preflights for configured origins with the shared CORS headers, and no others', async () => {
    const preflight = await fetch(`${base}/slow/1`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key,x-c360-purpose',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').split(',');
    expect(allowed).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'idempotency-key',
        'if-match',
        'x-c360-purpose',
      ]),
    );
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-max-age')).toBe(String(httpApiCors.maxAgeSeconds));

    const stranger = await fetch(`${base}/slow/1`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    expect(stranger.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('lets a configured origin read the exposed headers of an actual response', async () => {
    const res = await fetch(`${base}/default`, { headers: { origin: ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect((res.headers.get('access-control-expose-headers') ?? '').split(',')).toEqual(
      expect.arrayContaining(['idempotent-replayed', 'retry-after', 'etag', 'location']),
    );
    const stranger = await fetch(`${base}/default`, { headers: { origin: 'https://evil.example' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});
