import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { validChannelEnvelopes } from '../../events/fixtures/channel-envelope.v1.fixture.ts';
import { blindIndexWithKey } from '../../shared/adapters/crypto/blind-index.adapter.ts';
import { dynamoCleaningStore } from '../../shared/adapters/dynamodb/cleaning.store.ts';
import { s3QuarantineStore } from '../../shared/adapters/s3/quarantine.store.ts';
import { cleanEnvelope, DEFAULT_CLEANING_CONFIG } from '../../shared/domain/cleaning/envelope.cleaner.ts';
import { DEFAULT_INTERACTION_RULES } from '../../shared/domain/cleaning/interaction-rule.ts';
import { cleanEvents, type IngestRecord } from '../../shared/use-cases/ingest/clean-events.use-case.ts';
import type { Bench } from './run.bench.ts';

/** A realistic mix: every channel type, with 5% malformed records. */
const mixedRecords = (n: number): IngestRecord[] => {
  const valid = validChannelEnvelopes.map((f) => f.input);
  const arrivedAt = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => ({
    recordId: String(i),
    arrivedAt,
    data:
      i % 20 === 19
        ? `{"specVersion":"1","messageId":"bad-${i}",`
        : JSON.stringify({ ...valid[i % valid.length], messageId: `bench-${i}`, source: 'bench' }),
  }));
};

/**
 * In-process cleaning throughput on one core (the pure cleaning path), then the whole use case with its real
 * DynamoDB and S3 adapters against mocked clients, counting the AWS requests each event costs.
 */
export const ingestBench: Bench = {
  summary: 'cleaning throughput in process (events/s on one core) and AWS requests per event',
  run: async () => {
    const records = mixedRecords(100_000);
    // Warm-up, so the JIT has seen every path before the clock runs.
    for (const r of records.slice(0, 5000)) cleanEnvelope(r.data, r.arrivedAt, DEFAULT_CLEANING_CONFIG);
    // This machine shares its cores: time several rounds and print the median and the best.
    // Wall clock is the figure; CPU time (this process only) shows how much of a slow round was other load.
    const rounds: number[] = [];
    const cpuRounds: number[] = [];
    let cleaned = 0;
    for (let round = 0; round < 5; round++) {
      cleaned = 0;
      const start = process.hrtime.bigint();
      const cpuStart = process.cpuUsage();
      for (const r of records)
        if (cleanEnvelope(r.data, r.arrivedAt, DEFAULT_CLEANING_CONFIG).kind === 'cleaned') cleaned++;
      const cpu = process.cpuUsage(cpuStart);
      rounds.push(records.length / (Number(process.hrtime.bigint() - start) / 1e9));
      cpuRounds.push(records.length / ((cpu.user + cpu.system) / 1e6));
    }
    rounds.sort((a, b) => a - b);
    cpuRounds.sort((a, b) => a - b);
    const rate = (n: number | undefined) => Math.round(n ?? 0).toLocaleString('en');
    console.log(
      `cleaning: ${records.length.toLocaleString('en')} events (${cleaned.toLocaleString('en')} cleaned) × ${rounds.length} rounds on one core: ` +
        `median ${rate(rounds[2])} events/s, best ${rate(rounds[4])}, worst ${rate(rounds[0])} (target ≥ 50,000); ` +
        `per CPU-second: median ${rate(cpuRounds[2])} events, best ${rate(cpuRounds[4])}, worst ${rate(cpuRounds[0])}`,
    );

    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: {} });
    ddb.on(UpdateCommand).resolves({});
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const quarantine = s3QuarantineStore(new S3Client({ region: 'us-east-1' }), 'quarantine');
    const index = blindIndexWithKey(Buffer.alloc(32, 7));
    const batchSize = 500;
    const batches = records.slice(0, 20_000);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batches.length; i += batchSize)
      await cleanEvents(batches.slice(i, i + batchSize), DEFAULT_CLEANING_CONFIG, DEFAULT_INTERACTION_RULES, {
        putQuarantine: quarantine.put,
        write: dynamoCleaningStore(db, 'table', 'shardId-000000000000').write,
        digest: (s) => createHash('sha256').update(s).digest('hex'),
        blindIndex: index,
      });
    const useCaseSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const calls = {
      TransactWriteItems: ddb.commandCalls(TransactWriteCommand).length,
      BatchGetItem: ddb.commandCalls(BatchGetCommand).length,
      UpdateItem: ddb.commandCalls(UpdateCommand).length,
      PutObject: s3.commandCalls(PutObjectCommand).length,
    };
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    console.log(
      `use case with adapters (AWS mocked, batches of ${batchSize}): ${Math.round(batches.length / useCaseSeconds).toLocaleString('en')} events/s; ` +
        `AWS requests per event ${(total / batches.length).toFixed(3)} (${Object.entries(calls)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`,
    );
    console.log(
      'collect API: 1 PutRecords per request (≤ 500 messages), 1 GetItem per write key per minute (cached)',
    );
    ddb.restore();
    s3.restore();
  },
};
