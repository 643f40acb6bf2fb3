import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidTimestampOptionsError,
  normaliseTimestamp,
  normaliseTimestampGenerally,
  toIsoString,
} from '../../../../shared/domain/cleaning/timestamp.normaliser.ts';
import { expectIdempotent, expectResult, junk, RUNS } from './properties.helper.ts';

const SHANGHAI = { defaultTimeZoneOffsetMinutes: 480 } as const;

describe('Domain: timestamp normaliser', () => {
  it.each<[unknown, string]>([
    ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05.123z', '2024-01-02T03:04:05.123Z'],
    ['2024-01-02T11:04:05+08:00', '2024-01-02T03:04:05.000Z'],
    ['2024-01-01T22:04:05-05:00', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02 11:04:05 +0800', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05 UTC', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05.123456789Z', '2024-01-02T03:04:05.123Z'],
    ['2024-01-02T11:04:05', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02 11:04', '2024-01-02T03:04:00.000Z'],
    ['2024-01-02 11:04:05.5', '2024-01-02T03:04:05.500Z'],
    ['2024/1/2 11:04:05', '2024-01-02T03:04:05.000Z'],
    ['2024.01.02 11:04', '2024-01-02T03:04:00.000Z'],
    ['2024-01-02', '2024-01-01T16:00:00.000Z'],
    ['20240102', '2024-01-01T16:00:00.000Z'],
    ['20240102110405', '2024-01-02T03:04:05.000Z'],
    ['2024年1月2日', '2024-01-01T16:00:00.000Z'],
    ['2024年1月2日 13:04', '2024-01-02T05:04:00.000Z'],
    ['2024年01月02日13时04分05秒', '2024-01-02T05:04:05.000Z'],
    ['２０２４年１月２日　１３：０４', '2024-01-02T05:04:00.000Z'],
    ['２０２４－０１－０２Ｔ０３：０４：０５Ｚ', '2024-01-02T03:04:05.000Z'],
    ['2024/1/2 下午1:04', '2024-01-02T05:04:00.000Z'],
    ['2024/1/2 上午12:30', '2024-01-01T16:30:00.000Z'],
    ['2024-01-02 1:04 PM', '2024-01-02T05:04:00.000Z'],
    ['2024-01-02 12:04 p.m.', '2024-01-02T04:04:00.000Z'],
    ['2024/1/2 下午 13:04', '2024-01-02T05:04:00.000Z'],
    ['2024-02-29', '2024-02-28T16:00:00.000Z'],
    [1704164645, '2024-01-02T03:04:05.000Z'],
    [1704164645.5, '2024-01-02T03:04:05.500Z'],
    [1704164645123, '2024-01-02T03:04:05.123Z'],
    ['1704164645', '2024-01-02T03:04:05.000Z'],
    ['1704164645123', '2024-01-02T03:04:05.123Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    [new Date('2024-01-02T03:04:05.678Z'), '2024-01-02T03:04:05.678Z'],
  ])('normalises %j to %s (default offset +08:00)', (input, expected) => {
    expect(normaliseTimestamp(input, SHANGHAI)).toEqual({ ok: true, value: expected });
  });

  it('applies the default offset only to local times', () => {
    const utc = { defaultTimeZoneOffsetMinutes: 0 };
    expect(normaliseTimestamp('2024-01-02 03:04', utc)).toEqual({
      ok: true,
      value: '2024-01-02T03:04:00.000Z',
    });
    expect(normaliseTimestamp('2024-01-02T03:04Z', SHANGHAI)).toEqual({
      ok: true,
      value: '2024-01-02T03:04:00.000Z',
    });
  });

  it.each<[unknown, string]>([
    ['', 'timestamp.empty'],
    [' \u3000', 'timestamp.empty'],
    ['2024-02-30', 'timestamp.impossible-date'],
    ['2023-02-29', 'timestamp.impossible-date'],
    ['2024-13-01', 'timestamp.impossible-date'],
    ['20240230', 'timestamp.impossible-date'],
    ['2024-01-02 24:00', 'timestamp.impossible-date'],
    ['2024-01-02 23:60', 'timestamp.impossible-date'],
    ['2024-01-02T03:04:05+25:00', 'timestamp.impossible-date'],
    ['2024-01-02 13:04 AM', 'timestamp.impossible-date'],
    ['2024/1/2 上午13:04', 'timestamp.impossible-date'],
    ['garbage', 'timestamp.unparseable'],
    ['02/01/2024', 'timestamp.unparseable'],
    ['2024-01/02', 'timestamp.unparseable'],
    ['Jan 2, 2024', 'timestamp.unparseable'],
    ['12345', 'timestamp.unparseable'],
    ['2024-01-02Z', 'timestamp.unparseable'],
    [Number.NaN, 'timestamp.unparseable'],
    [Number.POSITIVE_INFINITY, 'timestamp.unparseable'],
    [new Date(Number.NaN), 'timestamp.unparseable'],
    [null, 'timestamp.unparseable'],
    [{ time: 1 }, 'timestamp.unparseable'],
    ['0000-01-01T00:00:00Z', 'timestamp.out-of-range'],
    [8.64e15, 'timestamp.out-of-range'],
    // Already in the canonical form, which skips the general parser: still checked.
    ['2023-02-29T00:00:00.000Z', 'timestamp.impossible-date'],
    ['2024-13-01T00:00:00.000Z', 'timestamp.impossible-date'],
    ['2024-01-01T24:00:00.000Z', 'timestamp.impossible-date'],
    ['0000-12-31T23:59:59.999Z', 'timestamp.out-of-range'],
  ])('rejects %j with %s', (input, reason) => {
    expect(normaliseTimestamp(input, SHANGHAI)).toEqual({ ok: false, reason });
  });

  it('rejects values outside [notBefore, notAfter], bounds included', () => {
    const opts = { ...SHANGHAI, notBefore: '2000-01-01T00:00:00Z', notAfter: '2025-01-01T00:00:00Z' };
    expect(normaliseTimestamp('1999-12-31T23:59:59.999Z', opts)).toEqual({
      ok: false,
      reason: 'timestamp.out-of-range',
    });
    expect(normaliseTimestamp('2030-01-01', opts)).toEqual({ ok: false, reason: 'timestamp.out-of-range' });
    expect(normaliseTimestamp('2000-01-01T00:00:00Z', opts).ok).toBe(true);
    expect(normaliseTimestamp('2025-01-01T00:00:00Z', opts).ok).toBe(true);
  });

  it('keeps a canonical timestamp exactly as Date would write it', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(normaliseTimestamp(iso, SHANGHAI)).toEqual({ ok: true, value: iso });
      }),
      RUNS,
    );
  });

  it('refuses unusable options instead of guessing', () => {
    expect(() => normaliseTimestamp('2024-01-02', { defaultTimeZoneOffsetMinutes: 8 * 60 * 60 })).toThrow(
      InvalidTimestampOptionsError,
    );
    expect(() => normaliseTimestamp('2024-01-02', { ...SHANGHAI, notAfter: 'tomorrow' })).toThrow(
      InvalidTimestampOptionsError,
    );
  });

  it('never throws on any input, and an accepted timestamp normalises to itself', () => {
    fc.assert(
      fc.property(
        fc.oneof(junk(), fc.date(), fc.integer(), fc.double()),
        fc.integer({ min: -720, max: 840 }),
        (raw, offset) => {
          const opts = { defaultTimeZoneOffsetMinutes: offset };
          const first = normaliseTimestamp(raw, opts);
          expectResult(first);
          expectIdempotent(first, (v) => normaliseTimestamp(v, opts));
          if (first.ok) expect(first.value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        },
      ),
      RUNS,
    );
  });

  it('reads back the same instant from every supported rendering of it', () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1990-01-01T00:00:00Z'),
          max: new Date('2090-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -720, max: 840 }),
        (date, offset) => {
          const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
          const local = new Date(whole.getTime() + offset * 60_000);
          const [y, mo, d, h, mi, s] = [
            local.getUTCFullYear(),
            local.getUTCMonth() + 1,
            local.getUTCDate(),
            local.getUTCHours(),
            local.getUTCMinutes(),
            local.getUTCSeconds(),
          ];
          const opts = { defaultTimeZoneOffsetMinutes: offset };
          const expected = { ok: true, value: whole.toISOString() };
          for (const rendering of [
            whole.toISOString(),
            whole,
            whole.getTime(),
            whole.getTime() / 1000,
            String(whole.getTime() / 1000),
            `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`,
            `${y}/${mo}/${d} ${h}:${pad(mi)}:${pad(s)}`,
            `${y}${pad(mo)}${pad(d)}${pad(h)}${pad(mi)}${pad(s)}`,
            `${y}年${mo}月${d}日 ${h}时${mi}分${s}秒`,
          ]) {
            expect(normaliseTimestamp(rendering, opts), String(rendering)).toEqual(expected);
          }
        },
      ),
      RUNS,
    );
  });

  it('takes the fast paths (canonical and plain ASCII date-times) only where the general parse agrees', () => {
    const digits = (min: number, max: number, width = 1) =>
      fc.integer({ min, max }).map((n) => String(n).padStart(width, '0'));
    const dateTime = fc
      .tuple(
        digits(0, 9999, 4),
        fc.constantFrom('-', '/', '.', '年', '－', ''),
        digits(0, 13),
        fc.constantFrom('-', '/', '.', '月'),
        digits(0, 32, 2),
        fc.constantFrom('', ' ', 'T', 't', '  ', '\u3000', '日', '日 '),
        digits(0, 25),
        fc.constantFrom(':', '时', '：', ''),
        digits(0, 61, 2),
        fc.constantFrom('', ':00', ':59', ':60', ':7', '分'),
        fc.constantFrom('', '.', ',', '.000', '.5', '.123456789', '.1234567890'),
        fc.constantFrom(
          '',
          'Z',
          'z',
          ' UTC',
          '+08:00',
          '-0500',
          '+08',
          '+25:00',
          '+08:60',
          ' PM',
          'am',
          '下午',
        ),
      )
      .map((parts) => parts.join(''));
    const value = fc.oneof(
      dateTime,
      dateTime.map((s) => s.slice(0, 10)),
      junk(),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    );
    const options = fc.constantFrom(
      {
        defaultTimeZoneOffsetMinutes: 480,
        notBefore: '2000-01-01T00:00:00Z',
        notAfter: '2026-11-22T08:00:00Z',
      },
      { defaultTimeZoneOffsetMinutes: -300 },
      { defaultTimeZoneOffsetMinutes: 0, notBefore: '1900-01-01', notAfter: '2026-11-22' },
    );
    fc.assert(
      fc.property(value, options, (raw, opts) => {
        expect(normaliseTimestamp(raw, opts)).toEqual(normaliseTimestampGenerally(raw, opts));
      }),
      { numRuns: 1000 },
    );
  });

  it('formats an instant exactly as Date#toISOString does, over years 0001-9999', () => {
    const instant = fc.oneof(
      fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }),
      fc.integer({ min: -1e11, max: 1e11 }),
      fc.constantFrom(-0, 0, -62_135_596_800_000, 253_402_300_799_999, 951_782_400_000, 951_868_800_000),
    );
    fc.assert(
      fc.property(instant, (ms) => {
        expect(toIsoString(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });
});
