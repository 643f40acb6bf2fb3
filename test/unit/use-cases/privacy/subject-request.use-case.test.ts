import { describe, expect, it } from 'vitest';
import type { CustomerErasedV1 } from '../../../../events/privacy/customer-erased.v1.ts';
import type { SubjectRequestFiledV1 } from '../../../../events/privacy/subject-request-filed.v1.ts';
import type { PersonScope, SubjectRequest } from '../../../../shared/domain/privacy/subject-request.ts';
import {
  completeSubjectRequest,
  destroyPersonKeys,
  exportPersonData,
  failSubjectRequest,
  fileSubjectRequest,
  type PersonDataPorts,
  planSubjectRequest,
  purgePersonData,
  SubjectRequestNotFoundError,
  type SubjectRequestPorts,
  SubjectRequestRefusedError,
} from '../../../../shared/use-cases/privacy/subject-request.use-case.ts';

const T0 = '2026-11-22T10:00:00.000Z';
const T1 = '2026-11-22T10:00:05.000Z';

/** Requests and a person's data in memory, recording the order of destructive calls. */
const world = (people: Record<string, PersonScope>) => {
  const requests = new Map<string, SubjectRequest>();
  const filed: SubjectRequestFiledV1[] = [];
  const erasedEvents: CustomerErasedV1[] = [];
  const calls: string[] = [];
  let keysLeft = 2;
  let purgePages = 3;
  const update = (id: string, f: (r: SubjectRequest) => SubjectRequest) => {
    const r = requests.get(id);
    if (r) requests.set(id, f(r));
  };
  const ports: SubjectRequestPorts & PersonDataPorts = {
    request: async (id) => requests.get(id),
    file: async (request, event) => {
      if (requests.has(request.requestId)) return false;
      requests.set(request.requestId, request);
      filed.push(event);
      return true;
    },
    start: async (id, executionId, customerIds, at) => {
      const r = requests.get(id);
      const free = r?.status === 'filed' || r?.status === 'failed';
      if (!r || !(free || (r.status === 'running' && r.executionId === executionId))) return false;
      requests.set(id, {
        ...r,
        status: 'running',
        executionId,
        startedAt: r.startedAt ?? at,
        customerIds: r.customerIds ?? customerIds,
      });
      return true;
    },
    count: async (id, counts) =>
      update(id, (r) => ({
        ...r,
        counts: Object.fromEntries(
          [...new Set([...Object.keys(r.counts ?? {}), ...Object.keys(counts)])].map((k) => [
            k,
            (r.counts?.[k] ?? 0) + (counts[k] ?? 0),
          ]),
        ),
      })),
    bundleWritten: async (id, bundleKey) => update(id, (r) => ({ ...r, bundleKey })),
    complete: async (id, receipt, erased) => {
      if (requests.get(id)?.status !== 'running') return false;
      update(id, (r) => ({ ...r, status: 'completed', receipt }));
      if (erased) erasedEvents.push(erased);
      return true;
    },
    fail: async (id, failure) =>
      update(id, (r) => (r.status === 'completed' ? r : { ...r, status: 'failed', failure })),
    scope: async (id) => Object.values(people).find((p) => p.customerIds.includes(id)),
    unlinkIdentifiers: async () => {
      calls.push('unlink');
      return 3;
    },
    tombstone: async () => {
      calls.push('tombstone');
    },
    destroyKeys: async () => {
      calls.push('destroyKeys');
      const n = keysLeft;
      keysLeft = 0;
      return n;
    },
    deleteExportBundles: async () => {
      calls.push('deleteExportBundles');
      return 1;
    },
    purge: async (_ids, cursor) => {
      calls.push(`purge:${cursor ?? 'start'}`);
      purgePages--;
      return purgePages > 0
        ? { counts: { timelineEvents: 10 }, cursor: `page-${3 - purgePages}` }
        : { counts: { timelineEvents: 4, profiles: 1 } };
    },
    collect: async (customerIds) => ({
      customers: [],
      identityLinks: [],
      merges: [],
      profiles: [],
      events: Array.from({ length: 24 }, (_, i) => ({ customerId: customerIds[0] ?? '', event: { i } })),
      scores: [],
      consents: [],
    }),
    writeBundle: async (requestId) => `exports/${requestId}.json`,
  };
  return { ports, requests, filed, erasedEvents, calls, recreateKey: () => (keysLeft = 1) };
};

const han: PersonScope = { customerId: 'cus_han', customerIds: ['cus_han', 'cus_han_old'], status: 'active' };
const gone: PersonScope = { customerId: 'cus_gone', customerIds: ['cus_gone'], status: 'erased' };

describe('Data-subject requests', () => {
  it('files a request for a known customer with SubjectRequestFiled; refuses unknown ones and a second erasure', async () => {
    const w = world({ han, gone });
    const filed = await fileSubjectRequest(
      w.ports,
      { kind: 'erasure', customerId: 'cus_han_old', filedBy: 'admin-1' },
      'dsr_aaaaaaaaaaaa',
      T0,
    );
    expect(filed).toMatchObject({ status: 'filed', customerId: 'cus_han_old', filedBy: 'admin-1' });
    expect(w.filed).toEqual([
      {
        specVersion: '1',
        requestId: 'dsr_aaaaaaaaaaaa',
        kind: 'erasure',
        customerId: 'cus_han_old',
        filedBy: 'admin-1',
        filedAt: T0,
      },
    ]);
    await expect(
      fileSubjectRequest(
        w.ports,
        { kind: 'export', customerId: 'nobody', filedBy: 'a' },
        'dsr_bbbbbbbbbbbb',
        T0,
      ),
    ).rejects.toThrow(SubjectRequestNotFoundError);
    // Erasing an erased customer again is a sweep (after a failed or timed-out run); an export finds nothing.
    await expect(
      fileSubjectRequest(
        w.ports,
        { kind: 'erasure', customerId: 'cus_gone', filedBy: 'a' },
        'dsr_cccccccccccc',
        T0,
      ),
    ).resolves.toMatchObject({ status: 'filed' });
    await expect(
      fileSubjectRequest(
        w.ports,
        { kind: 'export', customerId: 'cus_gone', filedBy: 'a' },
        'dsr_dddddddddddd',
        T0,
      ),
    ).resolves.toMatchObject({ status: 'filed' });
  });

  it('erases in order — indexes, tombstone, keys, old bundles — then purges page by page and completes once', async () => {
    const w = world({ han });
    await fileSubjectRequest(
      w.ports,
      { kind: 'erasure', customerId: 'cus_han_old', filedBy: 'admin-1' },
      'dsr_e1',
      T0,
    );
    const plan = await planSubjectRequest(w.ports, 'dsr_e1', 'exec-1', T0);
    expect(plan).toEqual({ requestId: 'dsr_e1', kind: 'erasure', customerIds: ['cus_han', 'cus_han_old'] });

    await destroyPersonKeys(w.ports, 'dsr_e1', plan.customerIds, T0);
    expect(w.calls).toEqual(['unlink', 'tombstone', 'destroyKeys', 'deleteExportBundles']);

    let page = await purgePersonData(w.ports, 'dsr_e1', plan.customerIds, undefined);
    const cursors: (string | null)[] = [];
    while (!page.done) {
      cursors.push(page.cursor);
      page = await purgePersonData(w.ports, 'dsr_e1', plan.customerIds, page.cursor ?? undefined);
    }
    expect(cursors).toEqual(['page-1', 'page-2']);
    expect(page).toEqual({ done: true, cursor: null });

    const receipt = await completeSubjectRequest(w.ports, 'dsr_e1', plan.customerIds, T1);
    expect(receipt).toMatchObject({
      requestId: 'dsr_e1',
      kind: 'erasure',
      customerId: 'cus_han_old',
      customerIds: ['cus_han', 'cus_han_old'],
      completedAt: T1,
      counts: { identifierIndexes: 3, customerKeys: 2, exportBundles: 2, timelineEvents: 24, profiles: 1 },
    });
    expect(receipt.actions[0]).toMatch(/keys destroyed/);
    expect(w.erasedEvents).toEqual([
      {
        specVersion: '1',
        requestId: 'dsr_e1',
        customerId: 'cus_han_old',
        erasedCustomerIds: ['cus_han', 'cus_han_old'],
        erasedAt: T1,
      },
    ]);

    // A retried completion returns the stored receipt; CustomerErased is not published twice.
    expect(
      await completeSubjectRequest(w.ports, 'dsr_e1', plan.customerIds, '2026-11-22T11:00:00.000Z'),
    ).toEqual(receipt);
    expect(w.erasedEvents).toHaveLength(1);
    // A plan after completion (a second execution of the same request) is refused.
    await expect(planSubjectRequest(w.ports, 'dsr_e1', 'exec-1', T1)).rejects.toThrow(
      SubjectRequestRefusedError,
    );
  });

  it('lets a second execution of the same request stand down, and redrives a failed one', async () => {
    const w = world({ han });
    await fileSubjectRequest(w.ports, { kind: 'erasure', customerId: 'cus_han', filedBy: 'a' }, 'dsr_e4', T0);
    expect((await planSubjectRequest(w.ports, 'dsr_e4', 'exec-1', T0)).kind).toBe('erasure');
    expect((await planSubjectRequest(w.ports, 'dsr_e4', 'exec-2', T0)).kind).toBe('duplicate');
    // The holder's own retried plan task is still its own.
    expect((await planSubjectRequest(w.ports, 'dsr_e4', 'exec-1', T0)).kind).toBe('erasure');
    await failSubjectRequest(w.ports, 'dsr_e4', { Error: 'States.TaskFailed', Cause: 'DynamoDB down' }, T0);
    expect((await planSubjectRequest(w.ports, 'dsr_e4', 'exec-3', T1)).kind).toBe('erasure');
    expect(w.requests.get('dsr_e4')).toMatchObject({
      status: 'running',
      executionId: 'exec-3',
      startedAt: T0,
    });
  });

  it('destroys a key created by an event that raced the erasure, and counts it', async () => {
    const w = world({ han });
    await fileSubjectRequest(w.ports, { kind: 'erasure', customerId: 'cus_han', filedBy: 'a' }, 'dsr_e2', T0);
    const plan = await planSubjectRequest(w.ports, 'dsr_e2', 'exec-2', T0);
    await destroyPersonKeys(w.ports, 'dsr_e2', plan.customerIds, T0);
    w.recreateKey();
    const receipt = await completeSubjectRequest(w.ports, 'dsr_e2', plan.customerIds, T1);
    expect(receipt.counts.customerKeys).toBe(3);
  });

  it('keeps the customers of the first plan when a plan is retried after a merge', async () => {
    const people = { han: { ...han } };
    const w = world(people);
    await fileSubjectRequest(w.ports, { kind: 'erasure', customerId: 'cus_han', filedBy: 'a' }, 'dsr_e3', T0);
    await planSubjectRequest(w.ports, 'dsr_e3', 'exec-3', T0);
    people.han = { ...han, customerIds: [...han.customerIds, 'cus_new'] };
    expect((await planSubjectRequest(w.ports, 'dsr_e3', 'exec-3', T1)).customerIds).toEqual([
      'cus_han',
      'cus_han_old',
    ]);
    expect(w.requests.get('dsr_e3')?.startedAt).toBe(T0);
  });

  it('exports once and completes with the bundle key; a failure is recorded unless completed', async () => {
    const w = world({ han });
    await fileSubjectRequest(w.ports, { kind: 'export', customerId: 'cus_han', filedBy: 'a' }, 'dsr_x1', T0);
    const plan = await planSubjectRequest(w.ports, 'dsr_x1', 'exec-x', T0);
    await exportPersonData(w.ports, 'dsr_x1', plan.customerIds, T0);
    await exportPersonData(w.ports, 'dsr_x1', plan.customerIds, T0);
    expect(w.requests.get('dsr_x1')).toMatchObject({
      bundleKey: 'exports/dsr_x1.json',
      counts: { timelineEvents: 24 },
    });
    const receipt = await completeSubjectRequest(w.ports, 'dsr_x1', plan.customerIds, T1);
    expect(receipt.kind).toBe('export');
    expect(w.calls).not.toContain('destroyKeys');
    expect(w.erasedEvents).toEqual([]);

    await failSubjectRequest(w.ports, 'dsr_x1', { Error: 'Late', Cause: 'x' }, T1);
    expect(w.requests.get('dsr_x1')?.status).toBe('completed');
    await fileSubjectRequest(w.ports, { kind: 'export', customerId: 'cus_han', filedBy: 'a' }, 'dsr_x2', T0);
    await failSubjectRequest(w.ports, 'dsr_x2', { Error: 'States.Timeout', Cause: 'took too long' }, T1);
    expect(w.requests.get('dsr_x2')).toMatchObject({
      status: 'failed',
      failure: { error: 'States.Timeout', cause: 'took too long', at: T1 },
    });
  });
});
