import { type Permission, rolesWith } from '../../shared/domain/access/access-policy.ts';
import {
  collectSegmentFunction,
  editCustomerFunction,
  getHealthFunction,
  getOpenApiFunction,
  getQualityFunction,
  manageConsentsFunction,
  manageSubjectRequestsFunction,
  readAuditFunction,
  readCustomersFunction,
  readSegmentsFunction,
  reviewSuggestedMatchesFunction,
  unmergeCustomerFunction,
} from './functions.definition.ts';
import type { RouteDefinition } from './resource.types.ts';

export { ROLES, type Role } from '../../shared/domain/access/access-policy.ts';

/** A protected route: the permission it needs, and the roles (Cognito groups) the access policy gives it to. */
const requires = (permission: Permission) => ({ permission, groups: rolesWith(permission) });

export const routes = [
  { id: 'GetHealth', method: 'GET', path: '/health', functionId: getHealthFunction.id, auth: 'public' },
  {
    id: 'GetOpenApi',
    method: 'GET',
    path: '/openapi.json',
    functionId: getOpenApiFunction.id,
    auth: 'public',
  },
  // Segment's tracking API paths; callers authenticate with a source write key (HTTP Basic), not a JWT.
  {
    id: 'CollectSegment',
    method: 'POST',
    path: '/v1/{call}',
    functionId: collectSegmentFunction.id,
    auth: 'public',
  },
  {
    id: 'GetQuality',
    method: 'GET',
    path: '/quality',
    functionId: getQualityFunction.id,
    auth: requires('quality:read'),
  },
  {
    id: 'GetCustomer',
    method: 'GET',
    path: '/customers/{id}',
    functionId: readCustomersFunction.id,
    auth: requires('customers:read'),
  },
  {
    id: 'FindCustomers',
    method: 'GET',
    path: '/customers',
    functionId: readCustomersFunction.id,
    auth: requires('customers:read'),
  },
  {
    id: 'EditCustomer',
    method: 'PATCH',
    path: '/customers/{id}',
    functionId: editCustomerFunction.id,
    auth: requires('customers:write'),
  },
  {
    id: 'UnmergeCustomer',
    method: 'POST',
    path: '/customers/{id}/unmerge',
    functionId: unmergeCustomerFunction.id,
    auth: requires('customers:unmerge'),
    // Human-paced and expensive (graph rewrite, profile rebuild): far below the stage default.
    throttle: { rateLimit: 5, burstLimit: 10 },
  },
  {
    id: 'ListSuggestedMatches',
    method: 'GET',
    path: '/identity/suggested-matches',
    functionId: reviewSuggestedMatchesFunction.id,
    auth: requires('matches:read'),
  },
  {
    id: 'DecideSuggestedMatch',
    method: 'POST',
    path: '/identity/suggested-matches/{pair}/decision',
    functionId: reviewSuggestedMatchesFunction.id,
    auth: requires('matches:decide'),
    // Human-paced and expensive (graph rewrite, profile rebuild): far below the stage default.
    throttle: { rateLimit: 5, burstLimit: 10 },
  },
  {
    id: 'ListSegments',
    method: 'GET',
    path: '/segments',
    functionId: readSegmentsFunction.id,
    auth: requires('segments:read'),
  },
  {
    id: 'ListSegmentCustomers',
    method: 'GET',
    path: '/segments/{name}/customers',
    functionId: readSegmentsFunction.id,
    auth: requires('segments:members'),
  },
  {
    id: 'RecordConsent',
    method: 'POST',
    path: '/customers/{id}/consents',
    functionId: manageConsentsFunction.id,
    auth: requires('consents:write'),
  },
  {
    id: 'ReadConsents',
    method: 'GET',
    path: '/customers/{id}/consents',
    functionId: manageConsentsFunction.id,
    auth: requires('consents:read'),
  },
  {
    id: 'ReadAudit',
    method: 'GET',
    path: '/audit',
    functionId: readAuditFunction.id,
    auth: requires('audit:read'),
  },
  {
    id: 'FileSubjectRequest',
    method: 'POST',
    path: '/data-subject-requests',
    functionId: manageSubjectRequestsFunction.id,
    auth: requires('subject-requests:write'),
  },
  {
    id: 'ReadSubjectRequest',
    method: 'GET',
    path: '/data-subject-requests/{id}',
    functionId: manageSubjectRequestsFunction.id,
    auth: requires('subject-requests:read'),
  },
  {
    id: 'ReadSubjectRequestBundle',
    method: 'GET',
    path: '/data-subject-requests/{id}/bundle',
    functionId: manageSubjectRequestsFunction.id,
    auth: requires('subject-requests:read'),
  },
] as const satisfies readonly RouteDefinition[];
