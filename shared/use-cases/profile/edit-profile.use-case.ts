import { followMerges } from '../../domain/identity/identity-graph.ts';
import type { CustomerProfile, TraitValue } from '../../domain/profile/customer-profile.ts';
import {
  applyManualEdit,
  type ProfileConfig,
  type ProfileUpdate,
} from '../../domain/profile/profile.updater.ts';
import { profileUpdatedEvent } from '../../domain/profile/profile-change.ts';
import { fieldsNotWritable, standardiseTraitEdits } from '../../domain/profile/profile-edit.ts';
import type { ProfilePorts } from './update-profile.use-case.ts';

export type EditProfilePorts = {
  /** The customer record, and whether it was merged into another. */
  readonly customer: (customerId: string) => Promise<{ readonly mergedInto?: string } | undefined>;
  readonly profiles: ProfilePorts;
};

export type EditProfileSettings = {
  readonly profile: ProfileConfig;
  /** The country provinces are read in when neither the edit nor the profile names one. */
  readonly defaultRegion: string;
};

/** What to change (the API's body, `shared/api/profile.schemas.ts`). */
export type ProfileEditRequest = {
  readonly traits?: Readonly<Record<string, TraitValue>>;
  readonly tags?: { readonly add?: readonly string[]; readonly remove?: readonly string[] };
};

export type EditProfileInput = {
  readonly customerId: string;
  /** The caller's roles: they decide which personal fields the caller may change. */
  readonly roles: readonly string[];
  /** The edit's id, kept as the provenance of each trait it sets (the request id). */
  readonly editId: string;
  readonly body: ProfileEditRequest;
  /** `If-Match`: the profile versions the caller accepts (none matches: 412); absent, any version. */
  readonly ifMatch?: readonly number[];
};

export type EditProfileOutcome =
  | {
      readonly kind: 'updated' | 'unchanged';
      readonly customerId: string;
      /** The id asked for, when it was merged into `customerId`. */
      readonly mergedFrom?: string;
      readonly profile: CustomerProfile;
      /** What the edit changed, by name: traits, and `tags.<name>` for each manual tag added or removed. */
      readonly fields: readonly string[];
    }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] }
  | { readonly kind: 'forbidden'; readonly fields: readonly string[] }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'precondition-failed'; readonly version: number }
  | { readonly kind: 'conflict'; readonly field: string; readonly detail: string };

export class EditContentionError extends Error {
  override readonly name = 'EditContentionError';
}

const MAX_ATTEMPTS = 5;

/** The customer an id stands for now, following merges as GET /customers/{id} does. */
const survivorOf = async (customerId: string, ports: EditProfilePorts): Promise<string | undefined> => {
  const { customerId: id, record } = await followMerges(customerId, ports.customer);
  return record ? id : undefined;
};

const fieldsOf = (update: ProfileUpdate): string[] => [
  ...update.changes.traits,
  ...update.changes.tagsAdded.filter((t) => t.manual === true).map((t) => `tags.${t.name}`),
  // Removed tags are names only: a removed manual tag is one the edit asked to remove.
];

/**
 * Primary course:
 * 1. Refuse personal fields the caller does not see in clear (before anything is read).
 * 2. Follow a merged id to its survivor; an unknown customer, or one without a profile (erased), is not found.
 * 3. Check `If-Match` against the profile's version.
 * 4. Standardise the values as cleaning does; apply the edit by trait precedence (manual source, now) and
 *    add or remove manual tags — all or nothing.
 * 5. Write the profile (PII sealed) and ProfileUpdated v1 (cause `edit`) in one conditional write. Without
 *    `If-Match` a concurrent write means: read again and re-apply; with it, 412.
 */
export const editProfile = async (
  input: EditProfileInput,
  ports: EditProfilePorts,
  settings: EditProfileSettings,
  now: () => string,
): Promise<EditProfileOutcome> => {
  const traitNames = Object.keys(input.body.traits ?? {});
  const forbidden = fieldsNotWritable(input.roles, traitNames);
  if (forbidden.length > 0) return { kind: 'forbidden', fields: forbidden };

  const customerId = await survivorOf(input.customerId, ports);
  if (customerId === undefined) return { kind: 'not-found' };
  const mergedFrom = customerId === input.customerId ? {} : { mergedFrom: input.customerId };
  const removeTags = input.body.tags?.remove ?? [];

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // An erasure deletes the profile (after destroying the keys): nothing to edit, and no new key is made.
    const stored = await ports.profiles.load(customerId);
    if (!stored) return { kind: 'not-found' };
    if (input.ifMatch && !input.ifMatch.includes(stored.version))
      return { kind: 'precondition-failed', version: stored.version };

    const at = now();
    const country = stored.traits.country?.value;
    const values = standardiseTraitEdits(input.body.traits ?? {}, {
      now: at,
      country: typeof country === 'string' ? country : settings.defaultRegion,
    });
    if (!values.ok) return { kind: 'invalid', problems: values.problems };
    const update = applyManualEdit(
      stored,
      { editId: input.editId, traits: values.traits, addTags: input.body.tags?.add ?? [], removeTags },
      settings.profile,
      at,
    );
    if (update.kind === 'refused') return { kind: 'conflict', field: update.field, detail: update.detail };
    if (update.kind !== 'updated')
      return { kind: 'unchanged', customerId, ...mergedFrom, profile: stored, fields: [] };

    const published = profileUpdatedEvent(update.profile, update.changes, { kind: 'edit', occurredAt: at });
    const saved = await ports.profiles.save({
      expectedVersion: stored.version,
      profile: update.profile,
      ...(published ? { published } : {}),
    });
    if (saved) {
      const removed = update.changes.tagsRemoved.filter((t) => removeTags.includes(t));
      return {
        kind: 'updated',
        customerId,
        ...mergedFrom,
        profile: update.profile,
        fields: [...fieldsOf(update), ...removed.map((t) => `tags.${t}`)],
      };
    }
    if (input.ifMatch) {
      const current = await ports.profiles.load(customerId);
      return { kind: 'precondition-failed', version: current?.version ?? stored.version };
    }
  }
  throw new EditContentionError(`profile of ${customerId} kept changing; retry later`);
};
