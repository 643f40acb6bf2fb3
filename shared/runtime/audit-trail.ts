import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { AuditEntryDraft } from '../domain/privacy/audit-entry.ts';
import type { AuditSink } from '../domain/privacy/audit-log.port.ts';
import type { Caller } from './caller.ts';

const CODE = /^[A-Za-z0-9._:@/-]{1,128}$/;

/**
 * Why the caller is reading, from the `x-c360-purpose` header (e.g. `customer-support`, `dsar`); recorded as
 * `not-stated` when absent or not a plain code, so a missing purpose is visible in the log.
 */
export const purposeOf = (event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'headers'>): string => {
  const stated = event.headers?.['x-c360-purpose'];
  return stated !== undefined && CODE.test(stated) ? stated : 'not-stated';
};

/** The audit entry of one request's action on one resource: who, what, when, why, which fields (names). */
export const auditDraft = (
  event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'headers' | 'requestContext'>,
  caller: Caller,
  action: string,
  resource: { readonly type: string; readonly id: string },
  fields: readonly string[],
  at: string,
): AuditEntryDraft => {
  const requestId = event.requestContext.requestId;
  return {
    entryId: `${requestId}:${action}:${resource.id}`.slice(0, 128),
    at,
    actor: { subject: caller.subject, roles: caller.groups.filter((g) => CODE.test(g)).slice(0, 32) },
    action,
    resource,
    purpose: purposeOf(event),
    requestId,
    fields: [...fields],
    outcome: 'succeeded',
  };
};

/**
 * Puts the audit entry of this request's action (now) on the record and waits until it is durably accepted:
 * stored in the log, or on the audit queue the log's writer appends from.
 */
export const recordAudit = async (
  audit: AuditSink,
  event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'headers' | 'requestContext'>,
  caller: Caller,
  action: string,
  resource: { readonly type: string; readonly id: string },
  fields: readonly string[] = [],
): Promise<void> => {
  await audit.append([auditDraft(event, caller, action, resource, fields, new Date().toISOString())]);
};
