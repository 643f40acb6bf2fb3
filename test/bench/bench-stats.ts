/** Percentile of a sample (nearest rank). */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

export const latencySummary = (samplesMs: readonly number[]): string => {
  const s = [...samplesMs].sort((a, b) => a - b);
  return `n=${s.length} p50=${percentile(s, 50).toFixed(1)} ms p90=${percentile(s, 90).toFixed(1)} ms p99=${percentile(s, 99).toFixed(1)} ms`;
};

/** p50/p95/p99 and max of a sample, for latency under load. */
export const latencyFigures = (samplesMs: readonly number[]): string => {
  const s = [...samplesMs].sort((a, b) => a - b);
  const f = (p: number) => percentile(s, p).toFixed(1);
  return `n=${s.length} p50=${f(50)} p95=${f(95)} p99=${f(99)} max=${(s[s.length - 1] ?? Number.NaN).toFixed(1)} ms`;
};
