import {
  collectSegmentFunction,
  getHealthFunction,
  getQualityFunction,
  readCustomersFunction,
  readSegmentsFunction,
  reviewSuggestedMatchesFunction,
  unmergeCustomerFunction,
} from './functions.definition.ts';
import type { RouteDefinition } from './resource.types.ts';

/** Cognito groups; a route lists the groups allowed to call it. */
export const ROLES = ['admin', 'sales', 'service', 'marketing', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const routes = [
  { id: 'GetHealth', method: 'GET', path: '/health', functionId: getHealthFunction.id, auth: 'public' },
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
    auth: { groups: ['admin', 'analyst'] },
  },
  {
    id: 'GetCustomer',
    method: 'GET',
    path: '/customers/{id}',
    functionId: readCustomersFunction.id,
    auth: { groups: ROLES },
  },
  {
    id: 'FindCustomers',
    method: 'GET',
    path: '/customers',
    functionId: readCustomersFunction.id,
    auth: { groups: ROLES },
  },
  {
    id: 'UnmergeCustomer',
    method: 'POST',
    path: '/customers/{id}/unmerge',
    functionId: unmergeCustomerFunction.id,
    auth: { groups: ['admin'] },
  },
  {
    id: 'ListSuggestedMatches',
    method: 'GET',
    path: '/identity/suggested-matches',
    functionId: reviewSuggestedMatchesFunction.id,
    auth: { groups: ['admin', 'service'] },
  },
  {
    id: 'DecideSuggestedMatch',
    method: 'POST',
    path: '/identity/suggested-matches/{pair}/decision',
    functionId: reviewSuggestedMatchesFunction.id,
    auth: { groups: ['admin'] },
  },
  {
    id: 'ListSegments',
    method: 'GET',
    path: '/segments',
    functionId: readSegmentsFunction.id,
    auth: { groups: ['admin', 'marketing', 'analyst', 'sales'] },
  },
  {
    id: 'ListSegmentCustomers',
    method: 'GET',
    path: '/segments/{name}/customers',
    functionId: readSegmentsFunction.id,
    auth: { groups: ['admin', 'marketing', 'sales'] },
  },
] as const satisfies readonly RouteDefinition[];
