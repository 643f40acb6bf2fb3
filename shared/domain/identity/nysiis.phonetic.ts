/*
 * NYSIIS (New York State Identification and Intelligence System, Taft 1970) in the form the Apache
 * commons-codec tests pin down from dropby.com's examples, without the 6-character truncation of the
 * original (pass `maxLength: 6` for it). Soundex (American, Russell/Odell) is here too: blocking uses it.
 */

const isVowel = (c: string): boolean => c === 'A' || c === 'E' || c === 'I' || c === 'O' || c === 'U';

/** Upper-case ASCII letters only: accents are removed first (`é` → `E`), everything else is dropped. */
const lettersOnly = (s: string): string =>
  s
    .normalize('NFKD')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');

const replacePrefix = (s: string): string => {
  if (s.startsWith('MAC')) return `MCC${s.slice(3)}`;
  if (s.startsWith('KN')) return `NN${s.slice(2)}`;
  if (s.startsWith('K')) return `C${s.slice(1)}`;
  if (s.startsWith('PH') || s.startsWith('PF')) return `FF${s.slice(2)}`;
  if (s.startsWith('SCH')) return `SSS${s.slice(3)}`;
  return s;
};

const replaceSuffix = (s: string): string => {
  if (s.endsWith('EE') || s.endsWith('IE')) return `${s.slice(0, -2)}Y`;
  for (const end of ['DT', 'RT', 'RD', 'NT', 'ND']) if (s.endsWith(end)) return `${s.slice(0, -2)}D`;
  return s;
};

/**
 * The NYSIIS code of a name; `''` when it has no letters.
 *
 * @example nysiis('MACINTOSH') // 'MCANT'
 * @example nysiis('Trueman') === nysiis('Truman') // 'TRANAN'
 */
export const nysiis = (name: string, maxLength = Number.POSITIVE_INFINITY): string => {
  const cleaned = lettersOnly(name);
  if (cleaned.length === 0) return '';
  const chars = replaceSuffix(replacePrefix(cleaned)).split('');
  const first = chars[0] ?? '';
  let key = first;
  // Each rule rewrites the working characters in place, so a later rule sees the earlier rewrite as `prev`.
  for (let i = 1; i < chars.length; i++) {
    const prev = chars[i - 1] ?? ' ';
    const curr = chars[i] ?? ' ';
    const next = chars[i + 1] ?? ' ';
    const afterNext = chars[i + 2] ?? ' ';
    let out: string = curr;
    if (curr === 'E' && next === 'V') out = 'AF';
    else if (isVowel(curr)) out = 'A';
    else if (curr === 'Q') out = 'G';
    else if (curr === 'Z') out = 'S';
    else if (curr === 'M') out = 'N';
    else if (curr === 'K') out = next === 'N' ? 'NN' : 'C';
    else if (curr === 'S' && next === 'C' && afterNext === 'H') out = 'SSS';
    else if (curr === 'P' && next === 'H') out = 'FF';
    else if (curr === 'H' && (!isVowel(prev) || !isVowel(next))) out = prev;
    else if (curr === 'W' && isVowel(prev)) out = prev;
    for (let k = 0; k < out.length && i + k < chars.length; k++) chars[i + k] = out.charAt(k);
    const now = chars[i] ?? '';
    if (now !== prev) key += now;
  }
  if (key.length > 1 && key.endsWith('S')) key = key.slice(0, -1);
  if (key.length > 2 && key.endsWith('AY')) key = `${key.slice(0, -2)}Y`;
  if (key.length > 1 && key.endsWith('A')) key = key.slice(0, -1);
  return key.length > maxLength ? key.slice(0, maxLength) : key;
};

// A E I O U Y H W → 0 (H and W also do not separate equal codes), the rest by Russell's six groups.
const SOUNDEX_CODES = '01230120022455012623010202';

/**
 * American Soundex: first letter and three digits; `''` when the name has no letters.
 *
 * @example soundex('Robert') // 'R163'
 * @example soundex('Tymczak') // 'T522'
 */
export const soundex = (name: string): string => {
  const s = lettersOnly(name);
  if (s.length === 0) return '';
  let out = s.charAt(0);
  let last = SOUNDEX_CODES.charAt(s.charCodeAt(0) - 65);
  for (let i = 1; i < s.length && out.length < 4; i++) {
    const c = s.charAt(i);
    const code = SOUNDEX_CODES.charAt(s.charCodeAt(i) - 65);
    if (code !== '0' && code !== last) out += code;
    // H and W do not reset the previous code; vowels do.
    if (c !== 'H' && c !== 'W') last = code;
  }
  return out.padEnd(4, '0');
};
