import { z } from 'zod';
import { channelEnvelopeV1, parseChannelEnvelope } from './channel/channel-envelope.v1.ts';
import { cleanedEventV1, parseCleanedEvent } from './cleaning/cleaned-event.v1.ts';
import type { EventContract } from './contract.types.ts';
import { invalidChannelEnvelopes, validChannelEnvelopes } from './fixtures/channel-envelope.v1.fixture.ts';
import { invalidChurnRiskRaised, validChurnRiskRaised } from './fixtures/churn-risk-raised.v1.fixture.ts';
import { invalidCleanedEvents, validCleanedEvents } from './fixtures/cleaned-event.v1.fixture.ts';
import { invalidConsentRecorded, validConsentRecorded } from './fixtures/consent-recorded.v1.fixture.ts';
import { invalidCustomerErased, validCustomerErased } from './fixtures/customer-erased.v1.fixture.ts';
import { invalidCustomerUnmerged, validCustomerUnmerged } from './fixtures/customer-unmerged.v1.fixture.ts';
import { invalidCustomersMerged, validCustomersMerged } from './fixtures/customers-merged.v1.fixture.ts';
import { invalidProfileUpdated, validProfileUpdated } from './fixtures/profile-updated.v1.fixture.ts';
import {
  invalidSubjectRequestFiled,
  validSubjectRequestFiled,
} from './fixtures/subject-request-filed.v1.fixture.ts';
import { customerUnmergedV1, parseCustomerUnmerged } from './identity/customer-unmerged.v1.ts';
import { customersMergedV1, parseCustomersMerged } from './identity/customers-merged.v1.ts';
import { consentRecordedV1, parseConsentRecorded } from './privacy/consent-recorded.v1.ts';
import { customerErasedV1, parseCustomerErased } from './privacy/customer-erased.v1.ts';
import { parseSubjectRequestFiled, subjectRequestFiledV1 } from './privacy/subject-request-filed.v1.ts';
import { parseProfileUpdated, profileUpdatedV1 } from './profile/profile-updated.v1.ts';
import { churnRiskRaisedV1, parseChurnRiskRaised } from './scoring/churn-risk-raised.v1.ts';

/** Every event contract of c360. A breaking change adds a `v2` entry beside `v1`; it never edits `v1`. */
export const EVENT_CONTRACTS: readonly EventContract[] = [
  {
    name: 'channel-envelope',
    version: 1,
    description: 'One record on the Kinesis ingest stream, as written by a channel system.',
    schema: channelEnvelopeV1,
    jsonSchemaIo: 'input',
    parse: parseChannelEnvelope,
    fixtures: { valid: validChannelEnvelopes, invalid: invalidChannelEnvelopes },
  },
  {
    name: 'cleaned-event',
    version: 1,
    description: 'A channel envelope after cleaning, as identity resolution receives it.',
    schema: cleanedEventV1,
    jsonSchemaIo: 'output',
    parse: parseCleanedEvent,
    fixtures: { valid: validCleanedEvents, invalid: invalidCleanedEvents },
  },
  {
    name: 'customers-merged',
    version: 1,
    description: 'Identity resolution merged customers into a survivor (bus detail-type CustomersMerged).',
    schema: customersMergedV1,
    jsonSchemaIo: 'output',
    parse: parseCustomersMerged,
    fixtures: { valid: validCustomersMerged, invalid: invalidCustomersMerged },
  },
  {
    name: 'customer-unmerged',
    version: 1,
    description: 'An admin undid a merge; both customers are kept apart (bus detail-type CustomerUnmerged).',
    schema: customerUnmergedV1,
    jsonSchemaIo: 'output',
    parse: parseCustomerUnmerged,
    fixtures: { valid: validCustomerUnmerged, invalid: invalidCustomerUnmerged },
  },
  {
    name: 'profile-updated',
    version: 1,
    description: "A customer's Profile 360 changed, by name only (bus detail-type ProfileUpdated).",
    schema: profileUpdatedV1,
    jsonSchemaIo: 'output',
    parse: parseProfileUpdated,
    fixtures: { valid: validProfileUpdated, invalid: invalidProfileUpdated },
  },
  {
    name: 'churn-risk-raised',
    version: 1,
    description: "A customer's churn score crossed the threshold upwards (bus detail-type ChurnRiskRaised).",
    schema: churnRiskRaisedV1,
    jsonSchemaIo: 'output',
    parse: parseChurnRiskRaised,
    fixtures: { valid: validChurnRiskRaised, invalid: invalidChurnRiskRaised },
  },
  {
    name: 'consent-recorded',
    version: 1,
    description:
      'A consent, withdrawal or legal basis recorded for a customer, purpose and channel (bus detail-type ConsentRecorded).',
    schema: consentRecordedV1,
    jsonSchemaIo: 'output',
    parse: parseConsentRecorded,
    fixtures: { valid: validConsentRecorded, invalid: invalidConsentRecorded },
  },
  {
    name: 'subject-request-filed',
    version: 1,
    description:
      'A data-subject request (export or erasure) filed for a customer; starts its workflow (bus detail-type SubjectRequestFiled).',
    schema: subjectRequestFiledV1,
    jsonSchemaIo: 'output',
    parse: parseSubjectRequestFiled,
    fixtures: { valid: validSubjectRequestFiled, invalid: invalidSubjectRequestFiled },
  },
  {
    name: 'customer-erased',
    version: 1,
    description:
      "A person's data erased by crypto-shredding; consumers must erase their copies (bus detail-type CustomerErased).",
    schema: customerErasedV1,
    jsonSchemaIo: 'output',
    parse: parseCustomerErased,
    fixtures: { valid: validCustomerErased, invalid: invalidCustomerErased },
  },
];

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** `events/schemas/<name>.v<version>.json`, relative to `events/`. */
export const jsonSchemaFileName = (contract: Pick<EventContract, 'name' | 'version'>): string =>
  `schemas/${contract.name}.v${contract.version}.json`;

// Keys sorted at every level so the files diff only when the contract does.
const sortKeys = (value: JsonValue): JsonValue => {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k] ?? null)]),
  );
};

/** The contract as JSON Schema draft 2020-12, keys sorted. */
export const toJsonSchema = (contract: EventContract): JsonValue => {
  const generated = z.toJSONSchema(contract.schema, { target: 'draft-2020-12', io: contract.jsonSchemaIo });
  // Round-trip through JSON: drops undefined members and yields plain JSON values.
  const json: JsonValue = JSON.parse(
    JSON.stringify({ ...generated, $id: `urn:c360:events:${contract.name}:v${contract.version}` }),
  );
  return sortKeys(json);
};

/** The exact bytes of every `events/schemas/*.json` file: two-space JSON with a trailing newline. */
export const renderJsonSchemaFiles = (
  contracts: readonly EventContract[] = EVENT_CONTRACTS,
): { readonly fileName: string; readonly content: string }[] =>
  contracts.map((c) => ({
    fileName: jsonSchemaFileName(c),
    content: `${JSON.stringify(toJsonSchema(c), null, 2)}\n`,
  }));
