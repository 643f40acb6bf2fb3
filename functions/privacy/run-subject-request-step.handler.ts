import { z } from 'zod';
import { subjectRequestId } from '#events/privacy/subject-request-filed.v1.ts';
import { documentClient, s3Client, sqsClient } from '#shared/adapters/aws/aws-clients.ts';
import { customerKeyVaultFromEnv } from '#shared/adapters/crypto/customer-key.vault.ts';
import { dynamoPersonData } from '#shared/adapters/dynamodb/person-data.store.ts';
import { dynamoSubjectRequests } from '#shared/adapters/dynamodb/subject-request.repository.ts';
import { s3ExportBundles } from '#shared/adapters/s3/export-bundle.store.ts';
import { sqsAuditQueueFromEnv } from '#shared/adapters/sqs/audit-queue.sender.ts';
import type { SubjectRequestReceipt } from '#shared/domain/privacy/subject-request.ts';
import { readEnv } from '#shared/runtime/env.ts';
import {
  completeSubjectRequest,
  destroyPersonKeys,
  exportPersonData,
  failSubjectRequest,
  type PersonDataPorts,
  planSubjectRequest,
  purgePersonData,
  type SubjectRequestPorts,
} from '#shared/use-cases/privacy/subject-request.use-case.ts';

const env = readEnv({ CUSTOMER_TABLE_NAME: z.string().min(1), EXPORT_BUCKET_NAME: z.string().min(1) });
const db = documentClient();
const requests = dynamoSubjectRequests(db, env.CUSTOMER_TABLE_NAME);
const person = dynamoPersonData({
  db,
  tableName: env.CUSTOMER_TABLE_NAME,
  vault: customerKeyVaultFromEnv(db, env.CUSTOMER_TABLE_NAME),
});
const bundles = s3ExportBundles(s3Client(), env.EXPORT_BUCKET_NAME);
const audit = sqsAuditQueueFromEnv(sqsClient());

const ports: SubjectRequestPorts & PersonDataPorts = {
  ...requests,
  ...person,
  deleteExportBundles: async (customerIds) => {
    const held = await requests.bundlesFor(customerIds);
    for (const { requestId, bundleKey } of held) {
      await bundles.delete(bundleKey);
      await requests.bundleDeleted(requestId, new Date().toISOString());
    }
    return held.length;
  },
  writeBundle: bundles.put,
};

const customerIds = z.array(z.string().min(1).max(128)).min(1).max(1000);

/** What each Task state of `data-subject-request.asl.json` sends. */
const stepInput = z.discriminatedUnion('step', [
  z.object({
    step: z.literal('plan'),
    requestId: subjectRequestId,
    executionId: z.string().min(1).max(2048),
  }),
  z.object({ step: z.literal('destroy-keys'), requestId: subjectRequestId, customerIds }),
  z.object({
    step: z.literal('purge'),
    requestId: subjectRequestId,
    customerIds,
    cursor: z.string().max(4096).nullable(),
  }),
  z.object({ step: z.literal('export'), requestId: subjectRequestId, customerIds }),
  z.object({ step: z.literal('complete'), requestId: subjectRequestId, customerIds }),
  z.object({
    step: z.literal('fail'),
    requestId: subjectRequestId,
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).loose(),
  }),
]);

/** The completed request in the audit log, as done by the admin who filed it. */
const auditCompletion = (receipt: SubjectRequestReceipt) =>
  audit.append([
    {
      entryId: `${receipt.requestId}:customer.${receipt.kind === 'erasure' ? 'erase' : 'export'}`,
      at: receipt.completedAt,
      actor: { subject: receipt.filedBy, roles: ['admin'] },
      action: receipt.kind === 'erasure' ? 'customer.erase' : 'customer.export',
      resource: { type: 'customer', id: receipt.customerId },
      purpose: 'data-subject-request',
      requestId: receipt.requestId,
      fields: [],
      outcome: 'succeeded',
    },
  ]);

/** One task of the data-subject request workflow: parse → the step's use case → its result for the ASL. */
export const handler = async (event: unknown): Promise<unknown> => {
  const input = stepInput.parse(event);
  const now = new Date().toISOString();
  switch (input.step) {
    case 'plan':
      return planSubjectRequest(ports, input.requestId, input.executionId, now);
    case 'destroy-keys':
      await destroyPersonKeys(ports, input.requestId, input.customerIds, now);
      return { destroyed: true };
    case 'purge':
      return purgePersonData(ports, input.requestId, input.customerIds, input.cursor ?? undefined);
    case 'export':
      await exportPersonData(ports, input.requestId, input.customerIds, now);
      return { exported: true };
    case 'complete': {
      const receipt = await completeSubjectRequest(ports, input.requestId, input.customerIds, now);
      await auditCompletion(receipt);
      return { receipt };
    }
    case 'fail':
      await failSubjectRequest(ports, input.requestId, input.error, now);
      return { failed: true };
  }
};
