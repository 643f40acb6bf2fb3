import {
  type KinesisClient,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';
import {
  type ChannelEnvelopeV1,
  type ChannelIdentities,
  parseChannelEnvelope,
} from '../../../events/channel/channel-envelope.v1.ts';

/** PutRecords limits (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html). */
export const KINESIS_PUT_RECORDS_LIMITS = {
  /** Records per request. */
  maxRecords: 500,
  /** Data plus partition keys per request: 5 MiB. */
  maxRequestBytes: 5 * 1024 * 1024,
  /** Data plus partition key per record: 1 MiB. */
  maxRecordBytes: 1024 * 1024,
  /** Unicode characters per partition key. */
  maxPartitionKeyChars: 256,
} as const;

/**
 * Which identity becomes the partition key, first present wins; then the first `custom` identity by key.
 * The same customer identified the same way always lands on the same shard.
 */
export const PARTITION_KEY_IDENTITY_ORDER = [
  'userId',
  'anonymousId',
  'phone',
  'email',
  'memberCard',
  'crmId',
  'wechatUnionId',
  'wechatOpenId',
  'deviceId',
] as const satisfies readonly Exclude<keyof ChannelIdentities, 'custom'>[];

/** The partition key of an envelope: its first identity in {@link PARTITION_KEY_IDENTITY_ORDER}, as a string. */
export const partitionKeyOf = (identities: ChannelIdentities, fallback: string): string => {
  const standard = PARTITION_KEY_IDENTITY_ORDER.map((k) => identities[k]).find((v) => v !== undefined);
  const customKey = Object.keys(identities.custom ?? {}).sort()[0];
  const custom = customKey === undefined ? undefined : identities.custom?.[customKey];
  // Array.from counts code points, as Kinesis does, and never splits a surrogate pair.
  return Array.from(String(standard ?? custom ?? fallback))
    .slice(0, KINESIS_PUT_RECORDS_LIMITS.maxPartitionKeyChars)
    .join('');
};

export type InvalidChannelEnvelope = {
  /** Position in the array given to `send`. */
  readonly index: number;
  readonly messageId: string | undefined;
  readonly reasons: readonly string[];
};

/** Thrown by `send` before anything is sent when any envelope is invalid or too large for Kinesis. */
export class ChannelEnvelopeValidationError extends Error {
  override readonly name = 'ChannelEnvelopeValidationError';
  readonly invalid: readonly InvalidChannelEnvelope[];

  constructor(invalid: readonly InvalidChannelEnvelope[]) {
    const first = invalid
      .slice(0, 3)
      .map((i) => `#${i.index} (${i.messageId ?? 'no messageId'}): ${i.reasons.join('; ')}`);
    super(
      `${invalid.length} channel envelope(s) invalid, nothing sent: ${first.join(' | ')}${invalid.length > 3 ? ' | …' : ''}`,
    );
    this.invalid = invalid;
  }
}

export type ChannelSendFailure = {
  readonly messageId: string;
  /** The last per-record `ErrorCode` (e.g. `ProvisionedThroughputExceededException`) or the error name. */
  readonly errorCode: string;
  readonly errorMessage: string;
};

export type ChannelSendResult = {
  /** Records Kinesis accepted. */
  readonly sent: number;
  /** Records still failed after all retries; the caller decides what to do with them. */
  readonly failed: readonly ChannelSendFailure[];
};

export type ChannelProducer = {
  /**
   * Validates every envelope (throws {@link ChannelEnvelopeValidationError} before sending anything), then
   * writes them with PutRecords in batches of ≤ 500 records and ≤ 5 MiB, retrying only the failed entries.
   * Delivery is at least once: a retried record may arrive twice, so consumers de-duplicate on `messageId`.
   * PutRecords does not guarantee order, and retries reorder, so consumers order by `occurredAt`.
   */
  readonly send: (envelopes: readonly ChannelEnvelopeV1[]) => Promise<ChannelSendResult>;
  /**
   * Puts records as they are, valid or not, with the same batching and retries: for a front door (the collect
   * API, the importer) whose invalid input must still reach the cleaning stage to be quarantined with its
   * reasons. Only what Kinesis itself cannot carry (a record over 1 MiB) is refused, in `failed`.
   */
  readonly sendUnchecked: (
    records: readonly { readonly messageId: string; readonly partitionKey: string; readonly json: string }[],
  ) => Promise<ChannelSendResult>;
};

export type ChannelProducerOptions = {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** Retries of a batch's failed entries after the first attempt. @default 3 */
  readonly maxRetries?: number;
  /** First backoff ceiling; doubles per retry (full jitter). @default 100 */
  readonly baseDelayMs?: number;
  /** Backoff ceiling. @default 5000 */
  readonly maxDelayMs?: number;
  /** Injected for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected for tests: a number in [0, 1). @default Math.random */
  readonly random?: () => number;
};

type Pending = {
  readonly messageId: string;
  readonly entry: PutRecordsRequestEntry;
  readonly bytes: number;
};

type Outcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string };

const encoder = new TextEncoder();

const messageIdOf = (input: unknown): string | undefined => {
  if (typeof input !== 'object' || input === null || !('messageId' in input)) return undefined;
  return typeof input.messageId === 'string' ? input.messageId : undefined;
};

// Encode first, then validate what was encoded: the bytes on the stream are exactly what passed.
const prepare = (
  envelope: unknown,
  index: number,
): { readonly pending: Pending } | { readonly invalid: InvalidChannelEnvelope } => {
  const messageId = messageIdOf(envelope);
  let json: string | undefined;
  try {
    json = JSON.stringify(envelope);
  } catch (error) {
    return { invalid: { index, messageId, reasons: [`(root): not JSON-serialisable: ${String(error)}`] } };
  }
  const parsed = parseChannelEnvelope(json === undefined ? undefined : JSON.parse(json));
  if (!parsed.ok || json === undefined)
    return { invalid: { index, messageId, reasons: parsed.ok ? ['(root): is required'] : parsed.reasons } };
  const data = encoder.encode(json);
  const partitionKey = partitionKeyOf(parsed.envelope.identities, parsed.envelope.messageId);
  const bytes = data.byteLength + encoder.encode(partitionKey).byteLength;
  if (bytes > KINESIS_PUT_RECORDS_LIMITS.maxRecordBytes)
    return {
      invalid: {
        index,
        messageId,
        reasons: [
          `(root): record is ${bytes} bytes; Kinesis accepts at most ${KINESIS_PUT_RECORDS_LIMITS.maxRecordBytes}`,
        ],
      },
    };
  return {
    pending: {
      messageId: parsed.envelope.messageId,
      entry: { Data: data, PartitionKey: partitionKey },
      bytes,
    },
  };
};

/** Consecutive batches within both the record-count and the byte limit, in input order. */
const toBatches = (records: readonly Pending[]): Pending[][] => {
  const batches: Pending[][] = [];
  let current: Pending[] = [];
  let currentBytes = 0;
  for (const r of records) {
    if (
      current.length === KINESIS_PUT_RECORDS_LIMITS.maxRecords ||
      currentBytes + r.bytes > KINESIS_PUT_RECORDS_LIMITS.maxRequestBytes
    ) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(r);
    currentBytes += r.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
};

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'KMSThrottlingException',
]);

// A whole-request error is worth retrying unless the service said the request itself is wrong (4xx other
// than throttling: missing stream, access denied, validation). Network errors have no status: retry.
const isRetryable = (error: unknown): boolean => {
  if (!(error instanceof Error)) return true;
  if (THROTTLING_ERRORS.has(error.name)) return true;
  const status =
    '$metadata' in error &&
    typeof error.$metadata === 'object' &&
    error.$metadata !== null &&
    'httpStatusCode' in error.$metadata
      ? error.$metadata.httpStatusCode
      : undefined;
  return !(typeof status === 'number' && status >= 400 && status < 500);
};

const outcomeOf = (result: PutRecordsResultEntry | undefined): Outcome => {
  if (result === undefined)
    return {
      ok: false,
      errorCode: 'MissingResult',
      errorMessage: 'PutRecords returned no result for the record',
    };
  if (result.ErrorCode !== undefined)
    return { ok: false, errorCode: result.ErrorCode, errorMessage: result.ErrorMessage ?? '' };
  return { ok: true };
};

/**
 * A producer of channel envelopes for channel systems writing to the c360 ingest stream.
 *
 * Primary course:
 * 1. Encode and validate every envelope; any invalid one fails the whole call before a request is made.
 * 2. Partition each by its first identity (see {@link PARTITION_KEY_IDENTITY_ORDER}).
 * 3. Put them in batches of ≤ 500 records and ≤ 5 MiB, one batch at a time.
 * 4. Retry only the entries of a batch that failed, with exponential backoff and full jitter.
 * 5. Report what is still failed after `maxRetries`; nothing is dropped silently.
 */
export const createChannelProducer = (options: ChannelProducerOptions): ChannelProducer => {
  const maxRetries = options.maxRetries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  const backoff = (retry: number): number =>
    Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1)));

  const attempt = async (
    pending: readonly Pending[],
  ): Promise<{ outcomes: Outcome[]; retryable: boolean }> => {
    try {
      const out = await options.client.send(
        new PutRecordsCommand({ StreamName: options.streamName, Records: pending.map((p) => p.entry) }),
      );
      if (out.FailedRecordCount === 0 && out.Records?.length === pending.length)
        return { outcomes: pending.map(() => ({ ok: true })), retryable: true };
      return { outcomes: pending.map((_, i) => outcomeOf(out.Records?.[i])), retryable: true };
    } catch (error) {
      const errorCode = error instanceof Error ? error.name : 'UnknownError';
      const errorMessage = error instanceof Error ? error.message : String(error);
      return {
        outcomes: pending.map(() => ({ ok: false, errorCode, errorMessage })),
        retryable: isRetryable(error),
      };
    }
  };

  const putBatch = async (batch: readonly Pending[]): Promise<ChannelSendResult> => {
    let pending = batch;
    let sent = 0;
    for (let retry = 0; ; retry++) {
      if (retry > 0) await sleep(backoff(retry));
      const { outcomes, retryable } = await attempt(pending);
      const stillFailed: { pending: Pending; outcome: Outcome & { ok: false } }[] = [];
      outcomes.forEach((outcome, i) => {
        const p = pending[i];
        if (p === undefined) return;
        if (outcome.ok) sent++;
        else stillFailed.push({ pending: p, outcome });
      });
      if (stillFailed.length === 0) return { sent, failed: [] };
      if (!retryable || retry >= maxRetries)
        return {
          sent,
          failed: stillFailed.map(({ pending: p, outcome }) => ({
            messageId: p.messageId,
            errorCode: outcome.errorCode,
            errorMessage: outcome.errorMessage,
          })),
        };
      pending = stillFailed.map((f) => f.pending);
    }
  };

  const send = async (envelopes: readonly ChannelEnvelopeV1[]): Promise<ChannelSendResult> => {
    const prepared = envelopes.map((e, i) => prepare(e, i));
    const invalid = prepared.flatMap((p) => ('invalid' in p ? [p.invalid] : []));
    if (invalid.length > 0) throw new ChannelEnvelopeValidationError(invalid);
    return putAll(prepared.flatMap((p) => ('pending' in p ? [p.pending] : [])));
  };

  const sendUnchecked: ChannelProducer['sendUnchecked'] = async (raw) => {
    const tooLarge: ChannelSendFailure[] = [];
    const records: Pending[] = [];
    for (const r of raw) {
      const data = encoder.encode(r.json);
      const partitionKey = Array.from(r.partitionKey || r.messageId)
        .slice(0, KINESIS_PUT_RECORDS_LIMITS.maxPartitionKeyChars)
        .join('');
      const bytes = data.byteLength + encoder.encode(partitionKey).byteLength;
      if (bytes > KINESIS_PUT_RECORDS_LIMITS.maxRecordBytes)
        tooLarge.push({
          messageId: r.messageId,
          errorCode: 'RecordTooLarge',
          errorMessage: `${bytes} bytes`,
        });
      else records.push({ messageId: r.messageId, entry: { Data: data, PartitionKey: partitionKey }, bytes });
    }
    const result = await putAll(records);
    return { sent: result.sent, failed: [...tooLarge, ...result.failed] };
  };

  const putAll = async (records: readonly Pending[]): Promise<ChannelSendResult> => {
    let sent = 0;
    const failed: ChannelSendFailure[] = [];
    for (const batch of toBatches(records)) {
      const result = await putBatch(batch);
      sent += result.sent;
      failed.push(...result.failed);
    }
    return { sent, failed };
  };

  return { send, sendUnchecked };
};
