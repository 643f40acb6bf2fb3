import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readIdentityRecords } from '../../infra/cli/resolve.command.ts';
import {
  createParallelRecordLinker,
  type ParallelRecordLinker,
} from '../../shared/adapters/compute/parallel-record-linker.adapter.ts';
import {
  clusterScoredRecords,
  type IdentityRecord,
  type LinkPhase,
  linkRecords,
  type ScoredRecords,
  scoreRecords,
} from '../../shared/domain/identity/record-linker.ts';
import { parseRecordMapping, type RecordMapping } from '../../shared/domain/identity/record-mapping.ts';
import type { Bench } from './run.bench.ts';

/*
 * FEBRL (synthetic Australian person records with typos, swaps and missing values; see
 * ../shared/benchdata/febrl/README.md). Truth: records sharing the N of `rec-N-…` are one person.
 * febrl3 is deduplicated (pairs inside predicted clusters vs the 6,538 true pairs); febrl4 links A ↔ B
 * one-to-one (5,000 true links). Splink's published best F1: febrl4 0.9998, febrl3 0.9954.
 */

const DATA = fileURLToPath(new URL('../../../shared/benchdata/febrl/', import.meta.url));
const MAPPING = fileURLToPath(new URL('../../infra/cli/mappings/febrl.mapping.json', import.meta.url));
const THRESHOLD = 0.5;

const entityOf = (recordId: string): string => recordId.split('-')[1] ?? recordId;

type Counts = { tp: number; fp: number; fn: number };

/** Pairs inside predicted clusters against true pairs (same entity; across sources in link mode). */
const evaluate = (
  clusters: Map<string, string>,
  records: readonly IdentityRecord[],
  link: boolean,
): Counts => {
  const truth = new Map<string, IdentityRecord[]>();
  for (const r of records) {
    const k = entityOf(r.recordId);
    truth.set(k, [...(truth.get(k) ?? []), r]);
  }
  const pairCount = (
    members: readonly IdentityRecord[],
    same: (a: IdentityRecord, b: IdentityRecord) => boolean,
  ) => {
    let all = 0;
    let hits = 0;
    for (let i = 0; i < members.length; i++)
      for (let j = i + 1; j < members.length; j++) {
        const a = members[i];
        const b = members[j];
        if (!a || !b || (link && a.source === b.source)) continue;
        all++;
        if (same(a, b)) hits++;
      }
    return { all, hits };
  };
  let truePairs = 0;
  for (const members of truth.values()) truePairs += pairCount(members, () => true).all;
  const predicted = new Map<string, IdentityRecord[]>();
  for (const r of records) {
    const c = clusters.get(r.recordId) ?? r.recordId;
    predicted.set(c, [...(predicted.get(c) ?? []), r]);
  }
  let tp = 0;
  let pp = 0;
  for (const members of predicted.values()) {
    const { all, hits } = pairCount(members, (a, b) => entityOf(a.recordId) === entityOf(b.recordId));
    pp += all;
    tp += hits;
  }
  return { tp, fp: pp - tp, fn: truePairs - tp };
};

const scores = ({ tp, fp, fn }: Counts) => {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
};

const line = (label: string, c: Counts): string => {
  const s = scores(c);
  return `  ${label.padEnd(26)} TP ${String(c.tp).padStart(5)}  FP ${String(c.fp).padStart(4)}  FN ${String(c.fn).padStart(4)}  precision ${s.precision.toFixed(4)}  recall ${s.recall.toFixed(4)}  F1 ${s.f1.toFixed(4)}`;
};

const bestThreshold = (scored: ScoredRecords, records: readonly IdentityRecord[], link: boolean) => {
  let best = { threshold: THRESHOLD, counts: { tp: 0, fp: 0, fn: 0 }, f1: -1 };
  for (const threshold of [0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999]) {
    const counts = evaluate(clusterScoredRecords(scored, threshold).clusters, records, link);
    const { f1 } = scores(counts);
    if (f1 > best.f1) best = { threshold, counts, f1 };
  }
  return best;
};

const load = async (mapping: RecordMapping, files: readonly string[]): Promise<IdentityRecord[]> =>
  (
    await Promise.all(
      files.map((f, i) =>
        readIdentityRecords(`${DATA}${f}`, mapping, files.length > 1 ? `${'AB'[i]}` : undefined),
      ),
    )
  ).flat();

type Timed = { ms: number; phases: string[]; records: IdentityRecord[] };

/** The batch path end to end: read + parse + map the files, fit, score, cluster; best of `runs`. */
const timeBatch = async (
  runs: number,
  load: () => Promise<IdentityRecord[]>,
  link: (records: IdentityRecord[], onPhase: (p: LinkPhase) => void) => Promise<unknown>,
): Promise<Timed> => {
  let best: Timed = { ms: Number.POSITIVE_INFINITY, phases: [], records: [] };
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const records = await load();
    const parsed = performance.now();
    const times: [LinkPhase | 'parse', number][] = [['parse', parsed - started]];
    let last = parsed;
    await link(records, (p) => {
      const now = performance.now();
      times.push([p, now - last]);
      last = now;
    });
    const ms = performance.now() - started;
    if (ms < best.ms) best = { ms, phases: times.map(([p, t]) => `${p} ${t.toFixed(0)}`), records };
  }
  return best;
};

const RUNS = 5;

const runDataset = async (
  name: string,
  files: readonly string[],
  mapping: RecordMapping,
  parallel: ParallelRecordLinker,
): Promise<void> => {
  const link = files.length > 1;
  const mode = link ? 'link' : 'dedupe';
  const read = () => load(mapping, files);
  // Warm-up runs so the JIT has compiled the hot paths (on both threads) before the timed runs.
  for (let run = 0; run < 2; run++) {
    linkRecords(await read(), { mode, threshold: THRESHOLD });
    await parallel.linkRecords(await read(), { mode, threshold: THRESHOLD });
  }

  const oneCore = await timeBatch(RUNS, read, async (records, onPhase) =>
    linkRecords(records, { mode, threshold: THRESHOLD, onPhase }),
  );
  const twoCores = await timeBatch(RUNS, read, (records, onPhase) =>
    parallel.linkRecords(records, { mode, threshold: THRESHOLD, onPhase }),
  );
  const records = oneCore.records;

  const scored = scoreRecords(records, { mode });
  const d = scored.diagnostics;
  console.log(`\n${name} (${mode}): ${records.length.toLocaleString('en')} records`);
  console.log(
    `  candidates ${d.candidatePairs.toLocaleString('en')} pairs from ${d.blocking
      .filter((b) => b.pairs > 0)
      .map((b) => `${b.rule} ${b.pairs}${b.skippedBlocks > 0 ? ` (${b.skippedBlocks} blocks skipped)` : ''}`)
      .join(', ')}`,
  );
  console.log(
    `  ${d.comparisonPatterns} comparison patterns; u from ${d.uSamplePairs.toLocaleString('en')} random pairs; EM ${d.emIterations} iterations (${d.emConverged ? 'converged' : 'not converged'}), match share among candidates ${d.candidateMatchShare.toFixed(4)}, prior λ ${scored.model.prior.toExponential(3)}`,
  );
  console.log(
    line(`threshold ${THRESHOLD}`, evaluate(clusterScoredRecords(scored, THRESHOLD).clusters, records, link)),
  );
  const best = bestThreshold(scored, records, link);
  console.log(line(`best threshold ${best.threshold}`, best.counts));
  console.log('  fitted m / u (match weight log2 m/u) per field and level:');
  for (const f of scored.model.fields)
    console.log(
      `    ${f.field.padEnd(12)} ${f.labels
        .map((l, i) => ({ l, i }))
        .filter(({ i }) => i > 0)
        .map(
          ({ l, i }) =>
            `${l}: ${(f.m[i] ?? 0).toFixed(3)}/${(f.u[i] ?? 0).toExponential(1)} (${(f.weights[i] ?? 0).toFixed(1)})`,
        )
        .join(' · ')}`,
    );
  const perMin = (ms: number) => Math.round((records.length / ms) * 60_000).toLocaleString('en');
  const same = sameScores(scored, await parallel.scoreRecords(records, { mode }));
  console.log(
    `  batch path (read + parse + fit + score + cluster), best of ${RUNS}:\n` +
      `    one core:  ${oneCore.ms.toFixed(0)} ms = ${perMin(oneCore.ms)} records/min [${oneCore.phases.join(', ')} ms]\n` +
      `    2 cores:   ${twoCores.ms.toFixed(0)} ms = ${perMin(twoCores.ms)} records/min [${twoCores.phases.join(', ')} ms]` +
      ` (u-sample shared with a worker thread; model and every pair probability ${same ? 'identical to one core' : 'DIFFERENT from one core'})`,
  );
};

/** The same model (m, u, prior) and bit-identical probabilities for every candidate pair. */
const sameScores = (x: ScoredRecords, y: ScoredRecords): boolean =>
  JSON.stringify(x.model) === JSON.stringify(y.model) &&
  x.pairs.count === y.pairs.count &&
  x.pairs.probability.every((p, i) => Object.is(p, y.pairs.probability[i]));

/** FEBRL3 dedupe and FEBRL4 link: precision, recall, F1, fitted m/u, and batch throughput. */
export const identityBench: Bench = {
  summary: 'probabilistic identity resolution on FEBRL3 (dedupe) and FEBRL4 (link): P/R/F1, m/u, records/min',
  run: async () => {
    const mapping = parseRecordMapping(JSON.parse(await readFile(MAPPING, 'utf8')));
    const started = performance.now();
    const parallel = createParallelRecordLinker();
    await parallel.ready;
    console.log(
      `\nworker thread for the 2-core path ready in ${(performance.now() - started).toFixed(0)} ms (once per process, not in the figures below)`,
    );
    try {
      await runDataset('febrl3', ['dataset3.csv'], mapping, parallel);
      await runDataset('febrl4', ['dataset4a.csv', 'dataset4b.csv'], mapping, parallel);
    } finally {
      await parallel.close();
    }
  },
};
