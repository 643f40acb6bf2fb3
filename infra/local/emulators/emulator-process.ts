import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export type RunningEmulator = {
  readonly name: string;
  readonly endpoint: string;
  readonly stop: () => Promise<void>;
};

export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
}

export const LOOPBACK = '127.0.0.1';
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A port nobody listens on right now, on loopback. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });

const children = new Set<ChildProcess>();
let exitHookInstalled = false;
/** Kills every emulator child when this process exits, however it exits. */
const killChildrenOnExit = (): void => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });
};

export const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });

/** Tracks a child so it dies with us, and fails fast with its stderr if it dies before it is ready. */
export const track = (name: string, child: ChildProcess): { readonly stderr: () => string } => {
  killChildrenOnExit();
  children.add(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  child.once('exit', () => children.delete(child));
  return { stderr: () => `${name}: ${err.trim()}` };
};

export type HostedEmulatorKind = 'kinesalite' | 's3rver' | 'sqs';

/**
 * Runs a Node-based emulator in a child process (`emulator.host.ts`), so its work never competes with the
 * functions' event loop, and a crash of one cannot take the stack down. The child exits when our stdin
 * pipe closes, so it cannot outlive us even on SIGKILL.
 */
export const startHostedEmulator = async (
  kind: HostedEmulatorKind,
  options: Readonly<Record<string, unknown>>,
): Promise<RunningEmulator> => {
  const port = await freePort();
  const nodeArgs = kind === 's3rver' ? ['--openssl-legacy-provider'] : []; // ListObjectsV2 continuation uses DES
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--import',
      'tsx',
      fileURLToPath(new URL('./emulator.host.ts', import.meta.url)),
      kind,
      JSON.stringify({ ...options, port }),
    ],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const { stderr } = track(kind, child);
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new EmulatorStartError(`exited with ${code}: ${stderr()}`));
    child.once('exit', onExit);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) {
        child.off('exit', onExit);
        resolve();
      }
    });
  });
  return { name: kind, endpoint: `http://${LOOPBACK}:${port}`, stop: () => stopChild(child) };
};
