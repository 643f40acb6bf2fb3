import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import {
  createParallelRecordLinker,
  type ParallelRecordLinker,
} from '../../shared/adapters/compute/parallel-record-linker.adapter.ts';
import {
  type IdentityRecord,
  type LinkResult,
  linkRecords,
} from '../../shared/domain/identity/record-linker.ts';
import {
  parseRecordMapping,
  type RecordMapping,
  type ResolvedRecordMapping,
  resolveRecordMapping,
  rowToIdentityRecord,
} from '../../shared/domain/identity/record-mapping.ts';
import type { Command } from './c360.cli.ts';

export class ResolveOptionsError extends Error {
  override readonly name = 'ResolveOptionsError';
}

/** A row longer than this is a broken quote swallowing the file, not a record. */
const MAX_CSV_RECORD_CHARS = 1024 * 1024;

async function* csvRows(file: string): AsyncGenerator<Record<string, string>> {
  const parser = createReadStream(file).pipe(
    parse({
      bom: true,
      columns: (header: string[]) => header.map((h) => h.trim()),
      // FEBRL-style files separate fields by ", ".
      ltrim: true,
      rtrim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_CSV_RECORD_CHARS,
    }),
  );
  for await (const row of parser) yield row as Record<string, string>;
}

async function* jsonlRows(file: string): AsyncGenerator<Record<string, string>> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ResolveOptionsError(`${file}:${n}: not a JSON object`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ResolveOptionsError(`${file}:${n}: not a JSON object`);
    yield Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]),
    );
  }
}

/**
 * Streams a `.csv` or `.jsonl` file into identity records. The mapping is fixed against the first row's
 * columns (CSV header / first JSON object's keys). `source` is every record's source unless a column says.
 */
export const readIdentityRecords = async (
  file: string,
  mapping: RecordMapping | undefined,
  source?: string,
): Promise<IdentityRecord[]> => {
  const ext = extname(file).toLowerCase();
  const rows =
    ext === '.csv' ? csvRows(file) : ext === '.jsonl' || ext === '.ndjson' ? jsonlRows(file) : undefined;
  if (!rows) throw new ResolveOptionsError(`${file}: expected a .csv or .jsonl file`);
  const records: IdentityRecord[] = [];
  let resolved: ResolvedRecordMapping | undefined;
  let n = 0;
  for await (const row of rows) {
    n++;
    resolved ??= resolveRecordMapping(Object.keys(row), mapping);
    records.push(rowToIdentityRecord(row, resolved, n, source));
  }
  return records;
};

/** `recordId,customerId,matchProbability` lines; the probability is the record's best accepted pair's. */
export const resolutionLines = (records: readonly IdentityRecord[], result: LinkResult): string[] => {
  const best = new Map<string, number>();
  for (const p of result.pairs) {
    best.set(p.a, Math.max(best.get(p.a) ?? 0, p.probability));
    best.set(p.b, Math.max(best.get(p.b) ?? 0, p.probability));
  }
  const csv = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return [
    'recordId,customerId,matchProbability',
    ...records.map((r) => {
      const p = best.get(r.recordId);
      return `${csv(r.recordId)},${csv(result.clusters.get(r.recordId) ?? r.recordId)},${p === undefined ? '' : p.toFixed(6)}`;
    }),
  ];
};

const USAGE = `Usage: npx c360 resolve <records.csv|records.jsonl> [<other.csv|other.jsonl>] [--mapping <file>] [--threshold <p>] [--out <file>]

Resolves records without a strong identifier into customers (probabilistic matching: Fellegi-Sunter, u by
random sampling, m by EM over blocked pairs). One file: finds duplicates within it. Two files: links them
one-to-one (each file is a source). Writes recordId,customerId,matchProbability lines (stdout by default);
customerId is the smallest record id of the cluster; matchProbability is empty for a record matched to none.

Options:
  --mapping <file>     JSON column mapping, e.g. infra/cli/mappings/febrl.mapping.json
                       (default: headers by convention: id, name, givenName, surname, phone, email, …)
  --threshold <p>      match probability at or above which two records are one customer (default 0.5)
  --threads <1|2>      2: a worker thread shares the u sampling (same result, faster on 2+ cores);
                       1: everything on one thread (default 2)
  --out <file>         write here instead of stdout`;

export const resolveCommand: Command = {
  summary: 'Probabilistic identity resolution of a records file (CSV/JSONL) → recordId,customerId',
  usage: USAGE,
  run: async (args) => {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        mapping: { type: 'string' },
        threshold: { type: 'string' },
        out: { type: 'string' },
        threads: { type: 'string' },
      },
    });
    if (positionals.length < 1 || positionals.length > 2) {
      console.error(USAGE);
      return 2;
    }
    const threshold = values.threshold === undefined ? 0.5 : Number(values.threshold);
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1)
      throw new ResolveOptionsError(
        `--threshold: expected a probability in [0, 1], got '${values.threshold}'`,
      );
    const threads = values.threads === undefined ? 2 : Number(values.threads);
    if (threads !== 1 && threads !== 2)
      throw new ResolveOptionsError(`--threads: expected 1 or 2, got '${values.threads}'`);
    // Started first so the worker thread loads while the files are read.
    const parallel = threads === 2 ? createParallelRecordLinker() : undefined;
    try {
      return await resolveFiles(positionals, values, threshold, parallel);
    } finally {
      await parallel?.close();
    }
  },
};

const resolveFiles = async (
  positionals: readonly string[],
  values: { readonly mapping?: string | undefined; readonly out?: string | undefined },
  threshold: number,
  parallel: ParallelRecordLinker | undefined,
): Promise<number> => {
  const mapping = values.mapping
    ? parseRecordMapping(JSON.parse(await readFile(values.mapping, 'utf8')))
    : undefined;
  const link = positionals.length === 2;
  const records = (
    await Promise.all(
      positionals.map((file, i) =>
        readIdentityRecords(file, mapping, link ? `${i}:${basename(file)}` : undefined),
      ),
    )
  ).flat();
  const started = performance.now();
  const config = { mode: link ? 'link' : 'dedupe', threshold } as const;
  const result = parallel ? await parallel.linkRecords(records, config) : linkRecords(records, config);
  const lines = resolutionLines(records, result);
  const clusters = new Set(result.clusters.values()).size;
  console.error(
    `resolve: ${records.length} records → ${clusters} customers (${result.pairs.length} matched pairs of ${result.diagnostics.candidatePairs} compared) in ${Math.round(performance.now() - started)} ms`,
  );
  if (values.out) {
    const out = createWriteStream(values.out);
    for (const line of lines)
      if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
  } else process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
};
