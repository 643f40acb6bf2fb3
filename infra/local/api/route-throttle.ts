import type { RouteThrottle } from '../../definitions/resource.types.ts';

export type ThrottleDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * API Gateway's throttling as token buckets, one per route key: a bucket holds up to `burstLimit` tokens,
 * refills at `rateLimit` per second, and each request takes one. The clock is injected so tests need no waits.
 */
export class RouteThrottles {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  take(routeKey: string, limit: RouteThrottle): ThrottleDecision {
    const now = this.now();
    const bucket = this.buckets.get(routeKey) ?? { tokens: limit.burstLimit, at: now };
    bucket.tokens = Math.min(limit.burstLimit, bucket.tokens + ((now - bucket.at) / 1000) * limit.rateLimit);
    bucket.at = now;
    this.buckets.set(routeKey, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(
        1,
        Math.ceil((1 - bucket.tokens) / Math.max(limit.rateLimit, Number.MIN_VALUE)),
      ),
    };
  }
}
