import './promise-with-resolvers.polyfill.ts';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from '../../definitions/resource.types.ts';
import {
  FunctionInvocationError,
  FunctionTimeoutError,
  type LocalFunction,
} from '../lambda/local-function.ts';

/** The optimised Lambda integration every c360 task uses. */
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

export class StateMachineDefinitionError extends Error {
  override readonly name = 'StateMachineDefinitionError';
}

/** An error a task reports, named as Step Functions names it, so `Retry` and `Catch` match as in AWS. */
class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type AslState = {
  readonly Type: string;
  readonly Resource?: string;
  readonly Branches?: readonly AslMachine[];
  readonly Iterator?: AslMachine;
  readonly ItemProcessor?: AslMachine;
};
type AslMachine = { readonly States: Readonly<Record<string, AslState>> };

/**
 * The ASL file of a definition with its `${Placeholder}`s replaced by the ARNs of their functions, as
 * CloudFormation's `DefinitionSubstitutions` does in AWS. Every placeholder must be declared.
 */
export const loadStateMachineDefinition = async (
  def: StateMachineDefinition,
  repoRoot: string,
  functionArn: (functionId: string) => string,
): Promise<AslMachine> => {
  const text = await readFile(join(repoRoot, def.definitionFile), 'utf8');
  const unknown = new Set<string>();
  const substituted = text.replace(PLACEHOLDER, (whole, name: string) => {
    const functionId = def.functions[name];
    if (functionId === undefined) {
      unknown.add(name);
      return whole;
    }
    return functionArn(functionId);
  });
  if (unknown.size > 0)
    throw new StateMachineDefinitionError(
      `${def.definitionFile} uses undeclared placeholders: ${[...unknown].join(', ')}`,
    );
  return JSON.parse(substituted) as AslMachine;
};

/** Every Task state of a machine, nested branches and map processors included (names are unique in ASL). */
const taskStates = (machine: AslMachine): [string, AslState][] =>
  Object.entries(machine.States).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, AslState]] : []),
    ...(state.Branches ?? []).flatMap(taskStates),
    ...(state.Iterator ? taskStates(state.Iterator) : []),
    ...(state.ItemProcessor ? taskStates(state.ItemProcessor) : []),
  ]);

/** What an execution takes as input: any JSON value. */
export type JsonValue = Parameters<StateMachine['run']>[0];

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export type LocalExecution = {
  readonly executionArn: string;
  readonly input: JsonValue;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Settles when the execution stops, whatever its outcome. */
  readonly done: Promise<void>;
};

export type LocalStateMachineOptions = {
  readonly definition: StateMachineDefinition;
  readonly asl: AslMachine;
  readonly stateMachineArn: string;
  /** The local function behind a `FunctionName` (an ARN or a name), as Lambda resolves it. */
  readonly functionNamed: (nameOrArn: string) => LocalFunction;
  readonly log?: (line: string) => void;
};

/**
 * A Standard workflow on the local stack: the same ASL the CDK stack deploys, interpreted by
 * aws-local-stepfunctions, with each `lambda:invoke` task sent to the local function it names and answered
 * the way the integration answers in AWS (`{ StatusCode, Payload }`; a function error becomes the error
 * named by its `errorType`, a timeout `Sandbox.Timedout`). Executions run in the background, like
 * `StartExecution`; each is kept with its status, output or error for tests and the start banner.
 */
export class LocalStateMachine {
  private readonly machine: StateMachine;
  private readonly taskHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>>;
  private readonly all: LocalExecution[] = [];
  private readonly aborts = new Set<() => void>();

  constructor(private readonly o: LocalStateMachineOptions) {
    // The interpreter annotates the definition it is given (each state's QueryLanguage): give it a copy.
    this.machine = new StateMachine(structuredClone(o.asl) as ConstructorParameters<typeof StateMachine>[0]);
    this.taskHandlers = Object.fromEntries(
      taskStates(o.asl).map(([name, state]) => {
        if (state.Resource !== LAMBDA_INVOKE)
          throw new StateMachineDefinitionError(
            `${o.definition.id}.${name}: only ${LAMBDA_INVOKE} tasks run locally, not ${state.Resource}`,
          );
        return [name, (input: JsonValue) => this.invokeTask(input)];
      }),
    );
  }

  /** The ASL as interpreted, placeholders substituted. */
  get definitionJson(): AslMachine {
    return this.o.asl;
  }

  get arn(): string {
    return this.o.stateMachineArn;
  }

  executions(): readonly LocalExecution[] {
    return this.all;
  }

  /** StartExecution: returns at once; the execution runs on. */
  start(input: unknown, name: string = randomUUID()): LocalExecution {
    // What arrives here came through JSON (a bus event, a test's literal): a JSON value.
    const json = input as JsonValue;
    const executionArn = `${this.o.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const run = this.machine.run(json, {
      overrides: { taskResourceLocalHandlers: this.taskHandlers },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: name, Input: json, StartTime: new Date().toISOString() },
      },
    });
    const execution: LocalExecution = {
      executionArn,
      input: json,
      startDate: new Date(),
      status: 'RUNNING',
      done: run.result.then(
        (output: unknown) => {
          execution.status = 'SUCCEEDED';
          execution.output = output;
        },
        (error: unknown) => {
          // The interpreter wraps what stopped the execution (a Fail state, an uncaught task error).
          const e = error instanceof Error ? error : new Error(String(error));
          const caught = e.cause instanceof Error ? e.cause : e;
          const timedOut = e.name === 'ExecutionTimeoutError' || caught.name === 'States.Timeout';
          execution.status = timedOut ? 'TIMED_OUT' : 'FAILED';
          execution.error = timedOut ? 'States.Timeout' : caught.name;
          execution.cause = caught.message;
          this.o.log?.(
            `state machine ${this.o.definition.id}: execution ${name} ${execution.status}: ${caught.name}: ${caught.message}`,
          );
        },
      ),
    };
    this.aborts.add(run.abort);
    void execution.done.finally(() => {
      execution.stopDate = new Date();
      if (execution.status === 'RUNNING') execution.status = 'ABORTED';
      this.aborts.delete(run.abort);
    });
    this.all.push(execution);
    return execution;
  }

  /** StopExecution for every running execution (the local stack is stopping). */
  async stop(): Promise<void> {
    for (const abort of this.aborts) abort();
    await Promise.all(this.all.map((e) => e.done));
  }

  private async invokeTask(input: JsonValue): Promise<JsonValue> {
    const { FunctionName, Payload } = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
    if (typeof FunctionName !== 'string')
      throw new TaskError('States.Runtime', 'The task has no FunctionName parameter');
    const fn = this.o.functionNamed(FunctionName);
    try {
      const payload = await fn.invoke<JsonValue | undefined>(Payload ?? {});
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: payload ?? null };
    } catch (error) {
      if (error instanceof FunctionInvocationError)
        throw new TaskError(error.error.errorType, error.error.errorMessage);
      if (error instanceof FunctionTimeoutError) throw new TaskError('Sandbox.Timedout', error.message);
      throw new TaskError('Lambda.ServiceException', error instanceof Error ? error.message : String(error));
    }
  }
}
