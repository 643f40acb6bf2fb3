import {
  CHANNEL_IDENTITY_KEYS,
  type ChannelEnvelopeV1,
  parseChannelEnvelope,
} from '../../../events/channel/channel-envelope.v1.ts';
import type { CleanedEventV1, CleanedIdentity, MoneyV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { type EmailRules, normaliseEmail } from './email.normaliser.ts';
import { normaliseGender } from './gender.normaliser.ts';
import { normaliseMoney } from './money.normaliser.ts';
import type { Normalised } from './normalised.ts';
import { type CountryCode, normalisePhoneWithCountry } from './phone.normaliser.ts';
import { normaliseCountry, normaliseProvince } from './region.normaliser.ts';
import { normaliseName, normaliseText, toHalfWidth } from './text.normaliser.ts';
import { normaliseTimestamp, type TimestampOptions } from './timestamp.normaliser.ts';

/** How a deployment standardises its channels' data. */
export type CleaningConfig = {
  /** Region for phone numbers written without a country code. */
  readonly defaultRegion: CountryCode;
  /** Offset of local times without a zone, e.g. 480 for China Standard Time. */
  readonly defaultTimeZoneOffsetMinutes: number;
  readonly emailRules: EmailRules;
  /** Currency when a record names none. */
  readonly defaultCurrency: string;
  /** Largest accepted envelope (UTF-8 bytes); Segment's per-event limit by default. */
  readonly maxEnvelopeBytes: number;
  /** Earliest plausible event time; later than `receivedAt` + `maxClockSkewMs` is refused too. */
  readonly notBefore: string;
  readonly maxClockSkewMs: number;
};

export const DEFAULT_CLEANING_CONFIG: CleaningConfig = {
  defaultRegion: 'CN',
  defaultTimeZoneOffsetMinutes: 480,
  emailRules: {},
  defaultCurrency: 'CNY',
  maxEnvelopeBytes: 32 * 1024,
  notBefore: '2000-01-01T00:00:00Z',
  maxClockSkewMs: 24 * 3600_000,
};

export type CleaningOutcome =
  | { readonly kind: 'cleaned'; readonly event: CleanedEventV1; readonly fields: readonly string[] }
  | {
      readonly kind: 'rejected';
      readonly reasons: readonly string[];
      readonly messageId?: string;
      readonly source?: string;
    };

/** Fields whose presence the data-quality report measures (completeness per source). */
export const QUALITY_FIELDS = [
  'identity.phone',
  'identity.email',
  'identity.userId',
  'identity.deviceId',
  'identity.memberCard',
  'identity.wechatOpenId',
  'trait.name',
  'trait.gender',
  'trait.birthday',
  'trait.city',
  'trait.province',
  'trait.country',
] as const;

type Json = Record<string, unknown>;
const NO_TRAITS: Json = Object.freeze({});
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const text = (x: unknown): string | undefined => {
  if (typeof x !== 'string' && typeof x !== 'number') return undefined;
  const t = normaliseText(String(x));
  return t.length > 0 ? t : undefined;
};

/**
 * The one cleaning path every channel goes through: size, JSON, schema, then each value standardised.
 * Pure and total: never throws, returns either a CleanedEvent v1 or the reasons it was refused.
 * A value that cannot be standardised is dropped with a warning, unless the event cannot stand without it
 * (event time, money, every identity).
 */
export const cleanEnvelope = (data: string, receivedAt: string, config: CleaningConfig): CleaningOutcome => {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only a long string needs counting.
  const bytes = data.length * 3 <= config.maxEnvelopeBytes ? data.length : Buffer.byteLength(data, 'utf8');
  if (bytes > config.maxEnvelopeBytes)
    return {
      kind: 'rejected',
      reasons: [`envelope.too-large: ${bytes} bytes, limit ${config.maxEnvelopeBytes}`],
      ...hints(data),
    };
  // A truncated record is the usual malformed one: refused without JSON.parse throwing (microseconds each).
  if (isTruncatedObject(data)) return malformed(data);
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return malformed(data);
  }
  const parsed = parseChannelEnvelope(json);
  if (!parsed.ok) {
    const hint = isObject(json) ? json : {};
    return {
      kind: 'rejected',
      reasons: parsed.reasons.map((r) => `schema: ${r}`),
      ...(typeof hint.messageId === 'string' ? { messageId: hint.messageId } : {}),
      ...(typeof hint.source === 'string' ? { source: hint.source } : {}),
    };
  }
  return cleanValidatedEnvelope(parsed.envelope, receivedAt, config);
};

const malformed = (data: string): CleaningOutcome => ({
  kind: 'rejected',
  reasons: ['envelope.malformed-json'],
  ...hints(data),
});

const isJsonWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** Opens an object (after JSON whitespace) but does not close one: JSON.parse would certainly throw. */
const isTruncatedObject = (data: string): boolean => {
  let first = 0;
  while (first < data.length && isJsonWhitespace(data.charCodeAt(first))) first++;
  if (data.charCodeAt(first) !== 0x7b) return false;
  let last = data.length - 1;
  while (last > first && isJsonWhitespace(data.charCodeAt(last))) last--;
  return last === first || data.charCodeAt(last) !== 0x7d;
};

/**
 * Best-effort source and message id of a record that cannot be parsed, so its quarantine is attributed to
 * the right source (and a redelivery of it is recognised) rather than to 'unknown'.
 */
const hints = (data: string): { messageId?: string; source?: string } => {
  const head = data.slice(0, 4096);
  const messageId = /"messageId"\s*:\s*"([^"\\]{1,128})"/.exec(head)?.[1];
  const source = /"source"\s*:\s*"([a-z0-9-]{1,64})"/.exec(head)?.[1];
  return { ...(messageId ? { messageId } : {}), ...(source ? { source } : {}) };
};

// A batch shares one receivedAt and config: build its timestamp bounds once, not per record.
let lastBounds: { receivedAt: string; config: CleaningConfig; options: TimestampOptions } | undefined;
const timestampOptions = (receivedAt: string, config: CleaningConfig): TimestampOptions => {
  if (lastBounds?.receivedAt !== receivedAt || lastBounds.config !== config)
    lastBounds = {
      receivedAt,
      config,
      options: {
        defaultTimeZoneOffsetMinutes: config.defaultTimeZoneOffsetMinutes,
        notBefore: config.notBefore,
        notAfter: new Date(Date.parse(receivedAt) + config.maxClockSkewMs).toISOString(),
      },
    };
  return lastBounds.options;
};

let lastBirthday: { receivedAt: string; options: TimestampOptions } | undefined;
const birthdayOptions = (receivedAt: string): TimestampOptions => {
  if (lastBirthday?.receivedAt !== receivedAt)
    lastBirthday = {
      receivedAt,
      options: { defaultTimeZoneOffsetMinutes: 0, notBefore: '1900-01-01', notAfter: receivedAt },
    };
  return lastBirthday.options;
};

const rejectedEnvelope = (e: ChannelEnvelopeV1, reasons: string[]): CleaningOutcome => ({
  kind: 'rejected',
  reasons,
  messageId: e.messageId,
  source: e.source,
});

/** The identities of one event, standardised and de-duplicated in the order they were found. */
type IdentityState = {
  readonly identities: CleanedIdentity[];
  readonly errors: string[];
  phoneCountry: string | undefined;
};

// Each standardised; a bad one is dropped with a warning, but an event needs one good one.
const addIdentity = (state: IdentityState, type: string, raw: unknown, config: CleaningConfig): void => {
  if (raw === undefined || raw === null || raw === '') return;
  const standard = standardiseIdentifier(type, raw, config);
  if (!standard.ok) {
    state.errors.push(`identities.${type}: ${standard.reason}`);
    return;
  }
  const { value, country } = standard.value;
  if (country) state.phoneCountry ??= country;
  for (const known of state.identities) if (known.type === type && known.value === value) return;
  state.identities.push({ type, value } as CleanedIdentity);
};

const isPresent = (x: unknown): boolean => x !== undefined && x !== null && x !== '';

type Traits = Record<string, string | number | boolean>;
const setTrait = (traits: Traits, warnings: string[], key: string, result: Normalised<string>): void => {
  if (result.ok) traits[key] = result.value;
  else warnings.push(`traits.${key}: ${result.reason}`);
};

const NAME_KEYS = ['name', 'firstName', 'lastName'] as const;
const HAN = /\p{Script=Han}/u;
const CUSTOM_TRAIT_KEY = /^[A-Za-z0-9_.-]{1,57}$/;

/** The quality field an identity type or a trait key counts towards, by its prefix in QUALITY_FIELDS. */
const qualityFields = (prefix: string): ReadonlyMap<string, string> =>
  new Map(QUALITY_FIELDS.filter((f) => f.startsWith(prefix)).map((f) => [f.slice(prefix.length), f]));
const IDENTITY_QUALITY_FIELDS = qualityFields('identity.');
const TRAIT_QUALITY_FIELDS = qualityFields('trait.');

/** The part of {@link cleanEnvelope} after the schema: an envelope `parseChannelEnvelope` accepted, standardised. */
export const cleanValidatedEnvelope = (
  e: ChannelEnvelopeV1,
  receivedAt: string,
  config: CleaningConfig,
): CleaningOutcome => {
  const warnings: string[] = [];
  const tsOptions = timestampOptions(receivedAt, config);
  const occurredAt = normaliseTimestamp(e.occurredAt, tsOptions);
  if (!occurredAt.ok) return rejectedEnvelope(e, [`occurredAt: ${occurredAt.reason}`]);
  const received = e.receivedAt === undefined ? undefined : normaliseTimestamp(e.receivedAt, tsOptions);

  const segment = e.type === 'segment.message' ? e.payload : undefined;
  const segmentTraits: Json = segment
    ? {
        ...(isObject(segment.context) && isObject(segment.context.traits) ? segment.context.traits : {}),
        ...(isObject(segment.traits) ? segment.traits : {}),
      }
    : NO_TRAITS;

  const state: IdentityState = { identities: [], errors: [], phoneCountry: undefined };
  const ids = e.identities;
  for (const type of CHANNEL_IDENTITY_KEYS) addIdentity(state, type, ids[type], config);
  if (ids.custom !== undefined)
    for (const k of Object.keys(ids.custom)) addIdentity(state, `custom:${k}`, ids.custom[k], config);
  if (segment) {
    addIdentity(state, 'email', segmentTraits.email, config);
    addIdentity(state, 'phone', segmentTraits.phone, config);
  }
  const { identities, errors: identityErrors, phoneCountry } = state;
  if (identities.length === 0)
    return rejectedEnvelope(e, identityErrors.length > 0 ? identityErrors : ['identities: none usable']);
  for (const error of identityErrors) warnings.push(error);

  // Traits.
  const rawTraits: Json = segment ? { ...segmentTraits, ...(e.traits ?? {}) } : (e.traits ?? NO_TRAITS);
  const traits: Traits = {};
  for (const k of NAME_KEYS)
    if (isPresent(rawTraits[k])) setTrait(traits, warnings, k, normaliseName(rawTraits[k]));
  if (!traits.name && (traits.firstName || traits.lastName)) {
    const first = String(traits.firstName ?? '');
    const last = String(traits.lastName ?? '');
    // Chinese names are written family name first, without a space.
    traits.name = HAN.test(first + last) ? `${last}${first}` : `${first} ${last}`.trim();
  }
  if (isPresent(rawTraits.gender)) {
    const g = normaliseGender(text(rawTraits.gender) ?? '');
    if (g.ok) traits.gender = g.value;
    else warnings.push(`traits.gender: ${g.reason}`);
  }
  if (isPresent(rawTraits.birthday)) {
    const b = normaliseTimestamp(rawTraits.birthday, birthdayOptions(receivedAt));
    setTrait(traits, warnings, 'birthday', b.ok ? { ok: true, value: b.value.slice(0, 10) } : b);
  }
  // An address is an object of parts, or just its street.
  const address = isObject(rawTraits.address) ? rawTraits.address : undefined;
  const street = address === undefined ? rawTraits.address : address.street;
  if (street !== undefined) setTrait(traits, warnings, 'address', textResult(street));
  const country = isPresent(rawTraits.country) ? rawTraits.country : address?.country;
  if (country !== undefined) setTrait(traits, warnings, 'country', normaliseCountry(country));
  // Derivable: the country of a phone number.
  if (!traits.country && phoneCountry) traits.country = phoneCountry;
  const province = isPresent(rawTraits.province) ? rawTraits.province : (address?.state ?? address?.province);
  if (isPresent(province))
    setTrait(
      traits,
      warnings,
      'province',
      normaliseProvince(province, String(traits.country ?? config.defaultRegion)),
    );
  const city = rawTraits.city ?? address?.city;
  if (city !== undefined) setTrait(traits, warnings, 'city', textResult(city));
  const postcode = rawTraits.postcode ?? rawTraits.postalCode ?? address?.postalCode;
  if (postcode !== undefined) setTrait(traits, warnings, 'postcode', textResult(postcode));
  if (isPresent(rawTraits.language)) setTrait(traits, warnings, 'language', textResult(rawTraits.language));
  const custom = e.traits?.custom;
  if (custom !== undefined)
    for (const k of Object.keys(custom)) {
      const v = custom[k] as string | number | boolean;
      if (CUSTOM_TRAIT_KEY.test(k)) traits[`custom.${k}`] = typeof v === 'string' ? (text(v) ?? '') : v;
    }

  const payload = cleanPayload(e, config, warnings);
  if ('reasons' in payload) return rejectedEnvelope(e, payload.reasons);

  const fields: string[] = [];
  for (const i of identities) addQualityField(fields, IDENTITY_QUALITY_FIELDS.get(i.type));
  for (const k of Object.keys(traits)) addQualityField(fields, TRAIT_QUALITY_FIELDS.get(k));
  const event = {
    specVersion: '1',
    eventId: e.messageId,
    type: e.type,
    source: e.source,
    channel: e.channel,
    occurredAt: occurredAt.value,
    receivedAt: received?.ok ? received.value : receivedAt,
    identities,
    traits,
    payload: payload.value,
    effective: true,
    quality: { completeness: fields.length / QUALITY_FIELDS.length, warnings },
  } as CleanedEventV1;
  return { kind: 'cleaned', event, fields };
};

const addQualityField = (fields: string[], field: string | undefined): void => {
  if (field !== undefined && !fields.includes(field)) fields.push(field);
};

/**
 * An identifier as the identity graph keys it: phones in E.164 (with their country), e-mails by the
 * deployment's rules, other identifiers half-width and whitespace-normalised. Cleaning and lookups both
 * use it, so a lookup finds exactly what cleaning stored.
 */
export const standardiseIdentifier = (
  type: string,
  raw: unknown,
  config: CleaningConfig = DEFAULT_CLEANING_CONFIG,
): Normalised<{ readonly value: string; readonly country?: string }> => {
  if (type === 'phone') {
    // The config is the phone options (its defaultRegion): no options object per identifier.
    const p = normalisePhoneWithCountry(raw, config);
    if (!p.ok) return p;
    const { e164, country } = p.value;
    return { ok: true, value: country ? { value: e164, country } : { value: e164 } };
  }
  if (type === 'email') {
    const e = normaliseEmail(raw, config.emailRules);
    return e.ok ? { ok: true, value: { value: e.value } } : e;
  }
  const t = text(raw);
  return t === undefined
    ? { ok: false, reason: 'identity.empty' }
    : { ok: true, value: { value: t.slice(0, 256) } };
};

const textResult = (x: unknown): Normalised<string> => {
  const t = text(x);
  return t === undefined ? { ok: false, reason: 'text.empty' } : { ok: true, value: t.slice(0, 512) };
};

const trimmed = (x: unknown, max = 256): string | undefined => text(x)?.slice(0, max);
/** The object without its undefined values: optional output fields are absent, never `undefined`. */
const defined = <T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } => {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
};

/** Segment payload keys kept; identifying traits were lifted into identities/traits and are not repeated. */
const SEGMENT_PII_TRAITS = new Set([
  'email',
  'phone',
  'name',
  'firstName',
  'lastName',
  'birthday',
  'address',
  'gender',
]);

/** An amount in the order's currency, or undefined with the reason added to `reasons`. */
const money = (
  amount: unknown,
  currency: string,
  config: CleaningConfig,
  where: string,
  reasons: string[],
): MoneyV1 | undefined => {
  const m = normaliseMoney(amount, currency, config);
  if (m.ok) return m.value;
  reasons.push(`${where}: ${m.reason}`);
  return undefined;
};

type CleanedPurchaseItem = Extract<CleanedEventV1, { type: 'pos.purchase' }>['payload']['items'][number];

const isKeptSegmentTrait = ([k]: [string, unknown]): boolean => !SEGMENT_PII_TRAITS.has(k);
const isKeptSegmentContext = ([k]: [string, unknown]): boolean => k !== 'ip' && k !== 'traits';

const cleanPayload = (
  e: ChannelEnvelopeV1,
  config: CleaningConfig,
  warnings: string[],
): { value: CleanedEventV1['payload'] } | { reasons: string[] } => {
  switch (e.type) {
    case 'pos.purchase': {
      const p = e.payload;
      const currency = p.total.currency ?? config.defaultCurrency;
      const reasons: string[] = [];
      const items: CleanedPurchaseItem[] = [];
      for (let i = 0; i < p.items.length; i++) {
        const item = p.items[i] as (typeof p.items)[number];
        const unitPrice = money(item.unitPrice, currency, config, `payload.items.${i}.unitPrice`, reasons);
        items.push(
          defined({
            sku: trimmed(item.sku, 128) ?? '',
            name: trimmed(item.name, 512),
            category: trimmed(item.category),
            quantity: Number.parseInt(toHalfWidth(String(item.quantity)), 10),
            unitPrice: unitPrice as MoneyV1,
          }),
        );
      }
      const total = money(p.total.amount, currency, config, 'payload.total', reasons);
      const discount =
        p.discount === undefined
          ? undefined
          : money(p.discount, currency, config, 'payload.discount', reasons);
      if (reasons.length > 0) return { reasons };
      return {
        value: defined({
          orderId: trimmed(p.orderId, 128) ?? '',
          storeId: trimmed(p.storeId, 128) ?? '',
          items,
          total: total as MoneyV1,
          paymentMethod: trimmed(p.paymentMethod, 64),
          discount,
        }),
      };
    }
    case 'call-centre.contact': {
      const p = e.payload;
      const duration =
        p.durationSeconds === undefined
          ? undefined
          : Math.round(Number(toHalfWidth(String(p.durationSeconds))));
      return {
        value: defined({
          contactId: trimmed(p.contactId, 128) ?? '',
          direction: p.direction,
          reason: trimmed(p.reason, 512),
          durationSeconds: Number.isFinite(duration) ? duration : undefined,
          agentId: trimmed(p.agentId, 128),
          outcome: trimmed(p.outcome),
          complaint: p.complaint,
          transcriptSummary: trimmed(p.transcriptSummary, 10_000),
        }),
      };
    }
    case 'app.event':
      return {
        value: defined({
          name: trimmed(e.payload.name) ?? '',
          properties: e.payload.properties,
          screen: trimmed(e.payload.screen),
        }),
      };
    case 'mini-program.event':
      return {
        value: defined({
          name: trimmed(e.payload.name) ?? '',
          appId: trimmed(e.payload.appId, 128),
          page: trimmed(e.payload.page, 512),
          properties: e.payload.properties,
        }),
      };
    case 'third-party.record':
      return {
        value: {
          provider: trimmed(e.payload.provider, 128) ?? '',
          recordType: trimmed(e.payload.recordType, 128) ?? '',
          attributes: e.payload.attributes,
        },
      };
    case 'segment.message': {
      const p = e.payload as Json & { type: string };
      const traits = isObject(p.traits)
        ? Object.fromEntries(Object.entries(p.traits).filter(isKeptSegmentTrait))
        : undefined;
      // The IP and the traits copy in context identify a person: they stay out of what is kept.
      const context = isObject(p.context)
        ? Object.fromEntries(Object.entries(p.context).filter(isKeptSegmentContext))
        : undefined;
      if (isObject(p.context) && 'ip' in p.context) warnings.push('payload.context.ip: dropped');
      return {
        value: defined({
          type: p.type,
          event: trimmed(p.event),
          name: trimmed(p.name),
          category: trimmed(p.category),
          groupId: trimmed(p.groupId),
          previousId: trimmed(p.previousId),
          properties: isObject(p.properties) ? p.properties : undefined,
          traits: traits,
          context: context,
          integrations: isObject(p.integrations) ? p.integrations : undefined,
        }) as CleanedEventV1['payload'],
      };
    }
  }
};
