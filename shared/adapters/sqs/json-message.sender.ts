import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Sends each value as one JSON message to the queue. */
export const jsonMessageSender =
  (sqs: SQSClient, queueUrl: string) =>
  async (body: unknown): Promise<void> => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
  };
