import { getHealthFunction } from './functions.definition.ts';
import type { RouteDefinition } from './resource.types.ts';

/** Cognito groups; a route lists the groups allowed to call it. */
export const ROLES = ['admin', 'sales', 'service', 'marketing', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const routes = [
  { id: 'GetHealth', method: 'GET', path: '/health', functionId: getHealthFunction.id, auth: 'public' },
] as const satisfies readonly RouteDefinition[];
