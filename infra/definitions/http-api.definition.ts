import type { RouteDefinition, RouteThrottle } from './resource.types.ts';

/**
 * CORS of the HTTP API, the same in every stage (the allowed origins are per stage: `corsAllowedOrigins` in
 * the stage config). API Gateway answers preflights itself; the local HTTP API answers them from these values.
 */
export const httpApiCors = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: [
    'authorization',
    'content-type',
    'content-encoding',
    'idempotency-key',
    'if-match',
    'x-c360-purpose',
  ],
  /**
   * What a browser script may read: the request id, replays of idempotent POSTs, when to retry a 429, a
   * profile's version for the next `If-Match`, and where a filed request can be followed.
   */
  exposeHeaders: ['apigw-requestid', 'idempotent-replayed', 'retry-after', 'etag', 'location'],
  maxAgeSeconds: 3600,
} as const;

/** API Gateway's route key, e.g. `POST /customers/{id}/unmerge` (also the key of a stage's route settings). */
export const routeKeyOf = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/**
 * The throttle API Gateway applies to a route: its own, or the stage default. HTTP APIs apply the default to
 * each route separately, so both CDK (stage route settings) and the local API keep one bucket per route.
 */
export const routeThrottle = (route: RouteDefinition, stageDefault: RouteThrottle): RouteThrottle =>
  route.throttle ?? stageDefault;
