/*
 * Environment variables that point a function at its keys. The function construct and the local stack set
 * them from a binding; the crypto adapters read them. One definition for both sides.
 */

/** The KMS HMAC key blind indexes are derived from: its ARN in AWS, `local` on the local stack. */
export const BLIND_INDEX_KEY_ENV = 'C360_BLIND_INDEX_KEY_ID';
/** Local stack only: the secret standing in for the KMS HMAC key. */
export const LOCAL_BLIND_INDEX_SECRET_ENV = 'C360_LOCAL_BLIND_INDEX_SECRET';
/** The KMS key wrapping per-customer PII keys: its ARN in AWS, `local` on the local stack. */
export const PII_KEY_ENV = 'C360_PII_KEY_ID';
/** Local stack only: the base64 32-byte wrapping key standing in for the KMS key. */
export const LOCAL_PII_WRAPPING_KEY_ENV = 'C360_LOCAL_PII_WRAPPING_KEY';
