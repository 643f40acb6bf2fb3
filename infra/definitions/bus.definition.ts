import { CUSTOMER_UNMERGED_DETAIL_TYPE } from '../../events/identity/customer-unmerged.v1.ts';
import { busDeliveryDlq, domainEventsQueue, profileRebuildQueue } from './queues.definition.ts';
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

/** An unmerge: both customers' profiles are rebuilt from their own events. */
export const unmergesToProfileRebuildRule = {
  id: 'UnmergesToProfileRebuild',
  description: 'CustomerUnmerged to the profile rebuilder',
  eventPattern: { source: [eventBus.source], 'detail-type': [CUSTOMER_UNMERGED_DETAIL_TYPE] },
  targets: [{ type: 'queue', queueId: profileRebuildQueue.id, deadLetterQueueId: busDeliveryDlq.id }],
} as const satisfies RuleDefinition;

export const rules = [
  domainEventsToLakeRule,
  unmergesToProfileRebuildRule,
] as const satisfies readonly RuleDefinition[];
