import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChannelEnvelope } from '../../../events/channel/channel-envelope.v1.ts';
import { cleanEnvelope, DEFAULT_CLEANING_CONFIG } from '../../../shared/domain/cleaning/envelope.cleaner.ts';
import {
  DEFAULT_HEADER_CONVENTION,
  describeMapping,
  IMPORT_EVENT_TYPES,
  ImportMappingError,
  importMessageId,
  normaliseHeader,
  parseImportMapping,
  type ResolvedImportMapping,
  resolveImportMapping,
  rowToEnvelope,
} from '../../../shared/domain/ingest/import-mapping.ts';

const IMPORTED_AT = '2024-03-01T08:00:00.000Z';
const ctx = (mapping: ResolvedImportMapping, rowNumber = 1) => ({
  source: 'csv-demo',
  mapping,
  fileId: 'f00dfeedf00dfeed',
  rowNumber,
  importedAt: IMPORTED_AT,
});

describe('Domain: import mapping', () => {
  describe('default header convention', () => {
    it('maps Chinese headers and keeps the rest as attributes', () => {
      // Prepare
      const headers = [
        '编号',
        '姓名',
        '手机号',
        '邮箱',
        '出生日期',
        '省份',
        '城市',
        '地址',
        '邮编',
        '会员卡号',
        '日期',
        '等级',
      ];
      // Act
      const mapping = resolveImportMapping({ headers });
      const envelope = rowToEnvelope(
        {
          编号: 'A-001',
          姓名: '张伟',
          手机号: '138 0013 8000',
          邮箱: ' ZW@Example.com ',
          出生日期: '1990年1月2日',
          省份: '上海市',
          城市: '上海',
          地址: '南京西路 1 号',
          邮编: '200040',
          会员卡号: '6228480012345678',
          日期: '2024-01-02 13:04',
          等级: 'VIP2',
        },
        ctx(mapping),
      );
      // Assess
      expect(envelope).toEqual({
        specVersion: '1',
        messageId: 'csv-demo:A-001',
        type: 'third-party.record',
        source: 'csv-demo',
        channel: 'import',
        occurredAt: '2024-01-02 13:04',
        identities: { phone: '138 0013 8000', email: ' ZW@Example.com ', memberCard: '6228480012345678' },
        traits: {
          name: '张伟',
          birthday: '1990年1月2日',
          address: '南京西路 1 号',
          city: '上海',
          province: '上海市',
          postcode: '200040',
        },
        payload: { provider: 'csv-demo', recordType: 'import-row', attributes: { 等级: 'VIP2' } },
        context: { import: { fileId: 'f00dfeedf00dfeed', row: 1 } },
      });
      expect(parseChannelEnvelope(envelope).ok).toBe(true);
    });

    it.each([
      ['Mobile', 'phone'],
      ['mobile_no', 'phone'],
      ['Phone Number', 'phone'],
      ['手机', 'phone'],
      ['电话', 'phone'],
      ['E-Mail', 'email'],
      ['ＥＭＡＩＬ', 'email'],
      ['Member_Card', 'memberCard'],
      ['device id', 'deviceId'],
      ['USER_ID', 'userId'],
      ['crm-id', 'crmId'],
      ['OpenID', 'wechatOpenId'],
      ['unionid', 'wechatUnionId'],
    ])('takes header %j as identity %s', (header, identity) => {
      const mapping = resolveImportMapping({ headers: ['x', header] });
      expect(mapping.identities).toEqual([[identity, header]]);
    });

    it.each([
      ['Birth_Date', 'birthday'],
      ['生日', 'birthday'],
      ['ZIP', 'postcode'],
      ['address', 'address'],
      ['Province', 'province'],
      ['City', 'city'],
      ['Name', 'name'],
    ])('takes header %j as trait %s', (header, trait) => {
      const mapping = resolveImportMapping({ headers: ['phone', header] });
      expect(mapping.traits).toEqual([[trait, header]]);
    });

    it.each([
      ['id', 'created'],
      ['record_id', 'Date'],
      ['Row ID', '时间'],
    ])('takes %j as the message id and %j as the event time', (id, time) => {
      const mapping = resolveImportMapping({ headers: ['phone', id, time] });
      expect(mapping.messageId).toBe(id);
      expect(mapping.occurredAt).toBe(time);
    });

    it('lets the first of two matching headers win; the second is an attribute', () => {
      const mapping = resolveImportMapping({ headers: ['手机号', 'mobile'] });
      expect(mapping.identities).toEqual([['phone', '手机号']]);
      expect(mapping.rest).toEqual(['mobile']);
    });

    it('builds a purchase of one item from conventional columns, with quantity 1 when there is none', () => {
      const mapping = resolveImportMapping({
        headers: ['order_id', '门店', 'SKU', '商品名称', '单价', '币种', 'phone'],
        type: 'pos.purchase',
      });
      const envelope = rowToEnvelope(
        {
          order_id: 'O-1',
          门店: 'SH01',
          SKU: '6901234567892',
          商品名称: '围巾',
          单价: '1,299.00',
          币种: 'CNY',
          phone: '13800138000',
        },
        ctx(mapping),
      );
      expect(envelope.payload).toEqual({
        orderId: 'O-1',
        storeId: 'SH01',
        items: [{ sku: '6901234567892', name: '围巾', quantity: '1', unitPrice: '1,299.00' }],
        total: { amount: '1,299.00', currency: 'CNY' },
      });
      const cleaned = cleanEnvelope(JSON.stringify(envelope), IMPORTED_AT, DEFAULT_CLEANING_CONFIG);
      expect(cleaned.kind).toBe('cleaned');
    });

    it('refuses a file without an identity column', () => {
      expect(() => resolveImportMapping({ headers: ['姓名', '城市'] })).toThrow(ImportMappingError);
      expect(() => resolveImportMapping({ headers: ['姓名', '城市'] })).toThrow(/no header is an identity/);
    });

    it('has no alias under two targets', () => {
      const aliases = Object.values(DEFAULT_HEADER_CONVENTION).flat();
      expect(new Set(aliases).size).toBe(aliases.length);
      for (const a of aliases) expect(normaliseHeader(a)).toBe(a);
    });
  });

  describe('explicit mapping', () => {
    const file = {
      type: 'third-party.record',
      messageId: 'row_id',
      occurredAt: 'created',
      identities: { phone: 'mobile', email: 'email', memberCard: 'card_no', custom: { taobaoNick: 'nick' } },
      traits: { name: '姓名', birthday: 'birth_date', country: { value: 'CN' }, custom: { tier: 'level' } },
      payload: { recordType: { value: 'member' }, attributes: ['points'] },
    };

    it('maps exactly the named columns, constants included', () => {
      const mapping = resolveImportMapping({
        headers: [
          'row_id',
          'created',
          'mobile',
          'email',
          'card_no',
          'nick',
          '姓名',
          'birth_date',
          'level',
          'points',
          'note',
          'phone',
        ],
        mapping: parseImportMapping(file),
      });
      const envelope = rowToEnvelope(
        {
          row_id: ' 77 ',
          created: '2024/01/02 13:04',
          mobile: '+86 138-0013-8000',
          email: '',
          card_no: '123',
          nick: 'tb_zw',
          姓名: '张伟',
          birth_date: '19900102',
          level: 'gold',
          points: '1,200',
          note: 'ignored',
          phone: 'not used: the mapping decides identities',
        },
        ctx(mapping),
      );
      expect(envelope).toMatchObject({
        messageId: 'csv-demo:77',
        occurredAt: '2024/01/02 13:04',
        identities: { phone: '+86 138-0013-8000', memberCard: '123', custom: { taobaoNick: 'tb_zw' } },
        traits: { name: '张伟', birthday: '19900102', country: 'CN', custom: { tier: 'gold' } },
        payload: { provider: 'csv-demo', recordType: 'member', attributes: { points: '1,200' } },
      });
      expect(envelope.identities).not.toHaveProperty('email');
      expect(parseChannelEnvelope(envelope).ok).toBe(true);
      expect(describeMapping(mapping)).toContain('identities.phone ← mobile');
    });

    it('defaults the type to third-party.record, and --type overrides it', () => {
      const mapping = parseImportMapping({ identities: { phone: 'm' } });
      expect(mapping.type).toBe('third-party.record');
      expect(resolveImportMapping({ headers: ['m'], mapping, type: 'app.event' }).type).toBe('app.event');
    });

    it('names the columns that are not in the file', () => {
      expect(() =>
        resolveImportMapping({ headers: ['mobile'], mapping: parseImportMapping({ ...file, payload: {} }) }),
      ).toThrow(/column 'row_id' is not in the file/);
    });

    it.each([
      [[], 'expected a mapping object'],
      [{ type: 'pos.refund' }, "type: expected one of 'third-party.record'"],
      [{ identities: { phon: 'mobile' } }, 'identities: has unknown keys: phon'],
      [{ identities: { phone: '' } }, 'identities.phone: expected a column name'],
      [{ identities: { phone: 42 } }, 'identities.phone: expected a column name'],
      [{ identities: { custom: { 'taobao nick': 'n' } } }, 'identities.custom.taobao nick: expected a key'],
      [{ traits: { name: { constant: 'x' } } }, 'traits.name: expected a column name or { "value"'],
      [{ type: 'pos.purchase', payload: { attributes: ['a'] } }, 'payload: has unknown keys: attributes'],
      [{ payload: { attributes: 'all' } }, "payload.attributes: expected 'unmapped' or an array"],
      [{ identities: {}, extra: 1 }, '(root): has unknown keys: extra'],
    ])('refuses %j: %s', (input, message) => {
      let error: unknown;
      try {
        parseImportMapping(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ImportMappingError);
      expect((error as ImportMappingError).problems.join('\n')).toContain(message);
    });
  });

  describe('message ids', () => {
    const mapping = resolveImportMapping({ headers: ['phone', 'city'] });

    it('are stable per file and row, so a re-run is a duplicate', () => {
      const row = { phone: '13800138000', city: '上海' };
      const a = rowToEnvelope(row, ctx(mapping, 5));
      const b = rowToEnvelope(row, { ...ctx(mapping, 5), importedAt: '2025-01-01T00:00:00.000Z' });
      expect(a.messageId).toBe('csv-demo:f00dfeedf00dfeed-row-5');
      expect(b.messageId).toBe(a.messageId);
      expect(rowToEnvelope(row, ctx(mapping, 6)).messageId).not.toBe(a.messageId);
      // Without a date column, the event happened when it was imported.
      expect(a.occurredAt).toBe(IMPORTED_AT);
    });

    it('fall back to the row when the id cell is blank, and hash ids too long for 128 characters', () => {
      const withId = resolveImportMapping({ headers: ['id', 'phone'] });
      expect(rowToEnvelope({ id: '  ', phone: '1' }, ctx(withId, 3)).messageId).toBe(
        'csv-demo:f00dfeedf00dfeed-row-3',
      );
      const long = importMessageId('csv-demo', 'f', 1, 'x'.repeat(200));
      expect(long).toMatch(/^csv-demo:h-[0-9a-f]{28}$/);
      expect(importMessageId('csv-demo', 'f', 1, 'x'.repeat(200))).toBe(long);
      expect(importMessageId('csv-demo', 'f', 1, 'y'.repeat(200))).not.toBe(long);
    });
  });

  it('never throws on arbitrary headers and rows, and always yields a JSON channel envelope', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.oneof(fc.constantFrom('phone', '手机号', 'email', 'id', '日期', 'sku', '姓名'), fc.string()),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.array(fc.oneof(fc.string(), fc.constant(''), fc.string({ unit: 'binary' })), { maxLength: 8 }),
        fc.constantFrom(...IMPORT_EVENT_TYPES),
        fc.nat(1_000_000),
        (headers, values, type, rowNumber) => {
          let mapping: ResolvedImportMapping;
          try {
            mapping = resolveImportMapping({ headers, type });
          } catch (error) {
            expect(error).toBeInstanceOf(ImportMappingError);
            return;
          }
          const row = Object.fromEntries(headers.map((h, i) => [h, values[i] ?? '']));
          const envelope = rowToEnvelope(row, ctx(mapping, rowNumber + 1));
          expect(envelope.channel).toBe('import');
          expect(envelope.messageId.length).toBeLessThanOrEqual(128);
          const outcome = cleanEnvelope(JSON.stringify(envelope), IMPORTED_AT, DEFAULT_CLEANING_CONFIG);
          expect(['cleaned', 'rejected']).toContain(outcome.kind);
        },
      ),
      { numRuns: 500 },
    );
  });
});
