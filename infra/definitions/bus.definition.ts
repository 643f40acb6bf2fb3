import { busDeliveryDlq, domainEventsQueue } from './queues.definition.ts';
import type { BusDefinition, RuleDefinition } from './resource.types.ts';

export const eventBus = {
  id: 'C360Bus',
  envVar: 'EVENT_BUS_NAME',
  source: 'c360',
  archiveRetentionDays: 30,
} as const satisfies BusDefinition;

/** Every domain event goes to the lake, so analytics can replay the platform's history. */
export const domainEventsToLakeRule = {
  id: 'DomainEventsToLake',
  description: 'All c360 domain events to the analytics lake writer',
  eventPattern: { source: [eventBus.source] },
  targets: [{ type: 'queue', queueId: domainEventsQueue.id, deadLetterQueueId: busDeliveryDlq.id }],
} as const satisfies RuleDefinition;

export const rules = [domainEventsToLakeRule] as const satisfies readonly RuleDefinition[];
