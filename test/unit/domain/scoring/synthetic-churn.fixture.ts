import { seededRandom } from '../../../../shared/domain/identity/seeded-random.ts';
import { sigmoid } from '../../../../shared/domain/scoring/logistic-regression.model.ts';
import type { RawTable } from '../../../../shared/domain/scoring/tabular-features.ts';

/**
 * A churn-like table: month-to-month contracts and short tenure raise churn, an interaction (fibre and
 * no support) too; `noise` carries nothing; some `charges` are blank. Labels are drawn from the true model.
 */
export const syntheticChurnTable = (rows: number, seed: number): RawTable => {
  const random = seededRandom(seed);
  const contracts = ['Month-to-month', 'One year', 'Two year'] as const;
  const out: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const contract = contracts[Math.floor(random() * 3)] ?? 'One year';
    const tenure = Math.floor(random() * 72);
    const fibre = random() < 0.5;
    const support = random() < 0.5;
    const noise = random();
    const charges = 20 + 80 * random();
    const z =
      -1 +
      (contract === 'Month-to-month' ? 1.8 : contract === 'Two year' ? -1.5 : 0) +
      2 * Math.exp(-tenure / 12) +
      (fibre && !support ? 1 : 0);
    out.push([
      `c${i}`,
      contract,
      String(tenure),
      fibre ? 'Fiber optic' : 'DSL',
      support ? 'Yes' : 'No',
      noise.toFixed(3),
      i % 37 === 0 ? ' ' : charges.toFixed(2),
      random() < sigmoid(z) ? 'Yes' : 'No',
    ]);
  }
  return {
    header: ['id', 'Contract', 'tenure', 'InternetService', 'TechSupport', 'noise', 'charges', 'Churn'],
    rows: out,
  };
};

export const toCsv = (table: RawTable): string =>
  `${[table.header, ...table.rows].map((r) => r.map((v) => (/[",]/.test(v) ? `"${v}"` : v)).join(',')).join('\n')}\n`;
