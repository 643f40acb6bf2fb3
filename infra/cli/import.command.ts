import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { Presets, SingleBar } from 'cli-progress';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { sha256Hex } from '../../shared/adapters/crypto/sha256.ts';
import { counterName } from '../../shared/adapters/dynamodb/cleaning.store.ts';
import {
  type ChannelSendResult,
  createChannelProducer,
  partitionKeyOf,
} from '../../shared/adapters/kinesis/channel-event.producer.ts';
import {
  type CleaningConfig,
  cleanEnvelope,
  DEFAULT_CLEANING_CONFIG,
} from '../../shared/domain/cleaning/envelope.cleaner.ts';
import {
  DEFAULT_IMPORT_EVENT_TYPE,
  describeMapping,
  IMPORT_EVENT_TYPES,
  type ImportEventType,
  type ImportMapping,
  ImportMappingError,
  parseImportMapping,
  type ResolvedImportMapping,
  resolveImportMapping,
  rowToEnvelope,
} from '../../shared/domain/ingest/import-mapping.ts';
import { assertSourceName } from '../../shared/domain/ingest/source.ts';
import { ingestStream } from '../definitions/streams.definition.ts';
import type { Command } from './c360.cli.ts';
import { cliContext } from './cli-context.ts';

/** Records per PutRecords call (the Kinesis maximum). */
const BATCH_SIZE = 500;
/** Batches being put at once: enough to overlap reading with sending, few enough to bound memory. */
const MAX_IN_FLIGHT = 2;
/** A row longer than this is a broken quote swallowing the file, not data (Kinesis takes 1 MiB anyway). */
const MAX_CSV_RECORD_CHARS = 1024 * 1024;
/** Consecutive batches that put nothing before the import gives up (a missing stream, no credentials). */
const MAX_FAILED_BATCHES = 3;
const MAX_FAILED_IDS_SHOWN = 100;
const MAX_REASONS_KEPT = 1000;

export class UnsupportedImportFileError extends Error {
  override readonly name = 'UnsupportedImportFileError';
}

export class ImportOptionsError extends Error {
  override readonly name = 'ImportOptionsError';
}

export type ImportFormat = 'csv' | 'xlsx';
export type CsvEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

export type RunImportOptions = {
  readonly file: string;
  /** Source every row is attributed to (also the namespace of its message id). */
  readonly source: string;
  /** An explicit mapping (see `parseImportMapping`); the default header convention when absent. */
  readonly mapping?: ImportMapping | undefined;
  /** Overrides the mapping's event type. */
  readonly type?: ImportEventType | undefined;
  /** Clean and count without sending. @default false */
  readonly dryRun?: boolean | undefined;
  /** Required unless `dryRun`. */
  readonly kinesis?: KinesisClient | undefined;
  readonly streamName?: string | undefined;
  /** The configuration the stream's cleaning stage runs with. @default DEFAULT_CLEANING_CONFIG */
  readonly cleaningConfig?: CleaningConfig | undefined;
  /** A progress bar on stderr. @default false */
  readonly progress?: boolean | undefined;
  /** Called once with the mapping fixed against the headers, one line per field. */
  readonly onMapping?: ((lines: readonly string[]) => void) | undefined;
  /** Injected for tests. @default now */
  readonly importedAt?: string | undefined;
};

export type ImportSummary = {
  readonly file: string;
  readonly fileId: string;
  readonly format: ImportFormat;
  readonly encoding: CsvEncoding | 'xlsx';
  readonly source: string;
  readonly type: ImportEventType;
  readonly dryRun: boolean;
  /** Data rows read (blank rows skipped). */
  readonly rows: number;
  /** Rows the cleaning path accepts (the stream may still drop some as duplicates of earlier imports). */
  readonly accepted: number;
  readonly quarantined: number;
  /** Reason → rows, most frequent first, keyed as `c360 quality` shows them. */
  readonly quarantinedByReason: Readonly<Record<string, number>>;
  readonly sent: number;
  readonly failed: number;
  /** The first failed message ids (at most 100). */
  readonly failedMessageIds: readonly string[];
  /** Why the import stopped before the end of the file, if it did. */
  readonly aborted: string | undefined;
  readonly elapsedMs: number;
};

/** A file's identity across re-runs: its absolute path, size and modification time. */
export const fileIdOf = (absolutePath: string, size: number, mtimeMs: number): string =>
  sha256Hex(`${absolutePath}\u0000${size}\u0000${mtimeMs}`, 16);

/**
 * The text encoding of a CSV: a UTF-16 byte-order mark, else UTF-8 when every byte sequence of the file is
 * valid UTF-8, else GB18030 (a superset of GBK and GB2312), which Excel uses on Chinese Windows.
 * Reads the whole file once, in chunks: a file that is UTF-8 for its first megabyte may not be after it.
 */
export const detectCsvEncoding = async (file: string): Promise<CsvEncoding> => {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    if (first) {
      first = false;
      if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
      if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
    }
    try {
      utf8.decode(bytes, { stream: true });
    } catch {
      return 'gb18030';
    }
  }
  try {
    utf8.decode();
  } catch {
    return 'gb18030';
  }
  return 'utf-8';
};

async function* csvRows(
  file: string,
  encoding: CsvEncoding,
  onBytes: (n: number) => void,
): AsyncGenerator<string[]> {
  const decoder = new TextDecoder(encoding);
  const decode = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.byteLength);
      callback(null, decoder.decode(chunk, { stream: true }));
    },
    flush(callback) {
      callback(null, decoder.decode());
    },
  });
  const parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    max_record_size: MAX_CSV_RECORD_CHARS,
  });
  // A read or decode error destroys the parser, so it surfaces in the loop below.
  const piped = pipeline(createReadStream(file), decode, parser).catch(() => undefined);
  try {
    for await (const record of parser) yield record as string[];
  } finally {
    parser.destroy();
    await piped;
  }
}

// Spreadsheet dates carry no zone, and exceljs reads their wall-clock time as UTC: written back without a
// zone, the cleaning stage applies the deployment's default offset. Midnight is a date (a birthday).
const spreadsheetDate = (d: Date): string => {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
};

/** A cell's value as the text a user sees in it; formula results, rich text and hyperlinks included. */
export const cellText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return spreadsheetDate(value);
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText))
      return value.richText.map((r: unknown) => cellText((r as { text?: unknown }).text)).join('');
    if ('result' in value) return cellText(value.result);
    if ('text' in value) return cellText(value.text);
    // An error cell (#N/A, #REF!) holds no value.
    if ('error' in value) return '';
  }
  return '';
};

async function* xlsxRows(file: string, onBytes: (n: number) => void): AsyncGenerator<string[]> {
  const input = createReadStream(file);
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.byteLength);
      callback(null, chunk);
    },
  });
  const piped = pipeline(input, counted).catch(() => undefined);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(counted, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles tell a date from a number.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'emit',
  });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = Array.isArray(row.values) ? row.values : [];
        // row.values is 1-based and sparse.
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        yield cells;
      }
      // The first worksheet only.
      break;
    }
  } finally {
    input.destroy();
    counted.destroy();
    await piped;
  }
}

/** Header names: trimmed; a blank one becomes `column_<n>`, a repeated one `<name>_<k>`. */
export const headerNames = (cells: readonly string[]): string[] => {
  const seen = new Map<string, number>();
  return cells.map((raw, i) => {
    const h = raw.trim() || `column_${i + 1}`;
    const n = (seen.get(h) ?? 0) + 1;
    seen.set(h, n);
    return n === 1 ? h : `${h}_${n}`;
  });
};

const isBlank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

// Mirrors the cleaning store's counter naming, so these keys are the ones `c360 quality` reports.
const reasonKey = (reason: string): string =>
  counterName(
    'q',
    reason.startsWith('envelope.')
      ? (reason.split(':')[0] ?? reason)
      : (reason.split(', received')[0] ?? reason),
  ).slice(2);

export const formatOf = (file: string): ImportFormat => {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new UnsupportedImportFileError(
    `cannot import '${basename(file)}': expected a .csv or .xlsx file (save .xls files as .xlsx first)`,
  );
};

/**
 * Imports a CSV or .xlsx file into the ingest stream, one channel envelope per row.
 *
 * Primary course:
 * 1. Identify the file (path, size, mtime → fileId) and, for a CSV, its encoding.
 * 2. Stream its rows; fix the mapping against the header row.
 * 3. Turn each row into an envelope and run it through the cleaning path, for the summary.
 * 4. Put the envelopes, valid or not, in batches of 500 with at most 2 batches in flight: invalid ones
 *    are quarantined with their reasons by the stream's cleaning stage, exactly as counted here.
 * 5. Summarise: rows, accepted, quarantined by reason, sent, failed.
 */
export const runImport = async (opts: RunImportOptions): Promise<ImportSummary> => {
  const started = performance.now();
  const dryRun = opts.dryRun ?? false;
  if (!dryRun && (!opts.kinesis || !opts.streamName))
    throw new ImportOptionsError('kinesis and streamName are required unless dryRun is set');
  assertSourceName(opts.source);
  const format = formatOf(opts.file);
  const absolute = resolve(opts.file);
  const info = await stat(absolute);
  const fileId = fileIdOf(absolute, info.size, info.mtimeMs);
  const encoding = format === 'csv' ? await detectCsvEncoding(absolute) : 'xlsx';
  const importedAt = opts.importedAt ?? new Date().toISOString();
  const config = opts.cleaningConfig ?? DEFAULT_CLEANING_CONFIG;
  const producer =
    !dryRun && opts.kinesis && opts.streamName
      ? createChannelProducer({ client: opts.kinesis, streamName: opts.streamName })
      : undefined;

  let bytesRead = 0;
  const onBytes = (n: number) => {
    bytesRead += n;
  };
  const bar = opts.progress
    ? new SingleBar(
        {
          stream: process.stderr,
          format: 'import |{bar}| {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
          hideCursor: true,
        },
        Presets.shades_classic,
      )
    : undefined;

  let mapping: ResolvedImportMapping | undefined;
  let headers: string[] | undefined;
  let rows = 0;
  let accepted = 0;
  let quarantined = 0;
  const reasons = new Map<string, number>();
  let sent = 0;
  let failed = 0;
  const failedMessageIds: string[] = [];
  let failedBatchesInARow = 0;
  let aborted: string | undefined;

  let batch: { messageId: string; partitionKey: string; json: string }[] = [];
  const inFlight = new Set<Promise<void>>();
  const settle = (result: ChannelSendResult) => {
    sent += result.sent;
    failed += result.failed.length;
    for (const f of result.failed.slice(0, MAX_FAILED_IDS_SHOWN - failedMessageIds.length))
      failedMessageIds.push(f.messageId);
    failedBatchesInARow = result.sent === 0 && result.failed.length > 0 ? failedBatchesInARow + 1 : 0;
    if (failedBatchesInARow >= MAX_FAILED_BATCHES && !aborted)
      aborted = `${MAX_FAILED_BATCHES} batches in a row failed to send (${result.failed[0]?.errorCode}: ${result.failed[0]?.errorMessage})`;
  };
  const flush = async () => {
    if (!producer || batch.length === 0) return;
    const records = batch;
    batch = [];
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const put: Promise<void> = producer
      .sendUnchecked(records)
      .then(settle, (error: unknown) =>
        settle({
          sent: 0,
          failed: records.map((r) => ({
            messageId: r.messageId,
            errorCode: error instanceof Error ? error.name : 'UnknownError',
            errorMessage: error instanceof Error ? error.message : String(error),
          })),
        }),
      )
      .finally(() => inFlight.delete(put));
    inFlight.add(put);
  };
  const tick = () => {
    if (headers)
      bar?.update(bytesRead, { rows, rate: Math.round(rows / ((performance.now() - started) / 1000 || 1)) });
  };

  const table =
    format === 'csv' ? csvRows(absolute, encoding as CsvEncoding, onBytes) : xlsxRows(absolute, onBytes);
  try {
    for await (const cells of table) {
      if (isBlank(cells)) continue;
      if (!headers) {
        headers = headerNames(cells);
        mapping = resolveImportMapping({ headers, mapping: opts.mapping, type: opts.type });
        opts.onMapping?.(describeMapping(mapping));
        // Started after the mapping is printed, so the two do not interleave on stderr.
        bar?.start(Math.max(info.size, 1), 0, { rows: 0, rate: 0 });
        continue;
      }
      if (!mapping) break;
      rows += 1;
      const row: Record<string, string> = {};
      for (let i = 0; i < headers.length; i++) row[headers[i] as string] = cells[i] ?? '';
      const envelope = rowToEnvelope(row, {
        source: opts.source,
        mapping,
        fileId,
        rowNumber: rows,
        importedAt,
      });
      const json = JSON.stringify(envelope);
      const outcome = cleanEnvelope(json, importedAt, config);
      if (outcome.kind === 'cleaned') accepted += 1;
      else {
        quarantined += 1;
        // Counted once per distinct reason, as the quality counters do.
        for (const key of new Set(outcome.reasons.map(reasonKey))) {
          const k = reasons.has(key) || reasons.size < MAX_REASONS_KEPT ? key : '(other reasons)';
          reasons.set(k, (reasons.get(k) ?? 0) + 1);
        }
      }
      if (producer) {
        batch.push({
          messageId: envelope.messageId,
          partitionKey: partitionKeyOf(envelope.identities, envelope.messageId),
          json,
        });
        if (batch.length >= BATCH_SIZE) await flush();
        if (aborted) break;
      }
      if (rows % BATCH_SIZE === 0) tick();
    }
    if (!aborted) await flush();
    await Promise.all(inFlight);
  } finally {
    tick();
    if (headers) bar?.stop();
  }

  return {
    file: opts.file,
    fileId,
    format,
    encoding,
    source: opts.source,
    type: mapping?.type ?? opts.type ?? opts.mapping?.type ?? DEFAULT_IMPORT_EVENT_TYPE,
    dryRun,
    rows,
    accepted,
    quarantined,
    quarantinedByReason: Object.fromEntries([...reasons].sort(([, a], [, b]) => b - a)),
    sent,
    failed,
    failedMessageIds,
    aborted,
    elapsedMs: Math.round(performance.now() - started),
  };
};

/** The summary as printed by `npx c360 import`. */
export const formatImportSummary = (s: ImportSummary, topReasons = 10): string => {
  const n = (x: number) => String(x).padStart(9);
  const rate = s.elapsedMs > 0 ? Math.round((s.rows * 1000) / s.elapsedMs) : s.rows;
  const reasons = Object.entries(s.quarantinedByReason);
  return [
    `${s.dryRun ? 'Dry run of' : 'Imported'} ${s.file} as source '${s.source}' (${s.type}; ${s.encoding}; file id ${s.fileId})`,
    `  rows read       ${n(s.rows)}   (${(s.elapsedMs / 1000).toFixed(1)} s, ${rate} rows/s)`,
    `  accepted        ${n(s.accepted)}`,
    `  quarantined     ${n(s.quarantined)}`,
    ...reasons.slice(0, topReasons).map(([reason, count]) => `    ${n(count)}  ${reason}`),
    ...(reasons.length > topReasons ? [`    … and ${reasons.length - topReasons} more reasons`] : []),
    s.dryRun ? '  sent to stream          0   (dry run: nothing sent)' : `  sent to stream  ${n(s.sent)}`,
    `  failed to send  ${n(s.failed)}`,
    ...(s.failedMessageIds.length > 0
      ? [
          `    message ids: ${s.failedMessageIds.join(', ')}${s.failed > s.failedMessageIds.length ? ', …' : ''}`,
        ]
      : []),
    ...(s.aborted ? [`  ABORTED: ${s.aborted}; re-run the import: rows already sent are duplicates`] : []),
    ...(s.dryRun || s.rows === 0
      ? []
      : [
          '  Accepted rows seen before (same file or id column) are dropped as duplicates: see `npx c360 quality`.',
        ]),
  ].join('\n');
};

/** Reads and validates a mapping file; every problem is reported with the file's name. */
export const loadImportMapping = async (path: string): Promise<ImportMapping> => {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ImportMappingError([`${path} is not JSON: ${error instanceof Error ? error.message : error}`]);
  }
  try {
    return parseImportMapping(json);
  } catch (error) {
    if (error instanceof ImportMappingError)
      throw new ImportMappingError(error.problems.map((p) => `${path}: ${p}`));
    throw error;
  }
};

const isImportEventType = (t: string): t is ImportEventType =>
  (IMPORT_EVENT_TYPES as readonly string[]).includes(t);

export const importCommand: Command = {
  summary: 'Import a CSV or .xlsx file into the ingest stream (cleaned and quality-counted like any channel)',
  usage: [
    'Usage: npx c360 import <file.csv|file.xlsx> --source <name> [--mapping <file.json>] [--type <event type>] [--dry-run]',
    '',
    'Each row becomes one channel envelope (channel import) on the ingest stream; the cleaning stage',
    'standardises it or quarantines it with reasons. Re-running the same file sends the same message ids,',
    'so nothing is stored twice.',
    '',
    '  --source    the source the rows are attributed to (lower-case letters, digits, dashes)',
    '  --mapping   a JSON file naming, per field, the column it comes from, e.g.',
    '              { "type": "third-party.record", "messageId": "row_id", "occurredAt": "created",',
    '                "identities": { "phone": "mobile", "email": "email" }, "traits": { "name": "姓名" } }',
    '              Without it, headers map by name: phone/mobile/手机号, email/邮箱, name/姓名, birthday/生日,',
    '              city/城市, province/省份, address/地址, postcode/zip/邮编, member_card/会员卡号, user_id,',
    '              crm_id, device_id, openid, unionid, id/row_id (message id), created/date/日期/时间 (event time).',
    `  --type      ${IMPORT_EVENT_TYPES.join(' | ')} (default third-party.record)`,
    '  --dry-run   clean and summarise without sending',
    '',
    'CSV files may be UTF-8 or GB18030/GBK (as Excel saves them on Chinese Windows); .xlsx: the first sheet.',
  ].join('\n'),
  run: async (args) => {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        source: { type: 'string' },
        mapping: { type: 'string' },
        type: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
      },
    });
    const [file] = positionals;
    if (!file || !values.source)
      throw new ImportOptionsError('usage: npx c360 import <file.csv|file.xlsx> --source <name>');
    if (values.type !== undefined && !isImportEventType(values.type))
      throw new ImportOptionsError(`--type must be one of ${IMPORT_EVENT_TYPES.join(', ')}`);
    assertSourceName(values.source);
    formatOf(file);
    const mapping = values.mapping ? await loadImportMapping(values.mapping) : undefined;
    const dryRun = values['dry-run'] ?? false;
    const ctx = dryRun ? undefined : cliContext();
    const summary = await runImport({
      file,
      source: values.source,
      mapping,
      type: values.type as ImportEventType | undefined,
      dryRun,
      kinesis: ctx?.kinesis,
      streamName: ctx?.streamName(ingestStream.id),
      progress: process.stderr.isTTY === true,
      onMapping: (lines) => console.error(`Mapping:\n${lines.map((l) => `  ${l}`).join('\n')}`),
    });
    console.log(formatImportSummary(summary));
    return summary.failed > 0 || summary.aborted ? 1 : 0;
  },
};
