import { buckets } from './buckets.definition.ts';
import { eventBus, rules, schedules } from './bus.definition.ts';
import { eventSources, functions } from './functions.definition.ts';
import { queues } from './queues.definition.ts';
import type { ResourceDefinitions } from './resource.types.ts';
import { routes } from './routes.definition.ts';
import { stateMachines } from './state-machines.definition.ts';
import { streams } from './streams.definition.ts';
import { customerTable } from './table.definition.ts';

/** Every c360 resource, once. Imported by `infra/stacks` and `infra/local`. */
export const resources: ResourceDefinitions = {
  table: customerTable,
  streams,
  queues,
  buckets,
  bus: eventBus,
  rules,
  schedules,
  stateMachines,
  functions,
  eventSources,
  routes,
};

export class InvalidResourceDefinitionError extends Error {
  override readonly name = 'InvalidResourceDefinitionError';
}

/** Checks that every reference between definitions resolves, so a typo fails at synth and at `npm start`. */
export const assertResourcesValid = (defs: ResourceDefinitions): void => {
  const problems: string[] = [];
  const ids = (xs: readonly { id: string }[]) => new Set(xs.map((x) => x.id));
  const queueIds = ids(defs.queues);
  const functionIds = ids(defs.functions);
  const streamIds = ids(defs.streams);
  const bucketIds = ids(defs.buckets);
  const stateMachineIds = ids(defs.stateMachines);
  const need = (set: Set<string>, id: string, what: string) => {
    if (!set.has(id)) problems.push(`${what} refers to unknown ${id}`);
  };
  const all = [
    defs.table,
    ...defs.streams,
    ...defs.queues,
    ...defs.buckets,
    defs.bus,
    ...defs.functions,
    ...defs.stateMachines,
  ];
  const seen = new Set<string>();
  for (const r of all) {
    if (seen.has(r.id)) problems.push(`duplicate id ${r.id}`);
    seen.add(r.id);
  }
  for (const q of defs.queues) if (q.deadLetter) need(queueIds, q.deadLetter.queueId, `queue ${q.id}`);
  for (const rule of defs.rules)
    for (const t of rule.targets) {
      need(queueIds, t.deadLetterQueueId, `rule ${rule.id}`);
      if (t.type === 'function') need(functionIds, t.functionId, `rule ${rule.id}`);
      else if (t.type === 'queue') need(queueIds, t.queueId, `rule ${rule.id}`);
      else need(stateMachineIds, t.stateMachineId, `rule ${rule.id}`);
    }
  for (const schedule of defs.schedules) {
    need(functionIds, schedule.functionId, `schedule ${schedule.id}`);
    need(queueIds, schedule.deadLetterQueueId, `schedule ${schedule.id}`);
  }
  for (const sm of defs.stateMachines)
    for (const [placeholder, id] of Object.entries(sm.functions))
      need(functionIds, id, `state machine ${sm.id} (${placeholder})`);
  for (const es of defs.eventSources) {
    need(functionIds, es.functionId, `event source ${es.id}`);
    if (es.source.type === 'sqs') need(queueIds, es.source.queueId, `event source ${es.id}`);
    else {
      if (es.source.type === 'kinesis') need(streamIds, es.source.streamId, `event source ${es.id}`);
      need(queueIds, es.source.onFailureQueueId, `event source ${es.id}`);
    }
  }
  for (const fn of defs.functions) {
    for (const id of Object.keys(fn.bindings.streams ?? {})) need(streamIds, id, `function ${fn.id}`);
    for (const id of Object.keys(fn.bindings.queues ?? {})) need(queueIds, id, `function ${fn.id}`);
    for (const id of Object.keys(fn.bindings.buckets ?? {})) need(bucketIds, id, `function ${fn.id}`);
  }
  const routeKeys = new Set<string>();
  for (const route of defs.routes) {
    need(functionIds, route.functionId, `route ${route.id}`);
    const key = `${route.method} ${route.path}`;
    if (routeKeys.has(key)) problems.push(`duplicate route ${key}`);
    routeKeys.add(key);
  }
  if (problems.length > 0) throw new InvalidResourceDefinitionError(problems.join('; '));
};
