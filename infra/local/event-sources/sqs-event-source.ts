import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { SqsEventSource } from '../../definitions/resource.types.ts';
import type { LocalFunction } from '../lambda/local-function.ts';

export type SqsEventSourceOptions = {
  readonly source: SqsEventSource;
  readonly fn: LocalFunction;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly sqs: SQSClient;
  readonly region: string;
  readonly log?: (line: string) => void;
};

export type SqsEventSourceStats = {
  invocations: number;
  messagesDeleted: number;
  messagesFailed: number;
  lastError?: string;
};

/**
 * An SQS event-source mapping with Lambda's semantics: batches of up to `batchSize` gathered for up to the
 * batching window, at most `maxConcurrency` batches in flight; messages of a successful batch are deleted;
 * with `ReportBatchItemFailures` only the reported ones stay (an unknown identifier fails the batch); a
 * failed message becomes visible again after the queue's visibility timeout and the queue's redrive policy
 * moves it to its DLQ after `maxReceiveCount` receives.
 */
export class SqsEventSourceRunner {
  readonly stats: SqsEventSourceStats = { invocations: 0, messagesDeleted: 0, messagesFailed: 0 };
  private running = false;
  private readonly pollers: Promise<void>[] = [];

  constructor(private readonly o: SqsEventSourceOptions) {}

  /** The mapping's settings and target (for inspection and the local-versus-template test). */
  get mapping(): { readonly source: SqsEventSource; readonly functionName: string } {
    return { source: this.o.source, functionName: this.o.fn.name };
  }

  start(): void {
    this.running = true;
    for (let i = 0; i < Math.max(1, this.o.source.maxConcurrency); i++) this.pollers.push(this.poll());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.pollers);
  }

  private async poll(): Promise<void> {
    const { batchSize, maxBatchingWindowSeconds } = this.o.source;
    while (this.running) {
      try {
        const batch: Message[] = [];
        const windowEnds = Date.now() + maxBatchingWindowSeconds * 1000;
        do {
          const got = await this.o.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: this.o.queueUrl,
              MaxNumberOfMessages: Math.min(10, batchSize - batch.length),
              WaitTimeSeconds: 1,
              AttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
          );
          batch.push(...(got.Messages ?? []));
          if ((got.Messages ?? []).length === 0 && batch.length > 0 && maxBatchingWindowSeconds === 0) break;
        } while (this.running && batch.length < batchSize && Date.now() < windowEnds && batch.length > 0);
        if (batch.length > 0) await this.process(batch);
      } catch (error) {
        this.stats.lastError = String(error);
        if (this.running) {
          this.o.log?.(`${this.o.fn.name} ← ${this.o.queueUrl}: ${String(error)}`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  }

  private async process(batch: readonly Message[]): Promise<void> {
    this.stats.invocations += 1;
    let failed: Set<string>;
    try {
      const response = await this.o.fn.invoke(this.toEvent(batch));
      failed = this.o.source.reportBatchItemFailures ? this.failedIds(batch, response) : new Set();
    } catch {
      failed = new Set(batch.map((m) => m.MessageId ?? ''));
    }
    const done = batch.filter((m) => !failed.has(m.MessageId ?? ''));
    this.stats.messagesFailed += batch.length - done.length;
    for (let i = 0; i < done.length; i += 10) {
      const chunk = done.slice(i, i + 10);
      const result = await this.o.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.o.queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
      // A message whose delete failed is simply received again: at-least-once, never lost.
      this.stats.messagesDeleted += chunk.length - (result.Failed?.length ?? 0);
    }
  }

  private failedIds(batch: readonly Message[], response: unknown): Set<string> {
    const all = new Set(batch.map((m) => m.MessageId ?? ''));
    if (!response || typeof response !== 'object' || !('batchItemFailures' in response)) return new Set();
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (!Array.isArray(failures)) return all;
    const ids = new Set<string>();
    for (const f of failures) {
      const id = f && typeof f === 'object' ? (f as { itemIdentifier?: unknown }).itemIdentifier : undefined;
      if (typeof id !== 'string' || !all.has(id)) return all;
      ids.add(id);
    }
    return ids;
  }

  private toEvent(batch: readonly Message[]): SQSEvent {
    return {
      Records: batch.map(
        (m): SQSRecord => ({
          messageId: m.MessageId ?? '',
          receiptHandle: m.ReceiptHandle ?? '',
          body: m.Body ?? '',
          attributes: {
            ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
            SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
            SenderId: m.Attributes?.SenderId ?? 'local',
            ApproximateFirstReceiveTimestamp:
              m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
          },
          messageAttributes: toLambdaAttributes(m.MessageAttributes),
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: this.o.queueArn,
          awsRegion: this.o.region,
        }),
      ),
    };
  }
}

/** Lambda spells message attributes in camelCase, unlike the SQS API. */
const toLambdaAttributes = (attrs: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(attrs ?? {}).map(([k, v]) => [
      k,
      {
        dataType: v.DataType ?? 'String',
        ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
        ...(v.BinaryValue !== undefined
          ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') }
          : {}),
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );
