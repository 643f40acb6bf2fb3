import { z } from 'zod';
import {
  CONSENT_PURPOSES,
  CONTACT_CHANNELS,
  consentRecordInput,
  LEGAL_BASES,
} from '../../events/privacy/consent-recorded.v1.ts';
import { auditEntry } from '../domain/privacy/audit-entry.ts';
import { nextCursor, pageQuery } from './page.schema.ts';

/*
 * Requests and responses of the privacy routes (consents, the audit log). Handlers parse with the request
 * schemas; the OpenAPI document is generated from all of them.
 */

/** `/customers/{id}/consents`: ids end up in table keys. */
export const consentCustomerPath = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'expected 1–128 letters, digits or _ . : -'),
});

/** `GET /customers/{id}/consents?at=`: the state as it stood at `at` (now by default). */
export const consentStateQuery = z.object({
  at: z.iso
    .datetime({ precision: 3 })
    .optional()
    .meta({ description: 'ISO-8601 UTC time with milliseconds; now by default' }),
});

/** `POST /customers/{id}/consents`: a consent record as a client sends it. */
export const consentRecordBody = consentRecordInput.meta({
  description: '`customerId` may be left out: it is the customer of the path (and must be if given)',
});

/** The body schema with `customerId` filled in from the path when the client left it out. */
export const consentRecordBodyFor = (customerId: string) =>
  z.preprocess(
    (b) =>
      typeof b === 'object' &&
      b !== null &&
      !Array.isArray(b) &&
      (b as { customerId?: unknown }).customerId == null
        ? { ...b, customerId }
        : b,
    consentRecordBody,
  );

const consentRecord = z.looseObject({
  recordId: z.string(),
  customerId: z.string(),
  purpose: z.enum(CONSENT_PURPOSES),
  channel: z.enum(CONTACT_CHANNELS),
  status: z.enum(['granted', 'withdrawn']),
  legalBasis: z.enum(LEGAL_BASES),
  occurredAt: z.string(),
  recordedAt: z.string(),
});

export const consentStateResult = z.object({
  customerId: z.string().meta({ description: 'The customer answered for: the survivor of any merge' }),
  mergedFrom: z.string().optional().meta({ description: 'Set when the id asked for was merged into it' }),
  at: z.string(),
  current: z
    .record(z.string(), consentRecord)
    .meta({ description: 'The record in effect per `purpose/channel`; a missing key was never recorded' }),
  decisions: z.array(
    z.object({
      purpose: z.enum(CONSENT_PURPOSES),
      channel: z.enum(CONTACT_CHANNELS),
      allowed: z.boolean(),
      reason: z.string(),
      basis: z.enum(LEGAL_BASES).optional(),
      recordId: z.string().optional(),
    }),
  ),
});

export const consentRecordResult = z.object({
  outcome: z.enum(['recorded', 'duplicate']),
  record: consentRecord,
  key: z.string().meta({ description: '`purpose/channel`' }),
});

const code = z.string().regex(/^[A-Za-z0-9._:@/-]{1,256}$/);
const time = z.iso.datetime({ precision: 3 });

/** `GET /audit?from&to&actor&customerId&action&limit&cursor`. */
export const auditQuery = z.strictObject({
  ...pageQuery.shape,
  from: time.optional().meta({ description: 'Start (inclusive); a day before `to` by default' }),
  to: time.optional().meta({ description: 'End (exclusive); now by default' }),
  actor: code.optional(),
  customerId: code.optional(),
  action: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/)
    .optional()
    .meta({ description: '`resource.verb`, e.g. `customer.read-pii`' }),
});

/** Audit entries, oldest first. */
export const auditPage = z.object({
  from: z.string(),
  to: z.string(),
  items: z.array(auditEntry),
  next: nextCursor,
});
