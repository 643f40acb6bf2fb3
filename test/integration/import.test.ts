import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportSummary, type RunImportOptions, runImport } from '../../infra/cli/import.command.ts';
import { ingestStream } from '../../infra/definitions/streams.definition.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.ts';
import { readQualityCounters } from '../../shared/adapters/dynamodb/quality.repository.ts';
import { qualityReport } from '../../shared/domain/ingest/quality-report.ts';
import { eventually } from '../helpers/eventually.ts';

// Node decodes GB18030 but cannot encode it: a reverse table of its two-byte codes serves the test's text.
let gbCodes: Map<string, readonly [number, number]> | undefined;
const encodeGb18030 = (text: string): Buffer => {
  if (!gbCodes) {
    gbCodes = new Map();
    const decoder = new TextDecoder('gb18030');
    for (let a = 0x81; a <= 0xfe; a++)
      for (let b = 0x40; b <= 0xfe; b++) {
        if (b === 0x7f) continue;
        const ch = decoder.decode(new Uint8Array([a, b]));
        if (ch.length === 1 && ch !== '\ufffd' && !gbCodes.has(ch)) gbCodes.set(ch, [a, b]);
      }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x80) bytes.push(code);
    else {
      const pair = gbCodes.get(ch);
      if (!pair) throw new Error(`no two-byte GB18030 code for ${ch}`);
      bytes.push(...pair);
    }
  }
  return Buffer.from(bytes);
};

const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强'];
const CITIES = ['上海', '北京', '杭州', '广州', '深圳'];

/**
 * A customer export as a Chinese CRM writes it: Chinese headers, formatted phones, Chinese dates. Every
 * tenth row from 3 has a bad phone and no other identity, from 5 an unreadable date, from 6 an impossible
 * date, from 7 no identity at all: 4 rows in 10 are quarantined.
 */
const customerCsv = (rows: number): { text: string; accepted: number } => {
  const lines = ['姓名,手机号,邮箱,城市,出生日期,创建时间,会员等级'];
  let accepted = 0;
  for (let i = 0; i < rows; i++) {
    const name = NAMES[i % NAMES.length] ?? '';
    const kind = i % 10;
    const phone =
      kind === 3
        ? '12345'
        : kind === 7
          ? ''
          : `138 ${String(1000 + i).padStart(4, '0')} ${String(8000 + i).slice(-4)}`;
    const email = kind === 3 || kind === 7 ? '' : `user${i}@example.com`;
    const created =
      kind === 5 ? 'yesterday' : kind === 6 ? '2024-02-30 10:00' : `2024年1月${(i % 28) + 1}日 13:04`;
    if (![3, 5, 6, 7].includes(kind)) accepted += 1;
    lines.push(
      [
        name,
        phone,
        email,
        CITIES[i % CITIES.length],
        `199${i % 10}-0${(i % 9) + 1}-1${i % 10}`,
        created,
        `"VIP,${i % 3}"`,
      ].join(','),
    );
  }
  return { text: `${lines.join('\r\n')}\r\n`, accepted };
};

describe('Import of CSV and .xlsx files on the local stack', () => {
  let stack: LocalStack;
  let db: DynamoDBDocumentClient;
  let dir: string;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    db = DynamoDBDocumentClient.from(stack.clients.dynamodb);
    dir = await mkdtemp(join(tmpdir(), 'c360-import-'));
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const importFile = (opts: Omit<RunImportOptions, 'kinesis' | 'streamName'>) =>
    runImport({ ...opts, kinesis: stack.clients.kinesis, streamName: stack.names.stream(ingestStream.id) });

  const report = async (source: string) => {
    const today = new Date().toISOString().slice(0, 10);
    return qualityReport(await readQualityCounters(db, stack.names.table, today, today)).find(
      (s) => s.source === source,
    );
  };
  const settledReport = (source: string, received: number) =>
    eventually(
      () => report(source),
      (q) => (q?.received ?? 0) >= received,
      { timeoutMs: 120_000, intervalMs: 500 },
    );

  const storedEvents = async (source: string) => {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan(
      { client: db },
      {
        TableName: stack.names.table,
        FilterExpression: 'begins_with(pk, :p) AND #e.#s = :s',
        ExpressionAttributeNames: { '#e': 'event', '#s': 'source' },
        ExpressionAttributeValues: { ':p': 'EVENT#', ':s': source },
      },
    ))
      items.push(...(page.Items ?? []));
    return items;
  };
  const storedEvent = async (messageId: string) =>
    (
      await db.send(
        new GetCommand({ TableName: stack.names.table, Key: { pk: `EVENT#${messageId}`, sk: 'CLEANED' } }),
      )
    ).Item?.event as
      | { identities: { type: string; value: string }[]; traits: Record<string, unknown>; occurredAt: string }
      | undefined;

  const expectReportMatches = (q: Awaited<ReturnType<typeof report>>, s: ImportSummary, times = 1) => {
    expect(q).toMatchObject({
      received: s.rows * times,
      accepted: s.accepted,
      quarantined: s.quarantined,
      duplicates: s.rows * (times - 1),
      quarantinedByReason: s.quarantinedByReason,
    });
  };

  it('imports a UTF-8 CSV with Chinese headers; counts agree with the stream; a re-import is all duplicates', async () => {
    // Prepare
    const source = 'crm-export';
    const file = join(dir, 'customers.csv');
    const csv = customerCsv(300);
    await writeFile(file, `\uFEFF${csv.text}`);

    // Act
    const dry = await runImport({ file, source, dryRun: true });
    const first = await importFile({ file, source });

    // Assess
    expect(first).toMatchObject({ encoding: 'utf-8', rows: 300, accepted: csv.accepted, quarantined: 120 });
    expect(first.accepted + first.quarantined).toBe(first.rows);
    expect(first).toMatchObject({ sent: 300, failed: 0, failedMessageIds: [], aborted: undefined });
    expect(dry).toMatchObject({ rows: 300, accepted: first.accepted, sent: 0, dryRun: true });
    expect(dry.quarantinedByReason).toEqual(first.quarantinedByReason);
    expect(first.quarantinedByReason).toEqual({
      'identities.phone: phone.invalid': 30,
      "schema: occurredAt: expected a timestamp (ISO-8601, 'YYYY-MM-DD HH:mm:ss', a Chinese date or epoch milliseconds)": 30,
      'occurredAt: timestamp.impossible-date': 30,
      'schema: identities: expected at least one identity (phone, email, deviceId, memberCard, wechatOpenId, wechatUnionId, crmId, userId, anonymousId or custom)': 30,
    });

    expectReportMatches(await settledReport(source, 300), first);
    await eventually(
      () => storedEvents(source),
      (items) => items.length === first.accepted,
    );
    const row1 = await storedEvent(`${source}:${first.fileId}-row-1`);
    expect(row1?.identities).toEqual([
      { type: 'phone', value: '+8613810008000' },
      { type: 'email', value: 'user0@example.com' },
    ]);
    expect(row1?.traits).toMatchObject({ name: '张伟', city: '上海', birthday: '1990-01-10' });
    expect(row1?.occurredAt).toBe('2024-01-01T05:04:00.000Z');

    // Act: the same file again
    const second = await importFile({ file, source });

    // Assess: same ids, so the stream keeps nothing new and counts every row a duplicate
    expect(second).toMatchObject({ fileId: first.fileId, rows: 300, accepted: first.accepted, sent: 300 });
    expectReportMatches(await settledReport(source, 600), first, 2);
    expect(await storedEvents(source)).toHaveLength(first.accepted);
  });

  it('detects and decodes a GB18030 CSV exported by Chinese Excel', async () => {
    const source = 'excel-gbk';
    const file = join(dir, 'customers-gbk.csv');
    const csv = customerCsv(50);
    await writeFile(file, encodeGb18030(csv.text));

    const summary = await importFile({ file, source });

    expect(summary).toMatchObject({ encoding: 'gb18030', rows: 50, accepted: csv.accepted, sent: 50 });
    expectReportMatches(await settledReport(source, 50), summary);
    const row2 = await storedEvent(`${source}:${summary.fileId}-row-2`);
    expect(row2?.traits).toMatchObject({ name: '王芳', city: '北京' });
  });

  it('reports what it could not send, and stops when nothing gets through', async () => {
    const file = join(dir, 'unsendable.csv');
    await writeFile(file, customerCsv(5000).text);

    const summary = await runImport({
      file,
      source: 'nowhere',
      kinesis: stack.clients.kinesis,
      streamName: 'c360-local-NoSuchStream',
    });

    expect(summary.sent).toBe(0);
    expect(summary.failed).toBeGreaterThanOrEqual(1500);
    expect(summary.failedMessageIds).toHaveLength(100);
    expect(summary.failedMessageIds[0]).toMatch(/^nowhere:[0-9a-f]{16}-row-\d+$/);
    expect(summary.aborted).toMatch(/3 batches in a row failed to send \(ResourceNotFoundException/);
    expect(summary.rows).toBeLessThan(5000);
  });

  it('imports the first sheet of an .xlsx file with an explicit mapping, dates and numbers as Excel keeps them', async () => {
    // Prepare
    const source = 'xlsx-members';
    const file = join(dir, 'members.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Members');
    sheet.addRow(['Member No', 'Mobile', 'E-mail', 'Full name', 'Born', 'Joined', 'Points']);
    for (let i = 1; i <= 20; i++)
      sheet.addRow([
        `M-${i}`,
        i === 20 ? null : 13800138000 + i,
        i === 20 ? null : `m${i}@example.com`,
        i === 1 ? { richText: [{ text: '张' }, { text: '伟' }] } : `会员${i}`,
        new Date(Date.UTC(1990, 0, i)),
        new Date(Date.UTC(2024, 0, 2, 13, 4)),
        { formula: `${i}*100`, result: i * 100 },
      ]);
    workbook.addWorksheet('Notes').addRow(['not', 'imported']);
    await workbook.xlsx.writeFile(file);
    const mapping = {
      type: 'third-party.record' as const,
      messageId: 'Member No',
      occurredAt: 'Joined',
      identities: { phone: 'Mobile', email: 'E-mail', memberCard: 'Member No' },
      traits: { name: 'Full name', birthday: 'Born' },
      payload: { recordType: { value: 'member' }, attributes: ['Points'] },
    };

    // Act
    const summary = await importFile({ file, source, mapping });

    // Assess: row 20 has only its member number, which is an identity
    expect(summary).toMatchObject({ encoding: 'xlsx', rows: 20, accepted: 20, quarantined: 0, sent: 20 });
    expectReportMatches(await settledReport(source, 20), summary);
    const m1 = await storedEvent(`${source}:M-1`);
    expect(m1?.identities).toEqual([
      { type: 'phone', value: '+8613800138001' },
      { type: 'email', value: 'm1@example.com' },
      { type: 'memberCard', value: 'M-1' },
    ]);
    expect(m1?.traits).toMatchObject({ name: '张伟', birthday: '1990-01-01' });
    // A spreadsheet time has no zone: it is the deployment's local time (UTC+8 by default).
    expect(m1?.occurredAt).toBe('2024-01-02T05:04:00.000Z');
  });
});
