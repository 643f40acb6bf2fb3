import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { createParallelRecordLinker } from '../../../shared/adapters/compute/parallel-record-linker.adapter.ts';
import {
  type IdentityRecord,
  linkRecords,
  type ScoredRecords,
  scoreRecords,
} from '../../../shared/domain/identity/record-linker.ts';
import {
  parseRecordMapping,
  resolveRecordMapping,
  rowToIdentityRecord,
} from '../../../shared/domain/identity/record-mapping.ts';

const FEBRL = fileURLToPath(new URL('../../../../shared/benchdata/febrl/', import.meta.url));
const FEBRL_MAPPING = fileURLToPath(
  new URL('../../../infra/cli/mappings/febrl.mapping.json', import.meta.url),
);

const febrl1 = async (): Promise<IdentityRecord[]> => {
  const text = await readFile(`${FEBRL}dataset1.csv`, 'utf8');
  const rows = parse(text, { columns: true, ltrim: true }) as Record<string, string>[];
  const mapping = resolveRecordMapping(
    Object.keys(rows[0] ?? {}),
    parseRecordMapping(JSON.parse(await readFile(FEBRL_MAPPING, 'utf8'))),
  );
  return rows.map((row, i) => rowToIdentityRecord(row, mapping, i + 1));
};

const expectSameScores = (x: ScoredRecords, y: ScoredRecords): void => {
  expect(y.model).toEqual(x.model);
  expect(y.diagnostics).toEqual(x.diagnostics);
  expect(Array.from(y.pairs.a)).toEqual(Array.from(x.pairs.a));
  expect(Array.from(y.pairs.b)).toEqual(Array.from(x.pairs.b));
  expect(Array.from(y.pairs.probability)).toEqual(Array.from(x.pairs.probability));
};

describe('Adapter: parallel record linker (u-sample shared with a worker thread)', () => {
  // Every sample goes through the worker, however small.
  const linker = createParallelRecordLinker({ minParallelPairs: 0 });
  afterAll(async () => {
    await linker.close();
  });

  it('scores exactly as one thread does, in dedupe and link mode', { timeout: 60_000 }, async () => {
    // Prepare
    const records = await febrl1();
    const halves = records.map((r, i) => ({ ...r, source: i % 2 === 0 ? 'A' : 'B' }));
    await linker.ready;
    // Act / Assess
    expectSameScores(scoreRecords(records), await linker.scoreRecords(records));
    expectSameScores(
      scoreRecords(halves, { mode: 'link', uSamplePairs: 30_000 }),
      await linker.scoreRecords(halves, { mode: 'link', uSamplePairs: 30_000 }),
    );
  });

  it('links and clusters as linkRecords does', { timeout: 60_000 }, async () => {
    // Prepare
    const records = await febrl1();
    // Act
    const parallel = await linker.linkRecords(records, { threshold: 0.9 });
    // Assess
    const single = linkRecords(records, { threshold: 0.9 });
    expect(parallel.pairs).toEqual(single.pairs);
    expect([...parallel.clusters]).toEqual([...single.clusters]);
  });

  it('runs on one thread, with the same result, once the worker is gone', { timeout: 60_000 }, async () => {
    // Prepare
    const records = await febrl1();
    const closed = createParallelRecordLinker({ minParallelPairs: 0 });
    await closed.close();
    // Act / Assess
    expectSameScores(scoreRecords(records), await closed.scoreRecords(records));
  });
});
