// `max` metadata: `min` only checks lengths (it accepts +86 12x… numbers no carrier issues) and `mobile`
// rejects landlines, which store POS and call-centre channels do carry.
import { type CountryCode, Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { type Normalised, ok, rejected } from './normalised.ts';
import { normaliseText } from './text.normaliser.ts';

export type { CountryCode };

export type PhoneOptions = {
  /** Region assumed for numbers written without a country code; `CN` when absent. */
  readonly defaultRegion?: CountryCode;
};

// `ext. 12`, `x12`, `#12`, `;ext=12` (RFC 3966) and the Chinese `转`/`轉`/`分机` switchboard forms.
const WITH_EXTENSION = /^(.*?)\s*(?:;\s*ext\s*=|ext(?:n|ension)?\.?|x|#|转|轉|分机|分機)\s*\d+$/iu;
const TEL_URI = /^tel:/i;
// What may remain once the extension is gone: digits, one leading plus, and punctuation people type.
const DIALLABLE = /^\+?[\d\s\-.()/]+$/;
const MAX_INPUT_LENGTH = 64;

/**
 * Canonicalises a phone number to E.164 (`+8613800138000`), validated against libphonenumber's full
 * (`max`) metadata. Accepts `+86`, `0086`/`00` international prefixes, a bare country code (`86-138…`),
 * national numbers for `defaultRegion`, full-width digits, a `tel:` prefix and the usual punctuation;
 * numbers (from spreadsheets) are read as digit strings. Numbers with an extension are rejected
 * (`phone.has-extension`) rather than truncated: dropping it would merge everyone behind one switchboard.
 */
export const normalisePhone = (raw: unknown, opts: PhoneOptions = {}): Normalised<string> => {
  const result = normalisePhoneWithCountry(raw, opts);
  return result.ok ? ok(result.value.e164) : result;
};

/** As {@link normalisePhone}, with the number's country (when the plan names one), parsed only once. */
export const normalisePhoneWithCountry = (
  raw: unknown,
  opts: PhoneOptions = {},
): Normalised<{ readonly e164: string; readonly country: CountryCode | undefined }> => {
  const region = opts.defaultRegion ?? 'CN';
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) text = String(raw);
  else return rejected('phone.invalid');

  text = normaliseText(text).replace(TEL_URI, '').trim();
  if (text === '') return rejected('phone.empty');
  if (text.length > MAX_INPUT_LENGTH) return rejected('phone.invalid');
  // Only something beyond the diallable characters can be an extension (each form has a letter, `#`, `;`
  // or a Chinese word): a diallable number skips that pattern.
  if (!DIALLABLE.test(text)) {
    const extension = WITH_EXTENSION.exec(text);
    if (extension?.[1] !== undefined && DIALLABLE.test(extension[1])) return rejected('phone.has-extension');
    return rejected('phone.invalid');
  }
  // `00` is the international prefix almost everywhere; the library only knows the default region's own.
  if (text.startsWith('00')) text = `+${text.slice(2)}`;

  const fast = fastPath(text, region);
  if (fast !== undefined) return ok(fast);
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: region, extract: false });
  if (parsed === undefined || parsed.ext !== undefined || !parsed.isValid()) return rejected('phone.invalid');
  // libphonenumber accepts some national plans (Germany's) beyond E.164's 15 digits; E.164 is the contract.
  if (parsed.number.length > 16) return rejected('phone.invalid');
  return ok({ e164: parsed.number, country: parsed.country });
};

/**
 * The numbering plan facts the fast path needs, read once per region from the same `max` metadata the
 * library validates with. Only for regions that are alone behind their calling code (CN, not US/CA's +1):
 * there the country of a valid number is the region itself.
 */
type FastPlan = {
  readonly callingCode: string;
  /** Mobile or fixed-line national numbers: valid numbers whose type is beyond doubt. */
  readonly valid: readonly RegExp[];
  /** What the library would strip as a national (or carrier) prefix; the fast path then abstains... */
  readonly prefixForParsing: RegExp | undefined;
  /** ...unless it is exactly the plain trunk prefix (`0` in China), which it strips the same way. */
  readonly trunkPrefix: string | undefined;
};
type PlanMetadata = Metadata & {
  metadata: { country_calling_codes: Record<string, readonly string[]> };
  numberingPlan: {
    callingCode(): string;
    nationalPrefix(): string | undefined;
    nationalPrefixForParsing(): string | undefined;
    nationalPrefixTransformRule(): string | undefined;
    type(name: 'MOBILE' | 'FIXED_LINE'): { pattern(): string } | undefined;
  };
};
const plans = new Map<CountryCode, FastPlan | null>();
const fastPlan = (region: CountryCode): FastPlan | null => {
  const cached = plans.get(region);
  if (cached !== undefined) return cached;
  let plan: FastPlan | null = null;
  try {
    const metadata = new Metadata() as PlanMetadata;
    metadata.selectNumberingPlan(region);
    const numbering = metadata.numberingPlan;
    const callingCode = numbering.callingCode();
    const patterns = [numbering.type('MOBILE')?.pattern(), numbering.type('FIXED_LINE')?.pattern()];
    const forParsing = numbering.nationalPrefixForParsing() || undefined;
    const trunk = numbering.nationalPrefix() || undefined;
    if (metadata.metadata.country_calling_codes[callingCode]?.length === 1)
      plan = {
        callingCode,
        valid: patterns.filter((p) => p !== undefined).map((p) => new RegExp(`^(?:${p})$`)),
        prefixForParsing: forParsing ? new RegExp(`^(?:${forParsing})`) : undefined,
        trunkPrefix: trunk && !numbering.nationalPrefixTransformRule() ? trunk : undefined,
      };
  } catch {
    plan = null; // metadata not shaped as expected: every number takes the library's full parse
  }
  plans.set(region, plan);
  return plan;
};

const PUNCTUATION = /[\s\-.()/]/g;
const DIGITS = /^\d+$/;

/**
 * The common case without the library's general parser (which compiles its patterns on every call): a
 * mobile or fixed-line number of the default region, nationally (with or without the trunk prefix) or
 * with its own calling code. Returns undefined whenever the full parse might decide differently; tests
 * check that it agrees with the full parse.
 */
const fastPath = (
  dialString: string,
  region: CountryCode,
): { readonly e164: string; readonly country: CountryCode } | undefined => {
  const plan = fastPlan(region);
  if (plan === null) return undefined;
  const compact = dialString.replace(PUNCTUATION, '');
  let national = compact;
  if (compact.startsWith('+')) {
    if (!compact.startsWith(plan.callingCode, 1)) return undefined;
    national = compact.slice(1 + plan.callingCode.length);
  }
  if (!DIGITS.test(national)) return undefined;
  if (plan.prefixForParsing?.test(national)) {
    if (plan.trunkPrefix === undefined || !national.startsWith(plan.trunkPrefix)) return undefined;
    national = national.slice(plan.trunkPrefix.length);
    // Stripping once must leave nothing the library would strip again.
    if (plan.prefixForParsing.test(national)) return undefined;
  }
  // The library may read a leading calling code as one written without its plus: leave that to it.
  if (national.startsWith(plan.callingCode)) return undefined;
  // E.164 allows 15 digits; some national plans (Germany's) accept more, which the contract refuses.
  if (plan.callingCode.length + national.length > 15) return undefined;
  for (const pattern of plan.valid)
    if (pattern.test(national)) return { e164: `+${plan.callingCode}${national}`, country: region };
  return undefined;
};

/** The full parse alone, for tests that check the fast path agrees with it. */
export const normalisePhoneByLibrary = (
  text: string,
  region: CountryCode,
): { readonly e164: string; readonly country: CountryCode | undefined } | undefined => {
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: region, extract: false });
  return parsed?.isValid() && parsed.ext === undefined && parsed.number.length <= 16
    ? { e164: parsed.number, country: parsed.country }
    : undefined;
};

/** The fast path alone, for the same tests. */
export const normalisePhoneFast = fastPath;
