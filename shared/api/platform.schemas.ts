import { z } from 'zod';

/* Responses of the platform routes (health, the API's own description). */

export const healthResult = z.looseObject({
  status: z.enum(['ok', 'degraded']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional() })),
  stage: z.string(),
  resources: z.looseObject({}).meta({ description: 'The resource names of this deployment' }),
});

export const openApiResult = z
  .looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) })
  .meta({ description: 'An OpenAPI 3.1 document' });
