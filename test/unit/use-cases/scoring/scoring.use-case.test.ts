import { describe, expect, it } from 'vitest';
import type { ChurnRiskRaisedV1 } from '../../../../events/scoring/churn-risk-raised.v1.ts';
import { seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import { DEFAULT_PROFILE_CONFIG, rebuildProfile } from '../../../../shared/domain/profile/profile.updater.ts';
import {
  type CustomerModels,
  trainCustomerModels,
} from '../../../../shared/domain/scoring/customer-intelligence.model.ts';
import {
  rescoreCustomer,
  type ScorableProfile,
  type StoredScores,
} from '../../../../shared/use-cases/scoring/rescore-customer.use-case.ts';
import {
  type BatchScoringPorts,
  type ScoringCheckpoint,
  type ScoringPage,
  scoreScoringPage,
  scoringRunStart,
} from '../../../../shared/use-cases/scoring/score-all-customers.use-case.ts';
import { AS_OF, syntheticHistories } from '../../domain/scoring/synthetic-customers.fixture.ts';

const histories = syntheticHistories(200);
const models = trainCustomerModels(histories, { asOf: AS_OF, version: 'v1', random: seededRandom(3) });
const profiles: ScorableProfile[] = histories.map(
  (h) => rebuildProfile(h.customerId, h.events, DEFAULT_PROFILE_CONFIG, AS_OF).profile,
);

/** In-memory scores, run checkpoints and queue, with the conditional-write semantics of the table. */
const memoryPorts = (pageSize = 30) => {
  const scores = new Map<string, StoredScores>();
  const raised: ChurnRiskRaisedV1[] = [];
  const checkpoints = new Map<string, ScoringCheckpoint>();
  const queue: ScoringPage[] = [];
  let failSendOnce = false;
  const ports: BatchScoringPorts & {
    currentModels: () => Promise<CustomerModels | undefined>;
    profile: (id: string) => Promise<ScorableProfile | undefined>;
  } = {
    currentModels: async () => models,
    models: async (v) => (v === models.version ? models : undefined),
    profile: async (id) => profiles.find((p) => p.customerId === id),
    scores: async (id) => scores.get(id),
    saveScores: async (id, previous, next, event) => {
      if (scores.get(id)?.version !== previous?.version) return false;
      if (next === undefined) scores.delete(id);
      else scores.set(id, { ...next, version: (previous?.version ?? 0) + 1 });
      if (event) raised.push(event);
      return true;
    },
    scanPage: async (segment, total, cursor) => {
      const mine = profiles.filter((_, i) => i % total === segment);
      const from = cursor === undefined ? 0 : Number(cursor);
      const to = from + pageSize;
      return { profiles: mine.slice(from, to), ...(to < mine.length ? { next: String(to) } : {}) };
    },
    checkpoint: async (runId, segment) => checkpoints.get(`${runId}/${segment}`),
    advance: async (runId, segment, page, to) => {
      const key = `${runId}/${segment}`;
      if ((checkpoints.get(key)?.page ?? 0) !== page) return false;
      checkpoints.set(key, { ...to, page: page + 1, nextSent: to.done });
      return true;
    },
    markNextSent: async (runId, segment, page) => {
      const key = `${runId}/${segment}`;
      const c = checkpoints.get(key);
      if (c?.page === page) checkpoints.set(key, { ...c, nextSent: true });
    },
    sendPage: async (page) => {
      if (failSendOnce) {
        failSendOnce = false;
        throw new Error('SQS unavailable');
      }
      queue.push(page);
    },
  };
  return { ports, scores, raised, checkpoints, queue, failNextSend: () => (failSendOnce = true) };
};

/** Drains the queue like SQS: a failed message is delivered again; a message may also arrive twice. */
const drain = async (m: ReturnType<typeof memoryPorts>, duplicateEvery = 0) => {
  let delivered = 0;
  let lastError = '';
  while (m.queue.length > 0) {
    const message = m.queue.shift() as ScoringPage;
    if (++delivered > 100) throw new Error(`run does not finish: ${JSON.stringify(message)} ${lastError}`);
    try {
      await scoreScoringPage(m.ports, message, AS_OF);
      if (duplicateEvery > 0 && delivered % duplicateEvery === 0)
        await scoreScoringPage(m.ports, message, AS_OF);
    } catch (error) {
      lastError = String(error);
      m.queue.push(message);
    }
  }
  return delivered;
};

describe('batch scoring: chunked and resumable', () => {
  it('scores every customer exactly once per run across segments and pages', async () => {
    const m = memoryPorts();
    m.queue.push(...scoringRunStart('run-1', 'v1', 3));
    const delivered = await drain(m);
    expect(m.scores.size).toBe(profiles.length);
    expect([...m.checkpoints.values()].every((c) => c.done)).toBe(true);
    expect([...m.checkpoints.values()].reduce((a, c) => a + c.scored, 0)).toBe(profiles.length);
    // 200 customers in 3 segments of ≤ 30 per page: 3 × 3 pages.
    expect(delivered).toBe(9);
  });

  it('survives redelivered pages and a crash between a page and the next message: nothing twice, nothing lost', async () => {
    const m = memoryPorts();
    m.queue.push(...scoringRunStart('run-2', 'v1', 2));
    m.failNextSend();
    await drain(m, 2);
    expect(m.scores.size).toBe(profiles.length);
    const counted = [...m.checkpoints.values()].reduce((a, c) => a + c.scored + c.unchanged, 0);
    expect(counted).toBe(profiles.length);
    expect(m.raised.length).toBe(
      [...m.scores.values()].filter((s) => s.memberships.includes('churn-risk')).length,
    );
  });

  it('a second run over unchanged profiles writes nothing and raises nothing', async () => {
    const m = memoryPorts();
    m.queue.push(...scoringRunStart('run-a', 'v1', 2));
    await drain(m);
    const versions = [...m.scores.values()].map((s) => s.version);
    const raised = m.raised.length;
    m.queue.push(...scoringRunStart('run-b', 'v1', 2));
    await drain(m);
    expect([...m.scores.values()].map((s) => s.version)).toEqual(versions);
    expect(m.raised.length).toBe(raised);
  });

  it('refuses a run with no segments, and a page of an unknown model version does nothing', async () => {
    expect(() => scoringRunStart('r', 'v1', 0)).toThrow(/segments/);
    const m = memoryPorts();
    expect(
      await scoreScoringPage(
        m.ports,
        { runId: 'r', modelVersion: 'v9', segment: 0, totalSegments: 1, page: 0 },
        AS_OF,
      ),
    ).toEqual({ kind: 'no-model' });
    expect(m.scores.size).toBe(0);
  });
});

describe('rescoring on an event', () => {
  it('raises ChurnRiskRaised once, when the score crosses the threshold upwards', async () => {
    const m = memoryPorts();
    for (const p of profiles) await rescoreCustomer(m.ports, p.customerId, AS_OF);
    const risky = [...m.scores.entries()].find(([, s]) => s.memberships.includes('churn-risk'));
    if (!risky?.[1].churn) throw new Error('the fixture has nobody at risk');
    const [id, first] = risky;
    expect(m.raised.filter((e) => e.customerId === id)).toHaveLength(1);
    // Yesterday's score was low: today's crosses the threshold, once.
    m.scores.set(id, {
      ...first,
      churn: { ...(first.churn ?? { probability: 0, reasons: [] }), score: 1 },
      memberships: first.memberships.filter((x) => x !== 'churn-risk'),
    });
    expect(await rescoreCustomer(m.ports, id, AS_OF)).toBe('scored');
    const events = m.raised.filter((e) => e.customerId === id);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      previousScore: 1,
      score: first.churn?.score,
      threshold: 70,
      modelVersion: 'v1',
    });
    expect(await rescoreCustomer(m.ports, id, AS_OF)).toBe('unchanged');
    expect(m.raised.filter((e) => e.customerId === id)).toHaveLength(2);
    // Nobody below the threshold raised anything.
    const below = [...m.scores.entries()]
      .filter(([, s]) => !s.memberships.includes('churn-risk'))
      .map(([k]) => k);
    expect(m.raised.filter((e) => below.includes(e.customerId))).toHaveLength(0);
  });

  it('removes the scores of a customer whose profile is gone (merged away or erased)', async () => {
    const m = memoryPorts();
    const id = profiles[0]?.customerId ?? '';
    await rescoreCustomer(m.ports, id, AS_OF);
    expect(m.scores.has(id)).toBe(true);
    m.ports.profile = async () => undefined;
    expect(await rescoreCustomer(m.ports, id, AS_OF)).toBe('removed');
    expect(m.scores.has(id)).toBe(false);
    expect(await rescoreCustomer({ ...m.ports, currentModels: async () => undefined }, id, AS_OF)).toBe(
      'no-model',
    );
  });
});
