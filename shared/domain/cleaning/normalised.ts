/**
 * Every machine-readable reason a normaliser can reject a value with. Reasons are stable: pipelines count
 * and route on them, so rename only with a migration.
 */
export const NORMALISATION_REASONS = [
  /** Not a string (or a type the field never carries). */
  'name.invalid',
  /** Nothing left after trimming whitespace and invisible characters. */
  'name.empty',
  /** An identifier (device id, member card, …) that is empty once whitespace is normalised. */
  'identity.empty',
  /** A text value (address, city, …) that is empty once whitespace is normalised. */
  'text.empty',
  /** A gender value that maps to none of female, male, other. */
  'gender.unknown',
  'phone.empty',
  /** Letters, too short/long, or digits that no numbering plan allows. */
  'phone.invalid',
  /** Has an extension (`ext. 12`, `转 8001`): a switchboard is not a personal identifier. */
  'phone.has-extension',
  'email.empty',
  /** Fails the pragmatic address syntax, or is a display-name form we do not extract. */
  'email.invalid',
  'timestamp.empty',
  /** No accepted format matches. */
  'timestamp.unparseable',
  /** Well-formed but not a calendar date or clock time (2024-02-30, 25:00). */
  'timestamp.impossible-date',
  /** Outside `[notBefore, notAfter]`, or outside years 0001–9999. */
  'timestamp.out-of-range',
  'money.empty',
  /** NaN, Infinity, or an amount format we do not accept unambiguously. */
  'money.invalid-amount',
  /** The amount in minor units is not a safe integer. */
  'money.out-of-range',
  /** A currency code, symbol or word that is not in the ISO 4217 table. */
  'money.unknown-currency',
  /** No currency in the amount, the currency field, or the default. */
  'money.missing-currency',
  /** The amount's symbol and the currency field disagree (`€12` with `USD`). */
  'money.currency-conflict',
  'country.empty',
  'country.unknown',
  'province.empty',
  'province.unknown',
  /** An ISO 3166-2 code whose country part is not the given country. */
  'province.country-mismatch',
] as const;

export type NormalisationReason = (typeof NORMALISATION_REASONS)[number];

/** The outcome of normalising one raw field: the canonical value, or why it was rejected. */
export type Normalised<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** Wraps a canonical value. */
export const ok = <T>(value: T): Normalised<T> => ({ ok: true, value });

/** Rejects with a documented reason code, so a typo in a code fails the type check. */
export const rejected = <T = never>(reason: NormalisationReason): Normalised<T> => ({ ok: false, reason });

/**
 * The traits cleaning standardises (beside identities and `custom.*`): what an import may map a column to
 * and what an agent may edit by hand.
 */
export const STANDARD_TRAITS = [
  'name',
  'firstName',
  'lastName',
  'gender',
  'birthday',
  'address',
  'city',
  'province',
  'country',
  'postcode',
  'language',
] as const;
