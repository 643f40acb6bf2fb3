import {
  CHANNEL_IDENTITY_KEYS,
  type ChannelEnvelopeV1,
  parseChannelEnvelope,
} from '../../../events/channel/channel-envelope.v1.ts';
import type { CleanedEventV1, CleanedIdentity, MoneyV1 } from '../../../events/cleaning/cleaned-event.v1.ts';
import { type EmailRules, normaliseEmail } from './email.normaliser.ts';
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

const QUALITY_FIELD_SET: ReadonlySet<string> = new Set(QUALITY_FIELDS);

type Json = Record<string, unknown>;
const NO_TRAITS: Json = Object.freeze({});
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const text = (x: unknown): string | undefined => {
  if (typeof x !== 'string' && typeof x !== 'number') return undefined;
  const t = normaliseText(String(x));
  return t.length > 0 ? t : undefined;
};

const GENDERS: Readonly<Record<string, 'female' | 'male' | 'other'>> = {
  f: 'female',
  female: 'female',
  woman: 'female',
  女: 'female',
  女性: 'female',
  m: 'male',
  male: 'male',
  man: 'male',
  男: 'male',
  男性: 'male',
  other: 'other',
  其他: 'other',
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
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { kind: 'rejected', reasons: ['envelope.malformed-json'], ...hints(data) };
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
  return cleanParsed(parsed.envelope, receivedAt, config);
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

const cleanParsed = (e: ChannelEnvelopeV1, receivedAt: string, config: CleaningConfig): CleaningOutcome => {
  const warnings: string[] = [];
  const fail = (reasons: string[]): CleaningOutcome => ({
    kind: 'rejected',
    reasons,
    messageId: e.messageId,
    source: e.source,
  });
  const tsOptions = timestampOptions(receivedAt, config);
  const occurredAt = normaliseTimestamp(e.occurredAt, tsOptions);
  if (!occurredAt.ok) return fail([`occurredAt: ${occurredAt.reason}`]);
  const received = e.receivedAt === undefined ? undefined : normaliseTimestamp(e.receivedAt, tsOptions);

  const segment = e.type === 'segment.message' ? e.payload : undefined;
  const segmentTraits: Json = segment
    ? {
        ...(isObject(segment.context) && isObject(segment.context.traits) ? segment.context.traits : {}),
        ...(isObject(segment.traits) ? segment.traits : {}),
      }
    : NO_TRAITS;

  // Identities: each standardised; a bad one is dropped with a warning, but an event needs one good one.
  const identities: CleanedIdentity[] = [];
  const identityErrors: string[] = [];
  let phoneCountry: string | undefined;
  const addIdentity = (type: string, raw: unknown) => {
    if (raw === undefined || raw === null || raw === '') return;
    const standard = standardiseIdentifier(type, raw, config);
    if (standard.ok && standard.value.country) phoneCountry ??= standard.value.country;
    const value: Normalised<string> = standard.ok ? { ok: true, value: standard.value.value } : standard;
    if (!value.ok) {
      identityErrors.push(`identities.${type}: ${value.reason}`);
      return;
    }
    if (!identities.some((i) => i.type === type && i.value === value.value))
      identities.push({ type, value: value.value } as CleanedIdentity);
  };
  const ids = e.identities;
  for (const type of CHANNEL_IDENTITY_KEYS) addIdentity(type, ids[type]);
  for (const [k, v] of Object.entries(ids.custom ?? {})) addIdentity(`custom:${k}`, v);
  if (segment) {
    addIdentity('email', segmentTraits.email);
    addIdentity('phone', segmentTraits.phone);
  }
  if (identities.length === 0)
    return fail(identityErrors.length > 0 ? identityErrors : ['identities: none usable']);
  warnings.push(...identityErrors);

  // Traits.
  const rawTraits: Json = segment ? { ...segmentTraits, ...(e.traits ?? {}) } : (e.traits ?? NO_TRAITS);
  const traits: Record<string, string | number | boolean> = {};
  const trait = (key: string, result: Normalised<string> | undefined) => {
    if (!result) return;
    if (result.ok) traits[key] = result.value;
    else warnings.push(`traits.${key}: ${result.reason}`);
  };
  const present = (k: string) => rawTraits[k] !== undefined && rawTraits[k] !== null && rawTraits[k] !== '';
  for (const k of ['name', 'firstName', 'lastName'] as const)
    if (present(k)) trait(k, normaliseName(rawTraits[k]));
  if (!traits.name && (traits.firstName || traits.lastName)) {
    const first = String(traits.firstName ?? '');
    const last = String(traits.lastName ?? '');
    // Chinese names are written family name first, without a space.
    traits.name = /\p{Script=Han}/u.test(first + last) ? `${last}${first}` : `${first} ${last}`.trim();
  }
  if (present('gender')) {
    const g = GENDERS[String(text(rawTraits.gender) ?? '').toLowerCase()];
    if (g) traits.gender = g;
    else warnings.push('traits.gender: gender.unknown');
  }
  if (present('birthday')) {
    const b = normaliseTimestamp(rawTraits.birthday, birthdayOptions(receivedAt));
    trait('birthday', b.ok ? { ok: true, value: b.value.slice(0, 10) } : b);
  }
  const address = isObject(rawTraits.address) ? rawTraits.address : { street: rawTraits.address };
  if (address.street !== undefined) trait('address', textResult(address.street));
  const country = present('country') ? rawTraits.country : address.country;
  if (country !== undefined) trait('country', normaliseCountry(country));
  // Derivable: the country of a phone number.
  if (!traits.country && phoneCountry) traits.country = phoneCountry;
  const province = present('province') ? rawTraits.province : (address.state ?? address.province);
  if (province !== undefined && province !== null && province !== '')
    trait('province', normaliseProvince(province, String(traits.country ?? config.defaultRegion)));
  const city = rawTraits.city ?? address.city;
  if (city !== undefined) trait('city', textResult(city));
  const postcode = rawTraits.postcode ?? rawTraits.postalCode ?? address.postalCode;
  if (postcode !== undefined) trait('postcode', textResult(postcode));
  if (present('language')) trait('language', textResult(rawTraits.language));
  for (const [k, v] of Object.entries(e.traits?.custom ?? {}))
    if (/^[A-Za-z0-9_.-]{1,57}$/.test(k)) traits[`custom.${k}`] = typeof v === 'string' ? (text(v) ?? '') : v;

  const payload = cleanPayload(e, config, warnings);
  if ('reasons' in payload) return fail(payload.reasons);

  const fields = new Set<string>();
  for (const field of [
    ...identities.map((i) => `identity.${i.type}`),
    ...Object.keys(traits).map((k) => `trait.${k}`),
  ])
    if (QUALITY_FIELD_SET.has(field)) fields.add(field);
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
    quality: { completeness: fields.size / QUALITY_FIELDS.length, warnings },
  } as CleanedEventV1;
  return { kind: 'cleaned', event, fields: [...fields] };
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
    const p = normalisePhoneWithCountry(raw, { defaultRegion: config.defaultRegion });
    return p.ok
      ? { ok: true, value: { value: p.value.e164, ...(p.value.country ? { country: p.value.country } : {}) } }
      : p;
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

const cleanPayload = (
  e: ChannelEnvelopeV1,
  config: CleaningConfig,
  warnings: string[],
): { value: CleanedEventV1['payload'] } | { reasons: string[] } => {
  switch (e.type) {
    case 'pos.purchase': {
      const p = e.payload;
      const currency = p.total.currency ?? config.defaultCurrency;
      const money = (amount: unknown, where: string): MoneyV1 | string => {
        const m = normaliseMoney(amount, currency, { defaultCurrency: config.defaultCurrency });
        return m.ok ? m.value : `${where}: ${m.reason}`;
      };
      const reasons: string[] = [];
      const items = p.items.map((item, i) => {
        const unitPrice = money(item.unitPrice, `payload.items.${i}.unitPrice`);
        if (typeof unitPrice === 'string') reasons.push(unitPrice);
        return defined({
          sku: trimmed(item.sku, 128) ?? '',
          name: trimmed(item.name, 512),
          category: trimmed(item.category),
          quantity: Number.parseInt(toHalfWidth(String(item.quantity)), 10),
          unitPrice: unitPrice as MoneyV1,
        });
      });
      const total = money(p.total.amount, 'payload.total');
      if (typeof total === 'string') reasons.push(total);
      const discount = p.discount === undefined ? undefined : money(p.discount, 'payload.discount');
      if (typeof discount === 'string') reasons.push(discount);
      if (reasons.length > 0) return { reasons };
      return {
        value: defined({
          orderId: trimmed(p.orderId, 128) ?? '',
          storeId: trimmed(p.storeId, 128) ?? '',
          items,
          total: total as MoneyV1,
          paymentMethod: trimmed(p.paymentMethod, 64),
          discount: discount as MoneyV1 | undefined,
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
        ? Object.fromEntries(Object.entries(p.traits).filter(([k]) => !SEGMENT_PII_TRAITS.has(k)))
        : undefined;
      // The IP and the traits copy in context identify a person: they stay out of what is kept.
      const context = isObject(p.context)
        ? Object.fromEntries(Object.entries(p.context).filter(([k]) => k !== 'ip' && k !== 'traits'))
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
