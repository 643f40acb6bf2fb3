/**
 * Encryption of profile PII under a key of its own per customer, so that erasing a person is destroying one
 * key (crypto-shredding): every copy of their sealed values (table, streams, backups, the lake) becomes
 * unreadable at once, wherever it went.
 *
 * A sealed value is an opaque string, bound to its customer and field: it opens only as that field of that
 * customer. Sealing the same plaintext twice gives different strings (sealed values cannot be compared or
 * looked up; identifiers are found by blind index instead).
 */
export type PiiVault = {
  /** Seals one field's value; creates the customer's key on their first seal (and again after `forget`). */
  readonly seal: (customerId: string, field: string, plaintext: string) => Promise<string>;
  /**
   * The plaintext, or `undefined` when the key it was sealed under no longer exists (the customer was
   * forgotten). Throws when the value is malformed, tampered with, or was sealed for another customer or
   * field: that is a bug or an attack, not an erasure.
   */
  readonly open: (customerId: string, field: string, sealed: string) => Promise<string | undefined>;
  /** `seal` for several fields of one customer (one key lookup). */
  readonly sealMany: (
    customerId: string,
    fields: Readonly<Record<string, string>>,
  ) => Promise<Record<string, string>>;
  /** `open` for several fields of one customer (one key lookup); never creates a key. */
  readonly openMany: (
    customerId: string,
    sealed: Readonly<Record<string, string>>,
  ) => Promise<Record<string, string | undefined>>;
  /**
   * Destroys the customer's key: everything sealed for them so far can never be opened again. Idempotent.
   * Nothing is created in its place; a new, unrelated key appears only if data for this id is sealed again.
   */
  readonly forget: (customerId: string) => Promise<void>;
};
