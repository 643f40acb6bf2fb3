import { runSubjectRequestStepFunction } from './functions.definition.ts';
import type { StateMachineDefinition } from './resource.types.ts';

/**
 * Export or erasure of one person's data, from the filed request to its receipt. Started by the bus rule
 * `SubjectRequestsToWorkflow` (SubjectRequestFiled); each task is a step of `RunSubjectRequestStep`.
 */
export const dataSubjectRequestStateMachine = {
  id: 'DataSubjectRequest',
  description: 'Export or erasure (crypto-shredding) of everything about one person, ending with a receipt',
  definitionFile: 'infra/definitions/state-machines/data-subject-request.asl.json',
  functions: { SubjectRequestStepFunctionArn: runSubjectRequestStepFunction.id },
  timeoutMinutes: 60,
} as const satisfies StateMachineDefinition;

export const stateMachines = [
  dataSubjectRequestStateMachine,
] as const satisfies readonly StateMachineDefinition[];
