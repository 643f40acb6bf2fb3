import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import { fitChurnEnsemble, scoreChurn } from '../../../../shared/domain/scoring/churn-ensemble.model.ts';
import { crossValidateChurnEnsemble } from '../../../../shared/domain/scoring/churn-evaluation.ts';
import { sigmoid } from '../../../../shared/domain/scoring/logistic-regression.model.ts';
import {
  binaryLabels,
  detectColumns,
  type RawTable,
} from '../../../../shared/domain/scoring/tabular-features.ts';
import { syntheticChurnTable } from './synthetic-churn.fixture.ts';

const table = syntheticChurnTable(800, 42);
const labels = binaryLabels(table, 'Churn');
const { columns } = detectColumns(table, ['id', 'Churn']);
const train = [...Array(600).keys()];
const model = fitChurnEnsemble(table, columns, labels, train, seededRandom(1), {
  boosting: { trees: 100, maxDepth: 2 },
});
const held = table.rows.slice(600);

describe('scoreChurn reasons', () => {
  it('base value + Σ contributions equals the model log-odds for every customer', () => {
    for (const row of held) {
      const s = scoreChurn(model, row);
      const total = s.baseLogOdds + s.contributions.reduce((a, c) => a + c.contribution, 0);
      expect(Math.abs(total - s.logOdds)).toBeLessThan(1e-9);
      expect(s.contributions).toHaveLength(columns.length);
    }
  });

  it('top reasons push the way the score went from the base rate, strongest first', () => {
    let above = 0;
    let below = 0;
    for (const row of held) {
      const s = scoreChurn(model, row);
      expect(s.reasons.length).toBeGreaterThan(0);
      expect(s.reasons.length).toBeLessThanOrEqual(3);
      const up = s.probability >= s.baseProbability;
      if (up) above++;
      else below++;
      for (const r of s.reasons) {
        expect(Math.sign(r.contribution)).toBe(up ? 1 : -1);
        expect(r.direction).toBe(up ? 'up' : 'down');
        expect(r.text).toBe(`${r.column}=${r.value} ${up ? '↑' : '↓'} risk`);
      }
      const sizes = s.reasons.map((r) => Math.abs(r.contribution));
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      // Nothing pushing the same way was left out for a weaker one.
      const same = s.contributions.filter((c) => (up ? c.contribution > 0 : c.contribution < 0));
      expect(s.reasons).toEqual(same.slice(0, 3));
    }
    expect(above).toBeGreaterThan(20);
    expect(below).toBeGreaterThan(20);
  });

  it('scores 0–100 as round(100·p) with p = σ(log-odds)', () => {
    for (const row of held.slice(0, 50)) {
      const s = scoreChurn(model, row);
      expect(s.probability).toBeCloseTo(sigmoid(s.logOdds), 12);
      expect(s.score).toBe(Math.round(100 * s.probability));
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(100);
    }
  });

  it('explains a new month-to-month customer by contract or tenure, and a loyal one the other way', () => {
    const risky = scoreChurn(model, ['n1', 'Month-to-month', '1', 'Fiber optic', 'No', '0.5', '70', '']);
    const loyal = scoreChurn(model, ['n2', 'Two year', '70', 'DSL', 'Yes', '0.5', '', '']);
    expect(risky.score).toBeGreaterThan(loyal.score + 30);
    expect(['Contract', 'tenure']).toContain(risky.reasons[0]?.column);
    expect(risky.reasons.map((r) => r.text)).toContain('Contract=Month-to-month ↑ risk');
    expect(loyal.reasons.map((r) => r.text)).toContain('Contract=Two year ↓ risk');
    expect(loyal.contributions.find((c) => c.column === 'noise')?.contribution ?? 1).toBeLessThan(0.5);
  });
});

/** Churn when exactly one of two yes/no flags is set (no main effects: invisible to an additive model). */
const interactionTable = (rows: number, seed: number): RawTable => {
  const random = seededRandom(seed);
  return {
    header: ['id', 'a', 'b', 'spend', 'Churn'],
    rows: Array.from({ length: rows }, (_, i) => {
      const a = random() < 0.5;
      const b = random() < 0.5;
      const churn = random() < (a !== b ? 0.85 : 0.15);
      return [`c${i}`, a ? 'yes' : 'no', b ? 'yes' : 'no', (100 * random()).toFixed(1), churn ? 'Yes' : 'No'];
    }),
  };
};

describe('fitChurnEnsemble tuning (inner folds only)', () => {
  it('keeps what the options pin and chooses the rest among the candidates', () => {
    const tuned = fitChurnEnsemble(table, columns, labels, train, seededRandom(1));
    expect([0.1, 1, 10, 100]).toContain(tuned.hyperparameters?.logisticL2);
    expect([1, 2]).toContain(tuned.hyperparameters?.boostingDepth);
    expect(tuned.hyperparameters?.boostingTrees).toBeGreaterThan(0);
    expect(tuned.hyperparameters?.boostingTrees).toBe(tuned.boosting.trees.length);
    const pinned = fitChurnEnsemble(table, columns, labels, train, seededRandom(1), {
      logistic: { l2: 7 },
      boosting: { maxDepth: 3, trees: 30 },
      logisticWeight: 0.25,
    });
    expect(pinned.hyperparameters?.logisticL2).toBe(7);
    expect(pinned.hyperparameters?.boostingDepth).toBe(3);
    expect(pinned.hyperparameters?.boostingTrees).toBeLessThanOrEqual(30);
    expect(pinned.logisticWeight).toBe(0.25);
    const fixed = fitChurnEnsemble(table, columns, labels, train, seededRandom(1), {
      tune: false,
      boosting: { trees: 30 },
    });
    expect(fixed.hyperparameters).toEqual({ logisticL2: 1, boostingDepth: 1, boostingTrees: 30 });
    expect(fixed.logisticWeight).toBe(0.5);
  });

  it('finds an interaction: deeper trees, and the blend leans on them; reasons still sum exactly', () => {
    const xor = interactionTable(800, 4);
    const y = binaryLabels(xor, 'Churn');
    const cols = detectColumns(xor, ['id', 'Churn']).columns;
    const m = fitChurnEnsemble(xor, cols, y, [...Array(600).keys()], seededRandom(1));
    expect(m.hyperparameters?.boostingDepth).toBe(2);
    expect(m.logisticWeight).toBeLessThan(0.2);
    for (const row of xor.rows.slice(600)) {
      const s = scoreChurn(m, row);
      const total = s.baseLogOdds + s.contributions.reduce((a, c) => a + c.contribution, 0);
      expect(Math.abs(total - s.logOdds)).toBeLessThan(1e-9);
    }
    // One flag set → churn; both or neither → stay.
    expect(scoreChurn(m, ['n1', 'yes', 'no', '50', '']).probability).toBeGreaterThan(0.7);
    expect(scoreChurn(m, ['n2', 'yes', 'yes', '50', '']).probability).toBeLessThan(0.3);
  });

  it('survives a JSON round trip of its plain parts (hyperparameters, log terms)', () => {
    const tuned = fitChurnEnsemble(table, columns, labels, train, seededRandom(1));
    expect(JSON.parse(JSON.stringify(tuned.hyperparameters))).toEqual(tuned.hyperparameters);
    expect(JSON.parse(JSON.stringify(tuned.encoder))).toEqual(tuned.encoder);
    expect(tuned.encoder.features.map((f) => f.name)).toContain('tenure (log)');
  });
});

describe('crossValidateChurnEnsemble', () => {
  it('scores every row out of fold and beats chance', () => {
    const small = syntheticChurnTable(400, 9);
    const y = binaryLabels(small, 'Churn');
    const report = crossValidateChurnEnsemble(small, columns, y, seededRandom(2), {
      folds: 3,
      calibrationFolds: 2,
      boosting: { trees: 60 },
    });
    expect(report.predictions.map((p) => p.row)).toEqual([...Array(400).keys()]);
    expect(report.perFold.reduce((a, f) => a + f.rows, 0)).toBe(400);
    expect(report.auc).toBeGreaterThan(0.7);
    expect(report.brier).toBeLessThan(0.25);
    expect(report.calibration.reduce((a, b) => a + b.count, 0)).toBe(400);
    expect(report.importance[0]?.column).not.toBe('noise');
  });
});
