import { z } from 'zod';
import { type CHANNEL_EVENT_TYPES, CHANNELS, SEGMENT_MESSAGE_TYPES } from '../channel/channel-envelope.v1.ts';
import { parseContract } from '../zod-issue.formatter.ts';

/*
 * cleaned-event v1: what the cleaning stage hands to identity resolution — one channel envelope after
 * standardisation. This contract is ours end to end, so it is strict: unknown keys fail, every value is
 * already normalised (E.164 phones, lower-case e-mails, UTC timestamps with milliseconds, money in minor
 * units, integer quantities). Compatibility: additive changes stay v1; anything else is v2.
 */

export const CLEANED_EVENT_SPEC_VERSION = '1';

const OPAQUE_IDENTITY_TYPES = [
  'deviceId',
  'memberCard',
  'wechatOpenId',
  'wechatUnionId',
  'crmId',
  'userId',
  'anonymousId',
] as const;
/** Identity types other than `custom:<key>`, in no particular order. */
export const IDENTITY_TYPES = ['phone', 'email', ...OPAQUE_IDENTITY_TYPES] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number] | `custom:${string}`;

/** `2024-01-02T05:04:00.000Z`: UTC, milliseconds, nothing else. */
const utcMillis = z.iso.datetime({
  precision: 3,
  error: 'expected an ISO-8601 UTC timestamp with milliseconds',
});
// Trimmed, non-empty: cleaning never hands on padding.
const trimmed = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^\S(?:[\s\S]*\S)?$/, 'expected a trimmed string');

const identity = z.union([
  z.strictObject({
    type: z.literal('phone'),
    value: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'expected E.164'),
  }),
  z.strictObject({
    type: z.literal('email'),
    value: z
      .email()
      .max(320)
      .regex(/^[^A-Z]+$/, 'expected a lower-case e-mail address'),
  }),
  z.strictObject({ type: z.enum(OPAQUE_IDENTITY_TYPES), value: trimmed(256) }),
  z.strictObject({
    type: z
      .templateLiteral(['custom:', z.string()])
      .check(z.regex(/^custom:[A-Za-z0-9_.-]{1,64}$/, 'expected custom:<key>'))
      .meta({ pattern: '^custom:[A-Za-z0-9_.-]{1,64}$' }),
    value: trimmed(256),
  }),
]);
export type CleanedIdentity = z.infer<typeof identity>;

/** Money in minor units (fen, cents) with its ISO-4217 code: `¥1,299.00` → `{ minor: 129900, currency: 'CNY' }`. */
export const moneyV1 = z.strictObject({
  minor: z.int(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected ISO-4217'),
});
export type MoneyV1 = z.infer<typeof moneyV1>;

const jsonObject = z.record(z.string(), z.unknown());

const payloads = {
  'pos.purchase': z.strictObject({
    orderId: trimmed(128),
    storeId: trimmed(128),
    items: z
      .array(
        z.strictObject({
          sku: trimmed(128),
          name: trimmed(512).optional(),
          category: trimmed(256).optional(),
          quantity: z.int().positive(),
          unitPrice: moneyV1,
        }),
      )
      .min(1)
      .max(500),
    total: moneyV1,
    paymentMethod: trimmed(64).optional(),
    discount: moneyV1.optional(),
  }),
  'call-centre.contact': z.strictObject({
    contactId: trimmed(128),
    direction: z.enum(['inbound', 'outbound']),
    reason: trimmed(512).optional(),
    durationSeconds: z.int().nonnegative().optional(),
    agentId: trimmed(128).optional(),
    outcome: trimmed(256).optional(),
    complaint: z.boolean().optional(),
    transcriptSummary: trimmed(10_000).optional(),
  }),
  'app.event': z.strictObject({
    name: trimmed(256),
    properties: jsonObject.optional(),
    screen: trimmed(256).optional(),
  }),
  'mini-program.event': z.strictObject({
    name: trimmed(256),
    appId: trimmed(128).optional(),
    page: trimmed(512).optional(),
    properties: jsonObject.optional(),
  }),
  'third-party.record': z.strictObject({
    provider: trimmed(128),
    recordType: trimmed(128),
    attributes: jsonObject,
  }),
  // userId / anonymousId moved to `identities`, timestamp to `occurredAt`.
  'segment.message': z.strictObject({
    type: z.enum(SEGMENT_MESSAGE_TYPES),
    event: trimmed(256).optional(),
    name: trimmed(256).optional(),
    category: trimmed(256).optional(),
    groupId: trimmed(256).optional(),
    previousId: trimmed(256).optional(),
    properties: jsonObject.optional(),
    traits: jsonObject.optional(),
    context: jsonObject.optional(),
    integrations: jsonObject.optional(),
  }),
} as const satisfies Record<(typeof CHANNEL_EVENT_TYPES)[number], z.ZodType>;

const cleanedFields = {
  specVersion: z.literal(CLEANED_EVENT_SPEC_VERSION),
  /** The envelope's `messageId`: the de-duplication key downstream. */
  eventId: z.string().min(1).max(128),
  source: z.string().regex(/^[a-z0-9-]{1,64}$/),
  channel: z.enum(CHANNELS),
  occurredAt: utcMillis,
  /** When the cleaning stage read the record from the stream. */
  receivedAt: utcMillis,
  identities: z.array(identity).min(1),
  traits: z.record(z.string().min(1).max(64), z.union([z.string(), z.number(), z.boolean()])),
  /** False when a near-duplicate rule folded this event into an earlier interaction. */
  effective: z.boolean(),
  quality: z.strictObject({
    completeness: z.number().min(0).max(1),
    warnings: z.array(z.string().min(1)),
  }),
};

const variant = <const T extends keyof typeof payloads>(type: T) =>
  z.strictObject({ ...cleanedFields, type: z.literal(type), payload: payloads[type] });

export const cleanedEventV1 = z
  .discriminatedUnion('type', [
    variant('pos.purchase'),
    variant('call-centre.contact'),
    variant('app.event'),
    variant('mini-program.event'),
    variant('third-party.record'),
    variant('segment.message'),
  ])
  .meta({
    title: 'c360 cleaned event v1',
    description: 'A channel envelope after cleaning, as identity resolution receives it.',
  });

export type CleanedEventV1 = z.infer<typeof cleanedEventV1>;

export type CleanedEventParseResult =
  | { readonly ok: true; readonly event: CleanedEventV1 }
  | { readonly ok: false; readonly reasons: string[] };

/** Validates a cleaned event; never throws. Reasons are `path: message` lines. */
export const parseCleanedEvent = (input: unknown): CleanedEventParseResult => {
  const result = parseContract(cleanedEventV1, input);
  return result.ok ? { ok: true, event: result.value } : result;
};
