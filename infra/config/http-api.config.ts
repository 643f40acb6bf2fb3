import type { RouteThrottle } from '../definitions/resource.types.ts';

/** The HTTP API settings that differ per stage. */
export type HttpApiStageSettings = {
  /** Browser origins allowed by the HTTP API; empty disables CORS. */
  readonly corsAllowedOrigins: readonly string[];
  /** Default throttle of every route (requests per second / burst); a route definition may set its own. */
  readonly apiThrottle: RouteThrottle;
};

/**
 * Kept apart from `stage.config.ts` (which needs aws-cdk-lib) so the local HTTP API reads the dev stage's
 * values without loading CDK: `npm start` answers CORS and throttles as the dev API does.
 */
export const HTTP_API_STAGE_SETTINGS = {
  dev: {
    corsAllowedOrigins: ['http://localhost:5173', 'http://localhost:3000'],
    apiThrottle: { rateLimit: 20, burstLimit: 40 },
  },
  prod: {
    // No browser front end is deployed yet; add its origin here when there is one.
    corsAllowedOrigins: [],
    apiThrottle: { rateLimit: 100, burstLimit: 200 },
  },
} as const satisfies Record<'dev' | 'prod', HttpApiStageSettings>;
