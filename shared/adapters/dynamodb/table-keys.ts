/**
 * Key patterns of the single table, in one place. Entities are namespaced by prefix; `#` separates parts.
 * GSI1 answers "which item has this identifier/hash?" lookups.
 */
export const keys = {
  source: (name: string) => ({ pk: `SOURCE#${name}`, sk: 'SOURCE' }),
  writeKey: (hash: string) => ({ pk: `WRITEKEY#${hash}`, sk: 'WRITEKEY' }),
  cleanedEvent: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'CLEANED' }),
  quarantined: (source: string, messageId: string) => ({
    pk: `QUARANTINE#${source}#${messageId}`,
    sk: 'QUARANTINE',
  }),
  interaction: (key: string) => ({ pk: `INTERACTION#${key}`, sk: 'LAST' }),
  qualityDay: (source: string, day: string) => ({ pk: `QUALITY#${source}`, sk: `DAY#${day}` }),
  /** Domain events waiting to be published (the transactional outbox), read from the table stream. */
  outbox: (id: string) => ({ pk: `OUTBOX#${id}`, sk: 'OUTBOX' }),
  identifier: (type: string, hash: string) => ({ pk: `ID#${type}#${hash}`, sk: 'ID' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  customerLink: (customerId: string, type: string, hash: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `LINK#${type}#${hash}`,
  }),
  customerMerge: (survivorId: string, mergedId: string) => ({
    pk: `CUSTOMER#${survivorId}`,
    sk: `MERGE#${mergedId}`,
  }),
  /** The Profile 360 of a customer: traits (PII sealed), computed traits, tags. */
  customerProfile360: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'P360' }),
  /** One event of a customer: its pseudonymous timeline entry and the sealed source event (for rebuilds). */
  customerEvent: (customerId: string, occurredAt: string, eventId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `EVT#${occurredAt}#${eventId}`,
  }),
  /** Real-time blocking for probabilistic matching: customers sharing a (hashed) blocking key. */
  block: (hash: string, customerId: string) => ({ pk: `BLOCK#${hash}`, sk: `CUSTOMER#${customerId}` }),
  /** The back reference of a blocking key under its customer, so an erasure finds every `BLOCK#` item. */
  customerBlock: (customerId: string, hash: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `BLOCK#${hash}`,
  }),
  /** A suggested match waiting for review, one per pair of customers. */
  suggestedMatch: (pairKey: string) => ({ pk: `SUGGEST#${pairKey}`, sk: 'SUGGEST' }),
  /** The lineage of an undone merge, under the survivor: who, when, why. */
  customerUnmerge: (survivorId: string, restoredId: string, at: string) => ({
    pk: `CUSTOMER#${survivorId}`,
    sk: `UNMERGE#${restoredId}#${at}`,
  }),
  /** A customer's scores: churn, RFM tier, segment, lifetime value, memberships (see score.repository). */
  customerScores: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'SCORES' }),
  /** A segment member, in one of the segment's write shards. */
  segmentMember: (segment: string, shard: number, customerId: string) => ({
    pk: `SEGMENT#${segment}#${shard}`,
    sk: `CUSTOMER#${customerId}`,
  }),
  /** The member count of one write shard of a segment. */
  segmentCount: (segment: string, shard: number) => ({ pk: `SEGMENT#${segment}#${shard}`, sk: 'COUNT' }),
  /** The catalogue of segments (a handful of items, written when models are published). */
  segmentCatalogue: (segment: string) => ({ pk: 'SEGMENTS', sk: `SEGMENT#${segment}` }),
  /** Progress of one scan segment of a batch-scoring run. */
  scoringRun: (runId: string, segment: number) => ({ pk: `SCORING#${runId}`, sk: `SEGMENT#${segment}` }),
  /** One record of a customer's consent ledger (append-only; the state is a fold of them). */
  consentRecord: (
    customerId: string,
    purpose: string,
    channel: string,
    occurredAt: string,
    recordId: string,
  ) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `CONSENT#${purpose}#${channel}#${occurredAt}#${recordId}`,
  }),
  /**
   * The first response to a POST under an `Idempotency-Key` (Powertools idempotency record; the key is
   * already a hash of caller, route and header value). One partition per key: no hot partition.
   */
  idempotency: (hashedKey: string) => ({ pk: `IDEMPOTENCY#${hashedKey}`, sk: 'IDEMPOTENCY' }),
  /** A consent record by its client-supplied id: the guard that stores each record once. */
  consentRecordId: (customerId: string, recordId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `CONSENTID#${recordId}`,
  }),
  /** A data-subject request (export or erasure): its status, counts and receipt. */
  subjectRequest: (requestId: string) => ({ pk: `DSR#${requestId}`, sk: 'DSR' }),
  /** Where the audit writer put an entry (a log object's key): a redelivered entry is not appended twice. */
  auditEntryPlaced: (entryId: string) => ({ pk: `AUDITENTRY#${entryId}`, sk: 'PLACED' }),
} as const;
