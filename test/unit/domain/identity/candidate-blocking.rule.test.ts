import { describe, expect, it } from 'vitest';
import {
  BLOCKING_KEY_VERSION,
  blockingKeysOf,
  nameTokens,
} from '../../../../shared/domain/identity/candidate-blocking.rule.ts';
import type { ComparisonTraits } from '../../../../shared/domain/identity/candidate-matcher.ts';

const shared = (a: ComparisonTraits, b: ComparisonTraits): string[] => {
  const kb = new Set(blockingKeysOf(b));
  return blockingKeysOf(a).filter((k) => kb.has(k));
};

const kind = (key: string): string => key.split(':')[1] ?? '';

describe('Domain: real-time blocking keys', () => {
  it('reads Chinese names as pinyin, surname apart; other names split on non-letters', () => {
    expect(nameTokens('张伟')).toEqual(['zhang', 'wei']);
    expect(nameTokens('欧阳娜娜')).toEqual(['ou', 'yangnana']);
    expect(nameTokens("  O'Brien-Smith, Mary ")).toEqual(['o', 'brien', 'smith', 'mary']);
    expect(nameTokens('José Müller')).toEqual(['jose', 'muller']);
    expect(nameTokens(' ')).toEqual([]);
  });

  it('keys a full record with each kind once, versioned, in a fixed order', () => {
    const keys = blockingKeysOf({
      name: 'Zhang Wei',
      birthday: '1990-04-12',
      postcode: '200001',
      address: '88 Nanjing Road',
    });
    expect(keys).toEqual([
      `${BLOCKING_KEY_VERSION}:ns:W000 Z520`,
      `${BLOCKING_KEY_VERSION}:nc:ZANGW`,
      `${BLOCKING_KEY_VERSION}:sy:Z520|1990`,
      `${BLOCKING_KEY_VERSION}:sy:W000|1990`,
      `${BLOCKING_KEY_VERSION}:bd:00112499|wz`,
      `${BLOCKING_KEY_VERSION}:pc:200001|wz`,
      `${BLOCKING_KEY_VERSION}:ad:88|N525`,
    ]);
  });

  it('gives no key from missing, blank or unusable traits, and never throws on them', () => {
    expect(blockingKeysOf({})).toEqual([]);
    expect(blockingKeysOf({ name: '  ', birthday: '', phone: '+8613912345678', email: 'a@b.cn' })).toEqual(
      [],
    );
    // A birthday alone, a postcode without a name, an address without a house number: too broad to block on.
    expect(blockingKeysOf({ birthday: '1990-04-12', postcode: '200001', address: 'Nanjing Road' })).toEqual(
      [],
    );
    expect(blockingKeysOf({ name: [], birthday: 'not a date' })).toEqual([]);
    expect(blockingKeysOf({ name: '!!!' })).toEqual([]);
  });

  // Typo families the keys are built for: the two records share at least one key.
  it.each<[string, ComparisonTraits, ComparisonTraits, string]>([
    ['vowel slip in the given name', { name: 'Zhang Wei' }, { name: 'Zhang Wie' }, 'ns'],
    ['characters vs pinyin', { name: '张伟' }, { name: 'Zhang Wei' }, 'ns'],
    ['homophone characters', { name: '李雷' }, { name: '李蕾' }, 'ns'],
    ['name order', { name: 'Wei Zhang' }, { name: 'ZHANG, Wei' }, 'ns'],
    ['doubled letter and accent', { name: 'Mueller Anna' }, { name: 'Müler Ana' }, 'nc'],
    ['compound surname split differently', { name: '欧阳娜娜' }, { name: 'Ouyang Nana' }, 'nc'],
    ['hyphen vs joined', { name: 'Mary-Ann Smith' }, { name: 'Maryann Smith' }, 'nc'],
    [
      'consonant typo in the given name, same birth year',
      { name: 'Zhang Wei', birthday: '1990-04-12' },
      { name: 'Zhang Lei', birthday: '1990-07-30' },
      'sy',
    ],
    [
      'transposed birthday digits and a name typo after the initials',
      { name: 'Zhang Wei', birthday: '1990-04-12' },
      { name: 'Zhnag Wie', birthday: '1990-04-21' },
      'bd',
    ],
    [
      'birthday day and month swapped',
      { name: 'Zhang Wei', birthday: '1990-04-12' },
      { name: 'Zhnag Wie', birthday: '1990-12-04' },
      'bd',
    ],
    [
      'transposed year digits',
      { name: 'Zhang Wei', birthday: '1990-04-12' },
      { name: 'Zhnag Wie', birthday: '1909-04-12' },
      'bd',
    ],
    [
      'name typos and no birthday, same postcode',
      { name: 'Zhang Wei', postcode: '200001' },
      { name: 'Zgang Wie', postcode: '200 001' },
      'pc',
    ],
    [
      'street typos, name unknown on one side',
      { address: '88 Nanjing Road' },
      { name: 'Z. Wei', address: '88 Nanjnig Raod' },
      'ad',
    ],
    ['street abbreviation', { address: '88, Nanjing Rd.' }, { address: '88 Nanjing Road' }, 'ad'],
  ])('%s → shared key kind %s', (_, a, b, expectedKind) => {
    const common = shared(a, b);
    expect(common.map(kind)).toContain(expectedKind);
    expect(shared(b, a)).toEqual(expect.arrayContaining(common));
  });

  it('puts people who differ in name, birthday, postcode and address in no common block', () => {
    expect(
      shared(
        { name: 'Zhang Wei', birthday: '1990-04-12', postcode: '200001', address: '88 Nanjing Road' },
        { name: 'Li Lei', birthday: '1985-11-03', postcode: '100000', address: '5 Chang An Avenue' },
      ),
    ).toEqual([]);
  });

  it.each<[string, ComparisonTraits, ComparisonTraits]>([
    // Documented gaps: these pairs are only found through another trait, or not at all.
    ['first-letter typo in every name token, nothing else', { name: 'Zhang Wei' }, { name: 'Chang Vei' }],
    ['nickname, nothing else', { name: 'William Smith' }, { name: 'Bill Smith', birthday: '1970-01-01' }],
    [
      'a birthday typo that is not a transposition, first letters mistyped',
      { name: 'Zhang Wei', birthday: '1990-04-12' },
      { name: 'Chang Vei', birthday: '1991-04-13' },
    ],
  ])('does not cover: %s', (_, a, b) => {
    expect(shared(a, b)).toEqual([]);
  });
});
