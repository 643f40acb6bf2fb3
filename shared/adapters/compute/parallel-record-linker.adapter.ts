import { Worker } from 'node:worker_threads';
import {
  clusterScoredRecords,
  compareCandidates,
  comparedColumns,
  countSampleLevels,
  fitAndScore,
  type IdentityRecord,
  LEVEL_SLOTS,
  type LinkConfig,
  type LinkResult,
  planLink,
  type SamplePairs,
  type ScoredRecords,
  sampleUPairs,
} from '../../domain/identity/record-linker.ts';
import type { CountJobMessage, WorkerMessage } from './u-sample-worker.protocol.ts';

/*
 * The batch path of `record-linker.ts` on two threads. The main thread draws the random u-sample pairs
 * first (same random stream as `scoreRecords`) and sends them, in shared memory, with the compared columns
 * to a worker thread. The worker computes those features while the main thread computes its own, then
 * counts the levels of sample slices while the main thread blocks and compares the candidates; then both
 * take slices from one shared counter until the sample is done. Level counts add up exactly, so u, m, the
 * prior and every probability are the same as `scoreRecords` gives on one thread.
 */

/** Sample pairs per slice claimed: small enough to balance two threads, large enough to cost little. */
const CHUNK = 2048;

/** Below this many sample pairs, a job costs more to send than it saves. */
const DEFAULT_MIN_PARALLEL_PAIRS = 10_000;

export class ParallelLinkWorkerError extends Error {
  override readonly name = 'ParallelLinkWorkerError';
}

export type ParallelRecordLinkerOptions = {
  /** Fewer sample pairs than this are counted on the calling thread alone. @default 10_000 */
  readonly minParallelPairs?: number | undefined;
};

export type ParallelRecordLinker = {
  /** Settles when the worker thread has loaded (or failed to: the linker then runs on one thread). */
  readonly ready: Promise<void>;
  /** `scoreRecords` of `record-linker.ts`, with the u-sample shared between this thread and the worker. */
  readonly scoreRecords: (records: readonly IdentityRecord[], config?: LinkConfig) => Promise<ScoredRecords>;
  /** `linkRecords` of `record-linker.ts`, on two threads. */
  readonly linkRecords: (records: readonly IdentityRecord[], config?: LinkConfig) => Promise<LinkResult>;
  /** Stops the worker thread. */
  readonly close: () => Promise<void>;
};

type Pending = {
  readonly resolve: (counted: { counts: Float64Array; pairs: number }) => void;
  readonly reject: (error: Error) => void;
};

const sharedCopy = (xs: Int32Array, count: number): Int32Array => {
  const out = new Int32Array(new SharedArrayBuffer(Math.max(count, 1) * Int32Array.BYTES_PER_ELEMENT));
  out.set(xs.subarray(0, count));
  return out;
};

/**
 * Starts the worker thread (loading TypeScript through tsx, as the CLI does) and returns a linker that uses
 * it. One job runs at a time per worker; concurrent calls queue on the worker, which stays correct (each
 * job has its own counter) but no faster. Keep one linker for many batches: the thread starts once.
 */
export const createParallelRecordLinker = (
  options: ParallelRecordLinkerOptions = {},
): ParallelRecordLinker => {
  const minParallelPairs = options.minParallelPairs ?? DEFAULT_MIN_PARALLEL_PAIRS;
  const worker = new Worker(new URL('./u-sample-worker.bootstrap.mjs', import.meta.url));
  worker.unref();
  const pending = new Map<number, Pending>();
  let lastJob = 0;
  let broken: Error | undefined;

  const fail = (error: Error): void => {
    broken ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'ready') {
      markReady();
      return;
    }
    const p = pending.get(message.jobId);
    if (!p) return;
    pending.delete(message.jobId);
    if (pending.size === 0) worker.unref();
    if (message.type === 'counted') p.resolve({ counts: message.counts, pairs: message.pairs });
    else p.reject(new ParallelLinkWorkerError(message.message));
  });
  worker.on('error', (error) => {
    fail(new ParallelLinkWorkerError(`u-sample worker failed: ${error.message}`));
    markReady();
  });
  worker.on('exit', (code) => {
    fail(new ParallelLinkWorkerError(`u-sample worker exited (code ${code})`));
    markReady();
  });

  /** Sends a counting job; the worker keeps the process alive while one is pending. */
  const submit = (job: Omit<CountJobMessage, 'type' | 'jobId'>) => {
    const jobId = ++lastJob;
    const counted = new Promise<{ counts: Float64Array; pairs: number }>((resolve, reject) => {
      pending.set(jobId, { resolve, reject });
    });
    worker.ref();
    worker.postMessage({ type: 'count', jobId, ...job } satisfies CountJobMessage);
    return counted;
  };

  const scoreRecords = async (
    records: readonly IdentityRecord[],
    config: LinkConfig = {},
  ): Promise<ScoredRecords> => {
    const plan = planLink(records, config);
    // Drawn before anything else so the worker can start; the same draws as on one thread.
    const drawn: SamplePairs = sampleUPairs(plan, config);
    const count = drawn.count;
    if (broken || count < minParallelPairs) {
      const compared = compareCandidates(plan, records, config);
      const counts = countSampleLevels(compared.compiled, drawn.a, drawn.b, 0, count);
      config.onPhase?.('u-sample');
      return fitAndScore(plan, compared, counts, count, config);
    }
    const a = sharedCopy(drawn.a, count);
    const b = sharedCopy(drawn.b, count);
    const next = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const fromWorker = submit({
      comparisons: plan.comparisons,
      columns: comparedColumns(plan, records),
      a,
      b,
      count,
      next,
      chunk: CHUNK,
    });
    // Keeps an unhandled rejection from surfacing before the await below.
    fromWorker.catch(() => {});

    const compared = compareCandidates(plan, records, config);
    const { compiled } = compared;
    let counts: Float64Array = new Float64Array(compiled.length * LEVEL_SLOTS);
    for (;;) {
      const from = Atomics.add(next, 0, CHUNK);
      if (from >= count) break;
      countSampleLevels(compiled, a, b, from, Math.min(from + CHUNK, count), counts);
    }
    try {
      const { counts: theirs } = await fromWorker;
      for (let k = 0; k < counts.length; k++) counts[k] = (counts[k] ?? 0) + (theirs[k] ?? 0);
    } catch {
      // The worker died mid-job: the slices it claimed are lost, so count the whole sample here.
      counts = countSampleLevels(compiled, a, b, 0, count);
    }
    config.onPhase?.('u-sample');
    return fitAndScore(plan, compared, counts, count, config);
  };

  return {
    ready,
    scoreRecords,
    linkRecords: async (records, config = {}) => {
      const scored = await scoreRecords(records, config);
      const clustered = clusterScoredRecords(scored, config.threshold ?? 0.5);
      config.onPhase?.('clustering');
      return { ...clustered, model: scored.model, diagnostics: scored.diagnostics };
    },
    close: async () => {
      fail(new ParallelLinkWorkerError('parallel record linker closed'));
      await worker.terminate();
    },
  };
};
