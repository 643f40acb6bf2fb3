import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { LocalStack } from '../local-stack.ts';

/**
 * Demo data for a fresh local stack. For now the platform's own start event, which travels the real path
 * bus rule → queue → archive function → lake bucket; customer demo data joins as the ingestion issues land.
 */
export const seedDemoData = async (stack: LocalStack): Promise<string> => {
  const result = await stack.clients.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: stack.names.bus,
          Source: stack.definitions.bus.source,
          DetailType: 'LocalStackStarted',
          Detail: JSON.stringify({ version: 1, services: stack.services.map((s) => s.name) }),
        },
      ],
    }),
  );
  if (result.FailedEntryCount) throw new Error(`demo event rejected: ${JSON.stringify(result.Entries)}`);
  return `1 domain event published to ${stack.names.bus} (lands in ${stack.names.bucket('LakeBucket')}/domain-events/)`;
};
