import { type Normalised, ok, rejected } from './normalised.ts';

// Offset between a full-width ASCII variant and its ASCII letter (U+FF01 − U+0021).
const FULL_WIDTH_OFFSET = 0xfee0;
const IDEOGRAPHIC_SPACE = 0x3000;

/**
 * Maps full-width ASCII variants (U+FF01–U+FF5E) to ASCII and the ideographic space (U+3000) to a space.
 * Chinese IMEs emit these for digits, letters and punctuation; CJK ideographs are left alone.
 */
export const toHalfWidth = (s: string): string => {
  // One scan of code units (all three ranges are in the BMP); most values have nothing to convert.
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === IDEOGRAPHIC_SPACE || (c >= 0xff01 && c <= 0xff5e)) {
      out += s.slice(from, i) + (c === IDEOGRAPHIC_SPACE ? ' ' : String.fromCharCode(c - FULL_WIDTH_OFFSET));
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
};
// The same characters, for the one-test check below.
const HAS_FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/;

// Invisible format characters with no linguistic meaning. ZWJ/ZWNJ are kept: emoji and scripts need them.
const INVISIBLE = '\u200B\u2060\u180E\uFEFF';
const SPACE_RUN = new RegExp(`[\\s${INVISIBLE}]+`, 'g');
const VISIBLE_SPACE = new RegExp(`[^${INVISIBLE}]`);
const spaceForRun = (run: string): string => (VISIBLE_SPACE.test(run) ? ' ' : '');
// Already normal: only single plain spaces between visible characters. Anything else takes the full path.
const NEEDS_WHITESPACE_WORK = new RegExp(`[^\\S ]|  |^ | $|[${INVISIBLE}]`);

/**
 * Trims and collapses every run of whitespace (spaces, tabs, newlines, NBSP, ideographic space…) to one
 * space. Invisible characters (zero-width space, word joiner, BOM) join a surrounding run; on their own they
 * are dropped rather than turned into a space the sender never saw.
 */
export const normaliseWhitespace = (s: string): string =>
  NEEDS_WHITESPACE_WORK.test(s) ? s.replace(SPACE_RUN, spaceForRun).trim() : s;

// Either of the above has work to do: one test instead of two for the common, already clean value.
const NEEDS_TEXT_WORK = new RegExp(`${HAS_FULL_WIDTH.source}|${NEEDS_WHITESPACE_WORK.source}`);

/** Half-width with whitespace collapsed: what every free-text value of a channel record gets first. */
export const normaliseText = (s: string): string =>
  NEEDS_TEXT_WORK.test(s) ? normaliseWhitespace(toHalfWidth(s)) : s;

// Control characters other than whitespace (C0/C1): CSV and Excel debris, never part of a name.
const CONTROL = /[^\P{Cc}\s]/gu;
const LETTER = /\p{L}/u;

/**
 * Canonicalises a person's name: half-width, whitespace collapsed, NFC. Letter case is kept (`McDonald`,
 * `van der Berg`), and so are Chinese names. Rejects non-strings (`name.invalid`), blanks (`name.empty`) and
 * strings without a single letter such as `-` or `123` (`name.invalid`).
 */
export const normaliseName = (raw: unknown): Normalised<string> => {
  if (typeof raw !== 'string') return rejected('name.invalid');
  // NFC last: removing a character can bring a base letter next to a combining mark.
  const value = normaliseWhitespace(toHalfWidth(raw).replace(CONTROL, '')).normalize('NFC');
  if (value === '') return rejected('name.empty');
  if (!LETTER.test(value)) return rejected('name.invalid');
  return ok(value);
};
