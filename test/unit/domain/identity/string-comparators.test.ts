import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  damerauLevenshtein,
  damerauLevenshteinSimilarity,
} from '../../../../shared/domain/identity/damerau-levenshtein.comparator.ts';
import { jaro, jaroWinkler } from '../../../../shared/domain/identity/jaro-winkler.comparator.ts';
import { nysiis, soundex } from '../../../../shared/domain/identity/nysiis.phonetic.ts';
import { comparableName, tonelessPinyin } from '../../../../shared/domain/identity/pinyin.normaliser.ts';

describe('Domain: string comparators', () => {
  describe('jaroWinkler', () => {
    it.each([
      // Winkler (1990) / Wikipedia's worked examples.
      ['MARTHA', 'MARHTA', 0.961],
      ['DWAYNE', 'DUANE', 0.84],
      ['DIXON', 'DICKSONX', 0.813],
    ])('%s / %s ≈ %s', (a, b, expected) => {
      expect(jaroWinkler(a, b)).toBeCloseTo(expected, 3);
    });

    it('gives Jaro 0.944 for MARTHA / MARHTA (before the prefix boost)', () => {
      expect(jaro('MARTHA', 'MARHTA')).toBeCloseTo(0.944, 3);
    });

    it('is 1 for equal strings and 0 when nothing matches or a side is empty', () => {
      expect(jaroWinkler('abc', 'abc')).toBe(1);
      expect(jaroWinkler('abc', 'xyz')).toBe(0);
      expect(jaroWinkler('', 'abc')).toBe(0);
    });

    it('is symmetric and within [0, 1]', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
          const s = jaroWinkler(a, b);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(1);
          expect(jaroWinkler(b, a)).toBeCloseTo(s, 12);
        }),
      );
    });
  });

  describe('damerauLevenshtein', () => {
    it.each([
      ['kitten', 'sitting', 3],
      ['ca', 'ac', 1],
      ['19560409', '19564009', 1],
      ['abc', 'abc', 0],
      ['', 'abc', 3],
    ])('%s → %s is %i edits', (a, b, expected) => {
      expect(damerauLevenshtein(a, b)).toBe(expected);
    });

    it('stops at the bound: max + 1 when the distance exceeds it', () => {
      expect(damerauLevenshtein('kitten', 'sitting', 1)).toBe(2);
      expect(damerauLevenshtein('1234567', '7654321', 2)).toBe(3);
    });

    it('agrees with the unbounded distance whenever that is within the bound', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.nat(4), (a, b, max) => {
          const full = damerauLevenshtein(a, b);
          expect(damerauLevenshtein(a, b, max)).toBe(full <= max ? full : max + 1);
        }),
      );
    });

    it('similarity is symmetric and within [0, 1]', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
          const s = damerauLevenshteinSimilarity(a, b);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(1);
          expect(damerauLevenshteinSimilarity(b, a)).toBe(s);
        }),
      );
    });
  });

  describe('nysiis', () => {
    it.each([
      // Published examples (dropby.com, as pinned by Apache commons-codec's NysiisTest), untruncated.
      ['MACINTOSH', 'MCANT'],
      ['KNUTH', 'NAT'],
      ['KOEHN', 'CAN'],
      ['PHILLIPSON', 'FALAPSAN'],
      ['PFEISTER', 'FASTAR'],
      ['SCHOENHOEFT', 'SANAFT'],
      ['MCKEE', 'MCY'],
      ['MACKIE', 'MCY'],
      ['HEITSCHMIDT', 'HATSNAD'],
      ['BART', 'BAD'],
      ['HURD', 'HAD'],
      ['HUNT', 'HAD'],
      ['WESTERLUND', 'WASTARLAD'],
      ['CASSTEVENS', 'CASTAFAN'],
      ['VASQUEZ', 'VASG'],
      ['FRAZIER', 'FRASAR'],
      ['BOWMAN', 'BANAN'],
      ['MCKNIGHT', 'MCNAGT'],
      ['RICKERT', 'RACAD'],
      ['DEUTSCH', 'DAT'],
      ['WESTPHAL', 'WASTFAL'],
      ['SHRIVER', 'SRAVAR'],
      ['KUHL', 'CAL'],
      ['RAWSON', 'RASAN'],
      ['JILES', 'JAL'],
      ['CARRAWAY', 'CARY'],
      ['YAMADA', 'YANAD'],
      ["O'Daniel", 'ODANAL'],
      ["O'Donnel", 'ODANAL'],
      ['Cory', 'CARY'],
      ['Kory', 'CARY'],
      ['Trueman', 'TRANAN'],
      ['Truman', 'TRANAN'],
      ['Schmidt', 'SNAD'],
      ['Smith', 'SNAT'],
    ])('%s → %s', (name, code) => {
      expect(nysiis(name)).toBe(code);
    });

    it('truncates to 6 characters in the original form', () => {
      expect(nysiis('WESTERLUND', 6)).toBe('WASTAR');
    });

    it('is empty for a name without letters', () => {
      expect(nysiis('123 -')).toBe('');
    });
  });

  describe('soundex', () => {
    it.each([
      ['Robert', 'R163'],
      ['Rupert', 'R163'],
      ['Rubin', 'R150'],
      ['Ashcraft', 'A261'],
      ['Tymczak', 'T522'],
      ['Pfister', 'P236'],
      ['Honeyman', 'H555'],
    ])('%s → %s', (name, code) => {
      expect(soundex(name)).toBe(code);
    });
  });

  describe('pinyin', () => {
    it('gives 李雷 and 李蕾 the same toneless pinyin', () => {
      expect(tonelessPinyin('李雷')).toBe('lilei');
      expect(tonelessPinyin('李蕾')).toBe(tonelessPinyin('李雷'));
    });

    it('compares a Chinese name with its romanised form', () => {
      expect(comparableName('李雷')).toBe(comparableName('Li Lei'));
      expect(jaroWinkler(comparableName('李蕾'), comparableName('li lei'))).toBe(1);
    });

    it('reads the first character as a surname (单 → shan)', () => {
      expect(tonelessPinyin('单雄信')).toBe('shanxiongxin');
    });
  });
});
