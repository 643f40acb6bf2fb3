import { type Normalised, ok, rejected } from './normalised.ts';
import { normaliseText } from './text.normaliser.ts';

/** How one mailbox provider treats addresses; every flag is off unless set. */
export type EmailProviderRule = {
  /** The provider ignores dots in the local part (`j.doe` = `jdoe`). */
  readonly stripDots?: boolean;
  /** The provider delivers `name+tag` to `name`. */
  readonly stripPlusTag?: boolean;
  /** The domain is an alias of this one (`googlemail.com` → `gmail.com`); its rule applies too. */
  readonly canonicalDomain?: string;
};

/** Provider rules keyed by lower-case domain. */
export type EmailRules = Readonly<Record<string, EmailProviderRule>>;

/** Only trims and lower-cases: provider-specific folding changes identity matching, so it is opt-in. */
export const DEFAULT_EMAIL_RULES: EmailRules = {};

/** Gmail folds dots and `+tags`, and `googlemail.com` is the same mailbox as `gmail.com`. */
export const GMAIL_RULES: EmailRules = {
  'gmail.com': { stripDots: true, stripPlusTag: true },
  'googlemail.com': { canonicalDomain: 'gmail.com', stripDots: true, stripPlusTag: true },
};

// Dot-atom local part (RFC 5322 without quoted strings or comments, which real sign-ups never use).
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// Labels of letters/digits/hyphens in any script (IDN), ending in an alphabetic or punycode TLD.
const LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?$/u;
const TLD = /^(?:[\p{L}\p{M}]{2,63}|xn--[a-z0-9-]{1,59})$/u;
const DISPLAY_NAME = /^(?:"[^"<>]*"|[^"<>@]*)\s*<([^<>]+)>$/;
// IDNA treats the ideographic and half-width full stops as dots; Chinese IMEs type them in `qq。com`.
const IDEOGRAPHIC_DOTS = /[\u3002\uFF61]/g;
const MAILTO = /^mailto:/i;
const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;
// Room for a display name around the longest address; anything longer is not one field's worth.
const MAX_INPUT = 512;

const canonicalise = (s: string): string => s.toLowerCase().normalize('NFC');

const isValidDomain = (domain: string): boolean => {
  const labels = domain.split('.');
  const tld = labels[labels.length - 1];
  if (labels.length < 2 || tld === undefined || !TLD.test(tld)) return false;
  for (const label of labels) if (!LABEL.test(label)) return false;
  return true;
};

const applyRules = (local: string, domain: string, rules: EmailRules): [string, string] => {
  // Most domains have no rule: nothing to fold.
  if (!Object.hasOwn(rules, domain)) return [local, domain];
  let stripDots = false;
  let stripPlusTag = false;
  const seen = new Set<string>();
  // Follow alias chains, collecting flags; visiting each domain once makes a misconfigured cycle stop.
  while (!seen.has(domain) && Object.hasOwn(rules, domain)) {
    seen.add(domain);
    const rule = rules[domain];
    stripDots ||= rule?.stripDots === true;
    stripPlusTag ||= rule?.stripPlusTag === true;
    if (rule?.canonicalDomain === undefined) break;
    domain = canonicalise(rule.canonicalDomain);
  }
  let folded = local;
  if (stripPlusTag) folded = folded.split('+')[0] ?? '';
  if (stripDots) folded = folded.replaceAll('.', '');
  return [folded, domain];
};

/**
 * Canonicalises an email address: half-width, trimmed, lower-cased, NFC (Unicode domains are kept, not
 * punycoded). `Name <a@b.c>` and `mailto:` are unwrapped; other display forms are `email.invalid`. Provider
 * folding (dots, `+tags`, alias domains) only happens for domains listed in `rules`, e.g. `GMAIL_RULES`.
 */
export const normaliseEmail = (raw: unknown, rules: EmailRules = DEFAULT_EMAIL_RULES): Normalised<string> => {
  if (typeof raw !== 'string') return rejected('email.invalid');
  let text = normaliseText(raw);
  if (text === '') return rejected('email.empty');
  if (text.length > MAX_INPUT) return rejected('email.invalid');
  // Only a value ending in `>` can be a display-name form.
  const display = text.endsWith('>') ? DISPLAY_NAME.exec(text) : null;
  if (display?.[1] !== undefined) text = display[1].trim();
  text = canonicalise(text.replace(MAILTO, ''));

  const at = text.lastIndexOf('@');
  if (at <= 0) return rejected('email.invalid');
  const [local, domain] = applyRules(
    text.slice(0, at),
    text.slice(at + 1).replace(IDEOGRAPHIC_DOTS, '.'),
    rules,
  );
  const address = `${local}@${domain}`;
  if (
    local.length > MAX_LOCAL ||
    address.length > MAX_ADDRESS ||
    !LOCAL.test(local) ||
    !isValidDomain(domain) ||
    // Guards idempotence: lower-casing and composing again must not change the result.
    canonicalise(address) !== address
  ) {
    return rejected('email.invalid');
  }
  return ok(address);
};
