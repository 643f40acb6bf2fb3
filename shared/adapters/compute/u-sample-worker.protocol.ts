import type { FieldComparison } from '../../domain/identity/field-comparison.ts';
import type { FieldColumn } from '../../domain/identity/record-linker.ts';

/** Messages between the parallel record linker and its u-sample worker thread. */

/**
 * Count the levels of the sample pairs `a[k]`, `b[k]` (k < `count`), claiming slices of `chunk` pairs by
 * `Atomics.add` on `next[0]`, a counter shared with the main thread, which claims slices the same way.
 */
export type CountJobMessage = {
  readonly type: 'count';
  readonly jobId: number;
  readonly comparisons: readonly FieldComparison[];
  readonly columns: readonly FieldColumn[];
  /** Int32Array views of SharedArrayBuffers. */
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly count: number;
  readonly next: Int32Array;
  readonly chunk: number;
};

export type WorkerMessage =
  | { readonly type: 'ready' }
  /** `counts[f * LEVEL_SLOTS + level]` over the slices this worker claimed; `pairs` is how many. */
  | {
      readonly type: 'counted';
      readonly jobId: number;
      readonly counts: Float64Array;
      readonly pairs: number;
    }
  | { readonly type: 'failed'; readonly jobId: number; readonly message: string };
