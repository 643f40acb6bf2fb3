import fc from 'fast-check';
import { type CountryCode, getCountries, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import {
  normalisePhone,
  normalisePhoneByLibrary,
  normalisePhoneFast,
} from '../../../../shared/domain/cleaning/phone.normaliser.ts';
import { expectIdempotent, expectResult, junk, RUNS } from './properties.helper.ts';

const CN = { defaultRegion: 'CN' } as const;

describe('Domain: phone normaliser', () => {
  it.each([
    ['+86 138 0013 8000', '+8613800138000'],
    ['0086 13800138000', '+8613800138000'],
    ['86-138-0013-8000', '+8613800138000'],
    ['138-0013-8000', '+8613800138000'],
    ['13800138000', '+8613800138000'],
    ['１３８００１３８０００', '+8613800138000'],
    ['＋８６　１３８－００１３－８０００', '+8613800138000'],
    ['138.0013.8000', '+8613800138000'],
    ['(138) 0013 8000', '+8613800138000'],
    ['tel:+86-138-0013-8000', '+8613800138000'],
    ['TEL:13800138000', '+8613800138000'],
    ['\u00A0+86 138\u200B0013 8000\n', '+8613800138000'],
    ['010-6552 9988', '+861065529988'],
    ['(010) 6552-9988', '+861065529988'],
    ['+86 (0)10 6552 9988', '+861065529988'],
    ['+44 20 7946 0958', '+442079460958'],
    ['0044 7911 123456', '+447911123456'],
    ['+1 (212) 555-0123', '+12125550123'],
    ['001 212 555 0123', '+12125550123'],
    ['+852 9123 4567', '+85291234567'],
    ['00852-9123-4567', '+85291234567'],
    ['+886 912 345 678', '+886912345678'],
    ['+81 90-1234-5678', '+819012345678'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normalisePhone(input, CN)).toEqual({ ok: true, value: expected });
  });

  it('reads spreadsheet numbers as digit strings', () => {
    expect(normalisePhone(13800138000, CN)).toEqual({ ok: true, value: '+8613800138000' });
    expect(normalisePhone(8613800138000, CN)).toEqual({ ok: true, value: '+8613800138000' });
  });

  it('defaults to China and honours another default region', () => {
    expect(normalisePhone('138 0013 8000')).toEqual({ ok: true, value: '+8613800138000' });
    expect(normalisePhone('(212) 555-0123', { defaultRegion: 'US' })).toEqual({
      ok: true,
      value: '+12125550123',
    });
    expect(normalisePhone('07911 123456', { defaultRegion: 'GB' })).toEqual({
      ok: true,
      value: '+447911123456',
    });
  });

  it.each([
    ['', 'phone.empty'],
    ['  \u3000 ', 'phone.empty'],
    ['tel:', 'phone.empty'],
    ['138 0013 8000 转 8001', 'phone.has-extension'],
    ['010-6552 9988 ext. 12', 'phone.has-extension'],
    ['+1 212 555 0123 x12', 'phone.has-extension'],
    ['+1 212 555 0123#12', 'phone.has-extension'],
    ['tel:+86-10-6552-9988;ext=12', 'phone.has-extension'],
    ['010-6552 9988分机12', 'phone.has-extension'],
    ['1380013800', 'phone.invalid'],
    ['138001380001', 'phone.invalid'],
    ['12345', 'phone.invalid'],
    ['+8612345678901', 'phone.invalid'],
    ['1-800-FLOWERS', 'phone.invalid'],
    ['138oo138ooo', 'phone.invalid'],
    ['abc', 'phone.invalid'],
    ['+86 138 0013 8000 +1', 'phone.invalid'],
    ['+', 'phone.invalid'],
    ['00', 'phone.invalid'],
    ['1'.repeat(100), 'phone.invalid'],
    [-13800138000, 'phone.invalid'],
    [1.38e10 + 0.5, 'phone.invalid'],
    [null, 'phone.invalid'],
    [undefined, 'phone.invalid'],
    [{ phone: '13800138000' }, 'phone.invalid'],
  ])('rejects %j with %s', (input, reason) => {
    expect(normalisePhone(input, CN)).toEqual({ ok: false, reason });
  });

  it("accepts every region's example mobile number written internationally", () => {
    const countries = getCountries();
    expect(countries.length).toBeGreaterThan(200);
    for (const country of countries) {
      const example = getExampleNumber(country, examples);
      if (example === undefined) continue;
      expect(normalisePhone(example.formatInternational(), CN), country).toEqual({
        ok: true,
        value: example.number,
      });
      expect(normalisePhone(`00${example.number.slice(1)}`, CN), country).toEqual({
        ok: true,
        value: example.number,
      });
    }
  });

  it('never throws, and an E.164 result normalises to itself', () => {
    fc.assert(
      fc.property(
        junk(),
        fc.constantFrom<CountryCode>('CN', 'US', 'GB', 'HK', 'DE'),
        (raw, defaultRegion) => {
          const first = normalisePhone(raw, { defaultRegion });
          expectResult(first);
          expectIdempotent(first, (v) => normalisePhone(v, { defaultRegion }));
          if (first.ok) expect(first.value).toMatch(/^\+[1-9]\d{6,14}$/);
        },
      ),
      RUNS,
    );
  });

  it('finds the same mobile number however a Chinese channel writes it', () => {
    const mobile = fc
      .tuple(
        fc.constantFrom('130', '135', '138', '139', '150', '158', '186', '188', '199'),
        fc.stringMatching(/^\d{8}$/),
      )
      .map(([prefix, rest]) => `${prefix}${rest}`);
    const prefix = fc.constantFrom('', '+86', '+86 ', '0086', '0086 ', '86-', 'tel:+86');
    const separator = fc.constantFrom('', ' ', '-', '.', '\u3000');
    fc.assert(
      fc.property(mobile, prefix, separator, fc.boolean(), (digits, p, sep, fullWidth) => {
        const written = `${p}${digits.slice(0, 3)}${sep}${digits.slice(3, 7)}${sep}${digits.slice(7)}`;
        const raw = fullWidth
          ? written.replace(/[\d+]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
          : written;
        const result = normalisePhone(raw, CN);
        expect(result).toEqual({ ok: true, value: `+86${digits}` });
        expectIdempotent(result, (v) => normalisePhone(v, CN));
      }),
      RUNS,
    );
  });
});

describe('Domain: phone normaliser, E.164 length', () => {
  it('refuses a number longer than E.164 allows even where the national plan accepts it', () => {
    expect(normalisePhone(201000000000000, { defaultRegion: 'DE' })).toEqual({
      ok: false,
      reason: 'phone.invalid',
    });
  });
});

describe('Domain: phone normaliser, mobile fast path', () => {
  // Regions alone behind their calling code (the fast path's scope) and two that share one (it must abstain).
  const regions = [
    'CN',
    'HK',
    'DE',
    'JP',
    'IN',
    'BR',
    'FR',
    'US',
    'GB',
  ] as const satisfies readonly CountryCode[];

  it("takes every single-plan region's example mobile number, nationally and internationally", () => {
    let taken = 0;
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples);
      if (example === undefined) continue;
      for (const written of [example.nationalNumber, example.number, example.formatInternational()]) {
        const fast = normalisePhoneFast(written, country);
        if (fast === undefined) continue;
        taken++;
        expect(fast, `${country} ${written}`).toEqual(normalisePhoneByLibrary(written, country));
      }
    }
    expect(normalisePhoneFast('13800138000', 'CN')).toEqual({ e164: '+8613800138000', country: 'CN' });
    expect(normalisePhoneFast('+1 212 555 0123', 'US')).toBeUndefined();
    expect(taken).toBeGreaterThan(300);
  });

  it('agrees with the full parse on every Chinese 5-digit number block', () => {
    const random = fc.sample(fc.stringMatching(/^\d{6}$/), { numRuns: 10_000, seed: 7 });
    for (let block = 10_000; block < 20_000; block++) {
      const national = `${block}${random[block - 10_000]}`;
      for (const written of [national, `+86 ${national}`]) {
        const fast = normalisePhoneFast(written, 'CN');
        if (fast !== undefined) expect(fast, written).toEqual(normalisePhoneByLibrary(written, 'CN'));
      }
    }
  });

  it('agrees with the full parse on Chinese landlines written with the trunk prefix', () => {
    const random = fc.sample(fc.stringMatching(/^\d{5,8}$/), { numRuns: 9_000, seed: 11 });
    let taken = 0;
    for (let block = 1_000; block < 10_000; block++) {
      const national = `0${block}${random[block - 1_000]}`;
      for (const written of [national, `+86 ${national}`, `+86 (0)${national.slice(1)}`]) {
        const fast = normalisePhoneFast(written, 'CN');
        if (fast === undefined) continue;
        taken++;
        expect(fast, written).toEqual(normalisePhoneByLibrary(written, 'CN'));
      }
    }
    expect(normalisePhoneFast('010-6552 9988', 'CN')).toEqual({ e164: '+861065529988', country: 'CN' });
    expect(taken).toBeGreaterThan(1000);
  });

  it('never answers where the full parse would answer differently', () => {
    const written = fc
      .tuple(
        fc.constantFrom(
          '',
          '+',
          '+86',
          '+852',
          '+49',
          '+81',
          '+91',
          '+55',
          '+33',
          '+1',
          '+44',
          '0',
          '00',
          '+86 (0)',
        ),
        fc.stringMatching(/^[1-9]\d{4,13}$/),
        fc.constantFrom('', ' ', '-'),
      )
      .map(([prefix, digits, sep]) => `${prefix}${sep}${digits.slice(0, 3)}${sep}${digits.slice(3)}`);
    fc.assert(
      fc.property(written, fc.constantFrom(...regions), (text, region) => {
        const fast = normalisePhoneFast(text, region);
        if (fast !== undefined) expect(fast).toEqual(normalisePhoneByLibrary(text, region));
      }),
      { numRuns: 5000 },
    );
  });
});
