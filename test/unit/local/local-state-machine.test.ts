import { describe, expect, it } from 'vitest';
import { dataSubjectRequestStateMachine } from '../../../infra/definitions/state-machines.definition.ts';
import type { LocalFunction } from '../../../infra/local/lambda/local-function.ts';
import { FunctionInvocationError } from '../../../infra/local/lambda/local-function.ts';
import { REPO_ROOT } from '../../../infra/local/local-paths.ts';
import {
  LocalStateMachine,
  loadStateMachineDefinition,
  StateMachineDefinitionError,
} from '../../../infra/local/stepfunctions/local-state-machine.ts';

const ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:c360-local-RunSubjectRequestStep';
type Step = { step: string; cursor?: string | null; customerIds?: string[]; error?: { Error?: string } };

/** The DataSubjectRequest ASL, its task function replaced by `answer`, every call recorded. */
const machine = async (answer: (input: Step) => unknown) => {
  const asl = await loadStateMachineDefinition(dataSubjectRequestStateMachine, REPO_ROOT, () => ARN);
  const calls: Step[] = [];
  const fn = {
    name: 'c360-local-RunSubjectRequestStep',
    invoke: async (input: Step) => {
      calls.push(input);
      return answer(input);
    },
  } as unknown as LocalFunction;
  const sm = new LocalStateMachine({
    definition: dataSubjectRequestStateMachine,
    asl,
    stateMachineArn: 'arn:aws:states:eu-west-1:000000000000:stateMachine:c360-local-DataSubjectRequest',
    functionNamed: (name) => {
      if (name !== ARN) throw new Error(`unexpected function ${name}`);
      return fn;
    },
  });
  return { sm, calls };
};

const filed = (kind: string) => ({
  'detail-type': 'SubjectRequestFiled',
  detail: { requestId: 'dsr_0123456789', kind },
});

describe('Local Step Functions: the DataSubjectRequest workflow', () => {
  it('erases: plan, destroy keys, purge until done, receipt', async () => {
    let pages = 0;
    const { sm, calls } = await machine((input) => {
      switch (input.step) {
        case 'plan':
          return { requestId: 'dsr_0123456789', kind: 'erasure', customerIds: ['cus_a', 'cus_b'] };
        case 'purge':
          pages++;
          return pages < 3 ? { done: false, cursor: `c${pages}` } : { done: true, cursor: null };
        case 'complete':
          return { receipt: { requestId: 'dsr_0123456789', kind: 'erasure' } };
        default:
          return { ok: true };
      }
    });
    const execution = sm.start(filed('erasure'));
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ requestId: 'dsr_0123456789', kind: 'erasure' });
    expect(calls.map((c) => c.step)).toEqual(['plan', 'destroy-keys', 'purge', 'purge', 'purge', 'complete']);
    expect(calls.filter((c) => c.step === 'purge').map((c) => c.cursor)).toEqual([null, 'c1', 'c2']);
    expect(calls[1]?.customerIds).toEqual(['cus_a', 'cus_b']);
    expect(execution.executionArn).toMatch(/:execution:c360-local-DataSubjectRequest:/);
  });

  it('exports: plan, collect, receipt', async () => {
    const { sm, calls } = await machine((input) =>
      input.step === 'plan'
        ? { requestId: 'dsr_0123456789', kind: 'export', customerIds: ['cus_a'] }
        : { receipt: { kind: 'export' } },
    );
    const execution = sm.start(filed('export'));
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    expect(calls.map((c) => c.step)).toEqual(['plan', 'export', 'complete']);
  });

  it('records a refused request as failed without retrying it, and the execution fails', async () => {
    const { sm, calls } = await machine((input) => {
      if (input.step === 'plan')
        throw new FunctionInvocationError('c360-local-RunSubjectRequestStep', {
          errorType: 'SubjectRequestRefusedError',
          errorMessage: 'Request dsr_0123456789 is completed already',
        });
      return { failed: true };
    });
    const execution = sm.start(filed('erasure'));
    await execution.done;
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('SubjectRequestFailedError');
    expect(calls.map((c) => c.step)).toEqual(['plan', 'fail']);
    expect(calls[1]?.error).toMatchObject({ Error: 'SubjectRequestRefusedError' });
  });

  it('refuses a placeholder the definition does not declare', async () => {
    await expect(
      loadStateMachineDefinition({ ...dataSubjectRequestStateMachine, functions: {} }, REPO_ROOT, () => ARN),
    ).rejects.toThrow(StateMachineDefinitionError);
  });
});
