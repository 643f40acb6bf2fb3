import { pinyin } from 'pinyin-pro';

/*
 * Chinese names are compared by their toneless pinyin, so homophones written with different characters
 * (李雷 / 李蕾, a common transcription slip) and romanised forms (Li Lei) meet on one spelling.
 */

const HAN = /\p{Script=Han}/u;

/** True when the text contains a Chinese (Han) character. */
export const hasHan = (text: string): boolean => HAN.test(text);

/**
 * Toneless pinyin syllables, lower case, joined without spaces; other characters are kept as they are
 * (lower-cased, spaces removed). The first character of a name is read as a surname (单 → shan).
 *
 * @example tonelessPinyin('李雷') // 'lilei'
 * @example tonelessPinyin('李蕾') // 'lilei'
 */
export const tonelessPinyin = (text: string): string =>
  pinyin(text.trim(), { toneType: 'none', type: 'array', surname: 'head', nonZh: 'consecutive' })
    .join('')
    .toLowerCase()
    .replace(/\s+/g, '');

/**
 * The form a name is compared in: toneless pinyin when it has Chinese characters, else lower-case letters
 * with accents and everything but letters and digits removed ("Li Lei" → "lilei", "O'Brien" → "obrien").
 */
export const comparableName = (text: string): string =>
  hasHan(text)
    ? tonelessPinyin(text)
    : text
        .normalize('NFKD')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]/gu, '');
