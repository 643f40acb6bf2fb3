import { describe, expect, it } from 'vitest';
import {
  type CustomerState,
  type UnmergeCommit,
  type UnmergePorts,
  unmergeCustomer,
} from '../../../shared/use-cases/identity/unmerge-customer.use-case.ts';

const fakeGraph = () => {
  const customers = new Map<string, CustomerState>([
    ['S', { customerId: 'S', status: 'active', version: 3 }],
    ['M', { customerId: 'M', status: 'merged', mergedInto: 'S', version: 2 }],
  ]);
  const owners = new Map([
    ['phone#p', 'S'],
    ['email#e', 'S'], // re-pointed by the bridging event
    ['deviceId#d', 'M'], // never re-pointed: follows M once it is active again
  ]);
  const commits: UnmergeCommit[] = [];
  let failNext = 0;
  const ports: UnmergePorts = {
    customer: async (id) => customers.get(id),
    subtree: async (id) =>
      id === 'S'
        ? {
            customerIds: new Set(['S', 'M']),
            links: [
              { customerId: 'S', type: 'phone', hash: 'p', at: '2026-01-01T00:00:00.000Z', eventId: 'a' },
              { customerId: 'M', type: 'email', hash: 'e', at: '2026-01-02T00:00:00.000Z', eventId: 'b' },
              { customerId: 'M', type: 'deviceId', hash: 'd', at: '2026-01-02T00:00:00.000Z', eventId: 'b' },
              { customerId: 'S', type: 'email', hash: 'e', at: '2026-01-03T00:00:00.000Z', eventId: 'ab' },
            ],
          }
        : { customerIds: new Set([id]), links: [] },
    storedOwners: async (keys) =>
      new Map(
        keys.flatMap((k) =>
          owners.has(`${k.type}#${k.hash}`)
            ? [[`${k.type}#${k.hash}`, owners.get(`${k.type}#${k.hash}`) as string]]
            : [],
        ),
      ),
    commit: async (c) => {
      if (failNext-- > 0) return false;
      commits.push(c);
      return true;
    },
  };
  return { ports, commits, customers, failAttempts: (n: number) => (failNext = n) };
};

describe('Use case: unmerge customer', () => {
  const request = {
    survivorCustomerId: 'S',
    restoredCustomerId: 'M',
    actor: 'admin-1',
    reason: 'shared phone',
  };

  it('moves back only the identifiers stored on the wrong side, and reports the types returned', async () => {
    const g = fakeGraph();
    const outcome = await unmergeCustomer(request, g.ports);
    expect(outcome).toEqual({
      kind: 'unmerged',
      survivorCustomerId: 'S',
      restoredCustomerId: 'M',
      returnedIdentifierTypes: ['deviceId', 'email'],
    });
    expect(g.commits).toHaveLength(1);
    expect(g.commits[0]?.repoint).toEqual([{ type: 'email', hash: 'e', from: 'S', to: 'M' }]);
    expect(g.commits[0]).toMatchObject({ actor: 'admin-1', reason: 'shared phone' });
  });

  it('retries when the graph changed between read and commit', async () => {
    const g = fakeGraph();
    g.failAttempts(2);
    expect((await unmergeCustomer(request, g.ports)).kind).toBe('unmerged');
  });

  it('refuses a pair that is not merged into the survivor, and an unknown customer', async () => {
    const g = fakeGraph();
    expect(
      await unmergeCustomer({ ...request, survivorCustomerId: 'M', restoredCustomerId: 'S' }, g.ports),
    ).toEqual({
      kind: 'not-found',
    });
    g.customers.set('M', { customerId: 'M', status: 'active', version: 4 });
    expect(await unmergeCustomer(request, g.ports)).toEqual({
      kind: 'not-merged-into',
      mergedInto: undefined,
    });
    expect(await unmergeCustomer({ ...request, restoredCustomerId: 'nobody' }, g.ports)).toEqual({
      kind: 'not-found',
    });
    expect(g.commits).toHaveLength(0);
  });
});
