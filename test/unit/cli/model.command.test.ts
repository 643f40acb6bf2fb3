import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { modelCommand } from '../../../infra/cli/model.command.ts';
import { ColumnNotFoundError } from '../../../shared/domain/scoring/tabular-features.ts';
import { syntheticChurnTable, toCsv } from '../domain/scoring/synthetic-churn.fixture.ts';

let dir = '';
let csv = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-model-'));
  csv = join(dir, 'customers.csv');
  await writeFile(csv, toCsv(syntheticChurnTable(240, 5)));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const printed = async (args: readonly string[]) => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const code = await modelCommand.run(args);
  return { code, out: log.mock.calls.map((c) => String(c[0])).join('\n') };
};

describe('c360 model train', () => {
  it('--json reports auc, accuracy, brier, calibration, folds and rows', async () => {
    const out = join(dir, 'scores.csv');
    const { code, out: text } = await printed([
      'train',
      '--csv',
      csv,
      '--label',
      'Churn',
      '--id',
      'id',
      '--json',
      '--folds',
      '3',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(text) as Record<string, unknown>;
    expect(report).toMatchObject({ rows: 240, folds: 3, label: 'Churn', id: 'id', seed: 1 });
    for (const key of ['auc', 'accuracy', 'brier'] as const) {
      expect(typeof report[key]).toBe('number');
      expect(report[key]).toBeGreaterThanOrEqual(0);
      expect(report[key]).toBeLessThanOrEqual(1);
    }
    expect(report.auc).toBeGreaterThan(0.6);
    expect(Array.isArray(report.calibration)).toBe(true);
    expect(report.perFold).toHaveLength(3);
    expect((report.columns as { name: string }[]).map((c) => c.name)).not.toContain('id');
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('id,probability,score,reason1,reason2,reason3');
    expect(lines).toHaveLength(241);
    expect(lines[1]).toMatch(/^c0,0\.\d{6},\d{1,3},/);
  });

  it('prints a human report by default', async () => {
    const { code, out } = await printed([
      'train',
      '--csv',
      csv,
      '--label',
      'Churn',
      '--id',
      'id',
      '--folds',
      '2',
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/ROC-AUC +0\.\d{4}/);
    expect(out).toMatch(/Brier +0\.\d{4}/);
    expect(out).toContain('calibration (deciles of predicted probability)');
  });

  it('names the column and the value when a label is not binary', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'id,plan,churned\n1,a,yes\n2,b,no\n3,a,maybe\n4,b,no\n');
    await expect(
      modelCommand.run(['train', '--csv', bad, '--label', 'churned', '--id', 'id']),
    ).rejects.toThrow("label column 'churned', row 3: value 'maybe' is not a binary label");
  });

  it('rejects an unknown column and prints usage without the required options', async () => {
    await expect(
      modelCommand.run(['train', '--csv', csv, '--label', 'Churned', '--id', 'id']),
    ).rejects.toThrow(ColumnNotFoundError);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await modelCommand.run(['train', '--csv', csv])).toBe(2);
    expect(await modelCommand.run(['fit'])).toBe(2);
    expect(error).toHaveBeenCalled();
  });
});
