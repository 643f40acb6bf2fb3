import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InvocationError, InvokeMessage, ResultMessage, WorkerData } from './lambda-protocol.ts';

/** The function threw, or returned a rejected promise; Lambda reports it as a function error. */
export class FunctionInvocationError extends Error {
  override readonly name = 'FunctionInvocationError';
  constructor(
    readonly functionName: string,
    readonly error: InvocationError,
  ) {
    super(`${functionName} failed: ${error.errorType}: ${error.errorMessage}`);
  }
}

/** The invocation ran past the function's timeout; its execution environment is discarded. */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

export type LocalFunctionConfig = {
  readonly functionName: string;
  /** Absolute path of the module exporting the handler. */
  readonly entryPath: string;
  readonly handlerExport?: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** How many execution environments may run at once (Lambda's concurrency). @default 4 */
  readonly maxConcurrency?: number;
  readonly region: string;
  readonly account: string;
  readonly log?: (line: string) => void;
};

/** `ready` settles when the environment's init phase is over (or the worker died during it). */
type Environment = { readonly worker: Worker; readonly ready: Promise<void>; busy: boolean };

/** Lambda's limit on the init phase; a slower init fails the invocation that waited for it. */
const INIT_LIMIT_MS = 10_000;

/**
 * A Lambda function run locally: each execution environment is a worker thread with the function's own
 * environment variables and module state, one invocation at a time, discarded on timeout or crash.
 */
export class LocalFunction {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();
  private readonly waiting: ((env: Environment) => void)[] = [];
  private closed = false;
  invocations = 0;
  /** Durations (ms) of the latest invocations, as Lambda's REPORT lines give them. */
  readonly durations: number[] = [];

  constructor(readonly config: LocalFunctionConfig) {}

  get name(): string {
    return this.config.functionName;
  }

  /** Invokes synchronously (RequestResponse); rejects with FunctionInvocationError or FunctionTimeoutError. */
  async invoke<T = unknown>(event: unknown): Promise<T> {
    if (this.closed) throw new Error(`${this.name} is shut down`);
    const env = await this.acquire();
    const requestId = randomUUID();
    const timeoutMs = this.config.timeoutSeconds * 1000;
    // Like Lambda, the function timeout starts after the init phase (a cold start under load is not a timeout).
    let initTimer: NodeJS.Timeout | undefined;
    const initialised = await Promise.race([
      env.ready.then(() => true),
      new Promise<false>((resolve) => {
        initTimer = setTimeout(() => resolve(false), INIT_LIMIT_MS);
      }),
    ]);
    clearTimeout(initTimer);
    if (!initialised) {
      this.discard(env);
      throw new FunctionTimeoutError(
        `${this.name} ${requestId} Init phase exceeded ${INIT_LIMIT_MS / 1000} seconds`,
      );
    }
    const msg: InvokeMessage = { type: 'invoke', requestId, event, deadline: Date.now() + timeoutMs };
    this.invocations += 1;
    const started = performance.now();
    try {
      const result = await new Promise<ResultMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          this.discard(env);
          reject(
            new FunctionTimeoutError(
              `${this.name} ${requestId} Task timed out after ${this.config.timeoutSeconds}.00 seconds`,
            ),
          );
        }, timeoutMs);
        const onMessage = (m: ResultMessage) => {
          if (m.requestId !== requestId) return;
          cleanup();
          resolve(m);
        };
        const onError = (error: Error) => {
          cleanup();
          this.discard(env);
          reject(
            new FunctionInvocationError(this.name, {
              errorType: 'Runtime.ExitError',
              errorMessage: error.message,
            }),
          );
        };
        const cleanup = () => {
          clearTimeout(timer);
          env.worker.off('message', onMessage);
          env.worker.off('error', onError);
        };
        env.worker.on('message', onMessage);
        env.worker.on('error', onError);
        env.worker.postMessage(msg);
      });
      this.release(env);
      if (this.durations.push(performance.now() - started) > 1000) this.durations.shift();
      if (!result.ok) throw new FunctionInvocationError(this.name, result.error);
      return result.value as T;
    } catch (error) {
      if (this.all.has(env) && env.busy) this.release(env);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((e) => e.worker.terminate()));
    this.all.clear();
    this.idle.length = 0;
  }

  private acquire(): Promise<Environment> {
    const ready = this.idle.pop();
    if (ready) {
      ready.busy = true;
      return Promise.resolve(ready);
    }
    if (this.all.size < (this.config.maxConcurrency ?? 4)) {
      const env = this.spawn();
      env.busy = true;
      return Promise.resolve(env);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(env: Environment): void {
    const next = this.waiting.shift();
    if (next) {
      next(env);
      return;
    }
    env.busy = false;
    this.idle.push(env);
  }

  private discard(env: Environment): void {
    this.all.delete(env);
    env.busy = false;
    void env.worker.terminate();
    const next = this.waiting.shift();
    if (next && !this.closed) {
      const fresh = this.spawn();
      fresh.busy = true;
      next(fresh);
    }
  }

  private spawn(): Environment {
    const data: WorkerData = {
      entry: pathToFileURL(this.config.entryPath).href,
      handlerExport: this.config.handlerExport ?? 'handler',
      functionName: this.name,
      memoryMb: this.config.memoryMb,
      region: this.config.region,
      account: this.config.account,
    };
    const worker = new Worker(new URL('./lambda-worker.bootstrap.mjs', import.meta.url), {
      workerData: data,
      env: {
        ...this.config.environment,
        AWS_LAMBDA_FUNCTION_NAME: this.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.config.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        _HANDLER: `index.${this.config.handlerExport ?? 'handler'}`,
      },
      // What a function prints goes to its log (CloudWatch in AWS), not straight to the terminal.
      stdout: true,
      stderr: true,
    });
    worker.unref();
    for (const stream of [worker.stdout, worker.stderr])
      stream.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line.trim()) this.config.log?.(`${this.name}: ${line}`);
      });
    const ready = new Promise<void>((resolve) => {
      const onReady = (m: { type?: string }) => {
        if (m.type !== 'ready') return;
        worker.off('message', onReady);
        resolve();
      };
      worker.on('message', onReady);
      worker.once('exit', () => resolve());
      worker.once('error', () => resolve());
    });
    const env: Environment = { worker, ready, busy: false };
    worker.on('exit', () => {
      if (this.all.has(env)) {
        this.all.delete(env);
        const i = this.idle.indexOf(env);
        if (i >= 0) this.idle.splice(i, 1);
      }
    });
    this.all.add(env);
    return env;
  }
}
