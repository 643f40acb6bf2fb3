import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EMAIL_RULES,
  type EmailRules,
  GMAIL_RULES,
  normaliseEmail,
} from '../../../../shared/domain/cleaning/email.normaliser.ts';
import { expectIdempotent, expectResult, junk, RUNS } from './properties.helper.ts';

describe('Domain: email normaliser', () => {
  it.each([
    [' Foo.Bar@Example.COM ', 'foo.bar@example.com'],
    ['ZhangSan@QQ.com', 'zhangsan@qq.com'],
    ['ｚｈａｎｇｓａｎ＠１６３．ｃｏｍ', 'zhangsan@163.com'],
    ['foo@qq。com', 'foo@qq.com'],
    ['张三 <ZhangSan@QQ.com>', 'zhangsan@qq.com'],
    ['"Zhang, San" <a@b.cn>', 'a@b.cn'],
    ['<a@b.cn>', 'a@b.cn'],
    ['mailto:Wei@Example.org', 'wei@example.org'],
    ['a+tag@example.com', 'a+tag@example.com'],
    ["o'neil@example.ie", "o'neil@example.ie"],
    ['user@例子.公司', 'user@例子.公司'],
    ['user@BÜCHER.de', 'user@bücher.de'],
    ['user@xn--fsqu00a.xn--3lr804guic', 'user@xn--fsqu00a.xn--3lr804guic'],
    ['j.doe@gmail.com', 'j.doe@gmail.com'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normaliseEmail(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'email.empty'],
    ['\u3000 ', 'email.empty'],
    ['a@b', 'email.invalid'],
    ['@example.com', 'email.invalid'],
    ['a@@example.com', 'email.invalid'],
    ['a..b@example.com', 'email.invalid'],
    ['.a@example.com', 'email.invalid'],
    ['a b@example.com', 'email.invalid'],
    ['a@-example.com', 'email.invalid'],
    ['a@example.c0m', 'email.invalid'],
    ['a@example.com (Zhang San)', 'email.invalid'],
    ['Zhang San a@example.com', 'email.invalid'],
    ['<a@example.com> trailing', 'email.invalid'],
    ['"quoted"@example.com', 'email.invalid'],
    [`${'a'.repeat(65)}@example.com`, 'email.invalid'],
    [`a@${'b'.repeat(250)}.com`, 'email.invalid'],
    [42, 'email.invalid'],
    [null, 'email.invalid'],
  ])('rejects %j with %s', (input, reason) => {
    expect(normaliseEmail(input)).toEqual({ ok: false, reason });
  });

  it('folds nothing provider-specific by default', () => {
    expect(DEFAULT_EMAIL_RULES).toEqual({});
    expect(normaliseEmail('J.Doe+news@GoogleMail.com')).toEqual({
      ok: true,
      value: 'j.doe+news@googlemail.com',
    });
  });

  it.each([
    ['J.Doe+news@Gmail.com', 'jdoe@gmail.com'],
    ['j.d.o.e@googlemail.com', 'jdoe@gmail.com'],
    ['jdoe+a+b@gmail.com', 'jdoe@gmail.com'],
    ['j.doe+news@example.com', 'j.doe+news@example.com'],
  ])('with GMAIL_RULES folds %j to %s', (input, expected) => {
    expect(normaliseEmail(input, GMAIL_RULES)).toEqual({ ok: true, value: expected });
  });

  it('rejects an address that folding leaves without a local part', () => {
    expect(normaliseEmail('+news@gmail.com', GMAIL_RULES)).toEqual({ ok: false, reason: 'email.invalid' });
  });

  it('applies custom provider rules and survives alias cycles', () => {
    const rules: EmailRules = {
      'corp.example': { stripPlusTag: true },
      'old.example': { canonicalDomain: 'corp.example' },
      'a.example': { canonicalDomain: 'b.example' },
      'b.example': { canonicalDomain: 'a.example', stripDots: true },
    };
    expect(normaliseEmail('wei+crm@old.example', rules)).toEqual({ ok: true, value: 'wei@corp.example' });
    expect(normaliseEmail('w.ei@a.example', rules)).toEqual({ ok: true, value: 'wei@a.example' });
    expect(normaliseEmail('toString@constructor.example', rules)).toEqual({
      ok: true,
      value: 'tostring@constructor.example',
    });
  });

  it('never throws, and an accepted address normalises to itself (with and without provider rules)', () => {
    fc.assert(
      fc.property(
        fc.oneof(junk(), fc.emailAddress()),
        fc.constantFrom(DEFAULT_EMAIL_RULES, GMAIL_RULES),
        (raw, rules) => {
          const first = normaliseEmail(raw, rules);
          expectResult(first);
          expectIdempotent(first, (v) => normaliseEmail(v, rules));
        },
      ),
      RUNS,
    );
  });

  it('accepts generated RFC addresses whatever their case and padding, and lower-cases them', () => {
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.boolean(),
        fc.constantFrom('', ' ', '\u3000', '\t'),
        (email, upper, pad) => {
          const result = normaliseEmail(`${pad}${upper ? email.toUpperCase() : email}${pad}`);
          expect(result).toEqual({ ok: true, value: email.toLowerCase() });
        },
      ),
      RUNS,
    );
  });

  it('treats Gmail dot and tag variants as one mailbox', () => {
    const local = fc.stringMatching(/^[a-z0-9]{1,20}$/);
    fc.assert(
      fc.property(
        local,
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.stringMatching(/^[a-z0-9]{0,8}$/),
        (name, dots, tag) => {
          let dotted = name;
          for (const d of dots) {
            const at = 1 + (d % name.length);
            if (at < dotted.length && !dotted.slice(at - 1, at + 1).includes('.')) {
              dotted = `${dotted.slice(0, at)}.${dotted.slice(at)}`;
            }
          }
          const variant = `${dotted}${tag === '' ? '' : `+${tag}`}@googlemail.com`;
          expect(normaliseEmail(variant, GMAIL_RULES)).toEqual({ ok: true, value: `${name}@gmail.com` });
        },
      ),
      RUNS,
    );
  });
});
