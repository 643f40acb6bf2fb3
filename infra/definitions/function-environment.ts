import { BLIND_INDEX_KEY_ENV, PII_KEY_ENV } from '../../shared/runtime/key-environment.ts';
import type { FunctionDefinition, ResourceDefinitions } from './resource.types.ts';

/** Physical names (or URLs, for queues) of the resources, as the deployment target knows them. */
export type ResourceNames = {
  readonly table: string;
  readonly stream: (id: string) => string;
  readonly queueUrl: (id: string) => string;
  readonly bucket: (id: string) => string;
  readonly bus: string;
  /** The KMS HMAC key blind indexes are derived from (its ARN in AWS, `local` on the local stack). */
  readonly blindIndexKey: string;
  /** The KMS key wrapping per-customer PII keys (its ARN in AWS, `local` on the local stack). */
  readonly piiKey: string;
};

/** Settings every function gets, in AWS and locally. */
export const commonEnvironment = (stage: string): Record<string, string> => ({
  C360_STAGE: stage,
  POWERTOOLS_SERVICE_NAME: 'c360',
  POWERTOOLS_METRICS_NAMESPACE: 'c360',
  POWERTOOLS_LOG_LEVEL: stage === 'prod' ? 'INFO' : 'DEBUG',
  NODE_OPTIONS: '--enable-source-maps',
});

/**
 * The environment a function receives from its bindings: one variable per bound resource, named by the
 * resource's definition. The CDK construct passes tokens, the local stack passes local names.
 */
export const bindingEnvironment = (
  defs: ResourceDefinitions,
  fn: FunctionDefinition,
  names: ResourceNames,
): Record<string, string> => {
  const env: Record<string, string> = {};
  const b = fn.bindings;
  if (b.table) env[defs.table.envVar] = names.table;
  if (b.bus) env[defs.bus.envVar] = names.bus;
  if (b.blindIndex) env[BLIND_INDEX_KEY_ENV] = names.blindIndexKey;
  if (b.piiVault) env[PII_KEY_ENV] = names.piiKey;
  for (const id of Object.keys(b.streams ?? {})) env[byId(defs.streams, id).envVar] = names.stream(id);
  for (const id of Object.keys(b.queues ?? {})) env[byId(defs.queues, id).envVar] = names.queueUrl(id);
  for (const id of Object.keys(b.buckets ?? {})) env[byId(defs.buckets, id).envVar] = names.bucket(id);
  return env;
};

/** Finds a definition by id; definitions are validated up front, so a miss is a programming error. */
export const byId = <T extends { readonly id: string }>(xs: readonly T[], id: string): T => {
  const found = xs.find((x) => x.id === id);
  if (!found) throw new Error(`No resource definition with id ${id}`);
  return found;
};

export const RESOURCE_SUMMARY_ENV = 'C360_RESOURCES';

/** Names of every resource, keyed by definition id; what `GET /health` reports. */
export const resourceSummary = (defs: ResourceDefinitions, names: ResourceNames) => ({
  table: names.table,
  bus: names.bus,
  streams: Object.fromEntries(defs.streams.map((s) => [s.id, names.stream(s.id)])),
  queues: Object.fromEntries(defs.queues.map((q) => [q.id, names.queueUrl(q.id)])),
  buckets: Object.fromEntries(defs.buckets.map((b) => [b.id, names.bucket(b.id)])),
});
