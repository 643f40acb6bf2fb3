import { parentPort } from 'node:worker_threads';
import { compileComparisons, countSampleLevels, LEVEL_SLOTS } from '../../domain/identity/record-linker.ts';
import type { CountJobMessage, WorkerMessage } from './u-sample-worker.protocol.ts';

/*
 * Runs in the u-sample worker thread: compiles the comparisons on the columns it is sent (the same features
 * the main thread computes, in parallel with it), then counts the levels of sample slices it claims from
 * the shared counter until none is left, and sends its counts back.
 */
const port = parentPort;
if (!port) throw new Error('u-sample-worker.runtime must run in a worker thread');

const post = (message: WorkerMessage): void => port.postMessage(message);

port.on('message', (job: CountJobMessage) => {
  try {
    const compiled = compileComparisons(job.comparisons, job.columns);
    const counts = new Float64Array(compiled.length * LEVEL_SLOTS);
    let pairs = 0;
    for (;;) {
      const from = Atomics.add(job.next, 0, job.chunk);
      if (from >= job.count) break;
      const to = Math.min(from + job.chunk, job.count);
      countSampleLevels(compiled, job.a, job.b, from, to, counts);
      pairs += to - from;
    }
    post({ type: 'counted', jobId: job.jobId, counts, pairs });
  } catch (error) {
    post({
      type: 'failed',
      jobId: job.jobId,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
post({ type: 'ready' });
