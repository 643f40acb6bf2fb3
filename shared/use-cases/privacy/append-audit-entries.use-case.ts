import { type AuditEntryDraft, auditEntryDraft } from '../../domain/privacy/audit-entry.ts';
import type { AuditLog } from '../../domain/privacy/audit-log.port.ts';

export type AppendAuditEntriesPorts = {
  /**
   * The log. It must record where each entry is about to land (see `placed`) before it writes the object:
   * `s3AuditLog` does with its `beforeWrite` option.
   */
  readonly append: AuditLog['append'];
  /** The log object each of these entries was last about to land in, by entry id (absent: never seen). */
  readonly placed: (entryIds: readonly string[]) => Promise<ReadonlyMap<string, string>>;
  /** The entry ids an object of the log holds (none when the object does not exist). */
  readonly entryIdsIn: (objectKey: string) => Promise<ReadonlySet<string>>;
};

const parseDraft = (body: string): AuditEntryDraft | undefined => {
  try {
    const parsed = auditEntryDraft.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Primary course (the audit queue's writer; at-least-once delivery in, each entry once in the log out):
 * 1. Parse each message as an audit entry draft; one that is not is reported failed (it reaches the DLQ).
 * 2. Keep one message per entry id (a request retried its send): the others share its outcome.
 * 3. An entry placed before is in the log when the object it was placed in holds it (its batch landed and
 *    the message came again): acknowledged without appending. Otherwise (that put never landed) it is
 *    appended again.
 * 4. Append the rest in time order, as one batch (one object per hour they fall in). When the append
 *    fails it throws, and the whole batch is delivered again: the objects that did land are found in step 3.
 * Returns the message ids to retry (the unparseable ones).
 */
export const appendAuditEntries = async (
  messages: readonly { readonly messageId: string; readonly body: string }[],
  ports: AppendAuditEntriesPorts,
): Promise<string[]> => {
  const failed: string[] = [];
  const messagesOf = new Map<string, string[]>();
  const drafts: AuditEntryDraft[] = [];
  for (const m of messages) {
    const draft = parseDraft(m.body);
    if (!draft) {
      failed.push(m.messageId);
      continue;
    }
    const same = messagesOf.get(draft.entryId);
    if (same) same.push(m.messageId);
    else {
      messagesOf.set(draft.entryId, [m.messageId]);
      drafts.push(draft);
    }
  }
  if (drafts.length === 0) return failed;

  const placed = await ports.placed(drafts.map((d) => d.entryId));
  const objects = new Map<string, Promise<ReadonlySet<string>>>();
  const alreadyIn = async (d: AuditEntryDraft): Promise<boolean> => {
    const key = placed.get(d.entryId);
    if (key === undefined) return false;
    let held = objects.get(key);
    if (!held) {
      held = ports.entryIdsIn(key);
      objects.set(key, held);
    }
    return (await held).has(d.entryId);
  };
  const known = await Promise.all(drafts.map(alreadyIn));
  const fresh = drafts.filter((_, i) => !known[i]).sort((a, b) => a.at.localeCompare(b.at));
  // A failed append throws: the whole batch comes again, and what did land is found in step 3.
  if (fresh.length > 0) await ports.append(fresh);
  return failed;
};
