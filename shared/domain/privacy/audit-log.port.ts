import type { AuditEntry, AuditEntryDraft } from './audit-entry.ts';

/** Which entries to read: `from` inclusive, `to` exclusive, and optional equality filters. */
export type AuditQuery = {
  readonly from: string;
  readonly to: string;
  /** The actor's subject. */
  readonly actor?: string;
  readonly resourceId?: string;
  readonly action?: string;
  readonly limit: number;
  /** From the `next` of the page before. */
  readonly cursor?: string;
};

export type AuditPage = {
  readonly entries: readonly AuditEntry[];
  /** Present when there may be more: pass it as `cursor` (the next page can be empty). */
  readonly next?: string;
};

/**
 * The append-only audit log. `append` validates and chains the drafts, stores them and returns them as
 * stored; there is no update and no delete. At least once: when it throws, some entries may have been
 * stored (a batch spanning an hour is written per hour) and appending them again stores them again, under
 * new sequence numbers — the chain stays whole and readers tell the copies apart by `entryId`.
 */
export type AuditLog = {
  readonly append: (drafts: readonly AuditEntryDraft[]) => Promise<readonly AuditEntry[]>;
  readonly query: (query: AuditQuery) => Promise<AuditPage>;
};

/**
 * Where a request puts its audit entries: the log itself, or a durable queue in front of it that a batching
 * writer appends from. Resolves once the entries are durably accepted; rejects (nothing is promised) if not.
 */
export type AuditSink = {
  readonly append: (drafts: readonly AuditEntryDraft[]) => Promise<unknown>;
};

/** Whether an entry answers a query (time window and filters). */
export const matchesAuditQuery = (entry: AuditEntry, query: AuditQuery): boolean => {
  const at = Date.parse(entry.at);
  return (
    at >= Date.parse(query.from) &&
    at < Date.parse(query.to) &&
    (query.actor === undefined || entry.actor.subject === query.actor) &&
    (query.resourceId === undefined || entry.resource.id === query.resourceId) &&
    (query.action === undefined || entry.action === query.action)
  );
};
