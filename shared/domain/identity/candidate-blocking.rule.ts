import { pinyin } from 'pinyin-pro';
import type { ComparisonTraits } from './candidate-matcher.ts';
import { nysiis, soundex } from './nysiis.phonetic.ts';
import { comparableName, hasHan } from './pinyin.normaliser.ts';

/*
 * Blocking for real-time matching: the few keys under which a record looks for candidate customers, and
 * under which its customer is indexed for later records. The adapter stores each key as a keyed hash
 * (`BLOCK#<hmac>` → customer ids), so the keys themselves never leave the process.
 *
 * Two records of one person only meet when they share a key, so the keys are built from typo-tolerant forms:
 *
 *   ns  name tokens by Soundex, sorted         vowel slips (Wei/Wie), similar consonants, doubled letters,
 *                                              token order (Wei Zhang), 张伟 vs Zhang Wei (pinyin),
 *                                              homophone characters (李雷/李蕾), case, accents, punctuation
 *   nc  NYSIIS of the whole name, no spaces    split or joined tokens (Mary-Ann / Maryann, 欧阳 / Ou Yang)
 *   sy  Soundex of first or last token + year  any typo in the other name token; birthday typos in month/day
 *   bd  birthday digits sorted + initials      transposed birthday digits, day/month swap, typos in the name
 *                                              after its initials
 *   pc  postcode + initials                    name typos after the initials, birthday missing or wrong
 *   ad  first number + Soundex of the street   street typos after its first letter, Rd / Road, name
 *                                              missing or wrong
 *
 * Not covered — the record is then only found through another of its keys, or not at all: a typo in the
 * first letter of every name token together with a wrong or missing birthday year, postcode and house
 * number; nicknames (Bill / William) and transliterations that change Soundex (Zhang / Chang) without
 * another agreeing key; birthday typos that are not a transposition when neither the year nor a name token's
 * Soundex agree; addresses with a typo in the house number or a word before the street (No. 88 / 88). Keys of very common values form large blocks; the adapter's cap (super-node guard) skips them.
 */

/** Bumped when key derivation changes, so old and new keys never collide. */
export const BLOCKING_KEY_VERSION = 'b1';

const letters = (s: string): string =>
  s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z]/g, '');

/**
 * A name's tokens as lower-case letters: Chinese names as toneless pinyin, the first syllable (the surname)
 * apart from the rest; other names split on anything that is not a letter.
 */
export const nameTokens = (name: string): string[] => {
  const trimmed = name.normalize('NFKC').trim();
  if (trimmed === '') return [];
  if (hasHan(trimmed)) {
    const syllables = pinyin(trimmed, { toneType: 'none', type: 'array', surname: 'head', nonZh: 'removed' })
      .map(letters)
      .filter((s) => s !== '');
    const [surname, ...given] = syllables;
    return surname === undefined ? [] : given.length > 0 ? [surname, given.join('')] : [surname];
  }
  return trimmed
    .normalize('NFKD')
    .toLowerCase()
    .split(/[^\p{L}\p{M}]+/u)
    .map(letters)
    .filter((t) => t !== '');
};

const first = (v: ComparisonTraits[keyof ComparisonTraits]): string =>
  (typeof v === 'string' ? v : (v?.[0] ?? '')).trim();

/** YYYYMMDD, or '' when the value is not 8 digits (YYYY-MM-DD and YYYYMMDD are read). */
const birthdayDigits = (v: string): string => {
  const d = v.normalize('NFKC').replace(/[^0-9]/g, '');
  return d.length === 8 ? d : '';
};

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/**
 * The blocking keys of a record's first value of each trait (plain strings; the adapter hashes them).
 * Deterministic, at most 7 keys, no key from a missing trait; `[]` when nothing usable is present.
 *
 * @example blockingKeysOf({ name: '张伟' }) // ['b1:ns:W000 Z520', 'b1:nc:ZANGW']
 */
export const blockingKeysOf = (traits: ComparisonTraits): string[] => {
  const keys: string[] = [];
  const add = (kind: string, value: string) => {
    const key = `${BLOCKING_KEY_VERSION}:${kind}:${value}`;
    if (!keys.includes(key)) keys.push(key);
  };
  const name = first(traits.name);
  const tokens = nameTokens(name);
  const codes = tokens.map(soundex).filter((c) => c !== '');
  const initials = sorted(tokens.map((t) => t.charAt(0))).join('');
  const birthday = birthdayDigits(first(traits.birthday));

  if (codes.length > 0) add('ns', sorted(codes).join(' '));
  const whole = name === '' ? '' : nysiis(comparableName(name));
  if (whole !== '') add('nc', whole);
  if (birthday !== '') {
    const year = birthday.slice(0, 4);
    const ends = [codes[0], codes[codes.length - 1]].filter((c): c is string => c !== undefined);
    for (const c of new Set(ends)) add('sy', `${c}|${year}`);
    if (initials !== '') add('bd', `${sorted([...birthday]).join('')}|${initials}`);
  }
  const postcode = first(traits.postcode)
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '');
  if (postcode !== '' && initials !== '') add('pc', `${postcode}|${initials}`);
  const address = first(traits.address);
  if (address !== '') {
    const comparable = comparableName(address);
    const number = /[0-9]+/.exec(address.normalize('NFKC'))?.[0] ?? '';
    const street = soundex(comparable.replace(/[0-9]/g, ''));
    if (number !== '' && street !== '') add('ad', `${number}|${street}`);
  }
  return keys;
};
