import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { QuarantineEntry } from '../../use-cases/ingest/clean-events.use-case.ts';
import { sha256Hex } from '../crypto/sha256.ts';

/** Where a quarantined record lives: by source and day, named by its message id (so a retry overwrites). */
export const quarantineKey = (q: Pick<QuarantineEntry, 'source' | 'messageId' | 'receivedAt'>): string =>
  `quarantine/source=${q.source}/dt=${q.receivedAt.slice(0, 10)}/${sha256Hex(q.messageId, 40)}.json`;

/**
 * The quarantine bucket: the only place raw records (and so raw PII) rest, with a short lifecycle. Each
 * object keeps the original record untouched with its reasons, so it can be fixed and replayed.
 */
export const s3QuarantineStore = (s3: S3Client, bucket: string) => ({
  put: async (q: QuarantineEntry): Promise<void> => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: quarantineKey(q),
        ContentType: 'application/json',
        Body: JSON.stringify({
          source: q.source,
          messageId: q.messageId,
          recordId: q.recordId,
          receivedAt: q.receivedAt,
          reasons: q.reasons,
          original: q.data,
        }),
      }),
    );
  },
});
