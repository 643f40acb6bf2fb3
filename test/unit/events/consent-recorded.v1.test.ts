import { describe, expect, it } from 'vitest';
import {
  invalidConsentRecorded,
  validConsentRecorded,
} from '../../../events/fixtures/consent-recorded.v1.fixture.ts';
import {
  consentRecordedV1,
  parseConsentRecorded,
  parseConsentRecordInput,
} from '../../../events/privacy/consent-recorded.v1.ts';

// The same checks as test/contract/event-fixtures.test.ts, until the contract is in events/registry.ts.
describe('Events: consent-recorded v1', () => {
  it.each(validConsentRecorded)('accepts $name', ({ input }) => {
    expect(parseConsentRecorded(input)).toEqual({ ok: true, event: input });
    expect(consentRecordedV1.safeParse(input).success).toBe(true);
  });

  it.each(invalidConsentRecorded)('rejects $name', ({ input, reason }) => {
    const result = parseConsentRecorded(input);

    expect(result.ok ? [] : result.reasons).toEqual(
      expect.arrayContaining([expect.stringContaining(reason)]),
    );
  });

  it('names every fixture once', () => {
    const names = [...validConsentRecorded, ...invalidConsentRecorded].map((f) => f.name);

    expect(new Set(names).size).toBe(names.length);
  });

  it('takes the API body without specVersion and recordedAt, which c360 sets', () => {
    for (const { input } of validConsentRecorded) {
      const { specVersion: _s, recordedAt: _r, ...body } = input;
      expect(parseConsentRecordInput(body)).toEqual({ ok: true, record: body });
      expect(parseConsentRecordInput(input)).toMatchObject({ ok: false });
    }
  });

  it('keeps dates and ids in evidence references, refuses contact values', () => {
    const [first] = validConsentRecorded;
    const { specVersion: _s, recordedAt: _r, ...body } = first?.input ?? {};
    const withReference = (reference: string) =>
      parseConsentRecordInput({ ...body, evidence: { kind: 'paper-form', reference } }).ok;

    expect(withReference('form-2026-11-21 batch 0042')).toBe(true);
    expect(withReference('signed by zhang.wei@example.com')).toBe(false);
    expect(withReference('mobile 13800138000')).toBe(false);
  });
});
