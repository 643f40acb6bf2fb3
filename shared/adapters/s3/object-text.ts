import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';

/** An object's body as UTF-8 text, or undefined when there is no such key. */
export const objectTextOrUndefined = async (
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<string | undefined> => {
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await got.Body?.transformToString('utf8');
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
};
