import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { type IdentityRules, linkingIdentifiers } from '../../domain/identity/identity-graph.ts';
import {
  comparisonTraitsOfEvent,
  matchProbabilistically,
  type ProbabilisticMatch,
  type ProbabilisticMatchOptions,
  type ProbabilisticMatchPorts,
} from '../identity/match-probabilistically.use-case.ts';
import {
  type IdentityGraphPorts,
  type Resolution,
  resolveIdentity,
} from '../identity/resolve-identity.use-case.ts';
import {
  mergeCustomerProfiles,
  ProfileOfErasedCustomerError,
  type ProfilePorts,
  type ProfileSettings,
  updateProfile,
} from './update-profile.use-case.ts';

export type ProcessCleanedEventPorts = {
  readonly identity: IdentityGraphPorts;
  readonly profiles: ProfilePorts;
  /** Probabilistic matching for this event (its merges are recorded with the event as evidence). */
  readonly matching: (event: CleanedEventV1) => ProbabilisticMatchPorts;
};

export type ProcessCleanedEventSettings = {
  readonly rules: IdentityRules;
  readonly profile: ProfileSettings;
  readonly matching?: ProbabilisticMatchOptions;
};

export type ProcessedEvent =
  | { readonly kind: 'skipped'; readonly reason: string }
  | {
      readonly kind: 'processed';
      readonly customerId: string;
      readonly resolution: Resolution;
      readonly match: ProbabilisticMatch | undefined;
    };

const COMPARED = ['name', 'birthday', 'address', 'postcode'] as const;

/**
 * What happens to each cleaned event, on arrival. Primary course:
 * 1. Resolve its identity deterministically (strong identifiers; merges into the oldest customer).
 * 2. If customers were merged, the survivor's profile absorbs theirs.
 * 3. Fold the event into the customer's profile and history (ProfileUpdated v1 when something changed).
 * 4. If it carries a name, birthday, address or postcode: probabilistic matching against customers
 *    sharing a blocking key — a sure match merges (the profiles follow), a likely one is queued for review.
 */
export const processCleanedEvent = async (
  event: CleanedEventV1,
  ports: ProcessCleanedEventPorts,
  settings: ProcessCleanedEventSettings,
  now: () => string,
): Promise<ProcessedEvent> => {
  const resolution = await resolveIdentity(event, settings.rules, ports.identity);
  if (resolution.kind === 'skipped') return resolution;
  const { customerId } = resolution;
  try {
    if (resolution.kind === 'linked' && resolution.mergedCustomerIds.length > 0)
      await mergeCustomerProfiles(
        customerId,
        resolution.mergedCustomerIds,
        ports.profiles,
        settings.profile,
        now(),
      );

    const identifiers = linkingIdentifiers(event.identities, settings.rules).map((i) => ({
      type: i.type,
      hash: ports.identity.blindIndex('identity', `${i.type}:${i.value}`),
    }));
    await updateProfile({ event, customerId, identifiers }, ports.profiles, settings.profile, now());
  } catch (error) {
    // Resolved to a customer an erasure reached before the profile was written: the person asked for
    // everything to go, so the event is not kept (nor matched).
    if (error instanceof ProfileOfErasedCustomerError) return { kind: 'skipped', reason: 'customer erased' };
    throw error;
  }

  const traits = comparisonTraitsOfEvent(event, settings.rules);
  const comparable = COMPARED.some((t) => (traits[t]?.length ?? 0) > 0);
  const match = comparable
    ? await matchProbabilistically({ event, customerId }, ports.matching(event), settings.matching)
    : undefined;
  return {
    kind: 'processed',
    customerId: match?.kind === 'matched' ? match.customerId : customerId,
    resolution,
    match,
  };
};
