import { fileURLToPath } from 'node:url';
import { readIdentityRecords } from '../../infra/cli/resolve.command.ts';
import { MATCH_COMPARISONS, type MatchModel } from '../../shared/domain/identity/match-model.ts';
import { type IdentityRecord, scoreRecords } from '../../shared/domain/identity/record-linker.ts';
import { parseRecordMapping } from '../../shared/domain/identity/record-mapping.ts';

/*
 * Fits the real-time match model's m / u on Febrl with the batch linker's EM and prints it as JSON, to paste
 * into DEFAULT_MATCH_MODEL (shared/domain/identity/match-model.ts). Not a registered bench: run it with
 *   npx tsx test/bench/train-match-model.bench.ts [febrl4|febrl3]
 * Traits are built as cleaning builds them: name = given name + surname, address = street number + street.
 * Phone and e-mail are not in Febrl; their parameters are not printed (they are assumed in the model).
 */

const DATA = fileURLToPath(new URL('../../../shared/benchdata/febrl/', import.meta.url));

const mapping = parseRecordMapping({
  recordId: 'rec_id',
  name: ['given_name', 'surname'],
  birthday: 'date_of_birth',
  address: ['street_number', 'address_1'],
  city: 'suburb',
  postcode: 'postcode',
});

const entityOf = (recordId: string): string => recordId.split('-')[1] ?? recordId;

const dataset = process.argv[2] ?? 'febrl4';
const files = dataset === 'febrl3' ? ['dataset3.csv'] : ['dataset4a.csv', 'dataset4b.csv'];
const link = files.length > 1;
const records: IdentityRecord[] = (
  await Promise.all(
    files.map((f, i) => readIdentityRecords(`${DATA}${f}`, mapping, link ? `${'AB'[i]}` : undefined)),
  )
).flat();

const scored = scoreRecords(records, {
  mode: link ? 'link' : 'dedupe',
  comparisons: MATCH_COMPARISONS,
  blockingRules: [
    { name: 'birthday', keys: [{ field: 'birthday' }] },
    { name: 'postcode', keys: [{ field: 'postcode' }] },
    { name: 'name', keys: [{ field: 'name' }] },
    { name: 'name phonetic', keys: [{ field: 'name', transform: 'phonetic' }] },
  ],
  uSamplePairs: 1_000_000,
});

const round = (x: number): number => Number(x.toPrecision(4));
const model: MatchModel = {
  version: 1,
  source: `EM on Febrl ${dataset === 'febrl3' ? '3' : '4'} (../shared/benchdata/febrl)`,
  prior: round(scored.model.prior),
  fields: scored.model.fields.map((f) => {
    const comparison = MATCH_COMPARISONS.find((c) => c.field === f.field);
    if (!comparison) throw new Error(`unexpected field ${f.field}`);
    return { comparison, labels: f.labels, m: f.m.map(round), u: f.u.map(round), estimatedBy: 'em' };
  }),
};

// How the fitted model separates true pairs (same rec-N) among the candidate pairs, at the default thresholds.
const { pairs, recordIds } = scored;
const bands = [
  { label: 'p ≥ 0.99 (merge)', from: 0.99, to: 2, tp: 0, fp: 0 },
  { label: '0.8 ≤ p < 0.99 (suggest)', from: 0.8, to: 0.99, tp: 0, fp: 0 },
  { label: 'p < 0.8 (none)', from: -1, to: 0.8, tp: 0, fp: 0 },
];
for (let p = 0; p < pairs.count; p++) {
  const prob = pairs.probability[p] ?? 0;
  const same = entityOf(recordIds[pairs.a[p] ?? 0] ?? '') === entityOf(recordIds[pairs.b[p] ?? 0] ?? '');
  const band = bands.find((b) => prob >= b.from && prob < b.to);
  if (band) band[same ? 'tp' : 'fp']++;
}

console.log(
  `${dataset}: ${records.length} records, ${scored.diagnostics.candidatePairs} candidate pairs, ` +
    `${scored.diagnostics.comparisonPatterns} patterns, EM ${scored.diagnostics.emIterations} iterations ` +
    `(converged: ${scored.diagnostics.emConverged}), candidate match share ${scored.diagnostics.candidateMatchShare.toFixed(4)}`,
);
for (const b of bands) console.log(`  ${b.label.padEnd(26)} same person ${b.tp}, different ${b.fp}`);
for (const f of scored.model.fields)
  console.log(
    `  ${f.field.padEnd(9)} ${f.labels.map((l, i) => `${l}: ${(f.weights[i] ?? 0).toFixed(2)}`).join(', ')}`,
  );
console.log(JSON.stringify(model, null, 2));
