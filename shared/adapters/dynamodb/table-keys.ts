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
  /** The lineage of an undone merge, under the survivor: who, when, why. */
  customerUnmerge: (survivorId: string, restoredId: string, at: string) => ({
    pk: `CUSTOMER#${survivorId}`,
    sk: `UNMERGE#${restoredId}#${at}`,
  }),
} as const;
