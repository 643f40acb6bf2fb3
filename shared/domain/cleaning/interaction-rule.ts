import type { CleanedEventV1 } from '../../../events/cleaning/cleaned-event.v1.ts';

/**
 * A near-duplicate rule for interactions: events of these types from the same customer on the same channel
 * within the window count as one effective interaction (the first); later ones are kept but not effective.
 */
export type InteractionRule = { readonly types: readonly string[]; readonly windowDays: number };

/** The seed's example: one effective call-centre contact per customer and channel per 15 days. */
export const DEFAULT_INTERACTION_RULES: readonly InteractionRule[] = [
  { types: ['call-centre.contact'], windowDays: 15 },
];

/** Strongest identifier first: it stands for "the same customer" before identity resolution has run. */
const CUSTOMER_KEY_ORDER = [
  'userId',
  'crmId',
  'memberCard',
  'phone',
  'email',
  'wechatUnionId',
  'wechatOpenId',
  'deviceId',
  'anonymousId',
];

/**
 * The rule's key for an event (a blind index, so no identifier is stored in clear), or undefined when no
 * rule covers the event type.
 */
export const interactionKeyOf = (
  event: CleanedEventV1,
  rules: readonly InteractionRule[],
  blindIndex: (purpose: string, value: string) => string,
): { readonly key: string; readonly windowMs: number } | undefined => {
  const rule = rules.find((r) => r.types.includes(event.type));
  if (!rule) return undefined;
  const identity = CUSTOMER_KEY_ORDER.map((t) => event.identities.find((i) => i.type === t)).find(Boolean);
  if (!identity) return undefined;
  const who = blindIndex('interaction', `${identity.type}:${identity.value}`);
  return { key: `${who}#${event.channel}#${event.type}`, windowMs: rule.windowDays * 86_400_000 };
};
