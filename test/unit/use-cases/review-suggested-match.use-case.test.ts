import { describe, expect, it } from 'vitest';
import type { SuggestedMatch } from '../../../shared/domain/identity/review-queue.ts';
import {
  type ReviewPorts,
  reviewSuggestedMatch,
} from '../../../shared/use-cases/identity/review-suggested-match.use-case.ts';

const pending: SuggestedMatch = {
  pairKey: 'a|b',
  customerId: 'a',
  candidateId: 'b',
  probability: 0.93,
  weight: 3.7,
  explanation: {
    fields: [],
    missing: [],
    priorWeight: -12,
    weight: 3.7,
    probability: 0.93,
    model: 'test',
    text: 'name: exact (+12.2), city: exact (+9.4), prior (-12.3) → weight 3.7, p 0.93',
  },
  status: 'pending',
  suggestedAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
};

const fake = (item: SuggestedMatch | undefined, merges: Record<string, string> = {}) => {
  let stored = item;
  const calls: string[] = [];
  const ports: ReviewPorts = {
    get: async () => stored,
    current: async (ids) => new Map(ids.map((id) => [id, merges[id] ?? id])),
    save: async (next, was) => {
      if (stored?.status !== was) return false;
      stored = next;
      return true;
    },
    merge: async (a, b) => {
      calls.push(`merge ${a} ${b}`);
    },
    keepApart: async (a, b) => {
      calls.push(`apart ${a} ${b}`);
    },
  };
  return { ports, calls, stored: () => stored };
};

const by = { by: 'admin-1', at: '2026-11-02T00:00:00.000Z' };

describe('Use case: review a suggested match', () => {
  it('approving merges the pair once and records who decided', async () => {
    const f = fake(pending);
    const first = await reviewSuggestedMatch('a|b', { verdict: 'approve', ...by }, f.ports);
    const again = await reviewSuggestedMatch('a|b', { verdict: 'approve', ...by }, f.ports);
    expect(first).toMatchObject({ kind: 'decided', effect: { kind: 'merge', customerIds: ['a', 'b'] } });
    expect(again).toMatchObject({ kind: 'decided', effect: { kind: 'none', reason: 'already-decided' } });
    expect(f.calls).toEqual(['merge a b']);
    expect(f.stored()).toMatchObject({ status: 'approved', decision: { by: 'admin-1' } });
  });

  it('rejecting keeps the pair apart; the opposite decision afterwards is a conflict', async () => {
    const f = fake(pending);
    expect(await reviewSuggestedMatch('a|b', { verdict: 'reject', ...by }, f.ports)).toMatchObject({
      effect: { kind: 'keep-apart' },
    });
    expect((await reviewSuggestedMatch('a|b', { verdict: 'approve', ...by }, f.ports)).kind).toBe('conflict');
    expect(f.calls).toEqual(['apart a b']);
  });

  it('does nothing to customers merged meanwhile, and answers not-found for an unknown pair', async () => {
    const f = fake(pending, { b: 'a' });
    expect(await reviewSuggestedMatch('a|b', { verdict: 'approve', ...by }, f.ports)).toMatchObject({
      effect: { kind: 'none', reason: 'already-merged' },
    });
    expect(f.calls).toEqual([]);
    expect(f.stored()?.status).toBe('approved');
    expect(await reviewSuggestedMatch('x|y', { verdict: 'approve', ...by }, fake(undefined).ports)).toEqual({
      kind: 'not-found',
    });
  });
});
