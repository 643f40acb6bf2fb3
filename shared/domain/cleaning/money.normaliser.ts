import { type Normalised, ok, rejected } from './normalised.ts';
import { normaliseWhitespace, toHalfWidth } from './text.normaliser.ts';

export type Money = { readonly minor: number; readonly currency: string };

export type MoneyOptions = {
  /** ISO 4217 code used when neither the amount nor the currency field names one; also breaks `$` ties. */
  readonly defaultCurrency?: string;
};

// ISO 4217 codes by minor-unit exponent (active codes plus a few recently withdrawn ones that historical
// orders still carry: HRK, SLL, ZWL, ANG, CUC). Funds and metals without minor units are left out.
const CODES_BY_EXPONENT: Readonly<Record<0 | 2 | 3 | 4, string>> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2:
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF ' +
    'CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ ' +
    'GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD ' +
    'MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD ' +
    'RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH ' +
    'USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL',
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};

/** ISO 4217 alphabetic code → number of minor-unit digits. */
export const CURRENCY_MINOR_UNITS: ReadonlyMap<string, number> = new Map(
  Object.entries(CODES_BY_EXPONENT).flatMap(([exponent, codes]) =>
    codes.split(' ').map((code) => [code, Number(exponent)] as const),
  ),
);

// Symbols and words → the currencies they can mean, most likely first. `$` and `¥` are shared, so they only
// narrow the choice; the currency field or the default decides, and USD/CNY win a tie.
const DOLLAR = ['USD', 'HKD', 'TWD', 'SGD', 'AUD', 'CAD', 'NZD', 'MOP', 'MXN'];
const SYMBOLS: ReadonlyMap<string, readonly string[]> = new Map([
  ['$', DOLLAR],
  ['US$', ['USD']],
  ['USD$', ['USD']],
  ['HK$', ['HKD']],
  ['NT$', ['TWD']],
  ['S$', ['SGD']],
  ['A$', ['AUD']],
  ['AU$', ['AUD']],
  ['C$', ['CAD']],
  ['CA$', ['CAD']],
  ['NZ$', ['NZD']],
  ['MOP$', ['MOP']],
  ['¥', ['CNY', 'JPY']],
  ['元', ['CNY']],
  ['人民币', ['CNY']],
  ['RMB', ['CNY']],
  ['円', ['JPY']],
  ['日元', ['JPY']],
  ['€', ['EUR']],
  ['欧元', ['EUR']],
  ['£', ['GBP']],
  ['英镑', ['GBP']],
  ['₩', ['KRW']],
  ['韩元', ['KRW']],
  ['美元', ['USD']],
  ['港币', ['HKD']],
  ['港元', ['HKD']],
  ['澳门元', ['MOP']],
  ['新台币', ['TWD']],
]);
// Longest first, so `HK$` is not read as `$` and `澳门元` not as `元`. Two tokens of one length cannot both
// start (or end) the same string, so trying each length, longest first, finds the one token that matches.
const TOKENS: ReadonlySet<string> = new Set([...SYMBOLS.keys(), ...CURRENCY_MINOR_UNITS.keys()]);
const TOKEN_LENGTHS = [...new Set([...TOKENS].map((t) => t.length))].sort((a, b) => b - a);

// Full-width currency signs outside the U+FF01–FF5E block, and the Unicode minus.
const SIGN_VARIANTS: ReadonlyMap<string, string> = new Map([
  ['\uFFE5', '¥'],
  ['\uFFE1', '£'],
  ['\uFFE6', '₩'],
  ['\u2212', '-'],
]);

// Accepted unambiguously: `1234.5`, `1,234.50`, `1,234,567`. A comma is only ever a thousands separator
// in groups of three, a dot only ever the decimal point; `1 234,50`, `1.234,50` and `12,5` are rejected.
const SIGN_VARIANT = /[\uFFE5\uFFE1\uFFE6\u2212]/g;
const CURRENCY_SIGN_VARIANT = /[\uFFE5\uFFE1\uFFE6]/g;
const signFor = (c: string): string => SIGN_VARIANTS.get(c) ?? c;

const PLAIN = /^\d+(?:\.\d+)?$/;
const GROUPED = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const MAX_AMOUNT_LENGTH = 64;

type Amount = { readonly negative: boolean; readonly digits: string; readonly fraction: string };
type Hint = readonly string[] | undefined;

const takeSign = (s: string): [boolean | undefined, string] =>
  s.startsWith('-')
    ? [true, s.slice(1).trim()]
    : s.startsWith('+')
      ? [false, s.slice(1).trim()]
      : [undefined, s];

const LOWER_CASE_RUN = /[a-z]+/g;
const upperCase = (w: string): string => w.toUpperCase();

const matchToken = (s: string, atEnd: boolean): string | undefined => {
  // No currency token starts or ends with a digit: the common bare amount skips the token scan.
  const edge = atEnd ? s.charCodeAt(s.length - 1) : s.charCodeAt(0);
  if (Number.isNaN(edge) || (edge >= 48 && edge <= 57)) return undefined;
  // ASCII-only upper-casing keeps indices aligned (`ß`.toUpperCase() is two characters).
  const upper = s.replace(LOWER_CASE_RUN, upperCase);
  for (const length of TOKEN_LENGTHS) {
    if (length > upper.length) continue;
    const token = atEnd ? upper.slice(upper.length - length) : upper.slice(0, length);
    if (TOKENS.has(token)) return token;
  }
  return undefined;
};

const tokenHint = (token: string): Hint => SYMBOLS.get(token) ?? [token];

/** Splits `-¥1,234.50`, `(12.00)`, `100 RMB` into sign, number and currency hints. */
const parseAmountText = (
  raw: string,
  fast: boolean,
): { amount: Amount; hints: readonly Hint[] } | undefined => {
  // Already a bare dot-decimal amount (`1,299.00`): nothing to clean, no sign and no currency to find.
  if (fast && raw.length <= MAX_AMOUNT_LENGTH && (PLAIN.test(raw) || GROUPED.test(raw)))
    return { amount: splitAmount(raw, false), hints: NO_HINTS };
  let s = normaliseWhitespace(toHalfWidth(raw).replace(SIGN_VARIANT, signFor));
  if (s.length > MAX_AMOUNT_LENGTH) return undefined;
  const hints: Hint[] = [];
  // Accounting negatives: (1,234.50).
  let negative: boolean | undefined;
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  let sign: boolean | undefined;
  [sign, s] = takeSign(s);
  const prefix = matchToken(s, false);
  if (prefix !== undefined) {
    hints.push(tokenHint(prefix));
    s = s.slice(prefix.length).trim();
  }
  if (sign === undefined) [sign, s] = takeSign(s);
  const suffix = matchToken(s, true);
  if (suffix !== undefined) {
    hints.push(tokenHint(suffix));
    s = s.slice(0, s.length - suffix.length).trim();
  }
  if (negative === true && sign !== undefined) return undefined;
  if (!PLAIN.test(s) && !GROUPED.test(s)) return undefined;
  return { amount: splitAmount(s, negative ?? sign ?? false), hints };
};

const NO_HINTS: readonly Hint[] = [];
const splitAmount = (s: string, negative: boolean): Amount => {
  const [digits = '', fraction = ''] = s.replaceAll(',', '').split('.');
  return { negative, digits, fraction };
};

/** A JS number as an exact decimal of its shortest round-trip form, so 1.005 means 1.005, not 1.00499…. */
const parseAmountNumber = (n: number): Amount | undefined => {
  if (!Number.isFinite(n)) return undefined;
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (m === null) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  const shift = Number(exp);
  const all = int + frac;
  const point = int.length + shift;
  const padded = point <= 0 ? '0'.repeat(1 - point) + all : all.padEnd(point, '0');
  const at = Math.max(point, 1);
  return { negative: sign === '-', digits: padded.slice(0, at), fraction: padded.slice(at) };
};

const MAX_MINOR = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_MINOR = BigInt(Number.MIN_SAFE_INTEGER);
// Up to 15 decimal digits, a number holds the amount exactly (10^15 < 2^53): no BigInt needed.
const MAX_EXACT_DIGITS = 15;

/** Half away from zero on the decimal digits, no floating point involved; undefined beyond safe integers. */
const toMinor = (amount: Amount, exponent: number, fast: boolean): number | undefined => {
  const digits = amount.digits + amount.fraction.padEnd(exponent, '0').slice(0, exponent);
  const roundUp = (amount.fraction[exponent] ?? '0') >= '5';
  if (fast && digits.length <= MAX_EXACT_DIGITS) {
    const magnitude = Number(digits) + (roundUp ? 1 : 0);
    // Integers have no negative zero: -0.001 in a two-digit currency is 0.
    return amount.negative && magnitude !== 0 ? -magnitude : magnitude;
  }
  const kept = BigInt(digits);
  const magnitude = roundUp ? kept + 1n : kept;
  const minor = amount.negative ? -magnitude : magnitude;
  return minor > MAX_MINOR || minor < MIN_MINOR ? undefined : Number(minor);
};

/** The currencies in `a` that `b` allows too, in `a`'s order. */
const both = (a: readonly string[], b: readonly string[]): string[] => {
  const kept: string[] = [];
  for (const c of a) if (b.includes(c)) kept.push(c);
  return kept;
};

const resolveCurrency = (hints: Hint[], fallback: string | undefined): Normalised<string> => {
  let candidates: readonly string[] | undefined;
  for (const hint of hints) {
    if (hint === undefined) continue;
    candidates = candidates === undefined ? hint : both(candidates, hint);
  }
  if (candidates === undefined)
    return fallback === undefined ? rejected('money.missing-currency') : ok(fallback);
  const chosen = fallback !== undefined && candidates.includes(fallback) ? fallback : candidates[0];
  return chosen === undefined ? rejected('money.currency-conflict') : ok(chosen);
};

const currencyFieldHint = (raw: unknown, fast: boolean): Normalised<Hint> => {
  if (raw === undefined || raw === null) return ok(undefined);
  if (typeof raw !== 'string') return rejected('money.unknown-currency');
  // Already a symbol, word or code as listed (`RMB`, `CNY`, `¥`): nothing below would change it.
  if (fast && TOKENS.has(raw)) return ok(tokenHint(raw));
  const text = normaliseWhitespace(toHalfWidth(raw).replace(CURRENCY_SIGN_VARIANT, signFor));
  if (text === '') return ok(undefined);
  const token = text.toUpperCase();
  if (SYMBOLS.has(token) || CURRENCY_MINOR_UNITS.has(token)) return ok(tokenHint(token));
  return rejected('money.unknown-currency');
};

/**
 * Canonicalises a monetary amount to integer minor units of an ISO 4217 currency (`¥1,234.50` →
 * `{ minor: 123450, currency: 'CNY' }`), rounding half away from zero on the decimal digits.
 *
 * Amounts are numbers or strings in the dot-decimal form (`1234.5`, `1,234.50`; `1 234,50` and `1.234,50`
 * are rejected as ambiguous), with an optional sign, accounting parentheses and a currency symbol, word or
 * code before or after (`¥`, `￥`, `元`, `RMB`, `HK$`, `€`, `£`, `100 USD`). Shared symbols (`$`, `¥`) only
 * narrow the choice: the currency field, then `defaultCurrency`, then USD/CNY decide. Negative amounts
 * (refunds) are kept.
 */
export const normaliseMoney = (
  amount: unknown,
  currency: unknown,
  opts: MoneyOptions = {},
): Normalised<Money> => standardise(amount, currency, opts, true);

/** As {@link normaliseMoney}, without its fast paths: for tests that check they agree with the general path. */
export const normaliseMoneyGenerally = (
  amount: unknown,
  currency: unknown,
  opts: MoneyOptions = {},
): Normalised<Money> => standardise(amount, currency, opts, false);

const standardise = (
  amount: unknown,
  currency: unknown,
  opts: MoneyOptions,
  fast: boolean,
): Normalised<Money> => {
  const field = currencyFieldHint(currency, fast);
  if (!field.ok) return rejected('money.unknown-currency');
  const fallback = opts.defaultCurrency?.toUpperCase();
  if (fallback !== undefined && !CURRENCY_MINOR_UNITS.has(fallback))
    return rejected('money.unknown-currency');

  let parsed: Amount | undefined;
  const hints: Hint[] = [field.value];
  if (typeof amount === 'number') parsed = parseAmountNumber(amount);
  else if (typeof amount === 'string') {
    if (normaliseWhitespace(amount) === '') return rejected('money.empty');
    const text = parseAmountText(amount, fast);
    parsed = text?.amount;
    if (text !== undefined) for (const hint of text.hints) hints.push(hint);
  } else if (amount === undefined || amount === null) return rejected('money.empty');
  if (parsed === undefined) return rejected('money.invalid-amount');

  const code = resolveCurrency(hints, fallback);
  if (!code.ok) return code;
  const exponent = CURRENCY_MINOR_UNITS.get(code.value);
  if (exponent === undefined) return rejected('money.unknown-currency');
  const minor = toMinor(parsed, exponent, fast);
  if (minor === undefined) return rejected('money.out-of-range');
  return ok({ minor, currency: code.value });
};
