import type { FunctionInvocationError } from '../lambda/local-function.ts';

/** Why a batch was discarded; the `condition` values Lambda writes to an on-failure destination. */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * The invocation record Lambda sends to a stream event source's on-failure destination. Like AWS, it
 * describes the batch (shard and sequence range) instead of copying the records.
 */
export const streamInvocationRecord = (args: {
  readonly batchInfoKey: 'KinesisBatchInfo' | 'DDBStreamBatchInfo';
  readonly functionArn: string;
  readonly condition: DiscardCondition;
  readonly attempts: number;
  readonly error: FunctionInvocationError | Error | undefined;
  readonly shardId: string;
  readonly streamArn: string;
  readonly first: { readonly sequenceNumber: string; readonly arrival: Date };
  readonly last: { readonly sequenceNumber: string; readonly arrival: Date };
  readonly batchSize: number;
  readonly now: Date;
}) => ({
  requestContext: {
    requestId: crypto.randomUUID(),
    functionArn: args.functionArn,
    condition: args.condition,
    approximateInvokeCount: args.attempts,
  },
  responseContext: {
    statusCode: 200,
    executedVersion: '$LATEST',
    functionError: args.error ? 'Unhandled' : 'PartialBatchFailure',
  },
  version: '1.0',
  timestamp: args.now.toISOString(),
  [args.batchInfoKey]: {
    shardId: args.shardId,
    startSequenceNumber: args.first.sequenceNumber,
    endSequenceNumber: args.last.sequenceNumber,
    approximateArrivalOfFirstRecord: args.first.arrival.toISOString(),
    approximateArrivalOfLastRecord: args.last.arrival.toISOString(),
    batchSize: args.batchSize,
    streamArn: args.streamArn,
  },
});
