import { describe, expect, it } from 'vitest';
import { RouteThrottles } from '../../../infra/local/api/route-throttle.ts';

describe('RouteThrottles (API Gateway token buckets)', () => {
  it('lets a burst through, refuses the next request, and refills at the rate', () => {
    // Prepare
    let now = 0;
    const throttles = new RouteThrottles(() => now);
    const limit = { rateLimit: 2, burstLimit: 3 };
    // Act + Assess
    for (let i = 0; i < 3; i++) expect(throttles.take('POST /a', limit)).toEqual({ allowed: true });
    expect(throttles.take('POST /a', limit)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 500; // half a second at 2/s: one token
    expect(throttles.take('POST /a', limit)).toEqual({ allowed: true });
    expect(throttles.take('POST /a', limit).allowed).toBe(false);
    now += 60_000; // never more than the burst
    for (let i = 0; i < 3; i++) expect(throttles.take('POST /a', limit).allowed).toBe(true);
    expect(throttles.take('POST /a', limit).allowed).toBe(false);
  });

  it('keeps one bucket per route', () => {
    const throttles = new RouteThrottles(() => 0);
    const limit = { rateLimit: 1, burstLimit: 1 };
    expect(throttles.take('POST /a', limit).allowed).toBe(true);
    expect(throttles.take('POST /a', limit).allowed).toBe(false);
    expect(throttles.take('GET /b', limit).allowed).toBe(true);
  });

  it('says how long until a token is back when the rate is slow', () => {
    const throttles = new RouteThrottles(() => 0);
    const limit = { rateLimit: 0.25, burstLimit: 1 };
    throttles.take('POST /a', limit);
    expect(throttles.take('POST /a', limit)).toEqual({ allowed: false, retryAfterSeconds: 4 });
  });
});
