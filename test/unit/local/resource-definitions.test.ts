import { describe, expect, it } from 'vitest';
import {
  assertResourcesValid,
  InvalidResourceDefinitionError,
  resources,
} from '../../../infra/definitions/resources.definition.ts';

describe('Resource definitions', () => {
  it('are internally consistent', () => {
    expect(() => assertResourcesValid(resources)).not.toThrow();
  });

  it('refuse a reference to a resource that does not exist', () => {
    const broken = {
      ...resources,
      rules: [
        {
          id: 'R',
          description: 'd',
          eventPattern: { source: ['x'] },
          targets: [{ type: 'queue' as const, queueId: 'Nope', deadLetterQueueId: 'AlsoNope' }],
        },
      ],
    };
    expect(() => assertResourcesValid(broken)).toThrow(InvalidResourceDefinitionError);
    expect(() => assertResourcesValid(broken)).toThrow(/rule R refers to unknown Nope/);
  });

  it('refuse two routes with the same method and path', () => {
    const first = resources.routes[0];
    if (!first) throw new Error('no routes defined');
    expect(() => assertResourcesValid({ ...resources, routes: [first, { ...first, id: 'Again' }] })).toThrow(
      /duplicate route/,
    );
  });
});
