import { createHash } from 'node:crypto';
import type { AuditEntryDraft } from '../../../../shared/domain/privacy/audit-entry.ts';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The i-th of a run of PII reads, one second apart from 2026-11-22T09:00:00Z, over three customers. */
export const auditDraft = (i: number, overrides: Partial<AuditEntryDraft> = {}): AuditEntryDraft => ({
  entryId: `e-${i}`,
  at: new Date(Date.UTC(2026, 10, 22, 9, 0, i)).toISOString(),
  actor: { subject: 'user-7f3c', roles: ['service'] },
  action: 'customer.read-pii',
  resource: { type: 'customer', id: `cus_${i % 3}` },
  purpose: 'customer-support',
  requestId: `req-${i}`,
  fields: ['email', 'phone'],
  outcome: 'succeeded',
  ...overrides,
});
