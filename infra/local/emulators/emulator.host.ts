/*
 * Child-process host for the Node-based AWS stand-ins. Usage: emulator.host.ts <kind> <json options>.
 * Prints READY when listening on 127.0.0.1; exits when its parent's stdin pipe closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Options = { port: number; persistDir?: string };

const [kind, rawOptions] = process.argv.slice(2);
const options = JSON.parse(rawOptions ?? '{}') as Options;
const host = '127.0.0.1';
const cleanups: (() => Promise<void> | void)[] = [];

const startKinesalite = async (): Promise<void> => {
  const { default: kinesalite } = await import('kinesalite');
  const server = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 100,
    ...(options.persistDir ? { path: options.persistDir } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
};

const startS3rver = async (): Promise<void> => {
  const { default: S3rver } = await import('s3rver');
  const directory = options.persistDir ?? mkdtempSync(join(tmpdir(), 'c360-s3-'));
  if (!options.persistDir) cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const server = new S3rver({ address: host, port: options.port, silent: true, directory });
  await server.run();
  cleanups.unshift(() => server.close());
};

const startSqs = async (): Promise<void> => {
  const { createSqsServer } = await import('local-aws-sqs');
  const server = await createSqsServer({
    port: options.port,
    hostname: host,
    emulateQueueCreationLifecycle: false,
    accountId: '000000000000',
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
};

const shutdown = async (): Promise<void> => {
  for (const c of cleanups) await c();
  process.exit(0);
};

const starters: Record<string, () => Promise<void>> = {
  kinesalite: startKinesalite,
  s3rver: startS3rver,
  sqs: startSqs,
};
const start = kind ? starters[kind] : undefined;
if (!start) {
  console.error(`unknown emulator ${kind}`);
  process.exit(2);
}
await start();
process.stdin.on('end', () => void shutdown());
process.stdin.on('close', () => void shutdown());
process.stdin.resume();
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.stdout.write('READY\n');
