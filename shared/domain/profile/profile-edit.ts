import { fieldVisibility, PERSONAL_FIELDS } from '../access/access-policy.ts';
import { normaliseGender } from '../cleaning/gender.normaliser.ts';
import { type Normalised, STANDARD_TRAITS } from '../cleaning/normalised.ts';
import { normaliseCountry, normaliseProvince } from '../cleaning/region.normaliser.ts';
import { normaliseName, normaliseText } from '../cleaning/text.normaliser.ts';
import { normaliseTimestamp } from '../cleaning/timestamp.normaliser.ts';
import type { TraitValue } from './customer-profile.ts';

/*
 * What a person may change by hand, and how their values are standardised: the same trait vocabulary and
 * the same normalisers as the cleaning stage, so an agent's `徐汇区 漕溪北路８８号` is stored as the channel
 * data would be and compares equal to it.
 */

/** The traits cleaning produces, which an edit may set; plus `custom.<key>`. */
export const EDITABLE_TRAITS = STANDARD_TRAITS;

/** Every name an edit may set, as one pattern (custom keys as cleaning keeps them). */
export const EDITABLE_TRAIT_NAME = new RegExp(
  `^(?:${EDITABLE_TRAITS.join('|')}|custom\\.[A-Za-z0-9_.-]{1,57})$`,
);

const MAX_TEXT = 512;

const text = (raw: TraitValue): Normalised<string> => {
  if (typeof raw !== 'string' && typeof raw !== 'number') return { ok: false, reason: 'text.invalid' };
  const t = normaliseText(String(raw));
  return t.length === 0 ? { ok: false, reason: 'text.empty' } : { ok: true, value: t.slice(0, MAX_TEXT) };
};

/** Where standardising needs more than the value: the time (birthdays are not in the future), a country. */
export type EditContext = {
  readonly now: string;
  /** The country provinces are read in: the edit's own, else the profile's, else the deployment's region. */
  readonly country: string;
};

const standardise = (name: string, raw: TraitValue, ctx: EditContext): Normalised<TraitValue> => {
  switch (name) {
    case 'name':
    case 'firstName':
    case 'lastName':
      return normaliseName(raw);
    case 'gender':
      return normaliseGender(raw);
    case 'birthday': {
      const b = normaliseTimestamp(raw, {
        defaultTimeZoneOffsetMinutes: 0,
        notBefore: '1900-01-01',
        notAfter: ctx.now,
      });
      return b.ok ? { ok: true, value: b.value.slice(0, 10) } : b;
    }
    case 'country':
      return normaliseCountry(raw);
    case 'province':
      return normaliseProvince(raw, ctx.country);
    default:
      // custom.<key>: numbers and booleans as they are, text standardised like any free text.
      return name.startsWith('custom.') && typeof raw !== 'string' ? { ok: true, value: raw } : text(raw);
  }
};

/**
 * The edit's trait values standardised, or one `name: reason` per value that cannot be (the whole edit is
 * then refused). A name outside the vocabulary is refused too.
 */
export const standardiseTraitEdits = (
  traits: Readonly<Record<string, TraitValue>>,
  ctx: EditContext,
):
  | { readonly ok: true; readonly traits: Readonly<Record<string, TraitValue>> }
  | { readonly ok: false; readonly problems: readonly string[] } => {
  const out: [string, TraitValue][] = [];
  const problems: string[] = [];
  // The edit's country first: a province in the same edit is read in it.
  const country = Object.hasOwn(traits, 'country') ? traits.country : undefined;
  const c = country === undefined ? undefined : normaliseCountry(country);
  const context = c?.ok ? { ...ctx, country: c.value } : ctx;
  for (const [name, raw] of Object.entries(traits)) {
    if (!EDITABLE_TRAIT_NAME.test(name)) {
      problems.push(`${name}: not a trait that can be edited`);
      continue;
    }
    const result = standardise(name, raw, context);
    if (result.ok) out.push([name, result.value]);
    else problems.push(`${name}: ${result.reason}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, traits: Object.fromEntries(out) };
};

/**
 * The personal fields among `names` that a caller with these roles may not change: one may overwrite only
 * what one sees in clear (sales, who see a name masked, may not replace it). Other traits and tags are
 * open to every holder of `customers:write`.
 */
export const fieldsNotWritable = (roles: readonly string[], names: readonly string[]): string[] =>
  names
    .filter(
      (n) => (PERSONAL_FIELDS as readonly string[]).includes(n) && fieldVisibility(roles, n) !== 'clear',
    )
    .sort();
