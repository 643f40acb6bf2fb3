import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CURRENCY_MINOR_UNITS,
  normaliseMoney,
  normaliseMoneyGenerally,
} from '../../../../shared/domain/cleaning/money.normaliser.ts';
import { expectResult, junk, RUNS } from './properties.helper.ts';

/** Minor units back to a plain decimal string: 12345 CNY → "123.45". */
const toDecimal = (minor: number, currency: string): string => {
  const exponent = CURRENCY_MINOR_UNITS.get(currency) ?? 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const int = digits.slice(0, digits.length - exponent);
  const frac = exponent === 0 ? '' : `.${digits.slice(digits.length - exponent)}`;
  return `${minor < 0 ? '-' : ''}${int}${frac}`;
};

const groupThousands = (int: string): string => int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

describe('Domain: money normaliser', () => {
  it.each<[unknown, unknown, number, string]>([
    ['1234.5', 'CNY', 123450, 'CNY'],
    ['1,234.50', 'cny', 123450, 'CNY'],
    ['1,234,567', 'USD', 123456700, 'USD'],
    ['¥1,234.50', undefined, 123450, 'CNY'],
    ['￥12.345', null, 1235, 'CNY'],
    ['12元', '', 1200, 'CNY'],
    ['人民币 88.8', undefined, 8880, 'CNY'],
    ['RMB 100', undefined, 10000, 'CNY'],
    ['100 rmb', undefined, 10000, 'CNY'],
    ['100', '人民币', 10000, 'CNY'],
    ['100', '元', 10000, 'CNY'],
    ['100', '￥', 10000, 'CNY'],
    ['¥100', 'JPY', 100, 'JPY'],
    ['100円', undefined, 100, 'JPY'],
    ['$100', undefined, 10000, 'USD'],
    ['$100', 'HKD', 10000, 'HKD'],
    ['HK$100', undefined, 10000, 'HKD'],
    ['HK$ 1,000.5', '$', 100050, 'HKD'],
    ['US$9.99', undefined, 999, 'USD'],
    ['NT$300', undefined, 30000, 'TWD'],
    ['€12', '', 1200, 'EUR'],
    ['£1.005', undefined, 101, 'GBP'],
    ['₩5000', undefined, 5000, 'KRW'],
    ['100 USD', undefined, 10000, 'USD'],
    ['USD100', undefined, 10000, 'USD'],
    ['１２３．４５', 'ＣＮＹ', 12345, 'CNY'],
    ['-¥12', undefined, -1200, 'CNY'],
    ['¥-12', undefined, -1200, 'CNY'],
    ['−12.5', 'EUR', -1250, 'EUR'],
    ['(1,234.50)', 'USD', -123450, 'USD'],
    ['+3', 'USD', 300, 'USD'],
    ['0.5', 'JPY', 1, 'JPY'],
    ['-0.5', 'JPY', -1, 'JPY'],
    ['0.49', 'JPY', 0, 'JPY'],
    ['-0.001', 'USD', 0, 'USD'],
    ['1.2345', 'KWD', 1235, 'KWD'],
    ['1.2344', 'BHD', 1234, 'BHD'],
    ['0.00005', 'CLF', 1, 'CLF'],
    [1.005, 'USD', 101, 'USD'],
    [0.1 + 0.2, 'USD', 30, 'USD'],
    [-2.675, 'EUR', -268, 'EUR'],
    [1234, 'KRW', 1234, 'KRW'],
    [1.5e-7, 'USD', 0, 'USD'],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER, 'USD'],
  ])('normalises %j %j to %d %s', (amount, currency, minor, code) => {
    expect(normaliseMoney(amount, currency)).toEqual({ ok: true, value: { minor, currency: code } });
  });

  it('uses the default currency when nothing else names one, and to break a `$` tie', () => {
    expect(normaliseMoney('100', undefined, { defaultCurrency: 'cny' })).toEqual({
      ok: true,
      value: { minor: 10000, currency: 'CNY' },
    });
    expect(normaliseMoney('$100', undefined, { defaultCurrency: 'SGD' })).toEqual({
      ok: true,
      value: { minor: 10000, currency: 'SGD' },
    });
    expect(normaliseMoney('€100', undefined, { defaultCurrency: 'CNY' })).toEqual({
      ok: true,
      value: { minor: 10000, currency: 'EUR' },
    });
  });

  it.each<[unknown, unknown, string]>([
    ['', 'CNY', 'money.empty'],
    [' ', 'CNY', 'money.empty'],
    [null, 'CNY', 'money.empty'],
    ['1 234,50', 'EUR', 'money.invalid-amount'],
    ['1.234,50', 'EUR', 'money.invalid-amount'],
    ['12,5', 'EUR', 'money.invalid-amount'],
    ['1,23', 'USD', 'money.invalid-amount'],
    ['1,2345.00', 'USD', 'money.invalid-amount'],
    ['1e3', 'USD', 'money.invalid-amount'],
    ['1.5万', 'CNY', 'money.invalid-amount'],
    ['abc', 'USD', 'money.invalid-amount'],
    ['¥', undefined, 'money.invalid-amount'],
    ['--1', 'USD', 'money.invalid-amount'],
    ['(-1)', 'USD', 'money.invalid-amount'],
    ['NaN', 'USD', 'money.invalid-amount'],
    [Number.NaN, 'USD', 'money.invalid-amount'],
    [Number.POSITIVE_INFINITY, 'USD', 'money.invalid-amount'],
    [true, 'USD', 'money.invalid-amount'],
    [{ amount: 1 }, 'USD', 'money.invalid-amount'],
    [1e300, 'USD', 'money.out-of-range'],
    [2 ** 60, 'JPY', 'money.out-of-range'],
    ['90071992547409.92', 'USD', 'money.out-of-range'],
    ['100', 'XYZ', 'money.unknown-currency'],
    ['100', 'dollars', 'money.unknown-currency'],
    ['100', 42, 'money.unknown-currency'],
    ['100', 'XAU', 'money.unknown-currency'],
    ['100', undefined, 'money.missing-currency'],
    [100, '', 'money.missing-currency'],
    ['€12', 'USD', 'money.currency-conflict'],
    ['HK$12', 'CNY', 'money.currency-conflict'],
    ['¥12', 'USD', 'money.currency-conflict'],
  ])('rejects %j %j with %s', (amount, currency, reason) => {
    expect(normaliseMoney(amount, currency)).toEqual({ ok: false, reason });
  });

  it('rejects an unknown default currency', () => {
    expect(normaliseMoney('1', undefined, { defaultCurrency: 'ABC' })).toEqual({
      ok: false,
      reason: 'money.unknown-currency',
    });
  });

  it('knows the ISO 4217 minor units that differ from two', () => {
    expect(CURRENCY_MINOR_UNITS.get('JPY')).toBe(0);
    expect(CURRENCY_MINOR_UNITS.get('KRW')).toBe(0);
    expect(CURRENCY_MINOR_UNITS.get('KWD')).toBe(3);
    expect(CURRENCY_MINOR_UNITS.get('BHD')).toBe(3);
    expect(CURRENCY_MINOR_UNITS.get('CNY')).toBe(2);
    expect(CURRENCY_MINOR_UNITS.size).toBeGreaterThan(150);
  });

  it('never throws, and minor units fed back as a decimal normalise to themselves', () => {
    fc.assert(
      fc.property(
        fc.oneof(junk(), fc.double(), fc.integer()),
        fc.oneof(junk(), fc.constantFrom(...CURRENCY_MINOR_UNITS.keys(), '¥', '$', 'HK$', '元')),
        (amount, currency) => {
          const first = normaliseMoney(amount, currency, { defaultCurrency: 'CNY' });
          expectResult(first);
          if (first.ok) {
            const { minor, currency: code } = first.value;
            expect(Number.isSafeInteger(minor)).toBe(true);
            expect(normaliseMoney(toDecimal(minor, code), code)).toEqual(first);
          }
        },
      ),
      RUNS,
    );
  });

  it('reads exactly the minor units back from any formatting of them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom('CNY', 'JPY', 'KWD', 'USD', 'EUR', 'CLF'),
        fc.boolean(),
        fc.constantFrom('', ' CNY', 'code-prefix', '元'),
        (minor, currency, grouped, decoration) => {
          const decimal = toDecimal(minor, currency);
          const [int = '', frac] = decimal.replace('-', '').split('.');
          const body = `${grouped ? groupThousands(int) : int}${frac === undefined ? '' : `.${frac}`}`;
          const signed = `${minor < 0 ? '-' : ''}${body}`;
          const raw =
            decoration === 'code-prefix'
              ? `${currency} ${signed}`
              : decoration === '' || currency === 'CNY'
                ? `${signed}${decoration}`
                : signed;
          expect(normaliseMoney(raw, currency)).toEqual({ ok: true, value: { minor, currency } });
        },
      ),
      RUNS,
    );
  });

  it('rounds half away from zero at the first dropped digit', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1e9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        (cents, next, negative) => {
          const raw = `${negative ? '-' : ''}${toDecimal(cents, 'USD')}${next}7`;
          const magnitude = cents + (next >= 5 ? 1 : 0);
          expect(normaliseMoney(raw, 'USD')).toEqual({
            ok: true,
            value: { minor: negative && magnitude !== 0 ? -magnitude : magnitude, currency: 'USD' },
          });
        },
      ),
      RUNS,
    );
  });

  it('takes its fast paths (bare amounts, listed currency tokens, exact small numbers) only where the general path agrees', () => {
    const amount = fc.oneof(
      junk(),
      fc.double(),
      fc.integer(),
      fc
        .tuple(
          fc.constantFrom('', '-', '+', '(', ' '),
          fc.constantFrom('', '¥', '￥', '$', 'HK$', '€', 'RMB ', 'usd', '元'),
          fc.oneof(
            fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
            fc.constantFrom('1,299', '12,34', '1,234,567', '０', '１２', '007'),
          ),
          fc.constantFrom('', '.', '.00', '.5', '.005', '.0049', '．００', ',50', '.99999999999999999'),
          fc.constantFrom('', ')', ' 元', ' USD', 'rmb', ' '),
        )
        .map((parts) => parts.join('')),
    );
    const currency = fc.oneof(
      fc.constantFrom(
        undefined,
        null,
        '',
        'RMB',
        'CNY',
        'cny',
        '¥',
        '￥',
        '元',
        'JPY',
        'KWD',
        'HK$',
        'ＲＭＢ',
        ' USD',
        'XXX',
      ),
      junk(),
    );
    fc.assert(
      fc.property(
        amount,
        currency,
        fc.constantFrom(undefined, 'CNY', 'JPY', 'KWD'),
        (a, c, defaultCurrency) => {
          const opts = { defaultCurrency };
          expect(normaliseMoney(a, c, opts)).toStrictEqual(normaliseMoneyGenerally(a, c, opts));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
