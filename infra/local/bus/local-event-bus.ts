import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RuleDefinition, RuleTarget } from '../../definitions/resource.types.ts';
import type { LocalFunction } from '../lambda/local-function.ts';
import { type EventPattern, matchesEventPattern, validateEventPattern } from './event-pattern.matcher.ts';

/** An event as EventBridge delivers it to targets. */
export type BusEvent = {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
};

export type LocalEventBusOptions = {
  readonly busName: string;
  readonly busArn: string;
  readonly account: string;
  readonly region: string;
  readonly rules: readonly RuleDefinition[];
  readonly ruleArn: (ruleId: string) => string;
  readonly sqs: SQSClient;
  readonly queueUrl: (queueId: string) => string;
  readonly queueArn: (queueId: string) => string;
  readonly fn: (functionId: string) => LocalFunction;
  /** A local workflow, for `stateMachine` targets (StartExecution with the event as input). */
  readonly stateMachine?: (stateMachineId: string) => {
    readonly arn: string;
    start: (input: BusEvent) => unknown;
  };
  readonly log?: (line: string) => void;
};

type PutEventsEntry = {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
  Resources?: unknown;
};

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const DELIVERY_ATTEMPTS = 3;

/**
 * A local EventBridge bus that speaks the PutEvents wire protocol (JSON 1.1), so handlers publish through an
 * unchanged `EventBridgeClient`. Events are matched against the rules from the shared definitions and
 * delivered asynchronously to their targets, with retries and the target's dead-letter queue.
 */
export class LocalEventBus {
  private server: Server | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  readonly stats = { received: 0, delivered: 0, deadLettered: 0, unmatched: 0 };

  constructor(private readonly o: LocalEventBusOptions) {
    for (const rule of o.rules) validateEventPattern(rule.eventPattern);
  }

  /** The rules this bus routes by (for inspection and the local-versus-template test). */
  get rules(): readonly RuleDefinition[] {
    return this.o.rules;
  }

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    const { port: bound } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${bound}`;
  }

  /** Waits for deliveries under way, then stops accepting events. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Resolves when every delivery accepted so far has finished (for tests and graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Accepts entries as PutEvents does; returns the per-entry results. */
  putEvents(
    entries: readonly PutEventsEntry[],
  ): { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[] {
    return entries.map((entry) => {
      const event = this.toEvent(entry);
      if ('error' in event) return { ErrorCode: event.code, ErrorMessage: event.error };
      this.stats.received += 1;
      const delivery = this.route(event.event).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
      return { EventId: event.event.id };
    });
  }

  private toEvent(e: PutEventsEntry): { event: BusEvent } | { error: string; code: string } {
    const bus = e.EventBusName ?? 'default';
    if (bus !== this.o.busName && bus !== this.o.busArn)
      return { code: 'InvalidArgument', error: `Event bus ${String(bus)} does not exist.` };
    if (typeof e.Source !== 'string' || e.Source.length === 0)
      return {
        code: 'InvalidArgument',
        error: 'Parameter Source is not valid. Reason: Source is a required argument.',
      };
    if (typeof e.DetailType !== 'string' || e.DetailType.length === 0)
      return {
        code: 'InvalidArgument',
        error: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      };
    if (typeof e.Detail !== 'string')
      return {
        code: 'InvalidArgument',
        error: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      };
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail);
    } catch {
      return { code: 'MalformedDetail', error: 'Detail is malformed.' };
    }
    if (!detail || typeof detail !== 'object' || Array.isArray(detail))
      return { code: 'MalformedDetail', error: 'Detail is malformed.' };
    const time =
      typeof e.Time === 'number' ? new Date(e.Time * 1000) : e.Time instanceof Date ? e.Time : new Date();
    return {
      event: {
        version: '0',
        id: randomUUID(),
        'detail-type': e.DetailType,
        source: e.Source,
        account: this.o.account,
        // EventBridge writes times to the second, without milliseconds.
        time: `${time.toISOString().slice(0, 19)}Z`,
        region: this.o.region,
        resources: Array.isArray(e.Resources)
          ? e.Resources.filter((r): r is string => typeof r === 'string')
          : [],
        detail,
      },
    };
  }

  private async route(event: BusEvent): Promise<void> {
    const matched = this.o.rules.filter((r) => matchesEventPattern(r.eventPattern as EventPattern, event));
    if (matched.length === 0) this.stats.unmatched += 1;
    await Promise.all(matched.flatMap((rule) => rule.targets.map((t) => this.deliver(rule, t, event))));
  }

  private async deliver(rule: RuleDefinition, target: RuleTarget, event: BusEvent): Promise<void> {
    const attempts = target.type === 'queue' ? DELIVERY_ATTEMPTS : target.maximumRetryAttempts + 1;
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        if (target.type === 'queue')
          await this.o.sqs.send(
            new SendMessageCommand({
              QueueUrl: this.o.queueUrl(target.queueId),
              MessageBody: JSON.stringify(event),
            }),
          );
        else if (target.type === 'function') await this.o.fn(target.functionId).invoke(event);
        else this.startExecution(target.stateMachineId, event);
        this.stats.delivered += 1;
        return;
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
    await this.deadLetter(rule, target, event, lastError);
  }

  /** A state machine target is delivered once its execution has started; the execution runs on. */
  private startExecution(stateMachineId: string, event: BusEvent): void {
    if (!this.o.stateMachine) throw new Error(`no local state machines to start ${stateMachineId}`);
    this.o.stateMachine(stateMachineId).start(event);
  }

  /** Sends the undeliverable event to the target's DLQ with the attributes EventBridge sets. */
  private async deadLetter(
    rule: RuleDefinition,
    target: RuleTarget,
    event: BusEvent,
    error: Error | undefined,
  ) {
    const targetArn =
      target.type === 'queue'
        ? this.o.queueArn(target.queueId)
        : target.type === 'function'
          ? target.functionId
          : (this.o.stateMachine?.(target.stateMachineId).arn ?? target.stateMachineId);
    const attr = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
    try {
      await this.o.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.o.queueUrl(target.deadLetterQueueId),
          MessageBody: JSON.stringify(event),
          MessageAttributes: {
            ERROR_CODE: attr(error?.name ?? 'DeliveryFailed'),
            ERROR_MESSAGE: attr((error?.message ?? 'unknown').slice(0, 256)),
            RULE_ARN: attr(this.o.ruleArn(rule.id)),
            TARGET_ARN: attr(targetArn),
          },
        }),
      );
      this.stats.deadLettered += 1;
    } catch (dlqError) {
      this.o.log?.(`bus: event ${event.id} lost: target and DLQ both failed (${String(dlqError)})`);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      chunks.push(c as Buffer);
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target !== 'AWSEvents.PutEvents')
      return send(400, {
        __type: 'UnknownOperationException',
        message: `${target} is not supported locally`,
      });
    if (size > MAX_REQUEST_BYTES)
      return send(400, {
        __type: 'ValidationException',
        message: 'Total size of the entries in the request is over the limit.',
      });
    let body: { Entries?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: unknown };
    } catch {
      return send(400, { __type: 'SerializationException', message: 'Malformed request body' });
    }
    if (!Array.isArray(body.Entries) || body.Entries.length < 1 || body.Entries.length > MAX_ENTRIES)
      return send(400, {
        __type: 'ValidationException',
        message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      });
    const results = this.putEvents(body.Entries as PutEventsEntry[]);
    send(200, { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results });
  }
}
