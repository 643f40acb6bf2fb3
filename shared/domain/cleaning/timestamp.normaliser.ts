import { type Normalised, ok, rejected } from './normalised.ts';
import { normaliseText, normaliseWhitespace } from './text.normaliser.ts';

export type TimestampOptions = {
  /** Offset from UTC of local times that carry no zone, e.g. 480 for Asia/Shanghai. */
  readonly defaultTimeZoneOffsetMinutes: number;
  /** Inclusive lower bound (any accepted format; ISO-8601 recommended). */
  readonly notBefore?: string;
  /** Inclusive upper bound; pass the ingestion time to reject future-dated records. */
  readonly notAfter?: string;
};

/** The options themselves are unusable: a programming error, unlike a bad value. */
export class InvalidTimestampOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTimestampOptionsError';
  }
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const MIN_MS = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const MAX_OFFSET_MINUTES = 18 * 60;
// Below this an epoch number is seconds (1e11 s ≈ year 5138); at or above it, milliseconds (≥ 1973-03).
const EPOCH_SECONDS_LIMIT = 1e11;
const MAX_TEXT_LENGTH = 64;

const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/;
// Digit strings that are not 8 or 14 long (compact dates) are epochs; under 9 digits they are noise.
const EPOCH_STRING = /^-?\d{9,13}(?:\.\d{1,9})?$/;
const DATE_TIME =
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:(?:t|\s)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?\s?(z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const MERIDIEM = /上午|下午|\b[ap]\.?m\.?(?=\s|$)/i;

type Fields = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** Minutes east of UTC; undefined means local time. */
  readonly offset: number | undefined;
};

type Parsed =
  | { readonly ms: number }
  | { readonly reason: 'timestamp.unparseable' | 'timestamp.impossible-date' };

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant); Date.UTC maps years 0–99 to 19xx.
const daysFromCivil = (y: number, m: number, d: number): number => {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
};

const toEpochMs = (f: Fields, defaultOffset: number): Parsed => {
  const valid =
    f.month >= 1 &&
    f.month <= 12 &&
    f.day >= 1 &&
    f.day <= daysInMonth(f.year, f.month) &&
    f.hour <= 23 &&
    f.minute <= 59 &&
    f.second <= 59;
  if (!valid) return { reason: 'timestamp.impossible-date' };
  const local =
    daysFromCivil(f.year, f.month, f.day) * MS_PER_DAY +
    ((f.hour * 60 + f.minute) * 60 + f.second) * 1000 +
    f.millisecond;
  return { ms: local - (f.offset ?? defaultOffset) * MS_PER_MINUTE };
};

const parseOffset = (zone: string | undefined): number | undefined | null => {
  if (zone === undefined) return undefined;
  if (/^(?:z|utc|gmt)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  const minutes = Number(m?.[2]) * 60 + Number(m?.[3] ?? 0);
  if (m === null || Number(m[3] ?? 0) > 59 || minutes > MAX_OFFSET_MINUTES) return null;
  return m[1] === '-' ? -minutes : minutes;
};

// Chinese date words become the separators the main pattern knows: 2024年1月2日 13时4分 → 2024-1-2 13:4.
const CHINESE_DATE_WORD = /[年月日号號时時点點分秒]/;
const CHINESE_DATE_WORDS = /[年月日号號时時点點分秒]/g;
const SEPARATOR_OF: Readonly<Record<string, string>> = {
  年: '-',
  月: '-',
  日: ' ',
  号: ' ',
  號: ' ',
  时: ':',
  時: ':',
  点: ':',
  點: ':',
  分: ':',
  秒: '',
};
const separatorOf = (word: string): string => SEPARATOR_OF[word] ?? word;
// Each word maps to one separator and no separator is a word: one pass does what a replace per word would.
const fromChinese = (s: string): string =>
  !CHINESE_DATE_WORD.test(s) ? s : s.replace(CHINESE_DATE_WORDS, separatorOf).replace(/:(?=\s|$)/g, '');

const parseText = (raw: string, defaultOffset: number): Parsed => {
  const text = normaliseText(raw);
  if (text.length > MAX_TEXT_LENGTH) return { reason: 'timestamp.unparseable' };
  const compact = COMPACT_DATE.exec(text);
  if (compact !== null) {
    const [, y, mo, d, h, mi, s] = compact;
    return toEpochMs(
      {
        year: Number(y),
        month: Number(mo),
        day: Number(d),
        hour: Number(h ?? 0),
        minute: Number(mi ?? 0),
        second: Number(s ?? 0),
        millisecond: 0,
        offset: undefined,
      },
      defaultOffset,
    );
  }
  if (EPOCH_STRING.test(text)) return fromEpoch(Number(text));

  const meridiem = MERIDIEM.exec(text)?.[0].toLowerCase();
  const cleaned = normaliseWhitespace(
    fromChinese(meridiem === undefined ? text : text.replace(MERIDIEM, ' ')),
  );
  const m = DATE_TIME.exec(cleaned);
  if (m === null) return { reason: 'timestamp.unparseable' };
  return fromDateTime(m, meridiem, defaultOffset);
};

/** The instant of a DATE_TIME match (or a SIMPLE_DATE_TIME one: same groups), on a 12-hour clock with a meridiem. */
const fromDateTime = (m: RegExpExecArray, meridiem: string | undefined, defaultOffset: number): Parsed => {
  const [, y, , mo, d, h, mi, s, frac, zone] = m;
  const offset = parseOffset(zone);
  if (offset === null) return { reason: 'timestamp.impossible-date' };
  let hour = Number(h ?? 0);
  if (meridiem !== undefined) {
    // 12-hour clock: 12 AM is midnight, 12 PM is noon; `下午 13:04` is already on the 24-hour clock.
    const pm = meridiem === '下午' || meridiem.startsWith('p');
    if (h === undefined || hour < 1 || hour > (pm ? 23 : 12)) return { reason: 'timestamp.impossible-date' };
    if (hour <= 12) hour = (hour % 12) + (pm ? 12 : 0);
  }
  return toEpochMs(
    {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour,
      minute: Number(mi ?? 0),
      second: Number(s ?? 0),
      // Sub-millisecond digits are truncated, never rounded into the next second.
      millisecond: Number((frac ?? '').padEnd(3, '0').slice(0, 3)),
      offset,
    },
    defaultOffset,
  );
};

const fromEpoch = (n: number): Parsed => {
  if (!Number.isFinite(n)) return { reason: 'timestamp.unparseable' };
  return { ms: Math.round(Math.abs(n) < EPOCH_SECONDS_LIMIT ? n * 1000 : n) };
};

const parse = (raw: unknown, defaultOffset: number): Parsed => {
  if (raw instanceof Date) {
    const ms = raw.getTime();
    return Number.isNaN(ms) ? { reason: 'timestamp.unparseable' } : { ms };
  }
  if (typeof raw === 'number') return fromEpoch(raw);
  if (typeof raw === 'string') return parseText(raw, defaultOffset);
  return { reason: 'timestamp.unparseable' };
};

// Bounds repeat across a batch (the same notBefore/notAfter for every record): parse each once.
const boundCache = new Map<string, number>();
const bound = (value: string | undefined, name: string, defaultOffset: number): number | undefined => {
  if (value === undefined) return undefined;
  const key = `${defaultOffset}|${value}`;
  const cached = boundCache.get(key);
  if (cached !== undefined) return cached;
  const parsed = parse(value, defaultOffset);
  if ('reason' in parsed) throw new InvalidTimestampOptionsError(`${name} is not a timestamp: ${value}`);
  if (boundCache.size > 1000) boundCache.clear();
  boundCache.set(key, parsed.ms);
  return parsed.ms;
};

/**
 * Canonicalises a point in time to ISO-8601 UTC with milliseconds (`2024-01-02T03:04:05.000Z`).
 *
 * Accepts ISO-8601 with `Z`/offset, local date-times (`YYYY-MM-DD HH:mm[:ss[.SSS]]`, `/` or `.` separators,
 * `上午/下午`/AM/PM), date-only values (local midnight), `YYYYMMDD` and `YYYYMMDDHHmmss`, Chinese dates
 * (`2024年1月2日 13:04`), full-width digits, epoch seconds or milliseconds as numbers or digit strings (told
 * apart by magnitude: below 1e11 is seconds), and valid `Date` objects. Local times use
 * `defaultTimeZoneOffsetMinutes`. Day-first/month-first forms like `02/01/2024` are ambiguous and rejected.
 *
 * @throws InvalidTimestampOptionsError when the offset or a bound is unusable.
 */
export const normaliseTimestamp = (raw: unknown, opts: TimestampOptions): Normalised<string> => {
  const options = checkedOptions(opts);
  if (typeof raw === 'string') {
    const canonical = CANONICAL.exec(raw);
    if (canonical !== null) {
      // Already what this returns (the form every SDK and the collect API send): validate, don't rebuild.
      const [, y, mo, d, h, mi, sec, milli] = canonical;
      const parsed = toEpochMs(
        {
          year: Number(y),
          month: Number(mo),
          day: Number(d),
          hour: Number(h),
          minute: Number(mi),
          second: Number(sec),
          millisecond: Number(milli),
          offset: 0,
        },
        0,
      );
      return 'reason' in parsed ? rejected(parsed.reason) : inBounds(parsed.ms, options, raw);
    }
    // Plain ASCII date-times (`2024-01-02 13:04:05`, `2024/01/02`): nothing for the general parse to clean.
    const simple = SIMPLE_DATE_TIME.exec(raw);
    if (simple !== null) return fromParsed(fromDateTime(simple, undefined, options.offset), options);
  }
  return normaliseGenerally(raw, options);
};

/** The general parse alone, without the fast paths above: for tests that check they agree with it. */
export const normaliseTimestampGenerally = (raw: unknown, opts: TimestampOptions): Normalised<string> =>
  normaliseGenerally(raw, checkedOptions(opts));

const normaliseGenerally = (raw: unknown, options: CheckedOptions): Normalised<string> => {
  if (typeof raw === 'string' && normaliseWhitespace(raw) === '') return rejected('timestamp.empty');
  return fromParsed(parse(raw, options.offset), options);
};

const fromParsed = (parsed: Parsed, options: CheckedOptions): Normalised<string> =>
  'reason' in parsed ? rejected(parsed.reason) : inBounds(parsed.ms, options);

// The canonical output form: 2024-01-02T03:04:05.000Z.
const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
/*
 * The ASCII subset of DATE_TIME with the same groups: no whitespace to collapse, no full-width digits, no
 * Chinese date words, no meridiem, one optional `Z` or numeric zone. A string it matches is left unchanged by
 * every step the general parse takes before DATE_TIME, and DATE_TIME matches it with the same groups.
 */
const SIMPLE_DATE_TIME =
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[Tt ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

const inBounds = (ms: number, options: CheckedOptions, canonical?: string): Normalised<string> => {
  const { notBefore, notAfter } = options;
  if (ms < MIN_MS || ms > MAX_MS) return rejected('timestamp.out-of-range');
  if ((notBefore !== undefined && ms < notBefore) || (notAfter !== undefined && ms > notAfter)) {
    return rejected('timestamp.out-of-range');
  }
  return ok(canonical ?? toIsoString(ms));
};

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `new Date(ms).toISOString()` for whole milliseconds in years 0001–9999, without a Date (which costs a
 * microsecond per call). Days to a civil date after H. Hinnant, as `daysFromCivil` in reverse.
 */
export const toIsoString = (ms: number): string => {
  if (!Number.isInteger(ms) || ms < MIN_MS || ms > MAX_MS) return new Date(ms).toISOString();
  const days = Math.floor(ms / MS_PER_DAY);
  const time = ms - days * MS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const milli = time % 1000;
  const second = Math.floor(time / 1000) % 60;
  const minute = Math.floor(time / 60_000) % 60;
  const hour = Math.floor(time / 3_600_000);
  return (
    `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.` +
    `${milli < 100 ? (milli < 10 ? '00' : '0') : ''}${milli}Z`
  );
};

type CheckedOptions = {
  readonly offset: number;
  readonly notBefore: number | undefined;
  readonly notAfter: number | undefined;
};
// Callers pass one options object for a whole batch: check it and parse its bounds once.
const checked = new WeakMap<TimestampOptions, CheckedOptions>();
const checkedOptions = (opts: TimestampOptions): CheckedOptions => {
  const known = checked.get(opts);
  if (known !== undefined) return known;
  const offset = opts.defaultTimeZoneOffsetMinutes;
  if (!Number.isInteger(offset) || Math.abs(offset) > MAX_OFFSET_MINUTES) {
    throw new InvalidTimestampOptionsError(`defaultTimeZoneOffsetMinutes out of range: ${offset}`);
  }
  const result = {
    offset,
    notBefore: bound(opts.notBefore, 'notBefore', offset),
    notAfter: bound(opts.notAfter, 'notAfter', offset),
  };
  checked.set(opts, result);
  return result;
};
