import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  normaliseName,
  normaliseText,
  normaliseWhitespace,
  toHalfWidth,
} from '../../../../shared/domain/cleaning/text.normaliser.ts';
import { expectIdempotent, expectResult, junk, RUNS } from './properties.helper.ts';

describe('Domain: text normaliser', () => {
  it.each([
    ['ＡＢＣ１２３', 'ABC123'],
    ['ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'john@example.com'],
    ['！～', '!~'],
    ['张\u3000三', '张 三'],
    ['北京市朝阳区（东三环）', '北京市朝阳区(东三环)'],
    ['already ascii', 'already ascii'],
  ])('toHalfWidth(%j) = %j', (input, expected) => {
    expect(toHalfWidth(input)).toBe(expected);
  });

  it.each([
    ['  a  b  ', 'a b'],
    ['a\t\n\r b', 'a b'],
    ['a\u00A0\u00A0b', 'a b'],
    ['a\u3000b', 'a b'],
    ['a \u200B b', 'a b'],
    ['a\u200Bb', 'ab'],
    ['\uFEFFheader', 'header'],
    ['\n\t', ''],
  ])('normaliseWhitespace(%j) = %j', (input, expected) => {
    expect(normaliseWhitespace(input)).toBe(expected);
  });

  it.each([
    ['  张三 ', '张三'],
    ['欧阳\u3000娜娜', '欧阳 娜娜'],
    ['Ｊｏｈｎ　Ｓｍｉｔｈ', 'John Smith'],
    ['McDonald\t\nJr.', 'McDonald Jr.'],
    ['van der Berg', 'van der Berg'],
    ['JOHN smith', 'JOHN smith'],
    ['Jose\u0301', 'José'],
    ['Zhang\u0000San', 'ZhangSan'],
    ['Anne-Marie O’Neil', 'Anne-Marie O’Neil'],
  ])('normaliseName(%j) keeps %j', (input, expected) => {
    expect(normaliseName(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'name.empty'],
    [' \u3000\t', 'name.empty'],
    ['\u200B', 'name.empty'],
    ['123', 'name.invalid'],
    ['-', 'name.invalid'],
    [42, 'name.invalid'],
    [null, 'name.invalid'],
    [{ name: 'x' }, 'name.invalid'],
  ])('normaliseName(%j) rejects with %s', (input, reason) => {
    expect(normaliseName(input)).toEqual({ ok: false, reason });
  });

  it('never throws, and a normalised name normalises to itself', () => {
    fc.assert(
      fc.property(junk(), (raw) => {
        const first = normaliseName(raw);
        expectResult(first);
        expectIdempotent(first, normaliseName);
      }),
      RUNS,
    );
  });

  it('half-width and whitespace normalisation are idempotent on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(toHalfWidth(toHalfWidth(s))).toBe(toHalfWidth(s));
        expect(normaliseWhitespace(normaliseWhitespace(s))).toBe(normaliseWhitespace(s));
      }),
      RUNS,
    );
  });

  it('accepts any name that has a letter, and leaves no edge or double spaces', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.constantFrom('张', 'a', 'Ж'), (s, letter) => {
        const result = normaliseName(`${s}${letter}${s}`);
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value).not.toMatch(/^\s|\s$|\s\s/);
      }),
      RUNS,
    );
  });

  it('normaliseText is toHalfWidth then normaliseWhitespace, with one test for clean values', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({
        unit: fc.constantFrom(' ', '\t', '\n', '\u3000', '\u00A0', '\u200B', 'a', 'Ａ', '１', '张'),
      }),
    );
    fc.assert(
      fc.property(text, (s) => {
        expect(normaliseText(s)).toBe(normaliseWhitespace(toHalfWidth(s)));
      }),
      RUNS,
    );
  });

  it('toHalfWidth maps exactly the full-width ASCII variants and the ideographic space, nothing else', () => {
    const reference = (s: string) =>
      s.replace(/[\uFF01-\uFF5E\u3000]/g, (c) =>
        c === '\u3000' ? ' ' : String.fromCharCode((c.codePointAt(0) ?? 0) - 0xfee0),
      );
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({
        unit: fc.constantFrom('a', ' ', '\u3000', '\uFF01', '\uFF5E', '\uFF5F', '\uFF00', '１', '张', '😀'),
      }),
    );
    fc.assert(
      fc.property(text, (s) => {
        expect(toHalfWidth(s)).toBe(reference(s));
      }),
      RUNS,
    );
  });
});
