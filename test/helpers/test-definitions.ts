import type {
  EventSourceDefinition,
  FunctionDefinition,
  QueueDefinition,
  ResourceDefinitions,
  RouteDefinition,
  RuleDefinition,
  ScheduleDefinition,
  StateMachineDefinition,
} from '../../infra/definitions/resource.types.ts';
import { customerTable } from '../../infra/definitions/table.definition.ts';

/** Builds resource definitions for an integration test around the fixture functions in test/fixtures. */
export const testDefinitions = (parts: {
  readonly queues?: readonly QueueDefinition[];
  readonly functions?: readonly FunctionDefinition[];
  readonly eventSources?: readonly EventSourceDefinition[];
  readonly rules?: readonly RuleDefinition[];
  readonly schedules?: readonly ScheduleDefinition[];
  readonly stateMachines?: readonly StateMachineDefinition[];
  readonly routes?: readonly RouteDefinition[];
  readonly streamShards?: number;
}): ResourceDefinitions => ({
  table: customerTable,
  streams: [
    {
      id: 'ProbeStream',
      envVar: 'PROBE_STREAM_NAME',
      retentionHours: 24,
      localShardCount: parts.streamShards ?? 1,
    },
  ],
  queues: parts.queues ?? [],
  buckets: [],
  bus: { id: 'ProbeBus', envVar: 'EVENT_BUS_NAME', source: 'c360.test', archiveRetentionDays: 1 },
  rules: parts.rules ?? [],
  schedules: parts.schedules ?? [],
  stateMachines: parts.stateMachines ?? [],
  functions: parts.functions ?? [],
  eventSources: parts.eventSources ?? [],
  routes: parts.routes ?? [],
});

export const probeFunction = (
  id: string,
  entry: string,
  extra: Partial<FunctionDefinition> = {},
): FunctionDefinition => ({
  id,
  entry: `test/fixtures/functions/${entry}`,
  description: `test probe ${id}`,
  timeoutSeconds: 10,
  memoryMb: 256,
  bindings: { table: 'readWrite' },
  ...extra,
});

export const dlq = (id: string): QueueDefinition => ({
  id,
  envVar: `${id.toUpperCase()}_URL`,
  visibilityTimeoutSeconds: 30,
  retentionDays: 1,
});
