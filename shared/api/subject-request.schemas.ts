import { z } from 'zod';
import { SUBJECT_REQUEST_KINDS, subjectRequestId } from '../../events/privacy/subject-request-filed.v1.ts';
import { EXPORT_BUNDLE_FORMAT } from '../domain/privacy/subject-request.ts';

/*
 * Requests and responses of the data-subject request routes. Handlers parse with the request schemas; the
 * OpenAPI document is generated from all of them.
 */

/** `POST /data-subject-requests`: an export or an erasure of everything about the person behind a customer. */
export const subjectRequestBody = z.strictObject({
  kind: z.enum(SUBJECT_REQUEST_KINDS).meta({
    description: '`export`: a JSON bundle of everything about the person; `erasure`: crypto-shredding',
  }),
  customerId: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'expected 1–128 letters, digits or _ . : -')
    .meta({
      description: 'Any customer id of the person: a merged id is followed to the customer it became',
    }),
});

/** `/data-subject-requests/{id}`. */
export const subjectRequestPath = z.object({ id: subjectRequestId });

const counts = z.record(z.string(), z.number());

export const subjectRequestReceipt = z.object({
  requestId: z.string(),
  kind: z.enum(SUBJECT_REQUEST_KINDS),
  customerId: z.string(),
  customerIds: z.array(z.string()),
  filedBy: z.string(),
  filedAt: z.string(),
  completedAt: z.string(),
  actions: z.array(z.string()),
  counts,
});

export const subjectRequestView = z.object({
  requestId: z.string(),
  kind: z.enum(SUBJECT_REQUEST_KINDS),
  customerId: z.string(),
  status: z.enum(['filed', 'running', 'completed', 'failed']),
  filedBy: z.string(),
  filedAt: z.string(),
  startedAt: z.string().optional(),
  customerIds: z.array(z.string()).optional(),
  counts: counts.optional(),
  receipt: subjectRequestReceipt.optional(),
  failure: z.object({ error: z.string(), cause: z.string(), at: z.string() }).optional(),
  /** Where to read the export bundle, once the export is completed. */
  bundle: z.string().optional(),
});

/** The export bundle: everything about the person, personal data in clear (for the person). */
export const exportBundle = z.looseObject({
  format: z.literal(EXPORT_BUNDLE_FORMAT),
  requestId: z.string(),
  customerId: z.string(),
  generatedAt: z.string(),
  customers: z.array(z.looseObject({ customerId: z.string(), status: z.string() })),
  identityLinks: z.array(z.looseObject({ customerId: z.string(), type: z.string() })),
  merges: z.array(z.looseObject({})),
  profiles: z.array(z.looseObject({})),
  events: z.array(z.looseObject({ customerId: z.string() })),
  scores: z.array(z.looseObject({})),
  consents: z.array(z.looseObject({})),
});
