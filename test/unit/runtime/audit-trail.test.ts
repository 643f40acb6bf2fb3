import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { auditEntryDraft } from '../../../shared/domain/privacy/audit-entry.ts';
import { auditDraft, purposeOf } from '../../../shared/runtime/audit-trail.ts';

const event = (headers: Record<string, string>) =>
  ({ headers, requestContext: { requestId: 'req-1' } }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

describe('audit trail of a request', () => {
  it('takes the purpose from x-c360-purpose, and says when none (or no plain code) was stated', () => {
    expect(purposeOf(event({ 'x-c360-purpose': 'dsar' }))).toBe('dsar');
    expect(purposeOf(event({}))).toBe('not-stated');
    expect(purposeOf(event({ 'x-c360-purpose': 'call me at 138 0013 8000' }))).toBe('not-stated');
  });

  it('builds an entry the audit log accepts, with field names and unknown-shaped roles left out', () => {
    const draft = auditDraft(
      event({ 'x-c360-purpose': 'support-call' }),
      { subject: 'dev-service', groups: ['service', 'bad role!'] },
      'customer.read-pii',
      { type: 'customer', id: 'cus_1' },
      ['name'],
      '2026-11-22T10:00:00.000Z',
    );
    expect(auditEntryDraft.parse(draft)).toEqual(draft);
    expect(draft).toMatchObject({
      actor: { roles: ['service'] },
      requestId: 'req-1',
      purpose: 'support-call',
    });
  });
});
