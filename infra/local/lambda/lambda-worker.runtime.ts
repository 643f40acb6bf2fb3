import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import type { InvokeMessage, ReadyMessage, ResultMessage, WorkerData } from './lambda-protocol.ts';

/*
 * Runs inside one function's worker thread: the module is imported once (cold start) and keeps its state
 * between invocations, as in a Lambda execution environment.
 */
const data = workerData as WorkerData;
type Handler = (event: unknown, context: Context) => Promise<unknown> | unknown;

const port = parentPort;
if (!port) throw new Error('lambda-worker.runtime must run in a worker thread');

const logStream = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`;

let handlerPromise: Promise<Handler> | undefined;
const loadHandler = (): Promise<Handler> => {
  handlerPromise ??= import(data.entry).then((mod: Record<string, unknown>) => {
    const h = mod[data.handlerExport];
    if (typeof h !== 'function')
      throw new Error(`${data.entry} does not export a function '${data.handlerExport}'`);
    return h as Handler;
  });
  return handlerPromise;
};

// The init phase runs before the first invocation, as Lambda's does, and outside its timeout; an init error
// is reported by the invocation that follows.
void loadHandler()
  .catch(() => undefined)
  .then(() => port.postMessage({ type: 'ready' } satisfies ReadyMessage));

const contextFor = (msg: InvokeMessage): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: data.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${data.region}:${data.account}:function:${data.functionName}`,
  memoryLimitInMB: String(data.memoryMb),
  awsRequestId: msg.requestId,
  logGroupName: `/aws/lambda/${data.functionName}`,
  logStreamName: logStream,
  getRemainingTimeInMillis: () => Math.max(0, msg.deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

port.on('message', async (msg: InvokeMessage) => {
  let reply: ResultMessage;
  try {
    const handler = await loadHandler();
    const value = await handler(msg.event, contextFor(msg));
    reply = { type: 'result', requestId: msg.requestId, ok: true, value: value === undefined ? null : value };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = {
      type: 'result',
      requestId: msg.requestId,
      ok: false,
      error: { errorType: e.name, errorMessage: e.message, ...(e.stack ? { stack: e.stack } : {}) },
    };
  }
  // Lambda serialises the response to JSON; so do we, so non-serialisable results fail the same way.
  port.postMessage(JSON.parse(JSON.stringify(reply)) as ResultMessage);
});
