import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import type { ProfileUpdatedV1 } from '../../../events/profile/profile-updated.v1.ts';
import { type CustomerProfile, emptyProfile } from '../../domain/profile/customer-profile.ts';
import {
  applyEvent,
  DEFAULT_PROFILE_CONFIG,
  mergeProfiles,
  type ProfileConfig,
  type ProfileUpdate,
  rebuildProfile,
} from '../../domain/profile/profile.updater.ts';
import { profileUpdatedEvent } from '../../domain/profile/profile-change.ts';
import {
  DEFAULT_TIMELINE_CONFIG,
  type TimelineConfig,
  type TimelineEntry,
  timelineEntryOf,
} from '../../domain/profile/profile-timeline.ts';
import type { IdentifierKey } from '../identity/resolve-identity.use-case.ts';

/** An event as a customer's history keeps it: the timeline entry, its identifiers (hashed) and itself. */
export type CustomerEventRecord = {
  readonly customerId: string;
  readonly event: CleanedEventV1;
  readonly entry: TimelineEntry | undefined;
  readonly identifiers: readonly IdentifierKey[];
};

export type ProfileSave = {
  /** The stored version this change was computed from (undefined: no profile stored yet). */
  readonly expectedVersion: number | undefined;
  readonly profile: CustomerProfile;
  readonly record?: CustomerEventRecord;
  /** Published through the outbox in the same write, only when something changed. */
  readonly published?: ProfileUpdatedV1;
};

export type ProfilePorts = {
  readonly load: (customerId: string) => Promise<CustomerProfile | undefined>;
  /**
   * Writes atomically if the stored version is still `expectedVersion`; false when it moved (retry). Throws
   * `ProfileOfErasedCustomerError` when the customer was erased (checked in the same write).
   */
  readonly save: (change: ProfileSave) => Promise<boolean>;
};

export type ProfileSettings = { readonly profile: ProfileConfig; readonly timeline: TimelineConfig };

export const DEFAULT_PROFILE_SETTINGS: ProfileSettings = {
  profile: DEFAULT_PROFILE_CONFIG,
  timeline: DEFAULT_TIMELINE_CONFIG,
};

export class ProfileContentionError extends Error {
  override readonly name = 'ProfileContentionError';
}

/** The customer was erased while the change was on its way: nothing of it may be stored. */
export class ProfileOfErasedCustomerError extends Error {
  override readonly name = 'ProfileOfErasedCustomerError';
  constructor(readonly customerId: string) {
    super(`Customer ${customerId} was erased; the profile change is dropped`);
  }
}

const MAX_ATTEMPTS = 10;

/** Read, change, write conditionally; again from a fresh read when someone else wrote first. */
const withRetry = async (
  customerId: string,
  ports: ProfilePorts,
  change: (
    stored: CustomerProfile | undefined,
  ) => { update: ProfileUpdate; save: Omit<ProfileSave, 'expectedVersion' | 'profile'> } | undefined,
): Promise<ProfileUpdate | undefined> => {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await ports.load(customerId);
    const next = change(stored);
    if (next === undefined) return undefined;
    if (await ports.save({ expectedVersion: stored?.version, profile: next.update.profile, ...next.save }))
      return next.update;
  }
  throw new ProfileContentionError(`profile of ${customerId} kept changing; retry later`);
};

/**
 * Primary course:
 * 1. Read the customer's profile (PII opened).
 * 2. Fold the event in: traits by source precedence, computed traits, tags. A redelivered event changes
 *    nothing and is not stored again.
 * 3. Write the profile, the event's record for the customer's history (timeline entry + sealed event, for
 *    rebuilds) and — only when something changed — ProfileUpdated v1, in one conditional write.
 */
export const updateProfile = (
  input: {
    readonly event: CleanedEventV1;
    readonly customerId: string;
    readonly identifiers: readonly IdentifierKey[];
  },
  ports: ProfilePorts,
  settings: ProfileSettings,
  now: string,
): Promise<ProfileUpdate | undefined> => {
  const { event, customerId } = input;
  return withRetry(customerId, ports, (stored) => {
    const update = applyEvent(stored ?? customerId, event, settings.profile, now);
    if (update.kind === 'duplicate') return undefined;
    const published = profileUpdatedEvent(update.profile, update.changes, {
      kind: 'event',
      eventId: event.eventId,
      occurredAt: event.occurredAt,
    });
    return {
      update,
      save: {
        record: {
          customerId,
          event,
          entry: timelineEntryOf(customerId, event, settings.timeline, now),
          identifiers: input.identifiers,
        },
        ...(published ? { published } : {}),
      },
    };
  });
};

/** After identity resolution merged customers: the survivor's profile absorbs theirs. */
export const mergeCustomerProfiles = async (
  survivorId: string,
  absorbedIds: readonly string[],
  ports: ProfilePorts,
  settings: ProfileSettings,
  now: string,
): Promise<ProfileUpdate | undefined> => {
  const absorbed = (await Promise.all(absorbedIds.map((id) => ports.load(id)))).flatMap((p) => p ?? []);
  if (absorbed.length === 0) return undefined;
  return withRetry(survivorId, ports, (stored) => {
    let update: ProfileUpdate | undefined;
    let current = stored;
    for (const other of absorbed) {
      update = mergeProfiles(current ?? emptyProfile(survivorId, now), other, settings.profile, now);
      current = update.profile;
    }
    if (!update) return undefined;
    const published = profileUpdatedEvent(update.profile, update.changes, {
      kind: 'merge',
      mergedCustomerIds: absorbedIds,
      occurredAt: now,
    });
    return { update, save: published ? { published } : {} };
  });
};

/** A profile rebuilt from scratch from the customer's events (after an unmerge). */
export const rebuildCustomerProfile = (
  customerId: string,
  events: readonly CleanedEventV1[],
  ports: ProfilePorts,
  settings: ProfileSettings,
  now: string,
): Promise<ProfileUpdate | undefined> =>
  withRetry(customerId, ports, (stored) => {
    const update = rebuildProfile(customerId, events, settings.profile, now, stored);
    const published = profileUpdatedEvent(update.profile, update.changes, {
      kind: 'rebuild',
      occurredAt: now,
    });
    return { update, save: published ? { published } : {} };
  });
