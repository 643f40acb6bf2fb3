import { createHash } from 'node:crypto';

/** SHA-256 of a UTF-8 string as lower-case hex, cut to `length` characters (64: all of it). */
export const sha256Hex = (value: string, length = 64): string =>
  createHash('sha256').update(value).digest('hex').slice(0, length);
