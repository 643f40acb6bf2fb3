import { CUSTOMER_UNMERGED_DETAIL_TYPE } from '../../events/identity/customer-unmerged.v1.ts';
import { SUBJECT_REQUEST_FILED_DETAIL_TYPE } from '../../events/privacy/subject-request-filed.v1.ts';
import { PROFILE_UPDATED_DETAIL_TYPE } from '../../events/profile/profile-updated.v1.ts';
import { trainCustomerModelsFunction } from './functions.definition.ts';
import { busDeliveryDlq, domainEventsQueue, profileRebuildQueue, scoringQueue } from './queues.definition.ts';
import type { BusDefinition, RuleDefinition, ScheduleDefinition } from './resource.types.ts';
import { dataSubjectRequestStateMachine } from './state-machines.definition.ts';

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

/** A profile changed: rescore the customer (churn, tier, segment, lifetime value). */
export const profileUpdatesToScoringRule = {
  id: 'ProfileUpdatesToScoring',
  description: 'ProfileUpdated to the rescoring queue',
  eventPattern: { source: [eventBus.source], 'detail-type': [PROFILE_UPDATED_DETAIL_TYPE] },
  targets: [{ type: 'queue', queueId: scoringQueue.id, deadLetterQueueId: busDeliveryDlq.id }],
} as const satisfies RuleDefinition;

/** A data-subject request was filed: run its workflow (export or erasure) to the receipt. */
export const subjectRequestsToWorkflowRule = {
  id: 'SubjectRequestsToWorkflow',
  description: 'SubjectRequestFiled starts the DataSubjectRequest workflow',
  eventPattern: { source: [eventBus.source], 'detail-type': [SUBJECT_REQUEST_FILED_DETAIL_TYPE] },
  targets: [
    {
      type: 'stateMachine',
      stateMachineId: dataSubjectRequestStateMachine.id,
      maximumRetryAttempts: 8,
      deadLetterQueueId: busDeliveryDlq.id,
    },
  ],
} as const satisfies RuleDefinition;

export const rules = [
  domainEventsToLakeRule,
  unmergesToProfileRebuildRule,
  profileUpdatesToScoringRule,
  subjectRequestsToWorkflowRule,
] as const satisfies readonly RuleDefinition[];

/** Customer intelligence is retrained weekly (events rescore customers in between). */
export const weeklyRetrainSchedule = {
  id: 'WeeklyRetrain',
  description: 'Retrains the customer-intelligence models and scores every customer',
  functionId: trainCustomerModelsFunction.id,
  every: { value: 7, unit: 'days' },
  maximumRetryAttempts: 2,
  deadLetterQueueId: busDeliveryDlq.id,
} as const satisfies ScheduleDefinition;

export const schedules = [weeklyRetrainSchedule] as const satisfies readonly ScheduleDefinition[];
