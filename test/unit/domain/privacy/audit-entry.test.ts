import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  auditEntry,
  auditEntryDraft,
  chainEntries,
  GENESIS_HASH,
  startChain,
  verifyChain,
} from '../../../../shared/domain/privacy/audit-entry.ts';
import { auditDraft as draft, sha256 } from './audit-entries.helper.ts';

const chainOf = (n: number, segment = 'seg-a'): AuditEntry[] =>
  chainEntries(
    startChain(segment),
    Array.from({ length: n }, (_, i) => draft(i)),
    sha256,
  ).entries;

describe('Audit entries: the schema', () => {
  it('accepts a draft and the chained entry', () => {
    const [entry] = chainOf(1);

    expect(auditEntryDraft.safeParse(draft(0)).success).toBe(true);
    expect(auditEntry.safeParse(entry).success).toBe(true);
  });

  it('takes field names, never values', () => {
    for (const value of ['zhang.wei@example.com', '+8613800138000', 'Zhang Wei'])
      expect(auditEntryDraft.safeParse(draft(0, { fields: [value] })).success, value).toBe(false);
  });

  it('refuses unknown members and actions not of the form resource.verb', () => {
    expect(auditEntryDraft.safeParse({ ...draft(0), email: 'a@example.com' }).success).toBe(false);
    expect(auditEntryDraft.safeParse(draft(0, { action: 'READ' })).success).toBe(false);
  });
});

describe('Audit entries: the hash chain', () => {
  it('starts at the genesis hash, numbers entries and links each to the one before', () => {
    const entries = chainOf(3);

    expect(entries.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    expect(verifyChain(entries, sha256)).toMatchObject({ ok: true });
  });

  it('continues across batches from the head, and verifies a later stretch from a known head', () => {
    const first = chainEntries(startChain('seg-a'), [draft(0), draft(1)], sha256);
    const second = chainEntries(first.head, [draft(2)], sha256);

    expect(verifyChain([...first.entries, ...second.entries], sha256)).toMatchObject({ ok: true });
    expect(verifyChain(second.entries, sha256)).toMatchObject({ ok: false, reason: 'out-of-sequence' });
    expect(verifyChain(second.entries, sha256, new Map([['seg-a', first.head]]))).toMatchObject({ ok: true });
  });

  it('verifies interleaved segments each on its own', () => {
    const a = chainOf(3, 'seg-a');
    const b = chainOf(2, 'seg-b');
    const verified = verifyChain([a[0], b[0], a[1], b[1], a[2]] as AuditEntry[], sha256);

    expect(verified.ok && [...verified.heads.values()].map((h) => h.seq)).toEqual([3, 2]);
  });

  const chainAndIndex = fc
    .integer({ min: 2, max: 15 })
    .chain((n) => fc.tuple(fc.constant(chainOf(n)), fc.integer({ min: 0, max: n - 1 })));

  it('finds an edited entry at its place', () => {
    fc.assert(
      fc.property(
        chainAndIndex,
        fc.constantFrom('purpose', 'fields', 'actor', 'at'),
        ([entries, i], field) => {
          const edited = entries.map((e, j) => {
            if (j !== i) return e;
            if (field === 'purpose') return { ...e, purpose: 'marketing' };
            if (field === 'fields') return { ...e, fields: [] };
            if (field === 'actor') return { ...e, actor: { subject: 'someone-else', roles: ['admin'] } };
            return { ...e, at: '2020-01-01T00:00:00.000Z' };
          });

          expect(verifyChain(edited, sha256)).toEqual({
            ok: false,
            index: i,
            entryId: entries[i]?.entryId,
            segment: 'seg-a',
            reason: 'edited',
          });
        },
      ),
    );
  });

  it('finds an entry edited and re-hashed at the entry after it', () => {
    fc.assert(
      fc.property(chainAndIndex, ([entries, i]) => {
        fc.pre(i < entries.length - 1);
        const target = entries[i] as AuditEntry;
        const { hash: _h, ...content } = { ...target, outcome: 'denied' as const };
        const rehashed = {
          ...content,
          hash: chainEntries({ segment: 'seg-a', seq: target.seq, hash: target.prevHash }, [content], sha256)
            .entries[0]?.hash as string,
        };
        const forged = entries.map((e, j) => (j === i ? rehashed : e));

        expect(verifyChain(forged, sha256)).toMatchObject({ ok: false, index: i + 1, reason: 'broken-link' });
      }),
    );
  });

  it('finds a deleted entry where it is missing', () => {
    fc.assert(
      fc.property(chainAndIndex, ([entries, i]) => {
        fc.pre(i < entries.length - 1);
        const deleted = entries.filter((_, j) => j !== i);

        expect(verifyChain(deleted, sha256)).toMatchObject({
          ok: false,
          index: i,
          reason: 'out-of-sequence',
        });
      }),
    );
  });

  it('finds reordered entries at the first one out of place', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 15 })
          .chain((n) =>
            fc.tuple(
              fc.constant(chainOf(n)),
              fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
            ),
          ),
        ([entries, order]) => {
          const firstMoved = order.findIndex((k, j) => k !== j);
          fc.pre(firstMoved >= 0);
          const reordered = order.map((k) => entries[k] as AuditEntry);

          expect(verifyChain(reordered, sha256)).toMatchObject({ ok: false, index: firstMoved });
        },
      ),
    );
  });

  it('finds a first entry removed from the start of a segment', () => {
    expect(verifyChain(chainOf(4).slice(1), sha256)).toMatchObject({
      ok: false,
      index: 0,
      reason: 'out-of-sequence',
    });
  });
});
