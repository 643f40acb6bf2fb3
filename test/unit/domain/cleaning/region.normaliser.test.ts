import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CN_PROVINCE_CODES,
  COUNTRY_ALPHA2,
  normaliseCountry,
  normaliseProvince,
} from '../../../../shared/domain/cleaning/region.normaliser.ts';
import { expectIdempotent, expectResult, junk, RUNS } from './properties.helper.ts';

describe('Domain: region normaliser', () => {
  describe('countries', () => {
    it.each([
      ['CN', 'CN'],
      ['cn', 'CN'],
      ['ＣＮ', 'CN'],
      ['CHN', 'CN'],
      ['中国', 'CN'],
      ['中華人民共和国', 'CN'],
      ['中华人民共和国', 'CN'],
      ['China', 'CN'],
      ["People's Republic of China", 'CN'],
      ['PRC', 'CN'],
      ['P.R.C.', 'CN'],
      ['Hong Kong', 'HK'],
      ['HONG KONG SAR', 'HK'],
      ['香港', 'HK'],
      ['中国香港', 'HK'],
      ['Macau', 'MO'],
      ['Macao', 'MO'],
      ['澳门', 'MO'],
      ['Taiwan', 'TW'],
      ['台湾', 'TW'],
      ['臺灣', 'TW'],
      ['USA', 'US'],
      ['U.S.A.', 'US'],
      ['United States of America', 'US'],
      ['美国', 'US'],
      ['UK', 'GB'],
      ['United Kingdom', 'GB'],
      ['英国', 'GB'],
      ['GBR', 'GB'],
      ['  japan ', 'JP'],
      ['韩国', 'KR'],
      ['The Netherlands', 'NL'],
      ['Türkiye', 'TR'],
      ['新加坡', 'SG'],
      ['Deutschland', 'DE'],
    ])('normalises %j to %s', (input, expected) => {
      expect(normaliseCountry(input)).toEqual({ ok: true, value: expected });
    });

    it.each<[unknown, string]>([
      ['', 'country.empty'],
      [' \u3000', 'country.empty'],
      ['XX', 'country.unknown'],
      ['XYZ', 'country.unknown'],
      ['Narnia', 'country.unknown'],
      ['火星', 'country.unknown'],
      ['constructor', 'country.unknown'],
      [86, 'country.unknown'],
      [null, 'country.unknown'],
    ])('rejects %j with %s', (input, reason) => {
      expect(normaliseCountry(input)).toEqual({ ok: false, reason });
    });

    it('knows all 249 ISO 3166-1 countries by alpha-2 and alpha-3 code', () => {
      expect(COUNTRY_ALPHA2.size).toBe(249);
      for (const code of COUNTRY_ALPHA2)
        expect(normaliseCountry(code.toLowerCase())).toEqual({ ok: true, value: code });
      for (const [alpha3, alpha2] of [
        ['AUS', 'AU'],
        ['AUT', 'AT'],
        ['DEU', 'DE'],
        ['ESP', 'ES'],
        ['HKG', 'HK'],
        ['MAC', 'MO'],
        ['TWN', 'TW'],
        ['KOR', 'KR'],
        ['PRK', 'KP'],
        ['SGP', 'SG'],
        ['CUW', 'CW'],
        ['SSD', 'SS'],
      ]) {
        expect(normaliseCountry(alpha3)).toEqual({ ok: true, value: alpha2 });
      }
    });

    it('never throws, and an accepted country normalises to itself', () => {
      fc.assert(
        fc.property(fc.oneof(junk(), fc.constantFrom('中国', 'usa', 'Hong Kong', 'gbr')), (raw) => {
          const first = normaliseCountry(raw);
          expectResult(first);
          expectIdempotent(first, normaliseCountry);
          if (first.ok) expect(COUNTRY_ALPHA2.has(first.value)).toBe(true);
        }),
        RUNS,
      );
    });
  });

  describe('provinces', () => {
    it.each([
      ['广东', 'CN-GD'],
      ['广东省', 'CN-GD'],
      ['廣東省', 'CN-GD'],
      ['Guangdong', 'CN-GD'],
      ['Guangdong Province', 'CN-GD'],
      ['GD', 'CN-GD'],
      ['gd', 'CN-GD'],
      ['CN-GD', 'CN-GD'],
      ['ＣＮ－ＧＤ', 'CN-GD'],
      ['CN-44', 'CN-GD'],
      ['内蒙古自治区', 'CN-NM'],
      ['内蒙古', 'CN-NM'],
      ['Inner Mongolia', 'CN-NM'],
      ['Nei Mongol', 'CN-NM'],
      ['北京市', 'CN-BJ'],
      ['Beijing Shi', 'CN-BJ'],
      ['上海', 'CN-SH'],
      ['重庆市', 'CN-CQ'],
      ['广西壮族自治区', 'CN-GX'],
      ['宁夏回族自治区', 'CN-NX'],
      ['新疆维吾尔自治区', 'CN-XJ'],
      ['西藏', 'CN-XZ'],
      ['Tibet', 'CN-XZ'],
      ['Shanxi', 'CN-SX'],
      ['山西省', 'CN-SX'],
      ['Shaanxi', 'CN-SN'],
      ['陕西省', 'CN-SN'],
      ['Henan', 'CN-HA'],
      ['Hebei', 'CN-HE'],
      ['Hainan', 'CN-HI'],
      ['Heilongjiang', 'CN-HL'],
      ['香港特别行政区', 'CN-HK'],
      ['澳门', 'CN-MO'],
      ['台湾省', 'CN-TW'],
    ])('normalises %j in China to %s', (input, expected) => {
      expect(normaliseProvince(input, 'CN')).toEqual({ ok: true, value: expected });
    });

    it('lists the 34 provincial-level divisions with their post-2017 letter codes', () => {
      expect(CN_PROVINCE_CODES).toHaveLength(34);
      expect([...CN_PROVINCE_CODES].sort()).toEqual(
        [
          'AH',
          'BJ',
          'CQ',
          'FJ',
          'GD',
          'GS',
          'GX',
          'GZ',
          'HA',
          'HB',
          'HE',
          'HI',
          'HK',
          'HL',
          'HN',
          'JL',
          'JS',
          'JX',
          'LN',
          'MO',
          'NM',
          'NX',
          'QH',
          'SC',
          'SD',
          'SH',
          'SN',
          'SX',
          'TJ',
          'TW',
          'XJ',
          'XZ',
          'YN',
          'ZJ',
        ].map((c) => `CN-${c}`),
      );
      for (const code of CN_PROVINCE_CODES)
        expect(normaliseProvince(code, '中国')).toEqual({ ok: true, value: code });
    });

    it('accepts the country in any form normaliseCountry does', () => {
      expect(normaliseProvince('广东', '中华人民共和国')).toEqual({ ok: true, value: 'CN-GD' });
      expect(normaliseProvince('广东', 'chn')).toEqual({ ok: true, value: 'CN-GD' });
    });

    it.each<[unknown, string, string]>([
      ['', 'CN', 'province.empty'],
      ['火星', 'CN', 'province.unknown'],
      ['XX', 'CN', 'province.unknown'],
      ['CN-99', 'CN', 'province.unknown'],
      ['US-CA', 'CN', 'province.unknown'],
      [44, 'CN', 'province.unknown'],
      ['广东', 'Narnia', 'country.unknown'],
      ['California', 'US', 'province.unknown'],
      ['CA-ON', 'US', 'province.country-mismatch'],
      ['US-CALI', 'US', 'province.unknown'],
    ])('rejects %j in %s with %s', (input, country, reason) => {
      expect(normaliseProvince(input, country)).toEqual({ ok: false, reason });
    });

    it('passes well-formed ISO 3166-2 codes through for other countries', () => {
      expect(normaliseProvince('us-ca', 'USA')).toEqual({ ok: true, value: 'US-CA' });
      expect(normaliseProvince(' GB-ENG ', 'UK')).toEqual({ ok: true, value: 'GB-ENG' });
      expect(normaliseProvince('JP-13', '日本')).toEqual({ ok: true, value: 'JP-13' });
    });

    it('never throws, and an accepted province normalises to itself', () => {
      fc.assert(
        fc.property(
          fc.oneof(junk(), fc.constantFrom('广东省', 'Inner Mongolia', 'CN-44', 'us-ny', 'DE-BY')),
          fc.constantFrom('CN', 'US', 'DE', '中国', 'Narnia'),
          (raw, country) => {
            const first = normaliseProvince(raw, country);
            expectResult(first);
            expectIdempotent(first, (v) => normaliseProvince(v, country));
            if (first.ok) expect(first.value).toMatch(/^[A-Z]{2}-[A-Z0-9]{1,3}$/);
          },
        ),
        RUNS,
      );
    });
  });

  it('answers a value the same way whether it was seen before or not, however many values came between', () => {
    const values = ['中国', 'CN', '上海市', 'Shanghai Shi', 'CN-44', 'atlantis', ' ', 'US-CA'];
    const first = values.map((v) => [
      normaliseCountry(v),
      normaliseProvince(v, 'CN'),
      normaliseProvince(v, 'US'),
    ]);
    for (let i = 0; i < 5000; i++) {
      normaliseCountry(`country ${i}`);
      normaliseProvince(`province ${i}`, i % 2 === 0 ? 'CN' : 'US');
    }
    const again = values.map((v) => [
      normaliseCountry(v),
      normaliseProvince(v, 'CN'),
      normaliseProvince(v, 'US'),
    ]);
    expect(again).toEqual(first);
    expect(first.map(([country]) => country)).toEqual([
      { ok: true, value: 'CN' },
      { ok: true, value: 'CN' },
      { ok: false, reason: 'country.unknown' },
      { ok: false, reason: 'country.unknown' },
      { ok: false, reason: 'country.unknown' },
      { ok: false, reason: 'country.unknown' },
      { ok: false, reason: 'country.empty' },
      { ok: false, reason: 'country.unknown' },
    ]);
  });
});
