import type { CustomerProfile, TraitEntry } from './customer-profile.ts';

/**
 * Traits that identify a person directly. They are stored sealed under the customer's own key (erasure
 * destroys that key), never in clear; everything else in a profile is pseudonymous.
 */
export const PII_TRAITS: ReadonlySet<string> = new Set([
  'name',
  'firstName',
  'lastName',
  'birthday',
  'address',
  'postcode',
]);

type Traits = Readonly<Record<string, TraitEntry>>;

/** A profile split into what may be stored in clear and the PII traits to seal. */
export const splitPii = (
  profile: CustomerProfile,
): { readonly clear: CustomerProfile; readonly pii: Traits } => {
  const clear: Record<string, TraitEntry> = {};
  const pii: Record<string, TraitEntry> = {};
  for (const [k, v] of Object.entries(profile.traits)) (PII_TRAITS.has(k) ? pii : clear)[k] = v;
  return { clear: { ...profile, traits: clear }, pii };
};

/** The profile again, from its clear part and its opened PII (absent when the key was destroyed). */
export const joinPii = (clear: CustomerProfile, pii: Traits | undefined): CustomerProfile => ({
  ...clear,
  traits: { ...clear.traits, ...(pii ?? {}) },
});
