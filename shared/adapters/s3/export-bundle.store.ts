import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { objectTextOrUndefined } from './object-text.ts';

/*
 * Data-subject export bundles: one JSON object per request at `exports/<requestId>.json` in the export
 * bucket (encrypted, expiring after 7 days by its lifecycle rule). Written once by the workflow, read by the
 * API for the admin who hands it to the person.
 */

export const EXPORT_BUCKET_ENV = 'EXPORT_BUCKET_NAME';

export const exportBundleKey = (requestId: string): string => `exports/${requestId}.json`;

export const s3ExportBundles = (s3: S3Client, bucket: string) => ({
  put: async (requestId: string, bundle: unknown): Promise<string> => {
    const key = exportBundleKey(requestId);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(bundle),
        ContentType: 'application/json; charset=utf-8',
      }),
    );
    return key;
  },
  delete: async (key: string): Promise<void> => {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  },
  /** The bundle as stored (JSON text), or undefined when it is gone (expired after 7 days). */
  text: (key: string): Promise<string | undefined> => objectTextOrUndefined(s3, bucket, key),
});
