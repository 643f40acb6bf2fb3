import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDynamoDbLocal } from './dynamodb-local.setup.ts';
import {
  EmulatorStartError,
  freePort,
  LOOPBACK,
  type RunningEmulator,
  stopChild,
  track,
} from './emulator-process.ts';

/**
 * AWS's own DynamoDB Local (transactions, TTL, Streams) under Java 17. It binds every interface and has no
 * host flag, so the port is a random free one and is only ever addressed through loopback.
 */
export const startDynamoDbLocal = async (
  opts: { readonly persistDir?: string } = {},
): Promise<RunningEmulator> => {
  const dir = ensureDynamoDbLocal();
  const port = await freePort();
  const storage = opts.persistDir ? ['-dbPath', opts.persistDir, '-sharedDb'] : ['-inMemory'];
  if (opts.persistDir) mkdirSync(opts.persistDir, { recursive: true });
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-Xms128m',
      '-XX:+UseSerialGC',
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      ...storage,
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    // DynamoDB Local writes a metadata file into its working directory: keep it out of the repo.
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  const { stderr } = track('dynamodb-local', child);
  const endpoint = `http://${LOOPBACK}:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new EmulatorStartError(`exited with ${child.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      });
      if (res.status > 0) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new EmulatorStartError(`not ready after 30 s: ${stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { name: 'dynamodb-local', endpoint, stop: () => stopChild(child) };
};
