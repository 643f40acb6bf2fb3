/**
 * Pagination cursors handed to API callers: the store's own position as base64url JSON, opaque to them.
 * `decodeCursor` answers undefined for anything that is not such a cursor; the store checks the shape.
 */
export const encodeCursor = (position: unknown): string =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

export const decodeCursor = (cursor: string): unknown => {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};
