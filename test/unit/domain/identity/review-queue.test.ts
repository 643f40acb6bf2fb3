import { describe, expect, it } from 'vitest';
import { scorePair } from '../../../../shared/domain/identity/candidate-matcher.ts';
import {
  decideSuggestedMatch,
  pairKey,
  type ReviewDecision,
  SuggestedMatchError,
  type SuggestedMatchInput,
  upsertSuggestedMatch,
} from '../../../../shared/domain/identity/review-queue.ts';

const score = scorePair(
  { name: 'Zhang Wei', birthday: '1990-04-12' },
  { name: 'Zhang Wei', birthday: '1990-04-21' },
);
const input: SuggestedMatchInput = {
  customerId: 'c-new',
  candidateId: 'c-old',
  probability: score.probability,
  weight: score.weight,
  explanation: score.explanation,
};
const T0 = '2026-03-01T00:00:00.000Z';
const T1 = '2026-03-02T00:00:00.000Z';
const approve: ReviewDecision = { verdict: 'approve', by: 'u-1', at: T1 };
const reject: ReviewDecision = { verdict: 'reject', by: 'u-2', at: T1, note: 'different people' };
const asIs = { customerId: 'c-new', candidateId: 'c-old' };

describe('Domain: suggested-match review queue', () => {
  it('keys a pair the same whichever customer comes first', () => {
    expect(pairKey('b', 'a')).toBe(pairKey('a', 'b'));
    expect(pairKey('a', 'b')).not.toBe(pairKey('a', 'c'));
  });

  it('queues a new pair as pending and refreshes its score while pending', () => {
    const item = upsertSuggestedMatch(undefined, input, T0);
    expect(item).toMatchObject({ status: 'pending', pairKey: 'c-new|c-old', suggestedAt: T0, updatedAt: T0 });
    const again = upsertSuggestedMatch(
      item,
      { ...input, customerId: 'c-old', candidateId: 'c-new', probability: 0.9 },
      T1,
    );
    expect(again).toMatchObject({ status: 'pending', suggestedAt: T0, updatedAt: T1, probability: 0.9 });
  });

  it('leaves a decided pair as decided when matching suggests it again', () => {
    const decided = decideSuggestedMatch(upsertSuggestedMatch(undefined, input, T0), reject, asIs);
    if (!decided.ok) throw new Error('expected a decision');
    expect(upsertSuggestedMatch(decided.item, input, T1)).toBe(decided.item);
  });

  it('refuses a customer paired with itself, a probability out of [0, 1] and a wrong item', () => {
    expect(() => upsertSuggestedMatch(undefined, { ...input, candidateId: 'c-new' }, T0)).toThrow(
      SuggestedMatchError,
    );
    expect(() => upsertSuggestedMatch(undefined, { ...input, probability: 1.2 }, T0)).toThrow(
      SuggestedMatchError,
    );
    const other = upsertSuggestedMatch(undefined, { ...input, candidateId: 'c-x' }, T0);
    expect(() => upsertSuggestedMatch(other, input, T1)).toThrow(SuggestedMatchError);
  });

  it('turns an approval into a merge and a rejection into keep-apart', () => {
    const item = upsertSuggestedMatch(undefined, input, T0);
    const approved = decideSuggestedMatch(item, approve, asIs);
    expect(approved).toMatchObject({
      ok: true,
      item: { status: 'approved', decision: approve },
      effect: { kind: 'merge', customerIds: ['c-new', 'c-old'] },
    });
    expect(decideSuggestedMatch(item, reject, asIs)).toMatchObject({
      ok: true,
      item: { status: 'rejected', decision: reject },
      effect: { kind: 'keep-apart', customerIds: ['c-new', 'c-old'] },
    });
    expect(item.status).toBe('pending');
  });

  it('is idempotent: the same decision twice has no second effect; the other decision is refused', () => {
    const first = decideSuggestedMatch(upsertSuggestedMatch(undefined, input, T0), approve, asIs);
    if (!first.ok) throw new Error('expected a decision');
    const second = decideSuggestedMatch(first.item, { ...approve, by: 'u-3' }, asIs);
    expect(second).toEqual({
      ok: true,
      item: first.item,
      effect: { kind: 'none', reason: 'already-decided' },
    });
    expect(decideSuggestedMatch(first.item, reject, asIs)).toEqual({
      ok: false,
      reason: 'conflicting-decision',
      item: first.item,
    });
  });

  it('approving a pair whose customers were merged since is a no-op; merged into others, it merges those', () => {
    const item = upsertSuggestedMatch(undefined, input, T0);
    expect(decideSuggestedMatch(item, approve, { customerId: 'c-old', candidateId: 'c-old' })).toMatchObject({
      ok: true,
      item: { status: 'approved' },
      effect: { kind: 'none', reason: 'already-merged' },
    });
    expect(decideSuggestedMatch(item, approve, { customerId: 'c-9', candidateId: 'c-old' })).toMatchObject({
      effect: { kind: 'merge', customerIds: ['c-9', 'c-old'] },
    });
  });
});
