import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { documentClient, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { dynamoCustomerReader } from '#shared/adapters/dynamodb/identity-graph.repository.ts';
import { dynamoProfilesFromEnv } from '#shared/adapters/dynamodb/profile.repository.ts';
import { sqsAuditQueueFromEnv } from '#shared/adapters/sqs/audit-queue.sender.ts';
import { customerEditBody } from '#shared/api/profile.schemas.ts';
import { DEFAULT_CLEANING_CONFIG } from '#shared/domain/cleaning/envelope.cleaner.ts';
import type { AuditSink } from '#shared/domain/privacy/audit-log.port.ts';
import { ownValue } from '#shared/domain/profile/customer-profile.ts';
import { recordAudit } from '#shared/runtime/audit-trail.ts';
import { authorize } from '#shared/runtime/caller.ts';
import { readEnv } from '#shared/runtime/env.ts';
import { jsonBody } from '#shared/runtime/http-request.ts';
import { jsonResponse, problemResponse } from '#shared/runtime/http-response.ts';
import {
  EditContentionError,
  type EditProfilePorts,
  type EditProfileSettings,
  editProfile,
} from '#shared/use-cases/profile/edit-profile.use-case.ts';
import {
  DEFAULT_PROFILE_SETTINGS,
  ProfileOfErasedCustomerError,
} from '#shared/use-cases/profile/update-profile.use-case.ts';

/** The profile version as a strong entity tag: `"12"`. */
const etagOf = (version: number) => `"${version}"`;

/**
 * The versions an `If-Match` header accepts: undefined when absent or `*` (the profile must exist, which
 * the edit checks anyway); a list of strong tags otherwise. Weak tags (`W/"12"`) and anything unreadable
 * never match (strong comparison, RFC 9110 §13.1.1), so the answer is 412.
 */
const ifMatchVersions = (header: string | undefined): readonly number[] | undefined => {
  if (header === undefined || header.trim() === '*') return undefined;
  return header
    .split(',')
    .map((tag) => /^"(\d{1,15})"$/.exec(tag.trim())?.[1])
    .flatMap((v) => (v === undefined ? [] : [Number(v)]));
};

export type EditCustomerDependencies = {
  readonly ports: EditProfilePorts;
  readonly audit: AuditSink;
  readonly settings: EditProfileSettings;
  readonly now: () => string;
};

/** The handler over its ports: the module's `handler` wires the table, the PII vault and the audit queue. */
export const editCustomerHandler =
  (deps: EditCustomerDependencies) =>
  async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> => {
    const allowed = authorize(event, 'customers:write');
    if (!allowed.ok) return allowed.response;
    const { caller } = allowed;
    const parsed = jsonBody(event, customerEditBody, '{ traits?, tags?: { add?, remove? } }');
    if (!parsed.ok) return parsed.response;
    const ifMatch = ifMatchVersions(event.headers?.['if-match']);
    let outcome: Awaited<ReturnType<typeof editProfile>>;
    try {
      outcome = await editProfile(
        {
          customerId: event.pathParameters?.id ?? '',
          roles: caller.groups,
          editId: `edit:${event.requestContext.requestId}`,
          body: parsed.value,
          ...(ifMatch ? { ifMatch } : {}),
        },
        deps.ports,
        deps.settings,
        deps.now,
      );
    } catch (error) {
      if (error instanceof EditContentionError)
        return problemResponse(409, 'Conflict', 'the profile kept changing: read it again and retry');
      // Erased between the read and the write: the same answer as an edit of an erased customer gets.
      if (error instanceof ProfileOfErasedCustomerError) return problemResponse(404, 'Customer not found');
      throw error;
    }
    switch (outcome.kind) {
      case 'forbidden':
        return problemResponse(
          403,
          'Forbidden',
          `your roles may not change ${outcome.fields.join(', ')}: they see it masked or not at all`,
          { fields: outcome.fields },
        );
      case 'invalid':
        return problemResponse(400, 'Invalid body', outcome.problems.join('; '), {
          errors: outcome.problems.map((p) => ({
            pointer: `/body/traits/${p.slice(0, p.indexOf(':')).replaceAll('~', '~0').replaceAll('/', '~1')}`,
            detail: p.slice(p.indexOf(':') + 2),
          })),
        });
      case 'not-found':
        return problemResponse(404, 'Customer not found');
      case 'precondition-failed':
        return {
          ...problemResponse(
            412,
            'Precondition Failed',
            `the profile is at version ${outcome.version}: read it again and reapply the change`,
          ),
          headers: { 'content-type': 'application/problem+json', etag: etagOf(outcome.version) },
        };
      case 'conflict':
        return problemResponse(409, 'Conflict', outcome.detail, { field: outcome.field });
      case 'updated':
      case 'unchanged': {
        // A change is on the record before the answer leaves; a no-op changed nothing to audit.
        if (outcome.kind === 'updated')
          await recordAudit(
            deps.audit,
            event,
            caller,
            'customer.update',
            { type: 'customer', id: outcome.customerId },
            outcome.fields,
          );
        const { profile } = outcome;
        const named = Object.keys(parsed.value.traits ?? {});
        const response = jsonResponse(200, {
          customerId: outcome.customerId,
          ...(outcome.mergedFrom ? { mergedFrom: outcome.mergedFrom } : {}),
          version: profile.version,
          changed: outcome.fields,
          traits: Object.fromEntries(
            named.flatMap((name) => {
              const t = ownValue(profile.traits, name);
              return t
                ? [[name, { value: t.value, source: t.source, channel: t.channel, updatedAt: t.occurredAt }]]
                : [];
            }),
          ),
          tags: profile.tags,
        });
        return { ...response, headers: { ...response.headers, etag: etagOf(profile.version) } };
      }
    }
  };

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1) });
const db = documentClient();
const reader = dynamoCustomerReader(db, env.CUSTOMER_TABLE_NAME);

/** `PATCH /customers/{id}` `{ traits?, tags? }`: an agent's correction, a tag from sales (`If-Match` honoured). */
export const handler = editCustomerHandler({
  ports: { customer: reader.customer, profiles: dynamoProfilesFromEnv(db, env.CUSTOMER_TABLE_NAME) },
  // Entries are durably queued before the answer leaves; a batching writer appends them to the chained log.
  audit: sqsAuditQueueFromEnv(sqsClient()),
  settings: {
    profile: DEFAULT_PROFILE_SETTINGS.profile,
    defaultRegion: DEFAULT_CLEANING_CONFIG.defaultRegion,
  },
  now: () => new Date().toISOString(),
});
