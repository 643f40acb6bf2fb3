import { z } from 'zod';
import { parseContract } from '../zod-issue.formatter.ts';

/*
 * subject-request-filed v1 (detail-type `SubjectRequestFiled`, source `c360`): an admin filed a data-subject
 * request for a person — an export of everything c360 holds about them (GDPR Art. 15 and 20, PIPL Art. 45)
 * or its erasure (GDPR Art. 17, PIPL Art. 47). Starts the DataSubjectRequest workflow. Pseudonymous: the
 * customer id and the filer's user id, never a contact value. Compatibility: additive changes stay v1;
 * anything else is v2.
 */
export const SUBJECT_REQUEST_FILED_DETAIL_TYPE = 'SubjectRequestFiled';

export const SUBJECT_REQUEST_KINDS = ['export', 'erasure'] as const;
export type SubjectRequestKind = (typeof SUBJECT_REQUEST_KINDS)[number];

/** Ids end up in table keys (`#`-separated): letters, digits and `._:-` only. */
export const subjectRequestId = z
  .string()
  .regex(/^dsr_[A-Za-z0-9_-]{8,64}$/, 'expected a data-subject request id (dsr_…)');

export const subjectRequestFiledV1 = z.strictObject({
  specVersion: z.literal('1'),
  requestId: subjectRequestId,
  kind: z.enum(SUBJECT_REQUEST_KINDS),
  customerId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/, 'expected letters, digits or . _ : -'),
  /** The user (token subject) who filed it. */
  filedBy: z.string().min(1).max(256),
  filedAt: z.iso.datetime({ precision: 3 }),
});
export type SubjectRequestFiledV1 = z.infer<typeof subjectRequestFiledV1>;

export const parseSubjectRequestFiled = (
  input: unknown,
):
  | { readonly ok: true; readonly event: SubjectRequestFiledV1 }
  | { readonly ok: false; readonly reasons: string[] } => {
  const result = parseContract(subjectRequestFiledV1, input);
  return result.ok ? { ok: true, event: result.value } : result;
};
