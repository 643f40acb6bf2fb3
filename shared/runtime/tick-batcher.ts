/**
 * Collects calls made in the same tick and serves them with one batch call, each caller getting its own
 * result or error. Lets a per-record processor (Powertools' BatchProcessor) feed a batch-level use case.
 */
export const tickBatcher = <In, Out>(
  runBatch: (inputs: readonly In[]) => Promise<ReadonlyMap<number, Out | Error>>,
) => {
  let queue: { input: In; resolve: (o: Out) => void; reject: (e: Error) => void }[] = [];
  const flush = async () => {
    const batch = queue;
    queue = [];
    try {
      const results = await runBatch(batch.map((b) => b.input));
      batch.forEach((b, i) => {
        const r = results.get(i);
        if (r === undefined) b.reject(new Error('no result for the record'));
        else if (r instanceof Error) b.reject(r);
        else b.resolve(r);
      });
    } catch (error) {
      for (const b of batch) b.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return (input: In): Promise<Out> =>
    new Promise<Out>((resolve, reject) => {
      if (queue.length === 0) setImmediate(() => void flush());
      queue.push({ input, resolve, reject });
    });
};
