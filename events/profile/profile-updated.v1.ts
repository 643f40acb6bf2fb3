import { z } from 'zod';
import { parseContract } from '../zod-issue.formatter.ts';

/*
 * profile-updated v1 (detail-type `ProfileUpdated`, source `c360`): a customer's Profile 360 changed.
 * Emitted only when something changed: at least one trait, computed trait or tag. Pseudonymous: trait and
 * computed-trait *names*, tag names, ids and times — never a value (no names, phones, e-mails, birthdays,
 * addresses); a consumer that needs values reads the profile through the API. Compatibility: additive
 * changes stay v1; anything else is v2.
 */
export const PROFILE_UPDATED_DETAIL_TYPE = 'ProfileUpdated';

export const TAG_FAMILIES = ['basic', 'behaviour', 'value', 'predictive'] as const;
/**
 * What made the profile change: a cleaned event, a merge of customers, a scheduled re-evaluation of
 * time-based tags, a rebuild from the event history, or a person's edit through the API (`edit`, added in
 * v1: consumers that switch on the cause must let unknown causes through).
 */
export const PROFILE_UPDATE_CAUSES = ['event', 'merge', 'refresh', 'rebuild', 'edit'] as const;

const utcMillis = z.iso.datetime({
  precision: 3,
  error: 'expected an ISO-8601 UTC timestamp with milliseconds',
});
const customerId = z.string().min(1).max(128);
const tagName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a kebab-case tag name');

export const profileUpdatedV1 = z
  .strictObject({
    specVersion: z.literal('1'),
    customerId,
    /** The profile's version after the change; strictly increasing per customer, not necessarily by 1. */
    version: z.int().positive(),
    cause: z.enum(PROFILE_UPDATE_CAUSES),
    /** The cleaned event behind a `event` update. */
    eventId: z.string().min(1).max(128).optional(),
    /** The customers absorbed by a `merge` update. */
    mergedCustomerIds: z.array(customerId).min(1).optional(),
    /** Names of traits whose value changed, e.g. `city`, `custom.wechatSubscribed`. */
    changedTraits: z.array(z.string().min(1).max(64)).max(256),
    /** Names of computed traits that changed, e.g. `purchaseCount`, `spend`, `lastSeen`. */
    changedComputed: z.array(z.string().regex(/^[A-Za-z]{1,64}$/, 'expected a computed-trait name')).max(64),
    tagsAdded: z.array(
      z.strictObject({ name: tagName, family: z.enum(TAG_FAMILIES), weight: z.number().min(0).max(1) }),
    ),
    tagsRemoved: z.array(tagName),
    /** When what caused the change happened: the event's time, or the merge's. */
    occurredAt: utcMillis,
    /** When the profile was updated. */
    updatedAt: utcMillis,
  })
  .refine(
    (e) => e.changedTraits.length + e.changedComputed.length + e.tagsAdded.length + e.tagsRemoved.length > 0,
    'no change: ProfileUpdated is emitted only when something changed',
  )
  .refine((e) => e.cause !== 'event' || e.eventId !== undefined, {
    message: 'an event update names its eventId',
    path: ['eventId'],
  })
  .meta({
    title: 'c360 profile updated v1',
    description: "A customer's Profile 360 changed: what changed, by name, never a value.",
  });
export type ProfileUpdatedV1 = z.infer<typeof profileUpdatedV1>;

export const parseProfileUpdated = (
  input: unknown,
):
  | { readonly ok: true; readonly event: ProfileUpdatedV1 }
  | { readonly ok: false; readonly reasons: string[] } => {
  const result = parseContract(profileUpdatedV1, input);
  return result.ok ? { ok: true, event: result.value } : result;
};
