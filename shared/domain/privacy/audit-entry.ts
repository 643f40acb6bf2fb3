import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';

/*
 * The audit trail: who did what to which resource, when, for what purpose, in which request — and which
 * fields were touched, by name only, never their values. Entries are append-only (S3 Object Lock in AWS,
 * `shared/adapters/s3/audit-log.store.ts`) and hash-chained: every entry of a log segment (the entries one
 * writer appended, in order) carries its sequence number, the hash of the entry before it and its own, so
 * editing, deleting or reordering an entry inside a segment breaks the chain at that point (`verifyChain`).
 *
 * What a chain does not prove: that the newest entries of a segment were not cut off (nothing links to
 * them), or that a whole segment was not removed or rewritten by someone who can recompute SHA-256 —
 * against those the store relies on Object Lock, and a deployment that wants more injects a keyed hash
 * (HMAC-SHA-256 under a secret the writers hold) instead of plain SHA-256.
 */

/** Actions c360 audits; others follow the same `resource.verb` form. */
export const AUDIT_ACTIONS = [
  'customer.read-pii',
  'customer.update',
  'customer.erase',
  'customer.export',
  'customer.unmerge',
  'consent.record',
  'audit.query',
] as const;

export const AUDIT_OUTCOMES = ['succeeded', 'denied', 'failed'] as const;

const code = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9._:@/-]+$/, 'expected letters, digits or . _ : @ / -');

/** A field name: letters, digits and `._-` — which rules out e-mail addresses, phone numbers with `+`… */
const fieldName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'expected a field name');

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in hex');

/** An entry as a caller hands it to the log. */
export const auditEntryDraft = z.strictObject({
  entryId: code(128),
  at: z.iso.datetime({ precision: 3 }),
  actor: z.strictObject({
    /** The authenticated principal (a user pool subject, a function's role). */
    subject: code(256),
    roles: z.array(code(64)).max(32),
  }),
  action: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/, 'expected resource.verb'),
  resource: z.strictObject({
    type: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'expected a resource type'),
    id: code(256),
  }),
  /** Why: a purpose code such as `customer-support`, `fraud-review`, `dsar`. */
  purpose: code(128),
  requestId: code(256),
  /** The fields read or changed, by name only. */
  fields: z.array(fieldName).max(256),
  outcome: z.enum(AUDIT_OUTCOMES),
});
export type AuditEntryDraft = z.infer<typeof auditEntryDraft>;

/** An entry as the log keeps it: the draft and its place in its segment's chain. */
export const auditEntry = z.strictObject({
  ...auditEntryDraft.shape,
  segment: code(128),
  seq: z.int().min(0),
  prevHash: sha256Hex,
  hash: sha256Hex,
});
export type AuditEntry = z.infer<typeof auditEntry>;

/** SHA-256 of a UTF-8 string as lower-case hex (or a keyed hash of the same form); injected. */
export type AuditHash = (input: string) => string;

/** What the first entry of every segment links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** Where a segment's chain continues: the next sequence number and the hash the next entry links to. */
export type ChainHead = { readonly segment: string; readonly seq: number; readonly hash: string };

export const startChain = (segment: string): ChainHead => ({ segment, seq: 0, hash: GENESIS_HASH });

/** The hash of an entry: of its canonical JSON, everything but the hash itself. */
export const auditEntryHash = (
  entry: Omit<AuditEntry, 'hash'> & { readonly hash?: string },
  hash: AuditHash,
): string => {
  const { hash: _own, ...content } = entry;
  return hash(canonicalJson(content));
};

/** Links drafts onto a segment's chain, in the order given; returns the entries and the new head. */
export const chainEntries = (
  head: ChainHead,
  drafts: readonly AuditEntryDraft[],
  hash: AuditHash,
): { readonly entries: AuditEntry[]; readonly head: ChainHead } => {
  let { seq, hash: prevHash } = head;
  const entries = drafts.map((draft): AuditEntry => {
    const linked = { ...draft, segment: head.segment, seq, prevHash };
    const entry = { ...linked, hash: auditEntryHash(linked, hash) };
    seq += 1;
    prevHash = entry.hash;
    return entry;
  });
  return { entries, head: { segment: head.segment, seq, hash: prevHash } };
};

export type ChainBreak = {
  /** Position in the list verified of the first entry that does not fit. */
  readonly index: number;
  readonly entryId: string;
  readonly segment: string;
  /**
   * `edited`: the entry's content does not give its hash. `out-of-sequence`: not the next number of its
   * segment (one before it was deleted, or entries were reordered). `broken-link`: it does not link to the
   * hash of the entry before it (that one was edited and re-hashed, or replaced).
   */
  readonly reason: 'edited' | 'out-of-sequence' | 'broken-link';
};

export type ChainVerification =
  | { readonly ok: true; readonly heads: ReadonlyMap<string, ChainHead> }
  | ({ readonly ok: false } & ChainBreak);

/**
 * Checks entries in the order given: each segment from its start (or from a known head in `from`, to verify
 * a later stretch), every entry intact, numbered one after the other and linked to the one before. Returns
 * the first broken link, or the heads reached. Entries read from a store come in key order, which is time
 * order, not always chain order (a segment's later batch may carry earlier times): sort them by segment and
 * `seq` first — `seq` is hashed, so sorting cannot hide an edit, and a gap still shows as `out-of-sequence`.
 */
export const verifyChain = (
  entries: readonly AuditEntry[],
  hash: AuditHash,
  from: ReadonlyMap<string, ChainHead> = new Map(),
): ChainVerification => {
  const heads = new Map(from);
  for (const [index, entry] of entries.entries()) {
    const head = heads.get(entry.segment) ?? startChain(entry.segment);
    const broken = (reason: ChainBreak['reason']): ChainVerification => ({
      ok: false,
      index,
      entryId: entry.entryId,
      segment: entry.segment,
      reason,
    });
    if (auditEntryHash(entry, hash) !== entry.hash) return broken('edited');
    if (entry.seq !== head.seq) return broken('out-of-sequence');
    if (entry.prevHash !== head.hash) return broken('broken-link');
    heads.set(entry.segment, { segment: entry.segment, seq: entry.seq + 1, hash: entry.hash });
  }
  return { ok: true, heads };
};
