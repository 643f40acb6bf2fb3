import { describe, expect, it } from 'vitest';
import { auditEntryIdsIn, memoryAuditLog } from '../../../../shared/adapters/s3/audit-log.store.ts';
import { type AuditEntry, verifyChain } from '../../../../shared/domain/privacy/audit-entry.ts';
import { appendAuditEntries } from '../../../../shared/use-cases/privacy/append-audit-entries.use-case.ts';
import { auditDraft, sha256 } from '../../domain/privacy/audit-entries.helper.ts';

/** The writer over an in-memory log and placement table; `failPuts` makes the next puts fail after landing. */
const writer = () => {
  const placements = new Map<string, string>();
  let failPuts = 0;
  let lostPuts = 0;
  const log = memoryAuditLog({
    segment: 'w-1',
    hash: sha256,
    beforeWrite: async (key, entries) => {
      for (const e of entries) placements.set(e.entryId, key);
    },
  });
  const ports = {
    append: async (drafts: Parameters<typeof log.append>[0]) => {
      if (lostPuts > 0) {
        lostPuts--;
        throw new Error('put never landed');
      }
      const stored = await log.append(drafts);
      if (failPuts > 0) {
        failPuts--;
        throw new Error('put landed, but the answer was lost');
      }
      return stored;
    },
    placed: async (ids: readonly string[]) =>
      new Map(ids.flatMap((id) => (placements.has(id) ? [[id, placements.get(id) as string] as const] : []))),
    entryIdsIn: (key: string) => auditEntryIdsIn({ get: async (k) => log.objects.get(k) }, key),
  };
  // The log is not reached at all: nothing placed, nothing written.
  const loseNextPut = () => {
    lostPuts++;
  };
  const failNextPut = () => {
    failPuts++;
  };
  const stored = (): AuditEntry[] =>
    [...log.objects.values()]
      .flatMap((body) => body.split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as AuditEntry)
      .sort((a, b) => a.segment.localeCompare(b.segment) || a.seq - b.seq);
  return { ports, placements, stored, loseNextPut, failNextPut };
};

const message = (i: number, body: unknown = auditDraft(i)) => ({
  messageId: `m-${i}`,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('Use case: append audit entries (the audit queue writer)', () => {
  it('appends a batch as one chained object, in time order', async () => {
    // Prepare
    const w = writer();

    // Act
    const failed = await appendAuditEntries([message(2), message(0), message(1)], w.ports);

    // Assess
    expect(failed).toEqual([]);
    expect(w.stored().map((e) => e.entryId)).toEqual(['e-0', 'e-1', 'e-2']);
    expect(verifyChain(w.stored(), sha256)).toMatchObject({ ok: true });
  });

  it('does not append again an entry redelivered after its batch landed', async () => {
    const w = writer();
    w.failNextPut();
    await expect(appendAuditEntries([message(0), message(1)], w.ports)).rejects.toThrow('answer was lost');

    // The whole batch comes again, with a new entry.
    expect(await appendAuditEntries([message(0), message(1), message(2)], w.ports)).toEqual([]);

    expect(w.stored().map((e) => e.entryId)).toEqual(['e-0', 'e-1', 'e-2']);
  });

  it('appends again an entry whose put never landed', async () => {
    const w = writer();
    // The placement points at an object that was never written.
    w.placements.set('e-0', 'audit/dt=2026-11-22/hour=09/090000000-gone-0000000000.jsonl');

    expect(await appendAuditEntries([message(0)], w.ports)).toEqual([]);

    expect(w.stored().map((e) => e.entryId)).toEqual(['e-0']);
  });

  it('stores a twice-sent entry once, and reports unparseable messages for the DLQ', async () => {
    const w = writer();

    const failed = await appendAuditEntries(
      [
        message(0),
        { ...message(0), messageId: 'm-0-again' },
        message(1, '{"not json'),
        message(2, { ...auditDraft(2), fields: ['a@example.com'] }),
      ],
      w.ports,
    );

    expect(failed.sort()).toEqual(['m-1', 'm-2']);
    expect(w.stored().map((e) => e.entryId)).toEqual(['e-0']);
  });

  it('throws when the log cannot be written, so the batch comes again', async () => {
    const w = writer();
    w.loseNextPut();

    await expect(appendAuditEntries([message(0)], w.ports)).rejects.toThrow('never landed');
    expect(await appendAuditEntries([message(0)], w.ports)).toEqual([]);

    expect(w.stored().map((e) => e.entryId)).toEqual(['e-0']);
  });
});
