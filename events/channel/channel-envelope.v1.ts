import { z } from 'zod';
import { fastAcceptValidator } from '../zod-fast-accept.validator.ts';
import { parseContract } from '../zod-issue.formatter.ts';

/*
 * channel-envelope v1: one JSON record on the Kinesis ingest stream, as channel systems (POS, call centre,
 * app and mini-program back ends, third-party providers, the collect API) write it.
 *
 * The schema checks structure and types only. Values stay raw — phones with spaces or full-width digits,
 * '2024年1月2日 13:04', '1,299.00' — because the cleaning stage standardises them and keeps the original for
 * audit. Unknown keys are stripped, so producers may add fields before consumers know them.
 * Compatibility: additive changes (new optional fields, new event types) stay v1; anything else is v2.
 */

export const CHANNEL_ENVELOPE_SPEC_VERSION = '1';

export const CHANNELS = [
  'web',
  'app',
  'mini-program',
  'pos',
  'call-centre',
  'import',
  'third-party',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_EVENT_TYPES = [
  'pos.purchase',
  'call-centre.contact',
  'app.event',
  'mini-program.event',
  'third-party.record',
  'segment.message',
] as const;
export type ChannelEventType = (typeof CHANNEL_EVENT_TYPES)[number];

/** The identity keys of `identities`, apart from `custom`. */
export const CHANNEL_IDENTITY_KEYS = [
  'phone',
  'email',
  'deviceId',
  'memberCard',
  'wechatOpenId',
  'wechatUnionId',
  'crmId',
  'userId',
  'anonymousId',
] as const;

/**
 * A custom message for a value of the wrong type; a missing value ('is required') and nested issues such as
 * a bad record key fall through to the contract error map.
 */
const says = (message: string): { error: z.core.$ZodErrorMap } => ({
  error: (issue) =>
    issue.input !== undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')
      ? message
      : undefined,
});
const OBJECT = says('expected an object');

// ASCII and full-width digits: Chinese input methods produce both.
const DIGIT = '[0-9０-９]';
const MAX_ID = 256;

const text = (max: number, what = 'a non-empty string') =>
  z
    .string(says(`expected ${what}`))
    .min(1, 'must not be empty')
    .max(max, `expected at most ${max} characters`);

const TIMESTAMP_MESSAGE =
  "expected a timestamp (ISO-8601, 'YYYY-MM-DD HH:mm:ss', a Chinese date or epoch milliseconds)";
/** A loose timestamp: any string with a digit in it, or a non-negative epoch number. */
const looseTimestamp = z.union(
  [
    z.string(says(TIMESTAMP_MESSAGE)).max(64, TIMESTAMP_MESSAGE).regex(new RegExp(DIGIT), TIMESTAMP_MESSAGE),
    z.number(says(TIMESTAMP_MESSAGE)).nonnegative(TIMESTAMP_MESSAGE),
  ],
  says(TIMESTAMP_MESSAGE),
);

const PHONE_MESSAGE = 'expected a phone number (digits, optionally with +, spaces, dashes or brackets)';
const PHONE_PATTERN = new RegExp(
  `^(?=(?:[^0-9０-９]*${DIGIT}){5})[0-9０-９+＋()（）\\-－–.\\s\\u3000]{5,32}$`,
);
const loosePhone = z.union(
  [
    z.string(says(PHONE_MESSAGE)).regex(PHONE_PATTERN, PHONE_MESSAGE),
    z.number(says(PHONE_MESSAGE)).int(PHONE_MESSAGE).positive(PHONE_MESSAGE),
  ],
  says(PHONE_MESSAGE),
);

const CARD_MESSAGE = 'expected a member card number (string or number)';
const looseMemberCard = z.union(
  [
    z.string(says(CARD_MESSAGE)).min(1, CARD_MESSAGE).max(MAX_ID, CARD_MESSAGE),
    z.number(says(CARD_MESSAGE)).int(CARD_MESSAGE).nonnegative(CARD_MESSAGE),
  ],
  says(CARD_MESSAGE),
);

const AMOUNT_MESSAGE = "expected an amount (a number or a numeric string such as '1,299.00')";
// Optional sign, currency code or symbol before or after, thousands separators, decimal point (ASCII or full-width).
const AMOUNT_PATTERN = new RegExp(
  `^\\s*[-+]?\\s*(?:[A-Z]{3}|[¥￥$€£])?\\s*[-+]?${DIGIT}[0-9０-９,，\\s]*(?:[.．]${DIGIT}*)?\\s*(?:元|[A-Z]{3})?\\s*$`,
);
const looseAmount = z.union(
  [
    z.string(says(AMOUNT_MESSAGE)).max(32, AMOUNT_MESSAGE).regex(AMOUNT_PATTERN, AMOUNT_MESSAGE),
    z.number(says(AMOUNT_MESSAGE)),
  ],
  says(AMOUNT_MESSAGE),
);

const POSITIVE_INT_MESSAGE = 'expected a positive integer';
const loosePositiveInt = z.union(
  [
    z.number(says(POSITIVE_INT_MESSAGE)).int(POSITIVE_INT_MESSAGE).positive(POSITIVE_INT_MESSAGE),
    z
      .string(says(POSITIVE_INT_MESSAGE))
      .regex(/^\s*[0０]*[1-9１-９][0-9０-９]{0,8}\s*$/, POSITIVE_INT_MESSAGE),
  ],
  says(POSITIVE_INT_MESSAGE),
);

const DURATION_MESSAGE = 'expected a non-negative number of seconds';
const looseDuration = z.union(
  [
    z.number(says(DURATION_MESSAGE)).nonnegative(DURATION_MESSAGE),
    z.string(says(DURATION_MESSAGE)).regex(/^\s*[0-9０-９]+(?:[.．][0-9０-９]+)?\s*$/, DURATION_MESSAGE),
  ],
  says(DURATION_MESSAGE),
);

const jsonObject = z.looseObject({}, OBJECT);

const CUSTOM_KEY_MESSAGE = 'expected a key of letters, digits, _ . or - (at most 64)';
const customKey = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, CUSTOM_KEY_MESSAGE);

const identities = z
  .object(
    {
      phone: loosePhone.optional(),
      email: text(320).optional(),
      deviceId: text(MAX_ID).optional(),
      memberCard: looseMemberCard.optional(),
      wechatOpenId: text(MAX_ID).optional(),
      wechatUnionId: text(MAX_ID).optional(),
      crmId: text(MAX_ID).optional(),
      userId: text(MAX_ID).optional(),
      anonymousId: text(MAX_ID).optional(),
      /** Channel-specific identifiers, e.g. `{ taobaoNick: '…' }`; resolved as `custom:<key>`. */
      custom: z.record(customKey, text(MAX_ID), says('expected an object of string identifiers')).optional(),
    },
    OBJECT,
  )
  .refine(
    (ids) =>
      CHANNEL_IDENTITY_KEYS.some((k) => ids[k] !== undefined) || Object.keys(ids.custom ?? {}).length > 0,
    `expected at least one identity (${CHANNEL_IDENTITY_KEYS.join(', ')} or custom)`,
  )
  .meta({ minProperties: 1 });

const traitText = text(1024).optional();
const traits = z.object(
  {
    name: traitText,
    firstName: traitText,
    lastName: traitText,
    gender: traitText,
    birthday: looseTimestamp.optional(),
    address: traitText,
    city: traitText,
    province: traitText,
    country: traitText,
    postcode: z
      .union([z.string().max(16), z.number().int().nonnegative()], says('expected a postcode'))
      .optional(),
    language: traitText,
    custom: z.record(customKey, z.union([z.string().max(1024), z.number(), z.boolean()]), OBJECT).optional(),
  },
  OBJECT,
);

const envelopeFields = {
  specVersion: z.literal(CHANNEL_ENVELOPE_SPEC_VERSION),
  /** Unique per message and stable across retries: consumers de-duplicate on it. */
  messageId: text(128),
  /** The sending system, e.g. `pos-shanghai`, `wecom-callcentre`. */
  source: z
    .string(says('expected a string'))
    .regex(/^[a-z0-9-]{1,64}$/, 'expected 1-64 lower-case letters, digits or dashes'),
  channel: z.enum(CHANNELS),
  occurredAt: looseTimestamp,
  sentAt: looseTimestamp.optional(),
  /** When c360 received it (set by the collect API; the cleaning stage sets it for direct producers). */
  receivedAt: looseTimestamp.optional(),
  identities,
  traits: traits.optional(),
  /** Free-form request context: ip, userAgent, locale, campaign… */
  context: jsonObject.optional(),
};

const variant = <const T extends ChannelEventType, P extends z.ZodType>(type: T, payload: P) =>
  z.object({ ...envelopeFields, type: z.literal(type), payload }, OBJECT);

const posPurchase = z.object(
  {
    orderId: text(128),
    storeId: text(128),
    items: z
      .array(
        z.object(
          {
            sku: text(128),
            name: text(512).optional(),
            category: text(256).optional(),
            quantity: loosePositiveInt,
            unitPrice: looseAmount,
          },
          OBJECT,
        ),
        says('expected an array of items'),
      )
      .min(1, 'expected at least 1 item')
      .max(500, 'expected at most 500 items'),
    total: z.object({ amount: looseAmount, currency: text(8).optional() }, OBJECT),
    paymentMethod: text(64).optional(),
    discount: looseAmount.optional(),
  },
  OBJECT,
);

const callCentreContact = z.object(
  {
    contactId: text(128),
    direction: z.enum(['inbound', 'outbound']),
    reason: text(512).optional(),
    durationSeconds: looseDuration.optional(),
    agentId: text(128).optional(),
    outcome: text(256).optional(),
    complaint: z.boolean().optional(),
    transcriptSummary: text(10_000).optional(),
  },
  OBJECT,
);

const appEvent = z.object(
  { name: text(256), properties: jsonObject.optional(), screen: text(256).optional() },
  OBJECT,
);

const miniProgramEvent = z.object(
  {
    name: text(256),
    appId: text(128).optional(),
    page: text(512).optional(),
    properties: jsonObject.optional(),
  },
  OBJECT,
);

const thirdPartyRecord = z.object(
  { provider: text(128), recordType: text(128), attributes: jsonObject },
  OBJECT,
);

/*
 * A Segment HTTP tracking API message (https://segment.com/docs/connections/spec/common/), as the collect
 * API receives it. Every field of the common spec is accepted on every call; each call type adds what the
 * Segment spec requires of it.
 */
const segmentFields = {
  userId: text(MAX_ID).optional(),
  anonymousId: text(MAX_ID).optional(),
  previousId: text(MAX_ID).optional(),
  groupId: text(MAX_ID).optional(),
  event: text(256).optional(),
  name: text(256).optional(),
  category: text(256).optional(),
  properties: jsonObject.optional(),
  traits: jsonObject.optional(),
  context: jsonObject.optional(),
  timestamp: looseTimestamp.optional(),
  messageId: text(128).optional(),
  integrations: jsonObject.optional(),
};
const SEGMENT_ID_MESSAGE = 'expected userId or anonymousId';
const hasSegmentId = (m: { userId?: string | undefined; anonymousId?: string | undefined }): boolean =>
  m.userId !== undefined || m.anonymousId !== undefined;

export const SEGMENT_MESSAGE_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;

const segmentMessage = z.discriminatedUnion('type', [
  z
    .object({ ...segmentFields, type: z.literal('identify') }, OBJECT)
    .refine(hasSegmentId, SEGMENT_ID_MESSAGE),
  z
    .object({ ...segmentFields, type: z.literal('track'), event: text(256) }, OBJECT)
    .refine(hasSegmentId, SEGMENT_ID_MESSAGE),
  z.object({ ...segmentFields, type: z.literal('page') }, OBJECT).refine(hasSegmentId, SEGMENT_ID_MESSAGE),
  z.object({ ...segmentFields, type: z.literal('screen') }, OBJECT).refine(hasSegmentId, SEGMENT_ID_MESSAGE),
  z
    .object({ ...segmentFields, type: z.literal('group'), groupId: text(MAX_ID) }, OBJECT)
    .refine(hasSegmentId, SEGMENT_ID_MESSAGE),
  z.object(
    { ...segmentFields, type: z.literal('alias'), previousId: text(MAX_ID), userId: text(MAX_ID) },
    OBJECT,
  ),
]);

export const channelEnvelopeV1 = z
  .discriminatedUnion('type', [
    variant('pos.purchase', posPurchase),
    variant('call-centre.contact', callCentreContact),
    variant('app.event', appEvent),
    variant('mini-program.event', miniProgramEvent),
    variant('third-party.record', thirdPartyRecord),
    variant('segment.message', segmentMessage),
  ])
  .meta({
    title: 'c360 channel envelope v1',
    description: 'One record on the c360 Kinesis ingest stream, as written by a channel system.',
  });

export type ChannelEnvelopeV1 = z.infer<typeof channelEnvelopeV1>;
export type ChannelEnvelopeV1Of<T extends ChannelEventType> = Extract<ChannelEnvelopeV1, { type: T }>;
export type ChannelIdentities = ChannelEnvelopeV1['identities'];

export type ChannelEnvelopeParseResult =
  | { readonly ok: true; readonly envelope: ChannelEnvelopeV1 }
  | { readonly ok: false; readonly reasons: string[] };

// Compiled from the schema above: zod's own output for the records it certainly accepts, without zod's cost.
const acceptChannelEnvelope = fastAcceptValidator(channelEnvelopeV1);

/**
 * Validates one decoded record. Never throws; on failure `reasons` are stable `path: message` lines, e.g.
 * `payload.items.0.quantity: expected a positive integer`. Unknown keys are stripped from `envelope`.
 */
export const parseChannelEnvelope = (input: unknown): ChannelEnvelopeParseResult => {
  const accepted = acceptChannelEnvelope(input);
  if (accepted !== undefined) return { ok: true, envelope: accepted };
  const result = parseContract(channelEnvelopeV1, input);
  return result.ok ? { ok: true, envelope: result.value } : result;
};
