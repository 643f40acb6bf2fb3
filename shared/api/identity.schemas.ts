import { z } from 'zod';
import { TAG_FAMILIES } from '../domain/profile/customer-profile.ts';
import type { LookupType } from '../use-cases/identity/read-customer.use-case.ts';
import { pageOf, pageQuery } from './page.schema.ts';

/** A profile tag as the API shows it (`manual` for tags an agent set by hand). */
export const profileTagView = z.object({
  name: z.string(),
  family: z.enum(TAG_FAMILIES),
  weight: z.number(),
  since: z.string(),
  manual: z.literal(true).optional(),
});

/*
 * Requests and responses of the identity routes (customers, unmerge, the suggested-match queue). Handlers
 * parse with the request schemas; the OpenAPI document is generated from all of them.
 */

const identifier = z.string().min(1).max(320).optional();

/** `GET /customers?email=…|phone=…|deviceId=…|memberCard=…`: exactly one identifier. */
export const customerLookupQuery = z
  .object({
    email: identifier,
    phone: identifier,
    deviceId: identifier,
    memberCard: identifier,
  } satisfies Record<LookupType, unknown>)
  .refine(
    (q) => Object.values(q).filter(Boolean).length === 1,
    'give exactly one of email, phone, deviceId, memberCard',
  );

/** `POST /customers/{id}/unmerge`. */
export const unmergeBody = z.strictObject({
  mergedCustomerId: z.string().min(1).max(128).meta({ description: 'The customer merged into `{id}`' }),
  reason: z.string().trim().min(1).max(1024),
});

/** `POST /identity/suggested-matches/{pair}/decision`. */
export const matchDecisionBody = z.strictObject({
  verdict: z.enum(['approve', 'reject']),
  note: z.string().trim().min(1).max(1024).optional(),
});

/** `GET /identity/suggested-matches?limit&cursor`. */
export const suggestedMatchesQuery = pageQuery;

const customerLink = z.object({
  type: z.string(),
  rule: z.string(),
  source: z.string(),
  channel: z.string(),
  eventId: z.string(),
  at: z.string(),
  viaMergedCustomer: z.string().optional(),
});

const trait = z.object({
  value: z.union([z.string(), z.number(), z.boolean()]),
  source: z.string(),
  channel: z.string(),
  updatedAt: z.string(),
  masked: z.literal(true).optional().meta({ description: 'Partly shown for the caller’s roles' }),
});

/** A customer as `GET /customers/{id}` shows it to the caller's roles. */
export const customerView = z.object({
  customerId: z.string(),
  createdAt: z.string(),
  mergedFrom: z
    .string()
    .optional()
    .meta({ description: 'The id asked for, when it was merged into this one' }),
  identities: z.array(customerLink),
  merges: z.array(
    z.object({
      customerId: z.string(),
      rule: z.string(),
      eventId: z.string(),
      at: z.string(),
      explanation: z.string().optional(),
    }),
  ),
  profile: z
    .object({
      version: z.int(),
      traits: z.record(z.string(), trait).meta({ description: 'Hidden traits are left out' }),
      computed: z
        .looseObject({})
        .meta({ description: 'Computed traits: counts, spend, first and last seen…' }),
      tags: z.array(profileTagView),
    })
    .optional(),
  scores: z
    .looseObject({ modelVersion: z.string(), scoredAt: z.string(), memberships: z.array(z.string()) })
    .optional()
    .meta({ description: 'Churn, RFM tier, segment, lifetime value and recommendations' }),
});

/** `GET /customers?…`: the customer owning the identifier, if any (an identifier has at most one). */
export const customerLookupResult = z.object({ items: z.array(customerView).max(1) });

export const unmergeResult = z.object({
  kind: z.literal('unmerged'),
  survivorCustomerId: z.string(),
  restoredCustomerId: z.string(),
  returnedIdentifierTypes: z.array(z.string()),
});

export const suggestedMatch = z.looseObject({
  pairKey: z.string().meta({ description: 'The pair, as `{pair}` of the decision route' }),
  customerId: z.string(),
  candidateId: z.string(),
  probability: z.number(),
  weight: z.number(),
  status: z.enum(['pending', 'approved', 'rejected']),
  suggestedAt: z.string(),
  updatedAt: z.string(),
  explanation: z.looseObject({ text: z.string() }),
  decision: z
    .object({
      verdict: z.enum(['approve', 'reject']),
      by: z.string(),
      at: z.string(),
      note: z.string().optional(),
    })
    .optional(),
});

/** Pending suggested matches, newest first. */
export const suggestedMatchPage = pageOf(suggestedMatch);

export const matchDecisionResult = z.object({
  item: suggestedMatch,
  effect: z.looseObject({ kind: z.enum(['merge', 'keep-apart', 'none']) }),
});
