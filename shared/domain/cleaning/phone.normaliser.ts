// `max` metadata: `min` only checks lengths (it accepts +86 12x… numbers no carrier issues) and `mobile`
// rejects landlines, which store POS and call-centre channels do carry.
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { type Normalised, ok, rejected } from './normalised.ts';
import { normaliseWhitespace, toHalfWidth } from './text.normaliser.ts';

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

  text = normaliseWhitespace(toHalfWidth(text)).replace(TEL_URI, '').trim();
  if (text === '') return rejected('phone.empty');
  if (text.length > MAX_INPUT_LENGTH) return rejected('phone.invalid');
  const extension = WITH_EXTENSION.exec(text);
  if (extension?.[1] !== undefined && DIALLABLE.test(extension[1])) return rejected('phone.has-extension');
  if (!DIALLABLE.test(text)) return rejected('phone.invalid');
  // `00` is the international prefix almost everywhere; the library only knows the default region's own.
  if (text.startsWith('00')) text = `+${text.slice(2)}`;

  const parsed = parsePhoneNumberFromString(text, { defaultCountry: region, extract: false });
  if (parsed === undefined || parsed.ext !== undefined || !parsed.isValid()) return rejected('phone.invalid');
  // libphonenumber accepts some national plans (Germany's) beyond E.164's 15 digits; E.164 is the contract.
  if (parsed.number.length > 16) return rejected('phone.invalid');
  return ok({ e164: parsed.number, country: parsed.country });
};
