import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { auditQueue } from '../../../infra/definitions/queues.definition.ts';
import { AuditEntryError } from '../../../shared/adapters/s3/audit-log.store.ts';
import {
  AUDIT_QUEUE_ENV,
  AuditQueueError,
  sqsAuditQueueFromEnv,
} from '../../../shared/adapters/sqs/audit-queue.sender.ts';
import { auditDraft } from '../domain/privacy/audit-entries.helper.ts';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/audit';

const queue = () => {
  const sqs = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  const mock = mockClient(sqs);
  return { sink: sqsAuditQueueFromEnv(sqs, { [AUDIT_QUEUE_ENV]: QUEUE_URL }), mock };
};

describe('Audit queue sender', () => {
  it('reads the URL the queue definition binds', () => {
    expect(AUDIT_QUEUE_ENV).toBe(auditQueue.envVar);
    expect(() => sqsAuditQueueFromEnv(new SQSClient({}), {})).toThrow(AUDIT_QUEUE_ENV);
  });

  it('puts each validated entry on the queue as one message, ten a call', async () => {
    const { sink, mock } = queue();
    mock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    await sink.append(Array.from({ length: 12 }, (_, i) => auditDraft(i)));

    const calls = mock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.QueueUrl, c.Entries?.length])).toEqual([
      [QUEUE_URL, 10],
      [QUEUE_URL, 2],
    ]);
    expect(JSON.parse(calls[0]?.Entries?.[0]?.MessageBody ?? '')).toEqual(auditDraft(0));
  });

  it('sends nothing for an invalid entry, and fails when SQS refuses one', async () => {
    const { sink, mock } = queue();
    mock.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError' }],
    });

    await expect(sink.append([auditDraft(0, { fields: ['a@example.com'] })])).rejects.toThrow(
      AuditEntryError,
    );
    expect(mock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    await expect(sink.append([auditDraft(0)])).rejects.toThrow(AuditQueueError);
  });
});
