import { z } from 'zod';
import { pageOf, pageQuery } from './page.schema.ts';

/*
 * Requests and responses of the segment routes. Handlers parse with the request schemas; the OpenAPI
 * document is generated from all of them.
 */

/** `/segments/{name}/…`: a kebab-case segment name. */
export const segmentPath = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a kebab-case name'),
});

/** `GET /segments/{name}/customers?limit&cursor`. */
export const segmentMembersQuery = pageQuery;

export const segmentSummary = z.object({
  name: z.string(),
  kind: z.enum(['value-tier', 'cluster', 'churn-risk']),
  description: z.string(),
  members: z.int().min(0),
  modelVersion: z.string(),
});

/** Every segment of the current models (value tiers, k-means clusters, churn risk): a handful, never paged. */
export const segmentList = z.object({ items: z.array(segmentSummary) });

const segmentMember = z.object({
  customerId: z.string(),
  since: z.string(),
  churnScore: z.number().optional(),
  tier: z.string().optional(),
});

export const segmentMembersPage = z.object({ segment: z.string(), ...pageOf(segmentMember).shape });
