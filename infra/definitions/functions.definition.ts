import { lakeBucket } from './buckets.definition.ts';
import { domainEventsQueue } from './queues.definition.ts';
import type { EventSourceDefinition, FunctionDefinition } from './resource.types.ts';

export const getHealthFunction = {
  id: 'GetHealth',
  entry: 'functions/platform/get-health.api.ts',
  description: 'Liveness and the resources this deployment runs on',
  timeoutSeconds: 5,
  memoryMb: 256,
  bindings: { table: 'read' },
  exposesResourceSummary: true,
} as const satisfies FunctionDefinition;

export const archiveDomainEventsFunction = {
  id: 'ArchiveDomainEvents',
  entry: 'functions/analytics/archive-domain-events.handler.ts',
  description: 'Writes domain events from the bus to the analytics lake as date-partitioned NDJSON',
  timeoutSeconds: 30,
  memoryMb: 512,
  bindings: { buckets: { [lakeBucket.id]: 'write' }, queues: { [domainEventsQueue.id]: 'consume' } },
} as const satisfies FunctionDefinition;

export const functions = [
  getHealthFunction,
  archiveDomainEventsFunction,
] as const satisfies readonly FunctionDefinition[];

export const eventSources = [
  {
    id: 'DomainEventsToArchive',
    functionId: archiveDomainEventsFunction.id,
    source: {
      type: 'sqs',
      queueId: domainEventsQueue.id,
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      reportBatchItemFailures: true,
      maxConcurrency: 2,
    },
  },
] as const satisfies readonly EventSourceDefinition[];
