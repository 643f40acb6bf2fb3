/** Messages between a local function and its worker thread. */
export type InvokeMessage = {
  readonly type: 'invoke';
  readonly requestId: string;
  readonly event: unknown;
  readonly deadline: number;
};

export type InvocationError = {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack?: string;
};

export type ResultMessage =
  | { readonly type: 'result'; readonly requestId: string; readonly ok: true; readonly value: unknown }
  | {
      readonly type: 'result';
      readonly requestId: string;
      readonly ok: false;
      readonly error: InvocationError;
    };

/** The worker's init phase (importing the handler module) is over, successfully or not. */
export type ReadyMessage = { readonly type: 'ready' };

export type WorkerData = {
  readonly entry: string;
  readonly handlerExport: string;
  readonly functionName: string;
  readonly memoryMb: number;
  readonly region: string;
  readonly account: string;
};
